"""What every KPI of :mod:`jitsim.model.kpis` measures: its exact definition, unit and scope.

``docs/kpis.md`` is generated from :data:`KPI_DEFINITIONS` (``python -m
jitsim.output.kpi_reference > docs/kpis.md``), and a test checks that every KPI column the
bundled scenarios produce has exactly one definition here, so the page cannot drift from the
code. A record's columns are ``NAME`` (network) or ``PREFIX.NAME`` where the prefix names a
stock point, customer, plant, supplier or disruption event: :func:`definition_of` finds the
definition of a column given the scope of its prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KPI_DEFINITIONS", "SCOPES", "KpiDefinition", "definition_of"]

#: Where a KPI is measured, and how its column is named.
SCOPES = {
    "network": "`NAME`: the whole network (service to all customers, totals over stock points)",
    "stock point": "`STOCK_POINT.NAME`: one stock point",
    "customer": "`CUSTOMER.NAME`: one customer",
    "plant": "`PLANT.NAME`: one plant (`docs/factory.md`)",
    "supplier": "`SUPPLIER.NAME`: one supplier (scenarios with disruptions only)",
    "event": "`EVENT.NAME`: one disruption event (scenarios with disruptions only)",
}


@dataclass(frozen=True)
class KpiDefinition:
    """One KPI: what it measures, in which unit, and when it is undefined.

    Parameters
    ----------
    name : str
        The KPI's name without prefix (``fill_rate``).
    scopes : tuple of str
        Where it is reported (keys of :data:`SCOPES`).
    unit : str
        Its unit: ``currency`` (the scenario's ``run.currency``), ``units``, ``days``, ...
    group : str
        The section of ``docs/kpis.md`` it is listed in.
    definition : str
        Exactly what it measures (Markdown).
    undefined : str
        When it is undefined (NaN: an empty cell, ``null`` in JSON, "n/a" on screen); empty
        when it is always defined.
    """

    name: str
    scopes: tuple[str, ...]
    unit: str
    group: str
    definition: str
    undefined: str = ""


_N, _S, _C, _P = "network", "stock point", "customer", "plant"
_WINDOW = "over the measured window (after warm-up)"


def _kpi(
    name: str,
    scopes: tuple[str, ...],
    unit: str,
    group: str,
    definition: str,
    undefined: str = "",
) -> KpiDefinition:
    return KpiDefinition(name, scopes, unit, group, definition, undefined)


_SERVICE = "Service"
_STOCK = "Stock and orders"
_COST = "Cost and money"
_CASH = "Cash tied up"
_VARIABILITY = "Variability (bullwhip)"
_SUPPLY = "Inspection, dual sourcing and expediting"
_POLICY = "Values derived by policies"
_PLANT = "Plants"
_DISRUPTION = "Disruptions"
_SPACE = "Warehouse space"
_CAPACITY_UNIT = "in the stock point's `capacity_unit` (units, or m³ = units × item `volume`)"
_FINANCE = "Cash flow and payment terms"
_LEDGER = "(scenarios with `finance:` or `payment_terms` only; docs/waste-space-cash.md)"
_WASTE = "Waste: perishables and end of life"
_PERISHABLE = "scenarios with a perishable item (`items.X.shelf_life`) only"

#: Every KPI, in the order of ``docs/kpis.md``.
KPI_DEFINITIONS: tuple[KpiDefinition, ...] = (
    _kpi("window_days", (_N,), "days", _SERVICE,
         "Days measured: `horizon_days − warmup_days`."),
    _kpi("demand_units", (_N, _S, _C), "units", _SERVICE,
         f"Units demanded {_WINDOW}. At a stock point that feeds others (a distribution "
         "centre), demand is the units its customers and the downstream stock points ordered."),
    _kpi("fill_rate", (_N, _S, _C), "share (0–1)", _SERVICE,
         "Units shipped from stock on arrival ÷ units demanded (type-2 service, β). Network: "
         "over all customers.",
         "no units were demanded in the window"),
    _kpi("order_fill_rate", (_N, _S), "share (0–1)", _SERVICE,
         "Orders filled completely from stock on arrival ÷ orders (network: customer orders; "
         "stock point: orders of its customers and downstream stock points).",
         "no orders arrived"),
    _kpi("cycle_service_level", (_N, _S), "share (0–1)", _SERVICE,
         "Share of the measured days on which all of the day's demand was met from stock "
         "(α, per day). Network: days on which every customer was served in full."),
    _kpi("ready_rate", (_N, _S), "share (0–1)", _SERVICE,
         "Share of time with stock on hand > 0, time-weighted. Network: averaged over the "
         "customer-facing stock points."),
    _kpi("stockout_days", (_N, _S), "days", _SERVICE,
         "Days with any demand not met from stock on arrival. Network: days on which some "
         "customer was not served in full."),
    _kpi("backordered_units", (_N, _S), "units", _SERVICE,
         "Units not met from stock and backordered (delivered later)."),
    _kpi("lost_sales_units", (_N, _S), "units", _SERVICE,
         "Units not met from stock and lost (`unmet: lost_sale`)."),
    _kpi("sold_units", (_N, _C), "units", _SERVICE,
         "Units delivered to customers: on arrival plus backorders filled in the window."),
    _kpi("avg_on_hand", (_N, _S), "units", _STOCK,
         "Time-weighted average stock on hand (network: summed over the stock points)."),
    _kpi("avg_backorders", (_N, _S), "units", _STOCK,
         "Time-weighted average backorders; the network counts customer backorders only."),
    _kpi("avg_on_order", (_N, _S), "units", _STOCK,
         "Time-weighted average stock on order (placed, not yet received)."),
    _kpi("avg_on_hand_eod", (_N, _S), "units", _STOCK,
         "Average of the end-of-day snapshots of stock on hand."),
    _kpi("avg_backorders_eod", (_N, _S), "units", _STOCK,
         "Average of the end-of-day snapshots of backorders (network: customer backorders)."),
    _kpi("avg_on_order_eod", (_S,), "units", _STOCK,
         "Average of the end-of-day snapshots of stock on order."),
    _kpi("orders_placed", (_N, _S), "orders", _STOCK,
         "Replenishment orders placed by the policies (expedited orders are counted apart)."),
    _kpi("avg_order_qty", (_N, _S), "units", _STOCK,
         "Units ordered ÷ replenishment orders placed.",
         "no replenishment orders were placed"),
    _kpi("orders_rounded_up", (_S,), "orders", _STOCK,
         "Orders enlarged by the supplier's minimum order or lot multiple."),
    _kpi("units_added_by_rounding", (_S,), "units", _STOCK,
         "Units added to orders by that rounding."),
    _kpi("holding_cost", (_N, _S), "currency", _COST,
         "Carrying cost h × stock on hand, without its obsolescence share, with h = annual "
         "holding rate × unit cost ÷ `days_per_year` per unit-day; time-weighted, or on the "
         "end-of-day snapshots with `run.cost_basis: end_of_day`."),
    _kpi("obsolescence_cost", (_N, _S), "currency", _COST,
         "The obsolescence share of the carrying cost (when `holding_rate` is given in parts; "
         "0 otherwise)."),
    _kpi("ordering_cost", (_N, _S), "currency", _COST,
         "Fixed cost K × replenishment orders placed."),
    _kpi("shortage_cost", (_N, _S), "currency", _COST,
         "Backorder cost per unit-day late + one-off cost per unit backordered + lost-sale "
         "penalty per unit lost (the lost margin is not in it: see `profit`)."),
    _kpi("purchase_cost", (_N, _S), "currency", _COST,
         "Units bought from suppliers × purchase price (internal transfers are free)."),
    _kpi("bought_units", (_N, _S), "units", _COST,
         "Units ordered from suppliers (regular, backup and expedited orders; not internal "
         "transfers): `purchase_cost ÷ bought_units` is the average price paid."),
    _kpi("quality_cost", (_N,), "currency", _COST,
         "Incoming inspection cost at stock points plus every plant's rework, scrap and "
         "inspection costs (part of `total_cost`)."),
    _kpi("expedite_cost", (_N, _S), "currency", _COST,
         "Premium per unit × expedited units + fixed cost per expedited order; 0 without "
         "expediting; part of `total_cost`."),
    _kpi("total_cost", (_N,), "currency", _COST,
         "holding + obsolescence + ordering + shortage + quality + expedite costs over the "
         "measured window, + `space_cost` + `overflow_cost` when a stock point has a "
         "`capacity`, + `obsolescence_write_off` when an item has an end of life, + "
         "`expiry_cost` with perishable items; purchases excluded."),
    _kpi("revenue", (_N, _C), "currency", _COST,
         "Price × units delivered to customers (on arrival or from backorder)."),
    _kpi("profit", (_N,), "currency", _COST,
         "revenue − purchase cost − total cost, adding back the material value of scrapped "
         "units, the unit cost of units written off at an end of life and the unit cost of "
         "units expired (all already paid in purchase cost); lost margin shows up here. With a "
         "cash ledger, the early-payment discounts taken are added (purchase cost is at list "
         "price); `financing_cost` is not subtracted."),
    _kpi("avg_cash_tied_up", (_N, _S), "currency", _CASH,
         "Time-weighted value at unit cost of stock on hand plus owned in-transit stock "
         "(orders between stock points, and from suppliers with `title_transfer: shipment`); "
         "the network adds plants' work in process at material cost."),
    _kpi("peak_cash_tied_up", (_N, _S), "currency", _CASH,
         "The highest cash tied up in the window, as checked right after each receipt."),
    _kpi("inventory_turns", (_N, _S), "per year", _CASH,
         "Cost of goods sold per year (units delivered × unit cost × `days_per_year` ÷ window "
         "days) ÷ `avg_cash_tied_up`.",
         "no cash was tied up (`avg_cash_tied_up` = 0)"),
    _kpi("days_of_inventory", (_N, _S), "days", _CASH,
         "`days_per_year` ÷ `inventory_turns`.",
         "`inventory_turns` is 0 (nothing sold) or undefined"),
    _kpi("start_cash_balance", (_N,), "currency", _FINANCE,
         "Cash balance at the start of the measured window: `finance.opening_cash` plus "
         f"everything received and minus everything paid during the warm-up {_LEDGER}."),
    _kpi("min_cash_balance", (_N,), "currency", _FINANCE,
         "Lowest cash balance of the window: the least of `start_cash_balance` and the "
         "balances at the end-of-day snapshots (after that day's interest)."),
    _kpi("end_cash_balance", (_N,), "currency", _FINANCE,
         "Cash balance at the end of the run (the last snapshot, after its interest). "
         "`end_cash_balance − start_cash_balance = cash_from_customers − "
         "cash_paid_to_suppliers − cash_paid_for_costs − financing_cost + "
         "cash_from_salvage`."),
    _kpi("financing_cost", (_N,), "currency", _FINANCE,
         "Interest on a negative balance: at every end-of-day snapshot of the window, "
         "−balance × `interest_rate_per_year` ÷ `days_per_year` when the balance is below 0 "
         "(compounded daily). **Not** part of `total_cost`: the capital part of the holding "
         "rate already prices the money tied up in stock."),
    _kpi("cash_from_customers", (_N,), "currency", _FINANCE,
         "Money received from customers in the window: revenue − the change in receivables "
         "(a sale is invoiced when it ships and paid on the customer's `payment_terms`)."),
    _kpi("cash_paid_to_suppliers", (_N,), "currency", _FINANCE,
         "Money paid for suppliers' invoices in the window: purchases invoiced (good units "
         "arrived × purchase price) − the change in payables − early-payment discounts."),
    _kpi("cash_paid_for_costs", (_N,), "currency", _FINANCE,
         "Money paid in the window for ordering costs (when an order is placed), expediting "
         "premiums and fixed costs (when the emergency order is placed) and incoming "
         "inspection (when a delivery is inspected), and reserved and overflow space (at each "
         "end-of-day snapshot). Holding and shortage costs are imputed, not paid."),
    _kpi("cash_from_salvage", (_N,), "currency", _FINANCE,
         "Money recovered in the window by selling units for their `salvage_value` when they "
         "expire or are written off at an end of life (units left at the horizon's end are "
         "sold after it and bring no cash in the run)."),
    _kpi("early_payment_discounts", (_N,), "currency", _FINANCE,
         "Discounts taken by paying suppliers' invoices early (`early_discount` × invoices "
         "paid in the window)."),
    _kpi("avg_receivables", (_N,), "currency", _FINANCE,
         "Time-weighted money owed by customers (invoiced, not yet paid) over the window."),
    _kpi("avg_payables", (_N,), "currency", _FINANCE,
         "Time-weighted money owed to suppliers (invoiced at the full price, not yet paid) "
         "over the window."),
    _kpi("peak_working_capital", (_N,), "currency", _FINANCE,
         "Largest working capital — inventory value (on hand and owned in transit at unit "
         "cost, plus work in process) + receivables − payables — at the start of the window "
         "and at its end-of-day snapshots."),
    _kpi("dio", (_N,), "days", _FINANCE,
         "Days inventory outstanding (SCOR): `avg_cash_tied_up` ÷ (cost of goods sold ÷ "
         "window days) — the same number as the network's `days_of_inventory`.",
         "nothing was sold in the window"),
    _kpi("dso", (_N,), "days", _FINANCE,
         "Days sales outstanding (SCOR): `avg_receivables` ÷ (revenue ÷ window days).",
         "no revenue in the window"),
    _kpi("dpo", (_N,), "days", _FINANCE,
         "Days payables outstanding (SCOR): `avg_payables` ÷ (purchases invoiced ÷ window "
         "days).",
         "nothing was invoiced by suppliers in the window"),
    _kpi("cash_to_cash_days", (_N,), "days", _FINANCE,
         "Cash-to-cash cycle time (SCOR): `dio + dso − dpo`, the days between paying for "
         "stock and being paid for it.",
         "`dio`, `dso` or `dpo` is undefined"),
    _kpi("bullwhip_ratio", (_S,), "ratio", _VARIABILITY,
         "`order_variance_weekly` ÷ `demand_variance_weekly`: compares the variances of "
         "**weekly sums** (not of daily values); > 1 means the stock point amplifies demand "
         "variability upstream.",
         "weekly demand does not vary (constant or zero demand), or fewer than two full weeks"),
    _kpi("order_variance_weekly", (_S,), "units²", _VARIABILITY,
         "Sample variance (ddof = 1) of the units ordered per week (expedited units included); "
         "weeks are 7-day blocks from the end of warm-up, a partial last week is ignored.",
         "fewer than two full weeks in the window"),
    _kpi("demand_variance_weekly", (_S,), "units²", _VARIABILITY,
         "Sample variance (ddof = 1) of the units demanded per week (customers plus "
         "downstream orders), over the same weeks.",
         "fewer than two full weeks in the window"),
    _kpi("units_inspected", (_S,), "units", _SUPPLY,
         "Units arriving from suppliers with a `defect_rate` or an `inspection_cost_per_unit`."),
    _kpi("units_rejected", (_S,), "units", _SUPPLY,
         "Inspected units rejected as defective."),
    _kpi("inspection_cost", (_S,), "currency", _SUPPLY,
         "Units inspected × the supplier's inspection cost per unit."),
    _kpi("orders_to_backup", (_S,), "orders", _SUPPLY,
         "Dual sourcing: orders sent to the `backup` supplier."),
    _kpi("units_from_backup", (_S,), "units", _SUPPLY,
         "Dual sourcing: good units received from the backup supplier."),
    _kpi("expedited_orders", (_N, _S), "orders", _SUPPLY,
         "Emergency orders placed by `expedite:` rules (also bought at the purchase price); "
         "0 without expediting."),
    _kpi("expedited_units", (_N, _S), "units", _SUPPLY,
         "Units of those emergency orders; 0 without expediting."),
    _kpi("eoq_order_quantity", (_S,), "units", _POLICY,
         "The `eoq` policy's order quantity Q* = √(2KD/h).",
         "alternatives whose policy is not `eoq`"),
    _kpi("eoq_reorder_point", (_S,), "units", _POLICY,
         "The `eoq` policy's reorder point.", "alternatives whose policy is not `eoq`"),
    _kpi("eoq_safety_stock", (_S,), "units", _POLICY,
         "The `eoq` policy's safety stock.", "alternatives whose policy is not `eoq`"),
    _kpi("jit_cover_days", (_S,), "days", _POLICY,
         "Days of forecast demand the `jit` policy covers: E[L] + R + `safety_days`.",
         "alternatives whose policy is not `jit`"),
    _kpi("kanban_loop_units", (_S,), "units", _POLICY,
         "Units in a kanban loop: cards × container size.",
         "alternatives whose policy is not `kanban`"),
    _kpi("production_orders", (_P,), "orders", _PLANT,
         "Production orders received from the plant's finished-goods stock points."),
    _kpi("units_started", (_P,), "units", _PLANT,
         "Units whose processing started (replacements of scrapped units included)."),
    _kpi("units_produced", (_P,), "units", _PLANT,
         "Good units that left for the finished-goods stock points."),
    _kpi("units_defective", (_P,), "units", _PLANT, "Units found defective at inspection."),
    _kpi("rework_attempts", (_P,), "attempts", _PLANT, "Rework attempts made."),
    _kpi("units_reworked", (_P,), "units", _PLANT, "Units repaired by rework."),
    _kpi("units_scrapped", (_P,), "units", _PLANT,
         "Units scrapped (each replaced by a new batch of one)."),
    _kpi("first_pass_yield", (_P,), "share (0–1)", _PLANT,
         "(units inspected − defective) ÷ units inspected.", "no unit was inspected"),
    _kpi("avg_wip_units", (_P,), "units", _PLANT,
         "Time-average units in process, from the release of their batch to leaving the plant."),
    _kpi("avg_wip_value", (_P,), "currency", _PLANT,
         "Their material value at unit cost, time-averaged."),
    _kpi("production_lead_time", (_P,), "days", _PLANT,
         "Mean days from release to leaving, over the units that left (good or scrapped).",
         "no unit left the plant"),
    _kpi("throughput_per_day", (_P,), "units/day", _PLANT,
         "Units leaving per day (good or scrapped): `avg_wip_units ≈ throughput_per_day × "
         "production_lead_time` (Little's law)."),
    _kpi("line_utilization", (_P,), "share (0–1)", _PLANT,
         "Busy line time (setup, processing, rework on the line) ÷ (lines × window days)."),
    _kpi("material_shortage_hours", (_P,), "hours", _PLANT,
         "Line-hours a released batch waited for its materials."),
    _kpi("rework_cost", (_P,), "currency", _PLANT, "Rework attempts × cost per attempt."),
    _kpi("scrap_cost", (_P,), "currency", _PLANT,
         "Scrapped units × (disposal cost + material value)."),
    _kpi("scrapped_material_value", (_P,), "currency", _PLANT,
         "Material value of the scrapped units (part of `scrap_cost`)."),
    _kpi("inspection_cost", (_P,), "currency", _PLANT,
         "Units inspected × the plant's inspection cost per unit."),
    _kpi("quality_cost", (_P,), "currency", _PLANT,
         "rework + scrap + inspection costs of the plant."),
    _kpi("units_expired", (_N, _S), "units", _WASTE,
         f"Units whose shelf life ended on hand {_WINDOW}: removed at the start of the day "
         f"(`docs/waste-space-cash.md`). Network: the sum over stock points; {_PERISHABLE}."),
    _kpi("expiry_cost", (_N, _S), "currency", _WASTE,
         "(unit cost − `salvage_value`) × `units_expired`; part of `total_cost`, and profit "
         f"adds back unit cost × units expired (their purchase is in purchase cost); "
         f"{_PERISHABLE}."),
    _kpi("waste_share", (_N, _S), "share (0–1)", _WASTE,
         "`units_expired` ÷ units received, the stock on hand at the start of the window "
         "counting as received then (stock point: every unit put away there; network: units "
         "expired anywhere ÷ (stock on hand anywhere at the start + units received at the "
         f"stock points fed by a supplier or a plant)); {_PERISHABLE}.",
         "no unit was received"),
    _kpi("avg_age_at_sale", (_N, _S), "days", _WASTE,
         "Σ units × (time of sale − arrival at the first stock point, or finishing at the "
         "plant with `shelf_life_from: production`) ÷ units sold to customers (on arrival or "
         f"from backorder); {_PERISHABLE}.",
         "no unit was sold"),
    _kpi("units_marked_down", (_N, _S), "units", _WASTE,
         "Units sold with at most `markdown.days_before_expiry` days of shelf life left, at "
         f"price × `price_factor`; 0 without `markdown`; {_PERISHABLE}."),
    _kpi("markdown_revenue_lost", (_N, _S), "currency", _WASTE,
         "Σ over marked-down units of the customer's price × (1 − `price_factor`): revenue "
         f"is net of it; {_PERISHABLE}."),
    _kpi("downtime_days", (_S, _P, "supplier"), "days", _DISRUPTION,
         "Days the supplier or plant was down, or the stock point's inbound lanes were closed, "
         "in the measured window (0 when never down)."),
    _kpi("units_destroyed", (_N, _S), "units", _DISRUPTION,
         "Units destroyed by stock losses (network: in total)."),
    _kpi("refused_orders", (_N, _S), "orders", _DISRUPTION,
         "Order attempts refused by down suppliers (`orders: refuse`)."),
    _kpi("lost_sales_in_disruption", (_N,), "units", _DISRUPTION,
         "Units of customer demand not met from stock on arrival (backordered or lost) whose "
         "arrival fell inside any disruption window."),
    _kpi("disrupted_days", (_N,), "days", _DISRUPTION,
         "Days of the measured window during which at least one disruption window was active."),
    _kpi("peak_space_used", (_S,), "capacity unit", _SPACE,
         f"Most stock stored at once {_WINDOW}, {_CAPACITY_UNIT}: the largest on-hand stock "
         "after a receipt has been put away (units shipped at once to waiting backorders take "
         "no space), or at the start of the window. Above `capacity` only with `overflow: "
         "external`. Stock points with a `capacity` only."),
    _kpi("space_utilisation", (_S,), "share", _SPACE,
         "Time-average space used ÷ capacity: `avg_on_hand` × v ÷ `capacity` (v: the item's "
         "`volume` with `capacity_unit: m3`, else 1). Above 1 when stock sits in overflow "
         "storage (`overflow: external`). Stock points with a `capacity` only."),
    _kpi("overflow_units", (_N, _S), "capacity unit × days", _SPACE,
         "Stock above the capacity at the end-of-day snapshots: Σ over measured days d of "
         "(v × on-hand_d − `capacity`)⁺, in unit-days (m³-days with `capacity_unit: m3`). "
         "Network: the sum over stock points with a capacity."),
    _kpi("overflow_cost", (_N, _S), "currency", _SPACE,
         "`overflow_cost_per_unit_day` × `overflow_units`: external overflow storage (part of "
         "`total_cost`). Network: the sum."),
    _kpi("space_cost", (_N, _S), "currency", _SPACE,
         "`space_cost_per_unit_day` × `capacity` × measured days: the space the stock point "
         "reserves, full or empty (part of `total_cost`; the holding rate's `storage` part "
         "prices what is held, this the room for it). Network: the sum."),
    _kpi("refused_deliveries", (_N, _S), "deliveries", _SPACE,
         "Receipts cut because the stock did not fit (`overflow: refuse`); a redelivery that "
         "is cut again counts again. Network: the sum."),
    _kpi("refused_units", (_N, _S), "units", _SPACE,
         "Units sent back by those receipts: they stay on order and are delivered again after "
         "a fresh lead time of the regular lane (at least a day later). Network: the sum."),
    _kpi("first_shortfall_day", ("event",), "day of the run", _DISRUPTION,
         "Time (days since the start of the run) of the first unit of customer demand not met "
         "from stock on arrival while the event was active, after warm-up (events with "
         "windows: every kind but `stock_loss`); `jitsim stress` reads time-to-survive from it.",
         "no shortfall while the event was active"),
    _kpi("service_drop_day", ("event",), "day of the run", _DISRUPTION,
         "From the event's onset, the first day on which the rolling fill rate of all "
         "customers (`run.service_recovery`: 7-day window by default) falls below `below` "
         "(default 0.90).",
         "the rolling fill rate never drops below `below`"),
    _kpi("service_recovery_days", ("event",), "days", _DISRUPTION,
         "Days from that drop until the rolling fill rate is back at `recovered` (default "
         "0.95) or above; if it never is, the days to the end of the run (right-censored).",
         "no drop"),
    _kpi("service_recovered", ("event",), "1 or 0", _DISRUPTION,
         "1 if service recovered before the end of the run, 0 if the recovery time is "
         "censored.",
         "no drop"),
    _kpi("units_written_off", (_N, _S), "units", _WASTE,
         "Units of an item written off at its end of life (`items.<item>.end_of_life`, "
         f"docs/waste-space-cash.md), {_WINDOW}: with `demand_factor` 0, the stock on hand at "
         "the end day *T* plus every later receipt once it has filled the backorders waiting "
         "for it; at the end of the horizon, for an item whose life has ended, what is left on "
         "hand and on order, as if it all arrived then, after filling the backorders waiting "
         "for it (each unit counted once, where it would come to rest). Only in scenarios with "
         "an end of life; a "
         "stock point's column only for the stock points of such an item (0 in replications "
         "whose end falls after the horizon)."),
    _kpi("obsolescence_write_off", (_N, _S), "currency", _WASTE,
         "`units_written_off` × (`unit_cost` − `salvage_value`); part of `total_cost`. "
         "`profit` adds back `unit_cost` × `units_written_off`, already paid in "
         "`purchase_cost`, so a written-off unit costs its price less its salvage. The "
         "rate-based `obsolescence_cost` is separate: using both counts obsolescence twice."),
)  # fmt: skip


def definition_of(kpi: str, scope: str) -> KpiDefinition | None:
    """The definition of column ``kpi`` (``fill_rate`` or ``store.fill_rate``) measured at
    ``scope`` (a key of :data:`SCOPES`), or ``None`` if the catalogue lacks it."""
    name = kpi.rsplit(".", 1)[-1]
    for definition in KPI_DEFINITIONS:
        if definition.name == name and scope in definition.scopes:
            return definition
    return None
