"""Expediting: emergency orders over a faster, dearer lane when the inventory position is low.

A stock point with ``expedite:`` gets an :class:`Expedite` next to its regular lane. After the
policy's regular order (in the same review), :meth:`Expedite.review` looks at the inventory
position IP again and, if IP < the emergency level :math:`s_e`, orders :math:`S_e - \\mathrm{IP}`
units over the expedite lane (a :class:`~jitsim.model.lane.Lane` from the expedite supplier,
with its own lead-time stream ``lane.STORE.expedite.lead_time``, so expediting never shifts the
draws of any other lane). Stock points without ``expedite:`` pay one ``is None`` check per
review. See ``docs/policies.md`` (Expediting) for the user-facing rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jitsim.model.lane import Lane
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.models import Expedite as ExpediteSpec


class Expedite:
    """The expediting rule of one stock point, its lane and the emergency orders it sent.

    Parameters
    ----------
    lane : Lane
        The expedite lane (from the expedite supplier, with the expedite lead time).
    rule : jitsim.scenario.models.Expedite
        The stock point's validated ``expedite:`` settings.
    """

    __slots__ = (
        "cost",
        "lane",
        "level",
        "order_cost",
        "orders",
        "premium_per_unit",
        "shipped_only",
        "units",
        "up_to",
    )

    def __init__(self, lane: Lane, rule: ExpediteSpec) -> None:
        self.lane = lane
        #: Emergency level :math:`s_e` and order-up-to level :math:`S_e` (units): expedite
        #: up to ``up_to`` when IP < ``level``.
        self.level = rule.level
        self.up_to = rule.order_up_to
        #: Cost per expedited unit on top of the purchase price (currency/unit) and fixed
        #: cost per expedited order (currency/order).
        self.premium_per_unit = rule.premium_per_unit
        self.order_cost = rule.order_cost
        #: Leave orders still waiting at a supplier (regular or backup lane) out of the IP.
        self.shipped_only = rule.position == "shipped"
        self.reset_statistics()

    def reset_statistics(self) -> None:
        """Forget the emergency orders counted so far (end of warm-up)."""
        self.orders = 0
        self.units = self.cost = 0.0

    def review(self, point: StockPoint, now: float) -> None:
        """Expedite at ``point`` if its inventory position is below the emergency level."""
        position = point.on_hand + point.on_order - point.backorders
        if self.shipped_only:
            position -= point.lane.unshipped
            if point.backup is not None:
                position -= point.backup.lane.unshipped
        if position > self.level - 1e-9:
            return
        lane = self.lane
        quantity = lane.round_order(self.up_to - position)
        if point.send_order(lane, quantity, position, now, "expedite"):
            self.orders += 1
            self.units += quantity
            cost = self.order_cost + self.premium_per_unit * quantity
            self.cost += cost
            ledger = point.calendar.ledger
            if ledger is not None:  # paid when the emergency order is placed
                ledger.pay(now, cost, "expedite")
