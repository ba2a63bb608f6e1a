"""Backends give identical results; output directories survive SIGKILL and resume exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUICKSTART

import jitsim
from jitsim.errors import JitsimError


@pytest.fixture(scope="module")
def scenario() -> jitsim.Scenario:
    full = jitsim.load_scenario(QUICKSTART)
    run = full.run.model_copy(update={"horizon_days": 120, "warmup_days": 20})
    return full.model_copy(update={"run": run})


@pytest.fixture(scope="module")
def serial(scenario: jitsim.Scenario) -> pd.DataFrame:
    return jitsim.run(scenario, replications=60, seed=11, backend="serial").replications()


def test_two_processes_equal_serial_exactly(
    scenario: jitsim.Scenario, serial: pd.DataFrame
) -> None:
    result = jitsim.run(
        scenario, replications=60, seed=11, backend="processes", workers=2, chunk_size=7
    )
    assert result.backend == "processes"
    pd.testing.assert_frame_equal(result.replications(), serial, check_exact=True)


def test_dask_local_cluster_equals_serial_exactly(
    scenario: jitsim.Scenario, serial: pd.DataFrame
) -> None:
    pytest.importorskip("distributed")
    result = jitsim.run(scenario, replications=60, seed=11, backend="dask", workers=2, chunk_size=9)
    pd.testing.assert_frame_equal(result.replications(), serial, check_exact=True)


def test_chunk_size_does_not_change_results(
    scenario: jitsim.Scenario, serial: pd.DataFrame
) -> None:
    result = jitsim.run(scenario, replications=60, seed=11, backend="serial", chunk_size=1)
    pd.testing.assert_frame_equal(result.replications(), serial, check_exact=True)


def test_unknown_backend_and_bad_workers_are_user_errors(scenario: jitsim.Scenario) -> None:
    with pytest.raises(JitsimError, match="unknown backend 'gpu'"):
        jitsim.run(scenario, replications=100, backend="gpu")
    with pytest.raises(JitsimError, match="workers"):
        jitsim.run(scenario, replications=100, backend="processes", workers=0)


def test_output_directory_holds_what_memory_holds(
    scenario: jitsim.Scenario, serial: pd.DataFrame, tmp_path: Path
) -> None:
    result = jitsim.run(scenario, replications=60, seed=11, backend="serial", out=tmp_path)
    pd.testing.assert_frame_equal(
        result.replications(), serial, check_dtype=False, check_exact=True
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["plan"]["replications"] == 60


class _Interrupt(Exception):
    pass


def _interrupted_run(scenario: jitsim.Scenario, out: Path, after: int, **options: object) -> None:
    """Run until ``after`` replications are done, then stop as Ctrl-C would."""

    def progress(done: int, total: int) -> None:
        if done >= after:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        jitsim.run(scenario, backend="serial", out=out, progress=progress, **options)  # type: ignore[arg-type]


def test_resume_rejects_a_different_experiment(scenario: jitsim.Scenario, tmp_path: Path) -> None:
    _interrupted_run(scenario, tmp_path, 30, replications=60, seed=11, chunk_size=5)
    with pytest.raises(JitsimError, match=r"cannot resume.*seed"):
        jitsim.run(
            scenario,
            replications=60,
            seed=12,
            backend="serial",
            out=tmp_path,
            resume=True,
            chunk_size=5,
        )
    with pytest.raises(JitsimError, match=r"cannot resume.*plan"):
        jitsim.run(
            scenario,
            replications=80,
            seed=11,
            backend="serial",
            out=tmp_path,
            resume=True,
            chunk_size=5,
        )
    with pytest.raises(JitsimError, match="nothing to resume"):
        jitsim.run(scenario, replications=10, backend="serial", out=tmp_path / "x", resume=True)


def test_a_complete_run_is_not_resumed(scenario: jitsim.Scenario, tmp_path: Path) -> None:
    jitsim.run(scenario, replications=6, seed=11, backend="serial", out=tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["complete"] is True
    assert not (tmp_path / "journal.jsonl").exists()
    with pytest.raises(JitsimError, match="already complete"):
        jitsim.run(scenario, replications=6, seed=11, backend="serial", out=tmp_path, resume=True)


def test_interrupted_run_resumes_exactly_after_a_torn_tail(
    scenario: jitsim.Scenario, serial: pd.DataFrame, tmp_path: Path
) -> None:
    _interrupted_run(scenario, tmp_path, 120, replications=60, seed=11, chunk_size=10)
    journal = tmp_path / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    assert sum(b'"chunk"' in line for line in lines) == 4  # 4 chunks × 10 replications × 3 alts
    # A crash while journaling chunk 4: a torn journal line and half a record behind it.
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][:7])
    with open(tmp_path / "replications.part.csv", "ab") as handle:
        handle.write(b"0,jit,17,0.5,")
    resumed = jitsim.run(
        scenario,
        replications=60,
        seed=11,
        backend="serial",
        out=tmp_path,
        chunk_size=10,
        resume=True,
    )
    pd.testing.assert_frame_equal(
        resumed.replications(), serial, check_dtype=False, check_exact=True
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["replications"] == 60


KILLABLE = textwrap.dedent(
    """
    import sys, jitsim
    scenario = jitsim.load_scenario(sys.argv[1])
    run = scenario.run.model_copy(update={"horizon_days": 120, "warmup_days": 20})
    scenario = scenario.model_copy(update={"run": run})
    jitsim.run(scenario, replications=60, seed=11, backend="serial", out=sys.argv[2],
               chunk_size=2)
    """
)


def test_sigkill_loses_at_most_the_chunk_in_flight_and_resume_is_exact(
    scenario: jitsim.Scenario, serial: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", KILLABLE, str(QUICKSTART), str(out)])
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_bytes().count(b'"chunk"') >= 3:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = journal.read_bytes().count(b'"chunk"')
    assert 3 <= finished < 30, "the run was killed while it was running"
    # Every journaled chunk is on disk in full.
    records = (out / "replications.part.csv").read_bytes().splitlines()
    assert len(records) >= finished * 2 * 3
    resumed = jitsim.run(
        scenario, replications=60, seed=11, backend="serial", out=out, chunk_size=2, resume=True
    )
    pd.testing.assert_frame_equal(
        resumed.replications(), serial, check_dtype=False, check_exact=True
    )


def test_a_precision_run_resumes(tmp_path: Path) -> None:
    from jitsim.execution.precision import PrecisionTarget

    scenario = jitsim.load_scenario(QUICKSTART)
    scenario = scenario.model_copy(
        update={"run": scenario.run.model_copy(update={"horizon_days": 60, "warmup_days": 0})}
    )
    target = PrecisionTarget(0.02, ("total_cost",), min_replications=10, max_replications=200)
    full = jitsim.run(scenario, seed=4, backend="serial", precision=target, chunk_size=5)
    _interrupted_run(scenario, tmp_path, 30, seed=4, precision=target, chunk_size=5)
    resumed = jitsim.run(
        scenario,
        seed=4,
        backend="serial",
        precision=target,
        chunk_size=5,
        out=tmp_path,
        resume=True,
    )
    assert resumed.precision is not None and full.precision is not None
    assert resumed.precision.replications == full.precision.replications
    pd.testing.assert_frame_equal(
        resumed.replications(), full.replications(), check_dtype=False, check_exact=True
    )


def test_resolved_scenario_with_continuous_review_loads_again(tmp_path: Path) -> None:
    from jitsim.execution.results_dir import resolved_scenario_yaml

    text = QUICKSTART.read_text().replace("review: {every_days: 1}", "review: continuous")
    scenario = jitsim.load_scenario_text(text)
    again = jitsim.load_scenario_text(resolved_scenario_yaml(scenario))
    assert again == scenario


def test_dask_backend_connects_to_an_existing_scheduler(
    scenario: jitsim.Scenario, serial: pd.DataFrame
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = jitsim.run(
            scenario,
            replications=60,
            seed=11,
            backend="dask",
            scheduler=cluster.scheduler_address,
            chunk_size=6,
        )
    pd.testing.assert_frame_equal(result.replications(), serial, check_exact=True)


def test_dask_backend_without_the_extra_names_it(
    scenario: jitsim.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    with pytest.raises(JitsimError, match=r"pip install 'jitsim\[dask\]'"):
        jitsim.run(scenario, replications=60, backend="dask")


def test_unreachable_scheduler_is_a_user_error(
    scenario: jitsim.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from jitsim.execution.backends import DaskBackend

    monkeypatch.setattr(DaskBackend, "connect_timeout", "1s")
    with pytest.raises(JitsimError, match="cannot reach the Dask scheduler"):
        jitsim.run(scenario, replications=60, backend="dask", scheduler="tcp://127.0.0.1:9")
