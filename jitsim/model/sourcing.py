"""Dual sourcing: a stock point's backup lane and how each order is split over its two lanes.

With ``split: shares`` every order is split (:attr:`Backup.share` of it, in whole units, to
the backup); with ``split: failover`` the whole order goes to the primary lane unless the
primary cannot deliver it in time (:meth:`~jitsim.model.lane.Lane.can_deliver`) and the backup
is the better bet. A supplier outage with ``orders: redirect`` fails over while it lasts, under
either split. Stock points without ``backup:`` pay one ``is None`` check per order.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jitsim.model.lane import Lane
    from jitsim.model.stock_point import StockPoint


class Backup:
    """The backup lane of one stock point, its split rule and what went over it.

    Parameters
    ----------
    lane : Lane
        The backup lane (from the backup supplier, ``is_backup``).
    share : float or None
        Share of every order sent to the backup (``split: shares``); None for failover.
    """

    __slots__ = ("lane", "orders", "share", "units_received")

    def __init__(self, lane: Lane, share: float | None) -> None:
        self.lane = lane
        self.share = share
        self.reset_statistics()

    def reset_statistics(self) -> None:
        """Forget the orders and units counted so far (end of warm-up)."""
        self.orders = 0
        self.units_received = 0.0

    def place_order(self, point: StockPoint, wanted: float, position: float, now: float) -> None:
        """Send ``point``'s order for ``wanted`` units over its primary lane, this backup lane
        or both."""
        primary = point.lane
        share = self.share
        disruption = primary.disruption
        if share is None or (disruption is not None and disruption.redirects(now)):
            # failover: all to the primary, unless it cannot deliver in time
            if not primary.can_deliver(primary.round_order(wanted), now) and _backup_is_sooner(
                primary, self.lane, wanted, now
            ):
                self._order(point, wanted, position, now)
            else:
                point.order_over(primary, wanted, position, now)
            return
        to_backup = math.floor(share * wanted + 0.5)  # whole units, halves up
        to_primary = wanted - to_backup
        if to_primary > 1e-9:
            point.order_over(primary, to_primary, position, now)
        if to_backup > 0:
            self._order(point, float(to_backup), position, now)

    def _order(self, point: StockPoint, wanted: float, position: float, now: float) -> None:
        if point.order_over(self.lane, wanted, position, now):
            self.orders += 1


def _backup_is_sooner(primary: Lane, backup: Lane, wanted: float, now: float) -> bool:
    """Whether a failover order goes to the backup: when the backup can deliver in time, or,
    if neither can (both suppliers down or backlogged), when the backup's expected arrival is
    earlier. Lanes from stock points have no expected arrival: the backup is taken."""
    if backup.can_deliver(backup.round_order(wanted), now):
        return True
    if primary.supplier is None or backup.supplier is None:
        return True
    return backup.expected_arrival(backup.round_order(wanted), now) < primary.expected_arrival(
        primary.round_order(wanted), now
    )
