"""Analytic oracles: EOQ, periodic (s,S), base-stock, (r,Q) and lost sales.

Statistical checks compare the mean over independent replications (fixed seeds) with the exact
long-run value. The tolerance is three standard errors of that mean, SE = sd/√n with sd the
sample standard deviation across the n replications: replications are i.i.d., and each is a
long-run average over a window after a warm-up (so its initial-state bias is negligible next to
SE), hence by the CLT the mean is within 3 SE with probability ≈ 99.7 %; the seeds are fixed,
so every run of the suite gives the same verdict. Heavier versions (more replications, longer
windows, tighter SE) carry ``@pytest.mark.slow``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import assert_within_3se, replications
from scipy.stats import poisson

import jitsim

# ------------------------------------------------------------------------------ EOQ

EOQ_DETERMINISTIC = """
name: eoq exact
run: {horizon_days: 55, warmup_days: 5}
items: {w: {unit_cost: 365, holding_rate: 0.5}}      # h = 0.5 per unit-day
suppliers: {acme: {items: [w], lead_time: 2, order_cost: 62.5}}
stock_points:
  store: {item: w, source: acme, initial: 50, review: {every_days: 1},
          policy: {kind: eoq, reorder_point: 20}}
customers:
  c: {buys_from: store, demand: 10}
"""


def test_eoq_deterministic_cost_matches_formula() -> None:
    # d = 10/day, K = 62.5, h = 0.5/unit-day → Q* = √(2·62.5·10/0.5) = √2500 = 50 = 5·d.
    # r = d·L = 20: the order placed when the morning IP hits 20 (3 days after a receipt)
    # arrives 2 days later, exactly when the last unit has gone (at t + 4.5): zero safety stock.
    # The cycle is 5 days; the window [5, 55) holds 10 whole cycles, each starting with a
    # receipt. Per cycle ∫ on-hand = 0.5·50 + 40 + 30 + 20 + 10 + 0.5·0 = 125 = Q/2 · 5.
    # Cost per day = K·d/Q + h·Q/2 = 12.5 + 12.5 = 25 = √(2·d·K·h) = √625.
    scenario = jitsim.load_scenario_text(EOQ_DETERMINISTIC)
    k = jitsim.simulate(scenario, "base", 0).kpis
    assert k["store.eoq_order_quantity"] == pytest.approx(50.0, rel=1e-12)
    assert k["store.eoq_reorder_point"] == 20.0
    # the policy reports SS = r − μ·(E[L] + R) = 20 − 10·3 = −10: its protection interval
    # counts the review period, the exact hit needs only the lead-time demand.
    assert k["store.eoq_safety_stock"] == -10.0
    window = k["window_days"]
    assert window == 50
    assert k["orders_placed"] == 10
    assert k["backordered_units"] == 0
    per_day = (k["holding_cost"] + k["ordering_cost"]) / window
    d, big_k, h = 10.0, 62.5, 0.5
    q = 50.0
    assert per_day == pytest.approx(big_k * d / q + h * q / 2, rel=1e-6)
    assert per_day == pytest.approx(math.sqrt(2 * d * big_k * h), rel=1e-6)
    assert k["avg_on_hand"] == pytest.approx(q / 2, rel=1e-9)


def test_eoq_quantity_in_annual_units() -> None:
    # The textbook states EOQ in annual units: D = 8·365 = 2920 units/yr, K = 40,
    # H = i·c = 0.22·12 = 2.64 per unit-year → Q* = √(2·2920·40/2.64) = √88484.8485 = 297.4640.
    text = """
name: eoq quantity
run: {horizon_days: 1}
items: {w: {unit_cost: 12, holding_rate: 0.22}}
suppliers: {acme: {items: [w], lead_time: 3, order_cost: 40}}
stock_points:
  store: {item: w, source: acme, initial: 0, policy: {kind: eoq}}
customers:
  c: {buys_from: store, demand: {kind: poisson, mean: 8}}
"""
    k = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0).kpis
    assert k["store.eoq_order_quantity"] == pytest.approx(297.46403, rel=1e-7)


EOQ_STOCHASTIC = """
name: eoq reorder point
run: {{horizon_days: 1}}
items: {{w: {{unit_cost: 10, holding_rate: 0.2}}}}
suppliers: {{acme: {{items: [w], lead_time: {{kind: gamma, mean: 3, cv: 0.5}}, order_cost: 50}}}}
stock_points:
  store: {{item: w, source: acme, initial: 0, review: {{every_days: 2}}, policy: {policy}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: 10}}}}
"""


@pytest.mark.parametrize(
    ("policy", "reorder_point", "safety"),
    [
        # μ = 10/day, σ_D² = 10, E[L] = 3, Var(L) = (3·0.5)² = 2.25, R = 2 → P = 5.
        # σ_P² = P·σ_D² + μ²·Var(L) = 50 + 225 = 275; z_0.95 = 1.6448536269514722.
        # SS = 1.6448536269514722·√275 = 27.27673..., r = μ·P + SS = 50 + SS.
        (
            "{kind: eoq, cycle_service_level: 0.95}",
            50 + 1.6448536269514722 * math.sqrt(275),
            1.6448536269514722 * math.sqrt(275),
        ),
        # z_0.5 = 0: r = μP = 50.
        ("{kind: eoq, cycle_service_level: 0.5}", 50.0, 0.0),
        ("{kind: eoq, safety_stock: 7}", 57.0, 7.0),
        ("{kind: eoq, reorder_point: 44}", 44.0, -6.0),
        ("{kind: eoq}", 50.0, 0.0),
        # planning demand overridden: μ = 4 → r = 4·5 + 1.6448536·√(5·10 + 16·2.25 = 86).
        (
            "{kind: eoq, cycle_service_level: 0.95, demand_per_day: 4}",
            20 + 1.6448536269514722 * math.sqrt(86),
            1.6448536269514722 * math.sqrt(86),
        ),
    ],
)
def test_eoq_reorder_point_formula(policy: str, reorder_point: float, safety: float) -> None:
    k = jitsim.simulate(
        jitsim.load_scenario_text(EOQ_STOCHASTIC.format(policy=policy)), "base", 0
    ).kpis
    assert k["store.eoq_reorder_point"] == pytest.approx(reorder_point, rel=1e-12)
    assert k["store.eoq_safety_stock"] == pytest.approx(safety, rel=1e-12, abs=1e-12)
    # h = 0.2·10/365 per unit-day, K = 50 → Q* = √(2·50·10·365/2) = √182500 (μ = 10).
    if "demand_per_day" not in policy:
        assert k["store.eoq_order_quantity"] == pytest.approx(math.sqrt(182500), rel=1e-12)


# -------------------------------------------------- periodic (s,S), Zheng & Federgruen

ZHENG_FEDERGRUEN = """
name: Zheng-Federgruen
run: {{horizon_days: {horizon}, warmup_days: 200, cost_basis: end_of_day}}
items: {{w: {{unit_cost: 365, holding_rate: 1.0}}}}     # h = 1 per unit-day
suppliers: {{acme: {{items: [w], lead_time: 0, order_cost: 64}}}}
stock_points:
  store: {{item: w, source: acme, initial: {S}, review: {{every_days: 1}},
           policy: {{kind: s_S, s: {s}, S: {S}}}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}, backorder_cost_per_unit_day: 9}}
"""


def check_zheng_federgruen(
    s: int, big_s: int, mean: float, expected: float, reps: int, horizon: int
) -> None:
    # Zheng & Federgruen (1991), h=1, p=9, K=64, L=0: with the daily convention an order at
    # the morning review arrives before the day's demand and costs are charged on end-of-day
    # levels, exactly their periodic-review model. Long-run cost per day:
    #   h·E[on-hand at end of day] + p·E[backorders at end of day] + K·(orders per day).
    text = ZHENG_FEDERGRUEN.format(horizon=horizon, s=s, S=big_s, mean=mean)
    frame = replications(text, reps, seed=19910101)
    window = frame["window_days"]
    by_formula = (
        1.0 * frame["avg_on_hand_eod"]
        + 9.0 * frame["avg_backorders_eod"]
        + 64.0 * frame["orders_placed"] / window
    )
    assert_within_3se(by_formula, expected)
    # End-to-end cost accounting: with cost_basis end_of_day the reported total cost is the
    # same quantity, replication by replication.
    reported = frame["total_cost"] / window
    np.testing.assert_allclose(reported, by_formula, rtol=1e-9)
    assert_within_3se(reported, expected)


def test_zheng_federgruen_6_40_light() -> None:
    # 8 replications × 3000 days: SE ≈ 0.06, so 3 SE ≈ 0.5 % of 35.02.
    check_zheng_federgruen(6, 40, 10, 35.0216, reps=8, horizon=3200)


def test_zheng_federgruen_14_62_light() -> None:
    check_zheng_federgruen(14, 62, 20, 49.1730, reps=8, horizon=3200)


@pytest.mark.slow
def test_zheng_federgruen_6_40() -> None:
    # 40 replications × 20000 days: 3 SE ≈ 0.03 (0.1 %).
    check_zheng_federgruen(6, 40, 10, 35.0216, reps=40, horizon=20200)


@pytest.mark.slow
def test_zheng_federgruen_14_62() -> None:
    check_zheng_federgruen(14, 62, 20, 49.1730, reps=40, horizon=20200)


# -------------------------------------------------------------------------- base-stock

BASE_STOCK = """
name: base stock
run: {{horizon_days: {horizon}, warmup_days: 200}}
items: {{w: {{unit_cost: 10}}}}
suppliers: {{acme: {{items: [w], lead_time: {L}}}}}
stock_points:
  store: {{item: w, source: acme, initial: {S}, policy: {{kind: base_stock, S: {S}}}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}}}
"""


def base_stock_exact(big_s: int, lead: int, mean: float) -> dict[str, float]:
    """Exact long-run KPIs of daily base-stock S, integer lead time L, Poisson(μ) demand.

    Everything ordered up to the review L days ago has arrived by the morning of day t, so
    the morning net inventory is S − D_L and the end-of-day one S − D_{L+1}, where D_k is the
    demand of k days, Poisson(kμ), and the day's demand d ~ Poisson(μ) is independent of D_L.
    """
    k = np.arange(0, int(big_s + 20 * (lead + 1) * mean + 200))

    def plus(lam: float) -> float:  # E[(S − D)⁺], D ~ Poisson(lam)
        return float(np.sum(np.maximum(big_s - k, 0) * poisson.pmf(k, lam)))

    def minus(lam: float) -> float:  # E[(D − S)⁺]
        return float(np.sum(np.maximum(k - big_s, 0) * poisson.pmf(k, lam)))

    p_lead = poisson.pmf(k, lead * mean) if lead > 0 else (k == 0).astype(float)
    p_day = poisson.pmf(k, mean)
    morning = np.maximum(big_s - k, 0)  # on-hand when the demand arrives, given D_L = k
    # filled units of a day: min(d, (S − D_L)⁺)
    filled = np.sum(p_lead[:, None] * p_day[None, :] * np.minimum(k[None, :], morning[:, None]))
    # all of the day's demand met: d = 0, or d ≥ 1 and D_L + d ≤ S
    all_met = (
        math.exp(-mean)
        + poisson.cdf(big_s, (lead + 1) * mean)
        - math.exp(-mean) * (poisson.cdf(big_s, lead * mean) if lead > 0 else 1.0)
    )
    eod_on_hand = plus((lead + 1) * mean)
    morning_on_hand = plus(lead * mean) if lead > 0 else float(big_s)
    return {
        "avg_on_hand_eod": eod_on_hand,
        "avg_backorders_eod": minus((lead + 1) * mean),
        # half a day at the morning level, half at the end-of-day level
        "avg_on_hand": 0.5 * (morning_on_hand + eod_on_hand),
        "fill_rate": float(filled) / mean,
        "cycle_service_level": all_met,
    }


@pytest.mark.parametrize(
    ("big_s", "lead", "mean", "reps", "horizon"),
    [
        (18, 2, 5.0, 10, 2200),
        (6, 0, 4.0, 10, 2200),
        pytest.param(18, 2, 5.0, 40, 10200, marks=pytest.mark.slow),
        pytest.param(30, 4, 5.0, 40, 10200, marks=pytest.mark.slow),
    ],
)
def test_base_stock_poisson(big_s: int, lead: int, mean: float, reps: int, horizon: int) -> None:
    exact = base_stock_exact(big_s, lead, mean)
    text = BASE_STOCK.format(horizon=horizon, L=lead, S=big_s, mean=mean)
    frame = replications(text, reps, seed=4242 + lead)
    for kpi, value in exact.items():
        assert_within_3se(frame[kpi], value)


def test_base_stock_exact_values_by_hand() -> None:
    # Sanity of the oracle itself at L=0, S=1, μ=1 (e = e^{-1}):
    # end of day on-hand (1 − d)⁺ → P(d=0) = e; backorders E[(d − 1)⁺] = μ − 1 + e = e;
    # fill: min(d, 1) → P(d ≥ 1) = 1 − e per unit of mean 1; all met iff d ≤ 1 → 2e.
    e = math.exp(-1)
    exact = base_stock_exact(1, 0, 1.0)
    assert exact["avg_on_hand_eod"] == pytest.approx(e)
    assert exact["avg_backorders_eod"] == pytest.approx(e)
    assert exact["fill_rate"] == pytest.approx(1 - e)
    assert exact["cycle_service_level"] == pytest.approx(2 * e)
    assert exact["avg_on_hand"] == pytest.approx(0.5 * (1 + e))


# ------------------------------------------------------------------------------- (r,Q)

R_Q = """
name: r Q
run: {{horizon_days: {horizon}, warmup_days: 100}}
items: {{w: {{unit_cost: 10}}}}
suppliers: {{acme: {{items: [w], lead_time: {L}}}}}
stock_points:
  store: {{item: w, source: acme, initial: {initial}, review: continuous,
           policy: {{kind: r_Q, r: {r}, Q: {Q}}}}}
customers:
  c: {{buys_from: store, orders: {{rate_per_day: {rate}, size: 1}}}}
"""


def r_q_exact(r: int, q: int, lead: float, rate: float) -> dict[str, float]:
    """(r,Q), continuous review, unit Poisson demand (rate λ), constant lead time L.

    IP is uniform on r+1..r+Q (Hadley & Whitin 1963; Zipkin 2000, §6.2) and independent of
    the demand D over the next L days, D ~ Poisson(λL); net inventory L days later is IP − D:
    E[on-hand] = (1/Q)·Σ_y E[(y − D)⁺], E[backorders] = (1/Q)·Σ_y E[(D − y)⁺].
    """
    k = np.arange(0, int(r + q + 20 * rate * lead + 200))
    pmf = poisson.pmf(k, rate * lead)
    ys = np.arange(r + 1, r + q + 1)
    on_hand = np.mean([np.sum(np.maximum(y - k, 0) * pmf) for y in ys])
    backorders = np.mean([np.sum(np.maximum(k - y, 0) * pmf) for y in ys])
    return {
        "avg_on_hand": float(on_hand),
        "avg_backorders": float(backorders),
        "orders_per_day": rate / q,
    }


@pytest.mark.parametrize(
    ("r", "q", "lead", "rate", "reps", "horizon"),
    [
        (10, 8, 3, 4.0, 10, 2100),
        pytest.param(10, 8, 3, 4.0, 40, 10100, marks=pytest.mark.slow),
        pytest.param(3, 5, 2.5, 2.0, 40, 10100, marks=pytest.mark.slow),
    ],
)
def test_r_q_poisson_continuous(
    r: int, q: int, lead: float, rate: float, reps: int, horizon: int
) -> None:
    exact = r_q_exact(r, q, lead, rate)
    text = R_Q.format(horizon=horizon, L=lead, initial=r + q, r=r, Q=q, rate=rate)
    frame = replications(text, reps, seed=1963)
    assert_within_3se(frame["avg_on_hand"], exact["avg_on_hand"])
    assert_within_3se(frame["avg_backorders"], exact["avg_backorders"])
    assert_within_3se(frame["orders_placed"] / frame["window_days"], exact["orders_per_day"])
    # every order is exactly Q (unit demand never overshoots r)
    assert (frame["avg_order_qty"] == q).all()


def test_poisson_orders_default_size_is_one() -> None:
    text = R_Q.format(horizon=200, L=1, initial=5, r=2, Q=3, rate=2.0).replace(", size: 1", "")
    k = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0).kpis
    assert k["demand_units"] > 0


# -------------------------------------------------------------------------- lost sales

LOST_SALES = """
name: lost sales
run: {horizon_days: 400, warmup_days: 30}
items: {w: {unit_cost: 10}}
suppliers: {acme: {items: [w], lead_time: {kind: discrete_uniform, low: 1, high: 4}}}
stock_points:
  store: {item: w, source: acme, initial: 20, policy: {kind: s_S, s: 15, S: 40}}
customers:
  c: {buys_from: store, demand: {kind: poisson, mean: 8}, unmet: lost_sale}
"""


def test_lost_sales_identity() -> None:
    frame = replications(LOST_SALES, 6, seed=7)
    assert (frame["lost_sales_units"] > 0).all()  # the test must exercise lost sales
    assert (frame["backordered_units"] == 0).all()
    for prefix in ("", "store."):
        total = (
            frame[f"{prefix}fill_rate"]
            + frame[f"{prefix}lost_sales_units"] / frame[f"{prefix}demand_units"]
        )
        np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-12)
    assert (frame["avg_backorders"] == 0).all()
    np.testing.assert_allclose(
        frame["sold_units"] + frame["lost_sales_units"], frame["demand_units"]
    )
