"""Figures are drawn from finished results directories, never from a model: each kind a
directory supports is drawn and saved; asking for one it does not support says what would."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Invoke

from jitsim.errors import JitsimError
from jitsim.output.figures import FIGURES, available, draw, save
from jitsim.output.figures.costs import cost_components
from jitsim.output.results_reader import read_results


def test_the_cost_breakdown_adds_up_to_the_mean_total_cost(results_dirs: dict[str, Path]) -> None:
    results = read_results(results_dirs["compare"])
    parts = cost_components(results)
    means = results.replications.groupby("alternative")["total_cost"].mean()
    stacked = sum(parts.values())
    for i, name in enumerate(results.alternatives):
        assert stacked[i] == pytest.approx(means[name], rel=1e-9)
    assert {"holding: capital", "holding: storage", "holding: insurance"} <= set(parts)


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_every_supported_figure_is_saved(
    results_dirs: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    drawn = 0
    for directory in results_dirs.values():
        results = read_results(directory)
        for name in available(results):
            path = save(draw(name, results), tmp_path / f"{results.kind}-{name}.{suffix}")
            assert path.stat().st_size > 1000
            drawn += 1
    assert drawn >= len(FIGURES)


def test_an_unsupported_figure_says_what_it_needs(results_dirs: dict[str, Path]) -> None:
    with pytest.raises(JitsimError, match="needs the results of jitsim run or jitsim compare"):
        draw("costs", read_results(results_dirs["stress"]))


def test_plot_writes_into_the_results_directory_and_lists_it(
    invoke: Invoke, results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    result = invoke("plot", "costs", results_dirs["compare"])
    assert result.exit_code == 0, result.output
    assert (results_dirs["compare"] / "costs.png").is_file()
    assert invoke("plot", "--list").exit_code == 0
    assert invoke("plot", "cost", results_dirs["compare"]).exit_code == 2
    unfinished = tmp_path / "empty"
    unfinished.mkdir()
    assert invoke("plot", "costs", unfinished).exit_code == 2
