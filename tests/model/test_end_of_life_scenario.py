"""The claims of ``scenarios/product_end_of_life.yaml`` (its header), held with paired
differences under common random numbers: 40 replications (seed 2026) are enough to be sure of
every sign (the paired 95 % intervals are far from 0; the header's numbers use 200)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SCENARIOS

import jitsim
from jitsim.output.describe import describe_scenario
from jitsim.stats import paired_difference

PATH = SCENARIOS / "product_end_of_life.yaml"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    scenario = jitsim.load_scenario(PATH)
    return jitsim.run(scenario, replications=40, seed=2026, backend="serial").replications()


def column(frame: pd.DataFrame, alternative: str, kpi: str) -> pd.Series:
    rows = frame[frame["alternative"] == alternative].sort_values("replication")
    return rows[kpi].reset_index(drop=True)


def test_the_buffer_is_written_off(frame: pd.DataFrame) -> None:
    """The buffer writes off about three times what JIT does (156 vs 50 phones), and the
    write-off is most of its total cost (89 % on average)."""
    buffered = column(frame, "buffered", "units_written_off")
    jit = column(frame, "jit", "units_written_off")
    assert buffered.mean() > 2.5 * jit.mean()
    more = paired_difference(
        column(frame, "buffered", "obsolescence_write_off"),
        column(frame, "jit", "obsolescence_write_off"),
    )
    assert more.ci95_low > 0
    share = column(frame, "buffered", "obsolescence_write_off") / column(
        frame, "buffered", "total_cost"
    )
    assert share.mean() > 0.8


def test_jit_earns_more_than_the_buffer(frame: pd.DataFrame) -> None:
    gain = paired_difference(column(frame, "jit", "profit"), column(frame, "buffered", "profit"))
    assert gain.ci95_low > 0


def test_an_announced_end_beats_jit_at_a_price_in_service(frame: pd.DataFrame) -> None:
    """Told 30 days ahead, the buffer writes off less than JIT and earns more, but serves
    less of the demand at the end."""
    for kpi, sign in (("obsolescence_write_off", -1), ("profit", 1), ("fill_rate", -1)):
        difference = paired_difference(
            column(frame, "buffered_told", kpi), column(frame, "jit", kpi)
        )
        if sign > 0:
            assert difference.ci95_low > 0, kpi
        else:
            assert difference.ci95_high < 0, kpi


def test_profit_is_revenue_plus_salvage_minus_money_spent(frame: pd.DataFrame) -> None:
    """In every replication: a written-off unit costs its purchase price less its salvage
    (60 EUR) — the write-off's unit cost is added back, not counted twice."""
    spent = frame["purchase_cost"] + frame["total_cost"] - frame["obsolescence_write_off"]
    expected = frame["revenue"] + 60.0 * frame["units_written_off"] - spent
    assert (frame["profit"] - expected).abs().max() < 1e-6


def test_the_summary_names_the_end_of_life() -> None:
    """``jitsim validate`` (and the report's scenario page) say when the life ends, what
    demand is left and what a write-off costs."""
    text = describe_scenario(jitsim.load_scenario(PATH))
    assert (
        "phone: unit cost 300 EUR, price 420 EUR, holding 16.0% per year; end of life on day "
        "uniform(low=200, high=300), demand × 0, written off at 240 EUR/unit"
    ) in text
