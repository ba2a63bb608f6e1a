"""A plain-text summary of a validated scenario (what ``jitsim validate`` prints)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from jitsim.execution.results_dir import json_safe
from jitsim.units import plural

if TYPE_CHECKING:
    from jitsim.scenario.models import Item, Scenario

__all__ = ["describe_scenario"]


def _g(value: float) -> str:
    return f"{value:,.6g}"


def _derived_text(values: dict[str, float]) -> str:
    return ", ".join(f"{key}={value:.4g}" for key, value in values.items())


def _event_text(event: Any) -> str:
    """One line on a disruption: what it does, to which nodes, when."""
    nodes = ", ".join(event.nodes)
    windows = getattr(event, "windows", None)
    if event.kind == "stock_loss":
        days = "day" if len(event.at) == 1 else "days"
        return f"stock loss of {event.fraction:.0%} at {nodes} on {days} " + ", ".join(
            _g(t) for t in event.at
        )
    if windows is not None:
        when = ", ".join(f"[{_g(w.start)}, {_g(w.start + w.days)})" for w in windows)
    elif event.up is not None:
        when = f"random: up {event.up.describe()}, down {event.down.describe()} days"
    else:
        when = f"random: p_down {_g(event.p_down)}, p_up {_g(event.p_up)} per day"
    if event.kind == "outage":
        what = "outage of"
    elif event.kind == "lead_time_shock":
        what = f"lead time × {_g(event.multiplier)} + {_g(event.add_days)} days at"
    elif event.kind == "quality_crisis":
        what = f"defect rate × {_g(event.multiplier)} at"
    else:
        what = f"demand × {_g(event.multiplier)} at"
    return f"{what} {nodes}; {when}"


def describe_scenario(
    scenario: Scenario, derived: dict[str, dict[str, dict[str, float]]] | None = None
) -> str:
    """A short plain-text summary of a validated scenario (what ``jitsim validate`` prints).

    ``derived`` (alternative → stock point → values, from
    :func:`jitsim.execution.simulate.policy_derived_values`) adds what each policy derives.
    """
    run = scenario.run
    lines = [
        f"scenario: {scenario.name}",
        f"run: horizon {plural(run.horizon_days, 'day')}, warm-up {plural(run.warmup_days, 'day')} "
        f"(window {plural(run.window_days, 'day')}), {plural(run.replications, 'replication')}, "
        f"seed {run.seed}, "
        f"currency {run.currency}, costs on {run.cost_basis.replace('_', '-')} levels",
    ]
    sections = (_items, _suppliers, _stock_points, _customers, _plants, _disruptions, _finance)
    for section in sections:
        lines += section(scenario)
    lines += _alternatives(scenario, derived or {})
    return "\n".join(lines)


def _items(scenario: Scenario) -> list[str]:
    cur = scenario.run.currency
    return ["items:"] + [
        f"  {name}: unit cost {_g(item.unit_cost)} {cur}, price {_g(item.price)} {cur}, "
        f"holding {item.annual_holding_rate:.1%} per year"
        + _shelf_life(item, cur)
        + _end_of_life(item, cur)
        for name, item in scenario.items.items()
    ]


def _end_of_life(item: Item, cur: str) -> str:
    """``; end of life on day uniform(low=200, high=300), demand × 0, ...`` ('' without one)."""
    life = item.end_of_life
    if life is None:
        return ""
    told = life.announced_days_ahead
    return (
        f"; end of life on day {life.at.describe()}, demand × {_g(life.demand_factor)}"
        + (f", announced {_g(told)} days ahead" if told is not None else "")
        + f", written off at {_g(item.unit_cost - item.salvage_value)} {cur}/unit"
    )


def _shelf_life(item: Item, cur: str) -> str:
    """``, shelf life ...`` of a perishable item; empty for one that does not perish."""
    life = item.shelf_life
    if life is None:
        return ""
    text = f", shelf life {life.describe()} days from {item.shelf_life_from}"
    if item.salvage_value:
        text += f", salvage {_g(item.salvage_value)} {cur}"
    markdown = item.markdown
    if markdown is not None:
        text += (
            f", markdown ×{_g(markdown.price_factor)} with ≤ "
            f"{_g(markdown.days_before_expiry)} days left"
        )
    return text


def _suppliers(scenario: Scenario) -> list[str]:
    lines = ["suppliers:"]
    for name, supplier in scenario.suppliers.items():
        extras = [f"order cost {_g(supplier.order_cost)} {scenario.run.currency}"]
        if supplier.min_order:
            extras.append(f"MOQ {_g(supplier.min_order)}")
        if supplier.lot_multiple:
            extras.append(f"lot multiple {_g(supplier.lot_multiple)}")
        if supplier.capacity_per_day:
            extras.append(f"capacity {_g(supplier.capacity_per_day)}/day")
        terms = supplier.payment_terms
        if terms is not None:
            text = f"paid {plural(terms.days, 'day')} after delivery"
            if terms.early_discount:
                text += (
                    f" ({_g(100 * terms.early_discount)} % off if paid within "
                    f"{plural(terms.early_days, 'day')})"
                )
            extras.append(text)
        lines.append(
            f"  {name}: supplies {', '.join(supplier.items)}; lead time "
            f"{supplier.lead_time.describe()} (mean {_g(supplier.lead_time.mean)} days); "
            + ", ".join(extras)
        )
    return lines


def _stock_points(scenario: Scenario) -> list[str]:
    lines = ["stock points:"]
    for name, point in scenario.stock_points.items():
        review = (
            "continuous review"
            if point.review.continuous
            else f"review every {plural(point.review.every_days, 'day')}"
        )
        text = (
            f"  {name}: {point.item} from {point.source}, initial {_g(point.initial)}, "
            f"{review}, policy {point.policy.describe()}"
        )
        if point.lead_time is not None:
            text += f", lane lead time {point.lead_time.describe()}"
        if point.issue != "fifo":
            text += f", issue {point.issue}"
        if point.capacity is not None:
            unit = "m³" if point.capacity_unit == "m3" else "units"
            text += f", capacity {_g(point.capacity)} {unit}, overflow: {point.overflow}"
        lines.append(text)
    return lines


def _customers(scenario: Scenario) -> list[str]:
    lines = ["customers:"]
    for name, customer in scenario.customers.items():
        if customer.demand is not None:
            demand = f"demand {customer.demand.describe()} units/day"
        else:
            assert customer.orders is not None
            demand = (
                f"orders at {_g(customer.orders.rate_per_day)}/day of size "
                f"{customer.orders.size.describe()}"
            )
        text = f"  {name}: buys from {customer.buys_from}; {demand}; unmet: {customer.unmet}"
        if customer.min_remaining_days:
            text += f"; needs ≥ {plural(customer.min_remaining_days, 'day')} of life left"
        terms = customer.payment_terms
        if terms is not None:
            text += f"; pays {plural(terms.days, 'day')} after the sale"
            if terms.late_share:
                text += f" ({_g(100 * terms.late_share)} % later still)"
        lines.append(text)
    return lines


def _finance(scenario: Scenario) -> list[str]:
    """``finance: ...`` when the scenario has a ``finance:`` section; else nothing."""
    finance = scenario.finance
    if finance is None:
        return []
    return [
        f"finance: opening cash {_g(finance.opening_cash)} {scenario.run.currency}, interest "
        f"{_g(100 * finance.interest_rate_per_year)} % a year on a negative balance"
    ]


def _plants(scenario: Scenario) -> list[str]:
    lines = ["plants:"] if scenario.plants else []
    for name, plant in scenario.plants.items():
        quality = "defective units reworked" if plant.rework else "defective units scrapped"
        lines.append(f"  {name}: {plural(plant.lines, 'line')}; {quality}")
        for made, product in plant.products.items():
            bom = ", ".join(f"{_g(qty)} {material}" for material, qty in product.bom.items())
            lines.append(
                f"    makes {made} from {bom}; {product.processing_time.describe()} days per "
                f"{product.per}, batches of {product.batch_size}, defect rate "
                f"{product.defect_rate.describe()}"
            )
    return lines


def _disruptions(scenario: Scenario) -> list[str]:
    lines = ["disruptions:"] if scenario.disruptions else []
    return lines + [f"  {name}: {_event_text(e)}" for name, e in scenario.disruptions.items()]


def _alternatives(scenario: Scenario, derived: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = ["alternatives:" if scenario.alternatives else "alternatives: none (base only)"]
    for alternative in scenario.alternative_names():
        if scenario.alternatives:
            lines.append(f"  {alternative}: {_alternative_text(scenario, alternative)}")
        for where, values in derived.get(alternative, {}).items():
            lines.append(f"    derived at {where}: {_derived_text(values)}")
    return lines


def _alternative_text(scenario: Scenario, alternative: str) -> str:
    """Its policies (and which stock points keep theirs), changes and switching cost."""
    spec = scenario.alternatives[alternative]
    policies = spec.policies
    text = ", ".join(f"{point}={policy.describe()}" for point, policy in policies.items())
    kept = [point for point in scenario.stock_points if point not in policies]
    if kept:
        text += f"{' (others' if policies else '(policies'} as in stock_points: "
        text += f"{', '.join(kept)})"
    if spec.changes:
        text += "; changes " + ", ".join(
            f"{path}={json.dumps(json_safe(value), ensure_ascii=False)}"
            for path, value in spec.changes.items()
        )
    if spec.switching_cost:
        text += f"; switching cost {_g(spec.switching_cost)} {scenario.run.currency}"
    return text
