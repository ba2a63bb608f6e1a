"""Named stress events added to a scenario from outside its file (``--event`` texts).

Each text (``outage-30d:acme@100``) becomes an entry of ``disruptions:`` keyed by
:func:`~jitsim.scenario.disruptions.event_key`; equal keys are numbered ``-2``, ``-3`` … so no
event silently replaces another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from jitsim.errors import JitsimError, ScenarioError
from jitsim.scenario.disruptions import event_key, named_event
from jitsim.scenario.overrides import apply_overrides

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

__all__ = ["event_keys", "with_events"]


def event_keys(events: Sequence[str]) -> list[tuple[str, str]]:
    """Each event text and its key in ``disruptions:`` (equal keys numbered -2, -3 …)."""
    keys: list[tuple[str, str]] = []
    for text in events:
        key, extra = event_key(text), 1
        while any(key == taken for _, taken in keys):
            extra += 1
            key = f"{event_key(text)[:60]}-{extra}"
        keys.append((text, key))
    return keys


def with_events(scenario: Scenario, events: Sequence[str], *, where: str) -> Scenario:
    """``scenario`` with the named stress events ``events`` added to its disruptions.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    events : sequence of str
        Named stress events (see docs/disruptions.md).
    where : str
        Where the texts came from, used as the file of any problem (``"shop.yaml --event"``).

    Raises
    ------
    JitsimError
        For a text that is not a named event, or a key the scenario already uses.
    ScenarioError
        When an event names an unknown node or does not fit the scenario.
    """
    if not events:
        return scenario
    for text in events:
        try:
            named_event(text)
        except ValueError as exc:
            raise JitsimError(f"--event: {exc}") from None
    added = {f"disruptions.{key}": text for text, key in event_keys(events)}
    clash = [key for key in added if key.removeprefix("disruptions.") in scenario.disruptions]
    if clash:
        raise JitsimError(f"--event: the scenario already has a disruption named {clash[0]!r}")
    try:
        return apply_overrides(scenario, None, added)
    except ScenarioError as exc:  # name the option, not a line of the file
        raise ScenarioError(
            dataclasses.replace(problem, file=where) for problem in exc.problems
        ) from None
