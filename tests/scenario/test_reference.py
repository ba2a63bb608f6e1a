"""The committed scenario reference is generated from the models and must stay in sync."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

from jitsim.distributions import DISTRIBUTION_KINDS
from jitsim.policies import POLICY_REGISTRY
from jitsim.scenario.reference import (
    REGENERATE_COMMAND,
    UNDOCUMENTED,
    ModelDoc,
    documented_models,
    parse_docstring,
    scenario_reference_markdown,
    yaml_name,
)

COMMITTED = ROOT / "docs" / "scenario-reference.md"
MODELS = documented_models()


@pytest.fixture(scope="module")
def generated() -> str:
    return scenario_reference_markdown()


def _section(text: str, doc: ModelDoc) -> str:
    """The part of the page from the model's anchor to the next anchor."""
    start = text.index(f'<a id="{doc.anchor}"></a>')
    following = text.find('<a id="', start + 1)
    return text[start : following if following >= 0 else len(text)]


def test_committed_reference_is_up_to_date(generated: str) -> None:
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == generated, (
        f"{COMMITTED.relative_to(ROOT)} is stale (or missing); regenerate it with\n"
        f"    {REGENERATE_COMMAND}\nand commit the result."
    )


def test_module_main_prints_the_reference(generated: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jitsim.scenario.reference"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.decode("utf-8") == generated


def test_every_field_of_every_model_is_documented(generated: str) -> None:
    assert UNDOCUMENTED not in generated, "a field lacks a description in its class docstring"
    for doc in MODELS:
        section = _section(generated, doc)
        for name, info in doc.model.model_fields.items():
            key = yaml_name(name, info)
            row = re.search(rf"^\| `{re.escape(key)}` \|(?P<rest>.*)\|$", section, re.MULTILINE)
            assert row, f"{doc.model.__name__}.{key} missing from its section"
            description = row["rest"].rsplit("|", 1)[-1].strip()
            assert description, f"{doc.model.__name__}.{key} has an empty description"


def test_every_kind_has_a_section(generated: str) -> None:
    titles = {doc.title for doc in MODELS}
    for kind in DISTRIBUTION_KINDS:
        assert f"`{kind}`" in titles
    builtin = [k for k, v in POLICY_REGISTRY.items() if v.__module__.startswith("jitsim.")]
    for kind in builtin:
        assert f"`{kind}`" in titles
    for kind in ("naive", "moving_average", "exponential_smoothing", "oracle"):
        assert f"`{kind}`" in titles
    for doc in MODELS:
        assert f'<a id="{doc.anchor}"></a>' in generated
    assert len({doc.anchor for doc in MODELS}) == len(MODELS), "anchors must be unique"


def test_internal_links_resolve(generated: str) -> None:
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', generated))
    for target in re.findall(r"\]\(#([^)]+)\)", generated):
        assert target in anchors, f"broken link #{target}"


def test_docstrings_document_no_field_that_does_not_exist() -> None:
    """A parameter documented under a wrong name would leave the real field undocumented."""
    for doc in MODELS:
        names = set()
        for name, info in doc.model.model_fields.items():
            names |= {name, yaml_name(name, info)}
        documented = set(parse_docstring(doc.model.__doc__).parameters)
        assert documented <= names, f"{doc.model.__name__}: {sorted(documented - names)}"


def test_parse_docstring_numpydoc() -> None:
    parsed = parse_docstring(
        """Summary line.

        More summary.

        Parameters
        ----------
        rate : float
            Orders per day
            (orders/day).
        low, high : int
            Bounds.
        flag

        Closing remark about the parameters.

        Notes
        -----
        A note.
        """
    )
    assert parsed.summary == "Summary line.\n\nMore summary."
    assert parsed.parameters["rate"].type == "float"
    assert parsed.parameters["rate"].description == "Orders per day (orders/day)."
    assert parsed.parameters["low"].description == parsed.parameters["high"].description
    assert parsed.parameters["high"].type == "int"
    assert parsed.parameters["flag"].description == ""
    assert parsed.parameter_notes == "Closing remark about the parameters."
    assert parsed.sections == {"Notes": "A note."}
    assert parse_docstring(None).parameters == {}
