"""Incoming inspection: which units arriving over a lane are defective, and what then.

A supplier with a defect rate or an inspection cost has every delivery inspected on arrival
(:class:`InspectingLane`). Rejected units go back to the supplier: replaced (shipped again,
through its capacity, with a fresh lead time from the lane's replacement stream) or lost.
See ``docs/scenario-reference.md`` (suppliers) for the user-facing rules.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from jitsim.model.calendar import snap
from jitsim.model.lane import Lane
from jitsim.streams import BlockDraws

if TYPE_CHECKING:
    import numpy as np

    from jitsim.streams import BlockSampler


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

    __slots__ = ("_gaps", "_next_defect", "_units", "cost_per_unit", "defect_rate", "replace")

    def __init__(
        self, defect_rate: float, replace: bool, cost_per_unit: float, rng: np.random.Generator
    ) -> None:
        self.defect_rate = defect_rate
        self.replace = replace
        self.cost_per_unit = cost_per_unit
        # Gaps between the numbers of defective units: geometric, drawn 64 at a time.
        self._gaps = BlockDraws(lambda size: rng.geometric(defect_rate, size), 64)
        self._units = 0.0
        self._next_defect = self._gaps.next() - 1.0 if defect_rate > 0 else math.inf

    def rejects(self, quantity: float) -> float:
        """Inspect the next ``quantity`` units; return how many are rejected."""
        end = self._units + quantity
        self._units = end
        limit = end - 1e-9
        count = 0
        while self._next_defect < limit:
            count += 1
            self._next_defect += self._gaps.next()
        return float(count) if count <= quantity else quantity


class InspectingLane(Lane):
    """A lane from a supplier whose deliveries are inspected on arrival.

    Parameters
    ----------
    *args, **kwargs
        As :class:`~jitsim.model.lane.Lane` (the supplier is required).
    inspection : Inspection
        Which units are defective, how rejects are handled, what inspecting costs.
    replacement_lead_times : BlockSampler
        Lead times of re-shipped rejected units (days), drawn by re-shipment index from their
        own stream, so that defects do not shift the lead times of later orders.
    """

    __slots__ = ("inspection", "replacement_lead_times")

    def __init__(
        self,
        *args: Any,
        inspection: Inspection,
        replacement_lead_times: BlockSampler,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.supplier is None:
            raise ValueError("an inspecting lane needs a supplier")
        self.inspection = inspection
        self.replacement_lead_times = replacement_lead_times
        self.direct = False  # every arrival is inspected first

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
            owner.units_inspected += quantity
            owner.inspection_cost += inspection.cost_per_unit * quantity
            ledger = self.calendar.ledger
            if ledger is not None:  # inspection is paid when the delivery is inspected
                ledger.pay(now, inspection.cost_per_unit * quantity, "inspection")
            rejected = inspection.rejects(quantity) if inspection.defect_rate > 0.0 else 0.0
            if self.disruption is not None and self.disruption.crises:
                rejected = self.disruption.extra_rejects(quantity, rejected, now)
            good = quantity - rejected
            if self.is_backup:
                self.count_from_backup(good)
            if rejected > 0.0:
                owner.reject(rejected, quantity, owned, inspection.replace, self.unit_price, now)
            if good > 0.0:
                if self.account is not None:  # the supplier invoices the good units only
                    self.account.invoice(good * self.unit_price, now)
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
            self.calendar.at(ship_at, lambda: self._reship_at(quantity, ship_at))
            return 0.0
        return self._dispatch_replacement(quantity, now)

    def _reship_at(self, quantity: float, now: float) -> None:
        self.unshipped -= quantity
        arrived = self._dispatch_replacement(quantity, now)
        if arrived > 0.0:
            self.receive(arrived, now)

    def _dispatch_replacement(self, quantity: float, now: float) -> float:
        due = now + self.replacement_lead_times.next()
        if self.disruption is not None:
            due = self.disruption.arrival(now, due)
        due = snap(due)
        if self.owned_in_transit:
            self.owner.take_title(quantity, now)
        if due <= now:
            return quantity
        self.calendar.at(due, lambda: self.receive(quantity, due))
        return 0.0
