"""``jitsim.optimize``: its answers against exact optima (Zheng–Federgruen (s,S), the
newsvendor base stock), a constraint case, a two-echelon case, resuming, ``tuned.yaml``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import QUICKSTART, SCENARIOS, assert_within_3se
from exact_inventory import (
    base_stock_cost_normal,
    newsvendor_base_stock,
    zf_average_cost,
    zf_optimum,
)

import jitsim
from jitsim.errors import JitsimError
from jitsim.experiments.optimize import decision_variables, optimize, parse_bounds

# Zheng & Federgruen (1991): h = 1 per unit-day, p = 9 per unit-day late, K = 64 per order,
# zero lead time, daily review, Poisson demand; costs on end-of-day levels (their model under
# jitsim's daily convention, as in tests/model/test_analytic.py).
ZHENG_FEDERGRUEN = """
name: Zheng-Federgruen
run: {{horizon_days: {horizon}, warmup_days: 100, cost_basis: end_of_day, seed: 7}}
items: {{w: {{unit_cost: 365, holding_rate: 1.0}}}}     # h = 1 per unit-day
suppliers: {{acme: {{items: [w], lead_time: 0, order_cost: 64}}}}
stock_points:
  store: {{item: w, source: acme, initial: {S}, review: {{every_days: 1}},
           policy: {{kind: s_S, s: {s}, S: {S}}}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}, backorder_cost_per_unit_day: 9}}
"""

# Base stock, normal demand (20 ± 5 a day), a 2-day lead time, h = 1, p = 9, no order cost.
BASE_STOCK = """
name: Newsvendor
run: {horizon_days: 1100, warmup_days: 100, cost_basis: end_of_day, seed: 11}
items: {w: {unit_cost: 365, holding_rate: 1.0}}
suppliers: {acme: {items: [w], lead_time: 2, order_cost: 0}}
stock_points:
  store: {item: w, source: acme, initial: 60, review: {every_days: 1},
          policy: {kind: base_stock, S: 40}}
customers:
  c: {buys_from: store, demand: {kind: normal, mean: 20, sd: 5}, backorder_cost_per_unit_day: 9}
"""

FAST = {"engine": "auto", "backend": "serial"}


def _zf_scenario(mean: float) -> jitsim.Scenario:
    # Start far from the optimum: s = mean, S = 4·mean.
    text = ZHENG_FEDERGRUEN.format(horizon=1100, s=int(mean), S=int(4 * mean), mean=mean)
    return jitsim.load_scenario_text(text)


def _independent_cost_per_day(scenario: jitsim.Scenario, s: int, big_s: int) -> pd.Series:
    """Cost per day of (s, S) in an independent long run (another seed, other replications)."""
    data = scenario.model_dump(mode="json")
    data["stock_points"]["store"]["policy"] = {"kind": "s_S", "s": s, "S": big_s}
    data["run"]["horizon_days"] = 3100
    checked = jitsim.Scenario.model_validate(data)
    frame = jitsim.run(checked, replications=16, seed=424242, **FAST).replications()
    return frame["total_cost"] / frame["window_days"]


def _check_zheng_federgruen(mean: float) -> None:
    scenario = _zf_scenario(mean)
    result = optimize(scenario, ["store"], **FAST)  # type: ignore[arg-type]
    best = result.best()
    s, big_s = int(best["store.s"]), int(best["store.S"])
    _, _, optimum = zf_optimum(mean)
    # The exact cost of the answer (renewal-reward, no simulation) within 1 % of the optimum:
    exact = zf_average_cost(s, big_s, mean)
    assert exact <= 1.01 * optimum, (s, big_s, exact, optimum)
    # ... and an independent long run of the answer agrees with that exact cost.
    assert_within_3se(_independent_cost_per_day(scenario, s, big_s), exact)


def test_zheng_federgruen_optimum_mean_10() -> None:
    _check_zheng_federgruen(10.0)


@pytest.mark.slow
@pytest.mark.parametrize("mean", [5.0, 20.0, 30.0])
def test_zheng_federgruen_optimum_other_means(mean: float) -> None:
    _check_zheng_federgruen(mean)


def test_base_stock_lands_on_the_critical_fractile() -> None:
    """Optimal S = the 0.9 fractile of the demand over L + 1 = 3 days (daily convention):
    60 + 1.2816·5·√3 ≈ 71.1. The answer must cost at most 1 % more than S* (exact cost of
    normal demand, no simulation) and lie within the band of S where that holds."""
    scenario = jitsim.load_scenario_text(BASE_STOCK)
    result = optimize(scenario, ["store"], **FAST)  # type: ignore[arg-type]
    answer = float(result.best()["store.S"])
    target = newsvendor_base_stock(20, 5, 2, 1.0, 9.0)
    assert target == pytest.approx(60 + 1.2815516 * 5 * math.sqrt(3), abs=1e-3)
    best_cost = base_stock_cost_normal(target, 20, 5, 2, 1.0, 9.0)
    assert base_stock_cost_normal(answer, 20, 5, 2, 1.0, 9.0) <= 1.01 * best_cost
    assert abs(answer - target) <= 4, (answer, target)


def test_cash_subject_to_fill_rate_beats_the_hand_picked_buffer() -> None:
    """Quickstart: minimise the cash tied up with an (s,S) policy at the store subject to a
    fill rate of at least 95 %, starting from the hand-picked buffer (s, S) = (45, 90). In an
    independent run (another seed) the answer meets the target (within 3 SE) and ties up
    significantly less cash than the buffer (paired 95 % CI of the difference below 0)."""
    scenario = jitsim.load_scenario(QUICKSTART)
    result = optimize(
        scenario,
        ["store"],
        objective="avg_cash_tied_up",
        constraints=["fill_rate>=0.95"],
        alternative="buffered",
        **FAST,  # type: ignore[arg-type]
    )
    assert result.feasible
    tuned = jitsim.load_scenario_text(result.tuned)
    check = jitsim.compare(
        tuned, replications=200, seed=777, alternatives=["buffered", result.name], **FAST
    )  # type: ignore[arg-type]
    frame = check.result.replications()
    ours = frame[frame["alternative"] == result.name].sort_values("replication")
    theirs = frame[frame["alternative"] == "buffered"].sort_values("replication")
    fill = ours["fill_rate"].to_numpy()
    se = float(np.std(fill, ddof=1) / math.sqrt(len(fill)))
    assert fill.mean() >= 0.95 - 3 * se
    diff = ours["avg_cash_tied_up"].to_numpy() - theirs["avg_cash_tied_up"].to_numpy()
    upper = diff.mean() + 1.97 * np.std(diff, ddof=1) / math.sqrt(len(diff))
    assert upper < 0, (diff.mean(), upper)


@pytest.mark.slow
def test_two_echelon_improves_on_its_start() -> None:
    """Both stores' (s,S) of the two-echelon scenario (four variables): the answer costs
    significantly less than the starting policies in an independent paired run."""
    scenario = jitsim.load_scenario(SCENARIOS / "two_echelon.yaml")
    result = optimize(
        scenario,
        ["north", "south"],
        budget_replications=6000,
        replications=30,
        **FAST,  # type: ignore[arg-type]
    )
    assert len(result.best()) == 4
    tuned = jitsim.load_scenario_text(result.tuned)
    check = jitsim.compare(
        tuned, replications=60, seed=99, alternatives=["buffered", result.name], **FAST
    )  # type: ignore[arg-type]
    frame = check.result.replications()
    ours = frame[frame["alternative"] == result.name].sort_values("replication")
    start = frame[frame["alternative"] == "buffered"].sort_values("replication")
    diff = ours["total_cost"].to_numpy() - start["total_cost"].to_numpy()
    upper = diff.mean() + 2.0 * np.std(diff, ddof=1) / math.sqrt(len(diff))
    assert upper < 0, (diff.mean(), upper)


class _Stop(Exception):
    pass


def test_an_interrupted_optimisation_resumes_to_the_same_answer(tmp_path: Path) -> None:
    """Each batch writes its replications as they finish; the search and the selection are
    deterministic functions of them, so a resumed optimisation asks for the same batches,
    finds them on disk and ends with the same answer and tables."""
    scenario = jitsim.load_scenario(SCENARIOS.parent / "benchmarks" / "reference_case.yaml")
    options = {"budget_replications": 1500, "replications": 20, **FAST}
    full = optimize(scenario, ["store"], constraints=["fill_rate>=0.95"], **options)  # type: ignore[arg-type]

    def stop_midway(done: int, total: int) -> None:
        if done >= 300:
            raise _Stop

    out = tmp_path / "opt"
    with pytest.raises(_Stop):
        optimize(
            scenario,
            ["store"],
            constraints=["fill_rate>=0.95"],
            out=out,
            progress=stop_midway,
            **options,  # type: ignore[arg-type]
        )
    assert (out / "evaluations").is_dir()
    resumed = optimize(
        scenario, ["store"], constraints=["fill_rate>=0.95"], out=out, resume=True, **options
    )  # type: ignore[arg-type]
    assert resumed.best() == full.best()
    pd.testing.assert_frame_equal(resumed.finalists, full.finalists, check_exact=True)
    pd.testing.assert_frame_equal(resumed.trace, full.trace, check_exact=True)
    assert (out / "tuned.yaml").is_file() and not (out / "evaluations").exists()
    with pytest.raises(JitsimError, match="already complete"):
        optimize(scenario, ["store"], out=out, resume=True, **options)  # type: ignore[arg-type]


def test_same_seed_same_answer_on_every_backend_and_engine() -> None:
    scenario = jitsim.load_scenario(SCENARIOS.parent / "benchmarks" / "reference_case.yaml")
    small = {"budget_replications": 600, "replications": 10, "seed": 5}
    a = optimize(scenario, ["store"], engine="auto", backend="serial", **small)  # type: ignore[arg-type]
    b = optimize(scenario, ["store"], engine="auto", backend="processes", workers=2, **small)  # type: ignore[arg-type]
    c = optimize(scenario, ["store"], engine="simpy", backend="processes", workers=2, **small)  # type: ignore[arg-type]
    assert a.best() == b.best() == c.best()
    pd.testing.assert_frame_equal(a.trace, c.trace, check_exact=False, rtol=1e-12)


def test_tuned_yaml_runs_and_compares_unchanged(tmp_path: Path) -> None:
    """``tuned.yaml`` is the scenario with the answer as a new alternative (and the starting
    policies as ``start`` when the scenario had no alternatives): ``jitsim compare`` reads it
    as written, and the answer's policy is the one reported."""
    scenario = jitsim.load_scenario(SCENARIOS.parent / "benchmarks" / "reference_case.yaml")
    result = optimize(
        scenario, ["store"], budget_replications=800, replications=10, out=tmp_path / "o", **FAST
    )  # type: ignore[arg-type]
    path = tmp_path / "o" / "tuned.yaml"
    tuned = jitsim.load_scenario(path)
    assert tuned.alternative_names() == ["start", "optimized"]
    policy = jitsim.resolve(tuned, "optimized").stock_points["store"].policy
    assert (policy.s, policy.S) == (result.best()["store.s"], result.best()["store.S"])  # type: ignore[union-attr]
    compared = jitsim.compare(tuned, replications=5, **FAST)  # type: ignore[arg-type]
    assert set(compared.result.replications()["alternative"]) == {"start", "optimized"}


def test_default_bounds_come_from_demand_and_lead_time() -> None:
    """Reference case: Poisson(8) a day, lead time uniform on {2, 3, 4} (mean 3, variance
    2/3), daily review: P = 4 days, μP = 32, σP² = 4·8 + 64·2/3; s up to μP + 4σP."""
    scenario = jitsim.load_scenario(SCENARIOS.parent / "benchmarks" / "reference_case.yaml")
    s, big_s = decision_variables(scenario, ["store"])
    sd = math.sqrt(4 * 8 + 64 * 2 / 3)
    assert (s.low, s.high, s.integer, s.start) == (0.0, math.ceil(32 + 4 * sd), True, 20.0)
    h = 10 * 0.2 / 365
    eoq = math.sqrt(2 * 50 * 8 / h)
    assert big_s.high == math.ceil(s.high + 4 * eoq)
    given = decision_variables(scenario, ["store"], bounds=parse_bounds(["store.s=5.5:30"]))
    assert (given[0].low, given[0].high) == (6.0, 30.0)


def test_jit_safety_days_are_continuous() -> None:
    scenario = jitsim.load_scenario(QUICKSTART)
    (days,) = decision_variables(scenario, ["store"], alternative="jit")
    assert days.label == "store.safety_days" and not days.integer and days.start == 1.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"points": ["shop"]}, "no such stock point"),
        ({"points": ["store"], "alternative": "eoq"}, "no parameters to optimise"),
        ({"points": ["store"], "bounds": {"store.x": (0, 1)}}, "no such decision variable"),
        ({"points": ["store"], "objective": "fill_rat"}, "unknown KPI"),
        ({"points": ["store"], "objective": "demand_units"}, "neither larger nor smaller"),
        ({"points": ["store"], "alpha": 0.7}, "alpha"),
        ({"points": ["store"], "delta": -1.0}, "delta"),
        ({"points": ["store"], "alternative": "nope"}, "no such alternative"),
    ],
)
def test_bad_arguments_are_refused_before_simulating(call: dict, message: str) -> None:
    scenario = jitsim.load_scenario(QUICKSTART)
    points = call.pop("points")
    with pytest.raises(JitsimError, match=message):
        optimize(scenario, points, **call)


def test_jit_safety_days_are_searched_continuously_and_a_bound_reached_is_said() -> None:
    """Quickstart's JIT store: backorders cost far more than holding (0.5 EUR a unit-day late
    against 12 × 0.22 / 365 = 0.007 EUR a unit-day held), so more safety days always pay within
    [0, 2]: the answer is the upper bound, and the result says so."""
    scenario = jitsim.load_scenario(QUICKSTART)
    result = optimize(
        scenario,
        ["store"],
        alternative="jit",
        bounds={"store.safety_days": (0.0, 2.0)},
        budget_replications=1500,
        replications=20,
        **FAST,  # type: ignore[arg-type]
    )
    assert result.best() == {"store.safety_days": 2.0}
    assert result.at_bounds() and "upper bound" in result.at_bounds()[0]
    assert any(not float(x).is_integer() for x in result.trace["store.safety_days"])


def test_a_kpi_where_larger_is_better_is_maximised() -> None:
    """Profit of the quickstart's buffered store: the answer earns significantly more than the
    hand-picked (45, 90) in an independent paired run, and the finalists are listed best
    (largest profit) first after the winner."""
    scenario = jitsim.load_scenario(QUICKSTART)
    result = optimize(
        scenario,
        ["store"],
        objective="profit",
        alternative="buffered",
        budget_replications=3000,
        replications=20,
        **FAST,  # type: ignore[arg-type]
    )
    others = result.finalists["profit_mean"].to_numpy()[1:]
    assert list(others) == sorted(others, reverse=True)
    tuned = jitsim.load_scenario_text(result.tuned)
    check = jitsim.compare(
        tuned, replications=60, seed=31, alternatives=["buffered", result.name], **FAST
    )  # type: ignore[arg-type]
    frame = check.result.replications()
    ours = frame[frame["alternative"] == result.name].sort_values("replication")["profit"]
    theirs = frame[frame["alternative"] == "buffered"].sort_values("replication")["profit"]
    diff = ours.to_numpy() - theirs.to_numpy()
    lower = diff.mean() - 2.0 * np.std(diff, ddof=1) / math.sqrt(len(diff))
    assert lower > 0, (diff.mean(), lower)
