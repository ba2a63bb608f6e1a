"""Worker processes live no longer than the batch that started them: they ignore SIGINT (the
main process coordinates a stop), an interrupted batch does not wait for its running chunks,
and workers exit within seconds when the main process dies, even by ``kill -9``."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import QUICKSTART, ROOT

import jitsim
from jitsim.execution.backends import Chunk, ProcessBackend
from jitsim.execution.batch import Session
from jitsim.execution.results_store import MemorySink
from jitsim.execution.worker_process import ORPHANED, exit_with_parent


def children_of(pid: int) -> list[int]:
    """Process ids of the children of ``pid`` (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with the dask extra
        children = []
        for entry in Path("/proc").iterdir():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if entry.name.isdigit() and int(fields[1]) == pid:
                children.append(int(entry.name))
        return children
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.NoSuchProcess:
        return []


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytest.fixture
def pool() -> Iterator[ProcessBackend]:
    backend = ProcessBackend(workers=1)
    backend.start([jitsim.load_scenario(QUICKSTART)])
    yield backend
    backend.abort()


def new_children(before: set[int]) -> list[int]:
    """Children of this (test) process that were not there ``before``."""
    return sorted(set(children_of(os.getpid())) - before)


def _chunk(index: int, count: int = 1) -> Chunk:
    return Chunk(index, 0, ("jit",), index, count, seed=3)


@linux_only
def test_a_worker_waiting_for_work_ignores_sigint(pool: ProcessBackend) -> None:
    """A Ctrl-C reaches every process of the terminal's process group; a worker must not
    die of it (before, it printed a KeyboardInterrupt traceback and broke the pool)."""
    before = set(children_of(os.getpid()))
    assert len(list(pool.map([_chunk(0)]))) == 1
    (worker,) = new_children(before)
    os.kill(worker, signal.SIGINT)
    time.sleep(0.3)
    assert alive(worker)
    assert [r.chunk.index for r in pool.map([_chunk(1)])] == [1]


@linux_only
def test_an_interrupted_batch_does_not_wait_for_running_chunks() -> None:
    """Ctrl-C while workers run long chunks: the batch stops at once and its workers end (a
    pool shut down with wait=True finished the running chunks first: seconds to minutes)."""
    scenario = jitsim.load_scenario(QUICKSTART)
    long_run = scenario.run.model_copy(update={"horizon_days": 3000})
    slow = scenario.model_copy(update={"run": long_run})
    backend = ProcessBackend(workers=2)
    workers: list[int] = []
    interrupted: list[float] = []
    before = set(children_of(os.getpid()))

    def interrupt(done: int, total: int) -> None:
        if done:
            workers.extend(new_children(before))
            interrupted.append(time.monotonic())
            raise KeyboardInterrupt

    session = Session([slow], backend, MemorySink(["jit"]), progress=interrupt)
    # A quick first chunk, then chunks of several seconds each.
    chunks = [_chunk(0), *(Chunk(i, 0, ("jit",), 100 * i, 200, 3) for i in range(1, 5))]
    with pytest.raises(KeyboardInterrupt):
        session.ensure(chunks)
    session.close()
    assert time.monotonic() - interrupted[0] < 2.0
    assert len(workers) == 2
    assert wait_until(lambda: not any(alive(pid) for pid in workers), 2.0)


def _orphan_watch(parent: int) -> None:
    """A forked child that believes its parent is ``parent`` (not so) and waits."""
    exit_with_parent(parent, use_prctl=False)
    time.sleep(30)


def test_the_portable_watcher_exits_when_the_parent_is_gone() -> None:
    """Where the kernel cannot signal a parent's death, a thread notices that the parent
    changed (an orphan is adopted) and exits."""
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_orphan_watch, args=(os.getpid() + 10**6,))
    child.start()
    child.join(5)
    assert child.exitcode == ORPHANED


def test_the_watcher_keeps_a_child_whose_parent_lives() -> None:
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_orphan_watch, args=(os.getpid(),))
    child.start()
    child.join(1.5)
    assert child.is_alive()
    child.kill()
    child.join()


def _start_batch(tmp_path: Path, backend: str, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jitsim",
            "run",
            str(QUICKSTART),
            "-n",
            "5000",
            "--backend",
            backend,
            "--workers",
            str(workers),
            "-q",
            "-o",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_main_then_watch_workers(main: subprocess.Popen[bytes], count: int, start: float) -> None:
    workers: list[int] = []
    try:
        assert wait_until(lambda: len(children_of(main.pid)) >= count, start), "no workers"
        time.sleep(0.5)  # let them take work
        workers = children_of(main.pid)
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 5.0), [
            pid for pid in workers if alive(pid)
        ]
    finally:
        main.kill()
        main.wait()
        for pid in workers:  # orphans, if the test failed
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@linux_only
def test_process_pool_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """kill -9 of the main process: its pool workers exit within seconds (before, init
    adopted them and they ran on)."""
    main = _start_batch(tmp_path, "processes", 2)
    _kill_main_then_watch_workers(main, 2, 20.0)


@pytest.mark.slow
@linux_only
def test_dask_local_cluster_workers_exit_when_the_main_process_is_killed(
    tmp_path: Path,
) -> None:
    """A LocalCluster's workers watch a pipe held by their nanny in the main process and exit
    when it closes: kill -9 of the main process ends them too."""
    pytest.importorskip("distributed")
    main = _start_batch(tmp_path, "dask", 2)
    # The worker processes and multiprocessing's resource tracker.
    _kill_main_then_watch_workers(main, 3, 60.0)
