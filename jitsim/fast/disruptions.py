"""Disruptions in the fast engine: each replication's drawn windows as arrays for the compiled
day loop, the demand surges applied to the drawn demand, and the disruption KPIs from what the
loop counted.

Every kind runs here but quality crises (which need incoming inspection, outside the fast
engine's scope): outages of suppliers (they ship nothing while down) and of stock points
(their inbound lanes are closed), lead-time shocks, demand surges and stock losses. The
windows are drawn exactly as the SimPy engine draws them
(:class:`jitsim.model.disruptions.Disruptions`): one stream ``disruption.<event>`` per
replication and :func:`~jitsim.model.disruptions.timelines.draw_outage`; the windows of the
outages hitting a node merged into its timeline; the suppliers' day capacities from
:func:`~jitsim.model.disruptions.timelines.daily_capacity` (ramp-ups included); the surges from
:func:`~jitsim.model.disruptions.surges.surged_daily_demand`. The KPIs use the SimPy engine's
own formulas (:func:`~jitsim.model.disruptions.recovery.rolling_fill_rate`,
:func:`~jitsim.model.disruptions.recovery.service_recovery`), one replication at a time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from jitsim.model.disruptions.recovery import rolling_fill_rate, service_recovery
from jitsim.model.disruptions.surges import surged_daily_demand, surges_of
from jitsim.model.disruptions.timelines import Timeline, daily_capacity, draw_outage, merge
from jitsim.scenario.disruptions import LeadTimeShock, Outage, QualityCrisis, StockLoss
from jitsim.streams import Streams

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

#: What a supplier does with orders placed while it is down (the kernel's codes; 0: it is
#: never down).
NO_OUTAGE, QUEUE, REFUSE, REDIRECT = range(4)
_ORDERS = {"queue": QUEUE, "refuse": REFUSE, "redirect": REDIRECT}

Windows = list[tuple[float, float]]


def unsupported_disruptions(resolved: Scenario) -> str | None:
    """Why the fast engine cannot run ``resolved``'s disruptions (one line), or None: it
    runs every kind but quality crises and outages of plants."""
    for name, event in resolved.disruptions.items():
        if isinstance(event, QualityCrisis):
            return f"quality_crisis events (disruptions.{name})"
        if isinstance(event, Outage):
            for node in event.nodes:
                if node in resolved.plants:
                    return f"outages of plants (disruptions.{name}: {node})"
    return None


def draw_windows(resolved: Scenario, streams: Streams) -> dict[str, Windows]:
    """The windows of every event in one replication, as the SimPy engine draws them
    (stock losses: zero-length windows at their times)."""
    horizon = float(resolved.run.horizon_days)
    drawn: dict[str, Windows] = {}
    for name, event in resolved.disruptions.items():
        if isinstance(event, Outage):
            drawn[name] = draw_outage(event, streams(f"disruption.{name}"), horizon)
        elif isinstance(event, StockLoss):
            drawn[name] = [(t, t) for t in sorted(event.at)]
        else:
            drawn[name] = merge((w.start, w.start + w.days) for w in event.windows)
    return drawn


def shocks_of_lane(resolved: Scenario, point: str, source: str | None) -> list[int]:
    """The events (indices in the scenario's order) that shock the lane into ``point`` from
    supplier ``source`` (None: from a stock point): lead-time shocks naming either, neutral
    ones left out as the SimPy engine leaves them out."""
    return [
        e
        for e, event in enumerate(resolved.disruptions.values())
        if isinstance(event, LeadTimeShock)
        and (point in event.nodes or (source is not None and source in event.nodes))
        and (event.multiplier != 1.0 or event.add_days != 0.0)
    ]


def _is_down(timeline: Timeline, times: np.ndarray) -> np.ndarray:
    """:meth:`Timeline.is_down <jitsim.model.disruptions.timelines.Timeline.is_down>` at
    every one of ``times`` (the same bisection, vectorised)."""
    if not timeline.windows:
        return np.zeros(len(times), dtype=bool)
    index = np.searchsorted(np.asarray(timeline.starts), times, side="right") - 1
    ends = np.asarray(timeline.ends)
    return (index >= 0) & (times < ends[np.maximum(index, 0)])


class Disruptions:
    """The disruptions of a block of replications, as the compiled day loop reads them.

    Parameters
    ----------
    resolved : Scenario
        A resolved scenario whose disruptions the fast engine runs
        (:func:`unsupported_disruptions` is None).
    seed : int
        Master seed.
    replications : range
        Replication indices of the block.
    points : list of str
        The stock points in the engine's order.
    customers : int
        Number of customers (for the loop's counters of unmet units in disruption).
    """

    def __init__(
        self, resolved: Scenario, seed: int, replications: range, points: list[str], customers: int
    ) -> None:
        self.scenario = resolved
        run = resolved.run
        horizon = self.horizon = run.horizon_days
        self.warmup = run.warmup_days
        n = len(replications)
        self.points = points
        suppliers = list(resolved.suppliers)
        #: The node rows of :attr:`bounds`: the suppliers, then the stock points.
        nodes = [*suppliers, *points]
        #: Drawn windows of every event, per replication.
        self.windows = [draw_windows(resolved, Streams(seed, r)) for r in replications]
        #: Each node's down timeline (merged outages) per replication.
        self.down: list[dict[str, Timeline]] = []
        for drawn in self.windows:
            by_node: dict[str, Windows] = {}
            for name, event in resolved.disruptions.items():
                if isinstance(event, Outage):
                    for node in event.nodes:
                        by_node.setdefault(node, []).extend(drawn[name])
            self.down.append({node: Timeline(w) for node, w in by_node.items()})
        outaged = {
            n for e in resolved.disruptions.values() if isinstance(e, Outage) for n in e.nodes
        }
        events = list(resolved.disruptions)
        timelines = [[Timeline(drawn[name]) for name in events] for drawn in self.windows]
        widest = max(
            [len(t.windows) for down in self.down for t in down.values()]
            + [len(t.windows) for row in timelines for t in row]
            + [1]
        )
        #: Windows of each node (2: starts and ends, nodes, replications, windows).
        self.bounds = np.zeros((2, len(nodes), n, widest))
        #: Number of windows of each node in each replication.
        self.counts = np.zeros((len(nodes), n), dtype=np.int64)
        for row, node in enumerate(nodes):
            for i, down in enumerate(self.down):
                timeline = down.get(node)
                if timeline is not None:
                    self._put(self.bounds, self.counts, row, i, timeline)
        #: Windows of each event, as :attr:`bounds` (for the lead-time shocks).
        self.event_bounds = np.zeros((2, max(len(events), 1), n, widest))
        self.event_counts = np.zeros((max(len(events), 1), n), dtype=np.int64)
        for i, per_event in enumerate(timelines):
            for e, timeline in enumerate(per_event):
                self._put(self.event_bounds, self.event_counts, e, i, timeline)
        #: Each event's lead-time factor and added days (lead-time shocks; 1 and 0 else).
        self.shock_terms = np.zeros((max(len(events), 1), 2))
        self.shock_terms[:, 0] = 1.0
        for e, event in enumerate(resolved.disruptions.values()):
            if isinstance(event, LeadTimeShock):
                self.shock_terms[e] = event.multiplier, event.add_days
        #: Each supplier's capacity on each day, ramp-ups included (suppliers with outages
        #: and a capacity; zeros elsewhere).
        self.day_capacity = np.zeros((len(suppliers), n, max(horizon, 1)))
        #: Each supplier's behaviour while down: the orders code and whether transit freezes.
        self.terms = np.zeros((len(suppliers), 2), dtype=np.int64)
        for s, name in enumerate(suppliers):
            spec = resolved.suppliers[name]
            if name not in outaged:
                continue
            when_down = spec.when_down
            self.terms[s] = _ORDERS[when_down.orders], when_down.in_transit == "freeze"
            if spec.capacity_per_day is not None and horizon:
                for i, down in enumerate(self.down):
                    if not down[name].windows:  # never down: every day at full capacity
                        self.day_capacity[s, i] = spec.capacity_per_day
                        continue
                    self.day_capacity[s, i] = daily_capacity(
                        down[name], spec.capacity_per_day, when_down.ramp_up_days, horizon
                    )
        self._losses(resolved, points)
        #: Whether any window is active at each day's noon (when the day's demand arrives).
        self.active_noon = np.zeros((n, max(horizon, 1)), dtype=np.bool_)
        #: Whether each event is active at each day's noon (events, replications, days).
        self.event_noon = np.zeros((len(events), n, max(horizon, 1)), np.bool_)
        noons = np.arange(horizon) + 0.5
        for i, drawn in enumerate(self.windows):
            active = Timeline(w for windows in drawn.values() for w in windows)
            self.active_noon[i, :horizon] = _is_down(active, noons)
            for e, timeline in enumerate(timelines[i]):
                self.event_noon[e, i, :horizon] = _is_down(timeline, noons)
        # What the compiled day loop counts (it adds to these).
        #: Orders refused while down, per stock point (after warm-up).
        self.refused = np.zeros((n, len(points)))
        #: Units destroyed by stock losses, per stock point (after warm-up).
        self.destroyed = np.zeros((n, len(points)))
        #: Customer units not met on arrival while a window was active (after warm-up).
        self.short_in = np.zeros((n, customers))
        #: Customer units demanded, and not met on arrival, per day (all customers).
        self.demand_by_day = np.zeros((n, max(horizon, 1)))
        self.short_by_day = np.zeros((n, max(horizon, 1)))

    @staticmethod
    def _put(bounds: np.ndarray, counts: np.ndarray, row: int, i: int, timeline: Timeline) -> None:
        """Write ``timeline``'s windows into row ``row`` of replication ``i``."""
        k = len(timeline.windows)
        counts[row, i] = k
        bounds[0, row, i, :k] = timeline.starts
        bounds[1, row, i, :k] = timeline.ends

    def _losses(self, resolved: Scenario, points: list[str]) -> None:
        """The stock losses within the horizon in the order the SimPy engine schedules them
        (events, their nodes, their times as given): time, stock point and fraction, and the
        stock points they hit in order of first mention (the order of its totals)."""
        rows: list[tuple[float, int, float]] = []
        #: Stock points hit by a loss, in order of first mention (the SimPy totals' order).
        self.loss_targets: list[str] = []
        for event in resolved.disruptions.values():
            if isinstance(event, StockLoss):
                for target in event.nodes:
                    if target not in self.loss_targets:
                        self.loss_targets.append(target)
                    rows += [
                        (moment, points.index(target), event.fraction)
                        for moment in event.at
                        if moment < self.horizon
                    ]
        #: (losses, 3): time (days), stock point index, fraction destroyed.
        self.losses = np.array(rows, dtype=float).reshape(len(rows), 3)

    def surge(self, demand: dict[str, np.ndarray], seed: int, replications: range) -> None:
        """Apply the demand surges to the drawn daily ``demand`` (customer → (replications,
        days)), in place, as the SimPy engine's builder does."""
        scenario = self.scenario
        days_per_year = scenario.run.days_per_year
        for name, spec in scenario.customers.items():
            surges = surges_of(scenario, name)
            if not surges:
                continue
            rows = demand[name]
            for i, r in enumerate(replications):
                rows[i] = surged_daily_demand(
                    surges, self.windows[i], Streams(seed, r), name, spec, rows[i], days_per_year
                )

    def kpis(self, network: Any) -> dict[str, Any]:
        """The disruption KPIs of every replication, as columns in the SimPy record's order
        (:func:`~jitsim.model.disruptions.disruption_kpis`); ``network`` is the fast engine's
        view of the block (:class:`~jitsim.fast.records.NetworkView`)."""
        scenario = self.scenario
        n = len(self.down)
        start, end = network.window_start, float(network.horizon)
        record: dict[str, Any] = {}
        for name in (*scenario.suppliers, *network.points):
            record[f"{name}.downtime_days"] = np.array(
                [down[name].downtime(start, end) if name in down else 0.0 for down in self.down]
            )
        for p, name in enumerate(network.points):
            record[f"{name}.units_destroyed"] = self.destroyed[:, p].copy()
            record[f"{name}.refused_orders"] = self.refused[:, p].copy()
        destroyed: Any = 0  # sum() over the points hit, in order of first mention
        for name in self.loss_targets:
            destroyed = destroyed + self.destroyed[:, self.points.index(name)]
        record["units_destroyed"] = destroyed
        refused = np.zeros(n)
        for p in range(self.refused.shape[1]):
            refused = refused + self.refused[:, p]
        record["refused_orders"] = refused
        lost = np.zeros(n)
        for c in range(self.short_in.shape[1]):  # sum(): 0, then each customer in order
            lost = lost + self.short_in[:, c]
        record["lost_sales_in_disruption"] = lost
        record["disrupted_days"] = np.array(
            [
                Timeline(w for windows in drawn.values() for w in windows).downtime(start, end)
                for drawn in self.windows
            ]
        )
        measured = np.arange(max(self.horizon, 1)) >= self.warmup
        for e, (name, event) in enumerate(scenario.disruptions.items()):
            if isinstance(event, StockLoss):
                continue
            first = np.full(n, math.nan)
            hits = (self.short_by_day > 0.0) & self.event_noon[e] & measured
            for i in np.flatnonzero(hits.any(axis=1)):
                first[i] = float(np.argmax(hits[i])) + 0.5
            record[f"{name}.first_shortfall_day"] = first
        record.update(self._recovery())
        return record

    def _recovery(self) -> dict[str, np.ndarray]:
        """``EVENT.service_drop_day``, ``…service_recovery_days``, ``…service_recovered``
        (:func:`jitsim.model.disruptions.recovery._recovery_kpis`, per replication)."""
        settings = self.scenario.run.service_recovery
        warmup, horizon = self.warmup, self.horizon
        n = len(self.windows)
        names = list(self.scenario.disruptions)
        out = {name: np.full((3, n), math.nan) for name in names}
        for i, drawn in enumerate(self.windows):
            fill = rolling_fill_rate(
                self.demand_by_day[i, :horizon].copy(),
                self.short_by_day[i, :horizon].copy(),
                settings.window_days,
            )
            for name in names:
                starts = [a for a, b in drawn[name] if b > warmup or (a == b and a >= warmup)]
                if starts and starts[0] < horizon:
                    onset = max(math.floor(starts[0]), warmup)
                    out[name][:, i] = service_recovery(
                        fill, onset, settings.below, settings.recovered
                    )
        record: dict[str, np.ndarray] = {}
        for name in names:
            record[f"{name}.service_drop_day"] = out[name][0]
            record[f"{name}.service_recovery_days"] = out[name][1]
            record[f"{name}.service_recovered"] = out[name][2]
        return record
