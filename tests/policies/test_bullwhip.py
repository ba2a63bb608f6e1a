"""The bullwhip KPI: ``X.bullwhip_ratio`` = Var(units ordered per week) / Var(demand per week).

Exactness first (the incremental weekly variances equal those of the stored series, weeks
start at the end of the warm-up, a partial last week is ignored, fewer than two weeks give NaN),
then the theory: Chen, Drezner, Ryan & Simchi-Levi (2000) for an order-up-to policy driven by a
moving-average forecast, and a ratio of one for a base-stock policy.

Why the weekly ratio equals the bound for a weekly moving average
-----------------------------------------------------------------
Take the ``jit`` policy with a ``moving_average`` forecast of p days, daily review (R = 1),
constant lead time L and no safety buffer. At the review of day t it orders up to P·F_t, with
protection interval P = L + R = L + 1 days and forecast F_t = (D_{t-1} + … + D_{t-p}) / p.
As long as every order is positive (Poisson demand with mean 200 makes a negative order a
10-sigma event), the inventory position after each review equals that level, so

    q_t = P·F_t − (P·F_{t-1} − D_{t-1}) = D_{t-1} + (P/p)·(D_{t-1} − D_{t-1-p}),

and for iid daily demand with variance σ² the per-day ratio is exactly the lower bound of
Chen et al.: Var(q)/Var(D) = 1 + 2P/p + 2P²/p².

Sum the seven orders of week k. The first term gives W'_k, the demand of the week's seven days
each shifted back one day; the second telescopes into (P/p)·(W'_k − W'_{k-p/7}). For p = 7
that is the previous shifted week, independent of W'_k:

    O_k = W'_k + (P/7)·(W'_k − W'_{k-1}),
    Var(O_k) = 7σ²·[(1 + P/7)² + (P/7)²] = 7σ²·(1 + 2P/7 + 2P²/49),

while the weekly demand W_k has variance 7σ²: the weekly ratio is the bound exactly. (The same
holds for every p ≥ 7, since the two 7-day sums do not overlap: ratio 1 + 2P/p + 2P²/p². For
p < 7 they overlap and the overlap cancels: the weekly ratio is 1 + 2P/7 + 2P²/(7p), *below*
the per-day bound; a weekly view hides part of a short window's bullwhip.)

The simulated ratio divides two sample variances over n weeks. Weekly orders form an MA(1)
series, so E[s²_O] = Var(O_k) + O(1/n), and the ratio of estimates has an O(1/n) bias too;
with n = 400 weeks per replication it is about 0.5 %, far inside three standard errors of the
mean over the replications.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

import jitsim
from jitsim.execution.simulate import ReplicationResult

WEEKS = 400
WARMUP = 28


def scenario(
    policy: str,
    *,
    lead_time: int = 2,
    mean: float = 200,
    weeks: int = WEEKS,
    warmup: int = WARMUP,
    extra_days: int = 0,
    initial: float | None = None,
) -> jitsim.Scenario:
    horizon = warmup + 7 * weeks + extra_days
    start = initial if initial is not None else mean * (lead_time + 1)
    return jitsim.load_scenario_text(
        f"""
name: bullwhip
run: {{horizon_days: {horizon}, warmup_days: {warmup}, seed: 2000}}
items:
  w: {{unit_cost: 1}}
suppliers:
  acme: {{items: [w], lead_time: {lead_time}}}
stock_points:
  store: {{item: w, source: acme, initial: {start}, policy: {policy}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}}}
"""
    )


def jit(window: int) -> str:
    return f"{{kind: jit, forecast: {{kind: moving_average, window: {window}}}}}"


def chen_bound(protection: float, window: float) -> float:
    """Chen et al. (2000): Var(q)/Var(D) ≥ 1 + 2P/p + 2P²/p² (moving average of p periods)."""
    return 1 + 2 * protection / window + 2 * protection**2 / window**2


def ratios(model: jitsim.Scenario, replications: int) -> tuple[float, float]:
    """Mean weekly bullwhip ratio over replications and its standard error."""
    values = [
        jitsim.simulate(model, "base", r).kpis["store.bullwhip_ratio"] for r in range(replications)
    ]
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


# ------------------------------------------------------------------------ exactness


def weekly_sums(result: ReplicationResult, node: str, event: str, warmup: int) -> list[float]:
    """Units of ``event`` rows per full 7-day block after the warm-up (partial week dropped)."""
    horizon = len(result.trajectories[node])
    weeks = (horizon - warmup) // 7
    sums = [0.0] * weeks
    for t, n, e, quantity, _level, _note in result.trace:
        if n == node and e == event and t >= warmup:
            week = int((math.floor(t) - warmup) // 7)
            if week < weeks:
                sums[week] += quantity
    return sums


def test_weekly_variances_match_the_stored_series() -> None:
    # 6 full weeks after a 5-day warm-up plus 3 days that do not make a week.
    model = scenario(
        "{kind: s_S, s: 20, S: 45}", lead_time=1, mean=8, weeks=6, warmup=5, extra_days=3
    )
    result = jitsim.simulate(model, "base", 1, trace=True, trajectories=True)
    k = result.kpis
    orders = weekly_sums(result, "store", "order", 5)
    demand = weekly_sums(result, "store", "demand", 5)
    assert len(orders) == 6
    assert k["store.order_variance_weekly"] == pytest.approx(np.var(orders, ddof=1), rel=1e-12)
    assert k["store.demand_variance_weekly"] == pytest.approx(np.var(demand, ddof=1), rel=1e-12)
    assert k["store.bullwhip_ratio"] == pytest.approx(
        np.var(orders, ddof=1) / np.var(demand, ddof=1), rel=1e-12
    )
    # the (s,S) policy batches: its orders vary more than its demand
    assert k["store.bullwhip_ratio"] > 1


def test_fewer_than_two_weeks_is_nan() -> None:
    k = jitsim.simulate(scenario(jit(7), weeks=1, extra_days=6), "base", 0).kpis
    assert math.isnan(k["store.bullwhip_ratio"])
    assert math.isnan(k["store.order_variance_weekly"])
    assert math.isnan(k["store.demand_variance_weekly"])
    k = jitsim.simulate(scenario(jit(7), weeks=2), "base", 0).kpis
    assert not math.isnan(k["store.bullwhip_ratio"])


def test_demand_received_upstream_is_the_orders_from_downstream() -> None:
    """A DC that only feeds a store receives the store's orders as its demand, same days."""
    model = jitsim.load_scenario_text(
        f"""
name: two echelons
run: {{horizon_days: {WARMUP + 7 * 30}, warmup_days: {WARMUP}}}
items:
  w: {{unit_cost: 1}}
suppliers:
  acme: {{items: [w], lead_time: 3}}
stock_points:
  dc: {{item: w, source: acme, initial: 2000, policy: {{kind: s_S, s: 600, S: 1500}}}}
  store:
    item: w
    source: dc
    lead_time: 1
    initial: 400
    policy: {jit(7)}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: 100}}}}
"""
    )
    k = jitsim.simulate(model, "base", 0).kpis
    assert k["dc.demand_variance_weekly"] == pytest.approx(k["store.order_variance_weekly"])
    # the (s,S) DC amplifies the already amplified store orders
    assert k["dc.bullwhip_ratio"] > k["store.bullwhip_ratio"] > 1


# ------------------------------------------------------------------------ theory


def test_weekly_moving_average_ratio_is_chen_bound() -> None:
    """p = 7, L = 2 (P = 3): the weekly ratio is 1 + 2P/7 + 2P²/49 ≈ 2.224, within 3 SE."""
    mean, se = ratios(scenario(jit(7), lead_time=2), 40)
    bound = chen_bound(3, 7)
    assert abs(mean - bound) <= 3 * se, (mean, se, bound)
    assert se < 0.02 * bound  # the check has teeth: 3 SE ≪ the excess 1.22 over no bullwhip


def test_longer_window_meets_the_bound() -> None:
    """p = 14 ≥ 7: the weekly ratio is at least the bound (equal to it, in expectation)."""
    mean, se = ratios(scenario(jit(14)), 40)
    bound = chen_bound(3, 14)
    assert mean >= bound - 3 * se, (mean, se, bound)
    assert mean <= bound + 3 * se, (mean, se, bound)


def test_base_stock_ratio_is_one() -> None:
    """Base stock orders yesterday's demand: the weekly orders are the weeks shifted a day."""
    mean, se = ratios(scenario("{kind: base_stock, S: 700}"), 40)
    assert abs(mean - 1.0) <= 3 * se, (mean, se)
    assert se < 0.02


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lead_time", "window"), [(0, 7), (2, 7), (5, 7), (2, 10), (5, 14), (0, 28)]
)
def test_weekly_ratio_for_windows_of_a_week_or_more(lead_time: int, window: int) -> None:
    """Every p ≥ 7: the weekly ratio is 1 + 2P/p + 2P²/p², the Chen et al. bound."""
    mean, se = ratios(scenario(jit(window), lead_time=lead_time), 80)
    bound = chen_bound(lead_time + 1, window)
    assert abs(mean - bound) <= 3 * se, (mean, se, bound)


@pytest.mark.slow
@pytest.mark.parametrize("window", [3, 5])
def test_short_window_weekly_ratio(window: int) -> None:
    """p < 7: weekly aggregation cancels the overlap; the ratio is 1 + 2P/7 + 2P²/(7p)."""
    protection = 3
    mean, se = ratios(scenario(jit(window)), 80)
    expected = 1 + 2 * protection / 7 + 2 * protection**2 / (7 * window)
    assert abs(mean - expected) <= 3 * se, (mean, se, expected)
    assert mean < chen_bound(protection, window)  # below the per-day bound
