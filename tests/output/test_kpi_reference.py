"""docs/kpis.md is generated from the KPI catalogue, and the catalogue matches the KPIs the
model produces: every column of every bundled scenario has exactly one definition, and every
definition is produced by some scenario."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import BUNDLED, DATA, ROOT, shortened

import jitsim
from jitsim.model.kpi_catalogue import KPI_DEFINITIONS, SCOPES, definition_of
from jitsim.output.kpi_reference import REGENERATE_COMMAND, kpi_reference_markdown
from jitsim.output.tables import kpi_unit

COMMITTED = ROOT / "docs" / "kpis.md"


@pytest.fixture(scope="module")
def generated() -> str:
    return kpi_reference_markdown()


@pytest.fixture(scope="module")
def produced() -> dict[tuple[str, str], str]:
    """(KPI name, scope) → an example column, over every alternative of every bundled and shared
    test scenario (one short replication each)."""
    found: dict[tuple[str, str], str] = {}
    for path in [*BUNDLED, *sorted(DATA.glob("*.yaml"))]:
        scenario = shortened(jitsim.load_scenario(path), 40, 10)
        prefixes = {
            **dict.fromkeys(scenario.stock_points, "stock point"),
            **dict.fromkeys(scenario.customers, "customer"),
            **dict.fromkeys(scenario.plants, "plant"),
            **dict.fromkeys(scenario.suppliers, "supplier"),
            **dict.fromkeys(scenario.disruptions or {}, "event"),
        }
        for alternative in scenario.alternative_names():
            for column in jitsim.simulate(scenario, alternative, 0, 1).kpis:
                prefix, _, name = column.rpartition(".")
                scope = prefixes[prefix] if prefix else "network"
                found.setdefault((name, scope), f"{path.name}: {column}")
    # No bundled scenario has both a plant and a disruption: add an outage to the assembly plant.
    text = (ROOT / "scenarios" / "assembly_plant.yaml").read_text(encoding="utf-8")
    outage = "{kind: outage, nodes: [assembly], windows: [{start: 50, days: 3}]}"
    text += f"\ndisruptions:\n  stop: {outage}\n"
    plant = shortened(jitsim.load_scenario_text(text), 40, 10)
    for column in jitsim.simulate(plant, plant.alternative_names()[0], 0, 1).kpis:
        if column == "assembly.downtime_days":
            found.setdefault(("downtime_days", "plant"), column)
    return found


def test_committed_page_is_up_to_date(generated: str) -> None:
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == generated, (
        f"{COMMITTED.relative_to(ROOT)} is stale (or missing); regenerate it with\n"
        f"    {REGENERATE_COMMAND}\nand commit the result."
    )


def test_module_main_prints_the_page(generated: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jitsim.output.kpi_reference"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.decode("utf-8") == generated


def test_every_produced_kpi_is_defined(produced: dict[tuple[str, str], str]) -> None:
    missing = [col for (name, scope), col in produced.items() if not definition_of(name, scope)]
    assert not missing, f"KPIs without a definition in jitsim/model/kpi_catalogue.py: {missing}"


def test_every_definition_is_produced(produced: dict[tuple[str, str], str]) -> None:
    stale = [
        f"{d.name} ({scope})"
        for d in KPI_DEFINITIONS
        for scope in d.scopes
        if (d.name, scope) not in produced
    ]
    assert not stale, f"defined but produced by no scenario: {stale}"


def test_one_definition_per_kpi_and_scope() -> None:
    seen = [(d.name, scope) for d in KPI_DEFINITIONS for scope in d.scopes]
    assert len(seen) == len(set(seen))
    assert {scope for d in KPI_DEFINITIONS for scope in d.scopes} <= set(SCOPES)
    assert all(d.definition.strip() and d.unit for d in KPI_DEFINITIONS)


#: The catalogue's unit → the unit label the tables print (``kpi_unit``), where they must agree.
_PRINTED = {"currency": "EUR", "share (0–1)": "%", "units": "units", "orders": "orders"}


def test_units_agree_with_the_printed_tables() -> None:
    for d in KPI_DEFINITIONS:
        if d.unit in _PRINTED and kpi_unit(d.name, "EUR")[0]:
            assert kpi_unit(d.name, "EUR")[0] == _PRINTED[d.unit], d.name
