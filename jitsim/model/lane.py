"""Lanes: how replenishment orders travel from their source to a stock point, and how long.

A lane's source is a supplier (an order waits for the supplier's capacity, then ships), another
stock point (an order is a request there, filled from stock or backordered) or a plant (an
order is a production order: :class:`jitsim.model.plant.PlantLane`). A *direct* lane — no
incoming inspection, not a backup — hands its shipments straight to the calendar's receipts
(the hot path); a backup lane counts what arrives over it, and an inspecting lane
(:class:`jitsim.model.inspection.InspectingLane`) inspects it first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from jitsim.model.calendar import snap

if TYPE_CHECKING:
    from jitsim.model.calendar import Calendar
    from jitsim.model.disruptions import LaneDisruption
    from jitsim.model.ledger import SupplierAccount
    from jitsim.model.shelf import Batch
    from jitsim.model.stock_point import StockPoint
    from jitsim.model.supplier import SupplierNode
    from jitsim.streams import BlockSampler


class OrderTerms(NamedTuple):
    """What an order over a lane costs and how it is rounded."""

    #: Fixed cost per order :math:`K` (currency).
    order_cost: float = 0.0
    #: Purchase price (currency/unit): 0 for transfers between stock points and production.
    unit_price: float = 0.0
    #: Minimum order quantity (units).
    min_order: float = 0.0
    #: Orders are rounded up to a multiple of this (units), if given.
    lot_multiple: float | None = None


class Lane:
    """An inbound lane of a stock point: its source, lead time, order terms and title.

    Parameters
    ----------
    calendar : Calendar
        Receipt scheduling.
    owner : StockPoint
        The stock point this lane replenishes.
    supplier : SupplierNode or None
        External source, or None when ``upstream`` is given.
    upstream : StockPoint or None
        Internal source (another stock point).
    lead_times : BlockSampler
        Lead time per shipment (days), drawn by shipment index.
    terms : OrderTerms
        Order cost, unit price, minimum order and lot multiple (kept as attributes).
    owned_in_transit : bool
        Whether units in transit count as our stock (cash tied up).
    is_backup : bool
        This is the stock point's backup lane (its arrivals count as ``units_from_backup``).
    max_delay : float
        Largest shipping delay (days) at which :meth:`can_deliver` still says yes.
    disruption : LaneDisruption or None
        Outages, refusals and lead-time shocks on this lane (None: undisrupted).
    """

    __slots__ = (
        "account",
        "calendar",
        "direct",
        "disruption",
        "is_backup",
        "lead_times",
        "lot_multiple",
        "max_delay",
        "min_order",
        "order_cost",
        "owned_in_transit",
        "owner",
        "rounds",
        "source_name",
        "supplier",
        "unit_price",
        "unshipped",
        "upstream",
    )

    def __init__(
        self,
        calendar: Calendar,
        owner: StockPoint,
        supplier: SupplierNode | None,
        upstream: StockPoint | None,
        lead_times: BlockSampler,
        terms: OrderTerms,
        owned_in_transit: bool,
        *,
        is_backup: bool = False,
        max_delay: float = 0.0,
        disruption: LaneDisruption | None = None,
    ) -> None:
        self.calendar = calendar
        self.owner = owner
        self.supplier = supplier
        self.upstream = upstream
        self.source_name = (
            supplier.name if supplier is not None else upstream.name if upstream is not None else ""
        )
        self.lead_times = lead_times
        self.order_cost, self.unit_price, self.min_order, self.lot_multiple = terms
        #: Whether :meth:`round_order` can change an order (an MOQ or a lot multiple).
        self.rounds = self.min_order > 0.0 or self.lot_multiple is not None
        self.owned_in_transit = owned_in_transit
        self.is_backup = is_backup
        self.max_delay = max_delay
        self.disruption = disruption
        #: Arrivals go straight to the owner (nothing to inspect or count on the way).
        self.direct = not is_backup
        #: Where deliveries are invoiced when the scenario keeps a cash ledger (see
        #: :meth:`bill_to`), else None.
        self.account: SupplierAccount | None = None
        #: Units ordered (or to be replaced) that wait at the supplier: not shipped yet (units).
        self.unshipped = 0.0

    def bill_to(self, account: SupplierAccount) -> None:
        """Invoice every delivery over this supplier lane to ``account`` when it arrives."""
        self.account = account
        self.direct = False  # arrivals pass through :meth:`receive`, which invoices them

    def round_order(self, quantity: float) -> float:
        """Apply the minimum order quantity and the lot multiple (units)."""
        if quantity < self.min_order:
            quantity = self.min_order
        lot = self.lot_multiple
        if lot is not None:
            quantity = math.ceil(quantity / lot - 1e-9) * lot
        return quantity

    def can_deliver(self, quantity: float, now: float) -> bool:
        """Whether the source can ship ``quantity`` units ordered at ``now`` in time.

        A supplier can when its capacity backlog lets the order ship no later than
        ``now + max_delay``; a stock point can when its on-hand stock fills the whole order at
        once (nobody waiting before it). The capacity is only looked at, not used. This is the
        failover test of dual sourcing, and the hook where supplier outages plug in.
        """
        upstream = self.upstream
        if upstream is not None:
            return not upstream.backorder_queue and upstream.on_hand >= quantity - 1e-9
        supplier = self.supplier
        assert supplier is not None
        if supplier.disruption is not None and supplier.disruption.turns_away(now):
            return False  # down, and orders are refused or redirected
        return supplier.ship_time(quantity, now, commit=False) <= now + self.max_delay + 1e-9

    def expected_arrival(self, quantity: float, now: float) -> float:
        """When an order of ``quantity`` units placed at ``now`` would arrive, on average.

        The supplier's ship time (capacity backlog and outages, looked at only) plus the mean
        lead time, shocked or frozen like a real shipment; infinite when the supplier turns
        the order away. Only for supplier lanes.
        """
        supplier = self.supplier
        assert supplier is not None
        disruption = supplier.disruption
        if disruption is not None and disruption.turns_away(now):
            return math.inf
        shipped = supplier.ship_time(quantity, now, commit=False)
        due = shipped + self.lead_times.mean
        return self.disruption.arrival(shipped, due) if self.disruption is not None else due

    def send(self, quantity: float, now: float) -> None:
        """Pass an order of ``quantity`` units to the source."""
        if self.upstream is not None:
            self.upstream.request(quantity, self, now)
            return
        supplier = self.supplier
        assert supplier is not None
        if supplier.unlimited:  # ships at once (ship_time's answer, without the call)
            self.ship(quantity, now)
            return
        ship_at = supplier.ship_time(quantity, now)
        if ship_at <= now:
            self.ship(quantity, now)
        else:
            self.unshipped += quantity
            self.calendar.at(ship_at, lambda: self._ship_waiting(quantity, ship_at))

    def _ship_waiting(self, quantity: float, now: float) -> None:
        self.unshipped -= quantity
        self.ship(quantity, now)

    def ship(self, quantity: float, now: float, batches: list[Batch] | None = None) -> None:
        """``quantity`` units leave the source now and arrive after a lead time (perishable
        units from a stock point or plant as ``batches``: they keep their expiry)."""
        due = now + self.lead_times.next()
        if self.disruption is not None:
            due = self.disruption.arrival(now, due)
        owned = self.owned_in_transit
        if owned:
            self.owner.take_title(quantity, now)
        if self.direct:
            self.calendar.deliver(self.owner, quantity, owned, due, now, batches)
            return
        due = snap(due)
        if due <= now:
            self.receive(quantity, now)
        else:
            self.calendar.at(due, lambda: self.receive(quantity, due))

    def receive(self, quantity: float, now: float) -> None:
        """A shipment of ``quantity`` units arrives over this lane (a backup lane, or one that
        invoices): count it, invoice it and put it away
        (:class:`~jitsim.model.inspection.InspectingLane` inspects it first)."""
        if self.is_backup:
            self.count_from_backup(quantity)
        if self.account is not None:
            self.account.invoice(quantity * self.unit_price, now)
        self.owner.receive(quantity, self.owned_in_transit, now)

    def count_from_backup(self, quantity: float) -> None:
        """Count ``quantity`` good units received over this backup lane."""
        backup = self.owner.backup
        assert backup is not None  # only a backup lane counts its arrivals
        backup.units_received += quantity
