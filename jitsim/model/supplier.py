"""External suppliers: when an order ships, given the supplier's daily capacity."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jitsim.model.disruptions import SupplierOutage


class SupplierNode:
    """An external supplier, optionally with a daily shipping capacity.

    Orders are served first-come first-served: each order's units use the capacity left on the
    day it is placed and on the following days; the order ships complete on the day its last
    unit is allocated (at the order time if that is the same day).

    Parameters
    ----------
    name : str
        Supplier name.
    capacity_per_day : float or None
        Units shipped per day at most (None: unlimited).
    disruption : SupplierOutage or None
        The supplier's outages (:mod:`jitsim.model.disruptions`): they take over
        :meth:`ship_time`, and nothing ships while the supplier is down.
    """

    __slots__ = ("capacity", "disruption", "left_today", "name", "next_day", "unlimited")

    def __init__(
        self, name: str, capacity_per_day: float | None, disruption: SupplierOutage | None = None
    ) -> None:
        self.name = name
        self.capacity = capacity_per_day
        self.next_day = 0
        self.left_today = capacity_per_day or 0.0
        self.disruption = disruption
        #: Every order ships when it is placed: no capacity and no outages.
        self.unlimited = capacity_per_day is None and disruption is None

    def ship_time(self, quantity: float, now: float, commit: bool = True) -> float:
        """Time (days) at which an order of ``quantity`` units placed at ``now`` ships.

        With ``commit=False`` the capacity is only looked at, not used (what-if question).
        """
        if self.disruption is not None:
            return self.disruption.ship_time(quantity, now, commit)
        capacity = self.capacity
        if capacity is None:
            return now
        today = math.floor(now)
        next_day, left = self.next_day, self.left_today
        if next_day < today:
            next_day, left = today, capacity
        if quantity > left:
            extra_days = math.ceil((quantity - left) / capacity - 1e-12)
            next_day += extra_days
            left = left + extra_days * capacity - quantity
        else:
            left -= quantity
        if commit:
            self.next_day, self.left_today = next_day, left
        return max(now, float(next_day))
