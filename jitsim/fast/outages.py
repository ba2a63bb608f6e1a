"""Supplier outages in the fast engine: each replication's drawn windows as arrays for the
compiled day loop, and the disruption KPIs from what the loop counted.

The windows are drawn exactly as the SimPy engine draws them
(:class:`~jitsim.model.disruptions.Disruptions`): one stream ``disruption.<event>`` per
replication, :func:`~jitsim.model.disruptions.timelines.draw_outage`, the windows of every
event hitting a supplier merged into its timeline, and the day capacities of
:func:`~jitsim.model.disruptions.timelines.daily_capacity` (ramp-ups included). The KPIs use
the SimPy engine's own formulas (:func:`~jitsim.model.disruptions.recovery.rolling_fill_rate`,
:func:`~jitsim.model.disruptions.recovery.service_recovery`), one replication at a time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from jitsim.model.disruptions.recovery import rolling_fill_rate, service_recovery
from jitsim.model.disruptions.timelines import Timeline, daily_capacity, draw_outage
from jitsim.scenario.disruptions import Outage
from jitsim.streams import Streams

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

#: What a supplier does with orders placed while it is down (the kernel's codes; 0: it is
#: never down).
NO_OUTAGE, QUEUE, REFUSE, REDIRECT = range(4)
_ORDERS = {"queue": QUEUE, "refuse": REFUSE, "redirect": REDIRECT}


def supplier_outages_only(resolved: Scenario) -> str | None:
    """Why the fast engine cannot run ``resolved``'s disruptions (one line), or None when
    every event is an outage of suppliers only (the part of the disruptions it runs)."""
    for name, event in resolved.disruptions.items():
        if not isinstance(event, Outage):
            return f"{event.kind} events (disruptions.{name})"
        for node in event.nodes:
            if node not in resolved.suppliers:
                return f"outages of stock points or plants (disruptions.{name}: {node})"
    return None


class Outages:
    """The supplier outages of a block of replications.

    Parameters
    ----------
    resolved : Scenario
        A resolved scenario whose disruptions are supplier outages only
        (:func:`supplier_outages_only` is None).
    seed : int
        Master seed.
    replications : range
        Replication indices of the block.
    customers : int
        Number of customers (for the kernel's counters of unmet units in disruption).
    points : int
        Number of stock points (for the kernel's counters of refused orders).
    """

    def __init__(
        self, resolved: Scenario, seed: int, replications: range, customers: int, points: int
    ) -> None:
        self.scenario = resolved
        run = resolved.run
        horizon = self.horizon = run.horizon_days
        self.warmup = run.warmup_days
        n = len(replications)
        suppliers = list(resolved.suppliers)
        #: Drawn windows of every event, per replication (event → list of windows).
        self.windows: list[dict[str, list[tuple[float, float]]]] = []
        #: Each supplier's down timeline per replication (None: never down).
        self.down: list[dict[str, Timeline]] = []
        for r in replications:
            streams = Streams(seed, r)
            drawn: dict[str, list[tuple[float, float]]] = {}
            by_node: dict[str, list[tuple[float, float]]] = {}
            for name, event in resolved.disruptions.items():
                assert isinstance(event, Outage)
                windows = draw_outage(event, streams(f"disruption.{name}"), float(horizon))
                drawn[name] = windows
                for node in event.nodes:
                    by_node.setdefault(node, []).extend(windows)
            self.windows.append(drawn)
            self.down.append({node: Timeline(w) for node, w in by_node.items()})
        widest = max((len(t.windows) for down in self.down for t in down.values()), default=0)
        #: Windows of each supplier (2: starts and ends, suppliers, replications, windows).
        self.bounds = np.zeros((2, len(suppliers), n, max(widest, 1)))
        #: Number of windows of each supplier in each replication.
        self.counts = np.zeros((len(suppliers), n), dtype=np.int64)
        #: Each supplier's capacity on each day, ramp-ups included (suppliers with outages
        #: and a capacity; zeros elsewhere).
        self.day_capacity = np.zeros((len(suppliers), n, max(horizon, 1)))
        #: Each supplier's behaviour while down: the orders code and whether transit freezes.
        self.terms = np.zeros((len(suppliers), 2), dtype=np.int64)
        hit = {node for down in self.down for node in down}
        hit |= {node for event in resolved.disruptions.values() for node in event.nodes}
        for s, name in enumerate(suppliers):
            spec = resolved.suppliers[name]
            if name not in hit:
                continue
            when_down = spec.when_down
            self.terms[s] = _ORDERS[when_down.orders], when_down.in_transit == "freeze"
            for i, down in enumerate(self.down):
                timeline = down.get(name, Timeline([]))
                k = len(timeline.windows)
                self.counts[s, i] = k
                self.bounds[0, s, i, :k] = timeline.starts
                self.bounds[1, s, i, :k] = timeline.ends
                if spec.capacity_per_day is not None and horizon:
                    self.day_capacity[s, i] = daily_capacity(
                        timeline, spec.capacity_per_day, when_down.ramp_up_days, horizon
                    )
        #: Whether any window is active at each day's noon (when the day's demand arrives).
        self.active_noon = np.zeros((n, max(horizon, 1)), dtype=np.bool_)
        #: Whether each event is active at each day's noon (events, replications, days).
        self.event_noon = np.zeros((len(resolved.disruptions), n, max(horizon, 1)), np.bool_)
        for i, drawn in enumerate(self.windows):
            active = Timeline(w for windows in drawn.values() for w in windows)
            self.active_noon[i, :horizon] = [active.is_down(d + 0.5) for d in range(horizon)]
            for e, windows in enumerate(drawn.values()):
                timeline = Timeline(windows)
                self.event_noon[e, i, :horizon] = [
                    timeline.is_down(d + 0.5) for d in range(horizon)
                ]
        # What the compiled day loop counts (it adds to these).
        #: Orders refused while down, per stock point (after warm-up).
        self.refused = np.zeros((n, points))
        #: Customer units not met on arrival while a window was active (after warm-up).
        self.short_in = np.zeros((n, customers))
        #: Customer units demanded, and not met on arrival, per day (all customers).
        self.demand_by_day = np.zeros((n, max(horizon, 1)))
        self.short_by_day = np.zeros((n, max(horizon, 1)))

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
        refused = self.refused
        for p, name in enumerate(network.points):
            record[f"{name}.units_destroyed"] = 0.0
            record[f"{name}.refused_orders"] = refused[:, p].copy()
        record["units_destroyed"] = 0.0
        total = np.zeros(n)
        for p in range(refused.shape[1]):
            total = total + refused[:, p]
        record["refused_orders"] = total
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
        horizon, warmup = self.horizon, self.warmup
        measured = np.arange(max(horizon, 1)) >= warmup
        for e, name in enumerate(scenario.disruptions):
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
