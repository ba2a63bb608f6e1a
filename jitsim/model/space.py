r"""Warehouse space of a stock point: its capacity, what a full warehouse does, and its costs.

A stock point with ``capacity`` gets a :class:`Space` (``StockPoint.space``; None without a
capacity, so the stock point's hot path is unchanged). Space is counted in the capacity's unit
:math:`u`: units of the item, or m³ (units × the item's ``volume``); :math:`v` is the volume
of a unit (1 with ``capacity_unit: units``) and :math:`C/v` the capacity in units.

Stored stock is the on-hand stock. A receipt is put away after the backorders it fills are
shipped (cross-docked: units that leave at once take no space), so the room for a receipt of
:math:`q` units is :math:`C/v - \text{on-hand} + \text{backorders}`. What does not fit:

* ``overflow: refuse`` — goes back to the source and stays on order (in the inventory position
  and, when owned in transit, in the cash tied up); it is delivered again after a fresh lead
  time of the stock point's regular lane, drawn from its own stream
  ``lane.STOCK_POINT.redelivery_lead_time`` (so no other lead time moves), and at least one day
  later. The redelivery meets the same check. A receipt of a whole number of units is split
  into whole units (the accepted part is rounded down). Each receipt that is cut counts as one
  refused delivery.
* ``overflow: external`` — is put away all the same; the stock above the capacity is in
  overflow storage, charged at each end-of-day snapshot (phase 1 of the daily order).

KPIs (in the capacity's unit; window :math:`W` days, :math:`D` measured days):

* ``peak_space_used`` = :math:`v \max_t \text{stored}(t)` over the window (after each receipt,
  and the level at the start of the window);
* ``space_utilisation`` = :math:`v\,\overline{\text{on-hand}} / C`, the time-average
  (above 1 only when stock sits in overflow storage);
* ``overflow_units`` = :math:`\sum_{d} (v\,\text{on-hand}_d - C)^+` over the end-of-day
  snapshots, in capacity-unit-days; ``overflow_cost`` = ``overflow_cost_per_unit_day`` × that;
* ``space_cost`` = ``space_cost_per_unit_day`` × :math:`C` × :math:`D`;
* ``refused_deliveries`` (receipts cut) and ``refused_units`` (units sent back, counted again
  if refused again).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from jitsim.model.calendar import snap
from jitsim.model.shelf import split_batches

if TYPE_CHECKING:
    from jitsim.model.calendar import Calendar
    from jitsim.model.shelf import Batch
    from jitsim.model.stock_point import StockPoint
    from jitsim.streams import BlockSampler

__all__ = ["SPACE_COSTS", "Space", "space_kpis"]

#: Space KPIs that are costs (part of ``total_cost``).
SPACE_COSTS = ("space_cost", "overflow_cost")
#: Space KPIs summed over the stock points into a network KPI.
_NETWORK_SUMS = ("overflow_units", *SPACE_COSTS, "refused_deliveries", "refused_units")


class Space:
    """The warehouse space of one stock point.

    Parameters
    ----------
    calendar : Calendar
        Schedules redeliveries; the event log.
    capacity : float
        Capacity :math:`C` (capacity units: units or m³).
    volume : float
        Space of one unit :math:`v` (capacity units per unit: 1 for ``units``, the item's
        ``volume`` in m³ for ``m3``).
    refuse : bool
        ``overflow: refuse`` (True) or ``external`` (False).
    overflow_cost_per_unit_day : float
        Overflow storage cost (currency per capacity unit per day).
    space_cost_per_unit_day : float
        Cost of the reserved space (currency per capacity unit per day).
    redelivery : BlockSampler or None
        Lead times of refused units sent again (days): the regular lane's distribution on the
        stream ``lane.STOCK_POINT.redelivery_lead_time``; None with ``external``.
    stored : float
        Units stored at the start (the stock point's initial stock).
    """

    __slots__ = (
        "calendar",
        "capacity",
        "overflow_cost_per_unit_day",
        "overflow_unit_days",
        "peak_stored",
        "redelivery",
        "refuse",
        "refused_deliveries",
        "refused_units",
        "room",
        "space_cost_per_unit_day",
        "volume",
    )

    def __init__(
        self,
        calendar: Calendar,
        capacity: float,
        volume: float,
        *,
        refuse: bool,
        overflow_cost_per_unit_day: float,
        space_cost_per_unit_day: float,
        redelivery: BlockSampler | None,
        stored: float = 0.0,
    ) -> None:
        if refuse and redelivery is None:
            raise ValueError("refused units need redelivery lead times")
        self.calendar = calendar
        self.capacity = capacity
        self.volume = volume
        #: Capacity in units of the item, C / v.
        self.room = capacity / volume
        self.refuse = refuse
        self.overflow_cost_per_unit_day = overflow_cost_per_unit_day
        self.space_cost_per_unit_day = space_cost_per_unit_day
        self.redelivery = redelivery
        self.reset_statistics(stored)

    def reset_statistics(self, on_hand: float) -> None:
        """Forget the window so far; ``on_hand`` (units) is the stock stored now."""
        self.peak_stored = on_hand
        self.overflow_unit_days = 0.0  # in units of the item; × volume when reported
        self.refused_deliveries = 0
        self.refused_units = 0.0

    def admit(
        self,
        point: StockPoint,
        quantity: float,
        owned: bool,
        now: float,
        batches: list[Batch] | None = None,
    ) -> tuple[float, list[Batch] | None]:
        """A receipt of ``quantity`` units (perishable: in ``batches``) arrives at ``point``:
        return the units it puts away, and their batches.

        With ``refuse``, the part that does not fit stays on order and is scheduled to be
        delivered again (with its own batches, so its units keep their expiry); the stock
        point books only the accepted part.
        """
        if self.refuse:
            free = self.room - point.on_hand + point.backorders
            if quantity > free + 1e-9:
                accepted = free if free > 0.0 else 0.0
                if quantity == math.floor(quantity):  # whole units stay whole
                    accepted = float(math.floor(accepted + 1e-9))
                rest = None
                if batches is not None:
                    batches, rest = split_batches(batches, accepted)
                self._send_back(point, quantity - accepted, quantity, owned, now, rest)
                quantity = accepted
        stored = point.on_hand + quantity - point.backorders
        if stored > self.peak_stored:
            self.peak_stored = stored
        return quantity, batches

    def _send_back(
        self,
        point: StockPoint,
        refused: float,
        delivered: float,
        owned: bool,
        now: float,
        batches: list[Batch] | None,
    ) -> None:
        """``refused`` units of a delivery go back to the source, still on order."""
        assert self.redelivery is not None
        self.refused_deliveries += 1
        self.refused_units += refused
        due = snap(now + self.redelivery.next())
        next_day = math.floor(now) + 1.0
        if due < next_day:  # never back on the day it was refused
            due = next_day
        trace = self.calendar.trace
        if trace is not None:
            note = f"of {delivered:g}; no space, delivered again at {due:g}"
            trace.append((now, point.name, "space refused", refused, point.on_hand, note))
        self.calendar.deliver(point, refused, owned, due, now, batches)

    def end_of_day(self, on_hand: float, now: float) -> None:
        """The end-of-day snapshot at ``now``: stock above the capacity is in overflow storage
        today; with a cash ledger, the day's reserved space and overflow are paid now."""
        excess = on_hand - self.room
        if excess > 0.0:
            self.overflow_unit_days += excess
        ledger = self.calendar.ledger
        if ledger is not None:
            ledger.pay(now, self.space_cost_per_unit_day * self.capacity, "space")
            if excess > 0.0:
                ledger.pay(now, self.overflow_cost_per_unit_day * excess * self.volume, "overflow")

    def kpis(self, point: StockPoint, window: float) -> dict[str, float]:
        """The stock point's space KPIs over a window of ``window`` days (module notes)."""
        volume = self.volume
        overflow = self.overflow_unit_days * volume
        avg_used = point.area_on_hand / window * volume if window > 0 else math.nan
        return {
            "peak_space_used": self.peak_stored * volume,
            "space_utilisation": avg_used / self.capacity,
            "overflow_units": overflow,
            "overflow_cost": self.overflow_cost_per_unit_day * overflow,
            "space_cost": self.space_cost_per_unit_day * self.capacity * point.days,
            "refused_deliveries": float(self.refused_deliveries),
            "refused_units": self.refused_units,
        }


def space_kpis(per_point: dict[str, dict[str, float]]) -> dict[str, float]:
    """Network sums of the stock points' space KPIs (``overflow_units``, the costs, refused
    deliveries and units); empty when no stock point has a capacity."""
    with_space = [values for values in per_point.values() if "space_cost" in values]
    if not with_space:
        return {}
    return {kpi: sum(values[kpi] for values in with_space) for kpi in _NETWORK_SUMS}
