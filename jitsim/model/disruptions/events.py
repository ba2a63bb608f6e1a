"""Every disruption of one replication: its drawn windows, and the hooks it gives the parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from jitsim.model.disruptions.effects import (
    LaneDisruption,
    QualityFactor,
    ServiceWatch,
    SupplierOutage,
)
from jitsim.model.disruptions.recovery import disruption_kpis
from jitsim.model.disruptions.surges import surged_daily_demand, surged_orders, surges_of
from jitsim.model.disruptions.timelines import Interval, Timeline, draw_outage, merge
from jitsim.model.inspection import Inspection
from jitsim.scenario.disruptions import LeadTimeShock, Outage, QualityCrisis, StockLoss

if TYPE_CHECKING:
    import numpy as np

    from jitsim.model.calendar import Calendar
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint
    from jitsim.model.supplier import SupplierNode
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams


class Disruptions:
    """Every disruption of one replication: drawn timelines and the state they need.

    The constructor draws every timeline (before demand is drawn, since surges change it); the
    builder then asks for the hook of each part as it makes it (:meth:`supplier_outage`,
    :meth:`lane_disruption`, :meth:`plant_outages`, :meth:`plant_crisis`, :attr:`service` for
    customers) and schedules the stock losses (:meth:`schedule_stock_losses`).

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
        #: Down timeline of every node hit by an outage.
        self.down = {node: Timeline(w) for node, w in node_windows.items()}
        #: Timeline of every event with windows (all kinds but stock losses), built once.
        self.timelines = {
            name: Timeline(self.windows[name])
            for name, event in scenario.disruptions.items()
            if not isinstance(event, StockLoss)
        }
        #: When any window is active, the events watched for the first shortfall (every one
        #: with windows) and the daily totals of all customers.
        self.service = ServiceWatch(Timeline(active), list(self.timelines.items()), horizon)
        #: Units destroyed by stock losses, by stock point.
        self.destroyed: dict[str, float] = {}
        #: The hook of every disrupted lane, and the stock point it delivers to.
        self.lanes: list[LaneDisruption] = []
        self.lane_owner: dict[int, str] = {}

    # -- demand -----------------------------------------------------------------------------

    def daily_demand(self, name: str, draws: np.ndarray) -> np.ndarray:
        """Daily demand ``draws`` of customer ``name`` with its surges applied
        (:func:`~jitsim.model.disruptions.surges.surged_daily_demand`)."""
        scenario = self.scenario
        surges = surges_of(scenario, name)
        spec, days_per_year = scenario.customers[name], scenario.run.days_per_year
        return surged_daily_demand(
            surges, self.windows, self.streams, name, spec, draws, days_per_year
        )

    def orders(
        self, name: str, times: np.ndarray, sizes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Individual orders (arrival ``times``, ``sizes``) of customer ``name`` with its
        surges applied (:func:`~jitsim.model.disruptions.surges.surged_orders`)."""
        scenario = self.scenario
        surges = surges_of(scenario, name)
        spec, days_per_year = scenario.customers[name], scenario.run.days_per_year
        horizon = float(self.horizon)
        return surged_orders(surges, self.streams, horizon, name, spec, times, sizes, days_per_year)

    # -- hooks for the parts ------------------------------------------------------------------

    def supplier_outage(self, name: str, capacity: float | None) -> SupplierOutage | None:
        """The outages of supplier ``name`` (daily ``capacity`` in units), None if never down."""
        timeline = self.down.get(name)
        if timeline is None:
            return None
        when_down = self.scenario.suppliers[name].when_down
        return SupplierOutage(timeline, capacity, when_down, self.horizon)

    def lane_disruption(
        self,
        point: str,
        role: str,
        supplier: SupplierNode | None,
        inspection: Inspection | None,
    ) -> LaneDisruption | None:
        """The hook of the ``role`` lane (``primary``, ``backup`` or ``expedite``) into stock
        point ``point`` from ``supplier`` (None for a stock point or plant): its supplier's
        outages, lead-time shocks, quality crises and closures; None when nothing hits it.

        Extra defects of a crisis are drawn from ``disruption.<event>.<point>.<role>``.
        """
        source = supplier.name if supplier is not None else None
        outage = supplier.disruption if supplier is not None else None
        hits = [
            (self.timelines[name], e.multiplier, e.add_days)
            for name, e in self.scenario.disruptions.items()
            if isinstance(e, LeadTimeShock)
            and (point in e.nodes or (source is not None and source in e.nodes))
            and (e.multiplier != 1.0 or e.add_days != 0.0)  # a neutral shock changes nothing
        ]
        crises: list[tuple[Timeline, Inspection]] = []
        if source is not None and inspection is not None and inspection.defect_rate > 0:
            for name, event in self.scenario.disruptions.items():
                if isinstance(event, QualityCrisis) and source in event.nodes:
                    rate = min((event.multiplier - 1.0) * inspection.defect_rate, 0.999)
                    if rate <= 0:
                        continue
                    rng = self.streams(f"disruption.{name}.{point}.{role}")
                    crises.append((self.timelines[name], Inspection(rate, False, 0.0, rng)))
        closure = self.down.get(point)
        if outage is None and not hits and not crises and closure is None:
            return None
        hook = LaneDisruption(outage, hits, float(self.warmup), crises, closure)
        self.lanes.append(hook)
        self.lane_owner[id(hook)] = point
        return hook

    def plant_outages(self, name: str) -> Timeline | None:
        """When plant ``name`` is down, None if never."""
        return self.down.get(name)

    def plant_crisis(self, name: str) -> QualityFactor | None:
        """The quality crises of plant ``name``, None if none."""
        crises = [
            (self.timelines[event_name], e.multiplier)
            for event_name, e in self.scenario.disruptions.items()
            if isinstance(e, QualityCrisis) and name in e.nodes
        ]
        return QualityFactor(crises) if crises else None

    # -- stock losses -------------------------------------------------------------------------

    def schedule_stock_losses(self, calendar: Calendar, points: dict[str, StockPoint]) -> None:
        """Put every stock loss within the horizon on the calendar."""
        for event in self.scenario.disruptions.values():
            if isinstance(event, StockLoss):
                for target in event.nodes:
                    point = points[target]
                    self.destroyed[target] = 0.0
                    for moment in event.at:
                        if moment < self.horizon:
                            calendar.at(moment, self._loss(point, event.fraction, moment))

    def _loss(self, point: StockPoint, fraction: float, when: float) -> Callable[[], None]:
        return lambda: self.destroy(point, fraction, when)

    def destroy(self, point: StockPoint, fraction: float, now: float) -> None:
        """A stock loss at ``point``: ``fraction`` of its on-hand stock is destroyed."""
        lost = point.lose_stock(fraction, now)
        if now >= self.warmup:
            self.destroyed[point.name] += lost

    # -- KPIs ---------------------------------------------------------------------------------

    def kpis(self, network: Network) -> dict[str, float]:
        """Disruption KPIs over the measured window (:func:`disruption_kpis`)."""
        return disruption_kpis(self, network)
