"""Scenario model of an item's end of life (obsolescence simulated, not charged as a rate).

``items.<item>.end_of_life`` says when the item's life ends (a day, or a distribution of days
counted from time 0), how much of its demand is left afterwards, and whether the end is
announced so that ordering can stop earlier. What is left of the item is written off at
``unit_cost − salvage_value`` per unit (``jitsim.model.end_of_life``; docs/waste-space-cash.md).

Besides the model, this module holds the checks that need the whole scenario:

* :func:`check_end_of_life` (cross-field errors, FILE:LINE): the salvage value of an item that
  is written off must not exceed its unit cost, and an alternative may change an item's end of
  life only through ``announced_days_ahead`` — the end itself and the demand after it belong to
  the market, which every alternative shares (common random numbers, like demand);
* :func:`end_of_life_warnings`: an end of life that always falls after the horizon (it never
  happens in the simulation) or always within the warm-up (its write-off is not measured), or
  that is announced at least as many days ahead as it can come (ordering never starts).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from jitsim.distributions import Distribution
from jitsim.scenario.base import Strict
from jitsim.units import Fraction, NonNegative, plural

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
    from jitsim.scenario.base import Problems
    from jitsim.scenario.models import Scenario

__all__ = ["EndOfLife", "check_end_of_life", "end_of_life_warnings", "support_bounds"]


class EndOfLife(Strict):
    """An item's end of life: from then on it is no longer ordered, its demand falls to a
    fraction, and what is left of it is written off.

    The end of life takes effect at the start of day :math:`T = \\lceil at \\rceil` (the first
    whole day not before ``at``), in phase 2 of that day, before the day's receipts. From
    :math:`T` the stock points of the item place no more orders (from :math:`T - N` when
    ``announced_days_ahead`` is :math:`N`); customer demand arriving at or after :math:`T` is
    ``demand_factor`` times what it would have been. With ``demand_factor`` 0 every unit of
    the item left at :math:`T` — on hand at every stock point, and whatever arrives later from
    orders placed before (in transit, with suppliers, in process at plants) once it has
    filled the backorders that were waiting for it — is written off when it is there, and
    customer backorders that nothing on order will fill are cancelled at :math:`T`; with a
    ``demand_factor`` above 0 the stock keeps selling and what is left at the end of the
    horizon is written off then. A write-off costs ``unit_cost − salvage_value`` per unit.
    An alternative may change ``announced_days_ahead`` only: when the life ends and the
    demand after it are the market's, the same for every alternative.

    Parameters
    ----------
    at : distribution
        Day the life ends (days from time 0; a number is a fixed day). One draw per
        replication from the stream ``item.<item>.end_of_life``, made before the run, so every
        alternative faces the same end in replication *r*. A draw at or after the horizon
        means the item outlives the simulation in that replication.
    demand_factor : float
        Share of the demand left after the end (0 ≤ f ≤ 1): 0 means the demand stops.
    announced_days_ahead : float, optional
        Days :math:`N` before the end at which it is known: ordering stops at :math:`T - N`
        (policies are not told earlier). Without it ordering stops at :math:`T`.
    """

    at: Distribution
    demand_factor: Fraction = 0.0
    announced_days_ahead: NonNegative | None = None


def support_bounds(distribution: BaseDistribution) -> tuple[float, float]:
    """Smallest and largest value ``distribution`` can take (days; ``inf`` when unbounded).

    Every distribution is of a non-negative quantity; kinds without a lower bound parameter
    start at 0.
    """
    value = getattr(distribution, "value", None)
    if value is not None:  # constant
        return float(value), float(value)
    values = getattr(distribution, "values", None)
    if values is not None:  # empirical: the values with a positive weight
        weights = getattr(distribution, "weights", None) or (1.0,) * len(values)
        used = [v for v, w in zip(values, weights, strict=True) if w > 0]
        return float(min(used)), float(max(used))
    low, high = getattr(distribution, "low", None), getattr(distribution, "high", None)
    if low is not None and high is not None:  # uniform, discrete uniform, triangular
        return float(low), float(high)
    return 0.0, math.inf


def check_end_of_life(scenario: Scenario, problems: Problems) -> None:
    """Append the end-of-life problems of ``scenario`` (see the module notes) to ``problems``."""
    for name, item in scenario.items.items():
        if item.end_of_life is not None and item.salvage_value > item.unit_cost:
            problems.append(
                (
                    ("items", name, "salvage_value"),
                    f"salvage_value(={item.salvage_value:g}) must not exceed "
                    f"unit_cost(={item.unit_cost:g}): a unit written off at the end of life "
                    "cannot recover more than it is worth",
                )
            )
    for alt, alternative in scenario.alternatives.items():
        for path, value in alternative.changes.items():
            if _changes_end_of_life(scenario, path.split("."), value):
                problems.append(
                    (
                        ("alternatives", alt, "changes", path),
                        "an alternative may change an item's end of life only through "
                        "items.<item>.end_of_life.announced_days_ahead: when the life ends "
                        "and the demand after it are shared by every alternative, like demand",
                    )
                )


def _changes_end_of_life(scenario: Scenario, segments: list[str], value: Any) -> bool:
    """Whether setting ``value`` at the dotted path ``segments`` could change an item's end
    of life other than its announcement (or add or remove it)."""
    if segments[0] != "items":
        return False
    if len(segments) >= 3:  # a field of one item (or deeper)
        if segments[2] != "end_of_life":
            return False
        return segments[3:] != ["announced_days_ahead"]
    # the whole section or a whole item: refused if it touches an end of life at all
    if len(segments) == 2:
        item = scenario.items.get(segments[1])
        had = item is not None and item.end_of_life is not None
        return had or (isinstance(value, dict) and value.get("end_of_life") is not None)
    had = any(item.end_of_life is not None for item in scenario.items.values())
    gives = isinstance(value, dict) and any(
        isinstance(v, dict) and v.get("end_of_life") is not None for v in value.values()
    )
    return had or gives


def end_of_life_warnings(scenario: Scenario) -> list[str]:
    """One message per item whose end of life the measured window never sees.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its ``run.horizon_days`` and ``run.warmup_days``, in days).

    Returns
    -------
    list of str
        E.g. ``end of life of item 'phone' (day 400) always falls after the horizon (365
        days): it never happens``; empty when every end of life can fall inside the window.
    """
    horizon, warmup = scenario.run.horizon_days, scenario.run.warmup_days
    messages: list[str] = []
    for name, item in scenario.items.items():
        if item.end_of_life is None:
            continue
        low, high = support_bounds(item.end_of_life.at)
        days = f"day {low:g}" if low == high else f"days {low:g}–{high:g}"
        what = f"end of life of item {name!r} ({days})"
        if math.ceil(low) >= horizon:
            messages.append(
                f"{what} always falls after the horizon ({plural(horizon, 'day')}): it never "
                "happens, nothing is written off"
            )
        elif high < math.inf and math.ceil(high) < warmup:
            messages.append(
                f"{what} always falls within the warm-up (the first {plural(warmup, 'day')}, "
                "not measured): its write-off is not counted"
            )
        if high < math.inf:
            for ahead, where in _announcements(scenario, name):
                if ahead >= math.ceil(high):
                    messages.append(
                        f"{what} is announced {plural(ahead, 'day')} ahead{where}: ordering "
                        "stops on day 0 at the latest, so its stock points never order"
                    )
    return messages


def _announcements(scenario: Scenario, item: str) -> list[tuple[float, str]]:
    """``announced_days_ahead`` of ``item`` in the file and in each alternative that changes
    it (the only field of an end of life an alternative may change), with where it is said."""
    life = scenario.items[item].end_of_life
    said: list[tuple[float, str]] = []
    if life is not None and life.announced_days_ahead is not None:
        said.append((life.announced_days_ahead, ""))
    path = f"items.{item}.end_of_life.announced_days_ahead"
    for name, alternative in scenario.alternatives.items():
        value = alternative.changes.get(path)
        if isinstance(value, int | float):
            said.append((float(value), f" (alternative {name!r})"))
    return said
