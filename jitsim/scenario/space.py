"""Warnings about warehouse space: a capacity that a stock point's own policy overfills.

A stock point with ``capacity`` whose policy aims for more stock than fits — an (s, S) or
base-stock level ``S``, an (r, Q) or EOQ reorder point plus lot ``r + Q``, a kanban loop
``cards × container_size`` — will refuse deliveries or pay for overflow storage by design. That
may be the very question asked (what does the buffer cost in space?), so it is a warning, not
an error; so is an initial stock above the capacity. Each alternative is checked as it will be
simulated (:func:`~jitsim.scenario.resolve.resolve`: its policies and changes applied).
``jit`` and EOQ without a fixed reorder point and lot derive their levels from the demand at
build time and are not checked.

:func:`space_warnings` words them (pure); :func:`jitsim.scenario.event_warnings.scenario_warnings`
includes them, so they reach :func:`jitsim.load_scenario` (as
:class:`~jitsim.errors.JitsimWarning`) and the command line (``warning:`` lines on stderr) like
the warnings about events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jitsim.errors import JitsimError
from jitsim.policies.classic import BaseStockSpec, KanbanSpec, RQSpec, SsSpec
from jitsim.policies.eoq import EOQSpec
from jitsim.scenario.resolve import resolve

if TYPE_CHECKING:
    from jitsim.policies import PolicySpec
    from jitsim.scenario.models import Scenario
    from jitsim.scenario.supply import StockPoint

__all__ = ["capacity_in_units", "policy_top_level", "space_warnings"]


def policy_top_level(policy: PolicySpec) -> tuple[float, str] | None:
    """The most stock ``policy`` means to hold (units) and how it is called, if fixed.

    Returns
    -------
    tuple of (float, str) or None
        ``(S, "order-up-to level S")`` for ``s_S`` and ``base_stock``, ``(r + Q, "reorder
        point + lot r + Q")`` for ``r_Q`` (and ``eoq`` with both given), ``(cards ×
        container_size, "kanban loop")`` for ``kanban``; None when the level is derived at
        build time (``jit``, ``eoq`` without a fixed reorder point and lot).
    """
    if isinstance(policy, SsSpec | BaseStockSpec):
        return float(policy.S), "order-up-to level S"
    if isinstance(policy, RQSpec):
        return float(policy.r + policy.Q), "reorder point + lot r + Q"
    if isinstance(policy, EOQSpec):
        if policy.reorder_point is None or policy.order_quantity is None:
            return None
        return float(policy.reorder_point + policy.order_quantity), "reorder point + lot"
    if isinstance(policy, KanbanSpec):
        return float(policy.cards * policy.container_size), "kanban loop cards × container_size"
    return None


def capacity_in_units(scenario: Scenario, point: StockPoint) -> float | None:
    """The capacity of ``point`` in units of its item (None without a capacity, or in m³
    without the item's volume, which validation reports)."""
    if point.capacity is None:
        return None
    if point.capacity_unit == "units":
        return float(point.capacity)
    item = scenario.items.get(point.item)
    volume = item.volume if item is not None else None
    return float(point.capacity) / volume if volume else None


def space_warnings(scenario: Scenario) -> list[str]:
    """One message per stock point whose policy or initial stock exceeds its capacity, in
    every alternative (its policies and ``changes`` applied: an alternative may change the
    capacity or the overflow rule).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    list of str
        Messages such as ``stock point 'dc': capacity 400 units is below the s_S policy's
        order-up-to level S = 600 (alternative 'buffer'): deliveries will be refused``, each
        once; empty when everything fits.
    """
    messages: dict[str, None] = {}  # ordered, without repeats
    for alternative in scenario.alternative_names():
        try:
            resolved = resolve(scenario, alternative)
        except JitsimError:  # invalid changes: reported as errors, not here
            continue
        where = f" (alternative {alternative!r})" if scenario.alternatives else ""
        for name, point in resolved.stock_points.items():
            for message in _point_warnings(resolved, name, point, where):
                messages[message] = None
    return list(messages)


def _point_warnings(scenario: Scenario, name: str, point: StockPoint, where: str) -> list[str]:
    room = capacity_in_units(scenario, point)
    if room is None:
        return []
    unit = "m3" if point.capacity_unit == "m3" else "units"
    fate = (
        "deliveries will be refused"
        if point.overflow == "refuse"
        else "stock will go to overflow storage"
    )
    what = f"stock point {name!r}: capacity {point.capacity:g} {unit}"
    if point.capacity_unit == "m3":
        what += f" ({room:g} units)"
    found = []
    if point.initial > room + 1e-9:
        found.append(f"{what} is below its initial stock {point.initial:g}{where}: {fate}")
    level = policy_top_level(point.policy)
    if level is not None and level[0] > room + 1e-9:
        found.append(
            f"{what} is below the {point.policy.kind} policy's {level[1]} = {level[0]:g}"
            f"{where}: {fate}"
        )
    return found
