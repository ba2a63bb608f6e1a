"""Break-even search: a constructed case with a known answer, and a stochastic one.

The deterministic oracle
------------------------
One store, constant demand of d units per day arriving at mid-day, lead time 0, review every
morning, backorders, holding cost h per unit-day charged on the time-weighted on-hand level
(``cost_basis: continuous``), fixed cost K per order, initial stock 0.

* Alternative A, ``daily`` = base-stock with S = d: every morning IP = 0, so it orders d, which
  arrives at once (L = 0 is put away before the day's demand). On hand is d during [t, t+½) and
  0 during [t+½, t+1): average d/2. One order a day.
  Cost per day: :math:`c_A = K + h d / 2`.
* Alternative B, ``batch`` = (r, Q) with r = 0, Q = n·d: when IP = 0 it orders Q. Over a cycle
  of n days on hand is Q for half a day, then Q − d, Q − 2d, …, d for a day each, then 0 for half
  a day: area :math:`Q/2 + \\sum_{k=1}^{n-1}(Q - kd) = n^2 d / 2 = nQ/2`, so average Q/2. One
  order every n days. Cost per day: :math:`c_B = K d / Q + h Q / 2`.

Hence :math:`c_A - c_B = K(1 - d/Q) + h(d - Q)/2`, which vanishes at :math:`K^* = hQ/2`:
A is cheaper below K*, B above. With d = 10, n = 5 (Q = 50), h = 100 × 0.36 / 360 = 0.1 per
unit-day: K* = 2.5. Warm-up (10 days) and window (90 days) are whole cycles of B (5 days), so
the window totals are exactly 90 × the daily costs. Nothing is random: two replications give a
zero-width confidence interval, and the search is exact up to its tolerance.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import jitsim
from jitsim.errors import JitsimError, ScenarioError
from jitsim.experiments.breakeven import (
    EVALUATION_COLUMNS,
    BreakEvenResult,
    Evaluation,
    breakeven,
)
from jitsim.experiments.breakeven.search import _search
from jitsim.experiments.breakeven.wording import _fmt

D, N, H = 10.0, 5, 0.1
Q = N * D
K_STAR = H * Q / 2  # = 2.5
WINDOW = 90

ORACLE = f"""\
name: Break-even oracle
run:
  horizon_days: 100
  warmup_days: 10
  replications: 2
  seed: 7
  days_per_year: 360
items:
  part:
    unit_cost: 100.0
    holding_rate: 0.36           # h = 0.36 × 100 / 360 = 0.1 per unit-day
suppliers:
  acme:
    items: [part]
    lead_time: 0
    order_cost: 4.0
stock_points:
  store:
    item: part
    source: acme
    initial: 0
    review: {{every_days: 1}}
    policy: {{kind: base_stock, S: {D}}}
customers:
  shop:
    buys_from: store
    demand: {D}
    unmet: backorder
    backorder_cost_per_unit_day: 1.0
alternatives:
  daily: {{store: {{kind: base_stock, S: {D}}}}}
  batch: {{store: {{kind: r_Q, r: 0, Q: {Q}}}}}
"""

PARAM = "suppliers.acme.order_cost"


@pytest.fixture(scope="module")
def oracle_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("breakeven") / "oracle.yaml"
    path.write_text(ORACLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def oracle(oracle_file: Path) -> jitsim.Scenario:
    return jitsim.load_scenario(oracle_file)


@pytest.mark.parametrize("order_cost", [1.0, 4.0])
def test_hand_formula_matches_the_simulation(oracle: jitsim.Scenario, order_cost: float) -> None:
    from jitsim.scenario.overrides import apply_overrides

    scenario = apply_overrides(oracle, None, {PARAM: order_cost})
    result = jitsim.run(scenario, backend="serial")
    costs = result.replications().groupby("alternative")["total_cost"]
    assert costs.nunique().max() == 1  # deterministic
    daily = costs.mean()["daily"]
    batch = costs.mean()["batch"]
    assert daily == pytest.approx(WINDOW * (order_cost + H * D / 2), abs=1e-9)
    assert batch == pytest.approx(WINDOW * (order_cost * D / Q + H * Q / 2), abs=1e-9)
    expected = WINDOW * (order_cost * (1 - D / Q) + H * (D - Q) / 2)
    assert daily - batch == pytest.approx(expected, abs=1e-9)


@pytest.fixture(scope="module")
def found(oracle: jitsim.Scenario, oracle_file: Path) -> BreakEvenResult:
    return breakeven(
        oracle, PARAM, 1.0, 20.0, ("daily", "batch"), source_file=oracle_file, backend="serial"
    )


def test_breakeven_finds_the_known_answer(
    found: BreakEvenResult,
) -> None:
    tolerance = (20.0 - 1.0) / 1000
    assert found.outcome == "break_even"
    assert found.tolerance == pytest.approx(tolerance)
    assert abs(found.estimate - K_STAR) <= tolerance
    assert found.bracket is not None and found.uncertainty is not None
    low, high = found.bracket
    assert low <= K_STAR <= high and high - low <= tolerance
    assert found.stop_reason == "tolerance"
    # Deterministic: every CI has zero width, so the uncertainty interval is the bracket.
    assert found.uncertainty == found.bracket
    assert found.sentence.startswith(
        "daily stops beating batch on total_cost at suppliers.acme.order_cost ≈ 2.5 ("
    )
    assert found.describe().endswith("stopped because the bracket is narrower than the tolerance.")


def test_every_evaluation_is_reported(found: BreakEvenResult) -> None:
    table = found.evaluations()
    assert list(table.columns) == list(EVALUATION_COLUMNS)
    assert table["x"].tolist()[:3] == [1.0, 20.0, 10.5]  # ends first, then midpoints
    assert len(table) == 2 + 10  # 19 / 2^10 < 19 / 1000
    expected = WINDOW * (table["x"] * (1 - D / Q) + H * (D - Q) / 2)
    pd.testing.assert_series_equal(table["mean_diff"], expected, check_names=False, atol=1e-9)
    assert (table["ci95_low"] == table["mean_diff"]).all() and (table["n"] == 2).all()
    reps = found.replications()
    assert list(reps.columns[:4]) == ["evaluation", "x", "alternative", "replication"]
    assert len(reps) == len(table) * 2 * 2


def test_swapping_the_alternatives_rewords_the_verdict(oracle: jitsim.Scenario) -> None:
    swapped = breakeven(oracle, PARAM, 1.0, 20.0, ("batch", "daily"), backend="serial")
    assert abs(swapped.estimate - K_STAR) <= swapped.tolerance
    assert swapped.sentence.startswith("batch starts beating daily on total_cost at ")


def test_one_alternative_better_over_the_whole_range_is_a_result(oracle: jitsim.Scenario) -> None:
    above = breakeven(oracle, PARAM, 3.0, 20.0, ("daily", "batch"), backend="serial")
    assert above.outcome == "whole_range" and above.winner == "batch"
    assert math.isnan(above.estimate) and above.bracket is None and above.uncertainty is None
    assert above.sentence == (
        "batch beats daily on total_cost over the whole range suppliers.acme.order_cost = 3 … 20"
    )
    assert len(above.evaluations()) == 2
    below = breakeven(oracle, PARAM, 0.0, 2.0, ("daily", "batch"), backend="serial")
    assert below.winner == "daily" and below.sentence.startswith("daily beats batch")


def test_tolerance_and_max_iterations_stop_the_search(oracle: jitsim.Scenario) -> None:
    coarse = breakeven(
        oracle, PARAM, 1.0, 20.0, ("daily", "batch"), tolerance=2.0, backend="serial"
    )
    assert coarse.bracket is not None and coarse.bracket[1] - coarse.bracket[0] <= 2.0
    assert len(coarse.evaluations()) == 2 + 4  # 19 → 9.5 → 4.75 → 2.375 → 1.1875
    # f is linear here, so interpolating in any bracket is exact.
    assert coarse.estimate == pytest.approx(K_STAR, abs=1e-9)
    capped = breakeven(
        oracle, PARAM, 1.0, 20.0, ("daily", "batch"), max_iterations=2, backend="serial"
    )
    assert capped.stop_reason == "max_iterations" and len(capped.evaluations()) == 4
    assert "maximum number of bisection steps" in capped.describe()


def test_processes_give_the_same_evaluations_as_serial(oracle: jitsim.Scenario) -> None:
    options: dict[str, Any] = {"replications": 24, "max_iterations": 2}
    serial = breakeven(oracle, PARAM, 1.0, 20.0, ("daily", "batch"), backend="serial", **options)
    parallel = breakeven(
        oracle,
        PARAM,
        1.0,
        20.0,
        ("daily", "batch"),
        backend="processes",
        workers=2,
        **options,
    )
    pd.testing.assert_frame_equal(parallel.evaluations(), serial.evaluations(), check_exact=True)
    pd.testing.assert_frame_equal(parallel.replications(), serial.replications(), check_exact=True)


def test_bad_requests_are_rejected_before_simulating(
    oracle: jitsim.Scenario, oracle_file: Path
) -> None:
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)

    def attempt(*args: Any, **kwargs: Any) -> None:
        breakeven(oracle, *args, backend="serial", progress=progress, **kwargs)

    with pytest.raises(JitsimError, match=r"low\(=5.0\) must be < high\(=5.0\)"):
        attempt(PARAM, 5.0, 5.0, ("daily", "batch"))
    with pytest.raises(JitsimError, match="two different alternatives"):
        attempt(PARAM, 1.0, 5.0, ("daily", "daily"))
    with pytest.raises(JitsimError, match=r"unknown alternative 'jit'.*daily, batch"):
        attempt(PARAM, 1.0, 5.0, ("daily", "jit"))
    with pytest.raises(JitsimError, match=r"cannot search run\.seed"):
        attempt("run.seed", 1, 5, ("daily", "batch"))
    with pytest.raises(ScenarioError) as exc:
        attempt(PARAM, -1.0, 5.0, ("daily", "batch"), source_file=oracle_file)
    line = ORACLE.splitlines().index("    order_cost: 4.0") + 1
    assert str(exc.value).startswith(f"{oracle_file}:{line}: suppliers.acme.order_cost: ")
    with pytest.raises(ScenarioError, match="unknown field 'oder_cost'"):
        attempt("suppliers.acme.oder_cost", 1.0, 5.0, ("daily", "batch"))
    assert calls == []
    with pytest.raises(JitsimError, match=r"unknown KPI 'total_cots' \(did you mean 'total_cost'"):
        attempt(PARAM, 1.0, 5.0, ("daily", "batch"), kpi="total_cots")


# ------------------------------------------------------------------------------ stochastic

STOCHASTIC = """\
name: Break-even under Poisson demand
run: {horizon_days: 100, warmup_days: 10, replications: 20, seed: 11, days_per_year: 360}
items:
  part: {unit_cost: 100.0, holding_rate: 0.36}
suppliers:
  acme: {items: [part], lead_time: 1, order_cost: 4.0}
stock_points:
  store: {item: part, source: acme, initial: 30, policy: {kind: base_stock, S: 25}}
customers:
  shop: {buys_from: store, demand: {kind: poisson, mean: 10}, backorder_cost_per_unit_day: 1.0}
alternatives:
  daily: {store: {kind: base_stock, S: 25}}
  batch: {store: {kind: r_Q, r: 15, Q: 50}}
"""


def test_stochastic_breakeven_reports_an_uncertainty_interval(tmp_path: Path) -> None:
    scenario = jitsim.load_scenario_text(STOCHASTIC)
    seen: list[tuple[int, int]] = []
    result = breakeven(
        scenario,
        PARAM,
        0.0,
        15.0,
        ("daily", "batch"),
        backend="serial",
        progress=lambda done, total: seen.append((done, total)),
        out=tmp_path / "be",
    )
    assert result.outcome == "break_even"
    assert result.uncertainty is not None and result.bracket is not None
    lo, hi = result.uncertainty
    assert lo <= result.bracket[0] <= result.estimate <= result.bracket[1] <= hi
    assert lo < hi  # noise leaves a range where daily and batch cannot be told apart
    table = result.evaluations()
    first, last = table.iloc[0], table.iloc[1]
    assert first["ci95_high"] < 0 < last["ci95_low"]  # daily cheaper at K = 0, dearer at 15
    assert (table["ci95_high"] > table["ci95_low"]).all() and (table["n"] == 20).all()
    # The interval ends are the evaluations closest to the estimate that are still resolved.
    below = table[table["ci95_high"] < 0]["x"]
    above = table[table["ci95_low"] > 0]["x"]
    assert lo == below.max() and hi == above.min()
    if result.stop_reason == "unresolved":
        assert table.iloc[-1]["ci95_low"] <= 0 <= table.iloc[-1]["ci95_high"]
    assert "daily stops beating batch on total_cost at suppliers.acme.order_cost ≈ " in str(result)
    # Progress: monotone, ends complete.
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == seen[-1][1] == len(table) * 2 * 20
    # Files.
    document = json.loads((tmp_path / "be" / "summary.json").read_text())
    assert document["estimate"] == pytest.approx(result.estimate)
    assert document["between"] == ["daily", "batch"] and document["kpi"] == "total_cost"
    assert len(pd.read_csv(tmp_path / "be" / "breakeven_points.csv")) == len(table)
    assert (tmp_path / "be" / "scenario.resolved.yaml").is_file()


def test_equal_kpis_at_both_ends_are_reported_as_identical(oracle: jitsim.Scenario) -> None:
    same = breakeven(oracle, PARAM, 1.0, 20.0, ("daily", "batch"), kpi="demand_units")
    assert same.outcome == "identical" and math.isnan(same.estimate)
    assert same.sentence == (
        "daily and batch give the same demand_units at both ends of "
        "suppliers.acme.order_cost = 1 … 20: no break-even"
    )


def _exact(x: float, value: float) -> Evaluation:
    return Evaluation(x, value, value, value, 2, value, 0.0)


def test_bisection_finds_where_a_tie_begins() -> None:
    # f < 0 up to x = 3, then exactly 0 (A and B do the same thing): A stops beating B at 3.
    def f(x: float) -> float:
        return min(0.0, x - 3.0)

    calls: list[float] = []

    def evaluate(x: float) -> Evaluation:
        calls.append(x)
        return _exact(x, f(x))

    outcome, estimate, bracket, reason = _search(
        _exact(0.0, f(0.0)), _exact(10.0, f(10.0)), evaluate, False, 0.01, 20
    )
    assert (outcome, reason) == ("break_even", "tolerance")
    assert bracket is not None and bracket[0] <= 3.0 <= bracket[1] and abs(estimate - 3.0) <= 0.01
    assert all(0 < x < 10 for x in calls)
    # Whole numbers: midpoints are whole and the bracket ends one apart.
    outcome, estimate, bracket, reason = _search(
        _exact(0, f(0)), _exact(10, f(10)), evaluate, True, 1, 20
    )
    assert bracket == (2, 3) and estimate == 3.0


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(1000.0, 3, "1000"), (2.5, 4, "2.5"), (0.41, 3, "0.41"), (-3.25, 3, "−3.25"), (0.0, 3, "0")],
)
def test_numbers_in_sentences_are_plain(value: float, digits: int, text: str) -> None:
    assert _fmt(value, digits) == text


class _Stop(Exception):
    pass


def test_an_interrupted_search_resumes_to_the_same_answer(tmp_path: Path) -> None:
    """Each evaluation writes its replications as they finish; the bisection is deterministic,
    so a resumed search revisits the same points, reuses what is on disk and ends the same."""
    scenario = jitsim.load_scenario_text(STOCHASTIC)
    options = {"backend": "serial", "chunk_size": 5}
    full = breakeven(scenario, PARAM, 0.0, 15.0, ("daily", "batch"), **options)  # type: ignore[arg-type]

    def stop_midway(done: int, total: int) -> None:
        if done >= 3 * 2 * 20 + 10:  # three evaluations and a bit of the fourth
            raise _Stop

    out = tmp_path / "be"
    with pytest.raises(_Stop):
        breakeven(
            scenario, PARAM, 0.0, 15.0, ("daily", "batch"), out=out, progress=stop_midway, **options
        )  # type: ignore[arg-type]
    assert len(list((out / "evaluations").iterdir())) == 4
    simulated: list[int] = []
    resumed = breakeven(
        scenario,
        PARAM,
        0.0,
        15.0,
        ("daily", "batch"),
        out=out,
        resume=True,
        progress=lambda d, t: simulated.append(d),
        **options,
    )  # type: ignore[arg-type]
    assert resumed.estimate == full.estimate and resumed.uncertainty == full.uncertainty
    pd.testing.assert_frame_equal(resumed.evaluations(), full.evaluations(), check_exact=True)
    with pytest.raises(JitsimError, match="nothing to resume"):
        breakeven(
            scenario,
            PARAM,
            0.0,
            15.0,
            ("daily", "batch"),
            out=tmp_path / "none",
            resume=True,
            **options,
        )  # type: ignore[arg-type]
