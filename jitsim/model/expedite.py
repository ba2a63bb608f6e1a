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

from jitsim.model.lane import Lane

if TYPE_CHECKING:
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.models import Expedite as ExpediteSpec
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams


class Expedite:
    """The expediting rule of one stock point and its lane.

    Parameters
    ----------
    lane : Lane
        The expedite lane (from the expedite supplier, with the expedite lead time).
    level : float
        Emergency level :math:`s_e` (units): expedite when IP < level.
    up_to : float
        Order-up-to level :math:`S_e` (units, ≥ level).
    premium_per_unit : float
        Cost per expedited unit on top of the purchase price (currency/unit).
    order_cost : float
        Fixed cost per expedited order (currency/order).
    """

    __slots__ = ("lane", "level", "order_cost", "premium_per_unit", "shipped_only", "up_to")

    def __init__(
        self,
        lane: Lane,
        level: float,
        up_to: float,
        premium_per_unit: float,
        order_cost: float,
        shipped_only: bool = False,
    ) -> None:
        self.lane = lane
        self.level = level
        self.up_to = up_to
        self.premium_per_unit = premium_per_unit
        self.order_cost = order_cost
        #: Leave orders still waiting at a supplier (regular or backup lane) out of the position.
        self.shipped_only = shipped_only

    @classmethod
    def build(
        cls,
        network: Network,
        point: StockPoint,
        spec: ExpediteSpec,
        scenario: Scenario,
        streams: Streams,
    ) -> Expedite:
        """The expedite rule of ``point`` as given by ``spec`` (a validated scenario's)."""
        point_spec = scenario.stock_points[point.name]
        source = spec.source if spec.source is not None else point_spec.source
        lane, _lead = Lane.from_supplier(
            network,
            point,
            scenario.suppliers[source],
            network.suppliers[source],
            scenario.items[point_spec.item],
            spec.lead_time,
            0.0,  # the expedite's fixed cost is booked as expedite_cost, not ordering_cost
            streams,
            f"lane.{point.name}.expedite",
        )
        return cls(
            lane,
            spec.level,
            spec.order_up_to,
            spec.premium_per_unit,
            spec.order_cost,
            spec.position == "shipped",
        )

    def review(self, point: StockPoint, now: float) -> None:
        """Expedite at ``point`` if its inventory position is below the emergency level."""
        position = point.on_hand + point.on_order - point.backorders
        if self.shipped_only:
            for regular in (point.lane, point.backup):
                if regular is not None:
                    position -= regular.unshipped
        if position > self.level - 1e-9:
            return
        lane = self.lane
        quantity = lane.round_order(self.up_to - position)
        if point.send_order(lane, quantity, position, now, "expedite"):
            point.expedited_orders += 1
            point.expedited_units += quantity
            point.expedite_cost += self.order_cost + self.premium_per_unit * quantity
