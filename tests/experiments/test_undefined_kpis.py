"""KPIs that cannot be computed (issue #18): "n/a" on screen, empty in files, never a crash.

A fill rate needs demand: in :data:`conftest.ZERO_DEMAND` it is undefined in every replication,
in :data:`conftest.SPARSE_DEMAND` in some. Every experiment must show such a KPI as "n/a" (or
leave its cells empty), say why when it cannot search on it, and still get every other number
right.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SPARSE_DEMAND, Invoke

import jitsim
from jitsim.errors import JitsimError

#: Total cost of the zero-demand store: 60 units at 12 EUR held a year at 22 % (no orders, no
#: shortages), the same for every alternative and replication.
IDLE_COST = 60 * 12.0 * 0.22


def _row(table: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.logical_and.reduce([table[k] == v for k, v in where.items()])
    rows = table[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows.iloc[0]


def _no_inf_or_nan_text(directory: Path) -> None:
    """No ``inf``/``nan`` spelled out in any CSV file of ``directory`` (undefined is empty)."""
    for path in directory.glob("*.csv"):
        text = path.read_text(encoding="utf-8").lower()
        for word in ("inf", "nan"):
            assert f",{word}" not in text and f"{word}," not in text, f"{path.name}: {word}"


# -- run ----------------------------------------------------------------------------------------


def test_run_cli_with_no_demand_shows_na_and_writes_empty_cells(
    invoke: Invoke, zero_demand_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = invoke(
        "run", zero_demand_file, "-n", "3", "-q", "-o", out, "--export", "csv", "--export", "xlsx"
    )
    assert result.exit_code == 0, result.output
    fill = next(line for line in result.output.splitlines() if "│ fill_rate" in line)
    assert [cell.strip() for cell in fill.split("│")[3:-1]] == ["n/a", "n/a"]
    summary = pd.read_csv(out / "summary.csv")
    assert _row(summary, alternative="jit", kpi="fill_rate")[["mean", "p50"]].isna().all()
    assert _row(summary, alternative="jit", kpi="total_cost")["mean"] == pytest.approx(IDLE_COST)
    sheet = pd.read_excel(out / "results.xlsx", sheet_name="replications")
    assert sheet["fill_rate"].isna().all() and len(sheet) == 6
    _no_inf_or_nan_text(out)


# -- compare ----------------------------------------------------------------------------------


def test_compare_cli_with_no_demand_prints_na_instead_of_crashing(
    invoke: Invoke, zero_demand_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "nd"
    result = invoke("compare", zero_demand_file, "-n", "3", "-q", "-o", out, "--export", "xlsx")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # the paired differences: fill rate n/a, total cost exactly the same
    fill = [line for line in lines if "│ jit" in line and "fill_rate" in line]
    assert len(fill) == 1 and "n/a" in fill[0], result.output
    verdict = next(line for line in lines if line.startswith("jit vs buffered"))
    assert "fill rate n/a" in verdict
    assert "total cost +0.0 %" in verdict
    differences = pd.read_csv(out / "comparison.csv")
    cost = _row(differences, alternative="jit", kpi="total_cost")
    assert cost["mean"] == pytest.approx(IDLE_COST) and cost["difference"] == 0
    fill_rate = _row(differences, alternative="jit", kpi="fill_rate")
    assert fill_rate["n"] == 0 and fill_rate[["mean", "difference", "ci95_low"]].isna().all()
    _no_inf_or_nan_text(out)


def test_compare_api_reports_an_undefined_kpi_as_nan(zero_demand: jitsim.Scenario) -> None:
    comparison = jitsim.compare(zero_demand, replications=3, seed=1, backend="serial")
    table = comparison.differences(["total_cost", "fill_rate", "avg_cash_tied_up"])
    fill = _row(table, kpi="fill_rate")
    assert fill["n"] == 0 and math.isnan(fill["difference"]) and math.isnan(fill["share_better"])
    assert _row(table, kpi="total_cost")["baseline_mean"] == pytest.approx(IDLE_COST)
    (verdict,) = comparison.verdicts()
    assert "fill rate n/a (n/a to n/a)" in verdict
    assert "stockout risk (P[any stockout day]) 0% → 0%" in verdict


def test_compare_uses_the_replications_where_a_kpi_is_defined(
    sparse_demand: jitsim.Scenario,
) -> None:
    comparison = jitsim.compare(sparse_demand, replications=10, seed=5, backend="serial")
    frame = comparison.result.replications()
    values = {
        name: group.sort_values("replication")["fill_rate"].to_numpy(dtype=float)
        for name, group in frame.groupby("alternative")
    }
    defined = ~np.isnan(values["jit"])
    assert 0 < defined.sum() < 10  # the point of the scenario
    fill = _row(comparison.differences(["fill_rate"]), kpi="fill_rate")
    assert fill["n"] == defined.sum()
    assert fill["mean"] == pytest.approx(values["jit"][defined].mean())
    summary = _row(comparison.result.summary(["fill_rate"]), alternative="jit")
    assert summary["n"] == defined.sum()
    assert summary["mean"] == pytest.approx(np.nanmean(values["jit"]))
    assert "fill rate" in comparison.verdicts()[0]


# -- sweep ------------------------------------------------------------------------------------


def test_sweep_cli_with_no_demand(invoke: Invoke, zero_demand_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sw"
    result = invoke(
        "sweep", zero_demand_file, "--set", "suppliers.acme.order_cost=10,20", "-n", "3", "-q",
        "-o", out, "--kpi", "total_cost", "--kpi", "fill_rate", "--kpi", "store.days_of_inventory",
        "--export", "xlsx",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│ buffered" in line or "│ jit" in line]
    assert len(rows) == 4
    for line in rows:
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        assert cells[2] == "158 ± 0" and cells[3:] == ["n/a", "n/a"], line
    summary = pd.read_csv(out / "sweep_summary.csv")
    fill = summary[summary.kpi == "fill_rate"]
    assert len(fill) == 4 and fill["mean"].isna().all() and (fill["n"] == 0).all()
    cost = summary[summary.kpi == "total_cost"]
    assert np.allclose(cost["mean"], IDLE_COST)
    _no_inf_or_nan_text(out)


def test_sweep_api_with_sparse_demand(sparse_demand: jitsim.Scenario) -> None:
    result = jitsim.sweep(
        sparse_demand, {"suppliers.acme.order_cost": [10, 20]}, replications=10, seed=5,
        backend="serial",
    )  # fmt: skip
    frame = result.replications()
    summary = result.summary(["fill_rate"])
    for row in summary.to_dict("records"):
        values = frame[(frame.point == row["point"]) & (frame.alternative == row["alternative"])]
        defined = values["fill_rate"].dropna()
        assert 0 < len(defined) < 10
        assert row["n"] == len(defined) and row["mean"] == pytest.approx(defined.mean())


# -- stress -----------------------------------------------------------------------------------


def test_stress_cli_and_api_with_no_demand(
    invoke: Invoke, zero_demand_file: Path, zero_demand: jitsim.Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "st"
    result = invoke("stress", zero_demand_file, "--durations", "7", "-n", "3", "-q", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "stress.csv")
    assert (table["lost_units"] == 0).all() and (table["impact"] == 0).all()
    assert np.allclose(table["total_cost_cvar95"], IDLE_COST)
    _no_inf_or_nan_text(out)
    api = jitsim.stress(zero_demand, durations=[7], replications=3, seed=1, backend="serial")
    assert (api.table()["impact"] == 0).all()
    assert api.records()["fill_rate"].isna().all()
    assert (api.mitigations()["pays_if"] == "always").all()  # as cheap and as safe


# -- break-even -------------------------------------------------------------------------------


def test_breakeven_on_an_undefined_kpi_is_one_line(
    invoke: Invoke, zero_demand_file: Path, zero_demand: jitsim.Scenario, tmp_path: Path
) -> None:
    result = invoke(
        "breakeven", zero_demand_file, "--param", "suppliers.acme.order_cost", "--range", "1:100",
        "--between", "jit,buffered", "--kpi", "fill_rate", "-n", "3", "-q", "-o", tmp_path / "be",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "fill_rate is undefined" in line and "suppliers.acme.order_cost = 1" in line
    with pytest.raises(JitsimError, match="fill_rate is undefined"):
        jitsim.breakeven(
            zero_demand, "suppliers.acme.order_cost", 1, 100, ("jit", "buffered"),
            kpi="fill_rate", replications=3, backend="serial",
        )  # fmt: skip


def test_breakeven_on_a_defined_kpi_of_an_idle_store(
    invoke: Invoke, zero_demand_file: Path, tmp_path: Path
) -> None:
    result = invoke(
        "breakeven", zero_demand_file, "--param", "suppliers.acme.order_cost", "--range", "1:100",
        "--between", "jit,buffered", "-n", "1", "-q", "-o", tmp_path / "be",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output.lower()
    # one replication: no confidence interval
    rows = [line.split("│")[1:-1] for line in result.output.splitlines() if "│" in line]
    assert [cell.strip() for cell in rows[1]] == ["100", "0", "n/a", "1"]
    assert "give the same total_cost at both ends" in result.output


def test_breakeven_uses_the_replications_where_a_kpi_is_defined(tmp_path: Path) -> None:
    scenario = jitsim.load_scenario_text(SPARSE_DEMAND)
    found = jitsim.breakeven(
        scenario, "suppliers.acme.order_cost", 1, 100, ("jit", "buffered"), kpi="fill_rate",
        replications=10, seed=5, backend="serial", out=tmp_path / "be",
    )  # fmt: skip
    frame = found.replications()
    first = frame[frame.evaluation == 0]
    defined = first[first.alternative == "jit"]["fill_rate"].notna().sum()
    assert 0 < defined < 10
    assert found.evaluations()["n"].iloc[0] == defined
    _no_inf_or_nan_text(tmp_path / "be")
