"""Tests of the results writer and of the text formatting of results and traces."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUICKSTART, SCENARIOS

import jitsim
from jitsim.errors import JitsimError
from jitsim.execution.batch_results import RunResult
from jitsim.execution.results_claim import claim
from jitsim.execution.results_dir import (
    default_out_dir,
    resolved_scenario_yaml,
    summary_document,
    write_results,
)
from jitsim.output.describe import describe_scenario
from jitsim.output.tables import format_estimate, headline_rows, kpi_unit
from jitsim.output.trace import CSV_COLUMNS, format_row, format_trace, row_day, trace_frame
from jitsim.scenario.models import scenario_hash


@pytest.fixture(scope="module")
def result() -> RunResult:
    return jitsim.run(jitsim.load_scenario(QUICKSTART), replications=2, seed=3)


# -- writer -------------------------------------------------------------------------------------


def test_write_results(tmp_path: Path, result: RunResult) -> None:
    written = write_results(result, tmp_path / "a" / "b", command=["jitsim", "run", "x y.yaml"])
    assert set(written) == {"summary", "replications", "scenario"}
    assert all(path.is_file() for path in written.values())
    doc = json.loads(written["summary"].read_text(encoding="utf-8"))
    assert doc["command"] == "jitsim run 'x y.yaml'"
    assert doc["replications"] == 2 and doc["seed"] == 3
    assert len(pd.read_csv(written["replications"])) == 2 * 3


def test_nan_written_as_null(tmp_path: Path, result: RunResult) -> None:
    odd = dataclasses.replace(result, frame=result.replications().assign(fill_rate=math.nan))
    written = write_results(odd, tmp_path)
    text = written["summary"].read_text(encoding="utf-8")
    assert "NaN" not in text
    doc = json.loads(text)
    assert doc["alternatives"]["jit"]["fill_rate"]["mean"] is None
    assert doc["alternatives"]["jit"]["fill_rate"]["n"] == 0


def test_summary_document_is_json_safe(result: RunResult) -> None:
    doc = summary_document(result)
    json.dumps(doc, allow_nan=False)
    stats = doc["alternatives"]["eoq"]["total_cost"]
    assert stats["ci95_low"] <= stats["mean"] <= stats["ci95_high"]
    assert isinstance(stats["n"], int)


def test_a_claim_rejects_a_file_and_creates_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_text("", encoding="utf-8")
    with pytest.raises(JitsimError, match="not a results directory"), claim(target):
        pass
    with claim(tmp_path / "new") as path:
        assert path.is_dir()


def test_default_out_dir() -> None:
    assert default_out_dir("scenarios/quickstart.yaml") == Path("results/quickstart")
    assert default_out_dir("scenarios/quickstart.yaml", "sweep") == Path("results/quickstart-sweep")


def test_resolved_yaml_round_trip(result: RunResult) -> None:
    text = resolved_scenario_yaml(result.scenario)
    assert text.startswith("# Resolved scenario")
    assert "days_per_year: 365.0" in text  # defaults are filled in
    again = jitsim.load_scenario_text(text)
    assert scenario_hash(again) == scenario_hash(result.scenario)


# -- numbers for people -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "half_width", "scale", "expected"),
    [
        (12345.678, 310.2, 1.0, "12,346 ± 310"),
        (0.97312, 0.0042, 100.0, "97.31 ± 0.42"),
        (45.67, 4.2, 1.0, "45.7 ± 4.2"),
        (10.0, 0.0, 1.0, "10 ± 0"),
        (3.5, math.nan, 1.0, "3.50"),
        (math.nan, math.nan, 1.0, "n/a"),
        (-1500.0, 20.0, 1.0, "-1,500 ± 20"),
    ],
)
def test_format_estimate(mean: float, half_width: float, scale: float, expected: str) -> None:
    assert format_estimate(mean, half_width, scale) == expected


def test_kpi_unit() -> None:
    assert kpi_unit("total_cost", "EUR") == ("EUR", 1.0)
    assert kpi_unit("store.avg_cash_tied_up", "USD") == ("USD", 1.0)
    assert kpi_unit("profit", "EUR") == ("EUR", 1.0)
    assert kpi_unit("fill_rate", "EUR") == ("%", 100.0)
    assert kpi_unit("store.cycle_service_level", "EUR") == ("%", 100.0)
    assert kpi_unit("stockout_days", "EUR") == ("days", 1.0)
    assert kpi_unit("orders_placed", "EUR") == ("orders", 1.0)
    assert kpi_unit("avg_on_hand", "EUR") == ("units", 1.0)


def test_headline_rows(result: RunResult) -> None:
    rows = headline_rows(result)
    kpis = [kpi for kpi, _unit, _cells in rows]
    assert kpis[0] == "total_cost" and kpis[-1] == "demand_units"
    assert all(len(cells) == 3 for _kpi, _unit, cells in rows)
    assert all("±" in cell for _kpi, _unit, cells in rows for cell in cells)


def test_describe_scenario(result: RunResult) -> None:
    text = describe_scenario(result.scenario)
    assert "horizon 395 days, warm-up 30 days" in text
    assert "acme" in text and "mean 3 days" in text
    assert "store: widget from acme" in text
    assert "walk_in: buys from store" in text
    assert "jit: store=jit(" in text


def test_describe_scenario_shows_space_and_cash_terms() -> None:
    """What ``jitsim validate`` prints names the warehouse space, the issue rule, a customer's
    minimum remaining life and the payment terms and finance a scenario uses (they were left
    out); a scenario without them reads as before."""
    cash = describe_scenario(jitsim.load_scenario(SCENARIOS / "cash_terms.yaml"))
    assert "paid 60 days after delivery (2 % off if paid within 10 days)" in cash
    assert "pays 30 days after the sale (20 % later still)" in cash
    assert "finance: opening cash 0 EUR, interest 8 % a year on a negative balance" in cash
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the capacity below the buffer's S
        space = describe_scenario(jitsim.load_scenario(SCENARIOS / "warehouse_space.yaml"))
    assert "capacity 60 m³, overflow: external" in space
    fresh = jitsim.load_scenario(SCENARIOS / "fresh_produce.yaml")
    assert "issue fefo" in describe_scenario(fresh)
    customer = fresh.customers["shoppers"].model_copy(update={"min_remaining_days": 2.0})
    picky = fresh.model_copy(update={"customers": {"shoppers": customer}})
    assert "needs ≥ 2 days of life left" in describe_scenario(picky)
    plain = describe_scenario(jitsim.load_scenario(QUICKSTART))
    assert not any(word in plain for word in ("capacity", "paid", "finance", "issue", "life"))


# -- trace formatting ---------------------------------------------------------------------------

ROWS = [
    (0.0, "store", "review", 0.0, 18.0, ""),
    (0.0, "store", "order", 42.0, 18.0, "to acme"),
    (0.5, "store", "demand", 20.0, 0.0, "walk_in"),
    (0.5, "store", "stockout", 2.0, 0.0, "backordered"),
    (1.0, "store", "end of day", 0.0, 40.0, "backorders=2 on_order=42"),
    (2.0, "store", "receipt", 42.0, 42.0, ""),
    (2.0, "store", "backorder filled", 2.0, 40.0, ""),
]


def test_row_day() -> None:
    assert row_day(0.5, "demand") == 0
    assert row_day(1.0, "end of day") == 0
    assert row_day(1.0, "receipt") == 1


def test_format_row() -> None:
    assert "qty 42  IP 18  to acme" in format_row(ROWS[1])
    assert "short 2  on hand 0  (backordered)" in format_row(ROWS[3])
    assert "on hand 0  IP 40  backorders=2" in format_row(ROWS[4])


def test_format_trace_groups_by_day() -> None:
    text = format_trace(ROWS, warmup_days=1)
    lines = text.splitlines()
    assert lines[0] == "day 0 (warm-up)"
    assert lines.index("day 2") == 6  # the end-of-day row belongs to day 0
    assert "end of day" in lines[5]
    assert format_trace([]) == "(no events)"


def test_trace_frame() -> None:
    frame = trace_frame(ROWS)
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert frame["day"].tolist() == [0, 0, 0, 0, 0, 2, 2]


def test_failed_writes_are_user_errors_naming_the_file(tmp_path: Path) -> None:
    from jitsim.errors import JitsimError
    from jitsim.execution.results_dir import write_json

    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(JitsimError, match=r"cannot write .*a_file/summary\.json"):
        write_json(blocker / "summary.json", {"value": float("nan")})
    write_json(tmp_path / "ok.json", {"value": float("nan")})
    assert (tmp_path / "ok.json").read_text() == '{\n  "value": null\n}\n'
