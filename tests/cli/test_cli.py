"""Tests of the ``jitsim`` command line (typer's CliRunner, plus two real subprocesses)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUICKSTART
from conftest import invoke_cli as invoke
from typer.testing import CliRunner

import jitsim
from jitsim import cli
from jitsim.execution.results_dir import SUMMARY_STATS
from jitsim.scenario.models import scenario_hash

runner = CliRunner()

BAD_SCENARIO = """\
name: bad
items:
  widget: {unit_cost: -1}
suppliers:
  acme:
    items: [widget]
    lead_time: {kind: gamma, mean: 3, cv: -0.3}
stock_points:
  store: {item: widget, source: acme, policy: {kind: s_S, s: 20, S: 60}}
customers:
  walk_in: {buys_from: store, demand: 5}
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results") / "quick"
    result = invoke(
        "run", QUICKSTART, "-n", "3", "--seed", "7", "--out", out, "--trajectories", "2"
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def api_result() -> jitsim.RunResult:
    return jitsim.run(jitsim.load_scenario(QUICKSTART), replications=3, seed=7, trajectories=2)


# -- run ----------------------------------------------------------------------------------------


def test_run_prints_headline_table(tmp_path: Path) -> None:
    result = invoke("run", QUICKSTART, "-n", "2", "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in ("buffered", "eoq", "jit", "total_cost", "fill_rate", "demand_units", "EUR"):
        assert name in out
    assert "±" in out and "%" in out
    assert "2 replications" in out and "seed 2026" in out and "window 365 days" in out
    assert "summary.json" in out


def test_run_writes_files(run_dir: Path) -> None:
    names = {p.name for p in run_dir.iterdir()}
    assert names == {
        "manifest.json",
        "summary.json",
        "replications.csv",
        "scenario.resolved.yaml",
        "trajectories.csv",
    }


def test_summary_json_agrees_with_api(run_dir: Path, api_result: jitsim.RunResult) -> None:
    doc = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    for key in (
        "jitsim_version",
        "seed",
        "replications",
        "scenario_hash",
        "scenario_name",
        "window_days",
        "command",
        "created",
        "alternatives",
    ):
        assert key in doc
    assert doc["seed"] == 7 and doc["replications"] == 3 and doc["window_days"] == 365
    assert doc["scenario_hash"] == scenario_hash(api_result.scenario)
    assert doc["jitsim_version"] == jitsim.__version__
    assert "-n 3" in doc["command"] and "--seed 7" in doc["command"]
    assert list(doc["alternatives"]) == ["buffered", "eoq", "jit"]
    summary = api_result.summary()
    assert len(summary) == sum(len(kpis) for kpis in doc["alternatives"].values())
    for row in summary.to_dict("records"):
        stats = doc["alternatives"][row["alternative"]][row["kpi"]]
        assert set(stats) == set(SUMMARY_STATS)
        for stat in SUMMARY_STATS:
            expected = row[stat]
            if isinstance(expected, float) and math.isnan(expected):
                assert stats[stat] is None
            else:
                assert stats[stat] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_replications_csv(run_dir: Path, api_result: jitsim.RunResult) -> None:
    frame = pd.read_csv(run_dir / "replications.csv")
    assert len(frame) == 3 * 3
    pd.testing.assert_frame_equal(frame, api_result.replications(), check_dtype=False)


def test_resolved_yaml_reloads_with_same_hash(run_dir: Path) -> None:
    path = run_dir / "scenario.resolved.yaml"
    assert path.read_text(encoding="utf-8").startswith("#")
    reloaded = jitsim.load_scenario(path)
    assert scenario_hash(reloaded) == scenario_hash(jitsim.load_scenario(QUICKSTART))


def test_trajectories_only_first_replications(run_dir: Path) -> None:
    frame = pd.read_csv(run_dir / "trajectories.csv")
    assert len(frame) > 0
    assert set(frame["replication"]) == {0, 1}
    assert set(frame["alternative"]) == {"buffered", "eoq", "jit"}


def test_run_one_alternative(tmp_path: Path) -> None:
    out = tmp_path / "one"
    result = invoke("run", QUICKSTART, "-n", "2", "--alternative", "jit", "--out", out)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out / "replications.csv")) == 2
    assert not (out / "trajectories.csv").exists()


def test_default_out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", QUICKSTART, "-n", "2", "-a", "eoq")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "quickstart" / "summary.json").is_file()


# -- user errors: exit 2, no traceback ---------------------------------------------------------


def assert_user_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_user_error(invoke("run", missing, "-n", "2"), "file not found")
    assert_user_error(invoke("validate", missing), "file not found")
    assert_user_error(invoke("trace", missing), "file not found")


def test_invalid_scenario_lists_problems_with_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_SCENARIO, encoding="utf-8")
    result = invoke("validate", bad)
    assert_user_error(
        result, f"{bad}:3: items.widget.unit_cost:", f"{bad}:7: suppliers.acme.lead_time.cv:"
    )
    assert_user_error(invoke("run", bad, "-n", "2", "--out", tmp_path / "o"), f"{bad}:7:")


def test_zero_replications(tmp_path: Path) -> None:
    assert_user_error(invoke("run", QUICKSTART, "-n", "0", "--out", tmp_path), "replications")


def test_unknown_alternative(tmp_path: Path) -> None:
    result = invoke("run", QUICKSTART, "-n", "2", "-a", "nope", "--out", tmp_path / "o")
    assert_user_error(result, "unknown alternative 'nope'", "buffered")
    assert_user_error(invoke("trace", QUICKSTART, "-a", "nope"), "unknown alternative 'nope'")


def test_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = invoke("run", QUICKSTART, "-n", "2", "--out", target)
    assert_user_error(result, "not a results directory")


def test_internal_error_exit_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.delenv("JITSIM_DEBUG", raising=False)
    monkeypatch.setattr(jitsim, "run", boom)
    result = invoke("run", QUICKSTART, "-n", "2", "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "internal error" in result.output and "kaboom" in result.output
    assert "Traceback" not in result.output
    debug = runner.invoke(cli.app, ["--debug", "run", str(QUICKSTART), "--out", str(tmp_path)])
    assert debug.exit_code == 1
    assert isinstance(debug.exception, RuntimeError)


# -- validate, schema, version --------------------------------------------------------------------


def test_validate_summary() -> None:
    result = invoke("validate", QUICKSTART)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "valid" in out and "Widget store" in out
    assert "discrete_uniform(low=2, high=4)" in out  # supplier lead time
    assert "s_S(" in out and "poisson(mean=8)" in out
    assert "eoq_order_quantity=" in out  # derived EOQ values


def test_schema(tmp_path: Path) -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["title"] == "jitsim scenario"
    assert "stock_points" in schema["properties"]
    out = tmp_path / "schema.json"
    assert invoke("schema", "--out", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"jitsim {jitsim.__version__}"


# -- trace ----------------------------------------------------------------------------------------


def test_trace_text_and_csv(tmp_path: Path) -> None:
    csv = tmp_path / "trace.csv"
    result = invoke("trace", QUICKSTART, "--days", "10", "--csv", csv)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "day 0" in text and "day 9" in text and "day 10" not in text
    order_lines = [line for line in text.splitlines() if " order " in line]
    assert order_lines and all("IP " in line for line in order_lines)
    frame = pd.read_csv(csv)
    assert list(frame.columns) == ["time", "day", "node", "event", "quantity", "level", "note"]
    assert len(frame) > 0 and (frame["event"] == "order").any()
    assert frame["day"].between(0, 9).all()


def test_trace_csv_days_5(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    result = invoke("trace", QUICKSTART, "--days", "5", "-a", "jit", "-r", "1", "--csv", csv)
    assert result.exit_code == 0, result.output
    assert "alternative jit, replication 1" in result.stdout
    frame = pd.read_csv(csv)
    assert set(frame["day"]) == {0, 1, 2, 3, 4}
    assert (frame["event"] == "end of day").sum() == 5


# -- real processes -------------------------------------------------------------------------------


def test_python_m_jitsim_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "jitsim", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"jitsim {jitsim.__version__}"


def test_console_script_run(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "jitsim"
    if not script.exists():
        pytest.skip("jitsim console script not installed next to this Python")
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(script), "run", str(QUICKSTART), "-n", "3", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "total_cost" in proc.stdout
    assert len(pd.read_csv(out / "replications.csv")) == 9
    bad = subprocess.run(
        [str(script), "run", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "file not found" in bad.stderr and "Traceback" not in bad.stderr
