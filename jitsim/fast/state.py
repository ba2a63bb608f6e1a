"""The state of one stock point and one customer over a block of replications, as arrays.

Every attribute has the name and meaning of its :class:`~jitsim.model.stock_point.StockPoint`
(or :class:`~jitsim.model.customer.Customer`) counterpart, one value per replication, so the
KPI record of replication ``i`` is read off index ``i`` (:mod:`jitsim.fast.records`). Updates
apply to the replications given by an index array ``at`` (those where the event happens), in
the same order of floating-point operations as the SimPy engine, so the results are equal to
the last bit, not just to a tolerance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: StockPoint levels (kept at the end of warm-up, with the clock), one per replication.
_POINT_LEVELS = (
    "on_hand",
    "on_order",
    "owned_transit",
    "backorders",
    "customer_backorders",
    "shortage_rate",
    "last_time",
)
#: StockPoint attributes that are floats (time integrals, sums, levels), one per replication.
POINT_FLOATS = (
    *_POINT_LEVELS,
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
    # weekly Welford (WeeklyVariances)
    "ordered_mark",
    "demand_mark",
    "order_mean",
    "order_m2",
    "demand_mean",
    "demand_m2",
)
#: StockPoint attributes that are counts.
POINT_COUNTS = (
    "demand_orders",
    "orders_complete",
    "orders_placed",
    "rounded_orders",
    "expedited_orders",
    "orders_to_backup",
    "days",
    "stockout_days",
)
#: Reset at the end of warm-up (levels, the weekly marks' base and the clock are kept).
POINT_LEVELS = frozenset(_POINT_LEVELS)
POINT_STATISTICS = tuple(name for name in POINT_FLOATS if name not in POINT_LEVELS)

CUSTOMER_FLOATS = (
    "demand_units",
    "filled_on_arrival",
    "late_units",
    "backordered_units",
    "lost_units",
    "revenue",
)
CUSTOMER_COUNTS = ("demand_orders", "orders_complete", "days", "stockout_days")


class PointArrays:
    """One stock point over ``n`` replications (see the module notes).

    Parameters
    ----------
    n : int
        Replications.
    initial : float
        On-hand stock at time 0 (units).
    unit_cost : float
        Value of one unit (currency/unit).
    queue_size : int
        Most backorder entries that can wait at once (one per customer and day is enough).
    """

    # one value per replication (set in __init__ from the name lists above)
    on_hand: np.ndarray
    on_order: np.ndarray
    owned_transit: np.ndarray
    backorders: np.ndarray
    customer_backorders: np.ndarray
    shortage_rate: np.ndarray
    last_time: np.ndarray
    area_on_hand: np.ndarray
    area_on_order: np.ndarray
    area_backorders: np.ndarray
    area_customer_backorders: np.ndarray
    area_ready: np.ndarray
    area_cash: np.ndarray
    area_shortage_cost: np.ndarray
    demand_units: np.ndarray
    filled_on_arrival: np.ndarray
    shipped_units: np.ndarray
    lost_units: np.ndarray
    backordered_units: np.ndarray
    ordered_units: np.ndarray
    rounding_units: np.ndarray
    ordering_cost: np.ndarray
    purchase_cost: np.ndarray
    bought_units: np.ndarray
    expedited_units: np.ndarray
    expedite_cost: np.ndarray
    units_from_backup: np.ndarray
    eod_on_hand: np.ndarray
    eod_on_order: np.ndarray
    eod_backorders: np.ndarray
    eod_customer_backorders: np.ndarray
    eod_cash: np.ndarray
    eod_shortage_cost: np.ndarray
    peak_cash: np.ndarray
    day_demand: np.ndarray
    ordered_mark: np.ndarray
    demand_mark: np.ndarray
    order_mean: np.ndarray
    order_m2: np.ndarray
    demand_mean: np.ndarray
    demand_m2: np.ndarray
    demand_orders: np.ndarray
    orders_complete: np.ndarray
    orders_placed: np.ndarray
    rounded_orders: np.ndarray
    expedited_orders: np.ndarray
    orders_to_backup: np.ndarray
    days: np.ndarray
    stockout_days: np.ndarray

    def __init__(self, n: int, initial: float, unit_cost: float, queue_size: int) -> None:
        self.n = n
        self.unit_cost = unit_cost
        for name in POINT_FLOATS:
            setattr(self, name, np.zeros(n))
        for name in POINT_COUNTS:
            setattr(self, name, np.zeros(n, dtype=np.int64))
        self.on_hand[:] = float(initial)
        self.weeks = 0
        self.week_days_left = 7
        self.day_short = np.zeros(n, dtype=bool)
        #: FIFO backorder queue per replication: a ring of (customer index, units owed).
        self.queue_units = np.zeros((n, queue_size))
        self.queue_customer = np.zeros((n, queue_size), dtype=np.int64)
        self.queue_head = np.zeros(n, dtype=np.int64)
        self.queue_tail = np.zeros(n, dtype=np.int64)
        self.window_start = 0.0

    def cash(self, at: Any = slice(None)) -> np.ndarray:
        """Value tied up now (currency): (on-hand + owned in transit) × unit cost."""
        return (self.on_hand[at] + self.owned_transit[at]) * self.unit_cost

    def advance(self, now: float, at: np.ndarray | None = None) -> None:
        """Integrate the levels from each replication's last change up to ``now`` (only where
        time has passed, as :meth:`StockPoint.advance` does)."""
        if at is None:
            elapsed = now - self.last_time
            moved = np.nonzero(elapsed > 0.0)[0]
            elapsed = elapsed[moved]
        else:
            elapsed = now - self.last_time[at]
            keep = elapsed > 0.0
            moved = at[keep]
            elapsed = elapsed[keep]
        if not len(moved):
            return
        on_hand = self.on_hand[moved]
        self.area_on_hand[moved] += on_hand * elapsed
        self.area_on_order[moved] += self.on_order[moved] * elapsed
        self.area_backorders[moved] += self.backorders[moved] * elapsed
        self.area_customer_backorders[moved] += self.customer_backorders[moved] * elapsed
        self.area_cash[moved] += (on_hand + self.owned_transit[moved]) * self.unit_cost * elapsed
        self.area_shortage_cost[moved] += self.shortage_rate[moved] * elapsed
        self.area_ready[moved] += np.where(on_hand > 0.0, elapsed, 0.0)
        self.last_time[moved] = now

    def reset_statistics(self, now: float) -> None:
        """Forget everything measured so far (end of warm-up), as
        :meth:`StockPoint.reset_statistics`."""
        self.advance(now)
        self.window_start = now
        for name in POINT_STATISTICS:
            getattr(self, name)[:] = 0.0
        for name in POINT_COUNTS:
            getattr(self, name)[:] = 0
        self.peak_cash[:] = self.cash()
        self.day_short[:] = False
        self.weeks = 0
        self.week_days_left = 7


class CustomerArrays:
    """One customer over ``n`` replications (see the module notes)."""

    demand_units: np.ndarray
    filled_on_arrival: np.ndarray
    late_units: np.ndarray
    backordered_units: np.ndarray
    lost_units: np.ndarray
    revenue: np.ndarray
    demand_orders: np.ndarray
    orders_complete: np.ndarray
    days: np.ndarray
    stockout_days: np.ndarray

    def __init__(
        self, n: int, price: float, backorders: bool, backorder_cost_per_unit_day: float
    ) -> None:
        self.price = price
        self.backorders = backorders
        self.backorder_cost_per_unit_day = backorder_cost_per_unit_day
        for name in CUSTOMER_FLOATS:
            setattr(self, name, np.zeros(n))
        for name in CUSTOMER_COUNTS:
            setattr(self, name, np.zeros(n, dtype=np.int64))
        self.day_short = np.zeros(n, dtype=bool)

    def reset_statistics(self) -> None:
        """Forget everything measured so far (end of warm-up)."""
        for name in CUSTOMER_FLOATS:
            getattr(self, name)[:] = 0.0
        for name in CUSTOMER_COUNTS:
            getattr(self, name)[:] = 0
        self.day_short[:] = False
