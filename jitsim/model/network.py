"""The running model of one replication: its parts, and the daily clock that drives them.

The model is built from a *resolved* scenario (:func:`jitsim.scenario.resolve.resolve`: one
alternative, its policies and changes applied), never from a scenario and an alternative name:
:func:`build` makes the :class:`~jitsim.model.calendar.Calendar` and every part
(:mod:`jitsim.model.builder`) and hands them to the :class:`Network`.

One clock process per replication drives the daily order of events (docs/daily-convention.md).
At each integer time ``t``:

1. end-of-day snapshot of day ``t − 1``;
1b. perishable stock whose expiry is at or before ``t`` leaves on-hand stock
   (:meth:`Shelf.expire <jitsim.model.shelf.Shelf.expire>`);
2. receipts and other actions due at ``t`` are run (:attr:`Calendar.due
   <jitsim.model.calendar.Calendar.due>`, in the order they were scheduled);
3. periodic reviews, downstream stock points first (so a distribution centre sees today's
   store orders);
4. at ``t + 0.5`` the aggregated daily demand of every customer arrives.

Actions due off the grid are SimPy events with URGENT priority, so a delivery due exactly when
demand arrives is put away first; :mod:`jitsim.model.calendar` explains why whole-day and
off-grid actions wait in two queues. Individual customer orders (Poisson process) are their
own SimPy process. That makes at most two clock events per day plus one event per off-grid
delivery or individual order: the clock skips its own wake-up when no other SimPy event is due
by then and moves the environment's time itself (:meth:`Network.run_days`), so a network with
whole-day lead times, no plants and no individual orders runs a replication in one SimPy step.
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import heappop
from typing import TYPE_CHECKING, Any

import simpy

from jitsim.model.builder import Builder, Parts
from jitsim.model.calendar import Calendar, TraceRow

if TYPE_CHECKING:
    import numpy as np

    from jitsim.model.customer import Customer
    from jitsim.model.disruptions import Interval
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams

__all__ = ["Network", "TraceRow", "build"]


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
    calendar = Calendar(trace)
    return Network(resolved, calendar, Builder(resolved, streams, calendar, trajectories).parts())


class Network:
    """The simulation model of one replication.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario (see :func:`jitsim.scenario.resolve.resolve`): no alternatives,
        the policies to simulate written into its stock points.
    calendar : Calendar
        The replication's calendar (environment, future actions, event log).
    parts : Parts
        Its parts, made by :class:`~jitsim.model.builder.Builder` on ``calendar``.
    """

    def __init__(self, scenario: Scenario, calendar: Calendar, parts: Parts) -> None:
        self.scenario = scenario
        self.calendar = calendar
        self.env = calendar.env
        self.horizon = scenario.run.horizon_days
        self.warmup = scenario.run.warmup_days
        self.suppliers = parts.suppliers
        self.points = parts.points
        self.customers = parts.customers
        self.plants = parts.plants
        self.disruptions = parts.disruptions
        self.end_of_life = parts.end_of_life
        self.cash_tied_up = parts.cash_tied_up
        #: The cash ledger (:mod:`jitsim.model.ledger`), None unless the scenario keeps one.
        self.ledger = calendar.ledger
        self.daily_demand: list[tuple[Customer, StockPoint, list[float]]] = parts.daily_demand
        self.order_streams: dict[Customer, tuple[np.ndarray, np.ndarray]] = parts.order_streams
        self.review_order = parts.review_order
        self.periodic = [p for p in self.review_order if not p.continuous]
        #: Stock points that customers buy from, in the scenario's order (KPIs sum over them:
        #: a set's order changed the last bit from one process to another, PYTHONHASHSEED).
        self.customer_of_point = list(
            dict.fromkeys(c.buys_from for c in scenario.customers.values())
        )
        self.window_start = 0.0
        #: Days measured, and those on which no customer was short (set at the horizon).
        self.days = 0
        self.days_all_met = 0
        self._clock = self.env.process(self.run_days())
        for customer, (times, sizes) in self.order_streams.items():
            self.env.process(self.generate_orders(customer, times, sizes))

    @property
    def trace(self) -> list[TraceRow] | None:
        """The event log (time, node, event, quantity, level, note), or None if not kept."""
        return self.calendar.trace

    @property
    def peak_cash(self) -> float:
        """Peak cash tied up in the network over the measured window (currency)."""
        return self.cash_tied_up.peak

    @property
    def disruption_windows(self) -> dict[str, list[Interval]]:
        """Drawn windows ``[start, end)`` (days) of every disruption event, by event name.

        Stock losses appear as zero-length windows at their times. Empty without disruptions.
        """
        return dict(self.disruptions.windows) if self.disruptions is not None else {}

    # -- processes --------------------------------------------------------------------------

    def run_days(self) -> Generator[simpy.Event, Any, None]:
        """The daily clock: snapshot, receipts, reviews, then demand at mid-day."""
        env = self.env
        calendar = self.calendar
        points = list(self.points.values())
        periodic = self.periodic
        continuous = [p for p in self.review_order if p.continuous]
        customers = list(self.customers.values())
        daily = self.daily_demand
        due = calendar.due
        trace = calendar.trace
        ledger = self.ledger
        shelves = [(p, p.shelf) for p in points if p.shelf is not None]
        half_day = 0.5
        # [point, its next review day, its review period]: cheaper than a modulo every day
        reviews: list[list[Any]] = [[p, p.review_offset, p.review_period] for p in periodic]
        # The clock's own wake-ups at t + 0.5 and t + 1 are avoidable when no other SimPy
        # event is due up to then (no off-grid delivery, plant or order process): the clock
        # then moves the environment's time itself and goes on, which is exactly what SimPy
        # would do on popping the wake-up, since nothing sorts before it. Every other SimPy
        # event still sees the right ``env.now``; without plants, off-grid deliveries or
        # individual orders a replication runs as one step of this generator.
        queue = env._queue  # SimPy's event heap of (time, priority, id, event)
        warmup, horizon = self.warmup, self.horizon
        # Days measured and days some customer was short, counted in locals (two attribute
        # updates a day were ~2 % of a replication) and stored in self.days and
        # self.days_all_met at the horizon: only the KPIs read them.
        days = short_days = 0
        for day in range(horizon + 1):
            now = float(day)
            if day > 0:  # phase 1, inlined from _end_of_day: the call is a tenth of a day's time
                any_short = False
                for customer in customers:  # Customer.end_of_day, inlined: keep the two equal
                    if customer.day_short:
                        any_short = True
                        customer.day_short = False
                days += 1
                if any_short:
                    short_days += 1
                for point in points:
                    point.end_of_day(now)
                if ledger is not None:  # interest on an overdraft, the day's cash snapshot
                    ledger.end_of_day(now, self.cash_tied_up.value())
                if trace is not None:
                    self._trace_end_of_day(now, points, trace)
            if day == warmup:
                self._reset(now, points, customers)
                days = short_days = 0
            if day == horizon:
                break
            for point, shelf in shelves:  # phase 1b: expiry, before receipts and reviews
                shelf.expire(point, now)
            while due and due[0][0] <= now:  # phase 2, including actions they add for now
                heappop(due)[2]()
            for review in reviews:
                if day == review[1]:
                    point = review[0]
                    review[1] += review[2]
                    if trace is not None:
                        stop = point.end_of_life
                        note = "" if stop is None or now < stop.stop_at else "ordering stopped"
                        trace.append((now, point.name, "review", 0.0, point.position, note))
                    point.review(now)
            if day == 0:
                for point in continuous:
                    point.review(now)
            now += half_day
            if not queue or queue[0][0] > now:  # nothing else due by mid-day: no wake-up
                env._now = now
            else:
                yield env.timeout(half_day)
            for customer, point, quantities in daily:
                point.demand(quantities[day], customer, now)
            if not queue or queue[0][0] > now + half_day:  # nor before the end of the day
                env._now = now + half_day
            else:
                yield env.timeout(half_day)
        self.days, self.days_all_met = days, days - short_days
        for point in points:
            point.advance(float(self.horizon))
        for plant in self.plants.values():
            plant.advance(float(self.horizon))
        if self.end_of_life is not None:  # what is left of ended items is written off now
            self.end_of_life.close(float(self.horizon))

    def generate_orders(
        self, customer: Customer, times: np.ndarray, sizes: np.ndarray
    ) -> Generator[simpy.Event, Any, None]:
        """Individual orders of one customer at pre-drawn times."""
        env = self.env
        point = self.points[self.scenario.customers[customer.name].buys_from]
        for when, size in zip(times.tolist(), sizes.tolist(), strict=True):
            yield env.timeout(when - env.now)
            point.demand(size, customer, when)

    @staticmethod
    def _trace_end_of_day(now: float, points: list[StockPoint], trace: list[TraceRow]) -> None:
        """Log every stock point's end-of-day levels (phase 1, when the trace is kept)."""
        for point in points:
            trace.append(
                (
                    now,
                    point.name,
                    "end of day",
                    point.on_hand,
                    point.position,
                    f"backorders={point.backorders:g} on_order={point.on_order:g}",
                )
            )

    def _reset(self, now: float, points: list[StockPoint], customers: list[Customer]) -> None:
        self.window_start = now  # (the day counts restart in run_days' locals)
        for point in points:
            point.reset_statistics(now)
        for customer in customers:
            customer.reset_statistics()
        for plant in self.plants.values():
            plant.reset_statistics(now)
        self.cash_tied_up.reset()
        if self.ledger is not None:
            self.ledger.reset(now, self.cash_tied_up.value())

    def run(self) -> None:
        """Simulate the whole horizon (events due after it, e.g. late receipts, are not run)."""
        self.env.run(until=self._clock)
