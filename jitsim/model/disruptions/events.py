"""Every disruption of one replication: its drawn windows, and the hooks it gives the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from jitsim.model.disruptions.effects import (
    DisruptedCustomer,
    LaneDisruption,
    QualityFactor,
    SupplierOutage,
)
from jitsim.model.disruptions.recovery import disruption_kpis
from jitsim.model.disruptions.surges import surged_daily_demand, surged_orders, surges_of
from jitsim.model.disruptions.timelines import Interval, Timeline, draw_outage, merge
from jitsim.model.lane import Inspection
from jitsim.scenario.disruptions import LeadTimeShock, Outage, QualityCrisis, StockLoss

if TYPE_CHECKING:
    import numpy as np

    from jitsim.model.lane import Lane
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.models import Customer as CustomerSpec
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams


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

    def daily_demand(
        self, name: str, spec: CustomerSpec, draws: np.ndarray, days_per_year: float
    ) -> np.ndarray:
        """Daily demand of customer ``name`` with its surges applied
        (:func:`~jitsim.model.disruptions.surges.surged_daily_demand`)."""
        surges = surges_of(self.scenario, name)
        return surged_daily_demand(
            surges, self.windows, self.streams, name, spec, draws, days_per_year
        )

    def orders(
        self,
        name: str,
        spec: CustomerSpec,
        times: np.ndarray,
        sizes: np.ndarray,
        days_per_year: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Individual orders of customer ``name`` with its surges applied
        (:func:`~jitsim.model.disruptions.surges.surged_orders`)."""
        surges = surges_of(self.scenario, name)
        horizon = float(self.horizon)
        return surged_orders(surges, self.streams, horizon, name, spec, times, sizes, days_per_year)

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
    # -- KPIs ---------------------------------------------------------------------------------

    def kpis(self, network: Network) -> dict[str, float]:
        """Disruption KPIs over the measured window (:func:`disruption_kpis`)."""
        return disruption_kpis(self, network)


def _loss(
    disruptions: Disruptions, point: StockPoint, fraction: float, when: float
) -> Callable[[], None]:
    return lambda: disruptions.destroy(point, fraction, when)
