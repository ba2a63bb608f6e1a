"""The runtime effects of disruptions on suppliers, lanes, plants and customers.

Every hook is a small object the hit part holds (``SupplierNode.disruption``,
``Lane.disruption``, ``Plant.crisis``) or a customer that also counts its service during
disruptions; parts without disruptions hold None and pay one ``is None`` check.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from jitsim.model.customer import Customer
from jitsim.model.disruptions.timelines import daily_capacity

if TYPE_CHECKING:
    from jitsim.model.disruptions.timelines import Timeline
    from jitsim.model.inspection import Inspection
    from jitsim.scenario.disruptions import WhenDown
    from jitsim.scenario.models import Customer as CustomerSpec


class SupplierOutage:
    """A supplier's outages and its behaviour while down (``suppliers.<name>.when_down``).

    Replaces :meth:`~jitsim.model.supplier.SupplierNode.ship_time` for this supplier: an order
    never ships while the supplier is down (it is queued to the end of the outage), and with a
    capacity each day offers the capacity of the time the supplier is up that day, ramped after
    a recovery.
    """

    __slots__ = (
        "capacity",
        "days",
        "freeze",
        "left",
        "next_day",
        "orders",
        "timeline",
    )

    def __init__(
        self, timeline: Timeline, capacity: float | None, when_down: WhenDown, horizon: int
    ) -> None:
        self.timeline = timeline
        self.capacity = capacity
        #: What happens to orders placed while down: ``queue``, ``refuse`` or ``redirect``.
        self.orders = when_down.orders
        #: Shipments in transit stand still while the supplier is down.
        self.freeze = when_down.in_transit == "freeze"
        ramp_days = when_down.ramp_up_days
        self.days = (
            daily_capacity(timeline, capacity, ramp_days, horizon) if capacity is not None else []
        )
        self.next_day = 0
        self.left = self.days[0] if self.days else 0.0

    def _day(self, day: int) -> float:
        days = self.days
        if day < len(days):
            return days[day]
        assert self.capacity is not None
        return self.capacity

    def ship_time(self, quantity: float, now: float, commit: bool) -> float:
        """When an order of ``quantity`` units placed at ``now`` ships (FCFS, queued)."""
        timeline = self.timeline
        if self.capacity is None:
            return timeline.up_at(now)
        today = math.floor(now)
        day, left = self.next_day, self.left
        if day < today:
            day, left = today, self._day(today)
        need = quantity
        while need > left + 1e-12:
            need -= left
            day += 1
            left = self._day(day)
            if day >= len(self.days) and need > 1000 * left:
                # Past the profile every day brings the same capacity: skip the days an
                # order far above it waits (an order may exceed the whole horizon's output).
                if left <= 0:
                    return math.inf
                skipped = math.floor(need / left) - 2
                need -= skipped * left
                day += skipped
        left -= need
        if commit:
            self.next_day, self.left = day, left
        return timeline.up_at(max(now, float(day)))

    def turns_away(self, now: float) -> bool:
        """Whether an order placed at ``now`` is refused or redirected (not queued)."""
        return self.orders != "queue" and self.timeline.is_down(now)


class LaneDisruption:
    r"""What disruptions do to one lane: refusals, frozen transit and lead-time shocks.

    Parameters
    ----------
    outage : SupplierOutage or None
        The lane's supplier's outages (None: the source is never down).
    shocks : list of (Timeline, multiplier, add_days)
        Lead-time shocks on this lane, applied in order to shipments leaving inside them.
    warmup : float
        Refusals before this time are not counted (days).
    crises : list of (Timeline, Inspection)
        Quality crises of the lane's supplier: extra defects drawn by unit number at rate
        :math:`(m - 1)\,p_d`, counted only while the crisis is active.
    closure : Timeline or None
        When the lane is closed (an outage of the stock point it delivers to): a shipment
        that would leave inside a closure waits at its source until the closure ends.
    """

    __slots__ = ("closure", "crises", "outage", "refused", "shocks", "warmup")

    def __init__(
        self,
        outage: SupplierOutage | None,
        shocks: list[tuple[Timeline, float, float]],
        warmup: float,
        crises: list[tuple[Timeline, Inspection]] | None = None,
        closure: Timeline | None = None,
    ) -> None:
        self.outage = outage
        self.shocks = shocks
        self.warmup = warmup
        self.refused = 0
        self.crises = crises or []
        self.closure = closure

    def extra_rejects(self, quantity: float, rejected: float, now: float) -> float:
        """Rejects of a delivery of ``quantity`` units inspected at ``now`` during crises.

        Every crisis's extra defects follow the units through the lane (the j-th unit is an
        extra defect or not whatever the policy); those inside an active crisis are added to
        the ``rejected`` units of the base defect rate, at most the whole delivery.
        """
        for timeline, extra in self.crises:
            more = extra.rejects(quantity)
            if timeline.is_down(now):
                rejected += more
        return min(rejected, quantity)

    def refuses(self, now: float) -> bool:
        """Whether the source refuses an order placed at ``now`` (and count it)."""
        outage = self.outage
        if outage is None or outage.orders != "refuse" or not outage.timeline.is_down(now):
            return False
        if now >= self.warmup:
            self.refused += 1
        return True

    def redirects(self, now: float) -> bool:
        """Whether an order placed at ``now`` goes to the backup source instead."""
        outage = self.outage
        return outage is not None and outage.orders == "redirect" and outage.timeline.is_down(now)

    def arrival(self, shipped: float, due: float) -> float:
        """Arrival time of a shipment leaving at ``shipped`` that would arrive at ``due``."""
        lead = due - shipped
        if self.closure is not None:  # the shipment waits at its source while closed
            shipped = self.closure.up_at(shipped)
        for timeline, multiplier, add in self.shocks:
            if timeline.is_down(shipped):
                lead = lead * multiplier + add
        outage = self.outage
        if outage is not None and outage.freeze:
            return outage.timeline.finish(shipped, lead)
        return shipped + lead


class ServiceWatch:
    """What customers record for the disruption KPIs.

    Parameters
    ----------
    active : Timeline
        When any disruption window is active (for ``lost_sales_in_disruption``).
    watched : list of (str, Timeline)
        The events whose first shortfall is recorded: every one with windows.
    horizon : int
        Simulated days.
    """

    __slots__ = ("active", "demand_by_day", "short_by_day", "watched")

    def __init__(self, active: Timeline, watched: list[tuple[str, Timeline]], horizon: int) -> None:
        self.active = active
        self.watched = watched
        #: Customer units demanded and not met on arrival, per day of the run (all customers).
        self.demand_by_day = [0.0] * horizon
        self.short_by_day = [0.0] * horizon


class DisruptedCustomer(Customer):
    """A customer that also counts its unmet units while a disruption is active, notes the
    time of its first unmet unit inside each windowed event, and books every order into the
    network's daily demand and shortfall totals (for the rolling fill rate).

    Parameters
    ----------
    name, spec, price
        As :class:`~jitsim.model.customer.Customer`.
    watch : ServiceWatch
        The disruptions' windows and daily totals, shared by all customers.
    """

    __slots__ = ("first_short", "short_in_disruption", "watch")
    plain_record = False  # record() books more than Customer's: not inlined

    def __init__(self, name: str, spec: CustomerSpec, price: float, *, watch: ServiceWatch) -> None:
        self.watch = watch
        super().__init__(name, spec, price)

    def reset_statistics(self) -> None:
        """Forget everything measured so far (end of warm-up)."""
        super().reset_statistics()
        self.short_in_disruption = 0.0
        self.first_short: dict[str, float] = {}

    def record(self, quantity: float, filled: float, short: float, now: float) -> None:
        """Book an order; its unmet units count when a disruption window is active."""
        Customer.record(self, quantity, filled, short, now)
        watch = self.watch
        day = int(now)
        watch.demand_by_day[day] += quantity
        if short > 0.0:
            watch.short_by_day[day] += short
            if watch.active.is_down(now):
                self.short_in_disruption += short
                for event, timeline in watch.watched:
                    if event not in self.first_short and timeline.is_down(now):
                        self.first_short[event] = now


class QualityFactor:
    """Multiplier on a plant's defect rate: the product of the active crises' multipliers."""

    __slots__ = ("crises",)

    def __init__(self, crises: list[tuple[Timeline, float]]) -> None:
        self.crises = crises

    def factor(self, now: float) -> float:
        """Defect-rate multiplier at ``now``."""
        factor = 1.0
        for timeline, multiplier in self.crises:
            if timeline.is_down(now):
                factor *= multiplier
        return factor
