"""Choosing the engine: API ``engine=``, CLI ``--engine``, the manifest, the fall-back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import jitsim
from jitsim.errors import JitsimError
from tests.conftest import MIXED_SCOPE as MIXED
from tests.conftest import REFERENCE_CASE as REFERENCE
from tests.conftest import ROOT, SCENARIOS, Invoke, shortened


def test_api_fast_equals_simpy() -> None:
    scenario = jitsim.load_scenario(REFERENCE)
    simpy = jitsim.run(scenario, 12, backend="serial", chunk_size=5)
    fast = jitsim.run(scenario, 12, backend="serial", chunk_size=5, engine="fast")
    pd.testing.assert_frame_equal(fast.frame, simpy.frame, check_exact=True)


def test_the_fast_engine_gets_large_chunks_by_default(tmp_path: Path) -> None:
    """Its cost per day is mostly fixed per chunk: by default a fast run is planned in chunks
    of up to 4096 replications (a quarter of the run), a SimPy run in chunks of at most 50."""
    scenario = jitsim.load_scenario(REFERENCE)
    jitsim.run(scenario, 400, backend="serial", engine="fast", out=tmp_path / "fast")
    jitsim.run(scenario, 400, backend="serial", out=tmp_path / "simpy")
    plan = {
        name: json.loads((tmp_path / name / "manifest.json").read_text())["plan"]
        for name in ("fast", "simpy")
    }
    assert plan["fast"]["chunk_size"] == 100 and plan["simpy"]["chunk_size"] == 25, plan
    fast = pd.read_csv(tmp_path / "fast" / "replications.csv")
    simpy = pd.read_csv(tmp_path / "simpy" / "replications.csv")
    pd.testing.assert_frame_equal(fast, simpy, check_exact=True)


def test_auto_mixes_engines_and_keeps_trajectories() -> None:
    """Under auto the out-of-scope alternative runs on SimPy, the other on the fast engine, and
    replications that keep trajectories on SimPy: the same tables."""
    scenario = jitsim.load_scenario_text(MIXED)
    simpy = jitsim.run(scenario, 4, backend="serial", trajectories=2)
    auto = jitsim.run(scenario, 4, backend="serial", trajectories=2, engine="auto")
    pd.testing.assert_frame_equal(auto.frame, simpy.frame, check_exact=True)
    pd.testing.assert_frame_equal(auto.trajectory_frame, simpy.trajectory_frame, check_exact=True)


def test_fast_refuses_out_of_scope_and_unknown_engines() -> None:
    scenario = jitsim.load_scenario_text(MIXED)
    with pytest.raises(JitsimError, match=r"alternative 'continuous'.*continuous review"):
        jitsim.run(scenario, 2, backend="serial", engine="fast")
    with pytest.raises(JitsimError, match="unknown engine 'numba'"):
        jitsim.run(scenario, 2, backend="serial", engine="numba")


def test_cli_stress_is_byte_identical_on_both_engines(invoke: Invoke, tmp_path: Path) -> None:
    """A stress test (outages knocking each supplier out, a neutral baseline shock, the
    scenario's own random outages and backup) writes the same bytes on either engine."""
    pytest.importorskip("numba")
    path = SCENARIOS / "jit_single_source_failure.yaml"
    for engine in ("simpy", "fast"):
        result = invoke(
            "stress", path, "-n", 6, "--durations", "7,30", "--engine", engine,
            "-o", tmp_path / engine, "-q", "--backend", "serial",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    for name in ("replications.csv", "stress.csv", "tts.csv", "mitigations.csv"):
        fast = (tmp_path / "fast" / name).read_bytes()
        assert fast == (tmp_path / "simpy" / name).read_bytes(), name


def test_cli_fast_results_are_byte_identical(invoke: Invoke, tmp_path: Path) -> None:
    for engine in ("simpy", "fast"):
        result = invoke(
            "run",
            REFERENCE,
            "-n",
            6,
            "--engine",
            engine,
            "-o",
            tmp_path / engine,
            "-q",
            "--backend",
            "serial",
        )
        assert result.exit_code == 0, result.output
    simpy = (tmp_path / "simpy" / "replications.csv").read_bytes()
    assert (tmp_path / "fast" / "replications.csv").read_bytes() == simpy
    manifest = json.loads((tmp_path / "fast" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "fast"
    assert manifest["engines_used"] == [
        {"point": 0, "alternative": "base", "engine": "fast", "why_not_fast": None}
    ]


def test_cli_fast_out_of_scope_is_one_line_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(
        "run",
        ROOT / "scenarios" / "assembly_plant.yaml",
        "-n",
        2,
        "--engine",
        "fast",
        "-o",
        tmp_path / "out",
        "-q",
    )
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "plants" in result.output and "--engine auto" in result.output


def test_cli_auto_records_why_not_fast(invoke: Invoke, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(MIXED, encoding="utf-8")
    result = invoke(
        "run",
        mixed,
        "-n",
        2,
        "--engine",
        "auto",
        "--verbose",
        "-o",
        tmp_path / "out",
        "-q",
        "--backend",
        "serial",
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    used = {row["alternative"]: row for row in manifest["engines_used"]}
    assert used["periodic"]["engine"] == "fast"
    assert used["continuous"]["engine"] == "simpy"
    assert "continuous review" in used["continuous"]["why_not_fast"]
    # --verbose says the same on screen, one line per alternative
    assert "engine: fast for periodic" in result.output
    assert "engine: simpy for continuous — not fast: continuous review" in result.output


def test_cli_engine_is_not_recorded_in_the_reproducing_command(
    invoke: Invoke, tmp_path: Path
) -> None:
    """The engine says how to run, not what: the command recorded with the results (which
    reproduces them) is the same whichever engine ran them."""
    commands = []
    for engine in ("simpy", "fast"):
        out = tmp_path / engine
        result = invoke(
            "run", REFERENCE, "-n", 3, "--engine", engine, "-o", out, "-q", "--backend", "serial"
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        commands.append(summary["command"].replace(str(out), "OUT"))
    assert commands[0] == commands[1] and "--engine" not in commands[0]


def test_experiments_on_the_fast_engine_give_the_same_tables() -> None:
    """compare, sweep and sequential precision use the engine unchanged: same tables."""
    quickstart = shortened(jitsim.load_scenario(SCENARIOS / "quickstart.yaml"), 100, 10)
    reference = jitsim.load_scenario(REFERENCE)
    target = jitsim.PrecisionTarget(0.05, min_replications=10, max_replications=30)
    for experiment in (
        lambda **o: jitsim.compare(quickstart, "buffered", 5, **o).result,
        lambda **o: jitsim.sweep(
            reference, {"stock_points.store.policy.s": [10, 25]}, replications=3, **o
        ),
        lambda **o: jitsim.run(reference, precision=target, **o),
    ):
        simpy = experiment(backend="serial")
        fast = experiment(backend="serial", engine="fast")
        pd.testing.assert_frame_equal(fast.frame, simpy.frame, check_exact=True)


class _Stop(Exception):
    pass


def test_a_run_resumes_on_another_engine(tmp_path: Path) -> None:
    """The engine is not part of a run's identity: a run interrupted on the SimPy engine and
    resumed on the fast one has the records of an uninterrupted SimPy run, byte for byte."""

    def stop_after(count: int):  # type: ignore[no-untyped-def]
        def progress(done: int, total: int) -> None:
            if done >= count:
                raise _Stop

        return progress

    scenario = jitsim.load_scenario(REFERENCE)
    out, whole = tmp_path / "resumed", tmp_path / "whole"
    with pytest.raises(_Stop):
        jitsim.run(scenario, 12, backend="serial", out=out, chunk_size=3, progress=stop_after(6))
    jitsim.run(scenario, 12, backend="serial", out=out, chunk_size=3, resume=True, engine="fast")
    jitsim.run(scenario, 12, backend="serial", out=whole, chunk_size=3)
    assert (out / "replications.csv").read_bytes() == (whole / "replications.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "simpy"  # the engine the run was started with
