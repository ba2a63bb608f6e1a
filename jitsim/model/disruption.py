"""Disruptions in the model: pre-drawn timelines and the hooks that apply them.

Every event's timeline is drawn when the network is built, before the run, from its own
stream ``disruption.<event name>`` (random outages) or taken from the scenario (windows), so
all alternatives face the very same events in replication r (common random numbers). With the
windows known in advance, most effects are computed where they happen, without extra SimPy
events:

* a down supplier's ship time is the end of its outage (``queue``), capacity is bucketed by day
  with each day's capacity scaled by the time the supplier is up and ramped up that day;
* a frozen shipment arrives when its lead time's worth of *up* time has passed
  (:meth:`Timeline.finish`); a lead-time shock scales the lead time of shipments leaving inside
  its window;
* a plant's line works only while the plant is up (:meth:`Timeline.finish` again);
* demand surges redraw the days inside their windows from their own stream (the rest of the
  demand path is untouched); stock losses are scheduled receipts of negative stock.

The hooks on the hot path are single ``is None`` checks (``SupplierNode.disruption``,
``Lane.disruption``, ``Plant.outages``), so a scenario without disruptions runs as before.
See ``docs/disruptions.md`` for the user-facing semantics.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.customer import Customer, mean_factors
from jitsim.model.lane import Inspection
from jitsim.scenario.disruptions import (
    DemandSurge,
    LeadTimeShock,
    Outage,
    QualityCrisis,
    StockLoss,
)
from jitsim.streams import BlockSampler

if TYPE_CHECKING:
    from jitsim.model.lane import Lane
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.models import Customer as CustomerSpec
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams

Interval = tuple[float, float]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint union of half-open intervals ``[start, end)`` (empty ones dropped)."""
    merged: list[list[float]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


class Timeline:
    """A union of half-open windows ``[start, end)`` (days): when a node is down, or an event
    is active.

    Parameters
    ----------
    windows : iterable of (float, float)
        Windows (days); overlapping or touching ones are merged.
    """

    __slots__ = ("ends", "starts", "windows")

    def __init__(self, windows: Iterable[Interval]) -> None:
        self.windows = merge(windows)
        self.starts = [w[0] for w in self.windows]
        self.ends = [w[1] for w in self.windows]

    def _index(self, t: float) -> int:
        """Index of the last window starting at or before ``t`` (−1 if none)."""
        return bisect_right(self.starts, t) - 1

    def is_down(self, t: float) -> bool:
        """Whether ``t`` lies inside a window."""
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def up_at(self, t: float) -> float:
        """``t``, or the end of the window containing ``t``."""
        i = self._index(t)
        return self.ends[i] if i >= 0 and t < self.ends[i] else t

    def downtime(self, a: float, b: float) -> float:
        """Days of ``[a, b)`` inside windows."""
        total = 0.0
        for start, end in self.windows:
            if end <= a:
                continue
            if start >= b:
                break
            total += min(end, b) - max(start, a)
        return total

    def finish(self, start: float, work: float) -> float:
        """Earliest time by which ``work`` days of *up* time have passed since ``start``.

        The clock stands still inside windows: work that starts inside a window starts at its
        end, and work that would end exactly when a window opens ends then.
        """
        starts, ends = self.starts, self.ends
        i = self._index(start)
        t = start
        if i >= 0 and t < ends[i]:
            t = ends[i]
        i += 1
        remaining = work
        while i < len(starts) and starts[i] < t + remaining:
            remaining -= starts[i] - t
            t = ends[i]
            i += 1
        return t + remaining


def draw_outage(event: Outage, rng: np.random.Generator, horizon: float) -> list[Interval]:
    """The down windows of an outage event over ``[0, horizon)`` (days)."""
    if event.windows is not None:
        return merge((w.start, w.start + w.days) for w in event.windows)
    windows: list[Interval] = []
    if event.up is not None and event.down is not None:
        # Alternating renewal process, up at time 0.
        up, down = BlockSampler(event.up, rng), BlockSampler(event.down, rng)
        t = 0.0
        while True:
            t += up.next()
            if t >= horizon:
                break
            length = down.next()
            windows.append((t, t + length))
            t += length
        return merge(windows)
    assert event.p_down is not None and event.p_up is not None
    # Two-state Markov chain, one step at the start of each day, up before day 0.
    days = math.ceil(horizon)
    draws = rng.random(days).tolist()
    p_down, p_up = event.p_down, event.p_up
    is_down = False
    for day, u in enumerate(draws):
        is_down = u >= p_up if is_down else u < p_down
        if is_down:
            windows.append((float(day), float(day + 1)))
    return merge(windows)


def daily_capacity(
    timeline: Timeline, capacity: float, ramp_days: float, horizon: int
) -> list[float]:
    r"""Capacity of each day ``d`` of ``[0, horizon)``: :math:`c\int_d^{d+1} a(t)\,dt`.

    The availability :math:`a(t)` is 0 inside a window, rises linearly from 0 to 1 over
    ``ramp_days`` after each window ends (cut short by the next window), and is 1 otherwise.
    """
    deficit = np.zeros(horizon + 1)

    def remove(a: float, b: float, ramp_from: float | None) -> None:
        """Take the unavailable part of ``[a, b)`` off the days it covers."""
        day = max(math.floor(a), 0)
        while day < horizon and day < b:
            x, y = max(a, day), min(b, day + 1.0)
            if y > x:
                if ramp_from is None:
                    deficit[day] += y - x
                else:  # ∫ (1 − (t − e)/R) dt over [x, y]
                    e = ramp_from
                    deficit[day] += (y - x) - ((y - e) ** 2 - (x - e) ** 2) / (2.0 * ramp_days)
            day += 1

    windows = timeline.windows
    for index, (start, end) in enumerate(windows):
        remove(start, end, None)
        if ramp_days > 0:
            following = windows[index + 1][0] if index + 1 < len(windows) else math.inf
            remove(end, min(end + ramp_days, following), end)
    return (capacity * np.clip(1.0 - deficit[:horizon], 0.0, 1.0)).tolist()


class SupplierOutage:
    """A supplier's outages and its behaviour while down (``suppliers.<name>.when_down``).

    Replaces :meth:`SupplierNode.ship_time` for this supplier: an order never ships while the
    supplier is down (it is queued to the end of the outage), and with a capacity each day
    offers the capacity of the time the supplier is up that day, ramped after a recovery.
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
        self,
        timeline: Timeline,
        capacity: float | None,
        orders: str,
        freeze: bool,
        ramp_days: float,
        horizon: int,
    ) -> None:
        self.timeline = timeline
        self.capacity = capacity
        self.orders = orders
        self.freeze = freeze
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


class DisruptedCustomer(Customer):
    """A customer that also counts its unmet units while a disruption is active, notes the
    time of its first unmet unit inside each windowed event, and books every order into the
    network's daily demand and shortfall totals (for the rolling fill rate)."""

    __slots__ = (
        "active",
        "demand_by_day",
        "first_short",
        "short_by_day",
        "short_in_disruption",
        "watched",
    )
    active: Timeline
    watched: list[tuple[str, Timeline]]
    demand_by_day: list[float]
    short_by_day: list[float]

    def reset_statistics(self) -> None:
        """Forget everything measured so far (end of warm-up)."""
        super().reset_statistics()
        self.short_in_disruption = 0.0
        self.first_short: dict[str, float] = {}

    def record(self, quantity: float, filled: float, short: float, now: float) -> None:
        """Book an order; its unmet units count when a disruption window is active."""
        Customer.record(self, quantity, filled, short, now)
        day = int(now)
        self.demand_by_day[day] += quantity
        if short > 0.0:
            self.short_by_day[day] += short
            if self.active.is_down(now):
                self.short_in_disruption += short
                for event, timeline in self.watched:
                    if event not in self.first_short and timeline.is_down(now):
                        self.first_short[event] = now


def rolling_fill_rate(demand: np.ndarray, short: np.ndarray, days: int) -> np.ndarray:
    """Fill rate on arrival over the ``days`` days ending with each day (1 when no demand).

    Element ``d`` is ``1 − Σ short / Σ demand`` over days ``max(0, d − days + 1) … d``.
    """
    demand_sum = np.cumsum(demand)
    short_sum = np.cumsum(short)
    demand_sum[days:] = demand_sum[days:] - demand_sum[:-days]
    short_sum[days:] = short_sum[days:] - short_sum[:-days]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1.0 - short_sum / demand_sum
    return np.where(demand_sum > 1e-12, rate, 1.0)


def service_recovery(
    fill: np.ndarray, onset: int, below: float, recovered: float
) -> tuple[float, float, float]:
    """When service drops after ``onset`` and how long it takes to recover.

    Parameters
    ----------
    fill : ndarray
        Rolling fill rate of every day of the run (:func:`rolling_fill_rate`).
    onset : int
        First day looked at.
    below, recovered : float
        The drop is the first day ``d ≥ onset`` with ``fill[d] < below``; recovery is the
        first later day with ``fill ≥ recovered``.

    Returns
    -------
    (drop_day, recovery_days, recovered)
        ``recovery_days`` = recovery day − drop day, or days from the drop to the end of the
        run if service never recovered (``recovered`` = 0, right-censored); all NaN without a
        drop.
    """
    after = fill[onset:]
    dropped = np.flatnonzero(after < below)
    if dropped.size == 0:
        return math.nan, math.nan, math.nan
    drop = onset + int(dropped[0])
    back = np.flatnonzero(fill[drop + 1 :] >= recovered)
    if back.size == 0:
        return float(drop), float(len(fill) - drop), 0.0
    return float(drop), float(back[0] + 1), 1.0


class Disruptions:
    """Every disruption of one replication: drawn timelines and the state they need.

    Built in two steps by the network: the constructor draws every timeline (before demand is
    drawn, since surges change it); :meth:`attach` hooks the events into the built model.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (with a non-empty ``disruptions`` section).
    streams : Streams
        Random streams of the replication.
    horizon : int
        Simulated days.
    warmup : int
        Warm-up days (counts start here).
    """

    def __init__(self, scenario: Scenario, streams: Streams, horizon: int, warmup: int) -> None:
        self.scenario = scenario
        self.streams = streams
        self.horizon = horizon
        self.warmup = warmup
        #: Drawn windows of every event (stock losses: zero-length, at their times).
        self.windows: dict[str, list[Interval]] = {}
        #: Down timeline of every node hit by an outage.
        self.down: dict[str, Timeline] = {}
        node_windows: dict[str, list[Interval]] = {}
        active: list[Interval] = []
        for name, event in scenario.disruptions.items():
            if isinstance(event, Outage):
                drawn = draw_outage(event, streams(f"disruption.{name}"), float(horizon))
                for node in event.nodes:
                    node_windows.setdefault(node, []).extend(drawn)
            elif isinstance(event, StockLoss):
                drawn = [(t, t) for t in sorted(event.at)]
            else:
                drawn = merge((w.start, w.start + w.days) for w in event.windows)
            self.windows[name] = drawn
            active.extend(drawn)
        self.down = {node: Timeline(w) for node, w in node_windows.items()}
        #: When any disruption window is active (for ``lost_sales_in_disruption``).
        self.active = Timeline(active)
        #: Timeline of every event with windows (all kinds but stock losses), built once.
        self.timelines = {
            name: Timeline(self.windows[name])
            for name, event in scenario.disruptions.items()
            if not isinstance(event, StockLoss)
        }
        #: Events whose first shortfall is recorded: every one with windows.
        self.watched = list(self.timelines.items())
        #: Customer units demanded and not met on arrival, per day of the run (all customers).
        self.demand_by_day = [0.0] * horizon
        self.short_by_day = [0.0] * horizon
        self.destroyed: dict[str, float] = {}
        self.lanes: list[LaneDisruption] = []
        self.lane_owner: dict[int, str] = {}

    # -- demand -----------------------------------------------------------------------------

    def _surges(self, customer: str) -> list[tuple[str, DemandSurge]]:
        return [
            (name, e)
            for name, e in self.scenario.disruptions.items()
            if isinstance(e, DemandSurge) and customer in e.nodes
        ]

    def daily_demand(
        self, name: str, spec: CustomerSpec, draws: np.ndarray, days_per_year: float
    ) -> np.ndarray:
        """Daily demand with the surges of customer ``name`` applied.

        Day ``d`` is surged when its demand arrival ``d + 0.5`` lies in a window; those days
        are redrawn with the mean multiplied, from the stream ``disruption.<event>.<customer>``,
        so the other days keep the undisrupted draws.
        """
        surges = self._surges(name)
        if not surges:
            return draws
        assert spec.demand is not None
        days = np.arange(len(draws), dtype=float)
        factor = np.ones(len(draws))
        arrivals = days + 0.5
        for event_name, event in surges:
            inside = np.zeros(len(draws), dtype=bool)
            for start, end in self.windows[event_name]:
                inside |= (arrivals >= start) & (arrivals < end)
            factor[inside] *= event.multiplier
        hit = factor != 1.0
        if hit.any():
            rng = self.streams(f"disruption.{surges[0][0]}.{name}")
            scaled = mean_factors(spec, days[hit], days_per_year) * factor[hit]
            draws = draws.copy()
            draws[hit] = spec.demand.sample_scaled(rng, scaled)
        return draws

    def orders(
        self,
        name: str,
        spec: CustomerSpec,
        times: np.ndarray,
        sizes: np.ndarray,
        days_per_year: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Individual orders with the surges of customer ``name`` applied.

        Inside a window with multiplier :math:`m < 1` each order is kept with probability
        :math:`m`; with :math:`m > 1` extra orders arrive as a Poisson process of rate
        :math:`(m - 1)` times the customer's rate, with sizes from its size distribution.
        Both draw from the stream ``disruption.<event>.<customer>``.
        """
        assert spec.orders is not None
        for event_name, event in self._surges(name):
            rng = self.streams(f"disruption.{event_name}.{name}")
            m = event.multiplier
            for window in event.windows:
                lo, hi = window.start, min(window.start + window.days, float(self.horizon))
                if hi <= lo:
                    continue
                inside = (times >= lo) & (times < hi)
                if m < 1.0:
                    keep = ~inside | (rng.random(len(times)) < m)
                    times, sizes = times[keep], sizes[keep]
                elif m > 1.0:
                    grid = np.arange(math.floor(lo), math.ceil(hi) + 1, dtype=float)
                    peak = spec.orders.rate_per_day * (m - 1.0)
                    peak *= float(mean_factors(spec, grid, days_per_year).max(initial=1.0))
                    count = rng.poisson(peak * (hi - lo))
                    extra = np.sort(rng.uniform(lo, hi, count))
                    rate = spec.orders.rate_per_day * (m - 1.0)
                    thin = rng.random(count) * peak <= rate * mean_factors(
                        spec, extra, days_per_year
                    )
                    extra = extra[thin]
                    more = spec.orders.size.sample(rng, len(extra))
                    order = np.argsort(np.concatenate([times, extra]), kind="stable")
                    times = np.concatenate([times, extra])[order]
                    sizes = np.concatenate([sizes, more])[order]
        return times, sizes

    # -- hooking into the built model ---------------------------------------------------------

    def attach(self, network: Network) -> None:
        """Hook the events into the suppliers, lanes, plants and stock points of ``network``."""
        scenario = self.scenario
        outages: dict[str, SupplierOutage] = {}
        for name, node in network.suppliers.items():
            timeline = self.down.get(name)
            if timeline is None:
                continue
            when = scenario.suppliers[name].when_down
            outage = SupplierOutage(
                timeline,
                node.capacity,
                when.orders,
                when.in_transit == "freeze",
                when.ramp_up_days,
                self.horizon,
            )
            node.disruption = outage
            outages[name] = outage
        shocks = [(n, e) for n, e in scenario.disruptions.items() if isinstance(e, LeadTimeShock)]
        for point in network.points.values():
            expedite = point.expedite.lane if point.expedite is not None else None
            for lane, role in (
                (point.lane, "primary"),
                (point.backup, "backup"),
                (expedite, "expedite"),
            ):
                if lane is not None:
                    self._attach_lane(lane, point, role, outages, shocks)
        for customer in network.customers.values():
            if isinstance(customer, DisruptedCustomer):
                customer.watched = self.watched
                customer.demand_by_day = self.demand_by_day
                customer.short_by_day = self.short_by_day
        for name, plant in network.plants.items():
            plant.outages = self.down.get(name)
            crises = [
                (self.timelines[event_name], e.multiplier)
                for event_name, e in scenario.disruptions.items()
                if isinstance(e, QualityCrisis) and name in e.nodes
            ]
            if crises:
                plant.crisis = QualityFactor(crises)
        for event in scenario.disruptions.values():
            if isinstance(event, StockLoss):
                for target in event.nodes:
                    point = network.points[target]
                    self.destroyed[target] = 0.0
                    for moment in event.at:
                        if moment < self.horizon:
                            network.at(moment, _loss(self, point, event.fraction, moment))

    def _attach_lane(
        self,
        lane: Lane,
        point: StockPoint,
        role: str,
        outages: dict[str, SupplierOutage],
        shocks: list[tuple[str, LeadTimeShock]],
    ) -> None:
        source = lane.supplier.name if lane.supplier is not None else None
        outage = outages.get(source) if source is not None else None
        hits = [
            (self.timelines[name], e.multiplier, e.add_days)
            for name, e in shocks
            if (point.name in e.nodes or (source is not None and source in e.nodes))
            and (e.multiplier != 1.0 or e.add_days != 0.0)  # a neutral shock changes nothing
        ]
        crises: list[tuple[Timeline, Inspection]] = []
        inspection = lane.inspection
        if source is not None and inspection is not None and inspection.defect_rate > 0:
            for name, event in self.scenario.disruptions.items():
                if isinstance(event, QualityCrisis) and source in event.nodes:
                    rate = min((event.multiplier - 1.0) * inspection.defect_rate, 0.999)
                    if rate <= 0:
                        continue
                    rng = self.streams(f"disruption.{name}.{point.name}.{role}")
                    crises.append((self.timelines[name], Inspection(rate, False, 0.0, rng)))
        closure = self.down.get(point.name)
        if outage is None and not hits and not crises and closure is None:
            return
        hook = LaneDisruption(outage, hits, float(self.warmup), crises, closure)
        lane.disruption = hook
        self.lanes.append(hook)
        self.lane_owner[id(hook)] = point.name

    def destroy(self, point: StockPoint, fraction: float, now: float) -> None:
        """A stock loss at ``point``: ``fraction`` of its on-hand stock is destroyed."""
        point.advance(now)
        lost = point.on_hand * fraction
        point.on_hand -= lost
        if now >= self.warmup:
            self.destroyed[point.name] += lost
        network = point.network
        if network.trace is not None:
            network.trace.append((now, point.name, "destroyed", lost, point.on_hand, ""))
        network.note_cash()
        if point.continuous:
            point.review(now)

    # -- KPIs ---------------------------------------------------------------------------------

    def kpis(self, network: Network) -> dict[str, float]:
        """Disruption KPIs over the measured window (flat; node KPIs prefixed ``NODE.``).

        ``NODE.downtime_days`` for every supplier, plant and stock point (a stock point is
        down while its inbound lanes are closed); ``STOCK_POINT.units_destroyed``
        and ``STOCK_POINT.refused_orders`` for every stock point, and their network totals;
        ``lost_sales_in_disruption``: customer units not met from stock on arrival
        (backordered or lost) that arrived while any disruption window was active;
        ``disrupted_days``: days of the window with some disruption active;
        ``EVENT.first_shortfall_day`` for every event with windows (all kinds but stock
        losses): time (days since the start of the run) of the first customer unit not met
        from stock on arrival while the event was active, NaN if none.
        ``EVENT.service_drop_day``, ``EVENT.service_recovery_days``, ``EVENT.service_recovered``
        for every event: from the event's onset (its first window or loss after warm-up) the
        first day the rolling fill rate of all customers (``run.service_recovery``) falls below
        ``below``, the days until it is back at ``recovered`` or above (to the end of the run
        if never: ``service_recovered`` 0, right-censored), NaN when it never drops.
        """
        start, end = network.window_start, float(network.horizon)
        record: dict[str, float] = {}
        for name in (*network.suppliers, *network.plants, *network.points):
            timeline = self.down.get(name)
            record[f"{name}.downtime_days"] = (
                timeline.downtime(start, end) if timeline is not None else 0.0
            )
        refused = dict.fromkeys(network.points, 0.0)
        for hook in self.lanes:
            refused[self.lane_owner[id(hook)]] += hook.refused
        for name in network.points:
            record[f"{name}.units_destroyed"] = self.destroyed.get(name, 0.0)
            record[f"{name}.refused_orders"] = refused[name]
        record["units_destroyed"] = sum(self.destroyed.values())
        record["refused_orders"] = sum(refused.values())
        record["lost_sales_in_disruption"] = sum(
            c.short_in_disruption
            for c in network.customers.values()
            if isinstance(c, DisruptedCustomer)
        )
        record["disrupted_days"] = self.active.downtime(start, end)
        for name, _ in self.watched:
            times = [
                c.first_short[name]
                for c in network.customers.values()
                if isinstance(c, DisruptedCustomer) and name in c.first_short
            ]
            record[f"{name}.first_shortfall_day"] = min(times) if times else math.nan
        settings = self.scenario.run.service_recovery
        fill = rolling_fill_rate(
            np.asarray(self.demand_by_day), np.asarray(self.short_by_day), settings.window_days
        )
        for name, windows in self.windows.items():
            starts = [a for a, b in windows if b > self.warmup or (a == b and a >= self.warmup)]
            drop, days, back = (
                service_recovery(
                    fill,
                    max(math.floor(starts[0]), self.warmup),
                    settings.below,
                    settings.recovered,
                )
                if starts and starts[0] < self.horizon
                else (math.nan, math.nan, math.nan)
            )
            record[f"{name}.service_drop_day"] = drop
            record[f"{name}.service_recovery_days"] = days
            record[f"{name}.service_recovered"] = back
        return record


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


def _loss(
    disruptions: Disruptions, point: StockPoint, fraction: float, when: float
) -> Callable[[], None]:
    return lambda: disruptions.destroy(point, fraction, when)


__all__ = [
    "DisruptedCustomer",
    "Disruptions",
    "LaneDisruption",
    "QualityFactor",
    "SupplierOutage",
    "Timeline",
    "daily_capacity",
    "draw_outage",
    "merge",
]
