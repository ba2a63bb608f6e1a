"""The JSON Schema of scenario files (``jitsim schema``, ``schema/scenario.schema.json``) accepts
every bundled scenario and every documented shorthand, and still rejects obvious mistakes."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import BUNDLED, DATA, QUICKSTART, ROOT
from conftest import invoke_cli as invoke

import jitsim
from jitsim.scenario.models import json_schema

SCHEMA_FILE = ROOT / "schema" / "scenario.schema.json"
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
#: The sections a whole scenario must have.
REQUIRED = {"name", "items", "suppliers", "stock_points", "customers"}


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


VALIDATOR = _validator(json_schema())


def _problems(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in validator.iter_errors(data)
    ]


def _yaml_blocks() -> list[tuple[str, Any]]:
    """Every fenced ``yaml`` block of the docs and the README: (FILE:LINE, data)."""
    found = []
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^```ya?ml\n(.*?)^```", text, re.S | re.M):
            line = text.count("\n", 0, match.start()) + 2
            found.append((f"{page.name}:{line}", yaml.safe_load(match.group(1))))
    return found


BLOCKS = _yaml_blocks()
WHOLE = [(where, data) for where, data in BLOCKS if REQUIRED <= set(data)]
FRAGMENTS = [(where, data) for where, data in BLOCKS if not REQUIRED <= set(data)]


@pytest.mark.parametrize("path", [*BUNDLED, *sorted(DATA.glob("*.yaml"))], ids=lambda p: p.name)
def test_every_bundled_scenario_is_valid_under_the_schema(path: Path) -> None:
    """Before, all ten bundled scenarios were rejected: the number shorthand of distributions,
    ``review: continuous`` and the short form of alternatives were missing from the schema."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _problems(VALIDATOR, data) == []


@pytest.mark.parametrize("where", [w for w, _ in WHOLE])
def test_whole_scenarios_of_the_docs_are_valid(where: str) -> None:
    data = dict(WHOLE)[where]
    jitsim.load_scenario_text(yaml.safe_dump(data))  # they are scenarios jitsim accepts
    assert _problems(VALIDATOR, data) == []


def test_the_docs_hold_whole_scenarios() -> None:
    assert len(WHOLE) >= 2  # README and factory.md: the test above is not empty


def _without_required(schema: Any) -> Any:
    """``schema`` with every ``required`` list dropped: a fragment of a file leaves out
    fields, but the fields it gives must have the right names and shapes."""
    if isinstance(schema, dict):
        return {k: _without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_required(item) for item in schema]
    return schema


def _fragment_schema(keys: set[str]) -> dict[str, Any]:
    """The schema a fragment of the docs is checked against: the whole file's when its keys are
    sections of a scenario, else a stock point's (``policy:``, ``expedite:`` snippets)."""
    schema: dict[str, Any] = _without_required(copy.deepcopy(json_schema()))
    if keys <= set(schema["properties"]):
        return schema
    stock_point = schema["$defs"]["StockPoint"]
    assert keys <= set(stock_point["properties"]), f"a fragment of unknown kind: {keys}"
    return {**stock_point, "$defs": schema["$defs"]}


@pytest.mark.parametrize("where", [w for w, _ in FRAGMENTS])
def test_documented_fragments_and_shorthands_are_valid(where: str) -> None:
    """The snippets of the docs show the shorthands: named stress events in ``disruptions:``,
    alternatives in short form with ``changes:`` beside the stock points, numbers as
    distributions, ``review: continuous``."""
    data = dict(FRAGMENTS)[where]
    validator = _validator(_fragment_schema(set(data)))
    assert _problems(validator, data) == []


SHORTHANDS = {
    "a number as a distribution": ("suppliers.acme.lead_time", 3),
    "a fractional number as a lead time": ("suppliers.acme.lead_time", 0.5),
    "continuous review": ("stock_points.store.review", "continuous"),
    "a named stress event": ("disruptions", {"strike": "outage-30d:acme@100"}),
    "a common-cause named event": ("disruptions", {"flood": "outage-21d:acme,store"}),
    "an alternative in short form": (
        "alternatives",
        {"jit": {"store": {"kind": "jit", "safety_days": 1}, "switching_cost": 500}},
    ),
    "an empty alternative": ("alternatives", {"as_is": {}}),
    "an alternative in long form": (
        "alternatives",
        {"jit": {"policies": {"store": {"kind": "jit"}}, "changes": {"items.widget.price": 21}}},
    ),
    "holding rate as a number": ("items.widget.holding_rate", 0.2),
}


def _quickstart_with(path: str, value: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(QUICKSTART.read_text(encoding="utf-8"))
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    return data


@pytest.mark.parametrize("case", list(SHORTHANDS))
def test_documented_shorthands_are_valid(case: str) -> None:
    data = _quickstart_with(*SHORTHANDS[case])
    jitsim.load_scenario_text(yaml.safe_dump(data))  # jitsim accepts it ...
    assert _problems(VALIDATOR, data) == []  # ... and so does the schema


MISTAKES = {
    "a misspelt field": ("stock_points.store.reveiw", {"every_days": 1}),
    "a misspelt section": ("suppliers.acme.lead_tme", 3),
    "a quoted number": ("run.horizon_days", "395"),
    "a boolean as a number": ("suppliers.acme.order_cost", True),
    "a negative constant": ("suppliers.acme.lead_time", -2),
    "an unknown distribution kind": ("suppliers.acme.lead_time", {"kind": "poison", "mean": 3}),
    "an unknown review word": ("stock_points.store.review", "sometimes"),
    "a misspelt named event": ("disruptions", {"strike": "outage-30:acme"}),
    "an unknown policy kind in a short alternative": (
        "alternatives",
        {"jit": {"store": {"kind": "just_in_time"}}},
    ),
    "a misspelt key of a long alternative": (
        "alternatives",
        {"jit": {"policies": {"store": {"kind": "jit"}}, "switch_cost": 5}},
    ),
    "a bad name": ("customers", {"walk in": {"buys_from": "store", "demand": 8}}),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_obvious_mistakes_are_rejected(case: str) -> None:
    path, value = MISTAKES[case]
    data = _quickstart_with(path, value)
    with pytest.raises(jitsim.ScenarioError):
        jitsim.load_scenario_text(yaml.safe_dump(data))  # jitsim refuses it ...
    # ... and so does the schema, there (the field, the mapping it is in, or an entry given)
    where = [p.partition(":")[0] for p in _problems(VALIDATOR, data)]
    assert any(w and (path.startswith(f"{w}.") or f"{w}.".startswith(f"{path}.")) for w in where)


def test_the_checked_in_schema_is_up_to_date() -> None:
    """``schema/scenario.schema.json`` is what ``jitsim schema`` prints; regenerate it with
    ``jitsim schema -o schema/scenario.schema.json``."""
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json_schema()
    assert SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, (
        "regenerate with: jitsim schema -o schema/scenario.schema.json"
    )


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_point_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path.name} should start with the yaml-language-server schema line"
    assert (path.parent / match.group(1)).resolve() == SCHEMA_FILE.resolve()
