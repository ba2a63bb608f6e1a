"""Lanes, order rounding, suppliers' capacity and the policies' order quantities, as arrays.

The fast engine's counterparts of :class:`~jitsim.model.lane.Lane` (what an order over a lane
costs, how it is rounded, whose it is in transit), of
:class:`~jitsim.model.supplier.SupplierNode` (a supplier's daily capacity, used first-come
first-served: :class:`Capacities`) and of the runtime policies' ``order_quantity``
(:func:`order_quantities`), each with the same floating-point operations as the original.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.planning import inbound_order_cost
from jitsim.policies.classic import Kanban, OrderUpTo, ReorderPointQuantity
from jitsim.policies.jit import JITPolicy

if TYPE_CHECKING:
    from jitsim.fast.forecasts import ForecastArrays
    from jitsim.policies.base import Policy
    from jitsim.scenario.models import Scenario


@dataclass
class Lane:
    """What an order into a stock point costs and how it is rounded (its supplier lane)."""

    order_cost: float
    unit_price: float
    min_order: float
    lot_multiple: float | None
    owned_in_transit: bool
    #: The stock point it draws from, None for a supplier.
    upstream: str | None = None
    #: The supplier it buys from, None for a stock point.
    supplier: str | None = None
    #: The stock point it delivers to (set by the engine).
    into: str = ""
    #: The stock point's backup lane (its arrivals count as units from the backup).
    is_backup: bool = False
    #: Largest shipping delay (days) at which it can still deliver (failover).
    max_delay: float = 0.0


def order_quantities(
    policy: Policy, position: np.ndarray, now: float, forecast: ForecastArrays | None = None
) -> np.ndarray:
    """Units each replication's policy orders at inventory position ``position`` (before MOQ
    and lot rounding): the runtime policy's ``order_quantity``, vectorised (a JIT policy with
    its ``forecast``)."""
    if isinstance(policy, JITPolicy):
        assert forecast is not None
        return forecast.rate(now, policy.protection) * policy.cover_days - position
    if isinstance(policy, OrderUpTo):
        if policy.always:
            return policy.S - position
        return np.where(position <= policy.s, policy.S - position, 0.0)
    if isinstance(policy, ReorderPointQuantity):  # (r,Q) and EOQ
        batches = np.floor((policy.r - position) / policy.Q) + 1.0
        return np.where(position > policy.r, 0.0, batches * policy.Q)
    if isinstance(policy, Kanban):
        loop = policy.cards * policy.container_size
        free = np.floor((loop - position) / policy.container_size)
        return np.maximum(free, 0.0) * policy.container_size
    raise TypeError(f"the fast engine has no vectorised form of {type(policy).__name__}")


def round_order(lane: Lane, quantity: np.ndarray) -> np.ndarray:
    """The minimum order quantity and the lot multiple applied (Lane.round_order)."""
    quantity = np.where(quantity < lane.min_order, lane.min_order, quantity)
    if lane.lot_multiple is not None:
        lot = lane.lot_multiple
        quantity = np.ceil(quantity / lot - 1e-9) * lot
    return quantity


def make_lanes(resolved: Scenario) -> dict[str, Lane]:
    """Every lane of the scenario by key: the regular lane into each stock point (its name),
    its backup (``NAME.backup``) and its expedite lane (``NAME.expedite``), with their terms
    as the builder gives them."""
    lanes: dict[str, Lane] = {}
    points = resolved.stock_points
    for name, spec in points.items():
        item = resolved.items[spec.item]
        order_cost = inbound_order_cost(resolved, spec)
        if spec.source in points:  # a transfer: no price, no rounding, ours in transit
            lanes[name] = Lane(order_cost, 0.0, 0.0, None, True, spec.source, into=name)
        else:
            supplier = resolved.suppliers[spec.source]
            unit_price = supplier.unit_price
            lanes[name] = Lane(
                order_cost=order_cost,
                unit_price=unit_price if unit_price is not None else item.unit_cost,
                min_order=supplier.min_order,
                lot_multiple=supplier.lot_multiple,
                owned_in_transit=supplier.title_transfer == "shipment",
                supplier=spec.source,
                into=name,
            )
        backup = spec.backup
        if backup is not None:  # dual sourcing: a second lane (Backup)
            supplier = resolved.suppliers[backup.source]
            unit_price = supplier.unit_price
            if backup.split == "failover":
                lanes[name].max_delay = backup.failover_after_days
            lanes[f"{name}.backup"] = Lane(
                order_cost=backup.order_cost
                if backup.order_cost is not None
                else supplier.order_cost,
                unit_price=unit_price if unit_price is not None else item.unit_cost,
                min_order=supplier.min_order,
                lot_multiple=supplier.lot_multiple,
                owned_in_transit=supplier.title_transfer == "shipment",
                supplier=backup.source,
                into=name,
                is_backup=True,
            )
        rule = spec.expedite
        if rule is not None:  # emergency orders over a lane of their own (Expedite)
            source = rule.source if rule.source is not None else spec.source
            supplier = resolved.suppliers[source]
            unit_price = supplier.unit_price
            lanes[f"{name}.expedite"] = Lane(
                order_cost=0.0,  # booked as expedite_cost, not ordering_cost
                unit_price=unit_price if unit_price is not None else item.unit_cost,
                min_order=supplier.min_order,
                lot_multiple=supplier.lot_multiple,
                owned_in_transit=supplier.title_transfer == "shipment",
                supplier=source,
                into=name,
            )
    return lanes


class Capacities:
    """The suppliers' daily capacity (units/day, None: unlimited) and, per replication, the
    day up to which it is allocated and what is left of it that day (SupplierNode)."""

    def __init__(self, resolved: Scenario, n: int) -> None:
        self.capacity = {name: spec.capacity_per_day for name, spec in resolved.suppliers.items()}
        self.next_day = {name: np.zeros(n, dtype=np.int64) for name in resolved.suppliers}
        self.left_today = {
            name: np.full(n, float(spec.capacity_per_day or 0.0))
            for name, spec in resolved.suppliers.items()
        }

    def ship_time(
        self, supplier: str, quantity: np.ndarray, at: np.ndarray, day: int, commit: bool = True
    ) -> np.ndarray:
        """When orders of ``quantity`` placed today at replications ``at`` leave ``supplier``
        (days), its capacity used first-come first-served (SupplierNode.ship_time; with
        ``commit=False`` only looked at)."""
        capacity = self.capacity[supplier]
        now = float(day)
        if capacity is None:
            return np.full(len(at), now)
        next_day = self.next_day[supplier][at]
        left = self.left_today[supplier][at]
        stale = next_day < day
        next_day = np.where(stale, day, next_day)
        left = np.where(stale, capacity, left)
        over = quantity > left
        extra = np.ceil((quantity - left) / capacity - 1e-12)
        extra = np.where(over, extra, 0.0)
        next_day = next_day + extra.astype(np.int64)
        left = np.where(over, left + extra * capacity - quantity, left - quantity)
        if commit:
            self.next_day[supplier][at] = next_day
            self.left_today[supplier][at] = left
        return np.maximum(now, next_day.astype(float))
