"""The stock point: on-hand stock, FIFO backorders, a pipeline and a replenishment policy.

Levels are integrated over time as they change (time-weighted averages), counters are updated
per event, and both are reset at the end of warm-up. The class is on the simulation's hot path:
it uses ``__slots__`` and plain floats.

Weekly totals for the bullwhip ratio are closed every seventh end-of-day snapshot after the
warm-up, and their variances are updated incrementally (Welford, :class:`WeeklyVariances`), so
no series is stored. A stock point's optional parts keep their own state: its backup lane
(:class:`~jitsim.model.sourcing.Backup`), its expediting
(:class:`~jitsim.model.expedite.Expedite`), its warehouse space
(:class:`~jitsim.model.space.Space`), the end of life of its item
(:class:`~jitsim.model.end_of_life.PointEndOfLife`: no orders from its stop, write-offs) and,
for a perishable item, the batches of its on-hand stock (:class:`~jitsim.model.shelf.Shelf`).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from jitsim.model.customer import Customer
from jitsim.model.shelf import serve_backorders
from jitsim.policies.base import StatelessPolicy

if TYPE_CHECKING:
    from jitsim.model.calendar import Calendar
    from jitsim.model.cash import CashTiedUp
    from jitsim.model.end_of_life import PointEndOfLife
    from jitsim.model.expedite import Expedite
    from jitsim.model.lane import Lane
    from jitsim.model.shelf import Batch, Shelf
    from jitsim.model.sourcing import Backup
    from jitsim.model.space import Space
    from jitsim.policies.base import Policy


class Receiver(Protocol):
    """Whoever orders from a stock point other than a customer: a downstream lane, or a plant
    drawing materials. Units filled now or from backorders later go to :meth:`ship`."""

    @property
    def owner(self) -> Any:
        """The node the units go to (its ``name`` appears in the trace)."""
        ...

    def ship(self, quantity: float, now: float, batches: list[Batch] | None = None) -> None:
        """``quantity`` units leave the stock point for the receiver now (perishable: as
        ``batches``, see :mod:`jitsim.model.shelf`)."""
        ...


class StockPoint:
    """A stock point of one item.

    Parameters
    ----------
    calendar : Calendar
        Clock, event log and receipt scheduling.
    cash_tied_up : CashTiedUp
        The network's cash tied up, told after every change that can raise it.
    name : str
        Node name (prefix of its KPIs).
    unit_cost : float
        Value of one unit :math:`c` (currency/unit).
    holding_per_unit_day : float
        Holding cost :math:`h` (currency/unit/day).
    initial : float
        On-hand stock at time 0 (units).
    review_period : float
        Review period :math:`R` in days, 0 for continuous review.
    review_offset : int
        First review day (periodic review).
    policy : Policy
        The replenishment policy.
    trajectory : bool
        Keep the end-of-day series (:attr:`trajectory`).
    shelf : Shelf or None
        The batches of a perishable item's on-hand stock (None: the item does not perish).

    Notes
    -----
    The inbound lanes are given by :meth:`connect`. With a :attr:`backup`, orders are split
    over the two lanes by :meth:`Backup.place_order <jitsim.model.sourcing.Backup.place_order>`;
    with :attr:`expedite` set, every :meth:`review` ends with the emergency-order check of
    :mod:`jitsim.model.expedite`.
    """

    __slots__ = (
        "area_backorders",
        "area_cash",
        "area_customer_backorders",
        "area_on_hand",
        "area_on_order",
        "area_ready",
        "area_shortage_cost",
        "backorder_queue",
        "backordered_units",
        "backorders",
        "backup",
        "bought_units",
        "calendar",
        "cash_tied_up",
        "continuous",
        "customer_backorders",
        "day_demand",
        "day_short",
        "days",
        "demand_orders",
        "demand_units",
        "end_of_life",
        "eod_backorders",
        "eod_cash",
        "eod_customer_backorders",
        "eod_on_hand",
        "eod_on_order",
        "eod_shortage_cost",
        "expedite",
        "filled_on_arrival",
        "holding_per_unit_day",
        "inspection_cost",
        "lane",
        "last_time",
        "lost_units",
        "name",
        "observes",
        "on_hand",
        "on_order",
        "ordered_units",
        "ordering_cost",
        "orders_complete",
        "orders_placed",
        "owned_transit",
        "peak_cash",
        "policy",
        "purchase_cost",
        "review_offset",
        "review_period",
        "rounded_orders",
        "rounding_units",
        "shelf",
        "shipped_units",
        "shortage_rate",
        "space",
        "stockout_days",
        "trajectory",
        "unit_cost",
        "units_inspected",
        "units_rejected",
        "weekly",
        "window_start",
    )

    def __init__(
        self,
        calendar: Calendar,
        cash_tied_up: CashTiedUp,
        name: str,
        *,
        unit_cost: float,
        holding_per_unit_day: float,
        initial: float,
        review_period: float,
        review_offset: int,
        policy: Policy,
        trajectory: bool = False,
        shelf: Shelf | None = None,
    ) -> None:
        self.calendar = calendar
        self.cash_tied_up = cash_tied_up
        self.name = name
        #: Value of one unit (currency/unit) and its holding cost (currency/unit/day).
        self.unit_cost = unit_cost
        self.holding_per_unit_day = holding_per_unit_day
        #: Days between reviews (0: continuous review) and the first review day.
        self.review_period = review_period
        self.review_offset = review_offset
        self.continuous = review_period == 0
        self.policy = policy
        #: False when the policy ignores end-of-day observations (a stateless policy that
        #: keeps :class:`StatelessPolicy`'s no-op): the daily call is then skipped.
        self.observes = type(policy).observe_day is not StatelessPolicy.observe_day
        #: The inbound lanes: see :meth:`connect`.
        self.lane: Lane = None  # type: ignore[assignment]
        self.backup: Backup | None = None
        self.expedite: Expedite | None = None
        #: Warehouse space (:mod:`jitsim.model.space`), None without a capacity.
        self.space: Space | None = None
        #: The end of life of the item (set by the builder when it comes within the run).
        self.end_of_life: PointEndOfLife | None = None
        self.on_hand = float(initial)
        self.on_order = 0.0
        self.owned_transit = 0.0
        self.backorders = 0.0
        self.customer_backorders = 0.0
        #: FIFO queue of [requester, units]; requester is a Customer or a Receiver.
        self.backorder_queue: deque[list[Any]] = deque()
        #: Σ over backordered customers of (cost per unit-day × units): shortage cost rate.
        self.shortage_rate = 0.0
        self.trajectory: list[tuple[float, ...]] | None = [] if trajectory else None
        self.last_time = 0.0
        self.shelf = shelf
        if shelf is not None and initial > 0.0:
            shelf.put(shelf.stamp(float(initial), 0.0), 0.0)  # the initial stock arrives at 0
        self.reset_statistics(0.0)

    def connect(
        self, lane: Lane, backup: Backup | None = None, expedite: Expedite | None = None
    ) -> None:
        """Give the stock point its inbound lanes, once: its regular lane, its backup (dual
        sourcing) and its expediting, each None when not configured.

        A lane names the stock point it delivers to, so lanes are made after it and
        connected here.
        """
        self.lane = lane
        self.backup = backup
        self.expedite = expedite

    # -- statistics -------------------------------------------------------------------------

    def reset_statistics(self, now: float) -> None:
        """Forget everything measured so far (end of warm-up)."""
        self.advance(now)
        self.window_start = now
        self.area_on_hand = self.area_on_order = self.area_backorders = 0.0
        self.area_customer_backorders = self.area_ready = self.area_cash = 0.0
        self.area_shortage_cost = 0.0
        self.demand_units = self.filled_on_arrival = self.shipped_units = self.lost_units = 0.0
        self.backordered_units = 0.0
        self.demand_orders = self.orders_complete = 0
        self.orders_placed = self.rounded_orders = 0
        self.ordered_units = self.rounding_units = self.ordering_cost = self.purchase_cost = 0.0
        self.bought_units = 0.0
        self.days = self.stockout_days = 0
        self.eod_on_hand = self.eod_on_order = self.eod_backorders = 0.0
        self.eod_customer_backorders = self.eod_cash = self.eod_shortage_cost = 0.0
        self.peak_cash = self.cash()
        self.day_demand = 0.0
        self.day_short = False
        self.units_inspected = self.units_rejected = self.inspection_cost = 0.0
        self.weekly = WeeklyVariances()  # bullwhip: weeks from here on, every 7 self.days
        if self.backup is not None:
            self.backup.reset_statistics()
        if self.expedite is not None:
            self.expedite.reset_statistics()
        if self.space is not None:
            self.space.reset_statistics(self.on_hand)
        if self.end_of_life is not None:
            self.end_of_life.reset_statistics()
        if self.shelf is not None:
            self.shelf.reset_statistics()

    @property
    def orders_to_backup(self) -> int:
        """Orders sent over the backup lane (0 without one)."""
        return self.backup.orders if self.backup is not None else 0

    @property
    def units_from_backup(self) -> float:
        """Good units received over the backup lane (0 without one)."""
        return self.backup.units_received if self.backup is not None else 0.0

    def cash(self) -> float:
        """Value tied up here now: on-hand plus owned in-transit stock at unit cost."""
        return (self.on_hand + self.owned_transit) * self.unit_cost

    def advance(self, now: float) -> None:
        """Integrate the levels from the last change up to ``now``."""
        elapsed = now - self.last_time
        if elapsed > 0.0:
            on_hand = self.on_hand
            self.area_on_hand += on_hand * elapsed
            self.area_on_order += self.on_order * elapsed
            self.area_cash += (on_hand + self.owned_transit) * self.unit_cost * elapsed
            if on_hand > 0.0:
                self.area_ready += elapsed
            # Most of the time nothing is backordered, and area + 0.0 * elapsed is area, bit
            # for bit: skip the three sums then (this runs at every event).
            if self.backorders:
                self.area_backorders += self.backorders * elapsed
            if self.customer_backorders:
                self.area_customer_backorders += self.customer_backorders * elapsed
            if self.shortage_rate:
                self.area_shortage_cost += self.shortage_rate * elapsed
            self.last_time = now

    def end_of_day(self, now: float) -> None:
        """Snapshot of the day that ends at ``now`` (phase 1 of the daily order)."""
        on_hand = self.on_hand  # locals: this runs every day at every stock point
        days = self.days + 1
        self.days = days
        self.eod_on_hand += on_hand
        self.eod_on_order += self.on_order
        if self.backorders:  # as in advance(): a sum + 0.0 is the sum, so skip it then
            self.eod_backorders += self.backorders
        if self.customer_backorders:
            self.eod_customer_backorders += self.customer_backorders
        if self.shortage_rate:
            self.eod_shortage_cost += self.shortage_rate
        cash = (on_hand + self.owned_transit) * self.unit_cost  # self.cash(), inlined
        self.eod_cash += cash
        if self.day_short:
            self.stockout_days += 1
            self.day_short = False
        if self.space is not None:
            self.space.end_of_day(self.on_hand, now)
        if self.trajectory is not None:
            self.trajectory.append((now - 1.0, self.on_hand, self.backorders, self.on_order, cash))
        if self.observes:  # day_demand is counted only for a policy that observes it
            self.policy.observe_day(self.day_demand)
            self.day_demand = 0.0
        if not days % 7:  # a week ends: all units ordered upstream, emergency orders included
            expedite = self.expedite
            ordered = self.ordered_units + (expedite.units if expedite is not None else 0.0)
            self.weekly.close(ordered, self.demand_units)

    # -- inventory position and ordering ---------------------------------------------------

    @property
    def position(self) -> float:
        """Inventory position IP = on-hand + on-order − backorders (units)."""
        return self.on_hand + self.on_order - self.backorders

    def review(self, now: float) -> None:
        """Ask the policy for an order and place it (phase 3, or after each change); then
        expedite if the inventory position is still below the emergency level. Nothing is
        ordered once the item's end of life has stopped ordering."""
        if self.end_of_life is not None and now >= self.end_of_life.stop_at:
            return
        position = self.on_hand + self.on_order - self.backorders
        wanted = self.policy.order_quantity(position, now)
        if wanted > 1e-9:
            self.place_order(wanted, position, now)
        if self.expedite is not None:
            self.expedite.review(self, now)

    def place_order(self, wanted: float, position: float, now: float) -> None:
        """Send an order for ``wanted`` units upstream, split over the lanes if dual-sourced."""
        backup = self.backup
        if backup is None:
            self.order_over(self.lane, wanted, position, now)
        else:
            backup.place_order(self, wanted, position, now)

    def order_over(self, lane: Lane, wanted: float, position: float, now: float) -> bool:
        """Apply ``lane``'s MOQ and lot multiple to ``wanted`` units and send the order over
        it; False if the source refuses it."""
        quantity = lane.round_order(wanted) if lane.rounds else wanted
        if not self.send_order(lane, quantity, position, now, "order"):
            return False
        if quantity > wanted + 1e-9:
            self.rounded_orders += 1
            self.rounding_units += quantity - wanted
        self.orders_placed += 1
        self.ordered_units += quantity
        self.ordering_cost += lane.order_cost
        ledger = self.calendar.ledger
        if ledger is not None:  # a cash ledger: the order cost is paid when the order is placed
            ledger.pay(now, lane.order_cost, "ordering")
        return True

    def send_order(
        self, lane: Lane, quantity: float, position: float, now: float, kind: str
    ) -> bool:
        """Put ``quantity`` units on order over ``lane`` (a regular ``"order"`` or an
        ``"expedite"``), paying the purchase price; False if the source refuses it.

        The caller books what is particular to the kind (order counts and costs).
        """
        trace = self.calendar.trace
        if lane.disruption is not None and lane.disruption.refuses(now):
            if trace is not None:
                note = f"{'expedite ' if kind == 'expedite' else ''}by {lane.source_name}"
                trace.append((now, self.name, "refused", quantity, position, note))
            return False  # the source is down and refuses orders: nothing goes on order
        self.purchase_cost += lane.unit_price * quantity
        if lane.supplier is not None:
            self.bought_units += quantity
        self.advance(now)  # close the on-order area at the old level first
        self.on_order += quantity
        if trace is not None:
            trace.append((now, self.name, kind, quantity, position, f"to {lane.source_name}"))
        lane.send(quantity, now)
        return True

    # -- flows ------------------------------------------------------------------------------

    def demand(self, quantity: float, customer: Customer, now: float) -> float:
        """A customer order of ``quantity`` units arrives; returns the units filled now."""
        if quantity <= 0.0:
            return 0.0
        elapsed = now - self.last_time
        if elapsed > 0.0:  # self.advance(now), inlined: it runs every day (keep the two equal)
            on_hand = self.on_hand
            self.area_on_hand += on_hand * elapsed
            self.area_on_order += self.on_order * elapsed
            self.area_cash += (on_hand + self.owned_transit) * self.unit_cost * elapsed
            if on_hand > 0.0:
                self.area_ready += elapsed
            if self.backorders:
                self.area_backorders += self.backorders * elapsed
            if self.customer_backorders:
                self.area_customer_backorders += self.customer_backorders * elapsed
            if self.shortage_rate:
                self.area_shortage_cost += self.shortage_rate * elapsed
            self.last_time = now
        if self.observes:  # the day's demand is for the policy alone: skip the sum if unused
            self.day_demand += quantity
        self.demand_units += quantity
        self.demand_orders += 1
        shelf = self.shelf
        on_hand = self.on_hand
        if shelf is None:
            filled = quantity if quantity <= on_hand else on_hand
        else:  # perishable: only usable units, taken from the shelf
            filled = shelf.sell(quantity, customer, on_hand, now)
        self.on_hand = on_hand - filled
        self.filled_on_arrival += filled
        self.shipped_units += filled
        short = quantity - filled
        if short > 0.0:
            self.day_short = True
            if customer.backorders:
                self.backordered_units += short
                self.backorders += short
                self.customer_backorders += short
                self.shortage_rate += customer.backorder_cost_per_unit_day * short
                self.backorder_queue.append([customer, short])
            else:
                self.lost_units += short
        else:
            self.orders_complete += 1
        if customer.plain_record:  # Customer.record, inlined: it runs every day (keep equal)
            customer.demand_units += quantity
            customer.demand_orders += 1
            customer.filled_on_arrival += filled
            amount = customer.price * filled
            if customer.markdown_due:
                amount -= customer.markdown_due
                customer.markdown_due = 0.0
            customer.revenue += amount
            if customer.account is not None:
                customer.account.invoice(amount, now)
            if short > 0.0:
                customer.day_short = True
                if customer.backorders:
                    customer.backordered_units += short
                else:
                    customer.lost_units += short
            else:
                customer.orders_complete += 1
        else:
            customer.record(quantity, filled, short, now)
        trace = self.calendar.trace
        if trace is not None:
            trace.append((now, self.name, "demand", quantity, self.on_hand, customer.name))
            if short > 0.0:
                fate = "backordered" if customer.backorders else "lost"
                trace.append((now, self.name, "stockout", short, self.on_hand, fate))
        if self.continuous:
            self.review(now)
        return filled

    def request(self, quantity: float, lane: Receiver, now: float) -> None:
        """A downstream stock point (over its lane) or a plant orders ``quantity`` units."""
        self.advance(now)
        if self.observes:
            self.day_demand += quantity
        self.demand_units += quantity
        self.demand_orders += 1
        shelf = self.shelf
        on_hand = self.on_hand if shelf is None else shelf.usable(self.on_hand, now, 0.0)
        filled = quantity if quantity <= on_hand else on_hand
        if filled > 0.0:
            self.on_hand -= filled
            self.filled_on_arrival += filled
            self.shipped_units += filled
            if shelf is None:
                lane.ship(filled, now)
            else:  # the units travel with their expiry
                lane.ship(filled, now, shelf.take(filled, now, 0.0))
        short = quantity - filled
        if short > 0.0:
            self.day_short = True
            self.backordered_units += short
            self.backorders += short
            self.backorder_queue.append([lane, short])
        else:
            self.orders_complete += 1
        trace = self.calendar.trace
        if trace is not None:
            trace.append((now, self.name, "demand", quantity, self.on_hand, lane.owner.name))
        if self.continuous:
            self.review(now)

    def receive(
        self, quantity: float, owned: bool, now: float, batches: list[Batch] | None = None
    ) -> None:
        """A replenishment of ``quantity`` units arrives and is put away (perishable: the
        ``batches`` it came in from a stock point or plant, else stamped now; with a
        :attr:`space`, only what it admits: the rest stays on order)."""
        if self.space is not None:
            quantity, batches = self.space.admit(self, quantity, owned, now, batches)
            if quantity <= 0.0:
                return
        self.advance(now)
        self.on_order -= quantity
        if owned:
            self.owned_transit -= quantity
        self.on_hand += quantity
        trace = self.calendar.trace
        if trace is not None:
            trace.append((now, self.name, "receipt", quantity, self.on_hand, ""))
        shelf = self.shelf
        if shelf is not None:
            arrived = batches if batches is not None else shelf.stamp(quantity, now)
            if shelf.put(arrived, now):  # expired on the way: out at once
                shelf.expire(self, now)
        if self.backorder_queue:
            self._serve_backorders(now)
        if self.end_of_life is not None:  # after its end of life, what is left is written off
            self.end_of_life.received(self, now)
        self._note_cash()

    def take_title(self, quantity: float, now: float) -> None:
        """``quantity`` units shipped to this stock point are ours from now (in transit)."""
        self.advance(now)
        self.owned_transit += quantity
        self._note_cash()  # owned stock in transit is cash tied up from now

    def _note_cash(self) -> None:
        """The cash tied up may have risen: update the peaks here and in the network."""
        cash = (self.on_hand + self.owned_transit) * self.unit_cost  # self.cash(), inlined
        if cash > self.peak_cash:
            self.peak_cash = cash
        self.cash_tied_up.note(cash)

    def lose_stock(self, fraction: float, now: float) -> float:
        """A stock loss: ``fraction`` of the on-hand stock is destroyed; returns the units."""
        self.advance(now)
        lost = self.on_hand * fraction
        self.on_hand -= lost
        if self.shelf is not None:
            self.shelf.scale(1.0 - fraction)  # every batch loses the same share
        if self.calendar.trace is not None:
            self.calendar.trace.append((now, self.name, "destroyed", lost, self.on_hand, ""))
        self.cash_tied_up.note()
        if self.continuous:
            self.review(now)
        return lost

    def reject(
        self,
        quantity: float,
        delivered: float,
        owned: bool,
        replace: bool,
        unit_price: float,
        now: float,
    ) -> None:
        """``quantity`` units of a delivery of ``delivered`` units fail incoming inspection.

        Their title stays with the supplier: they leave owned in-transit stock (if they were
        ours in transit) and never enter on-hand stock. Replaced units stay on order (they are
        shipped again); lost units leave the pipeline and are not paid for.
        """
        self.advance(now)
        self.units_rejected += quantity
        if owned:
            self.owned_transit -= quantity
        if not replace:
            self.on_order -= quantity
            self.purchase_cost -= unit_price * quantity
            self.bought_units -= quantity
        trace = self.calendar.trace
        if trace is not None:
            fate = "replaced" if replace else "lost"
            note = f"of {delivered:g} inspected; {fate}"
            trace.append((now, self.name, "rejected", quantity, self.on_hand, note))

    def _serve_backorders(self, now: float) -> None:
        if self.shelf is not None:
            serve_backorders(self, now)
            return
        queue = self.backorder_queue
        trace = self.calendar.trace
        while queue and self.on_hand > 0.0:
            entry = queue[0]
            requester, owed = entry
            served = owed if owed <= self.on_hand else self.on_hand
            self.on_hand -= served
            self.backorders -= served
            self.shipped_units += served
            if isinstance(requester, Customer):
                self.customer_backorders -= served
                self.shortage_rate -= requester.backorder_cost_per_unit_day * served
                requester.backorder_filled(served, now)
            else:
                requester.ship(served, now)
            if trace is not None:
                trace.append((now, self.name, "backorder filled", served, self.on_hand, ""))
            if served < owed:
                entry[1] = owed - served
            else:
                queue.popleft()
        if not queue:
            # Clear rounding residue so that "no backorders" is exactly zero.
            self.backorders = self.customer_backorders = self.shortage_rate = 0.0


class WeeklyVariances:
    """Running sample variances of the units ordered and demanded per 7-day week (Welford).

    Weeks are counted from the creation (the start of the measured window); the stock point
    calls :meth:`close` at every seventh end-of-day snapshot.
    """

    __slots__ = (
        "demand_m2",
        "demand_mark",
        "demand_mean",
        "order_m2",
        "order_mean",
        "ordered_mark",
        "weeks",
    )

    def __init__(self) -> None:
        self.ordered_mark = self.demand_mark = 0.0
        self.weeks = 0
        self.order_mean = self.order_m2 = 0.0
        self.demand_mean = self.demand_m2 = 0.0

    def close(self, ordered_units: float, demand_units: float) -> None:
        """Add the week that ends now, given the totals ordered and demanded so far (units)."""
        ordered = ordered_units - self.ordered_mark
        demand = demand_units - self.demand_mark
        self.ordered_mark = ordered_units
        self.demand_mark = demand_units
        self.weeks += 1
        weeks = self.weeks
        delta = ordered - self.order_mean
        self.order_mean += delta / weeks
        self.order_m2 += delta * (ordered - self.order_mean)
        delta = demand - self.demand_mean
        self.demand_mean += delta / weeks
        self.demand_m2 += delta * (demand - self.demand_mean)

    def variances(self) -> tuple[float, float]:
        """Sample variances (n − 1) of units ordered and of units demanded per full week;
        NaN with fewer than two weeks."""
        if self.weeks < 2:
            return math.nan, math.nan
        scale = 1.0 / (self.weeks - 1)
        return self.order_m2 * scale, self.demand_m2 * scale
