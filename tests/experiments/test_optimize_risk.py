"""Risk constraints of ``jitsim optimize`` (issue #14): ``cvar95(KPI)``, ``var95(KPI)`` and
``P(KPI>V)``. The one-sided bounds' coverage on synthetic samples whose truth is known in closed
form, the parsing, and one optimisation whose winner meets a CVaR constraint in an independent
run."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from conftest import QUICKSTART, invoke_cli
from scipy import stats

import jitsim
from jitsim.errors import JitsimError
from jitsim.experiments.optimize import optimize
from jitsim.experiments.optimize.constraints import (
    Constraint,
    clopper_pearson_bound,
    cvar_bound,
    parse_constraint,
    quantile_bound,
)
from jitsim.output.report.optimize import finalist_verdict, risk_cells, risk_headers
from jitsim.stats.tail import cvar, var

BETA, CONFIDENCE = 0.95, 0.95
Z = stats.norm.ppf(BETA)
#: Closed forms at 95 %: standard normal CVaR = φ(z)/(1−β); unit exponential VaR = −ln(1−β),
#: CVaR = VaR + 1 (memoryless).
NORMAL_VAR, NORMAL_CVAR = Z, stats.norm.pdf(Z) / (1 - BETA)
EXP_VAR = -math.log(1 - BETA)
EXP_CVAR = EXP_VAR + 1.0

Draw = Callable[[np.random.Generator, int], np.ndarray]
SAMPLES: dict[str, tuple[Draw, float, float]] = {
    "normal": (lambda rng, n: rng.normal(10.0, 2.0, n), 10 + 2 * NORMAL_VAR, 10 + 2 * NORMAL_CVAR),
    "exponential": (lambda rng, n: rng.exponential(3.0, n), 3 * EXP_VAR, 3 * EXP_CVAR),
}


def _floor(macro: int) -> float:
    """Confidence less three binomial standard errors of a coverage over ``macro`` draws."""
    return CONFIDENCE - 3 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / macro)


def test_the_closed_forms_agree_with_a_huge_sample() -> None:
    """Check the closed forms the coverage tests rely on against the estimator itself."""
    rng = np.random.default_rng(1)
    for draw, true_var, true_cvar in SAMPLES.values():
        x = draw(rng, 2_000_000)
        assert var(x) == pytest.approx(true_var, rel=5e-3)
        assert cvar(x) == pytest.approx(true_cvar, rel=5e-3)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_cvar_bounds_cover_the_closed_form(name: str) -> None:
    """Upper and lower 95 % bounds of cvar95 on n = 200 replications (ten in the tail, the
    fewest allowed) cover the true CVaR in at least 95 % − 3 SE of 600 macro-repetitions."""
    draw, _, truth = SAMPLES[name]
    macro, n = 600, 200
    upper = lower = 0
    for m in range(macro):
        x = draw(np.random.default_rng([14, n, m]), n)
        upper += cvar_bound(x, CONFIDENCE, upper=True) >= truth
        lower += cvar_bound(x, CONFIDENCE, upper=False) <= truth
    assert upper / macro >= _floor(macro), upper / macro
    assert lower / macro >= _floor(macro), lower / macro


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_var_bounds_cover_the_closed_form(name: str) -> None:
    draw, truth, _ = SAMPLES[name]
    macro, n = 2000, 200
    upper = lower = 0
    for m in range(macro):
        x = draw(np.random.default_rng([15, n, m]), n)
        upper += quantile_bound(x, CONFIDENCE, upper=True) >= truth
        lower += quantile_bound(x, CONFIDENCE, upper=False) <= truth
    assert upper / macro >= _floor(macro), upper / macro
    assert lower / macro >= _floor(macro), lower / macro


@pytest.mark.parametrize(("p", "n"), [(0.02, 100), (0.1, 100), (0.3, 50), (0.1, 400)])
def test_clopper_pearson_bounds_cover_a_bernoulli_probability(p: float, n: int) -> None:
    """Including p near 0, where the t bound fails (no success → a bound of 0). (The Wilson
    bound fails this at p = 0.1, n = 100: its exact coverage there is 94.2 %.)"""
    macro = 4000
    rng = np.random.default_rng([16, n, round(p * 1000)])
    hits = rng.binomial(n, p, size=macro)
    upper = np.mean([clopper_pearson_bound(int(k), n, CONFIDENCE, upper=True) >= p for k in hits])
    lower = np.mean([clopper_pearson_bound(int(k), n, CONFIDENCE, upper=False) <= p for k in hits])
    assert upper >= _floor(macro), upper
    assert lower >= _floor(macro), lower


def test_clopper_pearson_bound_in_closed_form_and_not_zero_without_successes() -> None:
    """With no success in n the upper bound solves (1 − p)^n = 1 − c: p = 1 − (1 − c)^(1/n)."""
    assert clopper_pearson_bound(0, 50, 0.95, upper=True) == pytest.approx(1 - 0.05 ** (1 / 50))
    assert clopper_pearson_bound(0, 50, 0.95, upper=False) == 0.0
    assert clopper_pearson_bound(50, 50, 0.95, upper=False) == pytest.approx(0.05 ** (1 / 50))
    c = parse_constraint("P(stockout_days>0)<=0.1")
    assert not c.holds(np.zeros(20), 0.95)  # 0/20: the upper bound is 0.139
    assert c.holds(np.zeros(30), 0.95)  # 0/30: 0.095


def test_constraint_estimates_are_the_stats_estimators() -> None:
    x = np.random.default_rng(3).exponential(2.0, 300)
    x[5] = math.nan
    assert parse_constraint("cvar95(total_cost)<=1").estimate(x) == cvar(x)
    assert parse_constraint("var95(total_cost)<=1").estimate(x) == var(x)
    share = parse_constraint("P(total_cost>2)<=1").estimate(x)
    assert share == np.mean(x[~np.isnan(x)] > 2)


def test_cvar_bound_refuses_a_tail_of_fewer_than_ten() -> None:
    x = np.arange(199.0)
    assert math.isnan(cvar_bound(x, 0.95, upper=True))
    assert not parse_constraint("cvar95(total_cost)<=1e9").holds(x, 0.95)
    assert math.isfinite(cvar_bound(np.arange(200.0), 0.95, upper=True))
    assert cvar_bound(np.ones(300), 0.95, upper=True) == cvar(np.ones(300))  # no spread


def test_cvar_bound_is_deterministic() -> None:
    x = np.random.default_rng(4).normal(size=250)
    assert cvar_bound(x, 0.95, True) == cvar_bound(x.copy(), 0.95, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fill_rate>=0.95", Constraint("fill_rate", ">=", 0.95)),
        ("cvar95(stockout_days)<=5", Constraint("stockout_days", "<=", 5.0, "cvar95")),
        ("CVaR95( total_cost ) < 2e5", Constraint("total_cost", "<=", 2e5, "cvar95")),
        ("var95(total_cost)>=-1.5", Constraint("total_cost", ">=", -1.5, "var95")),
        ("P(stockout_days>0)<=0.1", Constraint("stockout_days", "<=", 0.1, "P", 0.0)),
        ("P(total_cost>1e4)<=.25", Constraint("total_cost", "<=", 0.25, "P", 1e4)),
    ],
)
def test_risk_constraints_parse_and_print_back(text: str, expected: Constraint) -> None:
    parsed = parse_constraint(text)
    assert parsed == expected
    assert parse_constraint(str(parsed)) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "cvar95(stockout_days<=5",
        "cvar90(stockout_days)<=5",
        "cvar95()<=5",
        "P(stockout_days)<=0.1",
        "P(stockout_days>0)<=1.5",
        "var95(total_cost)<=nan",
        "P(stockout_days<0)<=0.1",
        "P(stockout_days>=1)<=0.1",
    ],
)
def test_malformed_risk_constraints_are_refused_with_examples(text: str) -> None:
    with pytest.raises(JitsimError, match=r"--constraint") as caught:
        parse_constraint(text)
    assert "P(stockout_days>0)<=0.1" in str(caught.value)


def test_the_cli_refuses_a_bad_risk_constraint_in_one_line(tmp_path: object) -> None:
    for args, fragment in (
        (["--constraint", "cvar95(stockout_days<=5"], "cvar95(KPI)<=V"),
        (["--constraint", "cvar95(stockout_days)<=5", "-n", "50"], "--replications 200"),
    ):
        result = invoke_cli(
            "optimize", QUICKSTART, "--point", "store", *args, "--out", f"{tmp_path}/o", "-q"
        )
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, result.output
        assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]


def test_cash_subject_to_a_cvar_of_stockout_days_holds_in_an_independent_run() -> None:
    """Quickstart: minimise the cash tied up at the store's (s,S) subject to
    cvar95(stockout_days) <= 8 (the hand-picked buffer has about 5). The winner meets the
    constraint at 95 % on its selection replications, and an independent run (another seed,
    400 replications) estimates its CVaR below 8; it ties up less cash than the buffer."""
    scenario = jitsim.load_scenario(QUICKSTART)
    result = optimize(
        scenario,
        ["store"],
        objective="avg_cash_tied_up",
        constraints=["cvar95(stockout_days)<=8"],
        alternative="buffered",
        replications=200,
        budget_replications=8000,
        engine="auto",
        backend="serial",
    )
    assert result.feasible
    winner = result.finalists.iloc[0]
    assert winner["chosen"] and winner["replications"] >= 200
    assert winner["cvar95(stockout_days)<=8_bound"] <= 8
    assert "cvar95(stockout_days)" in result.trace.columns
    tuned = jitsim.load_scenario_text(result.tuned)
    check = jitsim.compare(
        tuned,
        replications=400,
        seed=777,
        alternatives=["buffered", result.name],
        engine="auto",
        backend="serial",
    )
    frame = check.result.replications()
    ours = frame[frame["alternative"] == result.name]
    theirs = frame[frame["alternative"] == "buffered"]
    assert cvar(ours["stockout_days"].to_numpy()) <= 8
    assert ours["avg_cash_tied_up"].mean() < theirs["avg_cash_tied_up"].mean()


def test_risk_columns_and_verdicts_on_screen() -> None:
    """A risk cell shows the estimate and the bound checked; a finalist without a bound (too
    few replications) is "out at n=…", not "constraint not met"."""

    summary = {"constraints": ["fill_rate>=0.95", "cvar95(stockout_days)<=8", "P(x>0)<=0.1"]}
    assert risk_headers(summary, "EUR") == ["cvar95(stockout_days) (days)", "P(x>0)"]
    row = {
        "cvar95(stockout_days)": 6.9,
        "cvar95(stockout_days)<=8_bound": 7.93,
        "P(x>0)": 0.05,
        "P(x>0)<=0.1_bound": math.nan,
    }
    assert risk_cells(summary, row, "EUR") == ["6.9 (≤ 7.93)", "0.05 (no bound: too few)"]
    early = {**row, "chosen": False, "feasible": False, "eliminated_at": 20.0}
    assert finalist_verdict(early, summary["constraints"]) == "out at n=20"
    checked = {**early, "P(x>0)<=0.1_bound": 0.2}
    assert finalist_verdict(checked, summary["constraints"]) == "constraint not met"
