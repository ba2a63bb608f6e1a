"""The figures of run and compare results show the numbers of the results directory: each is
drawn from a finished directory, saved, and one number it shows is checked against the data,
computed here independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import QUICKSTART
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats as scipy_stats

import jitsim
from jitsim.errors import JitsimError
from jitsim.output.figures import available, draw, save
from jitsim.output.figures.comparison import comparison_rows, verdict
from jitsim.output.figures.distributions import distribution_kpis
from jitsim.output.figures.frontier import frontier_points, non_dominated
from jitsim.output.figures.inventory import cash_parts, outage_windows, reorder_level
from jitsim.output.results_reader import Results, read_results

RUN_KINDS = ("inventory", "cash", "frontier", "distributions")


def _line(figure: Figure, gid: str) -> Line2D:
    """The line of ``figure`` with the id ``gid`` (every figure names the lines it checks)."""
    found = [
        artist
        for axes in figure.axes
        for artist in axes.get_children()
        if isinstance(artist, Line2D) and artist.get_gid() == gid
    ]
    assert len(found) == 1, f"{gid}: {len(found)} lines"
    return found[0]


def _drawn_and_saved(name: str, results: Results, tmp_path: Path) -> Figure:
    figure = draw(name, results)
    path = save(figure, tmp_path / f"{name}.png")
    assert path.stat().st_size > 10_000
    return figure


def test_each_run_and_compare_figure_is_offered_where_its_data_is(
    results_dirs: dict[str, Path],
) -> None:
    run = available(read_results(results_dirs["run"]))
    compare = available(read_results(results_dirs["compare"]))
    assert set(RUN_KINDS) <= set(run) and "comparison" not in run
    assert {"comparison", "frontier", "distributions"} <= set(compare)
    assert "inventory" not in compare and "cash" not in compare  # no kept trajectories
    assert "frontier" in available(read_results(results_dirs["sweep"]))
    with pytest.raises(JitsimError, match="--trajectories"):
        draw("inventory", read_results(results_dirs["compare"]))


def test_the_inventory_median_is_the_median_of_the_kept_trajectories(
    results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    results = read_results(results_dirs["run"])
    figure = _drawn_and_saved("inventory", results, tmp_path)
    trajectories = results.table("trajectories")
    assert trajectories is not None
    day = 50
    for alternative in results.alternatives:
        rows = trajectories[
            (trajectories["alternative"] == alternative) & (trajectories["day"] == day)
        ]
        expected = float(np.median(rows["on_hand"] - rows["backorders"]))
        line = _line(figure, f"median:store:{alternative}")
        days = np.asarray(line.get_xdata(), dtype=float)
        shown = np.asarray(line.get_ydata(), dtype=float)[days == day]
        assert shown == pytest.approx([expected])
    # the reorder levels: s of (s,S), the derived EOQ reorder point, none for JIT
    assert _line(figure, "reorder:store:buffered").get_ydata()[0] == pytest.approx(45.0)
    derived = results.replications.loc[
        results.replications["alternative"] == "eoq", "store.eoq_reorder_point"
    ].mean()
    level = reorder_level(results, "store", "eoq")
    assert level is not None and level.units == pytest.approx(derived)
    assert reorder_level(results, "store", "jit") is None


def test_scheduled_outages_upstream_are_shaded_and_random_ones_named(tmp_path: Path) -> None:
    text = QUICKSTART.read_text(encoding="utf-8") + (
        "disruptions:\n"
        "  strike: {kind: outage, nodes: [acme], windows: [{start: 60, days: 12}]}\n"
        "  breakdowns: {kind: outage, nodes: [acme], up: 200, down: 5}\n"
    )
    file = tmp_path / "strike.yaml"
    file.write_text(text, encoding="utf-8")
    scenario = jitsim.load_scenario(file)
    scheduled, random = outage_windows(scenario, "store")
    assert scheduled == [("strike", 60.0, 72.0)]
    assert random == ["breakdowns"]


def test_cash_parts_add_up_to_the_cash_tied_up(
    results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    results = read_results(results_dirs["run"])
    _drawn_and_saved("cash", results, tmp_path)
    parts = cash_parts(results)
    trajectories = results.table("trajectories")
    assert trajectories is not None
    unit_cost = results.scenario.items["widget"].unit_cost
    for alternative in results.alternatives:
        day = trajectories[
            (trajectories["alternative"] == alternative) & (trajectories["day"] == 70)
        ]
        row = parts[(parts["alternative"] == alternative) & (parts["day"] == 70)].iloc[0]
        assert row["on_hand"] == pytest.approx(float((day["on_hand"] * unit_cost).mean()))
        assert row["total"] == pytest.approx(float(day["cash_tied_up"].mean()))
    # title passes at receipt in the quickstart: nothing in transit is owned
    assert (parts["in_transit"].abs() < 1e-9).all()


def _dominated_by_hand(points: pd.DataFrame) -> set[str]:
    out = set()
    for i, a in points.iterrows():
        for j, b in points.iterrows():
            if i == j:
                continue
            if (
                b["service"] >= a["service"]
                and b["cash"] <= a["cash"]
                and (b["service"] > a["service"] or b["cash"] < a["cash"])
            ):
                out.add(str(a["label"]))
    return out


@pytest.mark.parametrize("kind", ["compare", "sweep"])
def test_the_frontier_marks_exactly_the_non_dominated_options(
    results_dirs: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    results = read_results(results_dirs[kind])
    figure = _drawn_and_saved("frontier", results, tmp_path)
    frame = results.replications
    by = ["point", "alternative"] if kind == "sweep" else ["alternative"]
    means = frame.groupby(by)[["fill_rate", "avg_cash_tied_up"]].mean()
    points = frontier_points(results)
    assert len(points) == len(means)  # one per alternative (and sweep point)
    for _, row in points.iterrows():
        key = (row["point"], row["alternative"]) if kind == "sweep" else row["alternative"]
        assert row["service"] == pytest.approx(means.loc[key, "fill_rate"])
        assert row["cash"] == pytest.approx(means.loc[key, "avg_cash_tied_up"])
        status = "efficient" if row["efficient"] else "dominated"
        drawn = _line(figure, f"option:{row['label']}:{status}")
        assert drawn.get_xdata()[0] == pytest.approx(row["cash"])
        assert drawn.get_ydata()[0] == pytest.approx(row["service"] * 100)
    dominated = _dominated_by_hand(points)
    assert {str(label) for label in points.loc[~points["efficient"], "label"]} == dominated
    assert points["efficient"].any()


def test_non_dominated_on_a_known_case() -> None:
    service = np.array([0.90, 0.95, 0.95, 0.99, np.nan])
    cash = np.array([100.0, 200.0, 150.0, 400.0, 50.0])
    assert non_dominated(service, cash).tolist() == [True, False, True, True, False]


def test_the_distributions_mark_mean_and_cvar_of_each_alternative(
    results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    results = read_results(results_dirs["compare"])
    figure = _drawn_and_saved("distributions", results, tmp_path)
    kpis = distribution_kpis(results)
    frame = results.replications
    # quickstart customers backorder: no lost sales, so backorders are shown
    assert kpis == ["total_cost", "stockout_days", "backordered_units"]
    for alternative in results.alternatives:
        costs = np.sort(frame.loc[frame["alternative"] == alternative, "total_cost"].to_numpy())
        # 6 replications: the worst 5 % is 0.3 of a replication, the worst one (CVaR = max)
        assert len(costs) == 6
        cvar_marker = _line(figure, f"cvar95:total_cost:{alternative}")
        assert cvar_marker.get_ydata()[0] == pytest.approx(costs[-1])
        mean_marker = _line(figure, f"mean:total_cost:{alternative}")
        assert mean_marker.get_ydata()[0] == pytest.approx(costs.mean())


def test_the_comparison_shows_the_paired_differences_and_their_verdicts(
    results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    results = read_results(results_dirs["compare"])
    figure = _drawn_and_saved("comparison", results, tmp_path)
    frame = results.replications.set_index(["alternative", "replication"])
    rows = comparison_rows(results)
    assert set(rows["alternative"]) == {"eoq", "jit"}  # the baseline is not compared to itself
    for alternative in ("eoq", "jit"):
        for kpi, scale in (("total_cost", 1.0), ("fill_rate", 100.0)):
            paired = (frame.loc[alternative, kpi] - frame.loc["buffered", kpi]).to_numpy()
            mean = paired.mean()
            half = scipy_stats.t.ppf(0.975, len(paired) - 1) * paired.std(ddof=1)
            half /= np.sqrt(len(paired))
            drawn = _line(figure, f"difference:{kpi}:{alternative}")
            assert drawn.get_xdata()[0] == pytest.approx(mean * scale)
            shown = rows[(rows["alternative"] == alternative) & (rows["kpi"] == kpi)].iloc[0]
            assert shown["verdict"] == verdict(kpi, mean - half, mean + half)
    assert verdict("total_cost", -3.0, -1.0) == "better"
    assert verdict("fill_rate", -0.03, -0.01) == "worse"
    assert verdict("total_cost", -1.0, 2.0) == "no significant difference"
    assert verdict("demand_units", 1.0, 2.0) == "higher"
    assert verdict("total_cost", float("nan"), float("nan")) == "no CI"
