"""The guarantee of the selection stage (KN with common random numbers) and the one-sided
check of a constraint, on synthetic normal outputs whose truth is known."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from jitsim.errors import JitsimError
from jitsim.experiments.optimize.selection import (
    Constraint,
    kn_constants,
    kn_select,
    parse_constraint,
)

K, DELTA, ALPHA = 5, 0.5, 0.05


def _slippage_sampler(macro: int, means: np.ndarray, sds: np.ndarray, common: float):
    """Outputs of replication r: mean + a shared term (what CRN induces: a positive
    correlation between systems) + each system's own noise; a function of (macro, r) only, so
    a replication is the same whenever it is drawn."""

    def sample(systems: Sequence[int], first: int, count: int) -> np.ndarray:
        out = np.empty((count, len(systems)))
        for row in range(count):
            rng = np.random.default_rng([20261207, macro, first + row])
            shared = rng.normal(0.0, common)
            own = rng.normal(0.0, 1.0, size=len(means)) * sds
            out[row] = (means + shared + own)[list(systems)]
        return out

    return sample


def test_kn_constant_matches_its_formula() -> None:
    # eta = ((2 alpha / (k - 1))^(-2/(n0 - 1)) - 1) / 2, h^2 = 2 eta (n0 - 1)
    eta = 0.5 * ((2 * 0.05 / 1) ** (-2 / 9) - 1)
    assert kn_constants(2, 0.05, 10) == pytest.approx(2 * eta * 9, rel=1e-12)
    assert kn_constants(2, 0.05, 10) == pytest.approx(6.0128, abs=1e-3)


@pytest.mark.parametrize(
    "sds",
    [np.ones(K), np.array([2.0, 1.0, 0.5, 1.5, 1.0])],
    ids=["equal variances", "unequal variances"],
)
def test_kn_selects_the_best_with_probability_at_least_1_minus_alpha(sds: np.ndarray) -> None:
    """Slippage configuration (the least favourable one for an indifference-zone procedure):
    the best system is exactly delta better than the k - 1 others. Over M independent
    macro-repetitions with fixed seeds the share of correct selections must be >= 1 - alpha,
    less three binomial standard errors."""
    means = np.array([0.0] + [DELTA] * (K - 1))
    macro = 600
    correct = 0
    for m in range(macro):
        chosen = kn_select(
            _slippage_sampler(m, means, sds, common=1.0),
            list(range(K)),
            delta=DELTA,
            alpha=ALPHA,
            n0=10,
            block=5,
            max_replications=10**6,
        )
        assert chosen.guaranteed
        correct += chosen.winner == 0
    pcs = correct / macro
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) / macro)
    assert pcs >= 1 - ALPHA - tolerance, f"P(correct selection) = {pcs:.3f}"


def test_kn_within_the_indifference_zone_any_choice_is_good() -> None:
    """Two systems tied at the best and one far worse: the far worse one is never chosen."""
    means = np.array([0.0, 0.0, 3 * DELTA])
    for m in range(100):
        chosen = kn_select(
            _slippage_sampler(m, means, np.ones(3), common=1.0),
            [0, 1, 2],
            delta=DELTA,
            alpha=ALPHA,
            n0=10,
            block=5,
            max_replications=10**6,
        )
        assert chosen.winner in (0, 1)


def test_kn_gives_up_the_guarantee_when_the_budget_runs_out() -> None:
    """Two equal systems never separate: KN needs about h^2 S^2 / delta^2 replications; with
    a budget of 60 replication-runs it stops early and says so."""
    means = np.array([0.0, 0.0])
    chosen = kn_select(
        _slippage_sampler(0, means, np.ones(2) * 5, common=0.0),
        [0, 1],
        delta=0.01,
        alpha=ALPHA,
        n0=10,
        block=5,
        max_replications=60,
    )
    assert not chosen.guaranteed
    assert all(len(v) <= 30 for v in chosen.data.values())


def test_kn_with_common_random_numbers_needs_fewer_replications() -> None:
    """CRN makes the variance of the differences small: with the shared term large and the own
    noise small, KN stops far sooner than the variance of each output alone would allow."""
    means = np.array([0.0, DELTA, DELTA])
    chosen = kn_select(
        _slippage_sampler(1, means, np.ones(3) * 0.1, common=10.0),
        [0, 1, 2],
        delta=DELTA,
        alpha=ALPHA,
        n0=10,
        block=5,
        max_replications=10**6,
    )
    assert chosen.winner == 0 and chosen.stage <= 12


def test_a_constraint_at_its_bound_passes_in_at_most_alpha_of_the_cases() -> None:
    """A KPI whose true mean is exactly the bound must be declared feasible in at most alpha
    of the cases (one-sided t bound at confidence 1 - alpha), within a binomial tolerance; a
    mean well above the bound passes almost always."""
    rng = np.random.default_rng(95)
    constraint = parse_constraint("fill_rate>=0.95")
    trials = 2000
    at_bound = sum(constraint.holds(rng.normal(0.95, 0.02, size=30), 0.95) for _ in range(trials))
    share = at_bound / trials
    assert share <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / trials), share
    assert share >= ALPHA - 3 * math.sqrt(ALPHA * (1 - ALPHA) / trials), share  # not too strict
    above = sum(constraint.holds(rng.normal(0.97, 0.02, size=30), 0.95) for _ in range(200))
    assert above >= 190


def test_upper_constraints_and_undefined_values() -> None:
    constraint = parse_constraint("stockout_days <= 3")
    assert constraint == Constraint("stockout_days", "<=", 3.0)
    assert constraint.holds(np.array([1.0, 1.5, 2.0, np.nan, 1.2]), 0.95)
    assert not constraint.holds(np.array([np.nan, 1.0]), 0.95)  # one value: no bound
    assert constraint.violation(np.array([4.0, 5.0])) == pytest.approx(1.5 / 3)


@pytest.mark.parametrize("text", ["fill_rate=0.9", "fill_rate>=", ">=0.9", "fill_rate>=nan"])
def test_malformed_constraints_are_refused(text: str) -> None:
    with pytest.raises(JitsimError, match="KPI>=V"):
        parse_constraint(text)
