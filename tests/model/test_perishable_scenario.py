"""The claims of ``scenarios/fresh_produce.yaml``'s header, held under common random numbers.

The header says (100 replications, seed 2026): the buffer throws away about 22 % of what it
buys and JIT nothing; JIT costs less in total although it orders 5.7 times as often, earns more
and fills more demand, because the buffer's stock expires in bulk. Each claim is checked on
paired replications with enough of them that the sign is sure (4 standard errors of the paired
difference), and the waste shares against the header's numbers.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import SCENARIOS

import jitsim
from jitsim.distributions import Constant


@pytest.fixture(scope="module")
def fresh() -> pd.DataFrame:
    scenario = jitsim.load_scenario(SCENARIOS / "fresh_produce.yaml")
    return jitsim.run(scenario, replications=30, seed=2026).replications()


def _paired(frame: pd.DataFrame, kpi: str) -> tuple[float, float]:
    """Mean and standard error of jit − buffered, replication by replication."""
    wide = frame.pivot(index="replication", columns="alternative", values=kpi)
    diff = wide["jit"] - wide["buffered"]
    return float(diff.mean()), float(diff.std(ddof=1)) / math.sqrt(len(diff))


def _mean(frame: pd.DataFrame, alternative: str, kpi: str) -> float:
    return float(frame.loc[frame["alternative"] == alternative, kpi].mean())


def test_the_buffer_throws_away_a_fifth_of_what_it_buys_and_jit_nothing(
    fresh: pd.DataFrame,
) -> None:
    assert 0.20 <= _mean(fresh, "buffered", "waste_share") <= 0.25  # header: 22.2 %
    assert _mean(fresh, "jit", "waste_share") < 0.005  # header: 0.0 %
    assert _mean(fresh, "buffered", "units_marked_down") > 100 * _mean(
        fresh, "jit", "units_marked_down"
    )


@pytest.mark.parametrize(
    ("kpi", "jit_is"),
    [
        ("total_cost", "lower"),  # header: 1 817 vs 3 209 EUR
        ("profit", "higher"),  # 15 017 vs 10 306 EUR
        ("fill_rate", "higher"),  # 96.2 % vs 90.4 %
        ("orders_placed", "higher"),  # 362 vs 64 orders
        ("avg_on_hand", "lower"),  # 42 vs 154 heads
    ],
)
def test_jit_against_the_buffer(fresh: pd.DataFrame, kpi: str, jit_is: str) -> None:
    mean, se = _paired(fresh, kpi)
    sign = -1.0 if jit_is == "lower" else 1.0
    assert sign * mean > 4 * se, f"{kpi}: jit − buffered = {mean:.4g} (SE {se:.3g})"


def test_jit_pays_more_for_orders_than_the_buffer_pays_for_holding(fresh: pd.DataFrame) -> None:
    """What a holding rate never sees: the buffer's carrying cost (about 31 EUR) is far below
    what JIT spends on orders (about 1 809 EUR); expiry is what makes the buffer dear."""
    assert _mean(fresh, "buffered", "holding_cost") < 0.05 * _mean(fresh, "jit", "ordering_cost")
    assert _mean(fresh, "buffered", "expiry_cost") > _mean(fresh, "jit", "ordering_cost")


@pytest.mark.parametrize(("days", "cheaper"), [(5.0, "jit"), (7.0, "buffered")])
def test_the_shelf_life_flips_the_answer(days: float, cheaper: str) -> None:
    """Header: with a constant 5-day shelf life JIT still costs less; with 7 days the buffer
    does (415 against 1 817 EUR)."""
    scenario = jitsim.load_scenario(SCENARIOS / "fresh_produce.yaml")
    item = scenario.items["salad"].model_copy(update={"shelf_life": Constant(value=days)})
    scenario = scenario.model_copy(update={"items": {"salad": item}})
    frame = jitsim.run(scenario, replications=20, seed=2026).replications()
    mean, se = _paired(frame, "total_cost")
    sign = 1.0 if cheaper == "buffered" else -1.0  # jit − buffered > 0: the buffer is cheaper
    assert sign * mean > 4 * se, f"{days} days: jit − buffered = {mean:.4g} (SE {se:.3g})"
