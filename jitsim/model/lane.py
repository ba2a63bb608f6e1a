"""Lanes and suppliers: how replenishment orders travel and how long they take."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from jitsim.streams import BlockSampler

if TYPE_CHECKING:
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint


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
    """

    __slots__ = ("capacity", "left_today", "name", "next_day")

    def __init__(self, name: str, capacity_per_day: float | None) -> None:
        self.name = name
        self.capacity = capacity_per_day
        self.next_day = 0
        self.left_today = capacity_per_day or 0.0

    def ship_time(self, quantity: float, now: float) -> float:
        """Time (days) at which an order of ``quantity`` units placed at ``now`` ships."""
        capacity = self.capacity
        if capacity is None:
            return now
        today = math.floor(now)
        if self.next_day < today:
            self.next_day, self.left_today = today, capacity
        if quantity > self.left_today:
            extra_days = math.ceil((quantity - self.left_today) / capacity - 1e-12)
            self.next_day += extra_days
            self.left_today = self.left_today + extra_days * capacity - quantity
        else:
            self.left_today -= quantity
        return max(now, float(self.next_day))


class Lane:
    """The inbound lane of a stock point: its source, lead time, order terms and title.

    Parameters
    ----------
    network : Network
        Owning network (receipt scheduling).
    owner : StockPoint
        The stock point this lane replenishes.
    supplier : SupplierNode or None
        External source, or None when ``upstream`` is given.
    upstream : StockPoint or None
        Internal source (another stock point).
    lead_times : BlockSampler
        Lead time per shipment (days), drawn by shipment index.
    order_cost : float
        Fixed cost per order :math:`K` (currency).
    unit_price : float
        Purchase price per unit (currency/unit).
    min_order : float
        Minimum order quantity (units).
    lot_multiple : float or None
        Orders rounded up to a multiple of this (units).
    owned_in_transit : bool
        Whether units in transit count as our stock (cash tied up).
    """

    __slots__ = (
        "lead_times",
        "lot_multiple",
        "min_order",
        "network",
        "order_cost",
        "owned_in_transit",
        "owner",
        "source_name",
        "supplier",
        "unit_price",
        "upstream",
    )

    def __init__(
        self,
        network: Network,
        owner: StockPoint,
        supplier: SupplierNode | None,
        upstream: StockPoint | None,
        lead_times: BlockSampler,
        order_cost: float,
        unit_price: float,
        min_order: float,
        lot_multiple: float | None,
        owned_in_transit: bool,
    ) -> None:
        self.network = network
        self.owner = owner
        self.supplier = supplier
        self.upstream = upstream
        self.source_name = supplier.name if supplier is not None else upstream.name  # type: ignore[union-attr]
        self.lead_times = lead_times
        self.order_cost = order_cost
        self.unit_price = unit_price
        self.min_order = min_order
        self.lot_multiple = lot_multiple
        self.owned_in_transit = owned_in_transit

    def round_order(self, quantity: float) -> float:
        """Apply the minimum order quantity and the lot multiple (units)."""
        if quantity < self.min_order:
            quantity = self.min_order
        lot = self.lot_multiple
        if lot is not None:
            quantity = math.ceil(quantity / lot - 1e-9) * lot
        return quantity

    def send(self, quantity: float, now: float) -> None:
        """Pass an order of ``quantity`` units to the source."""
        if self.upstream is not None:
            self.upstream.request(quantity, self, now)
            return
        assert self.supplier is not None
        ship_at = self.supplier.ship_time(quantity, now)
        if ship_at <= now:
            self.ship(quantity, now)
        else:
            self.network.at(ship_at, lambda: self.ship(quantity, ship_at))

    def ship(self, quantity: float, now: float) -> None:
        """``quantity`` units leave the source now and arrive after a lead time."""
        due = now + self.lead_times.next()
        owned = self.owned_in_transit
        if owned:
            owner = self.owner
            owner.advance(now)
            owner.owned_transit += quantity
            # owned stock in transit is cash tied up from now: it can set a new peak
            cash = owner.cash()
            if cash > owner.peak_cash:
                owner.peak_cash = cash
            self.network.note_cash()
        self.network.deliver(self.owner, quantity, owned, due, now)
