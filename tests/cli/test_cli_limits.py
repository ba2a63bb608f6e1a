"""Options over the documented limits exit 2 with one line, at once and with little memory
(issues #11 and #18: ``-n 1000000000000000`` grew memory without bound while planning chunks,
``--workers 40`` was accepted, ``--set X=0:1e300:1e-10`` and a malformed ``--scheduler`` were
internal errors, a horizon of 1e12 days a MemoryError)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import QUICKSTART, Invoke

from jitsim.scenario.limits import MAX_REPLICATIONS, WORKERS_PER_CORE

ROOT = Path(__file__).resolve().parents[2]
HUGE = "1000000000000000"

#: Runs ``jitsim ARGS`` and writes the peak resident memory of the process (kB) to a file.
_MEASURED = """
import os, resource, sys
from jitsim.cli import main
sys.argv = ["jitsim", *sys.argv[2:]]
try:
    main()
finally:
    with open(os.environ["PEAK_FILE"], "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""
#: Peak memory allowed to refuse a limit (kB): the interpreter with jitsim imported is ~200 MB.
PEAK_KB = 400_000


def _one_line_error(result: object, *fragments: str) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ") or ".yaml:" in lines[0], output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def _timed(invoke: Invoke, *args: object) -> object:
    start = time.perf_counter()
    result = invoke(*args)
    assert time.perf_counter() - start < 1.0, "a limit must be checked before any work"
    return result


@pytest.mark.parametrize(
    "command",
    [
        ["run", QUICKSTART],
        ["compare", QUICKSTART],
        ["sweep", QUICKSTART, "--set", "items.widget.unit_cost=10,12"],
        ["stress", QUICKSTART],
        [
            "breakeven", QUICKSTART, "--param", "items.widget.unit_cost",
            "--range", "5:20", "--between", "jit,buffered",
        ],
    ],
    ids=["run", "compare", "sweep", "stress", "breakeven"],
)  # fmt: skip
def test_huge_replication_count_is_refused_before_planning(
    invoke: Invoke, tmp_path: Path, command: list[str]
) -> None:
    result = _timed(invoke, *command, "-n", HUGE, "-q", "-o", tmp_path / "out")
    _one_line_error(
        result, f"replications(=1,000,000,000,000,000) is over the limit of {MAX_REPLICATIONS:,}"
    )


@pytest.mark.parametrize("command", ["run", "compare"])
def test_huge_max_replications_is_refused(invoke: Invoke, tmp_path: Path, command: str) -> None:
    result = _timed(
        invoke, command, QUICKSTART, "--precision", "0.01", "--max-replications", HUGE,
        "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    _one_line_error(result, "max_replications(=1,000,000,000,000,000) is over the limit")


def test_huge_min_replications_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    result = _timed(
        invoke, "run", QUICKSTART, "--precision", "0.01", "--min-replications", HUGE,
        "--max-replications", HUGE, "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    _one_line_error(result, "over the limit")


def test_sweep_range_with_too_many_points(invoke: Invoke, tmp_path: Path) -> None:
    result = _timed(
        invoke, "sweep", QUICKSTART, "--set", "items.widget.unit_cost=0:1e300:1e-10",
        "-n", "2", "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    _one_line_error(result, "has too many values (the limit is 10,000)")


def test_memory_estimate_over_the_machine(invoke: Invoke, tmp_path: Path) -> None:
    result = _timed(
        invoke, "run", QUICKSTART, "-n", "900000", "--trajectories", "900000",
        "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    line = _one_line_error(result, "this batch would need about", "of memory")
    assert "trajectory rows" in line


def test_too_many_workers(invoke: Invoke, tmp_path: Path) -> None:
    too_many = WORKERS_PER_CORE * (os.cpu_count() or 1) + 1
    result = _timed(
        invoke, "run", QUICKSTART, "-n", "2", "--workers", too_many, "-q", "-o", tmp_path / "o"
    )
    _one_line_error(result, f"workers(={too_many}) is over the limit")


def test_scheduler_without_dask(invoke: Invoke, tmp_path: Path) -> None:
    for backend in ("processes", "serial"):
        result = _timed(
            invoke, "run", QUICKSTART, "-n", "2", "--backend", backend,
            "--scheduler", "tcp://127.0.0.1:8786", "-q", "-o", tmp_path / backend,
        )  # fmt: skip
        _one_line_error(result, "--scheduler needs --backend dask")


@pytest.mark.parametrize("address", ["tcp://:::bad", "nonsense", "tcp://host:port", "udp://h:1"])
def test_malformed_scheduler_address(invoke: Invoke, tmp_path: Path, address: str) -> None:
    result = _timed(
        invoke, "run", QUICKSTART, "-n", "2", "--backend", "dask", "--scheduler", address,
        "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    _one_line_error(result, repr(address), "expected tcp://HOST:PORT")


def test_unreachable_scheduler_fails_at_once(invoke: Invoke, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a local port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    result = _timed(
        invoke, "run", QUICKSTART, "-n", "2", "--backend", "dask", "--scheduler", address,
        "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    # Nothing answering there is the environment's failure, not the user's input: exit 1.
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert output.strip().splitlines() == [
        f"error: cannot reach the Dask scheduler at {address}: connection refused "
        "(is the scheduler running?)"
    ]


def _measured(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    peak_file = tmp_path / "peak.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEAK_FILE": str(peak_file)}
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURED, "jitsim", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )  # fmt: skip
    return completed, int(peak_file.read_text())


def test_huge_replication_count_uses_little_memory(tmp_path: Path) -> None:
    completed, peak = _measured(tmp_path, "run", str(QUICKSTART), "-n", HUGE, "-q", "-o", "out")
    assert completed.returncode == 2, completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr
    assert peak < PEAK_KB, f"peak memory {peak} kB"


@pytest.mark.parametrize("horizon", ["30000000", "1000000000000"])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_huge_horizon_uses_little_memory(tmp_path: Path, horizon: str, command: str) -> None:
    text = QUICKSTART.read_text(encoding="utf-8").replace(
        "horizon_days: 395", f"horizon_days: {horizon}"
    )
    (tmp_path / "h.yaml").write_text(text, encoding="utf-8")
    extra = ["-n", "2", "-q", "-o", "out"] if command == "run" else []
    completed, peak = _measured(tmp_path, command, "h.yaml", *extra)
    assert completed.returncode == 2, completed.stderr
    line = text.splitlines().index(next(t for t in text.splitlines() if "horizon_days" in t)) + 1
    assert completed.stderr.strip() == (
        f"h.yaml:{line}: run.horizon_days: must be less than or equal to 100000, got {horizon}"
    )
    assert peak < PEAK_KB, f"peak memory {peak} kB"
