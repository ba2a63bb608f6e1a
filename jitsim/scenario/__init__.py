"""Scenario files: pydantic models, YAML loading with line numbers, JSON Schema."""

from __future__ import annotations

import os

from jitsim.scenario.event_warnings import warn_about_events
from jitsim.scenario.loader import load_model, load_model_from_text
from jitsim.scenario.models import Scenario


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file.

    Scheduled events outside the measured window are reported with
    :class:`~jitsim.errors.JitsimWarning` warnings (see
    :mod:`jitsim.scenario.event_warnings`).

    Raises
    ------
    jitsim.errors.ScenarioError
        With one ``FILE:LINE: path: message`` problem per mistake found.
    """
    model, _lines = load_model(path, Scenario)
    assert isinstance(model, Scenario)
    warn_about_events(model, stacklevel=2)
    return model


def load_scenario_text(text: str, filename: str = "<string>") -> Scenario:
    """Load and validate a scenario from YAML text (tests, notebooks); warns as
    :func:`load_scenario` does."""
    model, _lines = load_model_from_text(text, filename, Scenario)
    assert isinstance(model, Scenario)
    warn_about_events(model, stacklevel=2)
    return model


__all__ = ["Scenario", "load_scenario", "load_scenario_text"]
