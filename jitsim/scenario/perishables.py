"""Cross-reference checks of perishable stock (``items.X.shelf_life`` and what uses it).

A stock point's ``issue`` rule and a customer's ``min_remaining_days`` only make sense for an
item with a ``shelf_life``; a customer cannot ask for more remaining life than a unit ever has.
The longest possible shelf life of a bounded distribution is its upper bound; an unbounded one
(normal, gamma, ...) has no such bound, so there a minimum above the **mean** is refused (most
units could never be sold to that customer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jitsim.distributions import BaseDistribution
from jitsim.distributions.base import Bounded
from jitsim.distributions.continuous import Triangular
from jitsim.distributions.empirical import Constant, Empirical

if TYPE_CHECKING:
    from jitsim.scenario.base import Problems
    from jitsim.scenario.models import Scenario

__all__ = ["check_perishables", "longest_shelf_life"]


def longest_shelf_life(life: BaseDistribution) -> tuple[float, bool]:
    """The largest shelf life ``life`` can draw (days) and whether that is a true bound
    (False: unbounded, the mean is returned instead)."""
    if isinstance(life, Constant):
        return float(life.value), True
    if isinstance(life, Bounded | Triangular):
        return float(life.high), True
    if isinstance(life, Empirical):
        weights = life.weights or (1.0,) * len(life.values)
        return max(v for v, w in zip(life.values, weights, strict=True) if w > 0), True
    return float(life.mean), False


def check_perishables(scenario: Scenario, problems: Problems) -> None:
    """Append the problems of ``issue`` and ``min_remaining_days`` to ``problems``."""
    items = scenario.items
    for name, point in scenario.stock_points.items():
        item = items.get(point.item)
        if item is not None and item.shelf_life is None and point.issue != "fifo":
            problems.append(
                (
                    ("stock_points", name, "issue"),
                    f"item {point.item!r} is not perishable: give items.{point.item}.shelf_life "
                    "or remove issue",
                )
            )
    for name, customer in scenario.customers.items():
        seller = scenario.stock_points.get(customer.buys_from)
        item = items.get(seller.item) if seller is not None else None
        minimum = customer.min_remaining_days
        if item is None or seller is None or minimum == 0:
            continue
        where = ("customers", name, "min_remaining_days")
        if item.shelf_life is None:
            problems.append(
                (
                    where,
                    f"item {seller.item!r} is not perishable: give items.{seller.item}.shelf_life "
                    "or remove min_remaining_days",
                )
            )
            continue
        longest, bounded = longest_shelf_life(item.shelf_life)
        if bounded and minimum >= longest:
            problems.append(
                (
                    where,
                    f"{minimum:g} days must be below the longest shelf life of item "
                    f"{seller.item!r} ({longest:g} days): no unit could ever be sold",
                )
            )
        elif not bounded and minimum > longest:
            problems.append(
                (
                    where,
                    f"{minimum:g} days is above the mean shelf life of item {seller.item!r} "
                    f"({longest:g} days): most units could never be sold",
                )
            )
