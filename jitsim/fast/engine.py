"""The fast engine's day loop: replications in lockstep, one numpy operation per event kind.

The loop follows the SimPy engine's daily convention (docs/daily-convention.md) event by
event — snapshot, warm-up reset, receipts in the order they were scheduled, reviews downstream
first (an order to an upstream stock point is filled and shipped, or backordered, at once),
demand at noon — but each step acts on every replication at once, restricted to the
replications where the event happens (an index array). Nothing is approximated: a receipt, an
order or a demand changes the same counters with the same floating-point operations in the
same order as :class:`~jitsim.model.stock_point.StockPoint` does for that replication.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from jitsim.fast.disruptions import Disruptions
from jitsim.fast.draws import (
    COMPILED_FROM_WORK,
    compiled_streams,
    draw_demand,
    lead_times,
    review_days,
)
from jitsim.fast.forecasts import ForecastArrays
from jitsim.fast.lanes import Capacities, Lane, make_lanes, order_quantities, round_order
from jitsim.fast.scope import KERNEL_SWITCH, kernel_available, kernel_scope, numpy_scope
from jitsim.fast.state import CustomerArrays, PointArrays
from jitsim.model.planning import review_depth
from jitsim.policies.forecast import OracleForecaster
from jitsim.policies.jit import JITPolicy
from jitsim.streams import Streams

if TYPE_CHECKING:
    from jitsim.policies.base import Policy
    from jitsim.scenario.models import Expedite as ExpediteSpec
    from jitsim.scenario.models import Scenario


def use_kernel(resolved: Scenario, work: int = COMPILED_FROM_WORK) -> bool:
    """Whether :meth:`Engine.run` takes the compiled day loop for a block of ``work``
    replication-days of ``resolved`` by default: where the streams are drawn in compiled code
    (:func:`jitsim.fast.draws.compiled_streams`: numba installed, ``JITSIM_COMPILED`` not
    ``0``, numba loaded already or the block large), unless the environment variable
    :data:`~jitsim.fast.scope.KERNEL_SWITCH` is ``0``, and the scenario is in the kernel scope
    (:func:`jitsim.fast.scope.kernel_scope`); a scenario only the compiled loop runs
    (:func:`jitsim.fast.scope.numpy_scope`: disruptions, lead times off the whole days) takes
    it whenever it can."""
    if os.environ.get(KERNEL_SWITCH, "").strip() == "0":
        return False
    if numpy_scope(resolved) is not None:  # only the compiled loop runs it
        return kernel_available() and kernel_scope(resolved) is None
    return compiled_streams(work) and kernel_scope(resolved) is None


class Engine:
    """The fast model of a block of replications of a resolved, in-scope scenario.

    Parameters
    ----------
    resolved : Scenario
        In scope (:func:`jitsim.fast.scope.out_of_scope` is None).
    seed : int
        Master seed.
    replications : range
        Replication indices simulated together.
    policies : dict
        The runtime policy of every stock point: one serves all replications (a JIT policy's
        forecast state is kept here as arrays, :mod:`jitsim.fast.forecasts`).
    """

    def __init__(
        self, resolved: Scenario, seed: int, replications: range, policies: dict[str, Policy]
    ) -> None:
        self.scenario = resolved
        run = resolved.run
        self.horizon = run.horizon_days
        self.warmup = run.warmup_days
        n = self.n = len(replications)
        self.policies = policies
        #: Whether the streams are drawn in compiled code (same numbers, faster).
        self.compiled = compiled_streams(n * self.horizon)
        self.demand = draw_demand(resolved, seed, replications, self.compiled)
        #: The disruptions of the block (None: the scenario has none); their demand surges
        #: change the demand drawn.
        self.disruptions = (
            Disruptions(
                resolved, seed, replications, list(resolved.stock_points), len(resolved.customers)
            )
            if resolved.disruptions
            else None
        )
        if self.disruptions is not None:
            self.disruptions.surge(self.demand, seed, replications)
        self.lead_times = lead_times(resolved, seed, replications, self.compiled)
        self.shipments = {key: np.zeros(n, dtype=np.int64) for key in self.lead_times}
        horizon = self.horizon
        self.customers: dict[str, CustomerArrays] = {}
        self.customer_index: dict[str, int] = {}
        for index, (name, buyer) in enumerate(resolved.customers.items()):
            item = resolved.items[resolved.stock_points[buyer.buys_from].item]
            price = buyer.price if buyer.price is not None else item.price
            self.customers[name] = CustomerArrays(
                n, price, buyer.unmet == "backorder", buyer.backorder_cost_per_unit_day
            )
            self.customer_index[name] = index
        self.customer_list = list(self.customers.values())
        self.backorder_cost = np.array(
            [c.backorder_cost_per_unit_day for c in self.customer_list], dtype=float
        )
        self.points: dict[str, PointArrays] = {}
        self.lanes = make_lanes(resolved)
        self.reviews: dict[str, set[int]] = {}
        points = resolved.stock_points
        for name, spec in points.items():
            item = resolved.items[spec.item]
            buyers = sum(1 for c in resolved.customers.values() if c.buys_from == name)
            buyers += sum(1 for other in points.values() if other.source == name)
            self.points[name] = PointArrays(
                n, spec.initial, item.unit_cost, max(1, buyers * horizon + 1)
            )
            self.reviews[name] = set(
                review_days(horizon, spec.review.every_days, spec.review.offset_days)
            )
        #: Stock points that expedite.
        self.expediting = {name for name, spec in points.items() if spec.expedite is not None}
        #: Every lane's key (a stock point's name for its regular lane), whose index codes
        #: the deliveries over it in :attr:`due`.
        self.lane_keys = list(self.lanes)
        self.lane_index = {key: i for i, key in enumerate(self.lane_keys)}
        #: Units ordered over each lane still waiting for its supplier's capacity.
        self.unshipped = {key: np.zeros(n) for key in self.lanes}
        #: Index of every stock point; a backorder owed to the lane into stock point ``p``
        #: is queued under the requester code ``len(customers) + p``.
        self.point_index = {name: i for i, name in enumerate(self.points)}
        self.point_names = list(self.points)
        #: The forecasts of JIT policies (their state differs by replication).
        self.forecasts = {
            name: ForecastArrays(
                policy.forecaster,
                n,
                self.demand_at(name),
                [Streams(seed, r)(f"{name}.forecast") for r in replications]
                if isinstance(policy.forecaster, OracleForecaster)  # the others draw nothing
                else None,
            )
            for name, policy in policies.items()
            if isinstance(policy, JITPolicy)
        }
        #: Reviews go downstream first (as the SimPy engine's), so a source sees today's
        #: orders of the points it feeds.
        depth = {name: review_depth(resolved, name) for name in points}
        self.review_order = sorted(points, key=lambda name: -depth[name])
        #: Deliveries due on a day, per replication in the order they were scheduled (the
        #: SimPy engine's calendar order): day → (stock point index (−1: none), units), each
        #: of shape (deliveries, replications), and the next free row of every replication.
        #: A row entry below ``len(points)`` is a delivery into that stock point; from
        #: ``len(points)`` on, a shipment into stock point ``entry − len(points)`` that waited
        #: for its supplier's capacity and leaves that day (Lane._ship_waiting).
        self.due: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        #: The suppliers' capacity used so far, per replication.
        self.capacities = Capacities(resolved, n)
        # Network counters (Network, CashTiedUp).
        self.window_start = 0.0
        self.days = np.zeros(n, dtype=np.int64)
        self.days_all_met = np.zeros(n, dtype=np.int64)
        self.peak_cash = np.zeros(n)

    def demand_at(self, name: str) -> np.ndarray | None:
        """The customers' demand per day at stock point ``name`` (replications, days), summed
        in the scenario's order of customers as the builder sums it; None without customers."""
        total: np.ndarray | None = None
        for customer, spec in self.scenario.customers.items():
            if spec.buys_from == name:
                days = self.demand[customer]
                total = days if total is None else total + days
        return total

    # -- the day loop -----------------------------------------------------------------------

    def run(self, kernel: bool | None = None) -> None:
        """Simulate the whole horizon, every replication of the block.

        Parameters
        ----------
        kernel : bool, optional
            True: the compiled day loop (:mod:`jitsim.fast.kernel`; the scenario must be in
            its scope and numba installed); False: the numpy day loop below; None (default):
            the compiled loop where :func:`use_kernel` allows it. Both give the same numbers.
        """
        forced = kernel is not None
        if kernel is None:
            kernel = use_kernel(self.scenario, self.n * self.horizon)
        if kernel:
            reason = kernel_scope(self.scenario)
            if reason is not None:
                raise ValueError(f"the compiled day loop cannot run this scenario: {reason}")
            try:
                from jitsim.fast.kernel import run_kernel  # imports numba: only when used
            except ImportError:  # numba installed but unusable (say, a newer numpy): numpy
                if forced:
                    raise
            else:
                run_kernel(self)
                return
        reason = numpy_scope(self.scenario)
        if reason is not None:
            raise ValueError(f"the numpy day loop cannot run this scenario: {reason}")
        customers_of = [
            (self.customers[name], self.customer_index[name], self.points[spec.buys_from], name)
            for name, spec in self.scenario.customers.items()
        ]
        for day in range(self.horizon + 1):
            now = float(day)
            if day > 0:
                self.end_of_day()
            if day == self.warmup:
                self.reset(now)
            if day == self.horizon:
                break
            self.receipts(day)
            for name in self.review_order:
                if day in self.reviews[name]:
                    self.review(name, day)
            noon = now + 0.5
            for customer, index, point, name in customers_of:
                self.customer_demand(customer, index, point, self.demand[name][:, day], noon)
        for point in self.points.values():
            point.advance(float(self.horizon))

    def end_of_day(self) -> None:
        """Phase 1: the snapshot of the day that ends now (Network._end_of_day)."""
        any_short = np.zeros(self.n, dtype=bool)
        for customer in self.customer_list:
            any_short |= customer.day_short
            customer.days += 1
            customer.stockout_days += customer.day_short
            customer.day_short[:] = False
        self.days += 1
        self.days_all_met += ~any_short
        for name, point in self.points.items():
            point.days += 1
            point.eod_on_hand += point.on_hand
            point.eod_on_order += point.on_order
            point.eod_backorders += point.backorders
            point.eod_customer_backorders += point.customer_backorders
            point.eod_shortage_cost += point.shortage_rate
            point.eod_cash += point.cash()
            point.stockout_days += point.day_short
            forecast = self.forecasts.get(name)
            if forecast is not None:  # policy.observe_day
                forecast.observe(point.day_demand)
            point.day_demand[:] = 0.0
            point.day_short[:] = False
            point.week_days_left -= 1
            if not point.week_days_left:  # a week ends (WeeklyVariances.close)
                point.week_days_left = 7
                expedited = point.expedited_units if name in self.expediting else 0.0
                ordered = point.ordered_units + expedited
                week_ordered = ordered - point.ordered_mark
                week_demand = point.demand_units - point.demand_mark
                point.ordered_mark[:] = ordered
                point.demand_mark[:] = point.demand_units
                point.weeks += 1
                weeks = point.weeks
                delta = week_ordered - point.order_mean
                point.order_mean += delta / weeks
                point.order_m2 += delta * (week_ordered - point.order_mean)
                delta = week_demand - point.demand_mean
                point.demand_mean += delta / weeks
                point.demand_m2 += delta * (week_demand - point.demand_mean)

    def reset(self, now: float) -> None:
        """End of warm-up: forget every statistic, keep the state (Network._reset)."""
        self.window_start = now
        self.days[:] = 0
        self.days_all_met[:] = 0
        for point in self.points.values():
            point.reset_statistics(now)
        for customer in self.customer_list:
            customer.reset_statistics()
        self.peak_cash[:] = 0.0
        self.note_network_cash(None)

    def note_network_cash(self, at: np.ndarray | None) -> None:
        """Raise the network's peak cash tied up where the sum over stock points is higher
        (CashTiedUp.note: summed in the scenario's order of stock points)."""
        index = slice(None) if at is None else at
        total: np.ndarray | float = 0
        for point in self.points.values():
            total = total + point.cash(index)
        peak = self.peak_cash[index]
        self.peak_cash[index] = np.where(total > peak, total, peak)

    def note_cash(self, point: PointArrays, at: np.ndarray) -> None:
        """StockPoint._note_cash at replications ``at``."""
        cash = point.cash(at)
        peak = point.peak_cash[at]
        point.peak_cash[at] = np.where(cash > peak, cash, peak)
        self.note_network_cash(at)

    def receipts(self, day: int) -> None:
        """Phase 2: deliveries due today, in each replication in the order they were
        scheduled (row by row of the day's deliveries)."""
        due = self.due.pop(day, None)
        if due is None:
            return
        now = float(day)
        where, units, _ = due
        waiting = len(self.lane_keys)
        for row in range(where.shape[0]):
            entries = where[row]
            for index, key in enumerate(self.lane_keys):
                arriving = np.nonzero(entries == index)[0]
                if len(arriving):
                    self.receive(key, arriving, units[row, arriving], now)
                leaving = np.nonzero(entries == waiting + index)[0]
                if len(leaving):  # Lane._ship_waiting
                    self.unshipped[key][leaving] -= units[row, leaving]
                    self.ship(key, leaving, units[row, leaving], now)

    def schedule(
        self,
        name: str,
        at: np.ndarray,
        units: np.ndarray,
        days: np.ndarray,
        waiting: bool = False,
    ) -> None:
        """Deliveries of ``units`` into stock point ``name`` due on ``days`` (one each for
        replications ``at``), after those already scheduled for the same day; with
        ``waiting``, shipments that leave the supplier then instead."""
        index = self.lane_index[name] + (len(self.lane_keys) if waiting else 0)
        for day in np.unique(days).tolist():
            mine = days == day
            reps = at[mine]
            entry = self.due.get(day)
            if entry is None:
                entry = self.due[day] = (
                    np.full((1, self.n), -1, dtype=np.int64),
                    np.zeros((1, self.n)),
                    np.zeros(self.n, dtype=np.int64),
                )
            where, units_due, rows = entry
            row = rows[reps]
            needed = int(row.max()) + 1
            if needed > where.shape[0]:  # one more delivery due that day somewhere
                extra = needed - where.shape[0]
                where = np.concatenate([where, np.full((extra, self.n), -1, dtype=np.int64)])
                units_due = np.concatenate([units_due, np.zeros((extra, self.n))])
                self.due[day] = (where, units_due, rows)
            where[row, reps] = index
            units_due[row, reps] = units[mine]
            rows[reps] = row + 1

    def ship(self, key: str, at: np.ndarray, units: np.ndarray, now: float) -> None:
        """``units`` leave for stock point ``name`` now over its lane (Lane.ship): the next
        lead time of the lane's stream, the title if ours in transit, then the delivery —
        received at once when due now (Calendar.deliver)."""
        point = self.points[self.lanes[key].into]
        leads = self.lead_times[key]
        shipment = self.shipments[key][at]
        leads.ensure(int(shipment.max()))
        lead = leads.values[at, shipment]
        self.shipments[key][at] = shipment + 1
        if self.lanes[key].owned_in_transit:  # take_title
            point.advance(now, at)
            point.owned_transit[at] += units
            self.note_cash(point, at)
        due = now + lead
        at_once = due <= now
        if at_once.any():
            self.receive(key, at[at_once], units[at_once], now)
        later = ~at_once
        if later.any():
            self.schedule(key, at[later], units[later], due[later].astype(np.int64))

    def request(self, name: str, at: np.ndarray, units: np.ndarray, buyer: str, now: float) -> None:
        """Stock point ``buyer`` orders ``units`` from stock point ``name`` over its lane
        (StockPoint.request): filled from stock and shipped, the rest backordered."""
        point = self.points[name]
        point.advance(now, at)
        point.day_demand[at] += units
        point.demand_units[at] += units
        point.demand_orders[at] += 1
        on_hand = point.on_hand[at]
        filled = np.where(units <= on_hand, units, on_hand)
        shipping = filled > 0.0
        if shipping.any():
            going = at[shipping]
            sent = filled[shipping]
            point.on_hand[going] = on_hand[shipping] - sent
            point.filled_on_arrival[going] += sent
            point.shipped_units[going] += sent
            self.ship(buyer, going, sent, now)
        short = units - filled
        is_short = short > 0.0
        point.orders_complete[at[~is_short]] += 1
        if is_short.any():
            shorted = at[is_short]
            missing = short[is_short]
            point.day_short[shorted] = True
            point.backordered_units[shorted] += missing
            point.backorders[shorted] += missing
            tail = point.queue_tail[shorted]
            point.queue_units[shorted, tail] = missing
            point.queue_customer[shorted, tail] = len(self.customer_list) + self.point_index[buyer]
            point.queue_tail[shorted] = tail + 1

    def receive(self, key: str, at: np.ndarray, units: np.ndarray, now: float) -> None:
        """StockPoint.receive of ``units`` over lane ``key`` at replications ``at``."""
        lane = self.lanes[key]
        point = self.points[lane.into]
        if lane.is_backup:  # Lane.count_from_backup
            point.units_from_backup[at] += units
        point.advance(now, at)
        point.on_order[at] -= units
        if lane.owned_in_transit:
            point.owned_transit[at] -= units
        point.on_hand[at] += units
        waiting = at[point.queue_head[at] < point.queue_tail[at]]
        if len(waiting):
            self.serve_backorders(point, waiting, now)
        self.note_cash(point, at)

    def serve_backorders(self, point: PointArrays, at: np.ndarray, now: float) -> None:
        """FIFO service of the waiting backorders (StockPoint._serve_backorders)."""
        active = at
        while True:
            active = active[
                (point.queue_head[active] < point.queue_tail[active])
                & (point.on_hand[active] > 0.0)
            ]
            if not len(active):
                break
            head = point.queue_head[active]
            owed = point.queue_units[active, head]
            on_hand = point.on_hand[active]
            served = np.where(owed <= on_hand, owed, on_hand)
            point.on_hand[active] = on_hand - served
            point.backorders[active] -= served
            point.shipped_units[active] += served
            who = point.queue_customer[active, head]
            customers = len(self.customer_list)
            to_customer = who < customers
            if to_customer.any():
                reps = active[to_customer]
                amount = served[to_customer]
                point.customer_backorders[reps] -= amount
                cost = self.backorder_cost[who[to_customer]]
                point.shortage_rate[reps] -= cost * amount
            for index, customer in enumerate(self.customer_list):
                mine = who == index
                if mine.any():
                    reps = active[mine]
                    customer.late_units[reps] += served[mine]
                    customer.revenue[reps] += customer.price * served[mine] - 0.0
            for index, name in enumerate(self.point_names):  # owed to a downstream lane
                mine = who == customers + index
                if mine.any():
                    self.ship(name, active[mine], served[mine], now)
            partly = served < owed
            point.queue_units[active[partly], head[partly]] = owed[partly] - served[partly]
            point.queue_head[active[~partly]] += 1
        emptied = at[point.queue_head[at] == point.queue_tail[at]]
        point.backorders[emptied] = 0.0
        point.customer_backorders[emptied] = 0.0
        point.shortage_rate[emptied] = 0.0

    def review(self, name: str, day: int) -> None:
        """Phase 3: the periodic review of stock point ``name`` (StockPoint.review): the
        policy's order, then the expediting check."""
        point = self.points[name]
        now = float(day)
        position = point.on_hand + point.on_order - point.backorders
        wanted_all = order_quantities(self.policies[name], position, now, self.forecasts.get(name))
        at = np.nonzero(wanted_all > 1e-9)[0]
        if len(at):
            self.place_order(name, at, wanted_all[at], day)
        rule = self.scenario.stock_points[name].expedite
        if rule is not None:
            self.expedite(name, rule, day)

    def place_order(self, name: str, at: np.ndarray, wanted: np.ndarray, day: int) -> None:
        """Send the orders for ``wanted`` units over the regular lane, the backup lane or
        both (StockPoint.place_order, Backup.place_order)."""
        backup = self.scenario.stock_points[name].backup
        if backup is None:
            self.order_over(name, at, wanted, day)
            return
        key = f"{name}.backup"
        share = backup.share
        if share is None:  # failover: all to the primary, unless it cannot deliver in time
            primary, second = self.lanes[name], self.lanes[key]
            can = self.can_deliver(primary, round_order(primary, wanted), at, day)
            over_backup = ~can & self.backup_is_sooner(primary, second, wanted, at, day)
            self.order_over(name, at[~over_backup], wanted[~over_backup], day)
            self.order_over(key, at[over_backup], wanted[over_backup], day)
            self.points[name].orders_to_backup[at[over_backup]] += 1
            return
        to_backup = np.floor(share * wanted + 0.5)  # whole units, halves up
        to_primary = wanted - to_backup
        to_first = to_primary > 1e-9
        self.order_over(name, at[to_first], to_primary[to_first], day)
        backing = to_backup > 0
        self.order_over(key, at[backing], to_backup[backing], day)
        self.points[name].orders_to_backup[at[backing]] += 1

    def order_over(self, key: str, at: np.ndarray, wanted: np.ndarray, day: int) -> None:
        """Orders for ``wanted`` units over lane ``key``, rounded to its terms, and their
        counters (StockPoint.order_over)."""
        if not len(at):
            return
        lane = self.lanes[key]
        point = self.points[lane.into]
        quantity = round_order(lane, wanted)
        self.send_order(key, at, quantity, day)
        rounded = quantity > wanted + 1e-9
        point.rounded_orders[at[rounded]] += 1
        point.rounding_units[at[rounded]] += quantity[rounded] - wanted[rounded]
        point.orders_placed[at] += 1
        point.ordered_units[at] += quantity
        point.ordering_cost[at] += lane.order_cost

    def can_deliver(self, lane: Lane, quantity: np.ndarray, at: np.ndarray, day: int) -> np.ndarray:
        """Whether lane's source can deliver ``quantity`` ordered now in time (Lane.can_deliver:
        a stock point from stock with nobody waiting, a supplier within the lane's delay)."""
        if lane.upstream is not None:
            source = self.points[lane.upstream]
            idle = source.queue_head[at] == source.queue_tail[at]
            return idle & (source.on_hand[at] >= quantity - 1e-9)
        assert lane.supplier is not None
        shipped = self.capacities.ship_time(lane.supplier, quantity, at, day, commit=False)
        return shipped <= float(day) + lane.max_delay + 1e-9

    def backup_is_sooner(
        self, primary: Lane, backup: Lane, wanted: np.ndarray, at: np.ndarray, day: int
    ) -> np.ndarray:
        """sourcing._backup_is_sooner in every replication."""
        backup_quantity = round_order(backup, wanted)
        sooner = self.can_deliver(backup, backup_quantity, at, day)
        if primary.supplier is None or backup.supplier is None:
            return np.ones(len(at), dtype=bool)
        primary_quantity = round_order(primary, wanted)
        by_backup = self.capacities.ship_time(
            backup.supplier, backup_quantity, at, day, commit=False
        )
        by_primary = self.capacities.ship_time(
            primary.supplier, primary_quantity, at, day, commit=False
        )
        backup_mean = self.lead_times[f"{primary.into}.backup"].mean
        primary_mean = self.lead_times[primary.into].mean
        return sooner | (by_backup + backup_mean < by_primary + primary_mean)

    def expedite(self, name: str, rule: ExpediteSpec, day: int) -> None:
        """Emergency orders where the inventory position is below the emergency level
        (Expedite.review)."""
        point = self.points[name]
        position = point.on_hand + point.on_order - point.backorders
        if rule.position == "shipped":  # orders still waiting at the supplier left out
            position = position - self.unshipped[name]
            backup = self.unshipped.get(f"{name}.backup")
            if backup is not None:
                position = position - backup
        at = np.nonzero(~(position > rule.level - 1e-9))[0]
        if not len(at):
            return
        key = f"{name}.expedite"
        quantity = round_order(self.lanes[key], rule.order_up_to - position[at])
        self.send_order(key, at, quantity, day)
        point.expedited_orders[at] += 1
        point.expedited_units[at] += quantity
        point.expedite_cost[at] += rule.order_cost + rule.premium_per_unit * quantity

    def send_order(self, key: str, at: np.ndarray, quantity: np.ndarray, day: int) -> None:
        """Put ``quantity`` on order over lane ``key`` (StockPoint.send_order): the purchase,
        the pipeline, then the source — a supplier ships now or when its capacity allows, a
        stock point fills or backorders the request."""
        lane = self.lanes[key]
        point = self.points[lane.into]
        now = float(day)
        point.purchase_cost[at] += lane.unit_price * quantity
        if lane.upstream is None:
            point.bought_units[at] += quantity
        point.advance(now, at)
        point.on_order[at] += quantity
        if lane.supplier is None:
            assert lane.upstream is not None
            self.request(lane.upstream, at, quantity, lane.into, now)
            return
        ship_at = self.capacities.ship_time(lane.supplier, quantity, at, day)
        now_or_never = ship_at <= now
        if now_or_never.all():
            self.ship(key, at, quantity, now)
            return
        if now_or_never.any():
            self.ship(key, at[now_or_never], quantity[now_or_never], now)
        later = ~now_or_never
        self.unshipped[key][at[later]] += quantity[later]
        self.schedule(key, at[later], quantity[later], ship_at[later].astype(np.int64), True)

    def customer_demand(
        self,
        customer: CustomerArrays,
        index: int,
        point: PointArrays,
        quantities: np.ndarray,
        now: float,
    ) -> None:
        """Phase 4: a customer's order of the day at noon (StockPoint.demand, Customer.record)."""
        positive = quantities > 0.0
        count = int(np.count_nonzero(positive))
        if not count:
            return
        # Where every replication has demand (the common case), basic slicing is much
        # cheaper than gathering and scattering through an index array: same values.
        at: slice | np.ndarray = slice(None) if count == self.n else np.nonzero(positive)[0]
        quantity = quantities[at]
        point.advance(now, None if isinstance(at, slice) else at)
        point.day_demand[at] += quantity
        point.demand_units[at] += quantity
        point.demand_orders[at] += 1
        on_hand = point.on_hand[at]
        filled = np.where(quantity <= on_hand, quantity, on_hand)
        point.on_hand[at] = on_hand - filled
        point.filled_on_arrival[at] += filled
        point.shipped_units[at] += filled
        short = quantity - filled
        is_short = short > 0.0
        whole = _subset(at, ~is_short)
        point.orders_complete[whole] += 1
        customer.demand_units[at] += quantity
        customer.demand_orders[at] += 1
        customer.filled_on_arrival[at] += filled
        customer.revenue[at] += customer.price * filled - 0.0
        customer.orders_complete[whole] += 1
        if not is_short.any():
            return
        shorted = _subset(at, is_short)
        missing = short[is_short]
        point.day_short[shorted] = True
        customer.day_short[shorted] = True
        if customer.backorders:
            point.backordered_units[shorted] += missing
            point.backorders[shorted] += missing
            point.customer_backorders[shorted] += missing
            point.shortage_rate[shorted] += customer.backorder_cost_per_unit_day * missing
            tail = point.queue_tail[shorted]
            point.queue_units[shorted, tail] = missing
            point.queue_customer[shorted, tail] = index
            point.queue_tail[shorted] = tail + 1
            customer.backordered_units[shorted] += missing
        else:
            point.lost_units[shorted] += missing
            customer.lost_units[shorted] += missing


def _subset(at: slice | np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The replications of ``at`` (every one, or an index array) where ``mask`` holds."""
    return np.nonzero(mask)[0] if isinstance(at, slice) else at[mask]
