"""The bundled scenarios: every file validates and runs, and each teaches what it claims.

* Every ``scenarios/*.yaml`` loads, and every alternative runs on a short horizon with sane
  KPIs.
* ``eoq_classroom.yaml`` reproduces the hand calculation written in its comments: the EOQ is
  the cheapest, half and double the EOQ cost about 25 % more.
* ``forecast_accuracy.yaml``: the larger the forecast error, the higher the cost and the lower
  the fill rate (paired comparisons under common random numbers, 95 % intervals).
* ``daily_convention.yaml`` produces the hand-traced table of ``docs/daily-convention.md``.
* ``retail_promotion.yaml``: a forecast that knows the promotion loses fewer sales in the surge
  and earns more than the buffer; ``multi_sku_shared_supplier.yaml``: taking the fast mover
  off big (s,S) orders raises the service of the two other SKUs sharing the supplier.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS

import jitsim
from jitsim.scenario.models import Scenario
from jitsim.stats import paired_difference

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))
DAILY_DOC = ROOT / "docs" / "daily-convention.md"


def _load(name: str) -> Scenario:
    return jitsim.load_scenario(SCENARIOS / name)


def _with_run(scenario: Scenario, **settings: int) -> Scenario:
    """A copy of ``scenario`` with some run settings replaced (the models are frozen)."""
    run = scenario.run.model_copy(update=settings)
    return scenario.model_copy(update={"run": run})


def _replications(scenario: Scenario, n: int, seed: int) -> pd.DataFrame:
    result = jitsim.run(scenario, replications=n, seed=seed, backend="serial")
    return result.replications()


def _column(frame: pd.DataFrame, alternative: str, kpi: str) -> pd.Series:
    rows = frame[frame["alternative"] == alternative].sort_values("replication")
    return rows[kpi].reset_index(drop=True)


# -- every scenario ----------------------------------------------------------------------------


def test_the_bundled_scenarios_are_there() -> None:
    names = {path.name for path in SCENARIO_FILES}
    expected = {
        "quickstart.yaml",
        "eoq_classroom.yaml",
        "forecast_accuracy.yaml",
        "two_echelon.yaml",
        "lost_sales_kiosk.yaml",
        "daily_convention.yaml",
        "retail_promotion.yaml",
        "multi_sku_shared_supplier.yaml",
        "warehouse_space.yaml",
        "cash_terms.yaml",
        "product_end_of_life.yaml",
        "fresh_produce.yaml",
    }
    assert expected <= names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_is_commented_for_students(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), f"{path.name} should open with a comment explaining it"
    assert text.count("#") >= 10, f"{path.name} should explain its numbers in comments"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_runs_every_alternative(path: Path) -> None:
    scenario = jitsim.load_scenario(path)
    short = _with_run(scenario, horizon_days=60, warmup_days=10)
    frame = _replications(short, n=3, seed=11)
    alternatives = scenario.alternative_names()
    assert sorted(frame["alternative"].unique()) == sorted(alternatives)
    assert len(frame) == 3 * len(alternatives)
    assert (frame["window_days"] == 50).all()
    assert frame["fill_rate"].between(0.0, 1.0).all()
    assert (frame["total_cost"] >= 0).all()
    assert (frame["demand_units"] > 0).all()
    for kpi in ("total_cost", "avg_on_hand", "avg_cash_tied_up", "orders_placed"):
        assert frame[kpi].notna().all(), kpi
        assert (frame[kpi] >= 0).all(), kpi


# -- eoq_classroom.yaml ------------------------------------------------------------------------


def test_eoq_classroom_reproduces_the_hand_calculation() -> None:
    scenario = _load("eoq_classroom.yaml")
    frame = _replications(scenario, n=3, seed=scenario.run.seed)
    mean = frame.groupby("alternative")["total_cost"].mean()
    sem = frame.groupby("alternative")["total_cost"].sem()

    # The numbers of the hand calculation, read from the scenario itself.
    item = scenario.items["part"]
    h = item.annual_holding_rate * item.unit_cost / scenario.run.days_per_year
    K = scenario.suppliers["wholesaler"].order_cost
    d = scenario.customers["shop_floor"].demand.mean  # type: ignore[union-attr]
    q_star = math.sqrt(2 * K * d / h)
    assert h == pytest.approx(0.02)
    assert q_star == pytest.approx(400.0)
    assert frame.loc[frame["alternative"] == "eoq", "store.eoq_order_quantity"].iloc[0] == (
        pytest.approx(q_star)
    )

    # Cost over the window: ordering K·d/Q and holding h·(Q/2 + d) per day, where d units are
    # the one day of demand left on the shelf when each delivery arrives (r = d·(L + R)).
    window = scenario.run.window_days
    quantities = {"eoq": q_star, "half_eoq": q_star / 2, "double_eoq": 2 * q_star}
    for alternative, q in quantities.items():
        expected = window * (K * d / q + h * (q / 2 + d))
        tolerance = max(3 * float(sem[alternative]), 0.005 * expected)
        assert mean[alternative] == pytest.approx(expected, abs=tolerance), alternative

    # The lesson: the EOQ is the cheapest and the cost curve is flat around it.
    assert mean["eoq"] < mean["half_eoq"]
    assert mean["eoq"] < mean["double_eoq"]
    for other in ("half_eoq", "double_eoq"):
        assert mean[other] / mean["eoq"] == pytest.approx(1.25, abs=0.02)
        # The cycle-stock part alone (without the d units of review stock) is exactly +25 %.
        review_stock = window * h * d
        ratio = (mean[other] - review_stock) / (mean["eoq"] - review_stock)
        assert ratio == pytest.approx(1.25, rel=0.005)


# -- forecast_accuracy.yaml --------------------------------------------------------------------


@pytest.fixture(scope="module")
def forecast_runs() -> pd.DataFrame:
    scenario = _load("forecast_accuracy.yaml")
    return _replications(scenario, n=30, seed=2026)


FORECAST_LADDER = ("jit_exact", "jit_error_10", "jit_error_30")


@pytest.mark.parametrize(
    ("better", "worse"), [FORECAST_LADDER[:2], FORECAST_LADDER[1:], FORECAST_LADDER[::2]]
)
def test_forecast_error_raises_cost(forecast_runs: pd.DataFrame, better: str, worse: str) -> None:
    cost = paired_difference(
        _column(forecast_runs, worse, "total_cost"), _column(forecast_runs, better, "total_cost")
    )
    # The whole 95 % interval of the paired difference lies above zero.
    assert cost.mean_diff > 0
    assert cost.ci95_low > 0, cost


@pytest.mark.parametrize(
    ("better", "worse"), [FORECAST_LADDER[:2], FORECAST_LADDER[1:], FORECAST_LADDER[::2]]
)
def test_forecast_error_lowers_fill_rate(
    forecast_runs: pd.DataFrame, better: str, worse: str
) -> None:
    fill = paired_difference(
        _column(forecast_runs, better, "fill_rate"), _column(forecast_runs, worse, "fill_rate")
    )
    assert fill.mean_diff > 0
    assert fill.ci95_low > 0, fill


def test_forecast_accuracy_story(forecast_runs: pd.DataFrame) -> None:
    """The comparison the comments describe: JIT halves the cash, breaks at 30 % error."""
    means = forecast_runs.groupby("alternative").mean(numeric_only=True)
    assert means.loc["jit_exact", "fill_rate"] == pytest.approx(1.0)
    for jit in FORECAST_LADDER:
        assert means.loc[jit, "avg_cash_tied_up"] < 0.6 * means.loc["buffered", "avg_cash_tied_up"]
    # Exact or good forecasts: about the cost of the buffer (within 10 %); poor: far above.
    for jit in FORECAST_LADDER[:2]:
        assert means.loc[jit, "total_cost"] == pytest.approx(
            means.loc["buffered", "total_cost"], rel=0.10
        )
    assert means.loc["jit_error_30", "total_cost"] > 1.5 * means.loc["buffered", "total_cost"]


# -- two_echelon.yaml --------------------------------------------------------------------------


def test_two_echelon_jit_moves_little_cash() -> None:
    scenario = _load("two_echelon.yaml")
    frame = _replications(scenario, n=10, seed=2026)
    means = frame.groupby("alternative").mean(numeric_only=True)
    for store in ("north", "south"):
        assert (
            means.loc["jit", f"{store}.avg_on_hand"] < means.loc["buffered", f"{store}.avg_on_hand"]
        )
        assert (
            means.loc["jit", f"{store}.orders_placed"]
            > means.loc["buffered", f"{store}.orders_placed"]
        )
    cash = paired_difference(
        _column(frame, "jit", "avg_cash_tied_up"), _column(frame, "buffered", "avg_cash_tied_up")
    )
    assert cash.ci95_high < 0  # JIT frees some cash ...
    assert -0.15 < cash.rel_change  # ... but not much: the dc keeps its buffer
    assert means.loc["jit", "dc.avg_cash_tied_up"] > 0.6 * means.loc["jit", "avg_cash_tied_up"]


# -- daily_convention.yaml and docs/daily-convention.md ----------------------------------------

#: The hand-traced table of docs/daily-convention.md: day → (receipt, IP at review, order,
#: demand, on-hand at end of day, backorders at end of day).
HAND_TABLE = {
    0: (0, 14, 0, 4, 10, 0),
    1: (0, 10, 10, 4, 6, 0),
    2: (0, 16, 0, 4, 2, 0),
    3: (0, 12, 0, 4, 0, 2),
    4: (10, 8, 12, 4, 4, 0),
    5: (0, 16, 0, 4, 0, 0),
    6: (0, 12, 0, 4, 0, 4),
    7: (12, 8, 12, 4, 4, 0),
}


def _trace_table(scenario: Scenario) -> dict[int, tuple[float, ...]]:
    """The hand table's columns, read from the event log of the simulator."""
    trace = jitsim.simulate(scenario, "base", 0, trace=True).trace
    days = range(scenario.run.horizon_days)
    table = {day: [0.0, math.nan, 0.0, 0.0, math.nan, math.nan] for day in days}
    eod_position = {-1: scenario.stock_points["store"].initial}
    for time, _node, event, quantity, level, note in trace:
        day = math.floor(time)
        if event == "receipt":
            table[day][0] += quantity
        elif event in ("order", "review"):
            table[day][1] = level  # the IP the review looked at
            if event == "order":
                table[day][2] += quantity
        elif event == "demand":
            table[day][3] += quantity
        elif event == "end of day":
            found = re.search(r"backorders=([\d.]+)", note)
            assert found is not None, note
            table[day - 1][4:6] = [quantity, float(found.group(1))]
            eod_position[day - 1] = level
    for day in days:  # receipts do not change IP: it is yesterday's end-of-day IP
        if math.isnan(table[day][1]):
            table[day][1] = eod_position[day - 1]
    return {day: tuple(values) for day, values in table.items()}


def test_daily_convention_trace_matches_the_hand_table() -> None:
    scenario = _load("daily_convention.yaml")
    assert _trace_table(scenario) == HAND_TABLE


def test_daily_convention_doc_shows_the_same_table() -> None:
    text = DAILY_DOC.read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 7 and cells[0].isdigit():
            numbers = [int(re.sub(r"\D.*", "", cell) or 0) for cell in cells]
            rows[numbers[0]] = tuple(numbers[1:])
    assert rows == HAND_TABLE


# -- retail_promotion.yaml and multi_sku_shared_supplier.yaml ----------------------------------


def test_retail_promotion_planned_forecast_serves_the_surge() -> None:
    scenario = _load("retail_promotion.yaml")
    frame = _replications(scenario, n=10, seed=2026)
    surge = frame["lost_sales_in_disruption"]
    assert (surge[frame["alternative"] == "buffered"] > 0).all()  # the surge does bite
    lost = paired_difference(
        _column(frame, "jit_planned", "lost_sales_in_disruption"),
        _column(frame, "buffered", "lost_sales_in_disruption"),
    )
    assert lost.ci95_high < 0
    profit = paired_difference(
        _column(frame, "jit_planned", "profit"), _column(frame, "buffered", "profit")
    )
    assert profit.ci95_low > 0
    cash = paired_difference(
        _column(frame, "jit", "avg_cash_tied_up"), _column(frame, "buffered", "avg_cash_tied_up")
    )
    assert cash.ci95_high < 0


def test_multi_sku_shared_capacity_links_the_skus() -> None:
    scenario = _load("multi_sku_shared_supplier.yaml")
    assert len({p.item for p in scenario.stock_points.values()}) == 3
    assert {p.source for p in scenario.stock_points.values()} == {"factory"}
    frame = _replications(scenario, n=10, seed=2026)
    # "mixed" changes only basic_stock's policy, yet the other SKUs' service rises: their
    # orders no longer wait behind basic taps' big orders in the factory's queue.
    for point in ("designer_stock", "thermostatic_stock"):
        kpi = f"{point}.fill_rate"
        gain = paired_difference(_column(frame, "mixed", kpi), _column(frame, "buffered", kpi))
        assert gain.ci95_low > 0, point
