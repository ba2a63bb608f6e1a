"""The fast engine's day loop compiled with numba: one replication at a time, for the kernel scope.

:meth:`Engine.run <jitsim.fast.engine.Engine.run>` advances a block of replications in
lockstep with about a hundred numpy operations per simulated day, each over a few thousand
values: the loop is bound by the number of array operations, not by arithmetic. Here the same
day loop is one compiled function that walks the replications one after the other, each with
plain scalars, which is an order of magnitude faster.

It runs the *kernel scope* (:func:`jitsim.fast.scope.kernel_scope`), a subset of the fast
engine's: stock points each bought from a supplier (no stock point feeds another, no backup,
no expediting, no supplier capacity), policies that order on the inventory position alone
(s_S, base_stock, r_Q, eoq, kanban), MOQ and lot multiple, either title transfer, any number
of customers per point, backorders or lost sales, warm-up, any review period and offset, zero
lead times.

The result is bit-identical to the numpy day loop (and so to the SimPy engine): every
floating-point operation of a replication is done in the same order as
:class:`~jitsim.fast.engine.Engine` does it for that replication — ``np.where`` becomes an
``if``, the ``- 0.0`` of the revenue stays, the 1e-9 thresholds are the same — and numba is
never asked for ``fastmath``. The random numbers are the Engine's own pre-drawn arrays and the
counters are written back into its :class:`~jitsim.fast.state.PointArrays` and
:class:`~jitsim.fast.state.CustomerArrays`, so :func:`jitsim.fast.records.records` reads them
unchanged.

This module imports numba; it is imported lazily, only when the kernel runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from jitsim.fast.state import CUSTOMER_COUNTS, CUSTOMER_FLOATS, POINT_COUNTS, POINT_FLOATS
from jitsim.policies.classic import Kanban, OrderUpTo, ReorderPointQuantity

if TYPE_CHECKING:
    from jitsim.fast.engine import Engine

# The kernel's own layout of a stock point's floats. It is spelled out here rather than read
# from state.py because numba's on-disk cache is keyed on this file only: a layout taken from
# another module could change under a cached kernel. The levels come first (kept at the end of
# warm-up); the import-time check below fails if state.py gains or loses a field.
_FLOATS = (
    "on_hand",
    "on_order",
    "owned_transit",
    "backorders",
    "customer_backorders",
    "shortage_rate",
    "last_time",
    "area_on_hand",
    "area_on_order",
    "area_backorders",
    "area_customer_backorders",
    "area_ready",
    "area_cash",
    "area_shortage_cost",
    "demand_units",
    "filled_on_arrival",
    "shipped_units",
    "lost_units",
    "backordered_units",
    "ordered_units",
    "rounding_units",
    "ordering_cost",
    "purchase_cost",
    "bought_units",
    "expedited_units",
    "expedite_cost",
    "units_from_backup",
    "eod_on_hand",
    "eod_on_order",
    "eod_backorders",
    "eod_customer_backorders",
    "eod_cash",
    "eod_shortage_cost",
    "peak_cash",
    "day_demand",
    "ordered_mark",
    "demand_mark",
    "order_mean",
    "order_m2",
    "demand_mean",
    "demand_m2",
)
(
    ON_HAND,
    ON_ORDER,
    OWNED_TRANSIT,
    BACKORDERS,
    CUSTOMER_BACKORDERS,
    SHORTAGE_RATE,
    LAST_TIME,
    AREA_ON_HAND,
    AREA_ON_ORDER,
    AREA_BACKORDERS,
    AREA_CUSTOMER_BACKORDERS,
    AREA_READY,
    AREA_CASH,
    AREA_SHORTAGE_COST,
    DEMAND_UNITS,
    FILLED_ON_ARRIVAL,
    SHIPPED_UNITS,
    LOST_UNITS,
    BACKORDERED_UNITS,
    ORDERED_UNITS,
    ROUNDING_UNITS,
    ORDERING_COST,
    PURCHASE_COST,
    BOUGHT_UNITS,
    EXPEDITED_UNITS,
    EXPEDITE_COST,
    UNITS_FROM_BACKUP,
    EOD_ON_HAND,
    EOD_ON_ORDER,
    EOD_BACKORDERS,
    EOD_CUSTOMER_BACKORDERS,
    EOD_CASH,
    EOD_SHORTAGE_COST,
    PEAK_CASH,
    DAY_DEMAND,
    ORDERED_MARK,
    DEMAND_MARK,
    ORDER_MEAN,
    ORDER_M2,
    DEMAND_MEAN,
    DEMAND_M2,
) = range(len(_FLOATS))
#: Floats kept at the end of warm-up: the first seven (the levels and the clock).
LEVELS = 7
_COUNTS = (
    "demand_orders",
    "orders_complete",
    "orders_placed",
    "rounded_orders",
    "expedited_orders",
    "orders_to_backup",
    "days",
    "stockout_days",
)
(
    P_DEMAND_ORDERS,
    P_ORDERS_COMPLETE,
    P_ORDERS_PLACED,
    P_ROUNDED_ORDERS,
    P_EXPEDITED_ORDERS,
    P_ORDERS_TO_BACKUP,
    P_DAYS,
    P_STOCKOUT_DAYS,
) = range(len(_COUNTS))
_CUSTOMER_FLOATS = (
    "demand_units",
    "filled_on_arrival",
    "late_units",
    "backordered_units",
    "lost_units",
    "revenue",
)
C_DEMAND_UNITS, C_FILLED, C_LATE_UNITS, C_BACKORDERED, C_LOST, C_REVENUE = range(6)
_CUSTOMER_COUNTS = ("demand_orders", "orders_complete", "days", "stockout_days")
C_DEMAND_ORDERS, C_ORDERS_COMPLETE, C_DAYS, C_STOCKOUT_DAYS = range(4)

if (
    set(_FLOATS) != set(POINT_FLOATS)
    or _FLOATS[:LEVELS] != POINT_FLOATS[:LEVELS]
    or set(_COUNTS) != set(POINT_COUNTS)
    or set(_CUSTOMER_FLOATS) != set(CUSTOMER_FLOATS)
    or set(_CUSTOMER_COUNTS) != set(CUSTOMER_COUNTS)
):  # pragma: no cover - a guard for whoever changes state.py
    raise ImportError("jitsim.fast.kernel's layout no longer matches jitsim.fast.state")

#: Policy codes of the kernel (``_order_quantity``).
ALWAYS, S_S, R_Q, KANBAN = range(4)


# -- one replication's events (each the scalar form of an Engine method) -------------------


@njit(cache=True)
def _advance(pf: np.ndarray, r: int, p: int, unit_cost: float, now: float) -> None:
    """PointArrays.advance for stock point ``p`` of replication ``r``."""
    elapsed = now - pf[r, p, LAST_TIME]
    if not elapsed > 0.0:
        return
    on_hand = pf[r, p, ON_HAND]
    pf[r, p, AREA_ON_HAND] += on_hand * elapsed
    pf[r, p, AREA_ON_ORDER] += pf[r, p, ON_ORDER] * elapsed
    pf[r, p, AREA_BACKORDERS] += pf[r, p, BACKORDERS] * elapsed
    pf[r, p, AREA_CUSTOMER_BACKORDERS] += pf[r, p, CUSTOMER_BACKORDERS] * elapsed
    pf[r, p, AREA_CASH] += (on_hand + pf[r, p, OWNED_TRANSIT]) * unit_cost * elapsed
    pf[r, p, AREA_SHORTAGE_COST] += pf[r, p, SHORTAGE_RATE] * elapsed
    pf[r, p, AREA_READY] += elapsed if on_hand > 0.0 else 0.0
    pf[r, p, LAST_TIME] = now


@njit(cache=True)
def _note_network_cash(pf: np.ndarray, r: int, unit_cost: np.ndarray, net: np.ndarray) -> None:
    """Engine.note_network_cash: the sum over stock points in the scenario's order."""
    total = 0.0
    for p in range(pf.shape[1]):
        total = total + (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[p]
    if total > net[0]:
        net[0] = total


@njit(cache=True)
def _note_cash(pf: np.ndarray, r: int, p: int, unit_cost: np.ndarray, net: np.ndarray) -> None:
    """Engine.note_cash for stock point ``p`` of replication ``r``."""
    cash = (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[p]
    if cash > pf[r, p, PEAK_CASH]:
        pf[r, p, PEAK_CASH] = cash
    _note_network_cash(pf, r, unit_cost, net)


@njit(cache=True)
def _receive(
    pf: np.ndarray,
    cf: np.ndarray,
    r: int,
    p: int,
    units: float,
    now: float,
    unit_cost: np.ndarray,
    owned: np.ndarray,
    net: np.ndarray,
    queue_units: np.ndarray,
    queue_customer: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    backorder_cost: np.ndarray,
    price: np.ndarray,
) -> None:
    """Engine.receive, then Engine.serve_backorders (FIFO) where someone waits."""
    _advance(pf, r, p, unit_cost[p], now)
    pf[r, p, ON_ORDER] -= units
    if owned[p]:
        pf[r, p, OWNED_TRANSIT] -= units
    pf[r, p, ON_HAND] += units
    if head[p] < tail[p]:
        while head[p] < tail[p] and pf[r, p, ON_HAND] > 0.0:
            h = head[p]
            owed = queue_units[p, h]
            on_hand = pf[r, p, ON_HAND]
            served = owed if owed <= on_hand else on_hand
            pf[r, p, ON_HAND] = on_hand - served
            pf[r, p, BACKORDERS] -= served
            pf[r, p, SHIPPED_UNITS] += served
            who = queue_customer[p, h]  # always a customer: no stock point feeds another
            pf[r, p, CUSTOMER_BACKORDERS] -= served
            pf[r, p, SHORTAGE_RATE] -= backorder_cost[who] * served
            cf[r, who, C_LATE_UNITS] += served
            cf[r, who, C_REVENUE] += price[who] * served - 0.0
            if served < owed:
                queue_units[p, h] = owed - served
            else:
                head[p] = h + 1
        if head[p] == tail[p]:
            pf[r, p, BACKORDERS] = 0.0
            pf[r, p, CUSTOMER_BACKORDERS] = 0.0
            pf[r, p, SHORTAGE_RATE] = 0.0
    _note_cash(pf, r, p, unit_cost, net)


@njit(cache=True)
def _order_quantity(kind: int, a: float, b: float, position: float) -> float:
    """lanes.order_quantities for one replication (``a``, ``b``: S and s, r and Q, or the
    kanban loop and container size)."""
    if kind == ALWAYS:
        return a - position
    if kind == S_S:
        return a - position if position <= b else 0.0
    if kind == R_Q:
        if position > a:
            return 0.0
        return (np.floor((a - position) / b) + 1.0) * b
    free = np.floor((a - position) / b)
    return (free if free > 0.0 else 0.0) * b


@njit(cache=True)
def _day_loop(
    start: int,
    horizon: int,
    warmup: int,
    pf: np.ndarray,
    pc: np.ndarray,
    cf: np.ndarray,
    cc: np.ndarray,
    days: np.ndarray,
    days_all_met: np.ndarray,
    peak_cash: np.ndarray,
    weeks_out: np.ndarray,
    demand: np.ndarray,
    leads: np.ndarray,
    lead_width: np.ndarray,
    overflow: np.ndarray,
    is_review: np.ndarray,
    review_order: np.ndarray,
    policy_kind: np.ndarray,
    policy_a: np.ndarray,
    policy_b: np.ndarray,
    unit_cost: np.ndarray,
    owned: np.ndarray,
    min_order: np.ndarray,
    lot: np.ndarray,
    order_cost: np.ndarray,
    unit_price: np.ndarray,
    buys_from: np.ndarray,
    price: np.ndarray,
    backorders: np.ndarray,
    backorder_cost: np.ndarray,
    queue_size: int,
) -> int:  # pragma: no cover - compiled; tested against the numpy day loop
    """Engine.run for the replications of the block from ``start`` on, one after the other;
    returns where it stopped: the block's size, or the first replication whose lane
    ``overflow[0]`` ran out of drawn lead times (its counters are half-way then).

    ``pf`` (replications, points, floats) and ``pc`` (replications, points, counts)
    hold the stock points' counters in the kernel's layout, ``cf`` and ``cc`` the
    customers'; they come in at their initial values and leave finished. ``demand`` is
    (customers, replications, horizon), ``leads`` (points, replications, shipments), of
    which the first ``lead_width[p]`` are drawn for point ``p``.
    ``lot`` is 0 where a lane has no lot multiple.
    """
    n = pf.shape[0]
    points = pf.shape[1]
    customers = cf.shape[1]
    # per replication scratch, reused
    queue_units = np.zeros((points, queue_size))
    queue_customer = np.zeros((points, queue_size), dtype=np.int64)
    head = np.zeros(points, dtype=np.int64)
    tail = np.zeros(points, dtype=np.int64)
    day_short = np.zeros(points, dtype=np.bool_)
    customer_short = np.zeros(customers, dtype=np.bool_)
    shipments = np.zeros(points, dtype=np.int64)
    weeks = np.zeros(points, dtype=np.int64)
    week_days_left = np.zeros(points, dtype=np.int64)
    # deliveries on the way, in the order they were scheduled (the calendar's order)
    pending = leads.shape[2] * points + 1
    due_day = np.zeros(pending, dtype=np.int64)
    due_point = np.zeros(pending, dtype=np.int64)
    due_units = np.zeros(pending)
    net = np.zeros(1)
    for r in range(start, n):
        head[:] = 0
        tail[:] = 0
        day_short[:] = False
        customer_short[:] = False
        shipments[:] = 0
        weeks[:] = 0
        week_days_left[:] = 7
        waiting = 0
        net[0] = peak_cash[r]
        for day in range(horizon + 1):
            now = float(day)
            if day > 0:  # Engine.end_of_day
                any_short = False
                for c in range(customers):
                    any_short |= customer_short[c]
                    cc[r, c, C_DAYS] += 1
                    cc[r, c, C_STOCKOUT_DAYS] += customer_short[c]
                    customer_short[c] = False
                days[r] += 1
                days_all_met[r] += not any_short
                for p in range(points):
                    pc[r, p, P_DAYS] += 1
                    pf[r, p, EOD_ON_HAND] += pf[r, p, ON_HAND]
                    pf[r, p, EOD_ON_ORDER] += pf[r, p, ON_ORDER]
                    pf[r, p, EOD_BACKORDERS] += pf[r, p, BACKORDERS]
                    pf[r, p, EOD_CUSTOMER_BACKORDERS] += pf[r, p, CUSTOMER_BACKORDERS]
                    pf[r, p, EOD_SHORTAGE_COST] += pf[r, p, SHORTAGE_RATE]
                    pf[r, p, EOD_CASH] += (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[
                        p
                    ]
                    pc[r, p, P_STOCKOUT_DAYS] += day_short[p]
                    pf[r, p, DAY_DEMAND] = 0.0
                    day_short[p] = False
                    week_days_left[p] -= 1
                    if week_days_left[p] == 0:  # a week ends (WeeklyVariances.close)
                        week_days_left[p] = 7
                        ordered = pf[r, p, ORDERED_UNITS] + 0.0  # nothing expedited
                        week_ordered = ordered - pf[r, p, ORDERED_MARK]
                        week_demand = pf[r, p, DEMAND_UNITS] - pf[r, p, DEMAND_MARK]
                        pf[r, p, ORDERED_MARK] = ordered
                        pf[r, p, DEMAND_MARK] = pf[r, p, DEMAND_UNITS]
                        weeks[p] += 1
                        count = weeks[p]
                        delta = week_ordered - pf[r, p, ORDER_MEAN]
                        pf[r, p, ORDER_MEAN] += delta / count
                        pf[r, p, ORDER_M2] += delta * (week_ordered - pf[r, p, ORDER_MEAN])
                        delta = week_demand - pf[r, p, DEMAND_MEAN]
                        pf[r, p, DEMAND_MEAN] += delta / count
                        pf[r, p, DEMAND_M2] += delta * (week_demand - pf[r, p, DEMAND_MEAN])
            if day == warmup:  # Engine.reset
                days[r] = 0
                days_all_met[r] = 0
                for p in range(points):
                    _advance(pf, r, p, unit_cost[p], now)
                    for f in range(LEVELS, pf.shape[2]):
                        pf[r, p, f] = 0.0
                    for f in range(pc.shape[2]):
                        pc[r, p, f] = 0
                    pf[r, p, PEAK_CASH] = (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[
                        p
                    ]
                    day_short[p] = False
                    weeks[p] = 0
                    week_days_left[p] = 7
                for c in range(customers):
                    for f in range(cf.shape[2]):
                        cf[r, c, f] = 0.0
                    for f in range(cc.shape[2]):
                        cc[r, c, f] = 0
                    customer_short[c] = False
                net[0] = 0.0
                _note_network_cash(pf, r, unit_cost, net)
            if day == horizon:
                break
            # Engine.receipts: today's deliveries in the order they were scheduled (a receipt
            # schedules nothing: no stock point ships to another in the kernel scope)
            kept = 0
            for i in range(waiting):
                if due_day[i] == day:
                    _receive(
                        pf, cf, r, due_point[i], due_units[i], now, unit_cost, owned, net,
                        queue_units, queue_customer, head, tail, backorder_cost, price,
                    )  # fmt: skip
                else:
                    due_day[kept] = due_day[i]
                    due_point[kept] = due_point[i]
                    due_units[kept] = due_units[i]
                    kept += 1
            waiting = kept
            # Engine.review, downstream first (all points are alike here: scenario order)
            for p in review_order:
                if not is_review[p, day]:
                    continue
                position = pf[r, p, ON_HAND] + pf[r, p, ON_ORDER] - pf[r, p, BACKORDERS]
                wanted = _order_quantity(policy_kind[p], policy_a[p], policy_b[p], position)
                if not wanted > 1e-9:
                    continue
                # Engine.order_over: round_order, then send_order and ship
                quantity = min_order[p] if wanted < min_order[p] else wanted
                if lot[p] > 0.0:
                    quantity = np.ceil(quantity / lot[p] - 1e-9) * lot[p]
                pf[r, p, PURCHASE_COST] += unit_price[p] * quantity
                pf[r, p, BOUGHT_UNITS] += quantity
                _advance(pf, r, p, unit_cost[p], now)
                pf[r, p, ON_ORDER] += quantity
                if shipments[p] >= lead_width[p]:  # the caller draws more, then resumes
                    overflow[0] = p
                    return r
                lead = leads[p, r, shipments[p]]
                shipments[p] += 1
                if owned[p]:  # take_title
                    _advance(pf, r, p, unit_cost[p], now)
                    pf[r, p, OWNED_TRANSIT] += quantity
                    _note_cash(pf, r, p, unit_cost, net)
                due = now + lead
                if due <= now:  # received at once (Calendar.deliver)
                    _receive(
                        pf, cf, r, p, quantity, now, unit_cost, owned, net,
                        queue_units, queue_customer, head, tail, backorder_cost, price,
                    )  # fmt: skip
                else:
                    due_day[waiting] = int(due)
                    due_point[waiting] = p
                    due_units[waiting] = quantity
                    waiting += 1
                if quantity > wanted + 1e-9:
                    pc[r, p, P_ROUNDED_ORDERS] += 1
                    pf[r, p, ROUNDING_UNITS] += quantity - wanted
                pc[r, p, P_ORDERS_PLACED] += 1
                pf[r, p, ORDERED_UNITS] += quantity
                pf[r, p, ORDERING_COST] += order_cost[p]
            # Engine.customer_demand: each customer's order at noon, in the scenario's order
            noon = now + 0.5
            for c in range(customers):
                quantity = demand[c, r, day]
                if not quantity > 0.0:
                    continue
                p = buys_from[c]
                _advance(pf, r, p, unit_cost[p], noon)
                pf[r, p, DAY_DEMAND] += quantity
                pf[r, p, DEMAND_UNITS] += quantity
                pc[r, p, P_DEMAND_ORDERS] += 1
                on_hand = pf[r, p, ON_HAND]
                filled = quantity if quantity <= on_hand else on_hand
                pf[r, p, ON_HAND] = on_hand - filled
                pf[r, p, FILLED_ON_ARRIVAL] += filled
                pf[r, p, SHIPPED_UNITS] += filled
                short = quantity - filled
                cf[r, c, C_DEMAND_UNITS] += quantity
                cc[r, c, C_DEMAND_ORDERS] += 1
                cf[r, c, C_FILLED] += filled
                cf[r, c, C_REVENUE] += price[c] * filled - 0.0
                if not short > 0.0:
                    pc[r, p, P_ORDERS_COMPLETE] += 1
                    cc[r, c, C_ORDERS_COMPLETE] += 1
                    continue
                day_short[p] = True
                customer_short[c] = True
                if backorders[c]:
                    pf[r, p, BACKORDERED_UNITS] += short
                    pf[r, p, BACKORDERS] += short
                    pf[r, p, CUSTOMER_BACKORDERS] += short
                    pf[r, p, SHORTAGE_RATE] += backorder_cost[c] * short
                    queue_units[p, tail[p]] = short
                    queue_customer[p, tail[p]] = c
                    tail[p] += 1
                    cf[r, c, C_BACKORDERED] += short
                else:
                    pf[r, p, LOST_UNITS] += short
                    cf[r, c, C_LOST] += short
        for p in range(points):
            _advance(pf, r, p, unit_cost[p], float(horizon))
        peak_cash[r] = net[0]
        weeks_out[:, 0] = weeks
        weeks_out[:, 1] = week_days_left
    return n


def _policy_code(policy: object) -> tuple[int, float, float]:
    """The kernel's code and two parameters of a runtime policy (``_order_quantity``)."""
    if isinstance(policy, OrderUpTo):
        if policy.always:
            return ALWAYS, float(policy.S), 0.0
        return S_S, float(policy.S), float(policy.s)
    if isinstance(policy, ReorderPointQuantity):  # (r,Q) and EOQ
        return R_Q, float(policy.r), float(policy.Q)
    if isinstance(policy, Kanban):  # the loop computed as lanes.order_quantities does
        return KANBAN, float(policy.cards * policy.container_size), float(policy.container_size)
    raise TypeError(f"the compiled day loop has no form of {type(policy).__name__}")


def run_kernel(engine: Engine) -> None:
    """Simulate ``engine``'s block with the compiled day loop, leaving the same counters in
    its arrays as :meth:`Engine.run <jitsim.fast.engine.Engine.run>` would.

    Parameters
    ----------
    engine : Engine
        A fresh engine (nothing run yet) of a scenario in the kernel scope
        (:func:`jitsim.fast.scope.kernel_scope` is None).
    """
    names = list(engine.points)
    points = [engine.points[name] for name in names]
    customers = list(engine.customers.values())
    n = engine.n
    pf = np.empty((n, len(points), len(_FLOATS)))
    pc = np.empty((n, len(points), len(_COUNTS)), dtype=np.int64)
    for p, point in enumerate(points):
        for f, name in enumerate(_FLOATS):
            pf[:, p, f] = getattr(point, name)
        for f, name in enumerate(_COUNTS):
            pc[:, p, f] = getattr(point, name)
    cf = np.empty((n, len(customers), len(_CUSTOMER_FLOATS)))
    cc = np.empty((n, len(customers), len(_CUSTOMER_COUNTS)), dtype=np.int64)
    for c, customer in enumerate(customers):
        for f, name in enumerate(_CUSTOMER_FLOATS):
            cf[:, c, f] = getattr(customer, name)
        for f, name in enumerate(_CUSTOMER_COUNTS):
            cc[:, c, f] = getattr(customer, name)
    horizon = engine.horizon
    is_review = np.zeros((len(points), max(horizon, 1)), dtype=np.bool_)
    for p, name in enumerate(names):
        is_review[p, sorted(engine.reviews[name])] = True
    codes = [_policy_code(engine.policies[name]) for name in names]
    lanes = [engine.lanes[name] for name in names]
    scenario = engine.scenario
    customer_names = list(engine.customers)
    demand = (
        np.stack([engine.demand[name] for name in customer_names])
        if customers
        else (np.zeros((0, n, max(horizon, 1))))
    )
    terms = (
        is_review,
        np.array([engine.point_index[name] for name in engine.review_order], dtype=np.int64),
        np.array([code[0] for code in codes], dtype=np.int64),
        np.array([code[1] for code in codes]),
        np.array([code[2] for code in codes]),
        np.array([point.unit_cost for point in points], dtype=float),
        np.array([lane.owned_in_transit for lane in lanes], dtype=np.bool_),
        np.array([lane.min_order for lane in lanes], dtype=float),
        np.array([lane.lot_multiple or 0.0 for lane in lanes], dtype=float),
        np.array([lane.order_cost for lane in lanes], dtype=float),
        np.array([lane.unit_price for lane in lanes], dtype=float),
        np.array(
            [engine.point_index[scenario.customers[name].buys_from] for name in customer_names],
            dtype=np.int64,
        ),
        np.array([customer.price for customer in customers], dtype=float),
        np.array([customer.backorders for customer in customers], dtype=np.bool_),
        np.array([customer.backorder_cost_per_unit_day for customer in customers], dtype=float),
        max(point.queue_units.shape[1] for point in points),
    )
    weeks = np.zeros((len(points), 2), dtype=np.int64)
    # The lead times are drawn as the numpy day loop draws them: a block of 64 more for every
    # replication as soon as one replication needs it (draws.LeadTimes). The kernel stops at
    # that replication, whose counters are put back to their initial values, and resumes
    # there with the new block.
    network = (engine.days, engine.days_all_met, engine.peak_cash)
    initial = [array.copy() for array in (pf, pc, cf, cc, *network)]
    overflow = np.zeros(1, dtype=np.int64)
    start = 0
    while True:
        draws = [engine.lead_times[name].values for name in names]
        leads = np.zeros((len(points), n, max(d.shape[1] for d in draws)))
        for p, values in enumerate(draws):
            leads[p, :, : values.shape[1]] = values
        widths = np.array([d.shape[1] for d in draws], dtype=np.int64)
        start = _day_loop(
            start, engine.horizon, engine.warmup, pf, pc, cf, cc, *network, weeks,
            demand, leads, widths, overflow, *terms,
        )  # fmt: skip
        if start == n:
            break
        for array, first in zip((pf, pc, cf, cc, *network), initial, strict=True):
            array[start] = first[start]
        short = engine.lead_times[names[int(overflow[0])]]
        short.ensure(short.values.shape[1])
    for p, point in enumerate(points):
        for f, name in enumerate(_FLOATS):
            setattr(point, name, pf[:, p, f].copy())
        for f, name in enumerate(_COUNTS):
            setattr(point, name, pc[:, p, f].copy())
        if n:
            point.weeks = int(weeks[p, 0])
            point.week_days_left = int(weeks[p, 1])
    for c, customer in enumerate(customers):
        for f, name in enumerate(_CUSTOMER_FLOATS):
            setattr(customer, name, cf[:, c, f].copy())
        for f, name in enumerate(_CUSTOMER_COUNTS):
            setattr(customer, name, cc[:, c, f].copy())
    if engine.warmup <= horizon:  # Engine.reset ran
        engine.window_start = float(engine.warmup)
        for point in points:
            point.window_start = float(engine.warmup)
