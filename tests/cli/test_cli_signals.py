"""Ctrl-C and unexpected failures on the command line: exit 130 with the exact ``--resume``
command (a second Ctrl-C exits at once), never a traceback on the screen; an internal error
writes its traceback to a log file and says where."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import QUICKSTART, ROOT, Invoke

import jitsim

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
_ORIGINAL_RUN = jitsim.run
_ORIGINAL_SWEEP = jitsim.sweep


def _interrupted_after(call: Callable[..., Any], chunks: int) -> Callable[..., Any]:
    """``call`` with a progress callback that presses Ctrl-C once ``chunks`` reports came."""

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        reports = []

        def progress(done: int, total: int) -> None:
            reports.append(done)
            if len(reports) > chunks:
                raise KeyboardInterrupt

        return call(*args, **{**kwargs, "progress": progress})

    return interrupted


def _resume_command(stderr: str) -> list[str]:
    """The words of the command printed after ``continue with:`` (without ``jitsim``)."""
    line = next(line for line in stderr.splitlines() if "continue with: " in line)
    words = shlex.split(line.split("continue with: ", 1)[1])
    assert words[0] == "jitsim"
    return words[1:]


def test_ctrl_c_prints_the_exact_resume_command_of_run(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    monkeypatch.setattr(jitsim, "run", _interrupted_after(_ORIGINAL_RUN, 3))
    args = [QUICKSTART, "-n", 12, "--seed", 4, "--chunk-size", 2, "--backend", "serial"]
    result = invoke("run", *args, "-q", "-o", out)
    assert result.exit_code == 130
    assert "Traceback" not in result.output
    assert _resume_command(result.stderr) == ["run", str(QUICKSTART), "--resume", str(out)]
    monkeypatch.setattr(jitsim, "run", _ORIGINAL_RUN)
    resumed = invoke(*_resume_command(result.stderr), "-q")
    assert resumed.exit_code == 0, resumed.output
    uninterrupted = jitsim.run(
        jitsim.load_scenario(QUICKSTART), replications=12, seed=4, backend="serial"
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "replications.csv"),
        uninterrupted.replications(),
        check_dtype=False,
        check_exact=True,
    )


def test_ctrl_c_of_a_sweep_repeats_its_options(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep reads its grid and sample size from the command line, not the manifest: the
    command printed repeats them, and it finishes the interrupted sweep."""
    out = tmp_path / "sweep"
    monkeypatch.setattr(jitsim, "sweep", _interrupted_after(_ORIGINAL_SWEEP, 4))
    args = ["--set", "suppliers.acme.order_cost=5,20", "-n", 6, "--backend", "serial"]
    result = invoke("sweep", QUICKSTART, *args, "-q", "--out", out)
    assert result.exit_code == 130, result.output
    command = _resume_command(result.stderr)
    assert command[:2] == ["sweep", str(QUICKSTART)] and command[-2:] == ["--resume", str(out)]
    assert "--set=suppliers.acme.order_cost=5,20" in command and "--replications=6" in command
    monkeypatch.setattr(jitsim, "sweep", _ORIGINAL_SWEEP)
    resumed = invoke(*command)
    assert resumed.exit_code == 0, resumed.output
    again = invoke("sweep", QUICKSTART, *args, "-q", "--out", tmp_path / "whole")
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "replications.csv"), pd.read_csv(tmp_path / "whole" / "replications.csv")
    )


def test_ctrl_c_before_any_result_says_so(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(jitsim, "run", interrupted)
    result = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", tmp_path / "r")
    assert result.exit_code == 130
    assert result.stderr.strip() == f"interrupted before any result was written to {tmp_path / 'r'}"


def _worker_pids(main: int) -> list[int]:
    psutil = pytest.importorskip("psutil")
    try:
        return [child.pid for child in psutil.Process(main).children()]
    except psutil.NoSuchProcess:
        return []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_while_workers_wait_for_work(tmp_path: Path) -> None:
    """#18, deterministically: the main process is stopped, so its two workers finish what
    they hold and wait for work; then the whole process group gets SIGINT. The workers used
    to die with a KeyboardInterrupt traceback each. Now: no traceback, exit 130, the resume
    command, and resuming gives the results of an uninterrupted run."""
    out = tmp_path / "si"
    command = [sys.executable, "-m", "jitsim", "run", str(QUICKSTART), "-n", "200"]
    command += ["--chunk-size", "2", "--workers", "2", "-o", str(out)]
    main = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=ENV,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert _until(lambda: len(_worker_pids(main.pid)) == 2, 30), "no workers"
        os.kill(main.pid, signal.SIGSTOP)
        workers = _worker_pids(main.pid)
        # Both blocked reading the (empty) queue of work.
        assert _until(lambda: all(_state(pid) == "S" for pid in workers), 30)
        time.sleep(0.2)
        os.killpg(main.pid, signal.SIGINT)
        os.kill(main.pid, signal.SIGCONT)
        _, stderr = main.communicate(timeout=30)
    finally:
        if main.poll() is None:
            os.killpg(main.pid, signal.SIGKILL)
            main.wait()
    text = stderr.decode()
    assert main.returncode == 130, text
    assert "Traceback" not in text
    assert "--resume" in text
    words = _resume_command(text)
    assert words == ["run", str(QUICKSTART), "--resume", str(out)]
    resumed = subprocess.run(
        [sys.executable, "-m", "jitsim", *words, "-q"], cwd=tmp_path, env=ENV, capture_output=True
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    uninterrupted = jitsim.run(jitsim.load_scenario(QUICKSTART), replications=200)
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "replications.csv"),
        uninterrupted.replications(),
        check_dtype=False,
        check_exact=True,
    )


_HANGS_ON_EXIT = textwrap.dedent(
    """
    import sys, threading, time
    import typer
    from jitsim.cli.app import guard

    def command():
        # Like a process pool's manager thread: joined when the interpreter exits.
        threading.Thread(target=time.sleep, args=(60,)).start()
        print("running", flush=True)
        time.sleep(60)

    try:
        guard(command)()
    except typer.Exit as stop:
        print("exiting", stop.exit_code, flush=True)
        sys.exit(stop.exit_code)
    """
)


def test_a_second_ctrl_c_exits_at_once(tmp_path: Path) -> None:
    """After the first Ctrl-C the command stops, and the exit waits for something (here a
    thread, in real life a pool's workers); a second Ctrl-C exits at once, without the
    traceback that Python prints for a KeyboardInterrupt at exit."""
    script = tmp_path / "hang.py"
    script.write_text(_HANGS_ON_EXIT)
    main = subprocess.Popen(
        [sys.executable, str(script)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert main.stdout is not None
        assert main.stdout.readline() == "running\n"
        main.send_signal(signal.SIGINT)
        assert main.stdout.readline() == "exiting 130\n"
        time.sleep(0.3)
        main.send_signal(signal.SIGINT)
        main.wait(5)
    finally:
        main.kill()
        main.wait()
    stderr = main.stderr.read() if main.stderr else ""
    assert main.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[0] == "interrupted"
    assert "interrupted again: stopped at once" in stderr


def _crash(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom\nsecond line")


def test_an_internal_error_logs_its_traceback_in_the_results_directory(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jitsim, "run", _crash)
    out = tmp_path / "r"
    result = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", out)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    log = out / "jitsim-crash.log"
    assert line.startswith("internal error: RuntimeError: boom second line — this is a bug")
    assert f"{log} (in the results directory)" in line
    assert "Traceback" not in result.output
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text
    assert f"command: jitsim run {QUICKSTART} --replications=2 --quiet" in text


def test_an_internal_error_without_results_directory_logs_in_the_working_directory(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(jitsim, "load_scenario", _crash)
    result = invoke("validate", QUICKSTART)
    assert result.exit_code == 1
    assert "jitsim-crash.log (in the working directory)" in result.stderr
    assert "Traceback" in (tmp_path / "jitsim-crash.log").read_text()


def test_an_internal_error_in_a_removed_directory_logs_in_the_temporary_directory(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(jitsim, "load_scenario", _crash)
    result = invoke("validate", QUICKSTART)
    assert result.exit_code == 1
    assert "(in the temporary directory)" in result.stderr
    (log,) = tmp_path.glob("jitsim-crash-*.log")
    assert "RuntimeError: boom" in log.read_text()


def test_debug_still_shows_the_traceback(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(jitsim, "load_scenario", _crash)
    result = invoke("--debug", "validate", QUICKSTART)
    assert isinstance(result.exception, RuntimeError)
    assert not (tmp_path / "jitsim-crash.log").exists()


def test_a_failure_of_the_environment_is_one_line_without_bug_report(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device", str(tmp_path / "r" / "replications.csv"))

    monkeypatch.setattr(jitsim, "run", disk_full)
    result = invoke("run", QUICKSTART, "-n", 2, "-q", "-o", tmp_path / "r")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: [Errno 28] No space left on device")
    assert "bug" not in line
