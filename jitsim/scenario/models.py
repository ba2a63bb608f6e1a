"""Pydantic models of the scenario file format.

A scenario is validated once, completely, when it is loaded; everything downstream trusts it.
All models are frozen and reject unknown keys. Numbers are strict (``true`` or ``"3"`` is not a
number) and finite. Time is in days, money in the scenario currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails

from jitsim.distributions import Constant, Distribution
from jitsim.errors import JitsimError, ModelProblems, ScenarioError, raise_problems
from jitsim.policies import PolicyKind, PolicySpec
from jitsim.policies.eoq import EOQSpec
from jitsim.scenario.disruptions import (
    NAMED_EVENT_START,
    Disruption,
    WhenDown,
    check_disruptions,
    node_problems,
)
from jitsim.scenario.grid import grid_from_mapping
from jitsim.scenario.planning import material_sources, planning_demand, plant_materials
from jitsim.scenario.plants import Plant
from jitsim.scenario.resolve import resolve
from jitsim.units import (
    Name,
    NonNegative,
    NonNegativeInt,
    Positive,
    PositiveInt,
    Real,
)


class Strict(BaseModel):
    """Base: frozen, unknown keys rejected, strict types."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ServiceRecovery(Strict):
    """When service counts as dropped and as recovered after a disruption
    (``run.service_recovery``; KPIs ``EVENT.service_drop_day`` and
    ``EVENT.service_recovery_days``, and the recovery columns of ``jitsim stress``).

    Parameters
    ----------
    window_days : int
        Length of the rolling window of the fill rate (days, ≥ 1): units of all customers met
        from stock on arrival / units demanded, over the last ``window_days`` days.
    below : float
        Service has dropped on the first day the rolling fill rate is below this (0 < x ≤ 1).
    recovered : float
        ... and has recovered on the first later day it is at or above this
        (``below`` ≤ x ≤ 1).
    """

    window_days: PositiveInt = 7
    below: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.90
    recovered: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.95

    @model_validator(mode="after")
    def _recovered_above_below(self) -> Self:
        if self.recovered < self.below:
            raise_problems(
                [
                    (
                        ("recovered",),
                        f"recovered(={self.recovered:g}) must be >= below(={self.below:g})",
                    )
                ]
            )
        return self


class RunSettings(Strict):
    """How long and how often to simulate.

    Parameters
    ----------
    horizon_days : int
        Simulated days, warm-up included (≥ 1).
    warmup_days : int
        Days at the start whose statistics are discarded (≥ 0, < horizon_days).
    replications : int
        Independent Monte Carlo replications per alternative.
    seed : int
        Master seed; replication r uses ``SeedSequence(seed, spawn_key=(r,))``.
    currency : str
        Label of the money unit, e.g. ``EUR``.
    days_per_year : float
        Days per year, to turn annual holding rates into daily ones (default 365).
    cost_basis : {"continuous", "end_of_day"}
        Charge holding and backorder costs on the time-weighted levels (``continuous``) or on
        end-of-day snapshots (``end_of_day``, the textbook periodic-review convention).
    service_recovery : ServiceRecovery
        Thresholds of the rolling fill rate that define a service drop and its recovery after
        a disruption.
    """

    horizon_days: PositiveInt = 365
    warmup_days: NonNegativeInt = 0
    replications: PositiveInt = 30
    seed: NonNegativeInt = 2026
    currency: Annotated[str, Field(min_length=1, max_length=8)] = "EUR"
    days_per_year: Positive = 365.0
    cost_basis: Literal["continuous", "end_of_day"] = "continuous"
    service_recovery: ServiceRecovery = ServiceRecovery()

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> Self:
        if self.warmup_days >= self.horizon_days:
            raise_problems(
                [
                    (
                        ("warmup_days",),
                        f"warmup_days(={self.warmup_days}) must be < "
                        f"horizon_days(={self.horizon_days})",
                    )
                ]
            )
        return self

    @property
    def window_days(self) -> int:
        """Days measured after warm-up."""
        return self.horizon_days - self.warmup_days


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
        Storage volume per unit (m³), reported only.
    """

    unit_cost: NonNegative
    price: NonNegative = 0.0
    holding_rate: NonNegative | HoldingRate = 0.2
    volume: NonNegative | None = None

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


ReviewField = Annotated[Review, BeforeValidator(_review_shorthand)]


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


class PoissonOrders(Strict):
    """Individual customer orders arriving as a Poisson process.

    Parameters
    ----------
    rate_per_day : float
        Arrival rate :math:`\\lambda` (orders/day).
    size : distribution
        Units per order.
    """

    rate_per_day: Positive
    size: Distribution = Constant(value=1)


class Seasonality(Strict):
    """Multiplicative demand factors.

    ``weekly``: seven factors, day 0 of the simulation is the first. ``annual``: twelve monthly
    factors of ``days_per_year / 12`` days each.

    Parameters
    ----------
    weekly : list of float, optional
        Seven factors (dimensionless, ≥ 0), one per day of the week; day 0 of the simulation
        uses the first.
    annual : list of float, optional
        Twelve monthly factors (dimensionless, ≥ 0), each applying to ``days_per_year / 12``
        days.
    """

    weekly: Annotated[list[NonNegative], Field(min_length=7, max_length=7)] | None = None
    annual: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = None


class Customer(Strict):
    """A source of demand at one stock point.

    Parameters
    ----------
    buys_from : str
        The stock point that serves it.
    demand : distribution, optional
        Units demanded per day, arriving as one daily order at mid-day (``t + 0.5``).
    orders : PoissonOrders, optional
        Individual orders as a Poisson process (give ``demand`` or ``orders``).
    seasonality : Seasonality, optional
        Weekly and/or monthly multiplicative factors on the mean.
    trend_per_year : float
        Linear trend: the mean is multiplied by ``1 + trend_per_year · t / days_per_year``.
    unmet : {"backorder", "lost_sale"}
        Fate of demand that finds no stock.
    backorder_cost_per_unit_day : float
        Shortage cost :math:`p` per backordered unit per day (currency/unit/day).
    backorder_cost_per_unit : float
        One-off cost per unit backordered (currency/unit).
    lost_sale_penalty : float
        Cost per unit of lost sale beyond the lost margin (currency/unit).
    price : float, optional
        Selling price (currency/unit); defaults to the item's ``price``.
    """

    buys_from: Name
    demand: Distribution | None = None
    orders: PoissonOrders | None = None
    seasonality: Seasonality | None = None
    trend_per_year: Annotated[float, Field(ge=-1, allow_inf_nan=False)] = 0.0
    unmet: Literal["backorder", "lost_sale"] = "backorder"
    backorder_cost_per_unit_day: NonNegative = 0.0
    backorder_cost_per_unit: NonNegative = 0.0
    lost_sale_penalty: NonNegative = 0.0
    price: NonNegative | None = None

    @model_validator(mode="after")
    def _one_demand_model(self) -> Self:
        if (self.demand is None) == (self.orders is None):
            raise ValueError("give exactly one of 'demand' (units per day) or 'orders'")
        return self


Problems = list[tuple[tuple[str | int, ...], str]]

#: Keys of the long form of an alternative; any other key is a stock point.
_ALTERNATIVE_KEYS = ("policies", "changes", "switching_cost", "description")
#: Sections an alternative's ``changes`` may touch: the supply side, never demand, the run or
#: the disruptions, so that every alternative still faces the same demand and events.
CHANGEABLE_SECTIONS = ("items", "suppliers", "stock_points", "plants")


def _alternative_shorthand(value: Any) -> Any:
    """``jit: {store: {...}}`` means ``jit: {policies: {store: {...}}}``."""
    if isinstance(value, dict) and "policies" not in value:
        return {
            "policies": {k: v for k, v in value.items() if k not in _ALTERNATIVE_KEYS},
            **{k: v for k, v in value.items() if k in _ALTERNATIVE_KEYS},
        }
    return value


class Alternative(Strict):
    """A named what-if: policies that replace those of some stock points, and other changes
    to the supply side (a backup source, expediting, a faster supplier).

    Written either as a mapping of stock point → policy (``jit: {store: {kind: jit}}``) or in
    full (``jit: {policies: {store: {kind: jit}}, switching_cost: 25000}``); ``changes``,
    ``switching_cost`` and ``description`` may also sit beside the stock points of the short
    form.

    Parameters
    ----------
    policies : mapping of stock point to policy spec
        The policy of each stock point that differs from the base scenario.
    changes : mapping of field path to value
        Other fields that differ, as dotted paths into the scenario (the syntax of
        ``jitsim sweep --set``), e.g. ``stock_points.store.backup: {source: bolt}`` or
        ``suppliers.acme.lead_time: 2``. Only ``items``, ``suppliers``, ``stock_points`` and
        ``plants`` may change — demand, the run and the disruptions stay those of the scenario,
        so alternatives remain paired under common random numbers.
    switching_cost : float
        One-off cost of switching to this alternative (currency): new contracts, training,
        systems. The comparison turns it into a payback period.
    description : str
        Free text shown in reports.
    """

    policies: dict[Name, PolicyKind] = Field(default_factory=dict)
    changes: dict[str, Any] = Field(default_factory=dict)
    switching_cost: NonNegative = 0.0
    description: str = ""

    @model_validator(mode="after")
    def _changes_on_the_supply_side(self) -> Self:
        problems: Problems = []
        for path in self.changes:
            section = path.split(".", 1)[0]
            if section not in CHANGEABLE_SECTIONS or "." not in path:
                problems.append(
                    (
                        ("changes", path),
                        f"an alternative may change fields under {', '.join(CHANGEABLE_SECTIONS)} "
                        "(e.g. stock_points.store.backup); demand, run settings and disruptions "
                        "are shared by every alternative",
                    )
                )
        raise_problems(problems)
        return self


AlternativeField = Annotated[Alternative, BeforeValidator(_alternative_shorthand)]


class Scenario(Strict):
    """A whole scenario file. See ``docs/scenario-reference.md`` for every field.

    Parameters
    ----------
    name : str
        Title of the scenario, shown in reports.
    description : str
        Free text describing the scenario.
    run : RunSettings
        Horizon, warm-up, replications, seed and cost conventions.
    items : mapping of name to Item
        The stocked items, by name.
    suppliers : mapping of name to Supplier
        External sources, by name.
    stock_points : mapping of name to StockPoint
        Places holding stock, by name; each replenishes from a supplier or another stock point.
    customers : mapping of name to Customer
        Sources of demand, by name; each buys from one stock point.
    plants : mapping of name to Plant
        Factories, by name; a stock point whose ``source`` is a plant holds its finished goods.
    alternatives : mapping of name to Alternative
        Named what-if alternatives: each replaces the policy of some stock points; all are
        compared under common random numbers. Without any, the single alternative ``base``
        uses the policies given in ``stock_points``.
    sweep : mapping of field path to values
        Default grid of ``jitsim sweep``: each key a dotted field path
        (``suppliers.acme.lead_time.mean``), each value a list, a single value, or a range
        ``{from: LO, to: HI, step: STEP}`` (both ends included). ``--set`` on the command line
        replaces an axis with the same path.
    disruptions : mapping of name to disruption
        Events that hit named nodes (``kind: outage | lead_time_shock | quality_crisis |
        demand_surge | stock_loss``), or a named stress event such as
        ``"outage-30d:acme"`` (see ``docs/disruptions.md``). Their timelines are drawn
        before the run, so every alternative faces the same events in replication r.

    Node names (suppliers, stock points, customers) must be unique across sections; names may
    only use letters, digits, ``_`` and ``-`` because they prefix KPI names
    (``store.fill_rate``).
    """

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    run: RunSettings = RunSettings()
    items: Annotated[dict[Name, Item], Field(min_length=1)]
    suppliers: Annotated[dict[Name, Supplier], Field(min_length=1)]
    stock_points: Annotated[dict[Name, StockPoint], Field(min_length=1)]
    customers: Annotated[dict[Name, Customer], Field(min_length=1)]
    plants: dict[Name, Plant] = Field(default_factory=dict)
    alternatives: dict[Name, AlternativeField] = Field(default_factory=dict)
    sweep: dict[str, Any] = Field(default_factory=dict)
    disruptions: dict[Name, Disruption] = Field(default_factory=dict)
    #: Resolved scenario of each alternative (see :func:`jitsim.scenario.resolve.resolve`).
    _resolved: dict[str, Scenario] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _sweep_axes(self) -> Self:
        problems: Problems = []
        for key, spec in self.sweep.items():
            try:
                grid_from_mapping({key: spec})
            except JitsimError as exc:
                problems.append((("sweep", key), str(exc).removeprefix(f"sweep {key}: ")))
        if problems:
            raise_problems(problems)
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _report_everything(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Scenario:
        """Add broken cross-references to field errors, so one pass reports every problem.

        The typed reference checks below only run once every field is valid; when some field
        is not, the same checks run on the raw data (names only) and their findings are
        appended to the field errors.
        """
        # Named stress events without ``@DAY`` start at the end of this scenario's warm-up.
        run = data.get("run") if isinstance(data, dict) else None
        warmup = (
            run.get("warmup_days", 0)
            if isinstance(run, dict)
            else run.warmup_days
            if isinstance(run, RunSettings)
            else 0
        )
        start = float(warmup) if isinstance(warmup, int) and not isinstance(warmup, bool) else 0.0
        token = NAMED_EVENT_START.set(start)
        try:
            return handler(data)
        except ValidationError as exc:
            found = _raw_reference_problems(data)
            if not found:
                raise
            details: list[InitErrorDetails] = [
                {"type": e["type"], "loc": e["loc"], "input": e["input"], "ctx": e.get("ctx", {})}
                for e in exc.errors()
            ]
            details.append(
                {
                    "type": "value_error",
                    "loc": (),
                    "input": data,
                    "ctx": {"error": ModelProblems(found)},
                }
            )
            raise ValidationError.from_exception_data(exc.title, details) from None
        finally:
            NAMED_EVENT_START.reset(token)

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems: Problems = []
        self._check_names(problems)
        self._check_suppliers(problems)
        self._check_stock_points(problems)
        self._check_customers(problems)
        self._check_plants(problems)
        self._check_alternatives(problems)
        check_disruptions(self, _unknown, problems)
        if problems:
            raise_problems(problems)
        return self

    @model_validator(mode="after")
    def _alternative_changes(self) -> Self:
        """Every alternative with ``changes`` must give a valid scenario (built once, kept)."""
        problems: Problems = []
        for name, alternative in self.alternatives.items():
            if not alternative.changes:
                continue
            where: tuple[str | int, ...] = ("alternatives", name, "changes")
            try:
                resolve(self, name)
            except ScenarioError as exc:
                for problem in exc.problems:
                    key = next((k for k in alternative.changes if problem.path.startswith(k)), None)
                    problems.append(
                        ((*where, key) if key else where, f"{problem.path}: {problem.message}")
                    )
            except JitsimError as exc:
                problems.append((where, str(exc)))
        raise_problems(problems)
        return self

    # -- cross-reference checks -------------------------------------------------------------

    def _check_names(self, problems: Problems) -> None:
        seen: dict[str, str] = {}
        for section in ("suppliers", "stock_points", "customers", "plants"):
            for name in getattr(self, section):
                if name in seen:
                    problems.append(
                        (
                            (section, name),
                            f"name {name!r} is already used in {seen[name]}; "
                            "node names must be unique",
                        )
                    )
                else:
                    seen[name] = section

    def _check_suppliers(self, problems: Problems) -> None:
        for name, supplier in self.suppliers.items():
            for index, item in enumerate(supplier.items):
                if item not in self.items:
                    problems.append(
                        (("suppliers", name, "items", index), _unknown("item", item, self.items))
                    )

    def _check_stock_points(self, problems: Problems) -> None:
        for name, point in self.stock_points.items():
            where = ("stock_points", name)
            if point.item not in self.items:
                problems.append(((*where, "item"), _unknown("item", point.item, self.items)))
            if point.source in self.suppliers:
                supplier = self.suppliers[point.source]
                if point.item in self.items and point.item not in supplier.items:
                    problems.append(
                        (
                            (*where, "source"),
                            f"supplier {point.source!r} does not supply item {point.item!r} "
                            f"(it supplies: {', '.join(supplier.items)})",
                        )
                    )
            elif point.source in self.stock_points:
                upstream = self.stock_points[point.source]
                if point.source == name:
                    problems.append(((*where, "source"), "a stock point cannot source from itself"))
                elif upstream.item != point.item:
                    problems.append(
                        (
                            (*where, "source"),
                            f"stock point {point.source!r} holds item {upstream.item!r}, "
                            f"not {point.item!r}",
                        )
                    )
                if point.lead_time is None:
                    problems.append(
                        (
                            (*where, "lead_time"),
                            f"required when the source is a stock point ({point.source!r}): "
                            "give the transport lead time in days",
                        )
                    )
            elif point.source in self.plants:
                if point.item not in self.plants[point.source].products:
                    makes = ", ".join(self.plants[point.source].products)
                    problems.append(
                        (
                            (*where, "source"),
                            f"plant {point.source!r} does not make item {point.item!r} "
                            f"(it makes: {makes})",
                        )
                    )
            else:
                known = [*self.suppliers, *self.stock_points, *self.plants]
                problems.append(
                    (
                        (*where, "source"),
                        _unknown("supplier, stock point or plant", point.source, known),
                    )
                )
            if point.backup is not None:
                self._check_backup(name, point, point.backup, problems)
            if point.expedite is not None:
                self._check_expedite(name, point, point.expedite, problems)
            self._check_policy(point.policy, name, (*where, "policy"), problems)
        cycle = _find_cycle({n: p.source for n, p in self.stock_points.items()})
        if cycle:
            problems.append(
                (
                    ("stock_points", cycle[0], "source"),
                    "stock points source from each other in a cycle: " + " → ".join(cycle),
                )
            )

    def _check_plants(self, problems: Problems) -> None:
        for name, plant in self.plants.items():
            where: tuple[str | int, ...] = ("plants", name)
            rework = plant.rework
            repairable = rework is not None and rework.success > 0 and rework.max_attempts > 0
            for item, product in plant.products.items():
                rate = product.defect_rate
                if not repairable and rate.variance == 0 and rate.mean >= 1:
                    problems.append(
                        (
                            (*where, "products", item, "defect_rate"),
                            f"every unit is defective (defect_rate {rate.mean:g}) and none can "
                            "be repaired, so nothing would ever be delivered; lower the defect "
                            "rate or add rework with success > 0",
                        )
                    )
            for item, product in plant.products.items():
                if item not in self.items:
                    problems.append(
                        ((*where, "products", item), _unknown("item", item, self.items))
                    )
                for material in product.bom:
                    if material not in self.items:
                        problems.append(
                            (
                                (*where, "products", item, "bom", material),
                                _unknown("item", material, self.items),
                            )
                        )
                    elif material == item:
                        problems.append(
                            (
                                (*where, "products", item, "bom", material),
                                "an item cannot be made from itself",
                            )
                        )
            for material, point in plant.materials_from.items():
                path = (*where, "materials_from", material)
                if point not in self.stock_points:
                    problems.append((path, _unknown("stock point", point, self.stock_points)))
                elif self.stock_points[point].item != material:
                    problems.append(
                        (
                            path,
                            f"stock point {point!r} holds {self.stock_points[point].item!r}, "
                            f"not {material!r}",
                        )
                    )
            used = set(plant_materials(plant))
            for material in plant.materials_from:
                if material not in used:
                    problems.append(
                        (
                            (*where, "materials_from", material),
                            f"{material!r} is not in the bill of materials of any product of "
                            f"plant {name!r} (materials: {', '.join(sorted(used))})",
                        )
                    )
            for material in plant_materials(plant):
                if material in plant.materials_from or material not in self.items:
                    continue
                holders = [n for n, p in self.stock_points.items() if p.item == material]
                if len(holders) != 1:
                    found = ", ".join(holders) if holders else "none"
                    problems.append(
                        (
                            (*where, "materials_from"),
                            f"material {material!r} needs exactly one stock point to draw from "
                            f"(found: {found}); name it in materials_from",
                        )
                    )
            fed = {n for n, p in self.stock_points.items() if p.source == name}
            for material, point in material_sources(self, name).items():
                chain, node = [point], self.stock_points.get(point)
                while node is not None and node.source in self.stock_points:
                    if node.source in chain:
                        break
                    chain.append(node.source)
                    node = self.stock_points[node.source]
                if fed & set(chain):
                    problems.append(
                        (
                            (*where, "materials_from"),
                            f"material {material!r} comes from {point!r}, which is fed by this "
                            "plant's own output: a cycle",
                        )
                    )
        cycle = _find_plant_cycle(self)
        if cycle:
            problems.append(
                (
                    ("plants", next(n for n in cycle if n in self.plants), "materials_from"),
                    "plants feed each other in a cycle: " + " → ".join(cycle),
                )
            )

    def _check_backup(
        self, name: str, point: StockPoint, backup: Backup, problems: Problems
    ) -> None:
        where = ("stock_points", name, "backup")
        if backup.source not in self.suppliers:
            if backup.source in self.stock_points:
                message = (
                    f"{backup.source!r} is a stock point; a backup source must be a supplier "
                    f"(known: {', '.join(sorted(self.suppliers))})"
                )
            else:
                message = _unknown("supplier", backup.source, self.suppliers)
            problems.append(((*where, "source"), message))
            return
        if backup.source == point.source:
            problems.append(
                (
                    (*where, "source"),
                    f"the backup must differ from the primary source ({point.source!r})",
                )
            )
        supplier = self.suppliers[backup.source]
        if point.item in self.items and point.item not in supplier.items:
            problems.append(
                (
                    (*where, "source"),
                    f"supplier {backup.source!r} does not supply item {point.item!r} "
                    f"(it supplies: {', '.join(supplier.items)})",
                )
            )
        if backup.split == "failover" and point.source in self.plants:
            problems.append(
                (
                    (*where, "split"),
                    f"the primary source {point.source!r} is a plant, which cannot tell whether "
                    "it delivers in time: failover is not supported; use split: shares",
                )
            )
        if (
            backup.split == "failover"
            and backup.failover_after_days > 0
            and point.source in self.stock_points
        ):
            problems.append(
                (
                    (*where, "failover_after_days"),
                    f"the primary source {point.source!r} is a stock point: orders fail over "
                    "when its stock cannot fill them at once, so a delay cannot be set; "
                    "remove failover_after_days",
                )
            )

    def _check_expedite(
        self, name: str, point: StockPoint, expedite: Expedite, problems: Problems
    ) -> None:
        where = ("stock_points", name, "expedite", "source")
        source = expedite.source
        if source is None:
            if point.source in self.suppliers:
                source = point.source
            else:
                if point.source in self.stock_points or point.source in self.plants:
                    kind = "stock point" if point.source in self.stock_points else "plant"
                    problems.append(
                        (
                            where,
                            f"required: the stock point's source {point.source!r} is a {kind}, "
                            "and expedited orders come from a supplier; name one "
                            f"(known: {', '.join(sorted(self.suppliers))})",
                        )
                    )
                return  # an unknown source is reported on the stock point itself
        if source not in self.suppliers:
            if source in self.stock_points or source in self.plants:
                kind = "stock point" if source in self.stock_points else "plant"
                message = (
                    f"{source!r} is a {kind}; expedited orders must come from a supplier "
                    f"(known: {', '.join(sorted(self.suppliers))})"
                )
            else:
                message = _unknown("supplier", source, self.suppliers)
            problems.append((where, message))
            return
        supplier = self.suppliers[source]
        # (a default source that lacks the item is reported on stock_points.NAME.source)
        item_known = point.item in self.items
        if expedite.source is not None and item_known and point.item not in supplier.items:
            problems.append(
                (
                    where,
                    f"supplier {source!r} does not supply item {point.item!r} "
                    f"(it supplies: {', '.join(supplier.items)})",
                )
            )

    def _check_policy(
        self, policy: PolicySpec, point: str, path: tuple[str | int, ...], problems: Problems
    ) -> None:
        if point not in self.stock_points:
            return
        if isinstance(policy, EOQSpec) and policy.order_quantity is None:
            self._check_eoq_inputs(policy, point, path, problems)
        if policy.needs_future_demand:
            serves_customers = any(c.buys_from == point for c in self.customers.values())
            feeds_points = any(p.source == point for p in self.stock_points.values())
            if not serves_customers or feeds_points:
                problems.append(
                    (
                        path,
                        "the oracle forecast needs a stock point that serves customers only "
                        f"({point!r} does not)",
                    )
                )

    def _check_eoq_inputs(
        self, policy: EOQSpec, point: str, path: tuple[str | int, ...], problems: Problems
    ) -> None:
        """The EOQ formula sqrt(2Kμ/h) needs K, μ and h > 0 unless ``order_quantity`` is given."""
        spec = self.stock_points[point]
        missing: list[str] = []
        item = self.items.get(spec.item)
        if item is not None and item.annual_holding_rate * item.unit_cost <= 0:
            missing.append(
                f"holding cost (item {spec.item!r} has holding_rate {item.annual_holding_rate:g}"
                f" and unit_cost {item.unit_cost:g})"
            )
        if spec.order_cost is not None:
            order_cost = spec.order_cost
        elif spec.source in self.suppliers:
            order_cost = self.suppliers[spec.source].order_cost
        else:
            order_cost = 0.0
        if order_cost <= 0:
            missing.append(f"order cost (order_cost is 0 on the lane into {point!r})")
        if policy.demand_per_day is None and planning_demand(self)[0][point] <= 0:
            missing.append(f"demand (no customer demand reaches {point!r}; or set demand_per_day)")
        if missing:
            problems.append(
                (
                    path,
                    "the EOQ formula needs a positive " + ", a positive ".join(missing) + "; "
                    "give order_quantity (units) instead",
                )
            )

    def _check_customers(self, problems: Problems) -> None:
        for name, customer in self.customers.items():
            if customer.buys_from not in self.stock_points:
                problems.append(
                    (
                        ("customers", name, "buys_from"),
                        _unknown("stock point", customer.buys_from, self.stock_points),
                    )
                )

    def _check_alternatives(self, problems: Problems) -> None:
        for alt, alternative in self.alternatives.items():
            for point, policy in alternative.policies.items():
                path: tuple[str | int, ...] = ("alternatives", alt, "policies", point)
                if point not in self.stock_points:
                    problems.append((path, _unknown("stock point", point, self.stock_points)))
                else:
                    self._check_policy(policy, point, path, problems)

    # -- conveniences -----------------------------------------------------------------------

    def alternative_names(self) -> list[str]:
        """Names of the alternatives; ``["base"]`` when the file defines none."""
        return list(self.alternatives) or ["base"]

    def switching_costs(self) -> dict[str, float]:
        """One-off switching cost of each alternative (currency)."""
        return {name: alt.switching_cost for name, alt in self.alternatives.items()}

    def __eq__(self, other: object) -> bool:
        """Equal fields (the cache of built alternatives does not count)."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable dict fields: not hashable anyway

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic); the alternatives' scenarios are built afresh for it."""
        copy = super().model_copy(update=update, deep=deep)
        copy._resolved = {}
        return copy

    def resolved_cache(self) -> dict[str, Scenario]:
        """Resolved scenario of each alternative (filled by :func:`~jitsim.scenario.resolve`)."""
        return self._resolved


def _raw_reference_problems(data: Any) -> Problems:
    """Dangling names in raw (possibly invalid) scenario data; only plain names are checked."""
    if not isinstance(data, dict):
        return []

    def names(section: str) -> dict[str, Any]:
        value = data.get(section)
        return value if isinstance(value, dict) else {}

    items, suppliers, points = names("items"), names("suppliers"), names("stock_points")
    plants = names("plants")
    problems: Problems = []

    def check(path: tuple[str | int, ...], value: Any, known: Any, what: str) -> None:
        if isinstance(value, str) and known and value not in known:
            problems.append((path, _unknown(what, value, known)))

    for name, supplier in suppliers.items():
        supplied = supplier.get("items") if isinstance(supplier, dict) else None
        for index, item in enumerate(supplied if isinstance(supplied, list) else []):
            check(("suppliers", name, "items", index), item, items, "item")
    for name, point in points.items():
        if isinstance(point, dict):
            check(("stock_points", name, "item"), point.get("item"), items, "item")
            check(
                ("stock_points", name, "source"),
                point.get("source"),
                [*suppliers, *points, *plants],
                "supplier, stock point or plant",
            )
            backup = point.get("backup")
            if isinstance(backup, dict) and backup.get("source") not in points:
                check(
                    ("stock_points", name, "backup", "source"),
                    backup.get("source"),
                    suppliers,
                    "supplier",
                )
            expedite = point.get("expedite")
            if isinstance(expedite, dict) and expedite.get("source") not in (*points, *plants):
                check(
                    ("stock_points", name, "expedite", "source"),
                    expedite.get("source"),
                    suppliers,
                    "supplier",
                )
    for name, customer in names("customers").items():
        if isinstance(customer, dict):
            check(
                ("customers", name, "buys_from"), customer.get("buys_from"), points, "stock point"
            )
    for name, alternative in names("alternatives").items():
        if isinstance(alternative, dict):
            chosen = alternative.get("policies", alternative)
            for point in chosen if isinstance(chosen, dict) else {}:
                if point not in _ALTERNATIVE_KEYS:
                    check(("alternatives", name, point), point, points, "stock point")
    problems += node_problems(data, _unknown)
    return problems


def _unknown(what: str, name: str, known: Any) -> str:
    names = ", ".join(sorted(known)) or "none"
    return f"unknown {what} {name!r} (known: {names})"


def _find_plant_cycle(scenario: Scenario) -> list[str] | None:
    """A cycle through two or more plants in the "draws from" graph, or None.

    Nodes are stock points and plants: a stock point draws from its source, a plant from the
    stock points of its materials. Cycles among stock points alone, and cycles through one
    plant, are reported by the other checks.
    """
    graph: dict[str, list[str]] = {
        name: [point.source] for name, point in scenario.stock_points.items()
    }
    for name in scenario.plants:
        graph[name] = list(material_sources(scenario, name).values())
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            cycle = [*path[path.index(node) :], node]
            return cycle if len(set(cycle) & set(scenario.plants)) >= 2 else None
        if node in done or node not in graph:
            return None
        path.append(node)
        for successor in graph[node]:
            found = visit(successor, path)
            if found:
                return found
        path.pop()
        done.add(node)
        return None

    for start in graph:
        found = visit(start, [])
        if found:
            return found
    return None


def _find_cycle(source_of: dict[str, str]) -> list[str] | None:
    """Return one cycle in the stock-point → source graph, or None."""
    for start in source_of:
        path = [start]
        node = source_of.get(start)
        while node in source_of:
            if node in path:
                return [*path[path.index(node) :], node]
            path.append(node)
            node = source_of[node]
    return None


__all__ = [
    "Alternative",
    "Backup",
    "Customer",
    "Expedite",
    "HoldingRate",
    "Item",
    "PoissonOrders",
    "Review",
    "RunSettings",
    "Scenario",
    "Seasonality",
    "StockPoint",
    "Supplier",
]
_ = Real
