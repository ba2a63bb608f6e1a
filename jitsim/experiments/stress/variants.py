"""The scenarios a stress test simulates: the baseline, the knock-outs and the tested events.

Every variant is the scenario with one extra disruption named :data:`EVENT`: an ``outage``
holding the knocked-out node(s) down over ``[t0, t0 + D)`` (the node's own ``when_down``
behaviour applies), the same outage to the end of the horizon (for the time-to-survive), or a
tested named event. The baseline carries an event of the same name that changes nothing — a
lead-time shock with multiplier 1 and no added days over ``[t0, horizon)`` — so that it
reports the same KPI columns, among them its own first shortfall and service drop from t0; it
simulates exactly like the scenario as given, and only its disruption KPIs such as
``lost_sales_in_disruption`` see the window.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jitsim.errors import JitsimError, ScenarioError, with_suggestion
from jitsim.scenario.disruptions import named_event
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import apply_overrides

#: Knock-out durations (days) tested by default.
DEFAULT_DURATIONS = (7, 14, 30, 60)
#: Name of the outage event added to every knock-out variant.
EVENT = "stress_knockout"


@dataclass(frozen=True)
class Variant:
    """One simulated scenario of the stress test (point ``point`` of the batch).

    ``node`` is the node knocked out (``"a+b"`` for a group knocked out together), or the text
    of a tested named event; None for the baseline. ``duration`` is the TTR in days (None for
    the knock-outs to the horizon, which give the TTS, and for stock losses). ``tts_end`` is
    when the TTS of the variant is censored at the latest (None: the variant gives no TTS).
    """

    point: int
    node: str | None
    node_kind: str | None
    duration: float | None
    tts_end: float | None = None


# --------------------------------------------------------------------------- checks


def check_nodes(scenario: Scenario, nodes: Sequence[str] | None) -> dict[str, str]:
    """The nodes to knock out → ``"supplier"``, ``"plant"``, ``"stock_point"`` or ``"group"``.

    ``"a+b"`` knocks out a and b together (a common-cause failure). A stock point named here
    has its inbound lanes closed. Without ``nodes``: every supplier and plant, one at a time.
    """
    known = {name: "supplier" for name in scenario.suppliers}
    known.update({name: "plant" for name in scenario.plants})
    if not nodes:
        if not known:
            raise JitsimError("nothing to stress: the scenario has no suppliers or plants")
        return known
    known.update({name: "stock_point" for name in scenario.stock_points})
    chosen: dict[str, str] = {}
    for text in nodes:
        members = [part.strip() for part in text.split("+")]
        for name in members:
            if name not in known:
                raise JitsimError(
                    with_suggestion(
                        f"unknown node {name!r} to knock out (suppliers, plants and stock "
                        f"points of this scenario: {', '.join(known) or 'none'}; join several "
                        "with '+')",
                        name,
                        known,
                    )
                )
        if len(set(members)) != len(members):
            raise JitsimError(f"node group {text!r} names a node twice")
        chosen["+".join(members)] = known[members[0]] if len(members) == 1 else "group"
    return chosen


def check_events(
    scenario: Scenario, texts: Sequence[str] | None, start: int
) -> dict[str, tuple[dict[str, Any], Scenario]]:
    """Named stress events to test, each → its long form starting at ``start`` and the
    scenario with it added (validated once, here)."""
    chosen: dict[str, tuple[dict[str, Any], Scenario]] = {}
    for text in texts or []:
        try:
            event = named_event(text, start=float(start))
        except ValueError as exc:
            raise JitsimError(f"--test-event: {exc}") from None
        begin = event["at"][0] if event["kind"] == "stock_loss" else event["windows"][0]["start"]
        if begin != start:
            raise JitsimError(
                f"--test-event {text!r} starts on day {begin:g}, the failure day is {start}: "
                "tested events start on the failure day (drop the @DAY or use --start-day)"
            )
        try:
            variant = with_event(scenario, None, event)
        except ScenarioError as exc:  # name the option, not the knock-out's internal name
            where = f"disruptions.{EVENT}."
            details = "; ".join(
                f"{problem.path.removeprefix(where)}: {problem.message}" for problem in exc.problems
            )
            raise JitsimError(f"--test-event {text!r}: {details}") from None
        chosen[text] = (event, variant)
    return chosen


def check_durations(durations: Sequence[int]) -> list[int]:
    """The knock-out durations (days), without repeats; each a whole number >= 1."""
    chosen = list(dict.fromkeys(durations))
    if not chosen:
        raise JitsimError("give at least one knock-out duration, e.g. --durations 7,30")
    for value in chosen:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise JitsimError(f"knock-out duration {value!r} must be a whole number of days >= 1")
    return chosen


def check_start_day(scenario: Scenario, start_day: int | None) -> int:
    """The failure day t0: ``start_day``, by default the first day after warm-up."""
    run = scenario.run
    t0 = run.warmup_days if start_day is None else start_day
    if (
        isinstance(t0, bool)
        or not isinstance(t0, int)
        or not run.warmup_days <= t0 < run.horizon_days
    ):
        raise JitsimError(
            f"start day {t0!r} must be a whole day after warm-up: from {run.warmup_days} to "
            f"{run.horizon_days - 1}"
        )
    return t0


# --------------------------------------------------------------------------- variants


def with_event(
    scenario: Scenario, source_file: str | os.PathLike[str] | None, event: dict[str, Any]
) -> Scenario:
    """``scenario`` with ``event`` added as the disruption :data:`EVENT` (validated)."""
    return apply_overrides(scenario, source_file, {f"disruptions.{EVENT}": event})


def _knockout(start: float, days: float, node: str) -> dict[str, Any]:
    return {
        "kind": "outage",
        "nodes": node.split("+"),
        "windows": [{"start": start, "days": days}],
    }


def _neutral(scenario: Scenario, start: int) -> dict[str, Any]:
    """An event over ``[start, horizon)`` that changes nothing in the run (no random stream
    moves) but records the baseline's own first shortfall and service drop from ``start``."""
    return {
        "kind": "lead_time_shock",
        "nodes": [next(iter(scenario.stock_points))],
        "multiplier": 1.0,
        "add_days": 0.0,
        "windows": [{"start": start, "days": scenario.run.horizon_days - start}],
    }


def build_variants(
    scenario: Scenario,
    source_file: str | os.PathLike[str] | None,
    start: int,
    nodes: dict[str, str],
    durations: Sequence[int],
    tested: dict[str, tuple[dict[str, Any], Scenario]],
) -> tuple[list[Variant], list[Scenario]]:
    """The variants of a stress test and the scenario of each, point by point.

    Point 0 is the baseline; then, per node, one knock-out per duration and one to the
    horizon (for the TTS); then the tested events (``tested``, from :func:`check_events`).
    """
    horizon = float(scenario.run.horizon_days)
    variants = [Variant(0, None, None, None)]
    scenarios = [with_event(scenario, source_file, _neutral(scenario, start))]
    for node, kind in nodes.items():
        for days in durations:
            scenarios.append(with_event(scenario, source_file, _knockout(start, days, node)))
            variants.append(Variant(len(variants), node, kind, days))
        scenarios.append(with_event(scenario, source_file, _knockout(start, horizon - start, node)))
        variants.append(Variant(len(variants), node, kind, None, tts_end=horizon))
    for text, (event, with_it) in tested.items():
        scenarios.append(with_it)
        if event["kind"] == "stock_loss":
            variants.append(Variant(len(variants), text, "event", None))
        else:
            span = float(event["windows"][0]["days"])
            end = min(start + span, horizon)
            variants.append(Variant(len(variants), text, "event", span, tts_end=end))
    return variants, scenarios
