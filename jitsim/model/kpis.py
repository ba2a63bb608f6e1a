"""The KPI catalogue: one flat record per replication.

Node-level KPIs are prefixed with the node name and a dot (``store.fill_rate``); network-level
KPIs have no prefix and describe service to customers and totals over all stock points. Costs
are totals over the measured window (after warm-up), in the scenario currency.

Which columns a record has depends on the scenario's parts, not on its alternative's choices:

* every stock point has the same columns, including those of incoming inspection, dual
  sourcing and expediting (0 without the feature), and the network has ``expedite_cost``,
  ``expedited_orders`` and ``expedited_units`` — so the alternatives of a scenario, which may
  add a backup or expediting, line up column by column;
* every plant adds its own columns (:meth:`Plant.kpis <jitsim.model.plant.Plant.kpis>`);
* only a scenario with a ``disruptions:`` section has the disruption columns
  (:func:`~jitsim.model.disruptions.disruption_kpis`);
* only a stock point with a ``capacity`` has the space columns, and the network their sums
  (:mod:`jitsim.model.space`; ``space_cost`` and ``overflow_cost`` are part of ``total_cost``);
* only a scenario that keeps a cash ledger (``finance:`` or any ``payment_terms``) has the
  cash-flow columns (:func:`~jitsim.model.ledger.cash_kpis`);
* only a scenario with an item's ``end_of_life`` has ``obsolescence_write_off`` and
  ``units_written_off`` (network, and every stock point of such an item:
  :mod:`jitsim.model.end_of_life`); the write-off is then part of ``total_cost``;
* a policy adds the values it derives (``Policy.derived``).

A KPI that cannot be computed in a replication is NaN ("undefined": an empty cell in files,
``null`` in JSON, "n/a" on screen), never ±inf: every ratio goes through :func:`_ratio`, which
is NaN when its denominator is not positive. Undefined are ``fill_rate`` without demand,
``order_fill_rate`` without orders, ``avg_order_qty`` without replenishment orders,
``inventory_turns`` without cash tied up, ``days_of_inventory`` when the turns are 0 or
undefined, ``bullwhip_ratio`` when weekly demand does not vary (:func:`_weekly_variance`) and
the weekly variances with fewer than two weeks; plants and disruptions document their own
(``docs/kpis.md``, generated from :mod:`jitsim.model.kpi_catalogue`, lists them all).

Totals are ``sum()`` of lists, not of generators: for the few terms of a record that takes half
the time, and a record is made for every replication.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.ledger import cash_kpis
from jitsim.model.shelf import shelf_kpis
from jitsim.model.space import SPACE_COSTS, space_kpis

if TYPE_CHECKING:
    from jitsim.model.network import Network
    from jitsim.model.stock_point import StockPoint

#: KPIs printed by ``jitsim run`` and ``jitsim compare`` (in this order) when present: the
#: waste, space and cash KPIs (``docs/waste-space-cash.md``) only in results of scenarios that
#: use those features, so other results show what they always showed.
HEADLINE_KPIS = (
    "total_cost",
    "expiry_cost",
    "obsolescence_write_off",
    "space_cost",
    "overflow_cost",
    "waste_share",
    "fill_rate",
    "cycle_service_level",
    "stockout_days",
    "avg_on_hand",
    "avg_cash_tied_up",
    "min_cash_balance",
    "financing_cost",
    "cash_to_cash_days",
    "orders_placed",
    "profit",
)

#: Costs of waste and space that are part of ``total_cost`` when the scenario uses the feature
#: (perishables, an end of life, warehouse capacity), in the order tables and figures show them.
WASTE_SPACE_COSTS = ("expiry_cost", "obsolescence_write_off", "space_cost", "overflow_cost")

#: KPIs where a larger value is worse (for risk summaries such as CVaR).
RISK_KPIS = frozenset(
    {"total_cost", "stockout_days", "lost_sales_units", "backordered_units", "shortage_cost"}
)


#: KPIs (by their unprefixed name) for which a larger value is better.
HIGHER_IS_BETTER = frozenset(
    {
        "fill_rate",
        "order_fill_rate",
        "cycle_service_level",
        "ready_rate",
        "revenue",
        "profit",
        "sold_units",
        "inventory_turns",
        "min_cash_balance",
        "end_cash_balance",
        "start_cash_balance",
        "cash_from_customers",
        "early_payment_discounts",
        "dpo",
    }
)
#: KPIs for which a smaller value is better.
LOWER_IS_BETTER = frozenset(
    {
        "stockout_days",
        "backordered_units",
        "lost_sales_units",
        "avg_on_hand",
        "avg_backorders",
        "avg_on_order",
        "avg_on_hand_eod",
        "avg_backorders_eod",
        "avg_on_order_eod",
        "holding_cost",
        "obsolescence_cost",
        "obsolescence_write_off",
        "units_written_off",
        "ordering_cost",
        "shortage_cost",
        "purchase_cost",
        "quality_cost",
        "expedite_cost",
        "expedited_orders",
        "expedited_units",
        "total_cost",
        "avg_cash_tied_up",
        "peak_cash_tied_up",
        "days_of_inventory",
        "orders_rounded_up",
        "units_added_by_rounding",
        "bullwhip_ratio",
        "order_variance_weekly",
        "units_rejected",
        "inspection_cost",
        "downtime_days",
        "units_destroyed",
        "refused_orders",
        "lost_sales_in_disruption",
        "disrupted_days",
        "peak_space_used",
        "overflow_units",
        "overflow_cost",
        "space_cost",
        "refused_deliveries",
        "refused_units",
        "financing_cost",
        "peak_working_capital",
        "avg_receivables",
        "dio",
        "dso",
        "cash_to_cash_days",
        "units_expired",
        "expiry_cost",
        "waste_share",
        "avg_age_at_sale",
        "units_marked_down",
        "markdown_revenue_lost",
    }
)


def direction(kpi: str) -> int:
    """+1 if larger is better, −1 if smaller is better, 0 if neither (e.g. demand)."""
    base = kpi.rsplit(".", 1)[-1]
    if base in HIGHER_IS_BETTER:
        return 1
    if base in LOWER_IS_BETTER:
        return -1
    return 0


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN (undefined, an empty cell in files) when the
    denominator is not positive or the ratio is not finite — never ``inf``.

    Element-wise when either is an array (the fast engine's replications, :mod:`jitsim.fast`):
    the same IEEE divisions, so the same values."""
    if isinstance(numerator, np.ndarray) or isinstance(denominator, np.ndarray):
        return _ratios(numerator, denominator)
    if not denominator > 0:
        return math.nan
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else math.nan


def _ratios(numerator: float | np.ndarray, denominator: float | np.ndarray) -> np.ndarray:
    """:func:`_ratio` element-wise over arrays of replications."""
    defined = np.asarray(denominator) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(numerator) / np.where(defined, denominator, 1.0)
    return np.where(defined & np.isfinite(ratio), ratio, math.nan)


def _real(value: float) -> float:
    """``float(value)``; an array of replications (:mod:`jitsim.fast`) as an array of floats."""
    if isinstance(value, np.ndarray):
        return value.astype(float)
    return float(value)


#: Relative size (standard deviation ÷ mean) below which a weekly variance is rounding noise.
_VARIANCE_NOISE = 1e-9


def _weekly_variance(variance: float, mean: float) -> float:
    """A weekly variance, 0 when it is below the rounding noise of sums of its size.

    Weekly totals are differences of running float sums: a constant demand of 8.3 a day gives
    a variance of about 1e-27 units², not 0, and the bullwhip ratio over it would be ~1e26.
    Element-wise over arrays of replications (:mod:`jitsim.fast`).
    """
    if isinstance(variance, np.ndarray) or isinstance(mean, np.ndarray):
        return np.where(variance <= (_VARIANCE_NOISE * mean) ** 2, 0.0, variance)
    return 0.0 if variance <= (_VARIANCE_NOISE * mean) ** 2 else variance


def _obsolescence_share(network: Network, point: StockPoint) -> float:
    """Fraction of the holding rate that is obsolescence (0 when given as one number)."""
    scenario = network.scenario
    item = scenario.items[scenario.stock_points[point.name].item]
    total = item.annual_holding_rate
    parts = item.holding_rate
    if total <= 0 or isinstance(parts, float | int):
        return 0.0
    return parts.obsolescence / total


def stock_point_kpis(network: Network, point: StockPoint) -> dict[str, float]:
    """KPIs of one stock point (unprefixed names)."""
    window = network.horizon - network.window_start
    days = point.days or 1
    end_of_day = network.scenario.run.cost_basis == "end_of_day"
    unit_days = point.eod_on_hand if end_of_day else point.area_on_hand
    carrying = point.holding_per_unit_day * unit_days
    obsolete = carrying * _obsolescence_share(network, point)
    shortage_time = point.eod_shortage_cost if end_of_day else point.area_shortage_cost
    penalties = sum(
        [
            c.shortage_penalties
            for name, c in network.customers.items()
            if network.scenario.customers[name].buys_from == point.name
        ]
    )
    avg_cash = point.area_cash / window
    cogs = point.shipped_units * point.unit_cost
    weekly = point.weekly
    order_variance, demand_variance = weekly.variances()
    order_var = _weekly_variance(order_variance, weekly.order_mean)
    demand_var = _weekly_variance(demand_variance, weekly.demand_mean)
    turns = _ratio(cogs * network.scenario.run.days_per_year / window, avg_cash)
    record = {
        "demand_units": point.demand_units,
        "fill_rate": _ratio(point.filled_on_arrival, point.demand_units),
        "order_fill_rate": _ratio(point.orders_complete, point.demand_orders),
        "cycle_service_level": 1.0 - point.stockout_days / days,
        "ready_rate": point.area_ready / window,
        "stockout_days": _real(point.stockout_days),
        "backordered_units": point.backordered_units,
        "lost_sales_units": point.lost_units,
        "avg_on_hand": point.area_on_hand / window,
        "avg_backorders": point.area_backorders / window,
        "avg_on_order": point.area_on_order / window,
        "avg_on_hand_eod": point.eod_on_hand / days,
        "avg_backorders_eod": point.eod_backorders / days,
        "avg_on_order_eod": point.eod_on_order / days,
        "orders_placed": _real(point.orders_placed),
        "avg_order_qty": _ratio(point.ordered_units, point.orders_placed),
        "orders_rounded_up": _real(point.rounded_orders),
        "units_added_by_rounding": point.rounding_units,
        "holding_cost": carrying - obsolete,
        "obsolescence_cost": obsolete,
        "ordering_cost": point.ordering_cost,
        "shortage_cost": shortage_time + penalties,
        "purchase_cost": point.purchase_cost,
        "bought_units": point.bought_units,
        "avg_cash_tied_up": avg_cash,
        "peak_cash_tied_up": point.peak_cash,
        "inventory_turns": turns,
        "days_of_inventory": _ratio(network.scenario.run.days_per_year, turns),
        "bullwhip_ratio": _ratio(order_var, demand_var),
        "order_variance_weekly": order_var,
        "demand_variance_weekly": demand_var,
    }
    record.update(_supply_feature_kpis(point))
    if point.space is not None:  # only stock points with a capacity
        record.update(point.space.kpis(point, window))
    if point.shelf is not None:  # perishable items only
        record.update(point.shelf.kpis())
    record.update(point.policy.derived())
    return record


def _supply_feature_kpis(point: StockPoint) -> dict[str, float]:
    """Incoming inspection, dual sourcing and expediting of a stock point: 0 without them."""
    expedite = point.expedite
    return {
        "units_inspected": point.units_inspected,
        "units_rejected": point.units_rejected,
        "inspection_cost": point.inspection_cost,
        "orders_to_backup": _real(point.orders_to_backup),
        "units_from_backup": point.units_from_backup,
        "expedited_orders": _real(expedite.orders) if expedite is not None else 0.0,
        "expedited_units": expedite.units if expedite is not None else 0.0,
        "expedite_cost": expedite.cost if expedite is not None else 0.0,
    }


def extract(network: Network) -> dict[str, float]:
    """The flat KPI record of a finished replication."""
    window = network.horizon - network.window_start
    record: dict[str, float] = {"window_days": float(window)}
    per_point = {name: stock_point_kpis(network, p) for name, p in network.points.items()}
    per_plant = {name: plant.kpis(float(network.horizon)) for name, plant in network.plants.items()}
    if network.end_of_life is not None:  # write-offs of the stock points of ending items
        for name, values in network.end_of_life.point_kpis().items():
            per_point[name].update(values)
    perishable = (
        shelf_kpis(network) if any(p.shelf is not None for p in network.points.values()) else {}
    )
    record.update(_service_kpis(network, per_point))
    record.update(_cost_kpis(network, per_point, per_plant, perishable))
    for name, values in per_plant.items():
        for kpi, value in values.items():
            record[f"{name}.{kpi}"] = value
    for name, values in per_point.items():
        for kpi, value in values.items():
            record[f"{name}.{kpi}"] = value
    for name, customer in network.customers.items():
        record[f"{name}.demand_units"] = customer.demand_units
        record[f"{name}.sold_units"] = customer.filled_on_arrival + customer.late_units
        record[f"{name}.fill_rate"] = _ratio(customer.filled_on_arrival, customer.demand_units)
        record[f"{name}.revenue"] = customer.revenue
    if network.disruptions is not None:  # only scenarios with a disruptions section
        record.update(network.disruptions.kpis(network))
    return record


def _service_kpis(network: Network, per_point: dict[str, dict[str, float]]) -> dict[str, float]:
    """Service to the customers, and stock and orders summed over the stock points."""
    window = network.horizon - network.window_start
    customers = list(network.customers.values())
    facing = [network.points[name] for name in network.customer_of_point]
    demand = sum([c.demand_units for c in customers])
    filled = sum([c.filled_on_arrival for c in customers])
    days = network.days or 1

    def total(kpi: str) -> float:
        return sum([values[kpi] for values in per_point.values()])

    return {
        "demand_units": demand,
        "fill_rate": _ratio(filled, demand),
        "order_fill_rate": _ratio(
            sum([c.orders_complete for c in customers]), sum([c.demand_orders for c in customers])
        ),
        "cycle_service_level": network.days_all_met / days,
        "ready_rate": sum([p.area_ready for p in facing]) / (window * len(facing)),
        "stockout_days": _real(network.days - network.days_all_met),
        "backordered_units": sum([c.backordered_units for c in customers]),
        "lost_sales_units": sum([c.lost_units for c in customers]),
        "sold_units": filled + sum([c.late_units for c in customers]),
        "avg_on_hand": total("avg_on_hand"),
        "avg_backorders": sum([p.area_customer_backorders for p in facing]) / window,
        "avg_on_order": total("avg_on_order"),
        "avg_on_hand_eod": total("avg_on_hand_eod"),
        "avg_backorders_eod": sum([p.eod_customer_backorders for p in facing]) / days,
        "orders_placed": total("orders_placed"),
        "avg_order_qty": _ratio(
            sum([p.ordered_units for p in network.points.values()]), total("orders_placed")
        ),
    }


def _cost_kpis(
    network: Network,
    per_point: dict[str, dict[str, float]],
    per_plant: dict[str, dict[str, float]],
    perishable: dict[str, float],
) -> dict[str, float]:
    """Costs, revenue, profit and cash tied up of the whole network (``perishable``: the
    columns of :func:`~jitsim.model.shelf.shelf_kpis`, empty without perishable items)."""
    window = network.horizon - network.window_start
    customers = list(network.customers.values())

    def total(kpi: str) -> float:
        return sum([values[kpi] for values in per_point.values()])

    costs = {
        kind: total(kind)
        for kind in ("holding_cost", "obsolescence_cost", "ordering_cost", "shortage_cost")
    }
    # quality cost is a sum over its parts (plants add theirs: scrap, rework, ...)
    quality_parts = {
        "inspection_cost": total("inspection_cost")
        + sum([values["inspection_cost"] for values in per_plant.values()]),
        "rework_cost": sum([values["rework_cost"] for values in per_plant.values()]),
        "scrap_cost": sum([values["scrap_cost"] for values in per_plant.values()]),
    }
    quality_cost = sum(quality_parts.values())
    scrapped_materials = sum([v["scrapped_material_value"] for v in per_plant.values()])
    expedite_cost = total("expedite_cost")  # premiums and fixed costs of emergency orders
    space = space_kpis(per_point)  # empty without capacities
    total_cost = (
        sum(costs.values())
        + quality_cost
        + expedite_cost
        + sum([space.get(kind, 0.0) for kind in SPACE_COSTS])  # reserved and overflow space
    )
    ending: dict[str, float] = {}
    written_off_value = 0.0  # unit cost of the units written off, paid in purchase_cost
    if network.end_of_life is not None:  # an item's end of life: the write-off is a cost
        units, write_off, written_off_value = network.end_of_life.totals()
        ending = {"obsolescence_write_off": write_off, "units_written_off": units}
        total_cost += write_off
    # Expired units were paid in purchase_cost and are charged (unit cost − salvage) in
    # expiry_cost: add back their unit cost, as for scrapped materials, so that profit counts
    # each expired unit once (its purchase, less the salvage recovered).
    expired_value = perishable.get("expired_value", 0.0)
    if perishable:
        total_cost += perishable["expiry_cost"]
    revenue = sum([c.revenue for c in customers])
    purchase = total("purchase_cost")
    # Cash tied up: stock at every point plus work in process at material cost.
    avg_cash = total("avg_cash_tied_up") + sum([v["avg_wip_value"] for v in per_plant.values()])
    cogs = sum(
        [
            (c.filled_on_arrival + c.late_units)
            * network.points[network.scenario.customers[c.name].buys_from].unit_cost
            for c in customers
        ]
    )
    turns = _ratio(cogs * network.scenario.run.days_per_year / window, avg_cash)
    record = {
        **costs,
        "purchase_cost": purchase,
        "bought_units": total("bought_units"),
        "quality_cost": quality_cost,
        "expedite_cost": expedite_cost,
        "expedited_orders": total("expedited_orders"),
        "expedited_units": total("expedited_units"),
        **space,
        **ending,
        "total_cost": total_cost,
        "revenue": revenue,
        # Scrapped materials are in quality_cost, written-off units in the write-off and
        # expired units in expiry_cost, at their unit cost: all were already paid in
        # purchase_cost, so their unit cost is added back.
        "profit": revenue
        - purchase
        - total_cost
        + scrapped_materials
        + written_off_value
        + expired_value,
        "avg_cash_tied_up": avg_cash,
        "peak_cash_tied_up": network.peak_cash,
        "inventory_turns": turns,
        "days_of_inventory": _ratio(network.scenario.run.days_per_year, turns),
        **{kpi: value for kpi, value in perishable.items() if kpi != "expired_value"},
    }
    if network.ledger is not None:  # only scenarios with finance: or payment_terms
        cash = cash_kpis(
            network.ledger, window=window, inventory_value=avg_cash, cogs=cogs, revenue=revenue
        )
        record.update(cash)
        # purchase_cost is at the list price; a discount taken for paying early lowers what
        # the purchases really cost
        record["profit"] += cash["early_payment_discounts"]
    return record
