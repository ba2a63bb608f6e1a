"""Paired comparison, common random numbers and sequential precision."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import QUICKSTART
from typer.testing import CliRunner

import jitsim
from jitsim.cli import app
from jitsim.errors import JitsimError
from jitsim.execution.precision import PrecisionTarget, relative_half_widths
from jitsim.stats import paired_difference, unpaired_difference


@pytest.fixture(scope="module")
def comparison() -> jitsim.Comparison:
    return jitsim.compare(
        jitsim.load_scenario(QUICKSTART), replications=40, seed=3, backend="serial"
    )


def test_paired_ci_is_narrower_than_unpaired_on_the_quickstart(
    comparison: jitsim.Comparison,
) -> None:
    """Common random numbers make the replications of two alternatives positively correlated,
    so Var(A − B) = Var(A) + Var(B) − 2 Cov(A, B) is smaller than the unpaired variance."""
    frame = comparison.result.replications()
    for kpi in ("total_cost", "fill_rate", "avg_cash_tied_up"):
        a = frame[frame.alternative == "jit"].sort_values("replication")[kpi].to_numpy()
        b = frame[frame.alternative == "buffered"].sort_values("replication")[kpi].to_numpy()
        paired = paired_difference(a, b)
        unpaired = unpaired_difference(a, b)
        assert paired.mean_diff == pytest.approx(unpaired.mean_diff)
        assert paired.half_width < unpaired.half_width, kpi
    # Demand is identical across alternatives in every replication: its difference is 0.
    demand = comparison.differences(["demand_units"])
    assert (demand["difference"] == 0).all() and (demand["ci95_high"] == 0).all()


def test_differences_table_and_better_share(comparison: jitsim.Comparison) -> None:
    table = comparison.differences(["total_cost", "fill_rate", "demand_units"])
    assert set(table["alternative"]) == {"eoq", "jit"}
    row = table[(table.alternative == "jit") & (table.kpi == "total_cost")].iloc[0]
    frame = comparison.result.replications()
    jit = frame[frame.alternative == "jit"].sort_values("replication")["total_cost"].to_numpy()
    base = frame[frame.alternative == "buffered"].sort_values("replication")["total_cost"]
    diff = jit - base.to_numpy()
    assert row["difference"] == pytest.approx(diff.mean())
    assert row["share_better"] == pytest.approx(np.mean(diff < 0))  # lower cost is better
    assert math.isnan(table[table.kpi == "demand_units"]["share_better"].iloc[0])


def test_verdicts_read_like_a_consultant_would_write_them(comparison: jitsim.Comparison) -> None:
    lines = comparison.verdicts()
    assert len(lines) == 2
    jit = next(line for line in lines if line.startswith("jit vs buffered"))
    assert "total cost +" in jit and "95 % CI" in jit and "fill rate −" in jit
    assert "cash tied up −" in jit and "stockout risk (P[any stockout day])" in jit


def test_switching_cost_gives_a_payback_period(comparison: jitsim.Comparison) -> None:
    comparison.switching_costs["eoq"] = 1000.0
    saving_per_day = (
        -(comparison.differences(["total_cost"]).set_index("alternative").loc["eoq", "difference"])
        / comparison.result.window_days
    )
    assert comparison.payback_days("eoq") == pytest.approx(1000.0 / saving_per_day)
    assert "pays back in" in comparison.verdicts()[0]
    comparison.switching_costs["jit"] = 1000.0  # jit costs more: never pays back
    assert comparison.payback_days("jit") == math.inf
    comparison.switching_costs.clear()


def test_compare_needs_two_alternatives_and_a_known_baseline() -> None:
    scenario = jitsim.load_scenario(QUICKSTART)
    with pytest.raises(JitsimError, match="unknown baseline"):
        jitsim.compare(scenario, "nope", replications=2, backend="serial")
    with pytest.raises(JitsimError, match="at least two"):
        jitsim.compare(scenario, "jit", replications=2, alternatives=["jit"], backend="serial")


CONSTANT_VARIANCE = """
name: known variance
run: {horizon_days: 30, warmup_days: 0, seed: 1}
items: {w: {unit_cost: 1.0}}
suppliers: {s: {items: [w], lead_time: 0}}
stock_points: {p: {item: w, source: s, initial: 0, policy: {kind: base_stock, S: 0}}}
customers: {c: {buys_from: p, demand: {kind: poisson, mean: 4}}}
"""


def test_sequential_precision_meets_its_target_on_a_case_with_known_variance() -> None:
    """demand_units over 30 days is Poisson(120): mean 120, sd √120 ≈ 10.95, so a ±1 % target
    (half-width 1.2) needs n ≈ (1.96·10.95/1.2)² ≈ 320 replications."""
    scenario = jitsim.load_scenario_text(CONSTANT_VARIANCE)
    target = PrecisionTarget(0.01, ("demand_units",), min_replications=20, max_replications=4000)
    result = jitsim.run(scenario, backend="serial", precision=target, chunk_size=10)
    report = result.precision
    assert report is not None and report.met
    frame = result.replications()
    assert len(frame) == report.replications
    achieved = relative_half_widths(frame, ["base"], ["demand_units"])[("base", "demand_units")]
    assert achieved <= 0.01
    expected_n = (1.96 * math.sqrt(120) / 1.2) ** 2  # ≈ 320
    assert 0.7 * expected_n <= report.replications <= 1.6 * expected_n
    assert len(report.rounds) >= 2  # the look-ahead confirmed the first success
    assert report.rounds[-1] > report.rounds[-2]


def test_sequential_precision_stops_at_the_cap_and_says_so() -> None:
    scenario = jitsim.load_scenario_text(CONSTANT_VARIANCE)
    target = PrecisionTarget(0.001, ("demand_units",), min_replications=10, max_replications=40)
    result = jitsim.run(scenario, backend="serial", precision=target, chunk_size=10)
    assert result.precision is not None and not result.precision.met
    assert result.precision.replications == 40
    assert "NOT met after 40 replications" in result.precision.describe()


def test_bad_precision_settings_are_user_errors() -> None:
    with pytest.raises(JitsimError, match="precision"):
        PrecisionTarget(1.5)
    with pytest.raises(JitsimError, match="max_replications"):
        PrecisionTarget(0.01, min_replications=50, max_replications=20)
    scenario = jitsim.load_scenario_text(CONSTANT_VARIANCE)
    with pytest.raises(JitsimError, match="unknown KPI 'nope'"):
        jitsim.run(scenario, backend="serial", precision=PrecisionTarget(0.1, ("nope",)))


def test_compare_command_prints_verdicts_and_writes_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(QUICKSTART),
            "-n",
            "5",
            "--out",
            str(tmp_path),
            "--quiet",
            "--baseline",
            "eoq",
            "--export",
            "xlsx",
            "--backend",
            "serial",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "paired differences vs eoq" in result.stdout
    assert "jit vs eoq: total cost" in result.stdout
    for name in ("comparison.csv", "results.xlsx", "summary.json", "replications.csv"):
        assert (tmp_path / name).is_file(), name
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["replications"] == 5


def test_precision_options_on_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "known.yaml"
    source.write_text(CONSTANT_VARIANCE)
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(source),
            "--precision",
            "0.05",
            "--kpi",
            "demand_units",
            "--out",
            str(tmp_path / "out"),
            "--quiet",
            "--backend",
            "serial",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "precision target ±5.00% on demand_units: met" in result.stdout
    bad = CliRunner().invoke(app, ["run", str(source), "--kpi", "fill_rate", "--quiet"])
    assert bad.exit_code == 2 and "--kpi only makes sense with --precision" in bad.output


def test_sequential_precision_does_not_depend_on_chunking_or_backend() -> None:
    scenario = jitsim.load_scenario_text(CONSTANT_VARIANCE)
    target = PrecisionTarget(0.02, ("demand_units",), min_replications=10, max_replications=300)
    small = jitsim.run(scenario, backend="serial", precision=target, chunk_size=3)
    large = jitsim.run(scenario, backend="processes", workers=2, precision=target, chunk_size=16)
    assert small.precision is not None and large.precision is not None
    assert small.precision.rounds == large.precision.rounds
    pd.testing.assert_frame_equal(small.replications(), large.replications(), check_exact=True)
    capped = jitsim.run(
        scenario,
        backend="serial",
        precision=PrecisionTarget(
            0.001, ("demand_units",), min_replications=10, max_replications=37
        ),
        chunk_size=16,
    )
    assert capped.precision is not None and capped.precision.replications == 37
    assert len(capped.replications()) == 37


@pytest.mark.parametrize(
    ("command", "extra", "sheets"),
    [
        ("run", [], {"summary", "replications"}),
        ("sweep", ["--set", "suppliers.acme.order_cost=5,20"], {"sweep_summary", "replications"}),
    ],
)
def test_run_and_sweep_export_a_workbook(
    tmp_path: Path, command: str, extra: list[str], sheets: set[str]
) -> None:
    pytest.importorskip("openpyxl")
    result = CliRunner().invoke(
        app,
        [
            *(command, str(QUICKSTART), "-n", "2", "-a", "jit", "--out", str(tmp_path)),
            *("--quiet", "--backend", "serial", "--export", "xlsx", *extra),
        ],
    )
    assert result.exit_code == 0, result.output
    workbook = pd.read_excel(tmp_path / "results.xlsx", sheet_name=None)
    assert sheets <= set(workbook)
    assert len(workbook["replications"]) == 2 * (2 if command == "sweep" else 1)
