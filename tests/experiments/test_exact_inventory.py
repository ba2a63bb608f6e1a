"""The exact inventory oracles of ``exact_inventory`` (used by the optimiser's tests) are right.

Each formula is checked against something independent of it: the published Zheng & Federgruen
(1991) values, a second exact method (the stationary distribution of a finite Markov chain, an
exhaustive search over a grid proved to contain the optimum, numerical minimisation), a case done
by hand, and jitsim itself (long runs under common random numbers, tolerance 3 standard errors,
fixed seeds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from conftest import Estimate, assert_within_3se, replications
from exact_inventory import (
    CostBasis,
    base_stock_cost_normal,
    base_stock_cost_poisson,
    demand_windows,
    newsvendor_base_stock,
    period_loss,
    poisson_base_stock,
    renewal_masses,
    zf_average_cost,
    zf_optimum,
)
from scipy import integrate, optimize, stats

# ------------------------------------------------------------------------ periodic (s,S)


def test_zf_cost_reproduces_zheng_federgruen() -> None:
    # Zheng & Federgruen (1991), h = 1, p = 9, K = 64, L = 0: c(6, 40) at mean 10 and
    # c(14, 62) at mean 20, to their 4 decimals.
    assert round(zf_average_cost(6, 40, 10.0), 4) == 35.0216
    assert round(zf_average_cost(14, 62, 20.0), 4) == 49.1730


def markov_chain_cost(
    s: int, big_s: int, mean: float, h: float, p: float, k: float, lead: int, basis: CostBasis
) -> float:
    """The same cost from the stationary law of the post-review IP y ∈ {s+1, …, S}.

    Next morning y' = y − d if that is > s, else S (an order); the day costs G(y)
    (:func:`period_loss`) and the next morning's order K·P(y − d ≤ s).
    """
    levels = np.arange(s + 1, big_s + 1)
    n = len(levels)
    pmf = stats.poisson.pmf(np.arange(n), mean)
    moves = np.zeros((n, n))
    for i in range(n):
        for d in range(i + 1):  # y − d stays above s for d ≤ y − s − 1 = i
            moves[i, i - d] += pmf[d]
        moves[i, n - 1] += 1.0 - pmf[: i + 1].sum()  # reorder up to S
    # π (P − I) = 0, Σ π = 1: replace one balance equation by the normalisation
    system = (moves - np.eye(n)).T
    system[-1] = 1.0
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    reorder = 1.0 - stats.poisson.cdf(levels - s - 1, mean)  # P(d ≥ y − s)
    loss = period_loss(levels, mean, h, p, lead, basis)
    return float(pi @ (loss + k * reorder))


@pytest.mark.parametrize(
    ("s", "big_s", "mean", "h", "p", "k", "lead", "basis"),
    [
        (6, 40, 10.0, 1.0, 9.0, 64.0, 0, "end_of_day"),
        (14, 62, 20.0, 1.0, 9.0, 64.0, 0, "end_of_day"),
        (2, 9, 3.0, 0.5, 4.0, 20.0, 0, "end_of_day"),
        (-3, 5, 1.5, 1.0, 9.0, 10.0, 0, "end_of_day"),
        (20, 45, 6.0, 1.0, 19.0, 30.0, 2, "end_of_day"),
        (1, 37, 10.0, 1.0, 9.0, 64.0, 0, "continuous"),
        (20, 45, 6.0, 1.0, 19.0, 30.0, 2, "continuous"),
    ],
)
def test_zf_cost_equals_markov_chain(
    s: int, big_s: int, mean: float, h: float, p: float, k: float, lead: int, basis: CostBasis
) -> None:
    renewal = zf_average_cost(s, big_s, mean, h, p, k, lead, basis)
    chain = markov_chain_cost(s, big_s, mean, h, p, k, lead, basis)
    assert renewal == pytest.approx(chain, rel=1e-10)


def test_zf_cost_by_hand() -> None:
    # s = S − 1: IP is back at S every morning (an order whenever d ≥ 1), so the cost per day
    # is G(S) + K·P(d ≥ 1). With S = 1, mean 1 (e = e^{−1}): E[(1 − d)⁺] = e,
    # E[(d − 1)⁺] = 1 − 1 + e = e, so c = h·e + p·e + K·(1 − e).
    e = math.exp(-1)
    assert zf_average_cost(0, 1, 1.0, h=1.0, p=9.0, K=64.0) == pytest.approx(
        e + 9 * e + 64 * (1 - e), rel=1e-12
    )
    # renewal masses: m(0) = 1/(1 − p₀), m(1) = p₁·m(0)/(1 − p₀) = e/(1 − e)²
    m = renewal_masses(1.0, 2)
    assert m == pytest.approx([1 / (1 - e), e / (1 - e) ** 2], rel=1e-12)
    # time-weighted: the morning level is S = 1 for half of each day (h·1·½)
    assert zf_average_cost(0, 1, 1.0, 1.0, 9.0, 64.0, cost_basis="continuous") == pytest.approx(
        0.5 * 1.0 + 0.5 * (e + 9 * e) + 64 * (1 - e), rel=1e-12
    )


@pytest.mark.parametrize(
    ("mean", "expected"), [(10.0, (6, 40, 35.0216)), (20.0, (14, 62, 49.1730))]
)
def test_zf_optimum_reproduces_zheng_federgruen(
    mean: float, expected: tuple[int, int, float]
) -> None:
    s, big_s, cost = zf_optimum(mean)
    assert (s, big_s, round(cost, 4)) == expected


def exhaustive_optimum(
    mean: float, h: float, p: float, k: float, basis: CostBasis
) -> tuple[int, int, float]:
    """The best (s,S) over every pair of a grid that provably holds the optimum (L = 0).

    For an optimal (s*, S*) with cost c*, G(s* + 1) ≤ c* and G(S*) ≤ c* (Zheng & Federgruen
    1991, Lemma 1 and its corollary): s* + 1 and S* lie in the level set {y : G(y) ≤ c̄} of
    the convex G for any c̄ ≥ c*, an integer interval [a, b]. c̄ = c(y − 1, y) of a policy
    that orders whenever demand came. The grid adds 3 units on each side for good measure.
    """

    def g(levels: np.ndarray) -> np.ndarray:
        return period_loss(levels, mean, h, p, 0, basis)

    ys = np.arange(-50, int(20 * mean + 200))
    some = round(mean)
    bound = zf_average_cost(some - 1, some, mean, h, p, k, 0, basis)
    inside = ys[g(ys) <= bound]
    a, b = int(inside.min()) - 3, int(inside.max()) + 3
    m = renewal_masses(mean, b - a + 2)
    best = (0, 0, math.inf)
    for big_s in range(a, b + 1):
        loss = g(big_s - np.arange(big_s - a + 2))
        # c(s, S) for s = S − 1, S − 2, …: cumulative sums of the renewal-reward terms
        costs = (k + np.cumsum(m[: len(loss)] * loss)) / np.cumsum(m[: len(loss)])
        j = int(np.argmin(costs))
        if costs[j] < best[2]:
            best = (big_s - j - 1, big_s, float(costs[j]))
    return best


@pytest.mark.parametrize("mean", [5.0, 10.0, 15.0, 20.0, 25.0, 30.0])
@pytest.mark.parametrize("basis", ["end_of_day", "continuous"])
def test_zf_optimum_equals_exhaustive_search(mean: float, basis: CostBasis) -> None:
    s, big_s, cost = zf_optimum(mean, cost_basis=basis)
    assert cost == pytest.approx(zf_average_cost(s, big_s, mean, cost_basis=basis), rel=1e-12)
    grid = exhaustive_optimum(mean, 1.0, 9.0, 64.0, basis)
    assert (s, big_s) == grid[:2]
    assert cost == pytest.approx(grid[2], rel=1e-12)


def test_zf_optimum_other_costs() -> None:
    # another cost structure and a lead time: no better neighbour on a ±2 grid in (s, S)
    s, big_s, cost = zf_optimum(4.0, h=0.5, p=12.0, K=25.0, lead_days=2)
    for ds in range(-2, 3):
        for d_big in range(-2, 3):
            if s + ds < big_s + d_big:
                other = zf_average_cost(s + ds, big_s + d_big, 4.0, 0.5, 12.0, 25.0, 2)
                assert other >= cost - 1e-12


S_S_SCENARIO = """
name: periodic s S
run: {{horizon_days: 3200, warmup_days: 200, cost_basis: {basis}}}
items: {{w: {{unit_cost: 365, holding_rate: 1.0}}}}     # h = 1 per unit-day
suppliers: {{acme: {{items: [w], lead_time: {lead}, order_cost: 64}}}}
stock_points:
  store: {{item: w, source: acme, initial: {S}, review: {{every_days: 1}},
           policy: {{kind: s_S, s: {s}, S: {S}}}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}, backorder_cost_per_unit_day: 9}}
"""


@pytest.mark.parametrize(
    ("mean", "lead", "basis"),
    [(5.0, 0, "end_of_day"), (15.0, 0, "end_of_day"), (4.0, 2, "end_of_day"),
     (10.0, 0, "continuous"), (4.0, 2, "continuous")],
)  # fmt: skip
def test_zf_cost_against_jitsim(mean: float, lead: int, basis: CostBasis) -> None:
    # the optimum for means without a published value, with a lead time (the order of day t
    # arrives before the demand of day t + L) and with time-weighted costs: jitsim's cost per
    # day within 3 SE (8 × 3000 days)
    s, big_s, cost = zf_optimum(mean, lead_days=lead, cost_basis=basis)
    text = S_S_SCENARIO.format(lead=lead, s=s, S=big_s, mean=mean, basis=basis)
    frame = replications(text, 8, seed=1991 + lead)
    assert_within_3se(frame["total_cost"] / frame["window_days"], cost)


# --------------------------------------------------------------------------- base stock


def test_demand_windows() -> None:
    assert demand_windows(2) == {3: 1.0}
    assert demand_windows(2, review=2) == {3: 0.5, 4: 0.5}
    assert demand_windows(0, cost_basis="continuous") == {0: 0.5, 1: 0.5}
    assert demand_windows(1, review=2, cost_basis="continuous") == {1: 0.25, 2: 0.5, 3: 0.25}
    with pytest.raises(ValueError, match="lead_days"):
        demand_windows(1.5)  # type: ignore[arg-type]


def test_newsvendor_normal_is_critical_fractile_of_lead_plus_one_days() -> None:
    # L = 2, review daily, end-of-day costs: the fractile 9/10 of N(3μ, 3σ²)
    mu, sigma, h, p = 20.0, 5.0, 1.0, 9.0
    z = stats.norm.ppf(0.9)
    star = newsvendor_base_stock(mu, sigma, 2, h, p)
    assert star == pytest.approx(60.0 + z * 5.0 * math.sqrt(3.0), rel=1e-12)
    # the exact cost: numerically integrated E[h(S − D)⁺ + p(D − S)⁺], D ~ N(60, 75)
    dist = stats.norm(60.0, 5.0 * math.sqrt(3.0))
    for level in (star - 4, star, star + 7):
        by_quadrature = integrate.quad(
            lambda x, lv=level: (h * max(lv - x, 0) + p * max(x - lv, 0)) * dist.pdf(x),
            0.0, 150.0, points=[level], limit=200,
        )[0]  # fmt: skip
        assert base_stock_cost_normal(level, mu, sigma, 2, h, p) == pytest.approx(
            by_quadrature, rel=1e-8
        )
    # at the optimum, (h + p)·σ_{L+1}·φ(z)
    assert base_stock_cost_normal(star, mu, sigma, 2, h, p) == pytest.approx(
        10.0 * 5.0 * math.sqrt(3.0) * stats.norm.pdf(z), rel=1e-12
    )


@pytest.mark.parametrize(
    ("lead", "review", "basis"),
    [(2, 1, "end_of_day"), (0, 1, "continuous"), (3, 1, "continuous"), (1, 3, "end_of_day"),
     (2, 2, "continuous")],
)  # fmt: skip
def test_newsvendor_normal_minimises_the_exact_cost(
    lead: int, review: int, basis: CostBasis
) -> None:
    mu, sigma, h, p = 20.0, 5.0, 1.0, 9.0
    star = newsvendor_base_stock(mu, sigma, lead, h, p, review, basis)

    def cost(level: float) -> float:
        return base_stock_cost_normal(level, mu, sigma, lead, h, p, review, basis)

    found = optimize.minimize_scalar(cost, bracket=(star - 30, star + 30), tol=1e-10)
    assert star == pytest.approx(found.x, abs=1e-3)
    assert cost(star) <= cost(star - 0.01) and cost(star) <= cost(star + 0.01)


@pytest.mark.parametrize(
    ("mean", "lead", "review", "basis"),
    [(5.0, 2, 1, "end_of_day"), (4.0, 0, 1, "continuous"), (10.0, 1, 2, "end_of_day"),
     (0.7, 3, 1, "end_of_day")],
)  # fmt: skip
def test_poisson_base_stock_minimises_the_exact_cost(
    mean: float, lead: int, review: int, basis: CostBasis
) -> None:
    star = poisson_base_stock(mean, lead, 1.0, 9.0, review, basis)
    costs = [
        base_stock_cost_poisson(level, mean, lead, 1.0, 9.0, review, basis)
        for level in range(0, int(10 * (lead + review) * mean) + 20)
    ]
    assert star == int(np.argmin(costs))
    if (review, basis) == (1, "end_of_day"):  # the 0.9-fractile of Poisson((L + 1)·mean)
        assert star == stats.poisson.ppf(0.9, (lead + 1) * mean)


def test_base_stock_cost_poisson_by_hand() -> None:
    # S = 1, L = 0, mean 1, end of day: h·e + p·e (see test_zf_cost_by_hand)
    e = math.exp(-1)
    assert base_stock_cost_poisson(1, 1.0, 0, 1.0, 9.0) == pytest.approx(10 * e, rel=1e-12)
    # continuous basis: the morning level is S = 1 (cost h·1) for half the day
    assert base_stock_cost_poisson(1, 1.0, 0, 1.0, 9.0, cost_basis="continuous") == (
        pytest.approx(0.5 * 1.0 + 0.5 * 10 * e, rel=1e-12)
    )


def test_truncation_of_normal_demand_is_negligible_at_mu_4_sigma() -> None:
    # jitsim's normal demand is truncated at 0. At μ = 4σ the cost of 3 days of truncated
    # demand (numerical convolution of the truncated density) differs from the untruncated
    # formula by far less than any simulation's standard error.
    mu, sigma, level = 20.0, 5.0, 70.0
    step = 0.01
    x = np.arange(0.0, 60.0, step)
    a = -mu / sigma
    daily = stats.truncnorm.pdf(x, a, np.inf, loc=mu, scale=sigma) * step
    three = np.convolve(np.convolve(daily, daily), daily)
    d = np.arange(len(three)) * step
    truncated = float(np.sum(three * (np.maximum(level - d, 0) + 9 * np.maximum(d - level, 0))))
    # measured: 15.32611 vs 15.32761 (1e-4 relative; the grid's own error is < 1e-5), while the
    # standard errors of the simulation checks below are 0.03 or more
    untruncated = base_stock_cost_normal(level, mu, sigma, 2, 1.0, 9.0)
    assert truncated == pytest.approx(untruncated, rel=2e-4)


# ------------------------------------------------------- base stock, checked against jitsim

BASE_STOCK_NORMAL = """
name: newsvendor base stock
run: {{horizon_days: {horizon}, warmup_days: 100, cost_basis: {basis}}}
items: {{w: {{unit_cost: 365, holding_rate: 1.0}}}}      # h = 1 per unit-day
suppliers: {{acme: {{items: [w], lead_time: {lead}}}}}
stock_points:
  store: {{item: w, source: acme, initial: {star}, review: {{every_days: {review}}},
           policy: {{kind: base_stock, S: {star}}}}}
customers:
  c: {{buys_from: store, demand: {demand}, backorder_cost_per_unit_day: 9}}
alternatives:
{alternatives}
"""


def check_newsvendor(
    demand: str,
    star: float,
    levels: Mapping[str, float],
    exact: dict[str, float],
    *,
    lead: int,
    review: int,
    basis: CostBasis,
    reps: int,
    horizon: int,
    seed: int,
) -> pd.Series:
    """jitsim at S* (alternative ``star``; a scenario with alternatives runs only those) and
    the levels of ``levels`` under common random numbers:
    each cost per day within 3 SE of the exact one, each paired difference with S* within
    3 SE of the exact difference, and every other level dearer than S*. Returns the costs per
    day, indexed by (alternative, replication)."""
    alternatives = "\n".join(
        f"  {name}: {{store: {{kind: base_stock, S: {level}}}}}"
        for name, level in {"star": star, **levels}.items()
    )
    text = BASE_STOCK_NORMAL.format(
        horizon=horizon, basis=basis, lead=lead, star=star, review=review, demand=demand,
        alternatives=alternatives,
    )  # fmt: skip
    frame = replications(text, reps, seed=seed)
    cost = (
        (frame["total_cost"] / frame["window_days"])
        .groupby([frame["alternative"], frame["replication"]])
        .sum()
    )
    base = cost.loc["star"]
    assert_within_3se(base, exact["star"], "cost at S*")
    for name in levels:
        assert_within_3se(cost.loc[name], exact[name], f"cost at {name}")
        diff: pd.Series = cost.loc[name] - base
        assert_within_3se(diff, exact[name] - exact["star"], f"{name} − S*")
        assert diff.mean() > 0, f"{name} cheaper than S* on average"
    return cost


def test_newsvendor_normal_against_jitsim() -> None:
    mu, sigma, lead = 20.0, 5.0, 2
    star = newsvendor_base_stock(mu, sigma, lead, 1.0, 9.0)
    levels = {"minus": star - 4, "plus": star + 4}
    exact = {
        name: base_stock_cost_normal(level, mu, sigma, lead, 1.0, 9.0)
        for name, level in {"star": star, **levels}.items()
    }
    cost = check_newsvendor(
        f"{{kind: normal, mean: {mu}, sd: {sigma}}}", star, levels, exact,
        lead=lead, review=1, basis="end_of_day", reps=8, horizon=2100, seed=1991,
    )  # fmt: skip
    # The window is L + 1 days, not L (lead-time demand only) nor L + 2: the same data reject
    # the costs of those windows at S* (and the fractile levels they would give).
    at_star = Estimate.of(cost.loc["star"])
    for wrong in (lead - 1, lead + 1):
        assert at_star.z(base_stock_cost_normal(star, mu, sigma, wrong, 1.0, 9.0)) > 3
        assert abs(newsvendor_base_stock(mu, sigma, wrong, 1.0, 9.0) - star) > 4


def test_poisson_base_stock_against_jitsim() -> None:
    mean, lead = 5.0, 2
    star = poisson_base_stock(mean, lead, 1.0, 9.0)
    levels = {"minus": star - 3, "plus": star + 3}
    exact = {
        name: base_stock_cost_poisson(int(level), mean, lead, 1.0, 9.0)
        for name, level in {"star": star, **levels}.items()
    }
    check_newsvendor(
        f"{{kind: poisson, mean: {mean}}}", star, levels, exact,
        lead=lead, review=1, basis="end_of_day", reps=8, horizon=2100, seed=1992,
    )  # fmt: skip


@pytest.mark.parametrize(("lead", "review", "basis"), [(3, 1, "continuous"), (1, 2, "end_of_day")])
def test_newsvendor_normal_against_jitsim_other_conventions(
    lead: int, review: int, basis: CostBasis
) -> None:
    # the continuous cost basis (half a day at the morning level) and a 2-day review period
    # (windows of L + 1 and L + 2 days); the window (2000 days) is a whole number of reviews.
    mu, sigma = 20.0, 5.0
    star = newsvendor_base_stock(mu, sigma, lead, 1.0, 9.0, review, basis)
    levels = {"minus": star - 4, "plus": star + 4}
    exact = {
        name: base_stock_cost_normal(level, mu, sigma, lead, 1.0, 9.0, review, basis)
        for name, level in {"star": star, **levels}.items()
    }
    check_newsvendor(
        f"{{kind: normal, mean: {mu}, sd: {sigma}}}", star, levels, exact,
        lead=lead, review=review, basis=basis, reps=10, horizon=2100, seed=1993,
    )  # fmt: skip


@pytest.mark.slow
def test_newsvendor_normal_against_jitsim_long() -> None:
    # 40 replications × 10000 days, S* ± 1, 2, 4: every neighbour dearer than S* (paired
    # differences down to 0.08 per day, exact within 3 SE) — S* is the cheapest level.
    mu, sigma, lead = 20.0, 5.0, 2
    star = newsvendor_base_stock(mu, sigma, lead, 1.0, 9.0)
    levels = {f"{sign}{k}": star + (k if sign == "plus" else -k)
              for k in (1, 2, 4) for sign in ("minus", "plus")}  # fmt: skip
    exact = {
        name: base_stock_cost_normal(level, mu, sigma, lead, 1.0, 9.0)
        for name, level in {"star": star, **levels}.items()
    }
    check_newsvendor(
        f"{{kind: normal, mean: {mu}, sd: {sigma}}}", star, levels, exact,
        lead=lead, review=1, basis="end_of_day", reps=40, horizon=10100, seed=1994,
    )  # fmt: skip
