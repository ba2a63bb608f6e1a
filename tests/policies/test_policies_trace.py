"""Hand-computed deterministic traces of every replenishment policy.

Every scenario here has constant demand and constant lead times, so one replication is fully
deterministic. The expected order times, order quantities, end-of-day levels and costs are
worked out BY HAND in the comments next to each test (they are literal lists, not the output
of a re-implementation of the simulator).

Conventions used in the derivations (docs/daily-convention.md): at each integer day t the end-of-day
snapshot of day t−1 is taken, then receipts due at t are put away (FIFO backorders served
first), then periodic reviews order on IP = on-hand + on-order − backorders, then at t+0.5 the
day's demand arrives. Continuous review reviews at t=0 and after every demand. Receipts at
non-integer times come before same-time demand.

Holding cost uses h = holding_rate · unit_cost / 365 per unit-day; with unit_cost 365 and
holding_rate 0.5 below, h = 0.5 exactly. The time integral of on-hand stock over a day with
no off-grid event is 0.5·(morning level after receipts) + 0.5·(level after the demand).
"""

from __future__ import annotations

import math

import pytest

import jitsim
from jitsim.execution.simulate import ReplicationResult

H = 0.5  # holding cost per unit-day (unit_cost 365 × holding_rate 0.5 / 365)


def build(
    policy: str,
    *,
    initial: float = 10,
    demand: str = "5",
    lead_time: str = "2",
    review: str = "{every_days: 1}",
    horizon: int = 8,
    warmup: int = 0,
    unmet: str = "backorder",
    order_cost: float = 10,
    supplier_extra: str = "",
    customer_extra: str = "",
) -> jitsim.Scenario:
    """A one-store scenario; ``policy`` and the other strings are YAML flow fragments."""
    text = f"""
name: trace test
run: {{horizon_days: {horizon}, warmup_days: {warmup}}}
items:
  w: {{unit_cost: 365, holding_rate: 0.5, price: 2}}
suppliers:
  acme: {{items: [w], lead_time: {lead_time}, order_cost: {order_cost}{supplier_extra}}}
stock_points:
  store: {{item: w, source: acme, initial: {initial}, review: {review}, policy: {policy}}}
customers:
  c: {{buys_from: store, demand: {demand}, unmet: {unmet}{customer_extra}}}
"""
    return jitsim.load_scenario_text(text)


def simulate(scenario: jitsim.Scenario) -> ReplicationResult:
    return jitsim.simulate(scenario, "base", 0, 1, trace=True, trajectories=True)


def events(result: ReplicationResult, event: str, node: str = "store") -> list[tuple]:
    """``(time, quantity)`` of the trace rows of one kind at one node."""
    return [(t, q) for t, n, e, q, _level, _note in result.trace if n == node and e == event]


def eod_on_hand(result: ReplicationResult, node: str = "store") -> list[float]:
    return [row[1] for row in result.trajectories[node]]


def eod_backorders(result: ReplicationResult, node: str = "store") -> list[float]:
    return [row[2] for row in result.trajectories[node]]


def check_costs(
    kpis: dict[str, float], *, on_hand_area: float, orders: int, order_cost: float = 10
) -> None:
    assert kpis["store.holding_cost"] == pytest.approx(H * on_hand_area, rel=1e-12, abs=1e-12)
    assert kpis["store.ordering_cost"] == pytest.approx(order_cost * orders, abs=1e-12)
    assert kpis["store.orders_placed"] == orders
    window = kpis["window_days"]
    assert kpis["store.avg_on_hand"] == pytest.approx(on_hand_area / window, rel=1e-12)


# ----------------------------------------------------------------------------- (s,S)


def test_s_S_periodic() -> None:
    # s=10, S=30, L=2, initial 20, demand 5/day, daily review, horizon 8.
    # day 0: IP 20 > 10, no order; demand → 15.     day 1: IP 15, no order → 10.
    # day 2: IP 10 ≤ 10 → order 30−10 = 20 (due 4); → 5.   day 3: IP 25 → 0.
    # day 4: receipt 20 → 20; IP 20 no order → 15.  day 5: → 10.
    # day 6: IP 10 → order 20 (due 8); → 5.         day 7: IP 25 → 0.
    # mornings 20,15,10,5,20,15,10,5 (Σ 100), ends 15,10,5,0,15,10,5,0 (Σ 60): ∫ = 80.
    result = simulate(build("{kind: s_S, s: 10, S: 30}", initial=20))
    assert events(result, "order") == [(2.0, 20.0), (6.0, 20.0)]
    assert events(result, "receipt") == [(4.0, 20.0)]
    assert eod_on_hand(result) == [15, 10, 5, 0, 15, 10, 5, 0]
    assert eod_backorders(result) == [0] * 8
    k = result.kpis
    check_costs(k, on_hand_area=80.0, orders=2)
    assert k["store.avg_on_hand_eod"] == 60 / 8
    assert k["fill_rate"] == 1.0
    assert k["cycle_service_level"] == 1.0
    assert k["total_cost"] == pytest.approx(H * 80 + 20)
    # ready: on-hand > 0 all the time except [3.5, 4) and [7.5, 8)
    assert k["ready_rate"] == pytest.approx(7 / 8)


def test_s_S_continuous_non_integer_receipts() -> None:
    # s=10, S=30, L=2, initial 20, continuous review (t=0 and after every demand).
    # t=0.5: → 15.  t=1.5: → 10, IP 10 ≤ 10 → order 20 due 3.5.  t=2.5: → 5 (IP 25).
    # t=3.5: receipt 20 first (→ 25), then demand → 20.  t=4.5: → 15.
    # t=5.5: → 10 → order 20 due 7.5.  t=6.5: → 5.  t=7.5: receipt → 25, demand → 20.
    # t=8.5: → 15.  Horizon 9.
    # ∫ per day: 17.5, 12.5, 7.5, 12.5 (0.5·5 + 0.5·20), 17.5, 12.5, 7.5, 12.5, 17.5 = 117.5.
    result = simulate(
        build("{kind: s_S, s: 10, S: 30}", initial=20, review="continuous", horizon=9)
    )
    assert events(result, "order") == [(1.5, 20.0), (5.5, 20.0)]
    assert events(result, "receipt") == [(3.5, 20.0), (7.5, 20.0)]
    assert eod_on_hand(result) == [15, 10, 5, 20, 15, 10, 5, 20, 15]
    check_costs(result.kpis, on_hand_area=117.5, orders=2)
    assert result.kpis["fill_rate"] == 1.0


def test_lead_time_one_and_a_half_receipt_before_same_time_demand() -> None:
    # Continuous review, s=5, S=15, L=1.5, initial 5, demand 5 at t+0.5.
    # t=0: review, IP 5 ≤ 5 → order 10 due 1.5.   t=0.5: demand → 0 (IP 10).
    # t=1.5: receipt 10 (before the demand at the same instant) → 10; demand → 5;
    #        IP 5 → order 10 due 3.0 (an integer time: put away in phase 2 of day 3).
    # t=2.5: → 0 (IP 10).  t=3.0: receipt → 10.  t=3.5: → 5 → order 10 due 5.  t=4.5: → 0.
    # No stockout at all: if the 1.5 receipt came after the demand, day 1 would be short.
    # ∫: day0 2.5, day1 0.5·0 + 0.5·5 = 2.5, day2 2.5, day3 0.5·10 + 0.5·5 = 7.5, day4 2.5.
    result = simulate(
        build(
            "{kind: s_S, s: 5, S: 15}",
            initial=5,
            lead_time="1.5",
            review="continuous",
            horizon=5,
        )
    )
    assert events(result, "order") == [(0.0, 10.0), (1.5, 10.0), (3.5, 10.0)]
    assert events(result, "receipt") == [(1.5, 10.0), (3.0, 10.0)]
    # the receipt row precedes the demand row at t = 1.5
    at_15 = [e for t, n, e, *_ in result.trace if t == 1.5 and n == "store"]
    assert at_15.index("receipt") < at_15.index("demand")
    assert eod_on_hand(result) == [0, 5, 0, 5, 0]
    k = result.kpis
    assert k["fill_rate"] == 1.0
    assert k["stockout_days"] == 0
    check_costs(k, on_hand_area=17.5, orders=3)


def test_lead_time_zero_arrives_before_demand() -> None:
    # s=4, S=10, L=0, initial 0, demand 3/day, daily review.
    # day 0: IP 0 → order 10, received at once → 10; demand → 7.   day 1: IP 7 → 4.
    # day 2: IP 4 ≤ 4 → order 6 → 10 → 7.  day 3: → 4.  day 4: order 6 → 10 → 7.
    # ∫: 8.5, 5.5, 8.5, 5.5, 8.5 = 36.5.
    result = simulate(
        build("{kind: s_S, s: 4, S: 10}", initial=0, demand="3", lead_time="0", horizon=5)
    )
    assert events(result, "order") == [(0.0, 10.0), (2.0, 6.0), (4.0, 6.0)]
    assert events(result, "receipt") == [(0.0, 10.0), (2.0, 6.0), (4.0, 6.0)]
    assert eod_on_hand(result) == [7, 4, 7, 4, 7]
    k = result.kpis
    assert k["fill_rate"] == 1.0
    assert k["backordered_units"] == 0
    check_costs(k, on_hand_area=36.5, orders=3)


# ----------------------------------------------------------------------- base-stock


def test_base_stock_daily() -> None:
    # S=15, L=1, initial 10, demand 5: every day IP = on-hand + on-order = 10 → order 5.
    # day 0: order 5 (due 1), → 5.  day d ≥ 1: receipt 5 → 10, order 5, → 5.
    # End of day always S − d·(L+1) = 5.  ∫ = 5 days × 0.5·(10 + 5) = 37.5.
    result = simulate(build("{kind: base_stock, S: 15}", lead_time="1", horizon=5))
    assert events(result, "order") == [(float(d), 5.0) for d in range(5)]
    assert eod_on_hand(result) == [5] * 5
    check_costs(result.kpis, on_hand_area=37.5, orders=5)


def test_base_stock_every_two_days() -> None:
    # S=20, R=2 (reviews on days 0, 2, 4), L=1, initial 10, demand 5.
    # day 0: IP 10 → order 10 (due 1); → 5.   day 1: receipt → 15; → 10.
    # day 2: IP 10 → order 10 (due 3); → 5.   day 3: → 15 → 10.  day 4 as day 2, day 5 as 3.
    # ∫: 7.5, 12.5 per two days → 3 × 20 = 60.
    result = simulate(
        build("{kind: base_stock, S: 20}", lead_time="1", review="{every_days: 2}", horizon=6)
    )
    assert events(result, "order") == [(0.0, 10.0), (2.0, 10.0), (4.0, 10.0)]
    assert [t for t, _ in events(result, "review")] == [0.0, 2.0, 4.0]
    assert eod_on_hand(result) == [5, 10, 5, 10, 5, 10]
    check_costs(result.kpis, on_hand_area=60.0, orders=3)


# ---------------------------------------------------------------------------- (r,Q)


def test_r_Q_continuous_order_at_noon_arrives_with_next_demand() -> None:
    # r=5, Q=10, L=1, initial 10, continuous review.
    # t=0.5: demand → 5, IP 5 ≤ 5 → order 10 due 1.5.
    # t=1.5: receipt → 15 (before the demand), demand → 10.  t=2.5: → 5 → order due 3.5.
    # t=3.5: receipt → 15 → 10.  t=4.5: → 5 → order due 5.5 (after the horizon of 5:
    #        never received, and must not count in the averages).
    # ∫: each day 7.5 → 37.5.  On order: 10 on [0.5,1.5), [2.5,3.5), [4.5,5) → 25.
    result = simulate(
        build("{kind: r_Q, r: 5, Q: 10}", lead_time="1", review="continuous", horizon=5)
    )
    assert events(result, "order") == [(0.5, 10.0), (2.5, 10.0), (4.5, 10.0)]
    assert events(result, "receipt") == [(1.5, 10.0), (3.5, 10.0)]
    assert eod_on_hand(result) == [5, 10, 5, 10, 5]
    k = result.kpis
    check_costs(k, on_hand_area=37.5, orders=3)
    assert k["store.avg_on_order"] == pytest.approx(25 / 5)
    assert k["store.ready_rate"] == 1.0


def test_r_Q_periodic_multiple_batches_and_fifo_backorders() -> None:
    # r=10, Q=4, L=2, initial 12, demand 5, daily review, backorder cost 3 per unit-day.
    # An order is n·Q with the smallest n that lifts IP above r: n = ⌊(r − IP)/Q⌋ + 1.
    # day 0: IP 12 > 10. demand → 7.
    # day 1: IP 7 → n=1, order 4 (due 3). → 2.
    # day 2: IP 2+4 = 6 → n=⌊4/4⌋+1 = 2, order 8 (due 4). demand 5: 2 shipped, 3 backordered.
    # day 3: receipt 4 → serves the 3 backordered → 1. IP 1+8 = 9 → order 4 (due 5).
    #        demand: 1 shipped, 4 backordered.
    # day 4: receipt 8 → serves 4 → 4. IP 4+4 = 8 → order 4 (due 6). demand: 4 shipped, 1 short.
    # day 5: receipt 4 → serves 1 → 3. IP 3+4 = 7 → order 4 (due 7). demand: 3 shipped, 2 short.
    # Filled on arrival 5+5+2+1+4+3 = 20 of 30; backordered 3+4+1+2 = 10; short days 2,3,4,5.
    # ∫ on-hand: 9.5, 4.5, 1, 0.5, 2, 1.5 = 19.   Backorders: 3,4,1,2 over the last half of
    # days 2..5 → area 5 → shortage cost 3·5 = 15.
    result = simulate(
        build(
            "{kind: r_Q, r: 10, Q: 4}",
            initial=12,
            horizon=6,
            customer_extra=", backorder_cost_per_unit_day: 3",
        )
    )
    assert events(result, "order") == [(1.0, 4.0), (2.0, 8.0), (3.0, 4.0), (4.0, 4.0), (5.0, 4.0)]
    assert events(result, "backorder filled") == [(3.0, 3.0), (4.0, 4.0), (5.0, 1.0)]
    assert eod_on_hand(result) == [7, 2, 0, 0, 0, 0]
    assert eod_backorders(result) == [0, 0, 3, 4, 1, 2]
    k = result.kpis
    check_costs(k, on_hand_area=19.0, orders=5)
    assert k["fill_rate"] == pytest.approx(20 / 30)
    assert k["backordered_units"] == 10
    assert k["stockout_days"] == 4
    assert k["cycle_service_level"] == pytest.approx(2 / 6)
    assert k["avg_backorders"] == pytest.approx(5 / 6)
    assert k["shortage_cost"] == pytest.approx(15.0)
    assert k["total_cost"] == pytest.approx(H * 19 + 50 + 15)
    # sold = on arrival 20 + late 3+4+1 = 28 (2 still owed at the end)
    assert k["sold_units"] == 28
    assert k["revenue"] == pytest.approx(2 * 28)


def test_backorders_served_fifo_across_customers() -> None:
    # Two customers, a (3/day, 1 per unit-day) then b (2/day, 10 per unit-day), store empty.
    # s_S s=0, S=9 reviewed every 5 days: day 0 orders 9 (due 2), no other review.
    # Queue after day 0: [a3, b2]; after day 1: [a3, b2, a3, b2].
    # Day 2 receipt 9 serves a3, b2, a3 and 1 of b2 (FIFO) → queue [b1]; on-hand 0.
    # Day 2 demand: a3, b2 backordered → [b1, a3, b2].  Day 3: → [b1, a3, b2, a3, b2].
    # Shortage cost rate (Σ p·units): day 0 [0.5,1): 3+20 = 23 → 11.5; day 1: 23 for ½ day,
    # 46 for ½ → 34.5; day 2: 10 (b1 only) for ½, 10+3+20 = 33 for ½ → 21.5; day 3: 33 for ½,
    # 56 for ½ → 44.5. Total 112.  (Serving b first would leave a1 instead: a different cost.)
    text = """
name: fifo
run: {horizon_days: 4}
items: {w: {unit_cost: 365, holding_rate: 0.5}}
suppliers: {acme: {items: [w], lead_time: 2, order_cost: 10}}
stock_points:
  store: {item: w, source: acme, initial: 0, review: {every_days: 5},
          policy: {kind: s_S, s: 0, S: 9}}
customers:
  a: {buys_from: store, demand: 3, backorder_cost_per_unit_day: 1}
  b: {buys_from: store, demand: 2, backorder_cost_per_unit_day: 10}
"""
    result = simulate(jitsim.load_scenario_text(text))
    assert events(result, "order") == [(0.0, 9.0)]
    assert events(result, "backorder filled") == [(2.0, 3.0), (2.0, 2.0), (2.0, 3.0), (2.0, 1.0)]
    assert eod_on_hand(result) == [0, 0, 0, 0]
    assert eod_backorders(result) == [5, 10, 6, 11]
    k = result.kpis
    assert k["shortage_cost"] == pytest.approx(112.0)
    assert k["holding_cost"] == 0.0
    assert k["fill_rate"] == 0.0
    assert k["sold_units"] == 9
    assert k["backordered_units"] == 20


# --------------------------------------------------------------------- MOQ and lots


def test_min_order_and_lot_multiple_rounding() -> None:
    # base_stock S=13, L=1, initial 8, demand 5, MOQ 12, lot multiple 5.
    # day 0: wants 13−8 = 5 → MOQ 12 → lots ⌈12/5⌉·5 = 15 (+10 by rounding); → 3.
    # day 1: receipt 15 → 18; IP 18 > 13, nothing; → 13.   day 2: IP 13, wants 0; → 8.
    # day 3: wants 5 → 15 (+10); → 3.   day 4: receipt → 18 → 13.
    # ∫: 5.5, 15.5, 10.5, 5.5, 15.5 = 52.5.
    result = simulate(
        build(
            "{kind: base_stock, S: 13}",
            initial=8,
            lead_time="1",
            horizon=5,
            supplier_extra=", min_order: 12, lot_multiple: 5",
        )
    )
    assert events(result, "order") == [(0.0, 15.0), (3.0, 15.0)]
    assert eod_on_hand(result) == [3, 13, 8, 3, 13]
    k = result.kpis
    assert k["store.orders_rounded_up"] == 2
    assert k["store.units_added_by_rounding"] == 20
    assert k["avg_order_qty"] == 15
    check_costs(k, on_hand_area=52.5, orders=2)


@pytest.mark.parametrize(
    ("extra", "quantity", "rounded", "added"),
    [
        (", min_order: 12", 12.0, 1, 7.0),  # 5 → MOQ 12
        (", lot_multiple: 4", 8.0, 1, 3.0),  # 5 → 2 lots of 4
        (", lot_multiple: 5", 5.0, 0, 0.0),  # already a whole lot
        (", min_order: 3", 5.0, 0, 0.0),  # above the MOQ
    ],
)
def test_rounding_rules(extra: str, quantity: float, rounded: int, added: float) -> None:
    # base_stock S=15, initial 10: the day-0 review wants 5 units.
    result = simulate(
        build("{kind: base_stock, S: 15}", horizon=1, lead_time="1", supplier_extra=extra)
    )
    assert events(result, "order") == [(0.0, quantity)]
    assert result.kpis["store.orders_rounded_up"] == rounded
    assert result.kpis["store.units_added_by_rounding"] == added


# ---------------------------------------------------------------------- lost sales


def test_lost_sales() -> None:
    # s=5, S=15, L=2, initial 10, demand 5, lost sales, penalty 2 per unit lost.
    # IP = on-hand + on-order (no backorders).
    # day 0: IP 10 → 5.   day 1: IP 5 → order 10 (due 3); → 0.   day 2: IP 10; 5 lost.
    # day 3: receipt → 10; IP 10; → 5.  day 4: order 10 (due 6); → 0.  day 5: 5 lost.
    # ∫: 7.5, 2.5, 0, 7.5, 2.5, 0 = 20.
    result = simulate(
        build(
            "{kind: s_S, s: 5, S: 15}",
            horizon=6,
            unmet="lost_sale",
            customer_extra=", lost_sale_penalty: 2",
        )
    )
    assert events(result, "order") == [(1.0, 10.0), (4.0, 10.0)]
    assert events(result, "stockout") == [(2.5, 5.0), (5.5, 5.0)]
    assert eod_on_hand(result) == [5, 0, 0, 5, 0, 0]
    assert eod_backorders(result) == [0] * 6
    k = result.kpis
    assert k["lost_sales_units"] == 10
    assert k["backordered_units"] == 0
    assert k["fill_rate"] == pytest.approx(20 / 30)
    assert k["fill_rate"] + k["lost_sales_units"] / k["demand_units"] == pytest.approx(1.0)
    assert k["cycle_service_level"] == pytest.approx(4 / 6)
    assert k["shortage_cost"] == 20
    check_costs(k, on_hand_area=20.0, orders=2)


# ------------------------------------------------------------------------------ EOQ


def test_eoq_policy() -> None:
    # K=5, h=0.5, planning demand 5 → Q* = √(2·5·5/0.5) = 10.  r = μ(E[L]+R) + 0 = 5·3 = 15.
    # day 0: IP 20 → 15.   day 1: IP 15 ≤ 15 → order 10 (due 3); → 10.   day 2: IP 20 → 5.
    # day 3: receipt → 15; IP 15 → order 10 (due 5); → 10.  day 4: → 5.  day 5: as day 3.
    # ∫: 17.5, 12.5, 7.5, 12.5, 7.5, 12.5 = 70.
    result = simulate(build("{kind: eoq}", initial=20, horizon=6, order_cost=5))
    k = result.kpis
    assert k["store.eoq_order_quantity"] == 10
    assert k["store.eoq_reorder_point"] == 15
    assert k["store.eoq_safety_stock"] == 0
    assert events(result, "order") == [(1.0, 10.0), (3.0, 10.0), (5.0, 10.0)]
    assert eod_on_hand(result) == [15, 10, 5, 10, 5, 10]
    check_costs(k, on_hand_area=70.0, orders=3, order_cost=5)


# ------------------------------------------------------------------------------ JIT

# Demand 4/day with weekly factors [0.5, 1.5, 1, 1, 1, 1, 1]: days 0..5 see 2, 6, 4, 4, 4, 4
# (planning mean 4). L=1, R=1, safety 0 → cover 2 days: order up to 2·forecast rate.
# Initial stock 8. Each forecaster is worked out below.
JIT_CASES = {
    # naive (starts at the planning rate 4, then yesterday's demand):
    # d0: up-to 8, IP 8 → none; → 6 (rate 2).   d1: up-to 4, none; → 0 (rate 6).
    # d2: up-to 12 → order 12 (due 3); 4 backordered (rate 4).
    # d3: receipt 12 serves 4 → 8; up-to 8, none; → 4.  d4: IP 4 → order 4; → 0.
    # d5: receipt 4 → 4; order 4; → 0.   ∫: 7, 3, 0, 6, 2, 2 = 20.
    "{kind: naive}": ([(2.0, 12.0), (4.0, 4.0), (5.0, 4.0)], [6, 0, 0, 4, 0, 0], 20.0, 4.0),
    # moving average of 2 days (starts as [4, 4]): rates 4, 3, 4, 5, 4, 4 on days 0..5.
    # d0: up-to 8, none → 6.  d1: up-to 6, IP 6 → none → 0.  d2: up-to 8 → order 8; 4 short.
    # d3: receipt 8 serves 4 → 4; up-to 10 → order 6; → 0.
    # d4: receipt 6 → 6; up-to 8 → order 2; → 2.  d5: receipt 2 → 4; order 4; → 0.
    # ∫: 7, 3, 0, 2, 4, 2 = 18.
    "{kind: moving_average, window: 2}": (
        [(2.0, 8.0), (3.0, 6.0), (4.0, 2.0), (5.0, 4.0)],
        [6, 0, 0, 0, 2, 0],
        18.0,
        4.0,
    ),
    # exponential smoothing α=0.5 from 4: levels 4, 3, 4.5, 4.25, 4.125, 4.0625.
    # d0: up-to 8, none → 6.  d1: up-to 6, none → 0.  d2: up-to 9 → order 9; 4 short.
    # d3: receipt 9 serves 4 → 5; up-to 8.5 → order 3.5; → 1.
    # d4: receipt 3.5 → 4.5; up-to 8.25 → order 3.75; → 0.5.
    # d5: receipt 3.75 → 4.25; up-to 8.125 → order 3.875; → 0.25.
    # ∫: 7, 3, 0, 3, 2.5, 2.25 = 17.75.
    "{kind: exponential_smoothing, alpha: 0.5}": (
        [(2.0, 9.0), (3.0, 3.5), (4.0, 3.75), (5.0, 3.875)],
        [6, 0, 0, 1, 0.5, 0.25],
        17.75,
        4.0,
    ),
    # oracle, cv 0: rate = (demand of days t and t+1)/2, so up-to = d_t + d_{t+1}
    # (day 5: only day 5 is known, scaled to 2 days → 8).  Up-to levels 8, 10, 8, 8, 8, 8.
    # d0: IP 8 → none → 6.  d1: order 4 → 0.  d2..d5: receipt 4, order 4, → 0.  No shortage.
    # ∫: 7, 3, 2, 2, 2, 2 = 18.
    "{kind: oracle, cv: 0}": (
        [(1.0, 4.0), (2.0, 4.0), (3.0, 4.0), (4.0, 4.0), (5.0, 4.0)],
        [6, 0, 0, 0, 0, 0],
        18.0,
        0.0,
    ),
}


@pytest.mark.parametrize("forecast", list(JIT_CASES))
def test_jit_forecasters(forecast: str) -> None:
    orders, ends, area, short = JIT_CASES[forecast]
    result = simulate(
        build(
            f"{{kind: jit, forecast: {forecast}}}",
            initial=8,
            demand="4",
            lead_time="1",
            horizon=6,
            customer_extra=", seasonality: {weekly: [0.5, 1.5, 1, 1, 1, 1, 1]}",
        )
    )
    assert [q for _, q in events(result, "demand")] == [2, 6, 4, 4, 4, 4]
    assert events(result, "order") == orders
    assert eod_on_hand(result) == ends
    k = result.kpis
    assert k["backordered_units"] == short
    assert k["fill_rate"] == pytest.approx((24 - short) / 24)
    assert k["store.jit_cover_days"] == 2
    check_costs(k, on_hand_area=area, orders=len(orders))


def test_jit_safety_days() -> None:
    # Naive JIT, constant demand 5, L=2, R=1, safety 1 day → cover 4 → order up to 20.
    # d0: IP 10 → order 10 (due 2); → 5.   d1: IP 15 → order 5 (due 3); → 0.
    # d2: receipt 10 → 10; IP 15 → order 5; → 5.  d3, d4: receipt 5 → 10, order 5, → 5.
    # ∫: 7.5, 2.5, 7.5, 7.5, 7.5 = 32.5.
    result = simulate(build("{kind: jit, forecast: {kind: naive}, safety_days: 1}", horizon=5))
    assert events(result, "order") == [(0.0, 10.0), (1.0, 5.0), (2.0, 5.0), (3.0, 5.0), (4.0, 5.0)]
    assert eod_on_hand(result) == [5, 0, 5, 5, 5]
    assert result.kpis["store.jit_cover_days"] == 4
    check_costs(result.kpis, on_hand_area=32.5, orders=5)


# --------------------------------------------------------------------------- kanban


def test_kanban() -> None:
    # 3 cards × 5 units (loop 15), L=1, initial 10, demand 3, daily review.
    # Cards to send = ⌊(15 − IP)/5⌋.
    # d0: IP 10 → 1 card, order 5 (due 1); → 7.   d1: receipt → 12; ⌊3/5⌋ = 0; → 9.
    # d2: IP 9 → order 5; → 6.   d3: receipt → 11; none; → 8.   d4: IP 8 → order 5; → 5.
    # d5: receipt → 10; IP 10 → order 5; → 7.
    # ∫: 8.5, 10.5, 7.5, 9.5, 6.5, 8.5 = 51.
    result = simulate(
        build("{kind: kanban, cards: 3, container_size: 5}", demand="3", lead_time="1", horizon=6)
    )
    assert events(result, "order") == [(0.0, 5.0), (2.0, 5.0), (4.0, 5.0), (5.0, 5.0)]
    assert eod_on_hand(result) == [7, 9, 6, 8, 5, 7]
    assert result.kpis["store.kanban_loop_units"] == 15
    check_costs(result.kpis, on_hand_area=51.0, orders=4)


# ---------------------------------------------------------------------- two echelons

TWO_ECHELON = """
name: two echelons
run: {horizon_days: 6}
items: {w: {unit_cost: 365, holding_rate: 0.5}}
suppliers: {acme: {items: [w], lead_time: 2, order_cost: 10}}
stock_points:
  dc: {item: w, source: acme, initial: 5, policy: {kind: s_S, s: 10, S: 25}}
  store: {item: w, source: dc, lead_time: 1, initial: 5, policy: {kind: base_stock, S: 12}}
customers:
  c: {buys_from: store, demand: 5}
"""


def test_two_echelon_dc_sees_store_orders_same_day() -> None:
    # Store: base-stock 12 fed by the DC (transport 1 day); DC: (s,S) = (10, 25), L=2.
    # Reviews downstream first, so the DC sees today's store order before its own review.
    # day 0: store IP 5 → order 7; DC ships its 5 (arrive day 1), backorders 2; DC IP
    #        0 − 2 = −2 → order 27 (due 2). Store demand → 0.
    # day 1: store receipt 5 → 5; IP 5 + 2 = 7 → order 5, DC backorders it (owes 7);
    #        DC IP 27 − 7 = 20 > 10. Store demand → 0.
    # day 2: DC receipt 27 serves 2 then 5 (FIFO, arrive day 3) → 20; store IP 0 + 7 → order
    #        5, shipped → DC 15; DC IP 15 > 10. Store demand 5 → backordered.
    # day 3: store receives 2 + 5 + 5 = 12, serves 5 → 7; order 5 → DC 10; DC IP 10 → order
    #        15 (due 5). Store → 2.
    # day 4: store +5 → 7; order 5 → DC 5; DC IP 20. Store → 2.
    # day 5: DC +15 → 20; store +5 → 7, order 5 → DC 15. Store → 2.
    # DC on-hand is constant within each day: ∫ = 0+0+15+10+5+15 = 45.
    # Store ∫: 2.5, 2.5, 0, 4.5, 4.5, 4.5 = 18.5.
    result = simulate(jitsim.load_scenario_text(TWO_ECHELON))
    store_orders = [(0.0, 7.0), (1.0, 5.0), (2.0, 5.0), (3.0, 5.0), (4.0, 5.0), (5.0, 5.0)]
    assert events(result, "order", "store") == store_orders
    assert events(result, "demand", "dc") == store_orders
    assert events(result, "order", "dc") == [(0.0, 27.0), (3.0, 15.0)]
    assert events(result, "backorder filled", "dc") == [(2.0, 2.0), (2.0, 5.0)]
    assert sorted(events(result, "receipt", "store")) == [
        (1.0, 5.0),
        (3.0, 2.0),
        (3.0, 5.0),
        (3.0, 5.0),
        (4.0, 5.0),
        (5.0, 5.0),
    ]
    assert eod_on_hand(result, "dc") == [0, 0, 15, 10, 5, 15]
    assert eod_backorders(result, "dc") == [2, 7, 0, 0, 0, 0]
    assert eod_on_hand(result, "store") == [0, 0, 0, 2, 2, 2]
    assert eod_backorders(result, "store") == [0, 0, 5, 0, 0, 0]
    k = result.kpis
    assert k["dc.demand_units"] == 32
    assert k["dc.fill_rate"] == pytest.approx(25 / 32)
    assert k["dc.backordered_units"] == 7
    assert k["dc.cycle_service_level"] == pytest.approx(4 / 6)
    assert k["store.fill_rate"] == pytest.approx(25 / 30)
    assert k["fill_rate"] == pytest.approx(25 / 30)
    assert k["dc.holding_cost"] == pytest.approx(H * 45)
    assert k["store.holding_cost"] == pytest.approx(H * 18.5)
    assert k["holding_cost"] == pytest.approx(H * 63.5)
    assert k["dc.ordering_cost"] == 20
    assert k["store.ordering_cost"] == 0  # internal lane without an order cost
    assert k["orders_placed"] == 8


# -------------------------------------------------------------------------- warm-up


def test_warmup_counts_only_the_window() -> None:
    # test_s_S_periodic with warm-up 3: the window is days 3..7 (5 days). The snapshot of
    # day 2 is taken before the reset, so end-of-day levels counted are days 3..7: 0, 15,
    # 10, 5, 0. Orders in the window: only day 6 (day 2's arrives on day 4 but is not
    # counted). Demand 25. ∫ on-hand over days 3..7: 2.5 + 17.5 + 12.5 + 7.5 + 2.5 = 42.5.
    result = simulate(build("{kind: s_S, s: 10, S: 30}", initial=20, warmup=3))
    assert events(result, "order") == [(2.0, 20.0), (6.0, 20.0)]  # the trace keeps all
    k = result.kpis
    assert k["window_days"] == 5
    assert k["demand_units"] == 25
    assert k["store.avg_on_hand_eod"] == pytest.approx(30 / 5)
    check_costs(k, on_hand_area=42.5, orders=1)
    assert k["store.purchase_cost"] == 20 * 365
    assert k["ready_rate"] == pytest.approx(4 / 5)


# ------------------------------------------------------------------------------ cash


@pytest.mark.parametrize("title", ["receipt", "shipment"])
def test_cash_tied_up(title: str) -> None:
    # s=10, S=30, L=2, initial 10, demand 5, horizon 4, unit cost 365.
    # day 0: IP 10 → order 20 (due 2); → 5.  day 1: IP 25; → 0.  day 2: receipt 20; → 15.
    # day 3: → 10.  No other order.
    # title at receipt: cash = on-hand: 10 on [0, .5), 5 on [.5, 1.5), 0 on [1.5, 2),
    #   20 on [2, 2.5), 15 on [2.5, 3.5), 10 on [3.5, 4) → area 40, mean 10, peak 20 (at t=2).
    # title at shipment: + 20 in transit on [0, 2) → 30, 25, 20, 20, 15, 10 → area 80,
    #   mean 20, peak 30 (right after the shipment at t=0).
    result = simulate(
        build(
            "{kind: s_S, s: 10, S: 30}",
            horizon=4,
            supplier_extra=f", title_transfer: {title}",
        )
    )
    assert events(result, "order") == [(0.0, 20.0)]
    transit = 20 if title == "shipment" else 0
    cash = [row[4] for row in result.trajectories["store"]]
    assert cash == [365 * (5 + transit), 365 * (0 + transit), 365 * 15, 365 * 10]
    k = result.kpis
    mean, peak = (20, 30) if title == "shipment" else (10, 20)
    assert k["avg_cash_tied_up"] == pytest.approx(365 * mean)
    assert k["store.peak_cash_tied_up"] == pytest.approx(365 * peak)
    assert k["peak_cash_tied_up"] == pytest.approx(365 * peak)


# ------------------------------------------------------------------ supplier capacity


@pytest.mark.parametrize("lead_time", [1, 0])
def test_supplier_capacity_delays_shipment(lead_time: int) -> None:
    # s=5, S=25, initial 10, demand 5, supplier ships at most 8 units a day.
    # day 0: IP 10 → 5.
    # day 1: IP 5 → order 20: 8 units of day 1's capacity, 8 of day 2's, 4 of day 3's →
    #        ships complete on day 3 (phase 2), arrives day 3 + L. → 0.
    # day 2: IP 20, 5 backordered.
    # L=1: day 3: IP 15, 5 more backordered (10). day 4: receipt 20 serves 10 → 10; → 5.
    #      day 5: IP 5 → order 20 (ships day 7). → 0.
    #      ∫: 7.5, 2.5, 0, 0, 7.5, 2.5 = 20; backorders 5 on [2.5, 3.5), 10 on [3.5, 4) → 10.
    # L=0: day 3: receipt 20 in phase 2 (after the day-2 snapshot) serves 5 → 15; → 10.
    #      day 4: → 5.  day 5: IP 5 → order 20. → 0.
    #      ∫: 7.5, 2.5, 0, 12.5, 7.5, 2.5 = 32.5; backorders 5 on [2.5, 3) → 2.5.
    result = simulate(
        build(
            "{kind: s_S, s: 5, S: 25}",
            lead_time=str(lead_time),
            horizon=6,
            supplier_extra=", capacity_per_day: 8",
        )
    )
    assert events(result, "order") == [(1.0, 20.0), (5.0, 20.0)]
    k = result.kpis
    if lead_time == 1:
        assert events(result, "receipt") == [(4.0, 20.0)]
        assert eod_on_hand(result) == [5, 0, 0, 0, 5, 0]
        assert eod_backorders(result) == [0, 0, 5, 10, 0, 0]
        area, backorder_area = 20.0, 10.0
    else:
        assert events(result, "receipt") == [(3.0, 20.0)]
        assert eod_on_hand(result) == [5, 0, 0, 10, 5, 0]
        assert eod_backorders(result) == [0, 0, 5, 0, 0, 0]
        area, backorder_area = 32.5, 2.5
    assert k["avg_backorders"] == pytest.approx(backorder_area / 6)
    check_costs(k, on_hand_area=area, orders=2)


def test_capacity_queue_is_first_come_first_served() -> None:
    # base_stock S=30, L=1, capacity 8/day, initial 0, demand 5 (backordered).
    # day 0: order 30 uses 8+8+8 of days 0-2 and 6 of day 3 → ships day 3, due 4. 5 short.
    # day 1: IP 30 − 5 = 25 → order 5: queued behind, 2 left on day 3 + 3 of day 4 →
    #        ships day 4, due 5.  day 2: IP 25 → order 5: the last 5 of day 4 → ships day 4,
    #        due 5.  day 3: IP 25 → order 5: day 5 (3 left) → due 6.
    # day 4: receipt 30 serves the 20 backordered → 10; IP 10 + 15 = 25 → order 5: 3 left
    #        on day 5 + 2 of day 6 → due 7.  → 5.
    # day 5: receipts 5 + 5 → 15; IP 25 → order 5 (day 6, due 7). → 10.
    result = simulate(
        build(
            "{kind: base_stock, S: 30}",
            initial=0,
            lead_time="1",
            horizon=6,
            supplier_extra=", capacity_per_day: 8",
        )
    )
    assert events(result, "order") == [(0.0, 30.0)] + [(float(d), 5.0) for d in range(1, 6)]
    assert events(result, "receipt") == [(4.0, 30.0), (5.0, 5.0), (5.0, 5.0)]
    assert eod_on_hand(result) == [0, 0, 0, 0, 5, 10]
    assert eod_backorders(result) == [5, 10, 15, 20, 0, 0]


def test_no_nan_in_deterministic_record() -> None:
    result = simulate(build("{kind: s_S, s: 10, S: 30}", initial=20))
    # weekly variances need two full weeks (the run has 8 days): NaN by definition
    weekly = ("bullwhip_ratio", "order_variance_weekly", "demand_variance_weekly")
    bad = [
        k
        for k, v in result.kpis.items()
        if isinstance(v, float) and math.isnan(v) and not k.endswith(weekly)
    ]
    assert bad == []
