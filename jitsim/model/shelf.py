"""Perishable stock: the batches on a stock point's shelf, their expiry, and what is wasted.

A stock point of an item with a ``shelf_life`` keeps its on-hand stock twice: as the plain
number ``StockPoint.on_hand`` (what every other part reads, unchanged) and as batches
``[expiry, arrived, units]`` on a :class:`Shelf`, where ``expiry`` is the time (days) after
which the units cannot be sold and ``arrived`` the time they reached the *first* stock point
(or left the plant, with ``shelf_life_from: production``). The batches are kept in issue order
(``fifo`` by ``arrived``, ``fefo`` by ``expiry``, ``lifo`` newest first), so issuing takes
from the front. Every change of on-hand stock goes through the shelf when there is one:
customer demand (:meth:`Shelf.sell`), requests from a downstream lane or a plant
(:meth:`Shelf.take`, the batches travel with the shipment), receipts (:meth:`Shelf.put`),
backorder fills (:func:`serve_backorders`), stock losses (:meth:`Shelf.scale`: every batch
loses the same share) and expiry (:meth:`Shelf.expire`, phase 1b of the day:
docs/daily-convention.md).

Units whose expiry has passed but that have not yet been removed (an expiry inside a day is
removed at the start of the next) are on hand but not sellable; so are, for a customer with
``min_remaining_days`` = m, units with less than m days left. The usable stock is
``on_hand`` minus those units, and exactly ``on_hand`` when there are none — so a shelf life
longer than any unit stays gives the very numbers of the non-perishable model.

A stock point without a shelf (``StockPoint.shelf is None``) runs the code it always ran.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from typing import TYPE_CHECKING

from jitsim.model.customer import Customer

if TYPE_CHECKING:
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint
    from jitsim.streams import BlockSampler

__all__ = ["Batch", "Shelf", "serve_backorders", "shelf_kpis"]

#: Units of equal expiry and first arrival: ``[expiry (day), arrived (day), units]``.
Batch = list[float]

#: A batch holding fewer units than this is dropped (rounding residue of fractional demand).
_EMPTY = 1e-9

_ISSUE_KEYS: dict[str, Callable[[Batch], tuple[float, float]]] = {
    "fifo": lambda b: (b[1], b[0]),
    "fefo": lambda b: (b[0], b[1]),
    "lifo": lambda b: (-b[1], b[0]),
}


class Shelf:
    """The perishable on-hand stock of one stock point, in batches, and its waste.

    Parameters
    ----------
    issue : {"fifo", "fefo", "lifo"}
        Which units leave first.
    lives : BlockSampler
        Shelf lives (days), one per batch stamped here, from the stream
        ``item.NAME.shelf_life`` (shared by the stock points of the item).
    unit_cost : float
        Value of one unit (currency/unit).
    salvage_value : float
        Money recovered per expired unit (currency/unit).
    from_production : bool
        Units from a plant carry the time they were finished (``shelf_life_from:
        production``); else they are stamped when they arrive here.
    markdown : tuple of float or None
        ``(days_before_expiry, price_factor)``, or None without markdown.
    min_left : dict
        Customer name → ``min_remaining_days`` (days), for the customers that set one.
    """

    __slots__ = (
        "age_units",
        "batches",
        "from_production",
        "key",
        "lives",
        "markdown",
        "markdown_lost",
        "min_left",
        "salvage_value",
        "sold_units",
        "unit_cost",
        "units_at_start",
        "units_expired",
        "units_marked_down",
        "units_received",
    )

    def __init__(
        self,
        issue: str,
        lives: BlockSampler,
        *,
        unit_cost: float,
        salvage_value: float,
        from_production: bool,
        markdown: tuple[float, float] | None,
        min_left: dict[str, float],
    ) -> None:
        #: The batches on hand, the next to issue first.
        self.batches: list[Batch] = []
        self.key = _ISSUE_KEYS[issue]
        self.lives = lives
        self.unit_cost = unit_cost
        self.salvage_value = salvage_value
        self.from_production = from_production
        self.markdown = markdown
        self.min_left = min_left
        self.reset_statistics()

    def reset_statistics(self) -> None:
        """Forget the counts so far (end of warm-up); the batches stay, and the units on
        hand now count as received at the start of the window (for ``waste_share``)."""
        self.units_expired = self.units_received = 0.0
        self.units_at_start = self.units
        #: Units sold to customers and Σ units × age at sale (unit-days).
        self.sold_units = self.age_units = 0.0
        self.units_marked_down = self.markdown_lost = 0.0

    @property
    def units(self) -> float:
        """Units on the shelf (equal to the stock point's on-hand, up to rounding)."""
        return sum(b[2] for b in self.batches)

    # -- in ---------------------------------------------------------------------------------

    def stamp(self, quantity: float, now: float) -> list[Batch]:
        """``quantity`` units that start their shelf life now: one batch, one draw."""
        return [[now + self.lives.next(), now, quantity]]

    def put(self, batches: list[Batch], now: float) -> bool:
        """Put batches arriving at ``now`` away (copied: the sender's lists are not shared);
        True if some of them expired on the way (:meth:`expire` them at once)."""
        key = self.key
        stale = False
        for expiry, arrived, units in batches:
            if units > _EMPTY:
                self.units_received += units
                insort(self.batches, [expiry, arrived, units], key=key)
                stale = stale or expiry <= now
        return stale

    # -- out --------------------------------------------------------------------------------

    def usable(self, on_hand: float, now: float, min_left: float) -> float:
        """Units of ``on_hand`` that can leave now to someone who needs ``min_left`` days
        of shelf life left (units): not expired, and with at least that much left."""
        blocked = 0.0
        for expiry, _, units in self.batches:
            left = expiry - now
            if left <= 0.0 or left < min_left:
                blocked += units
        if blocked == 0.0:
            return on_hand  # exactly the non-perishable number
        usable = on_hand - blocked
        return usable if usable > _EMPTY else 0.0

    def take(self, quantity: float, now: float, min_left: float) -> list[Batch]:
        """Remove ``quantity`` usable units in issue order; returns them as batches."""
        taken: list[Batch] = []
        batches = self.batches
        i = 0
        while quantity > _EMPTY and i < len(batches):
            batch = batches[i]
            left = batch[0] - now
            if left <= 0.0 or left < min_left:
                i += 1
                continue
            units = batch[2]
            if units <= quantity + _EMPTY:
                taken.append(batch)
                del batches[i]
                quantity -= units
            else:
                taken.append([batch[0], batch[1], quantity])
                batch[2] = units - quantity
                quantity = 0.0
        return taken

    def discard(self, quantity: float) -> None:
        """Remove ``quantity`` units in issue order whatever their life left (a write-off)."""
        batches = self.batches
        while quantity > _EMPTY and batches:
            units = batches[0][2]
            if units <= quantity + _EMPTY:
                del batches[0]
                quantity -= units
            else:
                batches[0][2] = units - quantity
                quantity = 0.0

    def sell(self, quantity: float, customer: Customer, on_hand: float, now: float) -> float:
        """A customer asks for ``quantity`` units: take what it may have, book the age at
        sale and the markdown (off the customer's revenue); returns the units sold."""
        min_left = self.min_left.get(customer.name, 0.0)
        usable = self.usable(on_hand, now, min_left)
        filled = quantity if quantity <= usable else usable
        if filled > 0.0:
            self.book_sale(self.take(filled, now, min_left), customer, now)
        return filled

    def book_sale(self, batches: list[Batch], customer: Customer, now: float) -> None:
        """``batches`` taken from the shelf are sold to ``customer`` now: count their age and
        take the markdown of those near expiry off the customer's revenue."""
        markdown = self.markdown
        for expiry, arrived, units in batches:
            self.sold_units += units
            self.age_units += units * (now - arrived)
            if markdown is not None and expiry - now <= markdown[0]:
                lost = units * customer.price * (1.0 - markdown[1])
                self.units_marked_down += units
                self.markdown_lost += lost
                customer.markdown_due += lost  # off the sale the customer books next

    def scale(self, factor: float) -> None:
        """A stock loss: every batch keeps ``factor`` of its units."""
        for batch in self.batches:
            batch[2] *= factor

    def expire(self, point: StockPoint, now: float) -> float:
        """Phase 1b of day ``now``: units whose expiry is at or before ``now`` leave
        ``point``'s on-hand stock; returns the units expired."""
        batches = self.batches
        expired = 0.0
        if any(b[0] <= now for b in batches):
            expired = sum(b[2] for b in batches if b[0] <= now)
            self.batches = [b for b in batches if b[0] > now]
        if expired <= _EMPTY:
            return 0.0
        point.advance(now)
        on_hand = point.on_hand - expired
        point.on_hand = on_hand if on_hand > _EMPTY else 0.0
        self.units_expired += expired
        ledger = point.calendar.ledger
        if ledger is not None:  # the expired units are sold for their salvage value
            ledger.sell_for_salvage(now, expired * self.salvage_value)
        trace = point.calendar.trace
        if trace is not None:
            trace.append((now, point.name, "expired", expired, point.on_hand, ""))
        if point.continuous:
            point.review(now)
        return expired

    # -- KPIs -------------------------------------------------------------------------------

    @property
    def expiry_cost(self) -> float:
        """(unit cost − salvage value) × units expired (currency)."""
        return (self.unit_cost - self.salvage_value) * self.units_expired

    def kpis(self) -> dict[str, float]:
        """The stock point's perishable KPIs (unprefixed; docs/kpis.md)."""
        return {
            "units_expired": self.units_expired,
            "expiry_cost": self.expiry_cost,
            "waste_share": _ratio(self.units_expired, self.units_at_start + self.units_received),
            "avg_age_at_sale": _ratio(self.age_units, self.sold_units),
            "units_marked_down": self.units_marked_down,
            "markdown_revenue_lost": self.markdown_lost,
        }


def serve_backorders(point: StockPoint, now: float) -> None:
    """Serve ``point``'s backorders from its shelf, first come first served, each requester
    with the units it may have (a customer's ``min_remaining_days``): one that can have none
    keeps its place, and those behind it are served."""
    shelf = point.shelf
    assert shelf is not None
    queue = point.backorder_queue
    trace = point.calendar.trace
    index = 0
    while index < len(queue) and point.on_hand > 0.0:
        entry = queue[index]
        requester, owed = entry
        is_customer = isinstance(requester, Customer)
        min_left = shelf.min_left.get(requester.name, 0.0) if is_customer else 0.0
        usable = shelf.usable(point.on_hand, now, min_left)
        served = owed if owed <= usable else usable
        if served <= 0.0:
            index += 1
            continue
        batches = shelf.take(served, now, min_left)
        point.on_hand -= served
        point.backorders -= served
        point.shipped_units += served
        if is_customer:
            point.customer_backorders -= served
            point.shortage_rate -= requester.backorder_cost_per_unit_day * served
            shelf.book_sale(batches, requester, now)  # sets the markdown of the booking
            requester.backorder_filled(served, now)
        else:
            requester.ship(served, now, batches)
        if trace is not None:
            trace.append((now, point.name, "backorder filled", served, point.on_hand, ""))
        if served < owed:
            entry[1] = owed - served
            index += 1
        else:
            del queue[index]
    if not queue:
        point.backorders = point.customer_backorders = point.shortage_rate = 0.0


def shelf_kpis(network: Network) -> dict[str, float]:
    """The perishable KPIs of the network: sums over the stock points with a shelf (which
    report their own through :meth:`Shelf.kpis`). The network's ``waste_share`` is over the
    units on hand anywhere at the start of the window and those received from outside, at the
    stock points fed by a supplier or a plant, so a unit moving between stock points counts
    once. Also the value of the expired units at unit cost, ``expired_value``, which profit
    adds back (not a column)."""
    expired = cost = value = received = sold = age = marked = lost = 0.0
    for name, point in network.points.items():
        shelf = point.shelf
        if shelf is None:
            continue
        first = network.scenario.stock_points[name].source not in network.points
        value += shelf.units_expired * shelf.unit_cost
        expired += shelf.units_expired
        cost += shelf.expiry_cost
        received += shelf.units_at_start + (shelf.units_received if first else 0.0)
        sold += shelf.sold_units
        age += shelf.age_units
        marked += shelf.units_marked_down
        lost += shelf.markdown_lost
    return {
        "units_expired": expired,
        "expiry_cost": cost,
        "waste_share": _ratio(expired, received),
        "avg_age_at_sale": _ratio(age, sold),
        "units_marked_down": marked,
        "markdown_revenue_lost": lost,
        "expired_value": value,
    }


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is not positive."""
    return numerator / denominator if denominator > 0.0 else float("nan")


def split_batches(batches: list[Batch], quantity: float) -> tuple[list[Batch], list[Batch]]:
    """The first ``quantity`` units of ``batches`` (in their order) and the rest, as new
    batches (a delivery that a full warehouse takes only in part)."""
    first: list[Batch] = []
    rest: list[Batch] = []
    for expiry, arrived, units in batches:
        part = min(units, max(quantity, 0.0))
        if part > _EMPTY:
            first.append([expiry, arrived, part])
        if units - part > _EMPTY:
            rest.append([expiry, arrived, units - part])
        quantity -= part
    return first, rest
