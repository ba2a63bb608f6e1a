"""Numbers in scenario files are read as YAML 1.2 reads them: every float literal, with or
without a dot, with or without a sign in the exponent (issue #18), and errors on such lines
still name FILE:LINE."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jitsim
from jitsim.errors import ScenarioError
from jitsim.scenario.loader import load_yaml_with_lines
from jitsim.scenario.reference import NUMBER_FORMS, scenario_reference_markdown

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = (ROOT / "scenarios" / "quickstart.yaml").read_text(encoding="utf-8")
DEMAND = "demand: {kind: poisson, mean: 8}"

#: Every form of number the scenario reference lists, and the value it reads as.
FORMS = {
    "8": 8,
    "-3": -3,
    "1_000": 1000,
    "2.5": 2.5,
    ".5": 0.5,
    "-.5": -0.5,
    "5.": 5.0,
    "-0.25": -0.25,
    "8e0": 8.0,
    "1e3": 1000.0,
    "1E3": 1000.0,
    "2.5E-2": 0.025,
    "2.5e-2": 0.025,
    "-1.5e+3": -1500.0,
    "+2e1": 20.0,
    "1.5e3": 1500.0,
    ".5e1": 5.0,
    "3.e2": 300.0,
}


@pytest.mark.parametrize("text", list(FORMS))
def test_every_number_form_is_a_number(text: str) -> None:
    data, lines = load_yaml_with_lines(f"run:\n  value: {text}\n", "n.yaml")
    value = data["run"]["value"]
    assert not isinstance(value, str), f"{text!r} read as text"
    assert value == FORMS[text]
    assert type(value) is type(FORMS[text])
    assert lines[("run", "value")] == 2


@pytest.mark.parametrize("text", ["1e", "e3", "1e3.5", "1.2.3", "0x1e3x", "1e3 days", "8e0e1"])
def test_text_that_only_looks_like_a_number_stays_text(text: str) -> None:
    data, _ = load_yaml_with_lines(f"value: {text}\n", "n.yaml")
    assert data["value"] == text


def test_reference_lists_the_forms_tested_here() -> None:
    """The reference documents the numeric forms; each one is tested above."""
    page = scenario_reference_markdown()
    for form in NUMBER_FORMS:
        assert f"`{form}`" in page
        assert form in FORMS, f"{form} is documented but not tested"


@pytest.mark.parametrize("text", ["8e0", "8.0e+0", "80e-1", "0.8E1"])
def test_exponent_mean_in_a_scenario(text: str, tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(QUICKSTART.replace(DEMAND, f"demand: {{kind: poisson, mean: {text}}}"))
    scenario = jitsim.load_scenario(path)
    assert scenario.customers["walk_in"].demand.mean == 8.0


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("text", ["-1e3", "-2.5E-2", "-8e0"])
def test_error_on_an_exponent_line_names_file_and_line(text: str, tmp_path: Path) -> None:
    body = QUICKSTART.replace(DEMAND, f"demand: {{kind: poisson, mean: {text}}}")
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario(path)
    message = str(caught.value)
    line = _line_of(body, f"mean: {text}")
    assert re.search(rf"bad\.yaml:{line}: customers\.walk_in\.demand\.mean: .*>= 0", message)


@pytest.mark.parametrize("text", ["1e3", "1E3", "1.0e3", "1000.0", "1.5e3", "+1e3"])
def test_integer_field_takes_a_float_literal_of_a_whole_number(text: str, tmp_path: Path) -> None:
    """YAML 1.2 reads 1e3 as a float; an integer field takes it when its value is whole (issue
    #18: it was refused as "expected a whole number, got 1000.0")."""
    path = tmp_path / "int.yaml"
    path.write_text(QUICKSTART.replace("horizon_days: 395", f"horizon_days: {text}"))
    horizon = jitsim.load_scenario(path).run.horizon_days
    assert horizon == float(text) and type(horizon) is int


@pytest.mark.parametrize(
    "old, new, path, value",
    [
        ("replications: 200", "replications: 2e1", "run.replications", 20),
        ("seed: 2026", "seed: 2.026e3", "run.seed", 2026),
        ("{every_days: 1}", "{every_days: 7e0, offset_days: 2.0}", "review.every_days", 7),
        ("{every_days: 1}", "{every_days: 7e0, offset_days: 2.0}", "review.offset_days", 2),
        ("{kind: s_S, s: 20, S: 60}", "{kind: kanban, cards: 1.2e1, container_size: 5}",
         "policy.cards", 12),
    ],
)  # fmt: skip
def test_every_integer_field_takes_whole_floats(
    old: str, new: str, path: str, value: int, tmp_path: Path
) -> None:
    text = QUICKSTART.replace(old, new)
    assert text != QUICKSTART
    (tmp_path / "int.yaml").write_text(text)
    scenario = jitsim.load_scenario(tmp_path / "int.yaml")
    found: object = scenario if path.startswith("run.") else scenario.stock_points["store"]
    for name in path.split("."):
        found = getattr(found, name)
    assert found == value and type(found) is int


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2.5", "expected a whole number, got 2.5"),
        ("2.5e2", None),
        ("1e300", "expected a whole number"),
        ("true", "expected a whole number"),
        ('"300"', "expected a whole number"),
    ],
)
def test_integer_field_still_refuses_what_is_not_a_whole_number(
    text: str, expected: str | None, tmp_path: Path
) -> None:
    body = QUICKSTART.replace("horizon_days: 395", f"horizon_days: {text}")
    path = tmp_path / "int.yaml"
    path.write_text(body)
    if expected is None:  # 250: a whole number
        assert jitsim.load_scenario(path).run.horizon_days == 250
        return
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario(path)
    line = _line_of(body, f"horizon_days: {text}")
    assert f"int.yaml:{line}: run.horizon_days: {expected}" in str(caught.value)


def test_exponent_key_is_a_number_key(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"k\.yaml:1: 1e3: mapping key '1e3' is read"):
        load_yaml_with_lines("1e3: x\n", "k.yaml")
