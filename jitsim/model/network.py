"""Wiring: build the SimPy model of a resolved scenario, and run the days.

The model is built from a *resolved* scenario (:func:`jitsim.scenario.resolve.resolve`: one
alternative, its policies and changes applied), never from a scenario and an alternative name.
One clock process per replication drives the daily order of events (docs/daily-convention.md).
At each
integer time ``t``:

1. end-of-day snapshot of day ``t − 1``;
2. receipts due at ``t`` are put away;
3. periodic reviews, downstream stock points first (so a distribution centre sees today's
   store orders);
4. at ``t + 0.5`` the aggregated daily demand of every customer arrives.

Receipts due at non-integer times are SimPy events with URGENT priority, so a delivery due
exactly when demand arrives is put away first. Individual customer orders (Poisson process)
are their own SimPy process. That makes two clock events per day plus one event per
off-grid delivery or individual order.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator
from itertools import count
from typing import Any

import numpy as np
import simpy
from simpy.core import URGENT

from jitsim.distributions import Constant
from jitsim.model.customer import Customer, draw_orders, mean_factors
from jitsim.model.disruptions import DisruptedCustomer, Disruptions, Interval
from jitsim.model.expedite import Expedite
from jitsim.model.lane import Lane, SupplierNode
from jitsim.model.plant import Plant, PlantLane
from jitsim.model.stock_point import StockPoint
from jitsim.policies.base import PolicyContext
from jitsim.scenario.models import Scenario
from jitsim.scenario.planning import material_sources, planning_demand
from jitsim.streams import BlockSampler, Streams

TraceRow = tuple[float, str, str, float, float, str]


class _Callback(simpy.Event):
    """An event that fires at ``now + delay`` with a given priority and runs ``action``."""

    def __init__(self, env: simpy.Environment, delay: float, action: Callable[[], None]) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        self.callbacks.append(lambda _event: action())
        env.schedule(self, URGENT, delay)


def build(
    resolved: Scenario, streams: Streams, *, trace: bool = False, trajectories: bool = False
) -> Network:
    """The ready model of one replication of a resolved scenario.

    Parameters
    ----------
    resolved : Scenario
        From :func:`jitsim.scenario.resolve.resolve`.
    streams : Streams
        Random streams of the replication.
    trace, trajectories : bool
        Keep the event log / the end-of-day series of every stock point.
    """
    return Network(resolved, streams, trace=trace, trajectories=trajectories)


class Network:
    """The simulation model of one replication.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario (see :func:`jitsim.scenario.resolve.resolve`): no alternatives,
        the policies to simulate written into its stock points.
    streams : Streams
        Random streams of this replication.
    trace : bool
        Keep the event log (slower; for ``jitsim trace`` and tests).
    trajectories : bool
        Keep the end-of-day series of every stock point.
    """

    def __init__(
        self,
        scenario: Scenario,
        streams: Streams,
        *,
        trace: bool = False,
        trajectories: bool = False,
    ) -> None:
        if scenario.alternatives:
            raise ValueError(
                "a model is built from a resolved scenario: call "
                "jitsim.scenario.resolve(scenario, alternative) first (the scenario has "
                f"alternatives {', '.join(scenario.alternatives)})"
            )
        self.scenario = scenario
        self.env = simpy.Environment()
        self.horizon = scenario.run.horizon_days
        self.warmup = scenario.run.warmup_days
        self.trace: list[TraceRow] | None = [] if trace else None
        #: Actions due at integer times (receipts, delayed shipments), run in phase 2.
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._sequence = count()
        self.window_start = 0.0
        self.peak_cash = 0.0
        self.days = 0
        self.days_all_met = 0
        self._build(streams, trajectories)
        self._clock = self.env.process(self.run_days())
        for customer, (times, sizes) in self.order_streams.items():
            self.env.process(self.generate_orders(customer, times, sizes))

    # -- building ---------------------------------------------------------------------------

    def _build(self, streams: Streams, trajectories: bool) -> None:
        scenario = self.scenario
        run = scenario.run
        days_per_year = run.days_per_year
        self.suppliers = {
            name: SupplierNode(name, spec.capacity_per_day)
            for name, spec in scenario.suppliers.items()
        }
        self.points: dict[str, StockPoint] = {}
        for name, spec in scenario.stock_points.items():
            item = scenario.items[spec.item]
            point = StockPoint(
                self,
                name,
                unit_cost=item.unit_cost,
                holding_per_unit_day=item.annual_holding_rate * item.unit_cost / days_per_year,
                initial=spec.initial,
                review_period=spec.review.period,
                review_offset=spec.review.offset_days,
            )
            if trajectories:
                point.trajectory = []
            self.points[name] = point

        # Disruption timelines, drawn before anything else uses them (demand surges).
        self.disruptions = (
            Disruptions(scenario, streams, self.horizon, self.warmup)
            if scenario.disruptions
            else None
        )
        disruptions = self.disruptions

        # Customers and their pre-drawn demand (drawn before policies: common random numbers).
        self.customers: dict[str, Customer] = {}
        self.daily_demand: list[tuple[Customer, StockPoint, list[float]]] = []
        self.order_streams: dict[Customer, tuple[np.ndarray, np.ndarray]] = {}
        totals_at: dict[str, np.ndarray] = {}
        for name, cspec in scenario.customers.items():
            item = scenario.items[scenario.stock_points[cspec.buys_from].item]
            customer = (Customer if disruptions is None else DisruptedCustomer)(
                name,
                backorders=cspec.unmet == "backorder",
                price=cspec.price if cspec.price is not None else item.price,
                backorder_cost_per_unit_day=cspec.backorder_cost_per_unit_day,
                backorder_cost_per_unit=cspec.backorder_cost_per_unit,
                lost_sale_penalty=cspec.lost_sale_penalty,
            )
            if isinstance(customer, DisruptedCustomer):
                assert disruptions is not None
                customer.active = disruptions.active
            self.customers[name] = customer
            rng = streams(f"customer.{name}.demand")
            if cspec.demand is not None:
                days = np.arange(self.horizon, dtype=float)
                draws = cspec.demand.sample_scaled(rng, mean_factors(cspec, days, days_per_year))
                if disruptions is not None:
                    draws = disruptions.daily_demand(name, cspec, draws, days_per_year)
                per_day = draws
                self.daily_demand.append((customer, self.points[cspec.buys_from], draws.tolist()))
            else:
                times, sizes = draw_orders(cspec, rng, float(self.horizon), days_per_year)
                if disruptions is not None:
                    times, sizes = disruptions.orders(name, cspec, times, sizes, days_per_year)
                self.order_streams[customer] = (times, sizes)
                per_day = np.bincount(
                    times.astype(np.int64), weights=sizes, minlength=self.horizon
                )[: self.horizon].astype(float)
            previous = totals_at.get(cspec.buys_from)
            totals_at[cspec.buys_from] = per_day if previous is None else previous + per_day
        self.customer_of_point = {c.buys_from for c in scenario.customers.values()}

        self.plants: dict[str, Plant] = {}
        unit_costs = {name: item.unit_cost for name, item in scenario.items.items()}
        for name, plant_spec in scenario.plants.items():
            materials = {
                material: self.points[point]
                for material, point in material_sources(scenario, name).items()
            }
            self.plants[name] = Plant(self, name, plant_spec, materials, unit_costs, streams)

        demand_mean, demand_var = planning_demand(scenario)
        for name, spec in scenario.stock_points.items():
            point = self.points[name]
            lane_spec = spec.lead_time
            item = scenario.items[spec.item]
            making_mean = making_var = 0.0  # production time planned at a finished-goods point
            if spec.source in scenario.suppliers:
                lane, lead = Lane.from_supplier(
                    self,
                    point,
                    scenario.suppliers[spec.source],
                    self.suppliers[spec.source],
                    item,
                    lane_spec,
                    spec.order_cost,
                    streams,
                    f"lane.{name}",
                )
            elif spec.source in self.plants:
                lead = lane_spec if lane_spec is not None else Constant(value=0)
                # policies plan with the plant's nominal time to make one batch, no queueing
                product = scenario.plants[spec.source].products[spec.item]
                units = product.batch_size if product.per == "unit" else 1
                making_mean = product.setup_time.mean + units * product.processing_time.mean
                making_var = (
                    product.setup_time.variance + units**2 * product.processing_time.variance
                )
                lane = PlantLane(
                    self,
                    point,
                    None,
                    None,
                    BlockSampler(lead, streams(f"lane.{name}.lead_time")),
                    spec.order_cost or 0.0,
                    0.0,  # made, not bought: materials are purchased upstream
                    0.0,
                    1.0,  # production orders are for whole units
                    owned_in_transit=True,
                )
                lane.plant = self.plants[spec.source]
                lane.owner_item = spec.item
                lane.source_name = spec.source
            else:
                assert lane_spec is not None
                lead = lane_spec
                lane = Lane(
                    self,
                    point,
                    None,
                    self.points[spec.source],
                    BlockSampler(lead, streams(f"lane.{name}.lead_time")),
                    spec.order_cost or 0.0,
                    0.0,  # internal transfers are not purchases
                    0.0,
                    None,
                    owned_in_transit=True,
                )
            point.lane = lane
            lead_mean, lead_var = lead.mean + making_mean, lead.variance + making_var
            backup = spec.backup
            if backup is not None:  # dual sourcing: a second lane from the backup supplier
                point.backup, backup_lead = Lane.from_supplier(
                    self,
                    point,
                    scenario.suppliers[backup.source],
                    self.suppliers[backup.source],
                    item,
                    backup.lead_time,
                    backup.order_cost,
                    streams,
                    f"lane.{name}.backup",
                    is_backup=True,
                )
                if backup.split == "shares":
                    # policies plan with the lead time of a random unit (a two-lane mixture)
                    share = point.backup_share = backup.share
                    assert share is not None
                    gap = backup_lead.mean - lead_mean
                    lead_var = (
                        (1 - share) * lead_var
                        + share * backup_lead.variance
                        + share * (1 - share) * gap * gap
                    )
                    lead_mean += share * gap
                else:
                    lane.max_delay = backup.failover_after_days
            if spec.expedite is not None:  # emergency orders over a lane of their own
                point.expedite = Expedite.build(self, point, spec.expedite, scenario, streams)
            totals = totals_at.get(name)
            context = PolicyContext(
                stock_point=name,
                demand_mean=demand_mean[name],
                demand_var=demand_var[name],
                lead_time_mean=lead_mean,
                lead_time_var=lead_var,
                review_period=spec.review.period,
                holding_cost_per_unit_day=point.holding_per_unit_day,
                order_cost=lane.order_cost,
                days_per_year=days_per_year,
                rng=streams,
                future_demand=_future_demand(totals) if totals is not None else None,
            )
            point.policy = spec.policy.build(context)

        depth = {name: self._depth(name) for name in self.points}
        ordered = sorted(self.points.values(), key=lambda p: -depth[p.name])
        self.review_order = ordered
        self.periodic = [p for p in ordered if not p.continuous]
        if disruptions is not None:
            disruptions.attach(self)

    @property
    def disruption_windows(self) -> dict[str, list[Interval]]:
        """Drawn windows ``[start, end)`` (days) of every disruption event, by event name.

        Stock losses appear as zero-length windows at their times. Empty without disruptions.
        """
        return dict(self.disruptions.windows) if self.disruptions is not None else {}

    def _depth(self, name: str) -> int:
        """Echelons between a stock point and the outside suppliers (reviews go deepest first,
        so a source sees today's orders of the points it feeds)."""
        scenario = self.scenario
        source = scenario.stock_points[name].source
        if source in scenario.suppliers:
            return 0
        if source in scenario.plants:
            feeding = material_sources(scenario, source).values()
            return 1 + max((self._depth(point) for point in feeding), default=0)
        return 1 + self._depth(source)

    # -- scheduling -------------------------------------------------------------------------

    def deliver(
        self, point: StockPoint, quantity: float, owned: bool, due: float, now: float
    ) -> None:
        """Schedule the receipt of ``quantity`` units at ``point`` at time ``due``."""
        due = _snap(due)
        if due <= now:
            point.receive(quantity, owned, now)
        else:
            self.at(due, lambda: point.receive(quantity, owned, due))

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` at time ``when``: in phase 2 at integer times, else before demand."""
        when = _snap(when)
        if when == math.floor(when):
            heapq.heappush(self._due, (when, next(self._sequence), action))
        else:
            _Callback(self.env, when - self.env.now, action)

    # -- processes --------------------------------------------------------------------------

    def run_days(self) -> Generator[simpy.Event, Any, None]:
        """The daily clock: snapshot, receipts, reviews, then demand at mid-day."""
        env = self.env
        points = list(self.points.values())
        periodic = self.periodic
        continuous = [p for p in self.review_order if p.continuous]
        customers = list(self.customers.values())
        daily = self.daily_demand
        due = self._due
        half_day = 0.5
        for day in range(self.horizon + 1):
            now = float(day)
            if day > 0:
                self._end_of_day(now, points, customers)
            if day == self.warmup:
                self._reset(now, points, customers)
            if day == self.horizon:
                break
            while due and due[0][0] <= now:
                heapq.heappop(due)[2]()
            for point in periodic:
                if (
                    day >= point.review_offset
                    and (day - point.review_offset) % point.review_period == 0
                ):
                    if self.trace is not None:
                        self.trace.append((now, point.name, "review", 0.0, point.position, ""))
                    point.review(now)
            if day == 0:
                for point in continuous:
                    point.review(now)
            yield env.timeout(half_day)
            now += half_day
            for customer, point, quantities in daily:
                point.demand(quantities[day], customer, now)
            yield env.timeout(half_day)
        for point in points:
            point.advance(float(self.horizon))
        for plant in self.plants.values():
            plant.advance(float(self.horizon))

    def generate_orders(
        self, customer: Customer, times: np.ndarray, sizes: np.ndarray
    ) -> Generator[simpy.Event, Any, None]:
        """Individual orders of one customer at pre-drawn times."""
        env = self.env
        point = self.points[self.scenario.customers[customer.name].buys_from]
        for when, size in zip(times.tolist(), sizes.tolist(), strict=True):
            yield env.timeout(when - env.now)
            point.demand(size, customer, when)

    def _end_of_day(self, now: float, points: list[StockPoint], customers: list[Customer]) -> None:
        any_short = False
        for customer in customers:
            if customer.day_short:
                any_short = True
            customer.end_of_day()
        self.days += 1
        if not any_short:
            self.days_all_met += 1
        for point in points:
            point.end_of_day(now)
        if self.trace is not None:
            for point in points:
                self.trace.append(
                    (
                        now,
                        point.name,
                        "end of day",
                        point.on_hand,
                        point.position,
                        f"backorders={point.backorders:g} on_order={point.on_order:g}",
                    )
                )

    def note_cash(self) -> None:
        """Update the network's peak cash tied up (called after every receipt)."""
        cash = sum(point.cash() for point in self.points.values())
        cash += sum(plant.cash() for plant in self.plants.values())
        if cash > self.peak_cash:
            self.peak_cash = cash

    def _reset(self, now: float, points: list[StockPoint], customers: list[Customer]) -> None:
        self.window_start = now
        self.days = self.days_all_met = 0
        for point in points:
            point.reset_statistics(now)
        for customer in customers:
            customer.reset_statistics()
        for plant in self.plants.values():
            plant.reset_statistics(now)
        self.peak_cash = 0.0
        self.note_cash()

    def run(self) -> None:
        """Simulate the whole horizon (events due after it, e.g. late receipts, are not run)."""
        self.env.run(until=self._clock)


def _snap(when: float) -> float:
    """A time within 1e-9 days of a whole day is that day (2.9999999999999996 is day 3)."""
    nearest = round(when)
    return float(nearest) if abs(when - nearest) < 1e-9 else when


def _future_demand(per_day: np.ndarray) -> Callable[[float, float], float]:
    """``f(t, P)``: the true demand still to come in the next ``P`` days after time ``t``.

    Day ``d``'s demand arrives at ``d + 0.5``; ``f`` sums the days with ``t < d + 0.5 ≤ t + P``,
    so a review at an integer time sees days ``t … t+P−1`` and a continuous review right after
    the demand of day ``t`` sees days ``t+1 … t+P`` (today's demand has already happened).
    Beyond the horizon the known part is scaled up to the full span.
    """
    cumulative = np.concatenate([[0.0], np.cumsum(per_day)]).tolist()
    days = len(per_day)

    def future(start: float, span: float) -> float:
        first = max(math.floor(start - 0.5) + 1, 0)  # smallest d with d + 0.5 > start
        last = math.floor(start + span - 0.5)  # largest d with d + 0.5 <= start + span
        if first >= days or last < first:
            return 0.0
        if last >= days:  # beyond the horizon: scale what is known
            known = cumulative[days] - cumulative[first]
            return known * (last - first + 1) / (days - first)
        return cumulative[last + 1] - cumulative[first]

    return future
