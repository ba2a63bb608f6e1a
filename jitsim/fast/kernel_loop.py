"""The compiled day loop itself (numba): the layout of the counters and the events of a day.

:mod:`jitsim.fast.kernel` packs an :class:`~jitsim.fast.engine.Engine`'s arrays into the
layout below, calls :func:`day_loop` and unpacks the result. Each function here is the scalar
form, for one replication, of an Engine method named in its docstring, with the same
floating-point operations in the same order. numba's cache is keyed on this file alone, which
is why the layout is spelled out here rather than taken from :mod:`jitsim.fast.state`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from jitsim.fast.state import CUSTOMER_COUNTS, CUSTOMER_FLOATS, POINT_COUNTS, POINT_FLOATS

# The kernel's own layout of a stock point's floats. It is spelled out here rather than read
# from state.py because numba's on-disk cache is keyed on this file only: a layout taken from
# another module could change under a cached kernel. The levels come first (kept at the end of
# warm-up); the import-time check below fails if state.py gains or loses a field.
FLOATS = (
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
) = range(len(FLOATS))
#: Floats kept at the end of warm-up: the first seven (the levels and the clock).
LEVELS = 7
COUNTS = (
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
) = range(len(COUNTS))
CUSTOMER_FLOAT_LAYOUT = (
    "demand_units",
    "filled_on_arrival",
    "late_units",
    "backordered_units",
    "lost_units",
    "revenue",
)
C_DEMAND_UNITS, C_FILLED, C_LATE_UNITS, C_BACKORDERED, C_LOST, C_REVENUE = range(6)
CUSTOMER_COUNT_LAYOUT = ("demand_orders", "orders_complete", "days", "stockout_days")
C_DEMAND_ORDERS, C_ORDERS_COMPLETE, C_DAYS, C_STOCKOUT_DAYS = range(4)

if (
    set(FLOATS) != set(POINT_FLOATS)
    or FLOATS[:LEVELS] != POINT_FLOATS[:LEVELS]
    or set(COUNTS) != set(POINT_COUNTS)
    or set(CUSTOMER_FLOAT_LAYOUT) != set(CUSTOMER_FLOATS)
    or set(CUSTOMER_COUNT_LAYOUT) != set(CUSTOMER_COUNTS)
):  # pragma: no cover - a guard for whoever changes state.py
    raise ImportError("jitsim.fast.kernel_loop's layout no longer matches jitsim.fast.state")

#: Policy codes (:func:`order_quantity`; JIT: the forecast rate × cover days − IP).
ALWAYS, S_S, R_Q, KANBAN, JIT = range(5)
#: Forecaster codes of a JIT policy (column 0 of ``forecasts``; none: not a JIT policy).
NO_FORECAST, NAIVE, MOVING_AVERAGE, SMOOTHING, ORACLE = range(5)
#: Columns of ``forecasts``: the code, alpha, the window or the oracle's span (days), the
#: starting level (the last demand, the moving total or the smoothed level), and an oracle's
#: slot in ``cumulative`` and ``errors``.
FORECAST_KIND, FORECAST_PARAMETER, FORECAST_LEVEL, FORECAST_SLOT = range(4)
#: Columns of ``lanes``, one row per lane: first the regular lane into each stock point (row
#: ``p`` for stock point ``p``, with that point's policy), then the backup and expedite lanes.
(
    LANE_UNIT_COST,  # of the stock point it delivers to
    LANE_WIDTH,  # lead times drawn so far
    LANE_MIN_ORDER,
    LANE_LOT,  # 0: no lot multiple
    LANE_ORDER_COST,
    LANE_UNIT_PRICE,
    LANE_UPSTREAM,  # the stock point it draws from, -1: a supplier
    LANE_POLICY,
    LANE_POLICY_A,
    LANE_POLICY_B,
    LANE_SUPPLIER,  # the supplier it buys from (index into ``capacity``), -1: a stock point
    LANE_INTO,  # the stock point it delivers to
    LANE_IS_BACKUP,  # 1: a backup lane (its receipts count as units from the backup)
    LANE_MAX_DELAY,  # the failover's largest shipping delay (days)
    LANE_MEAN,  # mean lead time (days)
) = range(15)
#: Columns of ``rules``, one row per stock point: its backup lane (-1: none) and share (-1:
#: failover), its expedite lane (-1: none), level, order-up-to level, position rule (1:
#: shipped), cost per order and premium per unit.
(
    RULE_BACKUP,
    RULE_SHARE,
    RULE_EXPEDITE,
    RULE_LEVEL,
    RULE_UP_TO,
    RULE_SHIPPED,
    RULE_COST,
    RULE_PREMIUM,
) = range(8)
#: Columns of ``customer_terms``.
TERM_PRICE, TERM_BACKORDER_COST, TERM_BACKORDERS, TERM_POINT = range(4)
#: What the shipment and receipt code of the day loop does next.
NOTHING, SHIP, RECEIVE = range(3)
#: Counts of a replication's scratch (:func:`day_loop`'s ``state``), one row per stock point.
HEAD, TAIL, WEEKS, WEEK_DAYS_LEFT, DAY_SHORT, REVIEWS = range(6)


@njit(cache=True)
def advance(pf: np.ndarray, r: int, p: int, unit_cost: float, now: float) -> None:
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
def note_network_cash(pf: np.ndarray, r: int, unit_cost: np.ndarray, net: np.ndarray) -> None:
    """Engine.note_network_cash: the sum over stock points in the scenario's order."""
    total = 0.0
    for p in range(pf.shape[1]):
        total = total + (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[p]
    if total > net[0]:
        net[0] = total


@njit(cache=True)
def note_cash(pf: np.ndarray, r: int, p: int, unit_cost: np.ndarray, net: np.ndarray) -> None:
    """Engine.note_cash for stock point ``p`` of replication ``r``."""
    cash = (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[p]
    if cash > pf[r, p, PEAK_CASH]:
        pf[r, p, PEAK_CASH] = cash
    note_network_cash(pf, r, unit_cost, net)


@njit(cache=True)
def ship_time(
    capacity: np.ndarray,
    next_day: np.ndarray,
    left_today: np.ndarray,
    s: int,
    quantity: float,
    day: int,
    commit: bool,
) -> float:
    """Capacities.ship_time of one order to supplier ``s`` (the day it leaves), its capacity
    used first come first served (with ``commit`` False only looked at)."""
    now = float(day)
    cap = capacity[s]
    if not cap > 0.0:  # unlimited
        return now
    allocated = next_day[s]
    left = left_today[s]
    if allocated < day:
        allocated = day
        left = cap
    if quantity > left:
        extra = np.ceil((quantity - left) / cap - 1e-12)
        allocated = allocated + int(extra)
        left = left + extra * cap - quantity
    else:
        left = left - quantity
    if commit:
        next_day[s] = allocated
        left_today[s] = left
    leaves = float(allocated)
    return now if now > leaves else leaves


@njit(cache=True)
def round_order(lanes: np.ndarray, lane: int, quantity: float) -> float:
    """Lane.round_order: the minimum order quantity, then the lot multiple."""
    if quantity < lanes[lane, LANE_MIN_ORDER]:
        quantity = lanes[lane, LANE_MIN_ORDER]
    lot = lanes[lane, LANE_LOT]
    if lot > 0.0:
        quantity = np.ceil(quantity / lot - 1e-9) * lot
    return quantity


@njit(cache=True)
def order_quantity(kind: int, a: float, b: float, position: float) -> float:
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


#: What a supplier does with orders placed while down (as :mod:`jitsim.fast.disruptions`).
NO_OUTAGE, QUEUE, REFUSE, REDIRECT = range(4)
#: Columns of ``outage_terms``: the orders code and whether transit freezes.
OUTAGE_ORDERS, OUTAGE_FREEZE = range(2)


@njit(cache=True)
def snap(when: float) -> float:
    """calendar.snap: a time within 1e-9 days of a whole day is that day."""
    nearest = np.round(when)
    return nearest if abs(when - nearest) < 1e-9 else when


@njit(cache=True)
def window_at(starts: np.ndarray, count: int, t: float) -> int:
    """Timeline._index: the last of the first ``count`` windows starting at or before
    ``t`` (-1: none), by bisection."""
    lo = 0
    hi = count
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= t:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@njit(cache=True)
def is_down(starts: np.ndarray, ends: np.ndarray, count: int, t: float) -> bool:
    """Timeline.is_down."""
    i = window_at(starts, count, t)
    return i >= 0 and t < ends[i]


@njit(cache=True)
def up_at(starts: np.ndarray, ends: np.ndarray, count: int, t: float) -> float:
    """Timeline.up_at: ``t``, or the end of the window containing it."""
    i = window_at(starts, count, t)
    return ends[i] if i >= 0 and t < ends[i] else t


@njit(cache=True)
def finish(starts: np.ndarray, ends: np.ndarray, count: int, start: float, work: float) -> float:
    """Timeline.finish: when ``work`` days of up time have passed since ``start``."""
    i = window_at(starts, count, start)
    t = start
    if i >= 0 and t < ends[i]:
        t = ends[i]
    i += 1
    remaining = work
    while i < count and starts[i] < t + remaining:
        remaining -= starts[i] - t
        t = ends[i]
        i += 1
    return t + remaining


@njit(cache=True)
def supplier_ships(
    capacity: np.ndarray,
    next_day: np.ndarray,
    left_today: np.ndarray,
    down: np.ndarray,
    down_count: np.ndarray,
    day_capacity: np.ndarray,
    outage_terms: np.ndarray,
    r: int,
    s: int,
    quantity: float,
    day: int,
    commit: bool,
) -> float:
    """SupplierNode.ship_time of one order to supplier ``s`` placed on ``day``: through its
    outages (SupplierOutage.ship_time: nothing ships while down, each day's capacity as
    ramped) or its capacity alone (:func:`ship_time`)."""
    if outage_terms[s, OUTAGE_ORDERS] == NO_OUTAGE:
        return ship_time(capacity, next_day, left_today, s, quantity, day, commit)
    starts = down[0, s, r]
    ends = down[1, s, r]
    count = down_count[s, r]
    now = float(day)
    cap = capacity[s]
    if not cap > 0.0:
        return up_at(starts, ends, count, now)
    days = day_capacity[s, r]
    horizon = days.shape[0]
    allocated = next_day[s]
    left = left_today[s]
    if allocated < day:
        allocated = day
        left = days[day] if day < horizon else cap
    need = quantity
    while need > left + 1e-12:
        need -= left
        allocated += 1
        left = days[allocated] if allocated < horizon else cap
        if allocated >= horizon and need > 1000 * left:
            if left <= 0:
                return np.inf
            skipped = np.floor(need / left) - 2
            need -= skipped * left
            allocated += int(skipped)
    left -= need
    if commit:
        next_day[s] = allocated
        left_today[s] = left
    leaves = float(allocated)
    return up_at(starts, ends, count, now if now >= leaves else leaves)


@njit(cache=True)
def disrupted_arrival(
    down: np.ndarray,
    down_count: np.ndarray,
    event_bounds: np.ndarray,
    event_counts: np.ndarray,
    shock_terms: np.ndarray,
    shocks: np.ndarray,
    outage_terms: np.ndarray,
    r: int,
    s: int,
    closure: int,
    shipped: float,
    due: float,
) -> float:
    """LaneDisruption.arrival of a shipment leaving at ``shipped`` that would arrive at
    ``due`` over a lane hit by disruptions: it waits while the stock point it goes to is
    closed (node row ``closure``), its lead time is shocked by the events ``shocks`` (-1
    ends them) active when it leaves, and its transit stops while supplier ``s`` (-1: none)
    is down if that supplier freezes transit."""
    lead = due - shipped
    if down_count[closure, r] > 0:  # the shipment waits at its source while closed
        shipped = up_at(down[0, closure, r], down[1, closure, r], down_count[closure, r], shipped)
    for k in range(shocks.shape[0]):
        e = shocks[k]
        if e < 0:
            break
        if is_down(event_bounds[0, e, r], event_bounds[1, e, r], event_counts[e, r], shipped):
            lead = lead * shock_terms[e, 0] + shock_terms[e, 1]
    if s >= 0 and outage_terms[s, OUTAGE_ORDERS] != NO_OUTAGE and outage_terms[s, OUTAGE_FREEZE]:
        return finish(down[0, s, r], down[1, s, r], down_count[s, r], shipped, lead)
    return shipped + lead


@njit(cache=True)
def turns_away(
    down: np.ndarray, down_count: np.ndarray, outage_terms: np.ndarray, r: int, s: int, t: float
) -> bool:
    """SupplierOutage.turns_away: supplier ``s`` refuses or redirects orders and is down."""
    if outage_terms[s, OUTAGE_ORDERS] < REFUSE:
        return False
    return is_down(down[0, s, r], down[1, s, r], down_count[s, r], t)


@njit(cache=True)
def day_loop(
    start: int,
    horizon: int,
    warmup: int,
    pf: np.ndarray,
    pc: np.ndarray,
    cf: np.ndarray,
    cc: np.ndarray,
    network: np.ndarray,
    weeks_out: np.ndarray,
    demand: np.ndarray,
    leads: np.ndarray,
    overflow: np.ndarray,
    is_review: np.ndarray,
    review_order: np.ndarray,
    lanes: np.ndarray,
    owned: np.ndarray,
    customer_terms: np.ndarray,
    rules: np.ndarray,
    forecasts: np.ndarray,
    forecast_ring: np.ndarray,
    capacity: np.ndarray,
    cumulative: np.ndarray,
    errors: np.ndarray,
    queue_size: int,
    tracking: bool,
    down: np.ndarray,
    down_count: np.ndarray,
    day_capacity: np.ndarray,
    outage_terms: np.ndarray,
    event_bounds: np.ndarray,
    event_counts: np.ndarray,
    shock_terms: np.ndarray,
    lane_shocks: np.ndarray,
    lane_hook: np.ndarray,
    losses: np.ndarray,
    active_noon: np.ndarray,
    refused: np.ndarray,
    destroyed: np.ndarray,
    short_in: np.ndarray,
    demand_by_day: np.ndarray,
    short_by_day: np.ndarray,
) -> int:  # pragma: no cover - compiled; tested against the numpy day loop
    """Engine.run for the replications of the block from ``start`` on, one after the other.

    ``pf`` (replications, points, floats) and ``pc`` (replications, points, counts) hold the
    stock points' counters in this module's layout, ``cf`` and ``cc`` the customers', and
    ``network`` (replications, 3) the days, the days with every customer served (whole
    numbers as floats) and the peak cash; they come in at their initial values and leave
    finished. ``demand`` is (customers, replications, horizon), ``leads`` (lanes,
    replications, shipments), of which the first ``lanes[lane, LANE_WIDTH]`` are drawn. The
    terms of the lanes are ``lanes`` and ``owned`` (title at shipment), those of the stock
    points' backup and expediting ``rules``, of the customers ``customer_terms``, of the JIT
    forecasts ``forecasts`` and ``forecast_ring``, of the suppliers ``capacity``; an oracle
    forecast reads its stock point's cumulative demand ``cumulative`` (oracles,
    replications, horizon + 1) and its errors ``errors`` (oracles, replications, reviews).
    The disruptions (:mod:`jitsim.fast.disruptions`, ``tracking`` when the scenario has any)
    are the nodes' outage windows ``down`` (2: starts and ends, nodes — the suppliers, then
    the stock points —, replications, windows) and ``down_count`` of them, the suppliers'
    ``day_capacity`` and ``outage_terms``, the events' windows ``event_bounds`` and
    ``event_counts``, their ``shock_terms``, each lane's ``lane_shocks`` and whether
    disruptions touch it (``lane_hook``), the stock ``losses``, and ``active_noon`` (a
    window is active at a day's noon). The loop adds the orders ``refused`` while down and the
    units ``destroyed`` (replications, points), and with ``tracking`` the customers' units not
    met in a disruption ``short_in`` (replications, customers) and their ``demand_by_day``
    and ``short_by_day`` (replications, days). Shipments leaving or arriving off the whole
    days run between the day's events as the SimPy engine's urgent events do: by time, before
    the day's demand when due at noon.
    Returns where it stopped: the block's size, or the first replication whose lane
    ``overflow[0]`` ran out of lead times (its counters are half-way: the caller puts them
    back and resumes there).
    """
    n = pf.shape[0]
    points = pf.shape[1]
    customers = cf.shape[1]
    # the terms read every day, as typed arrays of their own
    unit_cost = lanes[:points, LANE_UNIT_COST].copy()
    into = lanes[:, LANE_INTO].astype(np.int64)
    backup_lane = rules[:, RULE_BACKUP].astype(np.int64)
    expedite_lane = rules[:, RULE_EXPEDITE].astype(np.int64)
    n_lanes = lanes.shape[0]
    policy = lanes[:, LANE_POLICY].astype(np.int64)
    policy_a = lanes[:, LANE_POLICY_A].copy()
    policy_b = lanes[:, LANE_POLICY_B].copy()
    forecast_kind = forecasts[:, FORECAST_KIND].astype(np.int64)
    forecast_parameter = forecasts[:, FORECAST_PARAMETER].copy()
    window = forecasts[:, FORECAST_PARAMETER].astype(np.int64)
    slot_of = forecasts[:, FORECAST_SLOT].astype(np.int64)
    supplier = lanes[:, LANE_SUPPLIER].astype(np.int64)
    upstream = lanes[:, LANE_UPSTREAM].astype(np.int64)
    buys_from = customer_terms[:, TERM_POINT].astype(np.int64)
    price = customer_terms[:, TERM_PRICE].copy()
    backorders = customer_terms[:, TERM_BACKORDERS] > 0.0
    backorder_cost = customer_terms[:, TERM_BACKORDER_COST].copy()
    # a replication's scratch, reused
    queue_units = np.zeros((points, queue_size))
    queue_who = np.zeros((points, queue_size), dtype=np.int64)
    state = np.zeros((points, 6), dtype=np.int64)
    shipped = np.zeros(n_lanes, dtype=np.int64)  # shipments so far, per lane
    unshipped = np.zeros(n_lanes)  # units ordered, waiting for their supplier's capacity
    to_backup = np.zeros(points)  # the backup's share of today's order
    customer_short = np.zeros(customers, dtype=np.bool_)
    # each JIT policy's forecast state (ForecastArrays): the level, the moving average's ring
    # of the last days and its oldest slot
    level = np.zeros(points)
    ring = np.zeros_like(forecast_ring)
    oldest = np.zeros(points, dtype=np.int64)
    # each supplier's daily capacity (Capacities; 0: unlimited): the day up to which it is
    # allocated and what is left of it that day
    next_day = np.zeros(len(capacity), dtype=np.int64)
    left_today = np.zeros(len(capacity))
    stack = np.zeros((points + 1, 2), dtype=np.int64)
    # deliveries on the way, in the order they were scheduled (the calendar's order): rows
    # day, stock point, and the count in [2, 0]; and today's, taken out of it
    size = (leads.shape[2] + horizon + 1) * n_lanes + 1 + losses.shape[0]
    n_suppliers = len(capacity)
    pending = np.zeros((3, size), dtype=np.int64)
    pending_units = np.zeros(size)
    today = np.zeros(size, dtype=np.int64)
    today_units = np.zeros(size)
    # shipments leaving or arriving off the whole days (the SimPy engine's urgent events), in
    # the order they were scheduled: time, lane code (as ``pending``'s) and units
    off_time = np.zeros(size)
    off_lane = np.zeros(size, dtype=np.int64)
    off_units = np.zeros(size)
    net = np.zeros(1)
    for r in range(start, n):
        state[:, :] = 0
        state[:, WEEK_DAYS_LEFT] = 7
        shipped[:] = 0
        unshipped[:] = 0.0
        customer_short[:] = False
        level[:] = forecasts[:, FORECAST_LEVEL]
        ring[:, :] = forecast_ring
        oldest[:] = 0
        next_day[:] = 0
        left_today[:] = capacity
        for s in range(len(capacity)):  # SupplierOutage starts with day 0's capacity
            if outage_terms[s, OUTAGE_ORDERS] != NO_OUTAGE and horizon > 0:
                left_today[s] = day_capacity[s, r, 0]
        pending[2, 0] = 0
        n_off = 0
        for k in range(losses.shape[0]):  # stock losses, scheduled before the run
            at = snap(losses[k, 0])
            if at == np.floor(at):
                count = pending[2, 0]
                pending[0, count] = int(at)
                pending[1, count] = 2 * n_lanes + k
                pending_units[count] = 0.0
                pending[2, 0] = count + 1
            else:
                off_time[n_off] = at
                off_lane[n_off] = 2 * n_lanes + k
                off_units[n_off] = 0.0
                n_off += 1
        net[0] = network[r, 2]
        for day in range(horizon + 1):
            now = float(day)
            if day > 0:  # Engine.end_of_day
                any_short = False
                for c in range(customers):
                    any_short |= customer_short[c]
                    cc[r, c, C_DAYS] += 1
                    cc[r, c, C_STOCKOUT_DAYS] += customer_short[c]
                    customer_short[c] = False
                network[r, 0] += 1.0
                if not any_short:
                    network[r, 1] += 1.0
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
                    pc[r, p, P_STOCKOUT_DAYS] += state[p, DAY_SHORT]
                    kind = forecast_kind[p]
                    if kind != NO_FORECAST:  # ForecastArrays.observe (policy.observe_day)
                        today_demand = pf[r, p, DAY_DEMAND]
                        if kind == NAIVE:
                            level[p] = today_demand
                        elif kind == MOVING_AVERAGE:
                            slot = oldest[p]
                            level[p] += today_demand - ring[p, slot]
                            ring[p, slot] = today_demand
                            oldest[p] = (slot + 1) % window[p]
                        else:
                            alpha = forecast_parameter[p]
                            level[p] += alpha * (today_demand - level[p])
                    pf[r, p, DAY_DEMAND] = 0.0
                    state[p, DAY_SHORT] = 0
                    state[p, WEEK_DAYS_LEFT] -= 1
                    if state[p, WEEK_DAYS_LEFT] == 0:  # a week ends (WeeklyVariances.close)
                        state[p, WEEK_DAYS_LEFT] = 7
                        expedited = pf[r, p, EXPEDITED_UNITS] if expedite_lane[p] >= 0 else 0.0
                        ordered = pf[r, p, ORDERED_UNITS] + expedited
                        week_ordered = ordered - pf[r, p, ORDERED_MARK]
                        week_demand = pf[r, p, DEMAND_UNITS] - pf[r, p, DEMAND_MARK]
                        pf[r, p, ORDERED_MARK] = ordered
                        pf[r, p, DEMAND_MARK] = pf[r, p, DEMAND_UNITS]
                        state[p, WEEKS] += 1
                        weeks = state[p, WEEKS]
                        delta = week_ordered - pf[r, p, ORDER_MEAN]
                        pf[r, p, ORDER_MEAN] += delta / weeks
                        pf[r, p, ORDER_M2] += delta * (week_ordered - pf[r, p, ORDER_MEAN])
                        delta = week_demand - pf[r, p, DEMAND_MEAN]
                        pf[r, p, DEMAND_MEAN] += delta / weeks
                        pf[r, p, DEMAND_M2] += delta * (week_demand - pf[r, p, DEMAND_MEAN])
            if day == warmup:  # Engine.reset
                network[r, 0] = 0.0
                network[r, 1] = 0.0
                for p in range(points):
                    advance(pf, r, p, unit_cost[p], now)
                    for f in range(LEVELS, pf.shape[2]):
                        pf[r, p, f] = 0.0
                    for f in range(pc.shape[2]):
                        pc[r, p, f] = 0
                    pf[r, p, PEAK_CASH] = (pf[r, p, ON_HAND] + pf[r, p, OWNED_TRANSIT]) * unit_cost[
                        p
                    ]
                    state[p, DAY_SHORT] = 0
                    state[p, WEEKS] = 0
                    state[p, WEEK_DAYS_LEFT] = 7
                for c in range(customers):
                    for f in range(cf.shape[2]):
                        cf[r, c, f] = 0.0
                    for f in range(cc.shape[2]):
                        cc[r, c, f] = 0
                    customer_short[c] = False
                net[0] = 0.0
                note_network_cash(pf, r, unit_cost, net)
            if day == horizon:
                break
            # Engine.receipts: today's deliveries (a lane's index) and shipments leaving their
            # supplier (the index + the number of lanes) in the order they were scheduled,
            # taken out of the list first (a receipt may schedule more, for later days)
            due = 0
            kept = 0
            for i in range(pending[2, 0]):
                if pending[0, i] == day:
                    today[due] = pending[1, i]
                    today_units[due] = pending_units[i]
                    due += 1
                else:
                    pending[0, kept] = pending[0, i]
                    pending[1, kept] = pending[1, i]
                    pending_units[kept] = pending_units[i]
                    kept += 1
            pending[2, 0] = kept
            # Today's receipts, then the reviews downstream first (Engine.review), as one list
            # of steps so that the code of a shipment and of a receipt is written once: numba
            # inlines nothing as well as code written in place (a call with a dozen arrays
            # costs more than the day's arithmetic).
            # A review is three steps: the policy's order (over the regular lane or, failing
            # over, the backup), the backup's share of it, the expediting check.
            # After them, the events off the whole days (segment 0: due by noon, before the
            # demand; segment 1: due before the next day), each picked by time then order.
            steps = due + 3 * len(review_order)
            step = -1
            segment = 0
            while True:
                step += 1
                action = NOTHING
                lane = -1
                units = 0.0
                clock = now
                b = -1  # not a review: the order code below is skipped
                kind_of_step = -1
                if step >= steps:
                    limit = now + 0.5 if segment == 0 else now + 1.0
                    pick = -1
                    for i in range(n_off):
                        t = off_time[i]
                        if (t <= limit if segment == 0 else t < limit) and (
                            pick < 0 or t < off_time[pick]
                        ):
                            pick = i
                    if pick < 0:
                        if segment == 1:
                            break
                        segment = 1
                        # Engine.customer_demand: each customer's order at noon, in order
                        noon = now + 0.5
                        for c in range(customers):
                            quantity = demand[c, r, day]
                            if not quantity > 0.0:
                                continue
                            p = buys_from[c]
                            advance(pf, r, p, unit_cost[p], noon)
                            pf[r, p, DAY_DEMAND] += quantity
                            pf[r, p, DEMAND_UNITS] += quantity
                            pc[r, p, P_DEMAND_ORDERS] += 1
                            on_hand = pf[r, p, ON_HAND]
                            filled = quantity if quantity <= on_hand else on_hand
                            pf[r, p, ON_HAND] = on_hand - filled
                            pf[r, p, FILLED_ON_ARRIVAL] += filled
                            pf[r, p, SHIPPED_UNITS] += filled
                            short = quantity - filled
                            if tracking:  # DisruptedCustomer.record's daily totals
                                demand_by_day[r, day] += quantity
                                if short > 0.0:
                                    short_by_day[r, day] += short
                                    if day >= warmup and active_noon[r, day]:
                                        short_in[r, c] += short
                            cf[r, c, C_DEMAND_UNITS] += quantity
                            cc[r, c, C_DEMAND_ORDERS] += 1
                            cf[r, c, C_FILLED] += filled
                            cf[r, c, C_REVENUE] += price[c] * filled - 0.0
                            if not short > 0.0:
                                pc[r, p, P_ORDERS_COMPLETE] += 1
                                cc[r, c, C_ORDERS_COMPLETE] += 1
                                continue
                            state[p, DAY_SHORT] = 1
                            customer_short[c] = True
                            if backorders[c]:
                                pf[r, p, BACKORDERED_UNITS] += short
                                pf[r, p, BACKORDERS] += short
                                pf[r, p, CUSTOMER_BACKORDERS] += short
                                pf[r, p, SHORTAGE_RATE] += backorder_cost[c] * short
                                tail = state[p, TAIL]
                                queue_units[p, tail] = short
                                queue_who[p, tail] = c
                                state[p, TAIL] = tail + 1
                                cf[r, c, C_BACKORDERED] += short
                            else:
                                pf[r, p, LOST_UNITS] += short
                                cf[r, c, C_LOST] += short
                        continue
                    clock = off_time[pick]
                    lane = off_lane[pick]
                    units = off_units[pick]
                    n_off -= 1
                    for i in range(pick, n_off):
                        off_time[i] = off_time[i + 1]
                        off_lane[i] = off_lane[i + 1]
                        off_units[i] = off_units[i + 1]
                if step < due or step >= steps:
                    if step < due:
                        lane = today[step]
                        units = today_units[step]
                    if lane >= 2 * n_lanes:  # a stock loss (Disruptions.destroy)
                        k = lane - 2 * n_lanes
                        q = int(losses[k, 1])
                        advance(pf, r, q, unit_cost[q], clock)
                        lost = pf[r, q, ON_HAND] * losses[k, 2]
                        pf[r, q, ON_HAND] -= lost
                        note_cash(pf, r, q, unit_cost, net)
                        if clock >= warmup:
                            destroyed[r, q] += lost
                        continue
                    action = RECEIVE
                    if lane >= n_lanes:  # an order that waited for its supplier's capacity
                        action = SHIP
                        lane -= n_lanes
                        unshipped[lane] -= units
                else:
                    b = review_order[(step - due) // 3]
                    kind_of_step = (step - due) % 3
                    if not is_review[b, day]:
                        continue
                wanted = 0.0
                if kind_of_step == 0:
                    position = pf[r, b, ON_HAND] + pf[r, b, ON_ORDER] - pf[r, b, BACKORDERS]
                    if policy[b] == JIT:  # the forecast rate (ForecastArrays.rate)
                        rate = level[b]
                        kind = forecast_kind[b]
                        if kind == MOVING_AVERAGE:
                            mean = level[b] / window[b]
                            rate = 0.0 if 0.0 > mean else mean
                        elif kind == ORACLE:  # the true future demand times the next error
                            span = forecast_parameter[b]
                            first = int(np.floor(now - 0.5)) + 1
                            first = first if first > 0 else 0
                            last = int(np.floor(now + span - 0.5))
                            slot = slot_of[b]
                            if first >= horizon or last < first:
                                future = 0.0
                            elif last >= horizon:  # beyond the horizon: scale what is known
                                known = cumulative[slot, r, horizon] - cumulative[slot, r, first]
                                future = known * (last - first + 1) / (horizon - first)
                            else:
                                future = cumulative[slot, r, last + 1] - cumulative[slot, r, first]
                            k = state[b, REVIEWS]
                            state[b, REVIEWS] = k + 1
                            rate = future / span * errors[slot, r, k]
                        wanted = rate * policy_a[b] - position
                    else:
                        wanted = order_quantity(policy[b], policy_a[b], policy_b[b], position)
                    to_backup[b] = 0.0
                    if not wanted > 1e-9:
                        continue
                    lane = b
                    second = backup_lane[b]
                    redirected = False  # SupplierOutage: orders: redirect, and it is down
                    if second >= 0 and supplier[b] >= 0:
                        first_supplier = supplier[b]
                        redirected = outage_terms[first_supplier, OUTAGE_ORDERS] == REDIRECT
                        redirected = redirected and turns_away(
                            down, down_count, outage_terms, r, first_supplier, now
                        )
                    if second >= 0 and (rules[b, RULE_SHARE] < 0.0 or redirected):
                        # Backup.place_order, failover: the primary unless it cannot deliver
                        # in time and the backup is sooner (sourcing._backup_is_sooner).
                        # Lane.can_deliver of the primary, then of the backup:
                        can = True
                        sooner = False
                        for which in range(2):
                            via = b if which == 0 else second
                            quantity = round_order(lanes, via, wanted)
                            u = upstream[via]
                            if u >= 0:  # from stock, nobody waiting before it
                                able = state[u, HEAD] == state[u, TAIL] and (
                                    pf[r, u, ON_HAND] >= quantity - 1e-9
                                )
                            else:
                                s = supplier[via]
                                able = not turns_away(down, down_count, outage_terms, r, s, now)
                                if able:
                                    leaves = supplier_ships(
                                        capacity, next_day, left_today, down, down_count,
                                        day_capacity, outage_terms, r, s, quantity, day, False,
                                    )  # fmt: skip
                                    able = leaves <= now + lanes[via, LANE_MAX_DELAY] + 1e-9
                            if which == 0:
                                can = able
                                if can:
                                    break
                            else:
                                sooner = able
                        if not can and not sooner:
                            if upstream[b] >= 0 or upstream[second] >= 0:
                                sooner = True
                            else:  # Lane.expected_arrival of the backup against the primary's
                                expected = np.zeros(2)
                                for which in range(2):
                                    via = b if which == 0 else second
                                    s = supplier[via]
                                    if turns_away(down, down_count, outage_terms, r, s, now):
                                        expected[which] = np.inf
                                        continue
                                    quantity = round_order(lanes, via, wanted)
                                    leaves = supplier_ships(
                                        capacity, next_day, left_today, down, down_count,
                                        day_capacity, outage_terms, r, s, quantity, day, False,
                                    )  # fmt: skip
                                    at = leaves + lanes[via, LANE_MEAN]
                                    if lane_hook[via]:  # LaneDisruption.arrival
                                        at = disrupted_arrival(
                                            down, down_count, event_bounds, event_counts,
                                            shock_terms, lane_shocks[via], outage_terms, r, s,
                                            n_suppliers + b, leaves, at,
                                        )  # fmt: skip
                                    expected[which] = at
                                sooner = expected[1] < expected[0]
                        if not can and sooner:
                            lane = second
                    elif second >= 0:  # shares: whole units to the backup, halves up
                        share = np.floor(rules[b, RULE_SHARE] * wanted + 0.5)
                        to_backup[b] = share
                        wanted = wanted - share
                        if not wanted > 1e-9:
                            continue
                elif kind_of_step == 1:
                    wanted = to_backup[b]
                    if not wanted > 0.0:
                        continue
                    lane = backup_lane[b]
                elif kind_of_step == 2:  # Expedite.review
                    lane = expedite_lane[b]
                    if lane < 0:
                        continue
                    position = pf[r, b, ON_HAND] + pf[r, b, ON_ORDER] - pf[r, b, BACKORDERS]
                    if rules[b, RULE_SHIPPED] > 0.0:  # orders still at the supplier left out
                        position = position - unshipped[b]
                        if backup_lane[b] >= 0:
                            position = position - unshipped[backup_lane[b]]
                    if position > rules[b, RULE_LEVEL] - 1e-9:
                        continue
                    wanted = rules[b, RULE_UP_TO] - position
                if b >= 0:
                    # An order of ``wanted`` units over ``lane`` (Engine.order_over, or the
                    # expedite's counters), then Engine.send_order. The counters, and the
                    # source's backorder, are booked before the shipment: the shipment and the
                    # receipts it may cause read none of them.
                    quantity = round_order(lanes, lane, wanted)
                    s = supplier[lane]
                    if s >= 0 and outage_terms[s, OUTAGE_ORDERS] == REFUSE:
                        if is_down(down[0, s, r], down[1, s, r], down_count[s, r], now):
                            if now >= warmup:  # LaneDisruption.refuses: nothing goes on order
                                refused[r, b] += 1.0
                            continue
                    if kind_of_step != 2 and lane == backup_lane[b]:  # Backup._order
                        pc[r, b, P_ORDERS_TO_BACKUP] += 1
                    if kind_of_step == 2:
                        pc[r, b, P_EXPEDITED_ORDERS] += 1
                        pf[r, b, EXPEDITED_UNITS] += quantity
                        pf[r, b, EXPEDITE_COST] += (
                            rules[b, RULE_COST] + rules[b, RULE_PREMIUM] * quantity
                        )
                    else:
                        if quantity > wanted + 1e-9:
                            pc[r, b, P_ROUNDED_ORDERS] += 1
                            pf[r, b, ROUNDING_UNITS] += quantity - wanted
                        pc[r, b, P_ORDERS_PLACED] += 1
                        pf[r, b, ORDERED_UNITS] += quantity
                        pf[r, b, ORDERING_COST] += lanes[lane, LANE_ORDER_COST]
                    pf[r, b, PURCHASE_COST] += lanes[lane, LANE_UNIT_PRICE] * quantity
                    u = upstream[lane]
                    if u < 0:
                        pf[r, b, BOUGHT_UNITS] += quantity
                    advance(pf, r, b, unit_cost[b], now)
                    pf[r, b, ON_ORDER] += quantity
                    units = quantity
                    action = SHIP
                    if s >= 0 and (
                        capacity[s] > 0.0 or outage_terms[s, OUTAGE_ORDERS] != NO_OUTAGE
                    ):  # it may wait for the supplier's capacity or the end of its outage
                        leaves = supplier_ships(
                            capacity, next_day, left_today, down, down_count, day_capacity,
                            outage_terms, r, s, quantity, day, True,
                        )  # fmt: skip
                        if not leaves <= now:
                            action = NOTHING
                            unshipped[lane] += quantity
                            leaves = snap(leaves)  # Calendar.at
                            if leaves == np.floor(leaves):
                                count = pending[2, 0]
                                pending[0, count] = int(leaves)
                                pending[1, count] = lane + n_lanes
                                pending_units[count] = quantity
                                pending[2, 0] = count + 1
                            else:
                                off_time[n_off] = leaves
                                off_lane[n_off] = lane + n_lanes
                                off_units[n_off] = quantity
                                n_off += 1
                    if u >= 0:  # Engine.request: u fills what it can, backorders the rest
                        advance(pf, r, u, unit_cost[u], now)
                        pf[r, u, DAY_DEMAND] += quantity
                        pf[r, u, DEMAND_UNITS] += quantity
                        pc[r, u, P_DEMAND_ORDERS] += 1
                        on_hand = pf[r, u, ON_HAND]
                        units = quantity if quantity <= on_hand else on_hand
                        if units > 0.0:
                            pf[r, u, ON_HAND] = on_hand - units
                            pf[r, u, FILLED_ON_ARRIVAL] += units
                            pf[r, u, SHIPPED_UNITS] += units
                        else:
                            action = NOTHING
                        short = quantity - units
                        if not short > 0.0:
                            pc[r, u, P_ORDERS_COMPLETE] += 1
                        else:
                            state[u, DAY_SHORT] = 1
                            pf[r, u, BACKORDERED_UNITS] += short
                            pf[r, u, BACKORDERS] += short
                            tail = state[u, TAIL]
                            queue_units[u, tail] = short
                            queue_who[u, tail] = customers + b
                            state[u, TAIL] = tail + 1
                # A shipment (Engine.ship) and the receipts it causes (Engine.receive and
                # serve_backorders). Serving a downstream stock point's backorder ships to it,
                # and a shipment due at once is received there, which may serve its own
                # backorders, before the next backorder here is served: a stack of the stock
                # points being served (numba's cached functions cannot recurse). A frame is the
                # point and whether someone waited when its receipt began; the rest of a
                # serving loop's state is in the arrays.
                depth = 0
                while action != NOTHING:
                    p = into[lane]
                    if action == SHIP:  # Engine.ship over the lane into p
                        shipment = shipped[lane]
                        if shipment >= lanes[lane, LANE_WIDTH]:  # the caller draws more
                            overflow[0] = lane
                            return r
                        lead = leads[lane, r, shipment]
                        shipped[lane] = shipment + 1
                        if owned[lane]:  # take_title
                            advance(pf, r, p, unit_cost[p], clock)
                            pf[r, p, OWNED_TRANSIT] += units
                            note_cash(pf, r, p, unit_cost, net)
                        arrival = clock + lead
                        if lane_hook[lane]:  # LaneDisruption.arrival
                            arrival = disrupted_arrival(
                                down, down_count, event_bounds, event_counts, shock_terms,
                                lane_shocks[lane], outage_terms, r, supplier[lane],
                                n_suppliers + p, clock, arrival,
                            )  # fmt: skip
                        whole = np.floor(arrival)
                        if arrival != whole:  # Calendar.deliver snaps it (1e-9 days)
                            arrival = snap(arrival)
                            whole = np.floor(arrival)
                        action = NOTHING
                        if arrival <= clock:  # received at once (Calendar.deliver)
                            action = RECEIVE
                        elif arrival == whole:
                            count = pending[2, 0]
                            pending[0, count] = int(arrival)
                            pending[1, count] = lane
                            pending_units[count] = units
                            pending[2, 0] = count + 1
                        else:  # off the whole days: at its time, before anything else then
                            off_time[n_off] = arrival
                            off_lane[n_off] = lane
                            off_units[n_off] = units
                            n_off += 1
                    if action == RECEIVE:  # StockPoint.receive
                        if lanes[lane, LANE_IS_BACKUP] > 0.0:  # Lane.count_from_backup
                            pf[r, p, UNITS_FROM_BACKUP] += units
                        advance(pf, r, p, unit_cost[p], clock)
                        pf[r, p, ON_ORDER] -= units
                        if owned[lane]:
                            pf[r, p, OWNED_TRANSIT] -= units
                        pf[r, p, ON_HAND] += units
                        stack[depth, 0] = p
                        stack[depth, 1] = state[p, HEAD] < state[p, TAIL]
                        depth += 1
                    action = NOTHING
                    while depth:  # serve the backorders of the point on top (FIFO)
                        q = stack[depth - 1, 0]
                        waiting = stack[depth - 1, 1]
                        head = state[q, HEAD]
                        if waiting and head < state[q, TAIL] and pf[r, q, ON_HAND] > 0.0:
                            owed = queue_units[q, head]
                            on_hand = pf[r, q, ON_HAND]
                            served = owed if owed <= on_hand else on_hand
                            pf[r, q, ON_HAND] = on_hand - served
                            pf[r, q, BACKORDERS] -= served
                            pf[r, q, SHIPPED_UNITS] += served
                            who = queue_who[q, head]
                            if served < owed:
                                queue_units[q, head] = owed - served
                            else:
                                state[q, HEAD] = head + 1
                            if who < customers:
                                pf[r, q, CUSTOMER_BACKORDERS] -= served
                                pf[r, q, SHORTAGE_RATE] -= backorder_cost[who] * served
                                cf[r, who, C_LATE_UNITS] += served
                                cf[r, who, C_REVENUE] += price[who] * served - 0.0
                                continue
                            lane = who - customers  # a downstream point's regular lane
                            units = served
                            action = SHIP
                            break
                        if waiting and state[q, HEAD] == state[q, TAIL]:
                            pf[r, q, BACKORDERS] = 0.0
                            pf[r, q, CUSTOMER_BACKORDERS] = 0.0
                            pf[r, q, SHORTAGE_RATE] = 0.0
                        note_cash(pf, r, q, unit_cost, net)
                        depth -= 1
        for p in range(points):
            advance(pf, r, p, unit_cost[p], float(horizon))
        network[r, 2] = net[0]
        weeks_out[:, 0] = state[:, WEEKS]
        weeks_out[:, 1] = state[:, WEEK_DAYS_LEFT]
    return n
