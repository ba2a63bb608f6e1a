"""Planning figures derived from a scenario: the demand each stock point can expect.

Policies that plan (EOQ, JIT's initial forecast, safety stocks) and the EOQ validation use the
same numbers: a stock point's expected daily demand is its own customers' (seasonality
averaged, trend ignored) plus, for every point it feeds, that point's demand, and for every
plant drawing a material from it, the plant's finished-goods demand times the bill of
materials. Variances add the same way (independent days, factors squared).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jitsim.scenario.models import Customer, Scenario
    from jitsim.scenario.plants import Plant

__all__ = ["daily_mean_and_variance", "material_sources", "planning_demand", "plant_materials"]


def planning_demand(scenario: Scenario) -> tuple[dict[str, float], dict[str, float]]:
    """Expected daily demand (units/day) and its variance (units²/day) at every stock point.

    A cycle among stock points (reported by validation) contributes nothing instead of
    recursing forever, so this can run while a scenario is being validated.
    """
    own_mean = dict.fromkeys(scenario.stock_points, 0.0)
    own_var = dict.fromkeys(scenario.stock_points, 0.0)
    for customer in scenario.customers.values():
        if customer.buys_from in own_mean:
            mean, var = daily_mean_and_variance(customer)
            own_mean[customer.buys_from] += mean
            own_var[customer.buys_from] += var

    # Who draws on each stock point, and how many units per unit drawn downstream: the stock
    # points it feeds (1 each) and the finished goods of plants using it as a material.
    draws: dict[str, list[tuple[str, float]]] = {n: [] for n in scenario.stock_points}
    for name, spec in scenario.stock_points.items():
        if spec.source in draws and spec.source != name:
            draws[spec.source].append((name, 1.0))
    for plant_name, plant in scenario.plants.items():
        for material, point in material_sources(scenario, plant_name).items():
            for name, spec in scenario.stock_points.items():
                product = plant.products.get(spec.item)
                if spec.source == plant_name and product is not None and point in draws:
                    draws[point].append((name, product.bom.get(material, 0.0)))

    def total(name: str, table: dict[str, float], power: int, path: frozenset[str]) -> float:
        if name in path:  # a cycle
            return 0.0
        inner = path | {name}
        return table[name] + sum(
            factor**power * total(child, table, power, inner) for child, factor in draws[name]
        )

    empty: frozenset[str] = frozenset()
    return (
        {name: total(name, own_mean, 1, empty) for name in own_mean},
        {name: total(name, own_var, 2, empty) for name in own_var},
    )


def average_factor(spec: Customer) -> float:
    """Long-run average of the seasonal factors (trend ignored), for planning."""
    factor = 1.0
    season = spec.seasonality
    if season is not None:
        if season.weekly is not None:
            factor *= sum(season.weekly) / 7.0
        if season.annual is not None:
            factor *= sum(season.annual) / 12.0
    return factor


def daily_mean_and_variance(spec: Customer) -> tuple[float, float]:
    """Planning mean (units/day) and variance (units²/day) of the customer's daily demand."""
    factor = average_factor(spec)
    if spec.demand is not None:
        return spec.demand.mean * factor, spec.demand.variance * factor * factor
    assert spec.orders is not None
    rate = spec.orders.rate_per_day * factor
    size = spec.orders.size
    # Compound Poisson: mean λE[S], variance λE[S²].
    return rate * size.mean, rate * (size.variance + size.mean**2)


def plant_materials(plant: Plant) -> list[str]:
    """Every material any product of ``plant`` needs, in first-use order."""
    return list(dict.fromkeys(m for product in plant.products.values() for m in product.bom))


def material_sources(scenario: Scenario, plant_name: str) -> dict[str, str]:
    """Material item → the stock point ``plant_name`` draws it from (known ones only)."""
    plant = scenario.plants[plant_name]
    found: dict[str, str] = {}
    for material in plant_materials(plant):
        if material in plant.materials_from:
            found[material] = plant.materials_from[material]
        else:
            holders = [n for n, p in scenario.stock_points.items() if p.item == material]
            if len(holders) == 1:
                found[material] = holders[0]
    return found
