"""The sweep, heatmap, break-even and stress figures show the numbers of their results
directories: each test reads a number back from the drawn figure and checks it against the
files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import QUICKSTART, invoke_cli, resolved_scenario_yaml, shortened
from matplotlib.collections import PathCollection

import jitsim
from jitsim.output.figures import available, draw
from jitsim.output.figures.stress import tts_points
from jitsim.output.figures.sweeps import best_per_cell, sweep_kpis, swept_parameters
from jitsim.output.results_reader import Results, read_results


@pytest.fixture(scope="module")
def two_parameter_sweep(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The quickstart over 60 days swept over order cost × unit cost, 3 replications."""
    root = tmp_path_factory.mktemp("sweep2")
    file = root / "quickstart.yaml"
    file.write_text(
        resolved_scenario_yaml(shortened(jitsim.load_scenario(QUICKSTART), 60, 10)),
        encoding="utf-8",
    )
    result = invoke_cli(
        "sweep", file, "--set", "suppliers.acme.order_cost=5,20,40",
        "--set", "items.widget.unit_cost=8,30", "-n", "3", "--seed", "5", "-q",
        "--backend", "serial", "-o", root / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return read_results(root / "out")


def test_the_heatmap_names_the_cheapest_alternative_of_every_cell(
    two_parameter_sweep: Results,
) -> None:
    results = two_parameter_sweep
    assert swept_parameters(results) == ["suppliers.acme.order_cost", "items.widget.unit_cost"]
    assert "heatmap" in available(results)
    means = results.replications.groupby(
        ["suppliers.acme.order_cost", "items.widget.unit_cost", "alternative"]
    )["total_cost"].mean()
    cells = best_per_cell(results)
    assert len(cells) == 6
    for row in cells.to_dict("records"):
        cell = means.loc[(row["suppliers.acme.order_cost"], row["items.widget.unit_cost"])]
        assert row["best"] == cell.idxmin()
        assert row["best_mean"] == pytest.approx(cell.min(), rel=1e-9)
    figure = draw("heatmap", results)
    best_axes = figure.axes[0]
    assert best_axes.get_title() == "cheapest alternative (mean)"
    written = sorted(text.get_text().split("\n")[0] for text in best_axes.texts)
    assert written == sorted(cells["best"])
    # The colour of every cell is that of its alternative, as in every other figure.
    assert len(best_axes.patches) == 6


def test_the_sweep_figure_draws_each_alternatives_mean_per_kpi(
    two_parameter_sweep: Results,
) -> None:
    results = two_parameter_sweep
    kpis = sweep_kpis(results)
    assert kpis[0] == "total_cost" and 1 < len(kpis) <= 4
    figure = draw("sweep", results)
    panels = [axes for axes in figure.axes if axes.get_visible()]
    assert [axes.get_title() for axes in panels] == [k.replace("_", " ") for k in kpis]
    assert panels[0].get_ylabel() == "total cost (EUR)"
    table = results.table("sweep_summary")
    assert table is not None
    expected = table[
        (table["kpi"] == "total_cost")
        & (table["alternative"] == "jit")
        & (table["items.widget.unit_cost"] == 30)
    ].sort_values("suppliers.acme.order_cost")["mean"]
    drawn = [line.get_ydata() for line in panels[0].lines if len(line.get_xdata()) == 3]
    assert any(np.allclose(y, expected) for y in drawn)


def test_a_one_parameter_sweep_has_no_heatmap(results_dirs: dict[str, Path]) -> None:
    results = read_results(results_dirs["sweep"])
    assert "sweep" in available(results)
    assert "heatmap" not in available(results)


def test_the_breakeven_figure_shows_every_evaluation_and_the_outcome(
    results_dirs: dict[str, Path],
) -> None:
    results = read_results(results_dirs["breakeven"])
    figure = draw("breakeven", results)
    (axes,) = figure.axes
    assert axes.get_title() == results.summary["sentence"]
    points = results.table("breakeven_points")
    assert points is not None
    marker = next(line for line in axes.lines if line.get_marker() == "o")
    assert np.allclose(sorted(marker.get_xdata()), sorted(points["x"]))
    assert np.allclose(
        np.asarray(marker.get_ydata())[np.argsort(marker.get_xdata())],
        points.sort_values("x")["mean_diff"],
    )
    zero = [line for line in axes.lines if list(line.get_ydata()) == [0, 0]]
    assert zero, "the zero line"


def test_the_breakeven_figure_marks_the_estimate_and_its_interval(tmp_path: Path) -> None:
    file = tmp_path / "forecast.yaml"
    scenario = jitsim.load_scenario(QUICKSTART.parent / "forecast_accuracy.yaml")
    file.write_text(resolved_scenario_yaml(shortened(scenario, 150, 20)), encoding="utf-8")
    result = invoke_cli(
        "breakeven", file, "--param", "items.seat.holding_rate.storage", "--range", "0.05:0.5",
        "--between", "jit_error_10,buffered", "-n", "4", "--seed", "7", "--max-iterations", "2",
        "-q", "--backend", "serial", "-o", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    results = read_results(tmp_path / "out")
    assert results.summary["outcome"] == "break_even", results.summary["sentence"]
    figure = draw("breakeven", results)
    (axes,) = figure.axes
    estimate = float(results.summary["estimate"])
    vertical = [line for line in axes.lines if list(line.get_xdata()) == [estimate, estimate]]
    assert vertical, "the break-even line"
    low, high = results.summary["uncertainty"]
    spans = [p.get_x() for p in axes.patches] + [p.get_x() + p.get_width() for p in axes.patches]
    assert any(np.isclose(x, low) for x in spans) and any(np.isclose(x, high) for x in spans)


def test_the_danger_zone_is_where_time_to_survive_is_below_time_to_recover(
    results_dirs: dict[str, Path],
) -> None:
    results = read_results(results_dirs["stress"])
    assert {"tts_ttr", "impact", "recovery", "network"} <= set(available(results))
    points = tts_points(results)
    danger = (points["tts_days"] < points["ttr_days"]) & ~points["tts_censored"]
    assert (points["tts_lt_ttr"] == danger).all()
    figure = draw("tts_ttr", results)
    panel = figure.axes[0]
    assert panel.get_xlabel().endswith("(days)") and panel.get_ylabel().endswith("(days)")
    # Every (TTR, TTS) point is drawn, exact ones filled, censored ones open.
    scatters = [c for c in panel.collections if isinstance(c, PathCollection)]
    drawn = sum(len(c.get_offsets()) for c in scatters)
    assert drawn == len(points[points["node"] == points["node"].iloc[0]])


def test_the_impact_ranking_puts_the_worst_knock_out_on_top(
    results_dirs: dict[str, Path],
) -> None:
    results = read_results(results_dirs["stress"])
    stress = results.table("stress")
    assert stress is not None
    figure = draw("impact", results)
    (axes,) = [a for a in figure.axes if a.patches]
    widest = max(axes.patches, key=lambda bar: bar.get_width())
    assert widest.get_width() == pytest.approx(stress["impact"].max())
    worst = stress.loc[stress["impact"].idxmax()]
    ticks = [t.get_text() for t in axes.get_yticklabels()]
    labels = dict(zip(axes.get_yticks(), ticks, strict=True))
    assert labels[max(labels)] == (
        f"{worst['node']} ({worst['node_kind']}), {worst['duration_days']:g} d"
    )
    # The worst bar sits in the top group.
    assert widest.get_y() > max(labels) - 0.5
    assert axes.get_xlabel().endswith("(EUR)")


def test_the_recovery_figure_draws_the_drop_share_and_recovery_days(
    results_dirs: dict[str, Path],
) -> None:
    results = read_results(results_dirs["stress"])
    stress = results.table("stress")
    assert stress is not None
    figure = draw("recovery", results)
    share_axes = figure.axes[0]
    shares = sorted(float(y) for line in share_axes.lines[::2] for y in line.get_ydata())
    assert np.allclose(shares, sorted(stress["service_drop_share"] * 100))
