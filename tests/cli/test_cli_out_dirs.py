"""Results directories never mix: one command at a time (a lock), no leftovers of an earlier
command (refused unless ``--overwrite``, which removes only what jitsim wrote), a clear line
for a directory that cannot be written, and ``--resume`` that names what does not match."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUICKSTART, Invoke

JITSIM = [sys.executable, "-m", "jitsim"]
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}


def _wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_second_command_on_a_busy_directory_is_refused_at_once(tmp_path: Path) -> None:
    """#18: two runs into one --out; the second exits 2 at once naming the directory and the
    holder's process id, and the first finishes with exactly its own 600 rows."""
    out = tmp_path / "s"
    base = [*JITSIM, "run", str(QUICKSTART), "-n", "200", "--backend", "serial", "-q", "-o"]
    first = subprocess.Popen(
        [*base, str(out), "--seed", "7"],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(out / "manifest.json")
    first.send_signal(signal.SIGSTOP)  # still running, whatever the load on the machine
    try:
        started = time.monotonic()
        second = subprocess.run(
            [*base, str(out), "--seed", "8"], env=ENV, capture_output=True, text=True, timeout=60
        )
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2, second.stderr
    assert time.monotonic() - started < 30  # refused before simulating (a loaded CI is slow)
    assert str(out) in second.stderr and str(first.pid) in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    rows = pd.read_csv(out / "replications.csv")
    assert len(rows) == 600
    assert json.loads((out / "summary.json").read_text())["seed"] == 7


def test_a_directory_with_results_is_refused_without_overwrite(
    invoke: Invoke, tmp_path: Path
) -> None:
    out = tmp_path / "d"
    assert invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out, "--trajectories", 1).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    again = invoke("compare", QUICKSTART, "-n", 2, "-q", "-o", out)
    assert again.exit_code == 2
    assert "--overwrite" in again.output and str(out) in again.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_overwrite_removes_only_the_files_jitsim_wrote(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "d"
    out.mkdir()
    (out / "notes.txt").write_text("the client's notes")
    assert invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out, "--trajectories", 1).exit_code == 0
    assert (out / "trajectories.csv").is_file()
    result = invoke("compare", QUICKSTART, "-n", 2, "-q", "-o", out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert not (out / "trajectories.csv").exists()  # the earlier run's, not this command's
    assert (out / "notes.txt").read_text() == "the client's notes"
    assert "notes.txt" not in result.output
    assert "comparison.csv" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert "notes.txt" not in manifest["files"] and "comparison.csv" in manifest["files"]
    assert not [p.name for p in out.iterdir() if ".tmp" in p.name]


def test_a_user_directory_without_results_is_used_as_it_is(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "d"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out)
    assert result.exit_code == 0, result.output
    assert "notes.txt" not in result.output


def _unwritable(tmp_path: Path) -> tuple[Path, Path]:
    """An existing directory this process cannot write, and one it cannot create (as root,
    file modes are ignored: use the kernel's read-only /sys)."""
    if os.geteuid() == 0:
        return Path("/sys/kernel"), Path("/sys/jitsim-cannot-create")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    return locked, locked / "d"


@pytest.mark.parametrize("which", ["existing", "new"])
def test_an_unwritable_out_is_one_line(invoke: Invoke, tmp_path: Path, which: str) -> None:
    existing, new = _unwritable(tmp_path)
    out = existing if which == "existing" else new
    result = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out)
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "cannot" in result.output and str(out) in result.output
    assert "internal error" not in result.output


def test_resume_names_the_mismatch(invoke: Invoke, tmp_path: Path) -> None:
    compared = tmp_path / "cmp"
    assert invoke("compare", QUICKSTART, "-n", 2, "-q", "-o", compared).exit_code == 0
    manifest = json.loads((compared / "manifest.json").read_text())
    manifest["complete"] = False  # as if interrupted
    (compared / "manifest.json").write_text(json.dumps(manifest))
    as_run = invoke("run", QUICKSTART, "--resume", compared, "-q")
    assert as_run.exit_code == 2
    assert "compare" in as_run.output and "jitsim compare" in as_run.output

    other = tmp_path / "other.yaml"
    other.write_text(QUICKSTART.read_text().replace("mean: 8", "mean: 9", 1))
    other_scenario = invoke("compare", other, "--resume", compared, "-q")
    assert other_scenario.exit_code == 2
    assert "another scenario" in other_scenario.output
    assert "resume it with the scenario file" in other_scenario.output

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    not_a_dir = invoke("run", QUICKSTART, "--resume", a_file, "-q")
    assert not_a_dir.exit_code == 2 and "not a results directory" in not_a_dir.output

    nothing = invoke("run", QUICKSTART, "--resume", tmp_path / "nowhere", "-q")
    assert nothing.exit_code == 2 and "nothing to resume" in nothing.output


@pytest.mark.parametrize("kind", ["run", "compare"])
def test_final_files_are_listed_in_the_manifest(invoke: Invoke, tmp_path: Path, kind: str) -> None:
    out = tmp_path / kind
    assert invoke(kind, QUICKSTART, "-n", 2, "-q", "-o", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    on_disk = {p.name for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert set(manifest["files"]) | {"manifest.json"} == on_disk


@pytest.mark.parametrize(
    ("field", "value"),
    [("seed", "7"), ("kind", 7), ("plan.replications", "40"), ("plan.chunk_size", 1e300)],
)
def test_a_hand_edited_manifest_is_one_line(
    invoke: Invoke, tmp_path: Path, field: str, value: object
) -> None:
    out = tmp_path / "d"
    assert invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["complete"] = False
    *parents, last = field.split(".")
    target = manifest
    for key in parents:
        target = target[key]
    target[last] = value
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = invoke("run", QUICKSTART, "--resume", out, "-q")
    assert result.exit_code == 2, result.output
    assert f"{field} should be" in result.output and "edited or damaged" in result.output


def test_overwrite_clears_results_of_versions_without_a_file_list(
    invoke: Invoke, tmp_path: Path
) -> None:
    out = tmp_path / "old"
    out.mkdir()
    for name in ("replications.csv", "trajectories.csv", "comparison.csv"):
        (out / name).write_text("old")
    refused = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out)
    assert refused.exit_code == 2 and "trajectories.csv" in refused.output
    assert invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out, "--overwrite").exit_code == 0
    assert not (out / "trajectories.csv").exists() and not (out / "comparison.csv").exists()


def test_an_unreadable_manifest_asks_for_overwrite(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "bad"
    out.mkdir()
    (out / "manifest.json").write_text("garbage")
    refused = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out)
    assert refused.exit_code == 2 and "--overwrite" in refused.output
    assert invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out, "--overwrite").exit_code == 0


def test_sweep_resume_of_a_run_names_the_mismatch(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out).exit_code == 0
    result = invoke("sweep", QUICKSTART, "--resume", out, "-q")
    assert result.exit_code == 2 and "not of a sweep" in result.output


def test_a_failed_break_even_leaves_nothing_to_trip_over(
    invoke: Invoke, zero_demand_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "be"
    args = ["breakeven", zero_demand_file, "--param", "stock_points.store.initial"]
    args += ["--range", "10:100", "--between", "jit,buffered", "--kpi", "fill_rate", "-n", 3]
    first = invoke(*args, "-q", "-o", out)
    assert first.exit_code == 2 and "undefined" in first.output
    assert not (out / "evaluations").exists() and not (out / "manifest.json").exists()
    again = invoke(*args, "-q", "-o", out, "--kpi", "total_cost")
    assert "already holds" not in again.output
