"""Cross-reference checks of a scenario whose every field is valid.

Each check appends ``(path, message)`` problems to a list; :func:`reference_problems` runs them
all, in the order their problems are reported. Unknown plain names are worded by the table of
:mod:`jitsim.scenario.name_refs`, which also checks raw data when some field is invalid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jitsim.policies import PolicySpec
from jitsim.policies.eoq import EOQSpec
from jitsim.scenario.base import Problems, unknown
from jitsim.scenario.disruptions import check_disruptions
from jitsim.scenario.end_of_life import check_end_of_life
from jitsim.scenario.name_refs import (
    BACKUP_SOURCE,
    BUYS_FROM,
    EXPEDITE_SOURCE,
    POINT_ITEM,
    POINT_SOURCE,
    SUPPLIED_ITEMS,
    Reference,
    model_field,
)
from jitsim.scenario.perishables import check_perishables
from jitsim.scenario.planning import material_sources, planning_demand, plant_materials

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario
    from jitsim.scenario.plants import Plant
    from jitsim.scenario.supply import Backup, Expedite, StockPoint

__all__ = ["check_policy", "reference_problems"]

Path = tuple[str | int, ...]


def reference_problems(scenario: Scenario) -> Problems:
    """Every broken cross-reference of ``scenario`` (a model whose fields are all valid)."""
    problems: Problems = []
    _check_unique_names(scenario, problems)
    for name, supplier in scenario.suppliers.items():
        _check_names(scenario, SUPPLIED_ITEMS, name, supplier, problems)
    for name, point in scenario.stock_points.items():
        _check_stock_point(scenario, name, point, problems)
    _check_stock_point_cycle(scenario, problems)
    for name, customer in scenario.customers.items():
        _check_names(scenario, BUYS_FROM, name, customer, problems)
    for name, plant in scenario.plants.items():
        _check_plant_products(scenario, name, plant, problems)
        _check_plant_materials(scenario, name, plant, problems)
    _check_plant_cycle(scenario, problems)
    _check_alternatives(scenario, problems)
    check_disruptions(scenario, problems)
    check_end_of_life(scenario, problems)
    check_perishables(scenario, problems)
    return problems


def _check_names(
    scenario: Scenario, reference: Reference, name: str, entry: object, problems: Problems
) -> None:
    problems += reference.problems(scenario, name, entry, model_field)


def _check_unique_names(scenario: Scenario, problems: Problems) -> None:
    seen: dict[str, str] = {}
    for section in ("suppliers", "stock_points", "customers", "plants"):
        for name in getattr(scenario, section):
            if name in seen:
                problems.append(
                    (
                        (section, name),
                        f"name {name!r} is already used in {seen[name]}; node names must be unique",
                    )
                )
            else:
                seen[name] = section


def _kind_of_node(scenario: Scenario, name: str) -> str:
    return "stock point" if name in scenario.stock_points else "plant"


def _check_supplies(
    scenario: Scenario, supplier_name: str, item: str, path: Path, problems: Problems
) -> None:
    """A known item must be one the supplier supplies."""
    supplier = scenario.suppliers[supplier_name]
    if item in scenario.items and item not in supplier.items:
        problems.append(
            (
                path,
                f"supplier {supplier_name!r} does not supply item {item!r} "
                f"(it supplies: {', '.join(supplier.items)})",
            )
        )


# --------------------------------------------------------------------------- stock points


def _check_stock_point(
    scenario: Scenario, name: str, point: StockPoint, problems: Problems
) -> None:
    _check_names(scenario, POINT_ITEM, name, point, problems)
    _check_names(scenario, POINT_SOURCE, name, point, problems)
    _check_source(scenario, name, point, problems)
    if point.backup is not None:
        _check_names(scenario, BACKUP_SOURCE, name, point, problems)
        _check_backup(scenario, name, point, point.backup, problems)
    if point.expedite is not None:
        _check_names(scenario, EXPEDITE_SOURCE, name, point, problems)
        _check_expedite(scenario, name, point, point.expedite, problems)
    check_policy(scenario, point.policy, name, ("stock_points", name, "policy"), problems)
    _check_space(scenario, name, point, problems)


def _check_space(scenario: Scenario, name: str, point: StockPoint, problems: Problems) -> None:
    """A capacity in m³ needs the space of a unit: the item's positive ``volume``."""
    item = scenario.items.get(point.item)
    if point.capacity is None or point.capacity_unit != "m3" or item is None:
        return
    if not item.volume:
        problems.append(
            (
                ("stock_points", name, "capacity_unit"),
                f"m3 needs the volume of a unit: item {point.item!r} has no positive volume "
                "(m³/unit); give items." + point.item + ".volume, or use capacity_unit: units",
            )
        )


def _check_source(scenario: Scenario, name: str, point: StockPoint, problems: Problems) -> None:
    """The source must be able to deliver the item (an unknown one is reported as such)."""
    where = ("stock_points", name)
    if point.source in scenario.suppliers:
        _check_supplies(scenario, point.source, point.item, (*where, "source"), problems)
    elif point.source in scenario.stock_points:
        upstream = scenario.stock_points[point.source]
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
    elif point.source in scenario.plants:
        makes = scenario.plants[point.source].products
        if point.item not in makes:
            problems.append(
                (
                    (*where, "source"),
                    f"plant {point.source!r} does not make item {point.item!r} "
                    f"(it makes: {', '.join(makes)})",
                )
            )


def _check_backup(
    scenario: Scenario, name: str, point: StockPoint, backup: Backup, problems: Problems
) -> None:
    where = ("stock_points", name, "backup")
    if backup.source not in scenario.suppliers:
        if backup.source in scenario.stock_points:
            problems.append(
                (
                    (*where, "source"),
                    f"{backup.source!r} is a stock point; a backup source must be a supplier "
                    f"(known: {', '.join(sorted(scenario.suppliers))})",
                )
            )
        return  # an unknown name is reported as such
    if backup.source == point.source:
        problems.append(
            (
                (*where, "source"),
                f"the backup must differ from the primary source ({point.source!r})",
            )
        )
    _check_supplies(scenario, backup.source, point.item, (*where, "source"), problems)
    if backup.split == "failover" and point.source in scenario.plants:
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
        and point.source in scenario.stock_points
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
    scenario: Scenario, name: str, point: StockPoint, expedite: Expedite, problems: Problems
) -> None:
    where = ("stock_points", name, "expedite", "source")
    suppliers = ", ".join(sorted(scenario.suppliers))
    if expedite.source is None:
        if point.source in scenario.suppliers:
            return  # whether it supplies the item is reported on stock_points.NAME.source
        if point.source in scenario.stock_points or point.source in scenario.plants:
            problems.append(
                (
                    where,
                    f"required: the stock point's source {point.source!r} is a "
                    f"{_kind_of_node(scenario, point.source)}, and expedited orders come from "
                    f"a supplier; name one (known: {suppliers})",
                )
            )
        return  # an unknown source is reported on the stock point itself
    source = expedite.source
    if source in scenario.suppliers:
        _check_supplies(scenario, source, point.item, where, problems)
    elif source in scenario.stock_points or source in scenario.plants:
        problems.append(
            (
                where,
                f"{source!r} is a {_kind_of_node(scenario, source)}; expedited orders must "
                f"come from a supplier (known: {suppliers})",
            )
        )


def _check_stock_point_cycle(scenario: Scenario, problems: Problems) -> None:
    cycle = _find_cycle({n: p.source for n, p in scenario.stock_points.items()})
    if cycle:
        problems.append(
            (
                ("stock_points", cycle[0], "source"),
                "stock points source from each other in a cycle: " + " → ".join(cycle),
            )
        )


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


# --------------------------------------------------------------------------- policies


def check_policy(
    scenario: Scenario, policy: PolicySpec, point: str, path: Path, problems: Problems
) -> None:
    """The inputs ``policy`` needs at the stock point ``point`` (when ``point`` exists)."""
    if point not in scenario.stock_points:
        return
    if isinstance(policy, EOQSpec) and policy.order_quantity is None:
        _check_eoq_inputs(scenario, policy, point, path, problems)
    if policy.needs_future_demand:
        serves_customers = any(c.buys_from == point for c in scenario.customers.values())
        feeds_points = any(p.source == point for p in scenario.stock_points.values())
        if not serves_customers or feeds_points:
            problems.append(
                (
                    path,
                    "the oracle forecast needs a stock point that serves customers only "
                    f"({point!r} does not)",
                )
            )


def _check_eoq_inputs(
    scenario: Scenario, policy: EOQSpec, point: str, path: Path, problems: Problems
) -> None:
    """The EOQ formula sqrt(2Kμ/h) needs K, μ and h > 0 unless ``order_quantity`` is given."""
    spec = scenario.stock_points[point]
    missing: list[str] = []
    item = scenario.items.get(spec.item)
    if item is not None and item.annual_holding_rate * item.unit_cost <= 0:
        missing.append(
            f"holding cost (item {spec.item!r} has holding_rate {item.annual_holding_rate:g}"
            f" and unit_cost {item.unit_cost:g})"
        )
    if spec.order_cost is not None:
        order_cost = spec.order_cost
    elif spec.source in scenario.suppliers:
        order_cost = scenario.suppliers[spec.source].order_cost
    else:
        order_cost = 0.0
    if order_cost <= 0:
        missing.append(f"order cost (order_cost is 0 on the lane into {point!r})")
    if policy.demand_per_day is None and planning_demand(scenario)[0][point] <= 0:
        missing.append(f"demand (no customer demand reaches {point!r}; or set demand_per_day)")
    if missing:
        problems.append(
            (
                path,
                "the EOQ formula needs a positive " + ", a positive ".join(missing) + "; "
                "give order_quantity (units) instead",
            )
        )


def _check_alternatives(scenario: Scenario, problems: Problems) -> None:
    for alt, alternative in scenario.alternatives.items():
        for point, policy in alternative.policies.items():
            path: Path = ("alternatives", alt, "policies", point)
            if point not in scenario.stock_points:
                problems.append((path, unknown("stock point", point, scenario.stock_points)))
            else:
                check_policy(scenario, policy, point, path, problems)


# --------------------------------------------------------------------------- plants


def _check_plant_products(scenario: Scenario, name: str, plant: Plant, problems: Problems) -> None:
    """Products and materials must be known items; a product must be deliverable at all."""
    where: Path = ("plants", name, "products")
    rework = plant.rework
    repairable = rework is not None and rework.success > 0 and rework.max_attempts > 0
    for item, product in plant.products.items():
        rate = product.defect_rate
        if not repairable and rate.variance == 0 and rate.mean >= 1:
            problems.append(
                (
                    (*where, item, "defect_rate"),
                    f"every unit is defective (defect_rate {rate.mean:g}) and none can "
                    "be repaired, so nothing would ever be delivered; lower the defect "
                    "rate or add rework with success > 0",
                )
            )
    for item, product in plant.products.items():
        if item not in scenario.items:
            problems.append(((*where, item), unknown("item", item, scenario.items)))
        for material in product.bom:
            if material not in scenario.items:
                message = unknown("item", material, scenario.items)
                problems.append(((*where, item, "bom", material), message))
            elif material == item:
                message = "an item cannot be made from itself"
                problems.append(((*where, item, "bom", material), message))


def _check_plant_materials(scenario: Scenario, name: str, plant: Plant, problems: Problems) -> None:
    """Every material comes from one stock point holding it, not fed by the plant itself."""
    where: Path = ("plants", name, "materials_from")
    used = plant_materials(plant)
    for material, point in plant.materials_from.items():
        if point not in scenario.stock_points:
            message = unknown("stock point", point, scenario.stock_points)
            problems.append(((*where, material), message))
        elif scenario.stock_points[point].item != material:
            held = scenario.stock_points[point].item
            message = f"stock point {point!r} holds {held!r}, not {material!r}"
            problems.append(((*where, material), message))
    for material in plant.materials_from:
        if material not in used:
            problems.append(
                (
                    (*where, material),
                    f"{material!r} is not in the bill of materials of any product of "
                    f"plant {name!r} (materials: {', '.join(sorted(used))})",
                )
            )
    for material in used:
        if material in plant.materials_from or material not in scenario.items:
            continue
        holders = [n for n, p in scenario.stock_points.items() if p.item == material]
        if len(holders) != 1:
            problems.append(
                (
                    where,
                    f"material {material!r} needs exactly one stock point to draw from "
                    f"(found: {', '.join(holders) or 'none'}); name it in materials_from",
                )
            )
    _check_own_output(scenario, name, problems)


def _check_own_output(scenario: Scenario, name: str, problems: Problems) -> None:
    """No material may come, through a chain of stock points, from the plant's own output."""
    fed = {n for n, p in scenario.stock_points.items() if p.source == name}
    for material, point in material_sources(scenario, name).items():
        chain, node = [point], scenario.stock_points.get(point)
        while node is not None and node.source in scenario.stock_points:
            if node.source in chain:
                break
            chain.append(node.source)
            node = scenario.stock_points[node.source]
        if fed & set(chain):
            problems.append(
                (
                    ("plants", name, "materials_from"),
                    f"material {material!r} comes from {point!r}, which is fed by this "
                    "plant's own output: a cycle",
                )
            )


def _check_plant_cycle(scenario: Scenario, problems: Problems) -> None:
    cycle = _find_plant_cycle(scenario)
    if cycle:
        problems.append(
            (
                ("plants", next(n for n in cycle if n in scenario.plants), "materials_from"),
                "plants feed each other in a cycle: " + " → ".join(cycle),
            )
        )


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
