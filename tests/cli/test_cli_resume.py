"""`--resume DIR` alone continues an interrupted command with its recorded settings."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUICKSTART
from typer.testing import CliRunner

import jitsim
from jitsim.cli import app


class _Stop(Exception):
    pass


def _interrupt(after: int):  # type: ignore[no-untyped-def]
    def progress(done: int, total: int) -> None:
        if done >= after:
            raise _Stop

    return progress


def test_run_resumes_from_the_manifest_alone(tmp_path: Path) -> None:
    scenario = jitsim.load_scenario(QUICKSTART)
    out = tmp_path / "run"
    with pytest.raises(_Stop):
        jitsim.run(
            scenario,
            replications=12,
            seed=5,
            alternatives=["jit", "eoq"],
            backend="serial",
            out=out,
            chunk_size=2,
            progress=_interrupt(8),
        )
    result = CliRunner().invoke(
        app, ["run", str(QUICKSTART), "--resume", str(out), "--quiet", "--backend", "serial"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 12 and summary["seed"] == 5
    assert set(summary["alternatives"]) == {"jit", "eoq"}
    uninterrupted = jitsim.run(
        scenario, replications=12, seed=5, alternatives=["jit", "eoq"], backend="serial"
    )
    on_disk = pd.read_csv(out / "replications.csv")
    pd.testing.assert_frame_equal(
        on_disk, uninterrupted.replications(), check_dtype=False, check_exact=True
    )


def test_compare_resumes_with_its_baseline(tmp_path: Path) -> None:
    scenario = jitsim.load_scenario(QUICKSTART)
    out = tmp_path / "cmp"
    with pytest.raises(_Stop):
        jitsim.compare(
            scenario,
            "eoq",
            replications=8,
            seed=2,
            backend="serial",
            out=out,
            chunk_size=2,
            progress=_interrupt(6),
        )
    result = CliRunner().invoke(
        app, ["compare", str(QUICKSTART), "--resume", str(out), "--quiet", "--backend", "serial"]
    )
    assert result.exit_code == 0, result.output
    assert "paired differences vs eoq" in result.stdout


def test_commands_keep_separate_default_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(QUICKSTART), "-n", "2", "--quiet"]).exit_code == 0
    assert runner.invoke(app, ["compare", str(QUICKSTART), "-n", "2", "--quiet"]).exit_code == 0
    assert (tmp_path / "results" / "quickstart" / "summary.json").is_file()
    assert (tmp_path / "results" / "quickstart-compare" / "comparison.csv").is_file()
    assert not (tmp_path / "results" / "quickstart" / "comparison.csv").exists()


def test_stress_resumes_from_the_manifest_alone(tmp_path: Path) -> None:
    """An interrupted stress test continues with ``--resume DIR`` alone (nodes, durations,
    start day, replications, seed, chunking read back) and ends with exactly the tables of an
    uninterrupted run."""
    scenario = jitsim.load_scenario(QUICKSTART)
    out = tmp_path / "stress"
    settings = {
        "durations": [7, 21],
        "start_day": 40,
        "replications": 6,
        "seed": 9,
        "alternatives": ["jit", "buffered"],
    }
    with pytest.raises(_Stop):
        jitsim.stress(
            scenario,
            **settings,  # type: ignore[arg-type]
            backend="serial",
            out=out,
            chunk_size=2,
            progress=_interrupt(10),
        )
    assert not (out / "stress.csv").exists()
    result = CliRunner().invoke(
        app, ["stress", str(QUICKSTART), "--resume", str(out), "--quiet", "--backend", "serial"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["durations_days"] == [7, 21] and summary["start_day"] == 40
    assert summary["replications"] == 6 and summary["seed"] == 9
    uninterrupted = jitsim.stress(scenario, **settings, backend="serial")  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "stress.csv"),
        uninterrupted.table(),
        check_dtype=False,
        check_exact=False,
        rtol=1e-12,
    )


def test_stress_resume_keeps_the_reference_and_survives_free_text_commands(
    tmp_path: Path,
) -> None:
    scenario = jitsim.load_scenario(QUICKSTART)
    out = tmp_path / "stress"
    command = "jitsim stress quickstart.yaml --durations 7 --reference=eoq"
    with pytest.raises(_Stop):
        jitsim.stress(
            scenario, durations=[7], nodes=["acme"], replications=4, seed=3,
            alternatives=["jit", "eoq"], reference="eoq", backend="serial", out=out,
            chunk_size=1, progress=_interrupt(4), command=command,
        )  # fmt: skip
    result = CliRunner().invoke(
        app, ["stress", str(QUICKSTART), "--resume", str(out), "--quiet", "--backend", "serial"]
    )
    assert result.exit_code == 0, result.output
    mitigations = pd.read_csv(out / "mitigations.csv")
    assert set(mitigations["reference"]) == {"eoq"}
    # a command recorded by an API caller as free text does not crash --resume
    other = tmp_path / "run"
    with pytest.raises(_Stop):
        jitsim.run(
            scenario, replications=4, seed=1, alternatives=["jit"], backend="serial", out=other,
            chunk_size=1, progress=_interrupt(2), command="nightly run (Bob's laptop)",
        )  # fmt: skip
    resumed = CliRunner().invoke(
        app, ["run", str(QUICKSTART), "--resume", str(other), "--quiet", "--backend", "serial"]
    )
    assert resumed.exit_code == 0, resumed.output
