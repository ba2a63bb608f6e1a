"""The waste, space and cash KPIs in the tables, figures and report (docs/waste-space-cash.md).

The results directories here are the quickstart's, written by the commands (``results_dirs``),
with the columns of those features added as the model writes them: network costs
(``expiry_cost``, ``obsolescence_write_off``, ``space_cost``, ``overflow_cost``, each added to
``total_cost``), the stock point's ``store.space_utilisation``, the cash KPIs, and with kept
trajectories the cash ledger's end-of-day balance under the pseudo-node ``@cash``. The numbers
are made up but shaped like a run's: the more stock an alternative holds, the more it throws
away and the less cash it has. Each test checks a number the output shows against the data,
computed here independently.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import QUICKSTART, invoke_cli, resolved_scenario_yaml, shortened
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import jitsim
from jitsim.execution import simulate
from jitsim.output.figures import FIGURES, available, draw, save
from jitsim.output.figures.cash_flow import cash_balance_bands
from jitsim.output.figures.costs import cost_components
from jitsim.output.figures.inventory import cash_parts, inventory_bands
from jitsim.output.figures.waste import waste_space_costs
from jitsim.output.rebuilt import comparison_of
from jitsim.output.report import render_report
from jitsim.output.results_reader import CASH_NODE, read_results
from jitsim.output.tables import kpi_unit, waste_extra_columns

NEW_FIGURES = ("waste", "cash_balance")
#: Opening cash of the made-up ledger (EUR).
OPENING = 20_000.0


def _with_waste_space_cash(source: Path, target: Path) -> Path:
    """A copy of the results directory ``source`` with the waste, space and cash columns (and,
    when it kept trajectories, the ``@cash`` rows), as a scenario using those features has."""
    shutil.copytree(source, target)
    rng = np.random.default_rng(17)
    frame = pd.read_csv(target / "replications.csv")
    n = len(frame)
    stock = frame["avg_on_hand"].to_numpy(dtype=float)
    frame["units_expired"] = np.round(stock * 0.9 * rng.uniform(0.8, 1.2, n))
    frame["waste_share"] = frame["units_expired"] / frame["demand_units"].clip(lower=1)
    frame["expiry_cost"] = frame["units_expired"] * 7.5
    frame["units_written_off"] = np.round(stock * rng.uniform(0.5, 1.5, n))
    frame["obsolescence_write_off"] = frame["units_written_off"] * 10.0
    frame["space_cost"] = np.ceil(stock * 1.6 / 10) * 10 * 0.02 * frame["window_days"]
    frame["overflow_units"] = np.maximum(stock - 40.0, 0) * rng.uniform(0, 3, n)
    frame["overflow_cost"] = frame["overflow_units"] * 0.05
    frame["store.space_utilisation"] = stock / (np.ceil(stock * 1.6 / 10) * 10)
    added = frame[["expiry_cost", "obsolescence_write_off", "space_cost", "overflow_cost"]]
    frame["total_cost"] = frame["total_cost"] + added.sum(axis=1)
    frame["min_cash_balance"] = OPENING - 40.0 * stock * rng.uniform(0.9, 1.1, n)
    frame["end_cash_balance"] = frame["min_cash_balance"] + 15_000.0
    frame["financing_cost"] = 0.0
    frame["dio"] = stock / frame["demand_units"].clip(lower=1) * frame["window_days"]
    frame["dso"] = 30.0
    frame["dpo"] = 45.0
    frame["cash_to_cash_days"] = frame["dio"] + frame["dso"] - frame["dpo"]
    frame.to_csv(target / "replications.csv", index=False)
    trajectories = target / "trajectories.csv"
    if trajectories.is_file():
        series = pd.read_csv(trajectories)
        per_day = series.groupby(["alternative", "replication", "day"], sort=False)
        cash = per_day["cash_tied_up"].sum().reset_index()
        steps = rng.normal(60.0, 250.0, len(cash))
        cash["cash_tied_up"] = (
            OPENING
            + pd.Series(steps).groupby([cash["alternative"], cash["replication"]]).cumsum()
            - 3.0 * cash["cash_tied_up"]
        )
        cash["stock_point"] = CASH_NODE
        cash[["on_hand", "backorders", "on_order"]] = 0.0
        pd.concat([series, cash[series.columns]], ignore_index=True).to_csv(
            trajectories, index=False
        )
    comparison = target / "comparison.csv"
    if comparison.is_file():
        comparison_of(read_results(target)).differences().to_csv(comparison, index=False)
    return target


@pytest.fixture(scope="module")
def wsc_dirs(results_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("waste-space-cash")
    return {
        kind: _with_waste_space_cash(results_dirs[kind], root / kind) for kind in ("run", "compare")
    }


def _line(figure: Figure, gid: str) -> Line2D:
    found = [
        artist
        for axes in figure.axes
        for artist in axes.get_children()
        if isinstance(artist, Line2D) and artist.get_gid() == gid
    ]
    assert len(found) == 1, f"{gid}: {len(found)} lines"
    return found[0]


# --------------------------------------------------------------------------- figures


def test_the_new_figures_are_offered_only_where_their_data_is(
    results_dirs: dict[str, Path], wsc_dirs: dict[str, Path]
) -> None:
    for kind in ("run", "compare"):
        assert not set(NEW_FIGURES) & set(available(read_results(results_dirs[kind])))
    assert set(NEW_FIGURES) <= set(available(read_results(wsc_dirs["run"])))
    compare = available(read_results(wsc_dirs["compare"]))
    assert "waste" in compare and "cash_balance" not in compare  # no kept trajectories
    assert set(NEW_FIGURES) <= set(FIGURES)


def test_the_cash_balance_median_is_the_median_of_the_kept_cash_rows(
    wsc_dirs: dict[str, Path], tmp_path: Path
) -> None:
    results = read_results(wsc_dirs["run"])
    figure = draw("cash_balance", results)
    assert save(figure, tmp_path / "cash_balance.png").stat().st_size > 10_000
    rows = results.network_series(CASH_NODE)
    assert rows is not None
    day = 60
    for alternative in results.alternatives:
        values = rows[(rows["alternative"] == alternative) & (rows["day"] == day)]
        assert len(values) == 6
        line = _line(figure, f"cash_median:{alternative}")
        days = np.asarray(line.get_xdata(), dtype=float)
        shown = np.asarray(line.get_ydata(), dtype=float)[days == day]
        assert shown == pytest.approx([np.median(values["cash_tied_up"])])
    bands = cash_balance_bands(results)
    one = bands[(bands["alternative"] == "jit") & (bands["day"] == day)].iloc[0]
    values = rows[(rows["alternative"] == "jit") & (rows["day"] == day)]["cash_tied_up"]
    assert one["low"] == pytest.approx(np.percentile(values, 10))
    assert one["high"] == pytest.approx(np.percentile(values, 90))
    assert one["low"] <= one["median"] <= one["high"]


def test_the_stock_figures_leave_the_cash_pseudo_node_out(
    results_dirs: dict[str, Path], wsc_dirs: dict[str, Path]
) -> None:
    plain, with_cash = read_results(results_dirs["run"]), read_results(wsc_dirs["run"])
    assert (with_cash.table("trajectories")["stock_point"] == CASH_NODE).any()  # type: ignore[index]
    pd.testing.assert_frame_equal(inventory_bands(with_cash), inventory_bands(plain))
    pd.testing.assert_frame_equal(cash_parts(with_cash), cash_parts(plain))
    figure = draw("inventory", with_cash)
    titles = {axes.get_title() for axes in figure.axes}
    assert not any(CASH_NODE in title for title in titles)
    assert len(figure.axes) == len(plain.alternatives)  # one stock point, one row


def test_the_waste_panel_shows_each_cost_and_the_totals_with_their_ci(
    wsc_dirs: dict[str, Path], tmp_path: Path
) -> None:
    results = read_results(wsc_dirs["compare"])
    assert save(draw("waste", results), tmp_path / "waste.png").stat().st_size > 10_000
    costs = waste_space_costs(results)
    frame = results.replications
    jit = frame[frame["alternative"] == "jit"]
    waste = jit[["expiry_cost", "obsolescence_write_off", "space_cost", "overflow_cost"]].sum(
        axis=1
    )
    half = 2.5706 * waste.std(ddof=1) / np.sqrt(len(waste))  # t(0.975, 5 degrees of freedom)
    assert costs.loc["jit", "expiry_cost"] == pytest.approx(jit["expiry_cost"].mean())
    assert costs.loc["jit", "waste_low"] == pytest.approx(waste.mean() - half, rel=1e-4)
    assert costs.loc["jit", "waste_high"] == pytest.approx(waste.mean() + half, rel=1e-4)
    carrying = jit["holding_cost"] + jit["obsolescence_cost"]
    assert costs.loc["jit", "carrying_low"] < carrying.mean() < costs.loc["jit", "carrying_high"]


def test_the_cost_breakdown_still_adds_up_to_the_total_with_waste_and_space(
    wsc_dirs: dict[str, Path],
) -> None:
    results = read_results(wsc_dirs["compare"])
    parts = cost_components(results)
    assert {"expiry", "write-off", "space", "overflow"} <= set(parts)
    means = results.replications.groupby("alternative")["total_cost"].mean()
    stacked = sum(parts.values())
    for i, name in enumerate(results.alternatives):
        assert stacked[i] == pytest.approx(means[name], rel=1e-9)


def test_plot_lists_and_draws_the_new_kinds(wsc_dirs: dict[str, Path], tmp_path: Path) -> None:
    listed = invoke_cli("plot", "--list", wsc_dirs["run"])
    assert listed.exit_code == 0, listed.output
    assert "waste" in listed.output and "cash_balance" in listed.output
    out = tmp_path / "cash.svg"
    drawn = invoke_cli("plot", "cash_balance", wsc_dirs["run"], "-o", out)
    assert drawn.exit_code == 0, drawn.output
    assert out.stat().st_size > 10_000
    refused = invoke_cli("plot", "cash_balance", wsc_dirs["compare"], "-o", tmp_path / "x.png")
    assert refused.exit_code != 0 and "--trajectories" in refused.output


# --------------------------------------------------------------------------- tables, report


def test_the_units_of_the_new_kpis() -> None:
    assert kpi_unit("cash_to_cash_days", "EUR") == ("days", 1.0)  # not money for its "cash"
    assert kpi_unit("min_cash_balance", "EUR") == ("EUR", 1.0)
    assert kpi_unit("obsolescence_write_off", "EUR") == ("EUR", 1.0)
    assert kpi_unit("store.space_utilisation", "EUR") == ("%", 100.0)
    assert kpi_unit("waste_share", "EUR") == ("%", 100.0)
    assert kpi_unit("units_expired", "EUR") == ("units", 1.0)
    assert kpi_unit("dpo", "USD") == ("days", 1.0)
    # the old rules are untouched
    assert kpi_unit("units_rejected", "EUR") == ("", 1.0)
    assert kpi_unit("avg_cash_tied_up", "EUR") == ("EUR", 1.0)


def test_show_prints_the_new_kpis_beside_total_cost_only_when_present(
    results_dirs: dict[str, Path], wsc_dirs: dict[str, Path]
) -> None:
    new = ("expiry_cost", "obsolescence_write_off", "min_cash_balance", "cash_to_cash_days")
    plain = invoke_cli("show", results_dirs["compare"], "--format", "csv")
    assert plain.exit_code == 0, plain.output
    assert not any(kpi in plain.output for kpi in new)
    shown = invoke_cli("show", wsc_dirs["compare"], "--format", "csv")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    headline = [line.split(",")[2] for line in lines if line.startswith("summary,buffered,")]
    assert headline[:5] == [
        "total_cost",
        "expiry_cost",
        "obsolescence_write_off",
        "space_cost",
        "overflow_cost",
    ], headline
    assert {"min_cash_balance", "cash_to_cash_days"} <= set(headline)
    assert len(headline) == len(set(headline)), "a KPI is shown twice"


def test_the_report_has_the_waste_space_cash_section_only_with_the_columns(
    results_dirs: dict[str, Path], wsc_dirs: dict[str, Path]
) -> None:
    for kind in ("run", "compare"):
        assert "Waste, space and cash" not in render_report(read_results(results_dirs[kind]))
    results = read_results(wsc_dirs["run"])
    html = render_report(results)
    start = html.index('id="waste-space-cash"')
    section = html[start : html.index("</section>", start)]
    for caption in (
        FIGURES["waste"].title,
        FIGURES["cash_balance"].title,
        "units_expired",
        "obsolescence_write_off",
        "store.space_utilisation",
        "cash_to_cash_days",
    ):
        assert caption in section, caption
    assert html.count('id="figure-waste"') == 1  # not again among the other figures
    assert html.count('id="figure-cash_balance"') == 1
    # the write-off of jit as the section shows it: mean ± half-width
    jit = results.replications.query("alternative == 'jit'")["obsolescence_write_off"]
    half = 2.5706 * jit.std(ddof=1) / np.sqrt(len(jit))
    assert f"{jit.mean():,.0f} ± {half:,.0f}" in section
    compare = render_report(read_results(wsc_dirs["compare"]))
    assert "--trajectories" in compare[compare.index('id="waste-space-cash"') :]


def test_the_stress_table_has_no_extra_waste_columns_without_the_kpis(
    results_dirs: dict[str, Path],
) -> None:
    table = pd.read_csv(results_dirs["stress"] / "stress.csv")
    assert waste_extra_columns(table.columns) == []
    assert not any(column.startswith("extra_") and column != "extra_cost" for column in table)
    shown = invoke_cli("show", results_dirs["stress"])
    assert shown.exit_code == 0 and "write-off" not in shown.output


# --------------------------------------------------------------------------- the batch commands


def _with_write_off(extract: Callable[..., dict[str, float]]) -> Callable[..., dict[str, float]]:
    """``extract`` that also reports an end-of-life write-off of 2 × the holding cost, in
    ``total_cost`` as the model adds it (a plain column, like every KPI of the feature)."""

    def extended(network: Any) -> dict[str, float]:
        record = extract(network)
        record["obsolescence_write_off"] = 2.0 * record["holding_cost"]
        record["total_cost"] += record["obsolescence_write_off"]
        return record

    return extended


@pytest.fixture
def write_off_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The quickstart over 120 days, whose replications (run in this process) have the
    ``obsolescence_write_off`` column."""
    monkeypatch.setattr(simulate, "extract", _with_write_off(simulate.extract))
    file = tmp_path / "quickstart.yaml"
    file.write_text(
        resolved_scenario_yaml(shortened(jitsim.load_scenario(QUICKSTART), 120, 20)),
        encoding="utf-8",
    )
    return file


COMMON = ("-n", "4", "--seed", "3", "-q", "--backend", "serial")


def _sweep_kpis(csv_output: str) -> list[str]:
    """The KPIs of the sweep table printed with ``--format csv``, in order."""
    lines = [line for line in csv_output.splitlines() if line.startswith("sweep_summary,")]
    header = next(line for line in csv_output.splitlines() if line.startswith("table,"))
    column = header.split(",").index("kpi")
    return list(dict.fromkeys(line.split(",")[column] for line in lines))


def test_a_sweep_without_the_new_kpis_shows_what_it_showed(results_dirs: dict[str, Path]) -> None:
    shown = invoke_cli("show", results_dirs["sweep"], "--format", "csv")
    assert shown.exit_code == 0, shown.output
    assert _sweep_kpis(shown.output) == ["total_cost", "fill_rate"]


def test_sweep_and_breakeven_take_a_new_kpi_as_any_other(
    write_off_scenario: Path, tmp_path: Path
) -> None:
    swept = invoke_cli(
        "sweep", write_off_scenario, "--set", "suppliers.acme.order_cost=5,20",
        "--kpi", "obsolescence_write_off", *COMMON, "-o", tmp_path / "sweep", "--format", "csv",
    )  # fmt: skip
    assert swept.exit_code == 0, swept.output
    summary = pd.read_csv(tmp_path / "sweep" / "sweep_summary.csv")
    records = pd.read_csv(tmp_path / "sweep" / "replications.csv")
    row = summary.query("point == 0 and alternative == 'jit' and kpi == 'obsolescence_write_off'")
    expected = 2 * records.query("point == 0 and alternative == 'jit'")["holding_cost"].mean()
    assert float(row["mean"].iloc[0]) == pytest.approx(expected)
    assert "obsolescence_write_off" in swept.output
    # without --kpi (as show prints it): the write-off beside the total cost, when present
    shown = invoke_cli("show", tmp_path / "sweep", "--format", "csv")
    assert shown.exit_code == 0, shown.output
    assert _sweep_kpis(shown.output) == ["total_cost", "obsolescence_write_off", "fill_rate"]
    searched = invoke_cli(
        "breakeven", write_off_scenario, "--param", "suppliers.acme.order_cost", "--range",
        "1:60", "--between", "jit,buffered", "--kpi", "obsolescence_write_off",
        "--max-iterations", "2", *COMMON, "-o", tmp_path / "breakeven",
    )  # fmt: skip
    assert searched.exit_code == 0, searched.output
    points = pd.read_csv(tmp_path / "breakeven" / "breakeven_points.csv")
    assert len(points) >= 2 and points["mean_a"].notna().all()
    misspelt = invoke_cli(
        "sweep", write_off_scenario, "--set", "suppliers.acme.order_cost=5,20",
        "--kpi", "obsolescence_writeoff", *COMMON, "-o", tmp_path / "bad",
    )  # fmt: skip
    assert misspelt.exit_code == 2 and "obsolescence_write_off" in misspelt.output


def test_the_stress_table_shows_the_extra_write_off_beside_the_extra_cost(
    write_off_scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "stress"
    stressed = invoke_cli("stress", write_off_scenario, "--durations", "14", *COMMON, "-o", out)
    assert stressed.exit_code == 0, stressed.output
    assert "extra write-off EUR" in stressed.output
    assert "Extra write-off: the part of the extra total cost" in " ".join(stressed.output.split())
    table = pd.read_csv(out / "stress.csv")
    columns = list(table.columns)
    assert columns[columns.index("extra_cost") + 1] == "extra_obsolescence_write_off"
    records = pd.read_csv(out / "replications.csv")
    first = table.iloc[0]
    mine = records[records["alternative"] == first["alternative"]]
    base = mine[mine["point"] == 0]
    hit = mine[
        (mine["node"] == first["node"])
        & (mine["duration_days"] == first["duration_days"])
        & ~mine["to_horizon"].astype(bool)
    ]
    assert len(hit) == len(base) == 4
    expected = (
        hit.sort_values("replication")["obsolescence_write_off"].to_numpy()
        - base.sort_values("replication")["obsolescence_write_off"].to_numpy()
    ).mean()
    assert first["extra_obsolescence_write_off"] == pytest.approx(expected)
    shown = invoke_cli("show", out)
    assert shown.exit_code == 0 and "extra write-off EUR" in shown.output
    report = render_report(read_results(out))
    assert "extra write-off (EUR)" in report


def _keeping(source: Path, target: Path, dropped: list[str]) -> Path:
    """A copy of the results directory ``source`` without the columns ``dropped``."""
    shutil.copytree(source, target)
    frame = pd.read_csv(target / "replications.csv")
    frame.drop(columns=dropped).to_csv(target / "replications.csv", index=False)
    return target


def test_only_the_kpis_present_are_shown(wsc_dirs: dict[str, Path], tmp_path: Path) -> None:
    waste = ["units_expired", "waste_share", "expiry_cost", "units_written_off"]
    space = ["space_cost", "overflow_units", "overflow_cost", "store.space_utilisation"]
    # a write-off alone: the panel has one waste part, and the report one table of waste
    alone = read_results(_keeping(wsc_dirs["compare"], tmp_path / "alone", waste + space))
    costs = waste_space_costs(alone)
    assert [c for c in costs if not c.endswith(("_low", "_high"))] == [
        "holding_cost",
        "obsolescence_cost",
        "obsolescence_write_off",
    ]
    draw("waste", alone)
    html = render_report(alone)
    assert "Waste: perishables and end of life per alternative" in html
    assert "Warehouse space per alternative" not in html and "units_expired" not in html
    # cash alone: no waste figure, and a note on how to get the cash balance figure
    cash = read_results(
        _keeping(wsc_dirs["compare"], tmp_path / "cash", [*waste, *space, "obsolescence_write_off"])
    )
    assert "waste" not in available(cash)
    html = render_report(cash)
    section = html[html.index('id="waste-space-cash"') :]
    assert "Cash flow per alternative" in section and 'id="figure-waste"' not in html
    assert "--trajectories 20" in section
