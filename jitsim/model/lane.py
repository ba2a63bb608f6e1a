"""Lanes and suppliers: how replenishment orders travel, how long they take, what arrives.

A lane without incoming inspection and without a backup role hands its shipments straight to
the network's receipt schedule (the hot path). A lane that inspects (the supplier has a defect
rate or an inspection cost) or that is a backup lane routes each arrival through
:meth:`Lane.receive`, which inspects it, counts it and puts the good units away.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from jitsim.streams import BlockSampler

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
    from jitsim.model.disruptions import LaneDisruption, SupplierOutage
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.models import Item, Supplier
    from jitsim.streams import Streams


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

    Notes
    -----
    :attr:`disruption` (set by :class:`jitsim.model.disruptions.Disruptions`) takes over
    :meth:`ship_time` for a supplier with outages: nothing ships while it is down.
    """

    __slots__ = ("capacity", "disruption", "left_today", "name", "next_day")

    def __init__(self, name: str, capacity_per_day: float | None) -> None:
        self.name = name
        self.capacity = capacity_per_day
        self.next_day = 0
        self.left_today = capacity_per_day or 0.0
        self.disruption: SupplierOutage | None = None

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


class Inspection:
    r"""Incoming inspection on one lane: which received units are defective, and its cost.

    The units that arrive over a lane are numbered 0, 1, 2, … in the order they arrive (a
    fractional quantity covers a fractional stretch of that axis). Unit :math:`j` is defective
    with probability :math:`p_d`, independently; the defective numbers are pre-drawn from the
    lane's quality stream as cumulative Geometric(:math:`p_d`) gaps. A delivery covering the
    stretch :math:`[J, J + n)` rejects the defective numbers inside it, so an integer delivery
    of :math:`n` units holds Binomial(:math:`n`, :math:`p_d`) rejects. A fractional delivery
    rejects the whole defective numbers in its stretch (never more than :math:`n`): over many
    deliveries that is :math:`p_d` per unit, though one delivery's count is an integer. The
    j-th unit through the lane is defective or not whatever the policy (common random numbers
    by unit: stronger than by delivery, since order sizes differ between policies).

    Parameters
    ----------
    defect_rate : float
        Probability :math:`p_d` that a unit is defective (0 ≤ p < 1).
    replace : bool
        Rejected units are shipped again (True) or lost (False).
    cost_per_unit : float
        Inspection cost per received unit (currency/unit).
    rng : numpy.random.Generator
        The lane's quality stream.
    """

    __slots__ = (
        "_block",
        "_next_defect",
        "_rng",
        "_units",
        "_used",
        "cost_per_unit",
        "defect_rate",
        "replace",
    )

    def __init__(
        self, defect_rate: float, replace: bool, cost_per_unit: float, rng: np.random.Generator
    ) -> None:
        self.defect_rate = defect_rate
        self.replace = replace
        self.cost_per_unit = cost_per_unit
        self._rng = rng
        self._block: list[int] = []
        self._used = 0
        self._units = 0.0
        self._next_defect = float(self._gap() - 1) if defect_rate > 0 else math.inf

    def _gap(self) -> int:
        if self._used == len(self._block):
            self._block = self._rng.geometric(self.defect_rate, 64).tolist()
            self._used = 0
        gap = self._block[self._used]
        self._used += 1
        return gap

    def rejects(self, quantity: float) -> float:
        """Inspect the next ``quantity`` units; return how many are rejected."""
        end = self._units + quantity
        self._units = end
        limit = end - 1e-9
        count = 0
        while self._next_defect < limit:
            count += 1
            self._next_defect += self._gap()
        return float(count) if count <= quantity else quantity


class Lane:
    """An inbound lane of a stock point: its source, lead time, order terms and title.

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
    inspection : Inspection or None
        Incoming inspection of every arrival (suppliers with a defect rate or inspection
        cost).
    replacement_lead_times : BlockSampler or None
        Lead times of re-shipped rejected units (days), drawn by re-shipment index from their
        own stream, so that defects do not shift the lead times of later orders.
    is_backup : bool
        This is the stock point's backup lane (its arrivals count as ``units_from_backup``).
    max_delay : float
        Largest shipping delay (days) at which :meth:`can_deliver` still says yes.
    """

    __slots__ = (
        "direct",
        "disruption",
        "inspection",
        "is_backup",
        "lead_times",
        "lot_multiple",
        "max_delay",
        "min_order",
        "network",
        "order_cost",
        "owned_in_transit",
        "owner",
        "replacement_lead_times",
        "source_name",
        "supplier",
        "unit_price",
        "unshipped",
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
        *,
        inspection: Inspection | None = None,
        replacement_lead_times: BlockSampler | None = None,
        is_backup: bool = False,
        max_delay: float = 0.0,
    ) -> None:
        self.network = network
        self.owner = owner
        self.supplier = supplier
        self.upstream = upstream
        self.source_name = (
            supplier.name if supplier is not None else upstream.name if upstream is not None else ""
        )
        self.lead_times = lead_times
        self.order_cost = order_cost
        self.unit_price = unit_price
        self.min_order = min_order
        self.lot_multiple = lot_multiple
        self.owned_in_transit = owned_in_transit
        if inspection is not None and (supplier is None or replacement_lead_times is None):
            raise ValueError("an inspecting lane needs a supplier and replacement lead times")
        self.inspection = inspection
        self.replacement_lead_times = replacement_lead_times
        self.is_backup = is_backup
        self.max_delay = max_delay
        #: Arrivals go straight to the owner (no inspection, nothing to count per lane).
        self.direct = inspection is None and not is_backup
        #: Outages, refusals and lead-time shocks on this lane (None: undisrupted).
        self.disruption: LaneDisruption | None = None
        #: Units ordered (or to be replaced) that wait at the supplier: not shipped yet (units).
        self.unshipped = 0.0

    @classmethod
    def from_supplier(
        cls,
        network: Network,
        owner: StockPoint,
        supplier: Supplier,
        node: SupplierNode,
        item: Item,
        lead_time: BaseDistribution | None,
        order_cost: float | None,
        streams: Streams,
        prefix: str,
        *,
        is_backup: bool = False,
    ) -> tuple[Lane, BaseDistribution]:
        """Build a lane from a supplier; returns it with its lead-time distribution.

        ``lead_time`` and ``order_cost`` override the supplier's when given. Random streams are
        ``{prefix}.lead_time``, ``{prefix}.quality`` and ``{prefix}.replacement_lead_time``,
        with ``prefix`` ``lane.STORE`` (primary), ``lane.STORE.backup`` or
        ``lane.STORE.expedite``.
        """
        lead = lead_time if lead_time is not None else supplier.lead_time
        inspection = None
        replacements = None
        if supplier.inspects:
            inspection = Inspection(
                supplier.defect_rate,
                supplier.rejects == "replace",
                supplier.inspection_cost_per_unit,
                streams(f"{prefix}.quality"),
            )
            replacements = BlockSampler(lead, streams(f"{prefix}.replacement_lead_time"))
        lane = cls(
            network,
            owner,
            node,
            None,
            BlockSampler(lead, streams(f"{prefix}.lead_time")),
            order_cost if order_cost is not None else supplier.order_cost,
            supplier.unit_price if supplier.unit_price is not None else item.unit_cost,
            supplier.min_order,
            supplier.lot_multiple,
            owned_in_transit=supplier.title_transfer == "shipment",
            inspection=inspection,
            replacement_lead_times=replacements,
            is_backup=is_backup,
        )
        return lane, lead

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
        assert self.supplier is not None
        ship_at = self.supplier.ship_time(quantity, now)
        if ship_at <= now:
            self.ship(quantity, now)
        else:
            self.unshipped += quantity
            self.network.at(ship_at, lambda: self._ship_waiting(quantity, ship_at))

    def _ship_waiting(self, quantity: float, now: float) -> None:
        self.unshipped -= quantity
        self.ship(quantity, now)

    def ship(self, quantity: float, now: float) -> None:
        """``quantity`` units leave the source now and arrive after a lead time."""
        due = now + self.lead_times.next()
        if self.disruption is not None:
            due = self.disruption.arrival(now, due)
        owned = self.owned_in_transit
        if owned:
            self._take_title(quantity, now)
        if self.direct:
            self.network.deliver(self.owner, quantity, owned, due, now)
        else:
            self._arrive(quantity, due, now)

    def _take_title(self, quantity: float, now: float) -> None:
        owner = self.owner
        owner.advance(now)
        owner.owned_transit += quantity
        # owned stock in transit is cash tied up from now: it can set a new peak
        cash = owner.cash()
        if cash > owner.peak_cash:
            owner.peak_cash = cash
        self.network.note_cash()

    def _arrive(self, quantity: float, due: float, now: float) -> None:
        """Have :meth:`receive` handle ``quantity`` units at ``due`` (now if already due)."""
        due = _whole_day(due)
        if due <= now:
            self.receive(quantity, now)
        else:
            self.network.at(due, lambda: self.receive(quantity, due))

    # -- arrivals over a non-direct lane ----------------------------------------------------

    def receive(self, quantity: float, now: float) -> None:
        """A shipment of ``quantity`` units arrives: inspect, put away, handle the rejects.

        Rejected units that are replaced go back to the supplier and are shipped again (through
        its capacity) with a fresh lead time; a replacement that is due at once is inspected
        in the same loop.
        """
        owner = self.owner
        owned = self.owned_in_transit
        inspection = self.inspection
        while quantity > 0.0:
            if inspection is None:  # a backup lane without inspection
                owner.units_from_backup += quantity
                owner.receive(quantity, owned, now)
                return
            owner.units_inspected += quantity
            owner.inspection_cost += inspection.cost_per_unit * quantity
            rejected = inspection.rejects(quantity) if inspection.defect_rate > 0.0 else 0.0
            if self.disruption is not None and self.disruption.crises:
                rejected = self.disruption.extra_rejects(quantity, rejected, now)
            good = quantity - rejected
            if self.is_backup:
                owner.units_from_backup += good
            if rejected > 0.0:
                owner.reject(rejected, quantity, owned, inspection.replace, self.unit_price, now)
            if good > 0.0:
                owner.receive(good, owned, now)
            if rejected <= 0.0:
                return
            if not inspection.replace:
                if owner.continuous:
                    owner.review(now)  # the inventory position fell
                return
            quantity = self._reship(rejected, now)

    def _reship(self, quantity: float, now: float) -> float:
        """Ship rejected units again; return the units that arrive at once (else 0)."""
        assert self.supplier is not None
        ship_at = self.supplier.ship_time(quantity, now)
        if ship_at > now:
            self.unshipped += quantity
            self.network.at(ship_at, lambda: self._reship_at(quantity, ship_at))
            return 0.0
        return self._dispatch_replacement(quantity, now)

    def _reship_at(self, quantity: float, now: float) -> None:
        self.unshipped -= quantity
        arrived = self._dispatch_replacement(quantity, now)
        if arrived > 0.0:
            self.receive(arrived, now)

    def _dispatch_replacement(self, quantity: float, now: float) -> float:
        assert self.replacement_lead_times is not None
        due = now + self.replacement_lead_times.next()
        if self.disruption is not None:
            due = self.disruption.arrival(now, due)
        due = _whole_day(due)
        if self.owned_in_transit:
            self._take_title(quantity, now)
        if due <= now:
            return quantity
        self.network.at(due, lambda: self.receive(quantity, due))
        return 0.0


def _whole_day(when: float) -> float:
    """A time within 1e-9 days of a whole day is that day (as the network's receipts)."""
    nearest = round(when)
    return float(nearest) if abs(when - nearest) < 1e-9 else when
