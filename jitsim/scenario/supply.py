"""Scenario models of the supply side: items, suppliers and the stock points that order from
them (review, backup source, expediting).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from jitsim.distributions import Distribution
from jitsim.errors import raise_problems
from jitsim.policies import PolicyKind
from jitsim.scenario.base import Strict
from jitsim.scenario.disruptions import WhenDown
from jitsim.scenario.end_of_life import EndOfLife
from jitsim.scenario.finance import SupplierPaymentTerms
from jitsim.units import Name, NonNegative, NonNegativeInt, Positive, PositiveInt, Real

__all__ = [
    "Backup",
    "Expedite",
    "HoldingRate",
    "Item",
    "Markdown",
    "Review",
    "ReviewField",
    "StockPoint",
    "Supplier",
]


class HoldingRate(Strict):
    """Annual carrying-cost rate as a sum of parts, each a fraction of unit cost per year.

    Parameters
    ----------
    capital : float
        Cost of the money tied up in stock (1/year, fraction of unit cost).
    storage : float
        Warehousing cost (1/year, fraction of unit cost).
    insurance : float
        Insurance and taxes on stock (1/year, fraction of unit cost).
    depreciation : float
        Loss of value while in stock (1/year, fraction of unit cost).
    obsolescence : float
        Risk of the stock becoming unsellable (1/year, fraction of unit cost).
    """

    capital: NonNegative = 0.0
    storage: NonNegative = 0.0
    insurance: NonNegative = 0.0
    depreciation: NonNegative = 0.0
    obsolescence: NonNegative = 0.0

    @property
    def total(self) -> float:
        """Sum of the parts (1/year)."""
        return self.capital + self.storage + self.insurance + self.depreciation + self.obsolescence


class Markdown(Strict):
    """Near-expiry units sold cheaper (perishable items, docs/waste-space-cash.md).

    Parameters
    ----------
    days_before_expiry : float
        A unit sold with at most this many days of shelf life left (days, ≥ 0) is marked
        down.
    price_factor : float
        Its price is the customer's price times this factor (dimensionless, 0 < f ≤ 1).
    """

    days_before_expiry: NonNegative
    price_factor: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class Item(Strict):
    """A stocked item.

    Parameters
    ----------
    unit_cost : float
        Value of one unit in stock :math:`c` (currency/unit); the basis of holding cost and
        cash tied up.
    price : float
        Selling price to customers (currency/unit), for revenue and profit.
    holding_rate : float or HoldingRate
        Annual carrying-cost rate :math:`i` as a fraction of unit cost (1/year), one number or
        the sum of ``capital``, ``storage``, ``insurance``, ``depreciation``,
        ``obsolescence``. Holding cost per unit-day is :math:`h = i\\,c / 365`.
    volume : float, optional
        Storage volume per unit (m³): the space one unit takes in a stock point whose
        ``capacity_unit`` is ``m3`` (the issue's ``unit_volume``).
    shelf_life : distribution, optional
        Perishable stock: days a unit can be sold, from its arrival at the first stock point
        (a number is constant; any distribution, one draw per arriving batch from the stream
        ``item.NAME.shelf_life``). Expired units leave on-hand stock at the start of the day
        (docs/waste-space-cash.md). None: the item never expires.
    shelf_life_from : {"arrival", "production"}
        Where the shelf life starts: at the arrival at the first stock point, or (units made
        by a plant) when the plant finishes the unit.
    salvage_value : float
        Money recovered per expired or written-off unit (currency/unit).
    markdown : Markdown, optional
        Near-expiry units sold at a reduced price: ``{days_before_expiry: 1,
        price_factor: 0.5}``.
    end_of_life : EndOfLife, optional
        When the item's life ends (a day or a distribution of days): ordering stops, demand
        falls by ``demand_factor``, and what is left is written off at ``unit_cost −
        salvage_value`` per unit (docs/waste-space-cash.md). Without it the item lives on;
        the rate-based ``holding_rate.obsolescence`` is the alternative for a steady risk.
    """

    unit_cost: NonNegative
    price: NonNegative = 0.0
    holding_rate: NonNegative | HoldingRate = 0.2
    volume: NonNegative | None = None
    shelf_life: Distribution | None = None
    shelf_life_from: Literal["arrival", "production"] = "arrival"
    salvage_value: NonNegative = 0.0
    markdown: Markdown | None = None
    end_of_life: EndOfLife | None = None

    @model_validator(mode="after")
    def _perishable_fields(self) -> Self:
        life = self.shelf_life
        if life is not None and life.mean <= 0:
            raise_problems(
                [(("shelf_life",), "must be > 0 days (a unit must be sellable for a while)")]
            )
        if self.markdown is not None and life is None:
            raise_problems(
                [(("markdown",), "only for perishable items: give shelf_life too, or remove it")]
            )
        return self

    @property
    def annual_holding_rate(self) -> float:
        """Total annual holding rate :math:`i` (1/year)."""
        rate = self.holding_rate
        return rate.total if isinstance(rate, HoldingRate) else float(rate)


class Supplier(Strict):
    """An external source of items.

    Parameters
    ----------
    items : list of str
        Items it supplies.
    lead_time : distribution
        Lead time per order :math:`L` (days, any non-negative real; a number means constant).
    order_cost : float
        Fixed cost per order :math:`K` (currency/order).
    unit_price : float, optional
        Purchase price (currency/unit); defaults to the item's ``unit_cost``.
    min_order : float
        Minimum order quantity, MOQ (units).
    lot_multiple : float, optional
        Orders are rounded up to a multiple of this (units).
    capacity_per_day : float, optional
        Units the supplier can ship per day; orders queue first-come first-served.
    title_transfer : {"receipt", "shipment"}
        When stock becomes ours: at receipt (in-transit stock is the supplier's) or at
        shipment (in-transit stock counts as cash tied up).
    defect_rate : float
        Fraction of delivered units that fail incoming inspection, :math:`p_d` (0 ≤ p < 1).
        Each unit is defective independently, so a delivery of :math:`n` units holds
        Binomial(:math:`n`, :math:`p_d`) rejects. The draws follow the units in the order they
        arrive over the lane, so the same units are defective under every policy (common
        random numbers); a fractional delivery rejects the whole defective units it covers
        (:math:`p_d` per unit on average, never more than it holds). Rejected units are never
        ours: their title stays with the supplier.
    rejects : {"replace", "lose"}
        Fate of rejected units: ``replace`` sends them back and the supplier ships them again
        on the same lane (through its capacity, with a fresh lead time, no extra order cost;
        they stay on order meanwhile); ``lose`` drops them (on-order falls, they are not paid
        for, and the policy reorders at its next review, at once under continuous review).
    inspection_cost_per_unit : float
        Cost of inspecting one received unit (currency/unit), charged on every unit of every
        delivery from this supplier, rejected or not; part of ``quality_cost``.
    when_down : WhenDown
        What happens to new orders and to shipments in transit while an outage (see
        ``disruptions``) holds the supplier down, and how fast capacity comes back.
    payment_terms : SupplierPaymentTerms, optional
        When deliveries are paid: ``{days: 30, early_discount: 0.02, early_days: 10}``
        (default: on receipt). Turns on the cash ledger (docs/waste-space-cash.md).
    """

    items: Annotated[list[Name], Field(min_length=1)]
    lead_time: Distribution
    order_cost: NonNegative = 0.0
    unit_price: NonNegative | None = None
    min_order: NonNegative = 0.0
    lot_multiple: Positive | None = None
    capacity_per_day: Positive | None = None
    title_transfer: Literal["receipt", "shipment"] = "receipt"
    defect_rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    rejects: Literal["replace", "lose"] = "replace"
    inspection_cost_per_unit: NonNegative = 0.0
    when_down: WhenDown = WhenDown()
    payment_terms: SupplierPaymentTerms | None = None

    @property
    def inspects(self) -> bool:
        """Whether deliveries from this supplier are inspected (defects or an inspection cost)."""
        return self.defect_rate > 0 or self.inspection_cost_per_unit > 0


def _review_shorthand(value: Any) -> Any:
    if value == "continuous":
        return {"continuous": True}
    return value


class Review(Strict):
    """When a stock point's policy looks at its inventory position.

    ``review: continuous`` reacts to every change; ``review: {every_days: R}`` reviews at
    times ``offset_days + k·R`` (integer days), after receipts and before demand.

    Parameters
    ----------
    continuous : bool
        Review after every change of the inventory position (``review: continuous``); then
        ``every_days`` and ``offset_days`` must not be given.
    every_days : int
        Review period :math:`R` (days, ≥ 1) of periodic review.
    offset_days : int
        Day of the first periodic review (days, ≥ 0).
    """

    continuous: bool = False
    every_days: PositiveInt = 1
    offset_days: NonNegativeInt = 0

    @model_validator(mode="after")
    def _continuous_has_no_period(self) -> Self:
        # Compare with the defaults, not with the keys given: the resolved dump of a
        # continuous review lists every_days: 1 and offset_days: 0 and must load again.
        periodic = [
            name
            for name, default in (("every_days", 1), ("offset_days", 0))
            if getattr(self, name) != default
        ]
        if self.continuous and periodic:
            raise_problems(
                [
                    (
                        (name,),
                        f"{name} cannot be combined with continuous review; give either "
                        "'continuous: true' or a period ('every_days'), not both",
                    )
                    for name in periodic
                ]
            )
        return self

    @property
    def period(self) -> float:
        """Review period :math:`R` (days); 0 under continuous review."""
        return 0.0 if self.continuous else float(self.every_days)


ReviewField = Annotated[
    Review,
    BeforeValidator(_review_shorthand, json_schema_input_type=Literal["continuous"] | Review),
]


class Backup(Strict):
    """A second source of a stock point (dual sourcing) and the rule that splits its orders.

    ``split: failover`` sends every order to the primary source unless the primary cannot
    deliver it in time; then the whole order goes to the backup. "Cannot deliver" means: the
    primary supplier's capacity backlog would ship the order later than
    ``failover_after_days`` after it is placed (with the default 0: any delay at all), or,
    for a stock point as primary, that its on-hand stock cannot fill the whole order at once.
    ``split: shares`` splits every order :math:`q`: ``round(share × q)`` units (whole units,
    halves up) go to the backup and the rest to the primary, each part then rounded to its own
    lane's minimum order and lot multiple (a part that is 0 is not ordered); each part is an
    order of its own, with its lane's order cost. Policies then plan
    with the lead time of a random unit: mean :math:`(1-s)\\,E[L_1] + s\\,E[L_2]`.

    Each lane has its own order cost, purchase price, capacity, defects and lead-time stream
    (``lane.STORE.lead_time`` and ``lane.STORE.backup.lead_time``); the stock point's
    on-order stock counts both.

    Parameters
    ----------
    source : str
        The backup supplier. It must supply the stock point's item and differ from the primary
        ``source``.
    split : {"failover", "shares"}
        How orders are divided between the primary and the backup (see above).
    share : float, optional
        Share :math:`s` of every order sent to the backup (0 < s < 1); required with
        ``split: shares``, not allowed with ``failover``.
    failover_after_days : float
        Largest shipping delay accepted at the primary (days, ≥ 0) before an order fails over
        to the backup (``split: failover`` with a supplier as primary).
    lead_time : distribution, optional
        Lead time of the backup lane (days); defaults to the backup supplier's.
    order_cost : float, optional
        Fixed cost per order to the backup (currency/order); defaults to the backup supplier's.
        The purchase price is the backup supplier's ``unit_price``.
    """

    source: Name
    split: Literal["failover", "shares"] = "failover"
    share: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None
    failover_after_days: NonNegative = 0.0
    lead_time: Distribution | None = None
    order_cost: NonNegative | None = None

    @model_validator(mode="after")
    def _share_matches_split(self) -> Self:
        if self.split == "shares" and self.share is None:
            raise_problems(
                [(("share",), "required with split: shares (fraction of each order, 0 < s < 1)")]
            )
        if self.split == "failover" and self.share is not None:
            raise_problems(
                [(("share",), "only used with split: shares; remove it or set split: shares")]
            )
        if self.split == "shares" and self.failover_after_days != 0:
            raise_problems(
                [
                    (
                        ("failover_after_days",),
                        "only used with split: failover; remove it or set split: failover",
                    )
                ]
            )
        return self


class Expedite(Strict):
    """Emergency orders: a faster, dearer shipment when the inventory position runs low.

    At every review, *after* the policy's regular order has been placed, the stock point
    looks at its inventory position IP = on-hand + on-order − backorders again; if
    **IP < level** (strictly below) it places an expedited order of ``up_to − IP`` units
    (rounded to the source's minimum order and lot multiple) over a lane of its own, with its
    own lead time and lead-time stream (``lane.STORE.expedite.lead_time``). Expedited units
    go on order like any other, so the next review sees them. Under continuous review the
    check follows every change of IP, like the policy.

    The shipment goes through the source supplier like any order: its daily capacity (first
    come, first served with regular orders), its outages (``when_down``: a down supplier
    holds an expedited order until it recovers, or refuses it; orders are never redirected),
    lead-time shocks and defects. An expedite therefore only helps during an outage when its
    ``source`` is another supplier, or when the regular orders are refused (they never go on
    order, so IP falls). Orders queued at a down supplier are on order and count in IP, so by
    default they do not trigger an expedite; with ``position: shipped`` the position leaves out
    the units still waiting at the supplier of the regular (and backup) lane — the stock that
    is actually on its way — so a supplier outage that queues orders does trigger it.

    Costs: units are bought at the source's ``unit_price`` (in ``purchase_cost``);
    ``premium_per_unit`` × units + ``order_cost`` per order go to ``expedite_cost`` (part of
    ``total_cost``), not to ``ordering_cost``.

    Parameters
    ----------
    level : float
        Emergency level :math:`s_e` on the inventory position (units): expedite when
        IP < ``level`` after the regular review. A negative level expedites only when the
        backorders exceed on-hand plus on-order stock by more than its magnitude.
    up_to : float, optional
        Order-up-to level :math:`S_e` of an expedited order (units, ≥ ``level``): the order is
        :math:`S_e - \\mathrm{IP}`. Defaults to ``level`` (restore IP to the emergency level).
    lead_time : distribution
        Lead time of an expedited shipment :math:`L_e` (days), normally shorter than the
        regular one.
    premium_per_unit : float
        Extra cost per expedited unit on top of the purchase price (currency/unit).
    order_cost : float
        Fixed cost per expedited order (currency/order).
    source : str, optional
        The supplier that ships expedited orders; defaults to the stock point's ``source``
        (required when that is a stock point or a plant). It must supply the item.
    position : {"inventory", "shipped"}
        The position compared with ``level`` and ordered up to: ``inventory`` — IP;
        ``shipped`` — IP minus the units ordered from a supplier over the regular or backup
        lane that have not left it yet (queued at a down or backlogged supplier, or rejects
        waiting to be replaced). Orders to a stock point or a plant count as usual.
    """

    level: Real
    up_to: Real | None = None
    lead_time: Distribution
    premium_per_unit: NonNegative = 0.0
    order_cost: NonNegative = 0.0
    source: Name | None = None
    position: Literal["inventory", "shipped"] = "inventory"

    @model_validator(mode="after")
    def _up_to_above_level(self) -> Self:
        if self.up_to is not None and self.up_to < self.level:
            raise_problems(
                [
                    (
                        ("up_to",),
                        f"up_to(={self.up_to:g}) must be ≥ level(={self.level:g}): an "
                        "expedited order raises the inventory position to up_to",
                    )
                ]
            )
        return self

    @property
    def order_up_to(self) -> float:
        """Order-up-to level :math:`S_e` (units): ``up_to``, or ``level`` when not given."""
        return self.level if self.up_to is None else self.up_to


class StockPoint(Strict):
    """A place that holds stock of one item and replenishes it from a source.

    Parameters
    ----------
    item : str
        The item stocked.
    source : str
        A supplier, or another stock point (two-echelon chains).
    initial : float
        On-hand stock at time 0 (units).
    review : Review
        ``continuous`` or ``{every_days: R}``.
    policy : policy spec
        The replenishment policy (``kind: s_S | base_stock | r_Q | eoq | jit | kanban``).
    lead_time : distribution, optional
        Lane lead time (days). Defaults to the supplier's; required when the source is a
        stock point (transport time).
    order_cost : float, optional
        Fixed cost per order on this lane; defaults to the supplier's (0 from a stock point).
    backup : Backup, optional
        A second source (a supplier) and the rule that divides orders between the primary
        ``source`` and it (dual sourcing): ``{source: SUPPLIER, split: failover}`` or
        ``{source: SUPPLIER, split: shares, share: 0.3}``.
    expedite : Expedite, optional
        Emergency orders when the inventory position falls below a level after the regular
        review: ``{level: 10, up_to: 30, lead_time: 1, premium_per_unit: 2}``.
    capacity : float, optional
        Warehouse space of the stock point, in ``capacity_unit`` (units, or m³). Without it
        the space is unlimited and the space fields below are not allowed (their defaults
        only: they would do nothing).
    capacity_unit : {"units", "m3"}
        ``units`` counts on-hand units; ``m3`` counts on-hand units × the item's ``volume``
        (m³/unit; required then: it is the issue's ``unit_volume``).
    overflow : {"refuse", "external"}
        What a full warehouse does with a receipt: ``refuse`` sends the part that does not fit
        back to the source, still on order, to be delivered again after a fresh lead time of
        the regular lane (at least one day later); ``external`` puts it away in overflow
        storage, charged ``overflow_cost_per_unit_day`` (docs/waste-space-cash.md).
    overflow_cost_per_unit_day : float
        Cost of overflow storage (currency per capacity unit per day), charged on the stock
        above ``capacity`` at each end-of-day snapshot.
    space_cost_per_unit_day : float
        Cost of the space the stock point reserves (currency per capacity unit per day):
        ``space_cost_per_unit_day × capacity`` every measured day, full or empty.
    issue : {"fifo", "fefo", "lifo"}
        Which units of a perishable item leave first: first in first out (by arrival at the
        first stock point), first expired first out, or last in first out. Only for items
        with a ``shelf_life``.
    """

    item: Name
    source: Name
    initial: NonNegative = 0.0
    review: ReviewField = Review()
    policy: PolicyKind
    lead_time: Distribution | None = None
    order_cost: NonNegative | None = None
    backup: Backup | None = None
    expedite: Expedite | None = None
    capacity: Positive | None = None
    capacity_unit: Literal["units", "m3"] = "units"
    overflow: Literal["refuse", "external"] = "refuse"
    overflow_cost_per_unit_day: NonNegative = 0.0
    space_cost_per_unit_day: NonNegative = 0.0

    @model_validator(mode="after")
    def _space_costs_need_capacity(self) -> Self:
        if self.capacity is None:  # the cost of space is priced per unit of capacity
            problems: list[tuple[tuple[str], str]] = [
                (
                    (field,),
                    f"{field} is {getattr(self, field):g} but the stock point has no "
                    "capacity: give capacity (the space it reserves), or remove it",
                )
                for field in ("overflow_cost_per_unit_day", "space_cost_per_unit_day")
                if getattr(self, field) > 0
            ]
            # how the space is measured and what a full one does: they would do nothing
            problems += [
                (
                    (field,),
                    f"{field} is {value!r} but the stock point has no capacity: give "
                    "capacity (the space it reserves), or remove it",
                )
                for field, value in (("capacity_unit", "m3"), ("overflow", "external"))
                if getattr(self, field) == value
            ]
            raise_problems(problems)
        return self

    issue: Literal["fifo", "fefo", "lifo"] = "fifo"
