"""The network diagram: tiers by longest path from the sources, every edge of every alternative
(backups dashed), and a drawing for every bundled scenario and results directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUNDLED, SCENARIOS

import jitsim
from jitsim.output.figures import available, draw, save
from jitsim.output.figures.network import Edge, network_edges, network_figure, tiers
from jitsim.output.figures.style import styled
from jitsim.output.results_reader import read_results


def test_two_echelon_tiers_run_from_the_factory_to_the_shoppers() -> None:
    scenario = jitsim.load_scenario(SCENARIOS / "two_echelon.yaml")
    assert tiers(scenario) == {
        "factory": 0,
        "dc": 1,
        "north": 2,
        "south": 2,
        "north_shoppers": 3,
        "south_shoppers": 3,
    }


def test_a_plant_sits_after_the_stock_points_of_its_materials() -> None:
    scenario = jitsim.load_scenario(SCENARIOS / "assembly_plant.yaml")
    tier = tiers(scenario)
    edges = network_edges(scenario)
    assert {e.source for e in edges if e.target == "assembly"} == {"frames", "wheels", "drives"}
    assert tier["assembly"] == 2 and tier["ebike_store"] == 3 and tier["dealers"] == 4
    assert all(tier[e.target] > tier[e.source] for e in edges)


def test_a_backup_of_one_alternative_is_a_dashed_edge_named_after_it() -> None:
    scenario = jitsim.load_scenario(SCENARIOS / "jit_single_source_failure.yaml")
    edges = network_edges(scenario)
    assert Edge("broker", "warehouse", "backup", ("jit_with_backup",)) in edges
    assert Edge("broker", "warehouse", "expedite", ("jit_expedite",)) in edges
    assert Edge("boardworks", "warehouse") in edges
    with styled():
        figure = network_figure(scenario)
    (axes,) = figure.axes
    styles = {a.arrow_patch.get_linestyle() for a in axes.texts if hasattr(a, "arrow_patch")}
    assert "--" in styles and "-" in styles
    words = {t.get_text() for t in axes.texts}
    assert "backup in jit_with_backup" in words
    assert "broker\nsupplier" in words and "installers\ncustomer" in words


@pytest.mark.parametrize("file", BUNDLED, ids=[f.stem for f in BUNDLED])
def test_every_bundled_scenario_is_drawn(file: Path, tmp_path: Path) -> None:
    scenario = jitsim.load_scenario(file)
    with styled():
        figure = network_figure(scenario)
    path = save(figure, tmp_path / f"{file.stem}.png")
    assert path.stat().st_size > 5000
    (axes,) = figure.axes
    boxes = [t for t in axes.texts if t.get_bbox_patch() is not None and "\n" in t.get_text()]
    nodes = (
        len(scenario.suppliers)
        + len(scenario.plants)
        + len(scenario.stock_points)
        + len(scenario.customers)
    )
    assert (
        len([b for b in boxes if not b.get_text().startswith(("backup ", "expedite ", "in "))])
        == nodes
    )


def test_every_results_directory_has_the_network(results_dirs: dict[str, Path]) -> None:
    for directory in results_dirs.values():
        results = read_results(directory)
        assert "network" in available(results)
        assert draw("network", results).axes
