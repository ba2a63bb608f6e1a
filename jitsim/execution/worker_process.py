"""How a local worker process behaves towards the main process that started it.

The main process alone coordinates a stop: workers ignore SIGINT (a Ctrl-C in the terminal
reaches the whole process group, and a worker waiting for work would otherwise die with a
``KeyboardInterrupt`` traceback), and the main process ends them when it stops. When the main
process dies without ending them (``kill -9``, a crash), each worker exits within about a
second instead of living on, adopted by init.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

#: ``prctl`` option of Linux: the signal a process receives when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Exit status of a worker that finds its main process gone.
ORPHANED = 3
#: Seconds between two looks at the parent by the portable watcher.
PARENT_POLL = 0.5


@contextlib.contextmanager
def interrupts_blocked() -> Iterator[None]:
    """Hold SIGINT back while worker processes are forked, so that none is interrupted
    before :func:`ignore_interrupts` has run in it; the parent receives a SIGINT that arrived
    meanwhile as soon as the block ends. Does nothing where signals cannot be blocked."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def started_ignoring_interrupts() -> Iterator[None]:
    """Processes started meanwhile, by any thread and even through ``exec`` (Dask's nannies
    spawn their workers), ignore SIGINT: an ignored signal stays ignored across ``exec`` and
    Python then installs no handler for it. A SIGINT that arrives meanwhile is held back and
    delivered when the block ends — unless another thread of this process takes it first, and
    then it is lost. Only the main thread can change signal handlers; elsewhere this does
    nothing."""
    in_main = threading.current_thread() is threading.main_thread()
    if not in_main or not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    with interrupts_blocked():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def ignore_interrupts() -> None:
    """Make this (worker) process ignore SIGINT, then accept signals again (a SIGINT held back
    by :func:`interrupts_blocked` is discarded)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def exit_with_parent(parent: int, *, use_prctl: bool = True) -> str:
    """Make this process exit when its parent process ``parent`` dies.

    On Linux the kernel kills it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere, or when
    that call fails, a daemon thread looks every :data:`PARENT_POLL` seconds whether the
    parent changed (an orphan is adopted by another process) and exits with :data:`ORPHANED`.

    Parameters
    ----------
    parent : int
        Process id of the parent at the time the worker was started.
    use_prctl : bool
        Try the Linux call first (False: the portable watcher only).

    Returns
    -------
    str
        ``"prctl"`` or ``"watcher"``: how the parent is watched.
    """
    if use_prctl and _set_death_signal():
        if os.getppid() != parent:  # the parent died before the call: nobody will signal
            os._exit(ORPHANED)
        return "prctl"
    watcher = threading.Thread(
        target=_watch_parent, args=(parent,), name="jitsim-parent-watch", daemon=True
    )
    watcher.start()
    return "watcher"


def _set_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):  # no libc, or no prctl in it
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(ORPHANED)
