"""Warnings about scheduled events that the measured window does not see.

A scheduled outage, lead-time shock, quality crisis or demand surge whose window starts at or
after the horizon, or a stock loss on such a day, never happens in the simulation; one that
ends within the warm-up happens before the statistics start, so only what it leaves behind
(a backlog, a depleted stock) is measured. Either is usually a mistake in the days (a horizon
shortened for a test, a day counted from the end of the warm-up), so it is worth a warning,
not an error. Random outages (``up``/``down``, ``p_down``/``p_up``) have no fixed days and are
never warned about. The warnings about warehouse space (:mod:`jitsim.scenario.space`) travel
with these, and so do those about an item's end of life that always falls after the horizon or
within the warm-up (:func:`jitsim.scenario.end_of_life.end_of_life_warnings`).

:func:`scenario_warnings` words them (pure); :func:`warn_about_events` emits them as
:class:`~jitsim.errors.JitsimWarning` (what :func:`jitsim.load_scenario` does); the command line
prints them on stderr, one line each.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from jitsim.errors import JitsimWarning
from jitsim.scenario.disruptions import DemandSurge, StockLoss
from jitsim.scenario.end_of_life import end_of_life_warnings
from jitsim.scenario.space import space_warnings
from jitsim.units import plural

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

__all__ = ["scenario_warnings", "warn_about_events"]

#: How each kind of event is called in a warning.
_KIND_WORDS = {
    "outage": "outage",
    "lead_time_shock": "lead-time shock",
    "quality_crisis": "quality crisis",
    "demand_surge": "demand surge",
    "stock_loss": "stock loss",
}


def _day(value: float) -> str:
    return f"{value:g}"


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One message per scheduled event window (or stock-loss day) outside the measured window.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its ``run.horizon_days`` and ``run.warmup_days``, in days).

    Returns
    -------
    list of str
        Messages such as ``outage 'acme-fire' (days 400–430) starts after the horizon
        (365 days): it has no effect``, in the order of ``disruptions:``; empty when every
        scheduled event is at least partly measured; then the warnings of
        :func:`~jitsim.scenario.space.space_warnings`.
    """
    horizon, warmup = scenario.run.horizon_days, scenario.run.warmup_days
    after = f"after the horizon ({plural(horizon, 'day')}): it has no effect"
    within = (
        f"within the warm-up (the first {plural(warmup, 'day')}, not measured): only its "
        "after-effects are measured"
    )
    messages: list[str] = []
    for name, event in scenario.disruptions.items():
        kind = _KIND_WORDS[event.kind]
        if isinstance(event, DemandSurge) and event.multiplier < 1:
            kind = "demand drop"
        if isinstance(event, StockLoss):
            for day in event.at:
                what = f"{kind} {name!r} (day {_day(day)})"
                if day >= horizon:
                    messages.append(f"{what} comes {after}")
                elif day < warmup:
                    messages.append(f"{what} comes {within}")
            continue
        for window in getattr(event, "windows", None) or []:  # None: a random outage
            end = window.start + window.days
            what = f"{kind} {name!r} (days {_day(window.start)}–{_day(end)})"
            if window.start >= horizon:
                messages.append(f"{what} starts {after}")
            elif end <= warmup:
                messages.append(f"{what} ends {within}")
    # capacities below a policy's level, ends of life outside the measured window
    return messages + space_warnings(scenario) + end_of_life_warnings(scenario)


def warn_about_events(scenario: Scenario, stacklevel: int = 2) -> None:
    """Emit each of :func:`scenario_warnings` as a :class:`~jitsim.errors.JitsimWarning`.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    stacklevel : int
        As for :func:`warnings.warn`, counted from the caller of this function.
    """
    for message in scenario_warnings(scenario):
        warnings.warn(message, JitsimWarning, stacklevel=stacklevel + 1)
