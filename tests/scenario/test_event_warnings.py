"""Scheduled events outside the measured window are warned about, never silently ignored."""

from __future__ import annotations

import warnings

import pytest
from conftest import QUICKSTART

import jitsim
from jitsim.errors import JitsimWarning
from jitsim.scenario.event_warnings import scenario_warnings

#: The quickstart runs days [0, 395) and measures [30, 395).
BASE = QUICKSTART.read_text(encoding="utf-8")


def scenario_with(disruptions: str) -> jitsim.Scenario:
    """The quickstart with a ``disruptions:`` section (YAML lines indented by two spaces)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitsimWarning)
        return jitsim.load_scenario_text(f"{BASE}\ndisruptions:\n{disruptions}")


@pytest.mark.parametrize(
    "event, expected",
    [
        (
            "fire: {kind: outage, nodes: [acme], windows: [{start: 400, days: 30}]}",
            "outage 'fire' (days 400–430) starts after the horizon (395 days): it has no effect",
        ),
        (
            "slow: {kind: lead_time_shock, nodes: [acme], multiplier: 2, "
            "windows: [{start: 395, days: 10}]}",
            "lead-time shock 'slow' (days 395–405) starts after the horizon (395 days)",
        ),
        (
            "rush: {kind: demand_surge, nodes: [walk_in], multiplier: 2, "
            "windows: [{start: 5, days: 10}]}",
            "demand surge 'rush' (days 5–15) ends within the warm-up (the first 30 days, not "
            "measured): only its after-effects are measured",
        ),
        (
            "lull: {kind: demand_surge, nodes: [walk_in], multiplier: 0.5, "
            "windows: [{start: 0, days: 30}]}",
            "demand drop 'lull' (days 0–30) ends within the warm-up",
        ),
        (
            "theft: {kind: stock_loss, nodes: [store], fraction: 0.5, at: [500]}",
            "stock loss 'theft' (day 500) comes after the horizon (395 days): it has no effect",
        ),
        (
            "spill: {kind: stock_loss, nodes: [store], fraction: 0.5, at: [29.5]}",
            "stock loss 'spill' (day 29.5) comes within the warm-up",
        ),
    ],
)
def test_each_kind_of_event_outside_the_window_is_warned_about(event: str, expected: str) -> None:
    messages = scenario_warnings(scenario_with(f"  {event}\n"))
    assert len(messages) == 1
    assert messages[0].startswith(expected), messages


def test_a_quality_crisis_after_the_horizon_is_warned_about() -> None:
    """A quality crisis needs a supplier with a defect rate: the quickstart's acme gets one."""
    text = BASE.replace("min_order: 10 ", "min_order: 10\n    defect_rate: 0.01")
    text += (
        "\ndisruptions:\n  bad: {kind: quality_crisis, nodes: [acme], multiplier: 5, "
        "windows: [{start: 420, days: 7}]}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitsimWarning)
        scenario = jitsim.load_scenario_text(text)
    assert scenario_warnings(scenario) == [
        "quality crisis 'bad' (days 420–427) starts after the horizon (395 days): it has no effect"
    ]


@pytest.mark.parametrize(
    "event",
    [
        "  inside: {kind: outage, nodes: [acme], windows: [{start: 100, days: 30}]}\n",
        # partly measured: across the start of the window, across the horizon
        "  across: {kind: outage, nodes: [acme], windows: [{start: 20, days: 11}]}\n",
        "  late: {kind: outage, nodes: [acme], windows: [{start: 394, days: 30}]}\n",
        "  loss: {kind: stock_loss, nodes: [store], fraction: 0.5, at: [30, 394.9]}\n",
        # random outages have no fixed days
        "  random: {kind: outage, nodes: [acme], up: {kind: exponential, mean: 900}, down: 3}\n",
        "  markov: {kind: outage, nodes: [acme], p_down: 0.001, p_up: 0.5}\n",
    ],
)
def test_events_at_least_partly_measured_are_not_warned_about(event: str) -> None:
    assert scenario_warnings(scenario_with(event)) == []


def test_one_message_per_window_outside() -> None:
    scenario = scenario_with(
        "  twice: {kind: outage, nodes: [acme], windows: "
        "[{start: 1, days: 2}, {start: 100, days: 2}, {start: 900, days: 2}]}\n"
    )
    assert [m.split(")")[0] for m in scenario_warnings(scenario)] == [
        "outage 'twice' (days 1–3",
        "outage 'twice' (days 900–902",
    ]


def test_the_api_emits_a_jitsim_warning_when_loading() -> None:
    fire = "fire: {kind: outage, nodes: [acme], windows: [{start: 400, days: 3}]}"
    text = f"{BASE}\ndisruptions:\n  {fire}\n"
    with pytest.warns(JitsimWarning, match="outage 'fire' .* starts after the horizon"):
        jitsim.load_scenario_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jitsim.load_scenario(QUICKSTART)  # nothing to warn about: no warning
