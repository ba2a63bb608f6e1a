"""An item's end of life in one replication: ordering stops, demand falls, stock is written off.

The day :math:`T` of each item's end (``items.<item>.end_of_life``) is drawn once per
replication, before the run, from the stream ``item.<item>.end_of_life``: the first whole day
not before the draw. Everything that follows is fixed by it:

* **Demand** arriving at or after :math:`T` is scaled by the demand factor :math:`f` in the
  builder, as demand surges are (:mod:`jitsim.model.disruptions.surges`): daily demand of days
  :math:`d \\ge T` is 0 when :math:`f = 0`, else redrawn with its mean multiplied by :math:`f`
  from the stream ``customer.<customer>.end_of_life``; individual orders at or after :math:`T`
  are kept with probability :math:`f` (same stream). So every alternative sees the same demand.
* **Ordering** stops at :math:`T`, or at :math:`T - N` with ``announced_days_ahead`` :math:`N`:
  every stock point of the item gets a :class:`PointEndOfLife` in its ``end_of_life`` slot, and
  :meth:`StockPoint.review <jitsim.model.stock_point.StockPoint.review>` places no order (nor an
  emergency order) from its ``stop_at`` on. The policy itself is never told.
* **Write-off**, at :math:`T` in phase 2 of the day, before the day's receipts (the action is
  put on the calendar when the model is built, before any receipt): with :math:`f = 0` the stock
  points of the item are *dead* — their on-hand stock is written off now, and every later
  receipt (orders placed before the stop: in transit, queued at a supplier, in process at a
  plant) is written off when it arrives, after it has filled the backorders that were waiting
  for it (a backorder is a sale already made); customer backorders beyond what is on order
  are cancelled at :math:`T` (their customers buy the successor: they stay counted as
  backordered, and their backorder cost stops). With :math:`f > 0` the stock keeps selling.
  At the end of the horizon (:meth:`EndOfLife.close`) what is left of an item whose life has
  ended — on hand, and on order as if it all arrived now — is written off where it would come
  to rest, after filling the backorders waiting for it: units that would fill a backorder are
  sales, not write-offs, and a unit owed by a distribution centre to a store is counted once.

A unit written off costs ``unit_cost − salvage_value``: that is ``obsolescence_write_off``,
part of ``total_cost``. Its purchase is already in ``purchase_cost``, so ``profit`` adds back
``unit_cost`` per unit written off (as it does for scrapped materials): the profit then counts
each written-off unit as its price paid less its salvage.

Plants: the work in process for a dead item is what its finished-goods stock point has on
order, so it is written off when it arrives there (or at the horizon's end); materials at
their own stock points are other items, written off only if those items end too.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.calendar import snap
from jitsim.model.customer import Customer, mean_factors

if TYPE_CHECKING:
    from jitsim.model.calendar import Calendar
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.end_of_life import EndOfLife as EndOfLifeSpec
    from jitsim.scenario.models import Customer as CustomerSpec
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams

__all__ = ["EndOfLife", "PointEndOfLife", "end_day"]


def end_day(draw: float) -> int:
    """The whole day on which an end of life drawn at ``draw`` (days) takes effect: the first
    whole day not before it (a draw within 1e-9 of a day is that day)."""
    return math.ceil(snap(draw))


class PointEndOfLife:
    """The end of life of a stock point's item, as that stock point lives it.

    Parameters
    ----------
    stop_at : float
        Time from which the stock point places no orders (days).
    unit_cost : float
        Value of one unit (currency/unit).
    salvage_value : float
        Recovered per unit written off (currency/unit).
    """

    __slots__ = (
        "dead",
        "ended",
        "salvage_value",
        "stop_at",
        "unit_cost",
        "units_at_end",
        "units_at_horizon",
        "units_on_arrival",
    )

    def __init__(self, stop_at: float, unit_cost: float, salvage_value: float) -> None:
        self.stop_at = stop_at
        self.unit_cost = unit_cost
        self.salvage_value = salvage_value
        #: The life has ended (demand scaled, ordering stopped) / ended with no demand left.
        self.ended = self.dead = False
        self.reset_statistics()

    def reset_statistics(self) -> None:
        """Forget the write-offs so far (end of warm-up)."""
        self.units_at_end = self.units_on_arrival = self.units_at_horizon = 0.0

    @property
    def units(self) -> float:
        """Units written off in the measured window."""
        return self.units_at_end + self.units_on_arrival + self.units_at_horizon

    @property
    def write_off(self) -> float:
        """Their cost, ``(unit_cost − salvage_value) × units`` (currency)."""
        return (self.unit_cost - self.salvage_value) * self.units

    def received(self, point: StockPoint, now: float) -> None:
        """A receipt was put away (and has filled waiting backorders): a dead stock point
        writes off what is left of it, and cancels the customer backorders that nothing on
        order will fill any more (perishable units that arrived expired filled none)."""
        if not self.dead:
            return
        if point.on_hand > 0.0:
            self.units_on_arrival += _take(
                point, point.on_hand, now, "arrived after the end", self.salvage_value
            )
        if point.backorders > point.on_order:
            _cancel_backorders(point, now)


def _take(point: StockPoint, units: float, now: float, note: str, salvage: float = 0.0) -> float:
    """Remove ``units`` from ``point``'s on-hand stock as written off; returns them.

    With a cash ledger, units written off during the run are sold now for ``salvage``
    (currency/unit); those left at the horizon's end are sold after it (no cash in the run).
    """
    point.advance(now)  # close the on-hand area at the old level first
    point.on_hand -= units
    ledger = point.calendar.ledger
    if ledger is not None:
        ledger.sell_for_salvage(now, units * salvage)
    if point.shelf is not None:  # perishable: the batches leave too, in issue order
        point.shelf.discard(units)
    trace = point.calendar.trace
    if trace is not None:
        trace.append((now, point.name, "written off", units, point.on_hand, note))
    return units


class EndOfLife:
    """The end of life of every item that has one, in one replication.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario with at least one ``items.<item>.end_of_life``.
    streams : Streams
        Random streams of the replication.
    horizon : int
        Days simulated.
    """

    def __init__(self, scenario: Scenario, streams: Streams, horizon: int) -> None:
        self.scenario = scenario
        self.streams = streams
        self.horizon = horizon
        self.specs: dict[str, EndOfLifeSpec] = {
            name: item.end_of_life
            for name, item in scenario.items.items()
            if item.end_of_life is not None
        }
        #: The day each item's life ends (may be at or after the horizon: no end then).
        self.days: dict[str, int] = {
            name: end_day(float(spec.at.sample(streams(f"item.{name}.end_of_life"), 1)[0]))
            for name, spec in self.specs.items()
        }
        #: Every stock point of an item with an end of life (also those of an item that
        #: outlives the horizon: their columns are there in every replication).
        self.points: dict[str, tuple[StockPoint, PointEndOfLife | None]] = {}

    def _customer_item(self, spec: CustomerSpec) -> str:
        return self.scenario.stock_points[spec.buys_from].item

    def _ending(self, spec: CustomerSpec) -> tuple[int, float] | None:
        """(end day, demand factor) of the item ``spec`` buys, None if it does not end
        within the horizon or its demand is untouched."""
        item = self._customer_item(spec)
        life = self.specs.get(item)
        if life is None or self.days[item] >= self.horizon or life.demand_factor == 1.0:
            return None
        return self.days[item], life.demand_factor

    # -- demand -----------------------------------------------------------------------------

    def daily_demand(
        self, name: str, spec: CustomerSpec, draws: np.ndarray, days_per_year: float
    ) -> np.ndarray:
        """Daily demand ``draws`` of customer ``name`` after its item's end of life: days
        :math:`d \\ge T` are 0 (:math:`f = 0`) or redrawn with the mean times :math:`f`."""
        ending = self._ending(spec)
        if ending is None:
            return draws
        day, factor = ending
        draws = draws.copy()
        if factor == 0.0:
            draws[day:] = 0.0
            return draws
        assert spec.demand is not None
        days = np.arange(day, len(draws), dtype=float)
        scaled = mean_factors(spec, days, days_per_year) * factor
        draws[day:] = spec.demand.sample_scaled(
            self.streams(f"customer.{name}.end_of_life"), scaled
        )
        return draws

    def orders(
        self, name: str, spec: CustomerSpec, times: np.ndarray, sizes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Individual orders of customer ``name``: those at or after :math:`T` are kept with
        probability :math:`f`."""
        ending = self._ending(spec)
        if ending is None:
            return times, sizes
        day, factor = ending
        after = times >= day
        if factor == 0.0:
            keep = ~after
        else:
            rng = self.streams(f"customer.{name}.end_of_life")
            keep = ~after | (rng.random(len(times)) < factor)
        return times[keep], sizes[keep]

    # -- stock points -----------------------------------------------------------------------

    def attach(self, calendar: Calendar, points: dict[str, StockPoint]) -> None:
        """Give every stock point of an ending item its :class:`PointEndOfLife` and put the
        end of each item on the calendar."""
        for item, life in self.specs.items():
            day = self.days[item]
            spec = self.scenario.items[item]
            ahead = life.announced_days_ahead or 0.0
            stop_at = max(day - ahead, 0.0)
            mine = [p for n, p in points.items() if self.scenario.stock_points[n].item == item]
            for point in mine:
                state = None
                if stop_at < self.horizon:  # the stop (and maybe the end) comes in the run
                    state = PointEndOfLife(stop_at, spec.unit_cost, spec.salvage_value)
                    point.end_of_life = state
                self.points[point.name] = (point, state)
            if day < self.horizon:
                calendar.at(float(day), partial(_end, mine, life.demand_factor, float(day)))

    def close(self, now: float) -> None:
        """The end of the horizon: what is left of every item whose life has ended is written
        off where it would come to rest.

        As if every open order arrived now: stock points are taken upstream first; each has
        its stock on hand, what it has on order from a supplier or a plant, and what its
        upstream stock point hands down to it (in transit, plus what that one fills of what it
        owes); that fills its waiting backorders first come first served (customers: sales;
        downstream stock points: handed down), and the rest is written off there. So a unit is
        counted once, and a unit an upstream stock point owes but will never have is not.
        """
        inflow: dict[str, float] = {}
        for point, state in sorted(self.points.values(), key=lambda p: self._depth(p[0].name)):
            if state is None or not state.ended:
                continue
            source = self.scenario.stock_points[point.name].source
            coming = point.on_order
            upstream = self.points.get(source)
            if upstream is not None:  # on order from a stock point: only what it hands down
                owed = sum(
                    u for r, u in upstream[0].backorder_queue if getattr(r, "owner", None) is point
                )
                coming += inflow.get(point.name, 0.0) - owed
            available = point.on_hand + coming
            for requester, units in point.backorder_queue:
                served = min(units, available)
                available -= served
                below = getattr(requester, "owner", None)
                if below is not None and below.name in self.points:
                    inflow[below.name] = inflow.get(below.name, 0.0) + served
            if available <= 1e-9:
                continue
            on_hand = min(point.on_hand, available)
            if on_hand > 0.0:
                _take(point, on_hand, now, "left at the horizon's end")
            trace = point.calendar.trace
            if available - on_hand > 1e-9 and trace is not None:
                note = "on order at the horizon's end"
                trace.append((now, point.name, "written off", available - on_hand, 0.0, note))
            state.units_at_horizon += available

    def _depth(self, name: str) -> int:
        """Stock points between ``name`` and its supplier or plant (0: it orders from one)."""
        source = self.scenario.stock_points[name].source
        return 0 if source not in self.scenario.stock_points else 1 + self._depth(source)

    # -- KPIs -------------------------------------------------------------------------------

    def point_kpis(self) -> dict[str, dict[str, float]]:
        """``units_written_off`` and ``obsolescence_write_off`` of every stock point of an
        item with an end of life (by stock point name)."""
        return {
            name: {
                "units_written_off": state.units if state is not None else 0.0,
                "obsolescence_write_off": state.write_off if state is not None else 0.0,
            }
            for name, (_point, state) in self.points.items()
        }

    def totals(self) -> tuple[float, float, float]:
        """Network totals: (units written off, their write-off cost, their value at unit
        cost — what ``profit`` adds back because ``purchase_cost`` already paid it)."""
        states = [state for _point, state in self.points.values() if state is not None]
        return (
            sum(s.units for s in states),
            sum(s.write_off for s in states),
            sum(s.unit_cost * s.units for s in states),
        )


def _end(points: list[StockPoint], demand_factor: float, now: float) -> None:
    """The end of life at the start of phase 2 of its day ``now``: with no demand left, the
    stock points of the item die, write off their stock on hand and cancel the customer
    backorders that nothing on order will fill."""
    for point in points:
        state = point.end_of_life
        if state is None:
            continue
        state.ended = True
        if demand_factor == 0.0:
            state.dead = True
            if point.on_hand > 0.0:
                state.units_at_end += _take(
                    point, point.on_hand, now, "end of life", state.salvage_value
                )
            if point.backorders > point.on_order:
                _cancel_backorders(point, now)


def _cancel_backorders(point: StockPoint, now: float) -> None:
    """Cancel the customer backorders of ``point`` beyond what it has on order (first come,
    first filled: the latest are cancelled). Their customers buy the successor: the units stay
    counted as backordered, are never delivered, and their backorder cost stops now.
    Backorders of downstream stock points stay (what they would get is written off there)."""
    point.advance(now)  # close the backorder and shortage-cost areas at the old levels
    coming = point.on_order
    kept = []
    for entry in point.backorder_queue:
        requester, owed = entry
        served = min(owed, coming)
        coming -= served
        if served < owed and isinstance(requester, Customer):
            cancelled = owed - served
            point.backorders -= cancelled
            point.customer_backorders -= cancelled
            point.shortage_rate -= requester.backorder_cost_per_unit_day * cancelled
            trace = point.calendar.trace
            if trace is not None:
                note = f"{requester.name}: end of life"
                trace.append((now, point.name, "backorder cancelled", cancelled, 0.0, note))
            if served <= 0.0:
                continue
            entry[1] = served
        kept.append(entry)
    point.backorder_queue.clear()
    point.backorder_queue.extend(kept)
    if not kept:  # no rounding residue: "no backorders" is exactly zero
        point.backorders = point.customer_backorders = point.shortage_rate = 0.0
