"""Execution backends: run chunks of replications serially, on a process pool or on Dask.

Work is cut into :class:`Chunk` s (a run of replications of every alternative at one sweep
point). The scenarios are shipped to each worker once — a pool initialiser for processes, a
broadcast ``scatter`` for Dask — and each chunk is a small message. Every replication is a pure
function of (scenario, alternative, replication index, seed), so results are identical whatever
the backend, the worker count or the order in which chunks finish.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from jitsim.errors import EnvironmentProblem, JitsimError, with_suggestion
from jitsim.execution.record_columns import RecordColumns, records_of
from jitsim.execution.simulate import simulate
from jitsim.execution.worker_process import (
    exit_with_parent,
    ignore_interrupts,
    interrupts_blocked,
    started_ignoring_interrupts,
)
from jitsim.fast import out_of_scope, run_columns
from jitsim.scenario.limits import check_workers
from jitsim.scenario.models import Scenario
from jitsim.scenario.resolve import resolve

BACKENDS = ("serial", "processes", "dask")


@dataclass(frozen=True)
class Chunk:
    """A unit of work: replications ``first … first+count−1`` of some alternatives.

    Attributes
    ----------
    index : int
        Position of the chunk in the plan (stable; used by the resume journal).
    point : int
        Index of the scenario (sweep point) to simulate.
    alternatives : tuple of str
        Alternatives simulated for every replication.
    first, count : int
        Replication range.
    seed : int
        Master seed.
    trajectories : int
        Keep end-of-day series for replications with index below this.
    engine : {"simpy", "fast", "auto"}
        The engine (:mod:`jitsim.execution.engines`): the same records from any.
    """

    index: int
    point: int
    alternatives: tuple[str, ...]
    first: int
    count: int
    seed: int
    trajectories: int = 0
    engine: str = "simpy"


@dataclass
class ChunkResult:
    """KPI records (and kept trajectories) of one chunk.

    The records are, in plan order (replication by replication, the chunk's alternatives in
    order within one), the SimPy engine's ``records`` (dicts with ``point``, ``alternative``,
    ``replication`` and the KPIs, in that order among themselves) merged with the fast
    engine's ``columns`` (one :class:`RecordColumns` per alternative it ran, up to the end of
    the chunk): :meth:`all_records` makes the dicts of all, where rows are really needed.
    """

    chunk: Chunk
    records: list[dict[str, Any]]
    trajectories: list[tuple[Any, ...]] = field(default_factory=list)
    columns: list[RecordColumns] = field(default_factory=list)

    def row_count(self) -> int:
        """The number of records."""
        return len(self.records) + sum(len(block) for block in self.columns)

    def replications(self) -> range:
        """The chunk's replications."""
        return range(self.chunk.first, self.chunk.first + self.chunk.count)

    def all_records(self) -> list[dict[str, Any]]:
        """Every record as a dict, in plan order."""
        return records_of(self.chunk.alternatives, self.replications(), self.columns, self.records)


def _fast_columns(scenario: Scenario, chunk: Chunk) -> dict[str, RecordColumns]:
    """The fast engine's KPI records of the chunk's alternatives it can run, by alternative;
    they start after the replications that keep trajectories (only the SimPy engine records
    those)."""
    if chunk.engine == "simpy":
        return {}
    start = max(chunk.first, min(chunk.trajectories, chunk.first + chunk.count))
    replications = range(start, chunk.first + chunk.count)
    if not replications:
        return {}
    fast: dict[str, RecordColumns] = {}
    for alternative in chunk.alternatives:
        resolved = resolve(scenario, alternative)
        if out_of_scope(resolved) is None:
            kpis = run_columns(resolved, chunk.seed, replications)
            fast[alternative] = RecordColumns(chunk.point, alternative, replications, kpis)
    return fast


def run_chunk(scenarios: Sequence[Scenario], chunk: Chunk) -> ChunkResult:
    """Simulate one chunk (runs in a worker) on the chunk's engine: with ``fast`` or ``auto``
    the fast engine runs the alternatives in its scope (the caller has refused the others
    under ``fast``; their records stay columns), the SimPy engine the rest and the
    replications that keep trajectories."""
    scenario = scenarios[chunk.point]
    records: list[dict[str, Any]] = []
    kept: list[tuple[Any, ...]] = []
    fast = _fast_columns(scenario, chunk)
    end = chunk.first + chunk.count
    if fast and len(fast) == len(chunk.alternatives):  # SimPy only before the fast columns
        end = min(block.replications.start for block in fast.values())
    for replication in range(chunk.first, end):
        keep = replication < chunk.trajectories
        for alternative in chunk.alternatives:
            done = fast.get(alternative)
            if done is not None and replication >= done.replications.start:
                continue  # in the fast engine's columns
            outcome = simulate(scenario, alternative, replication, chunk.seed, trajectories=keep)
            records.append(
                {
                    "point": chunk.point,
                    "alternative": alternative,
                    "replication": replication,
                    **outcome.kpis,
                }
            )
            for node, rows in outcome.trajectories.items():
                for day, on_hand, backorders, on_order, cash in rows:
                    kept.append(
                        (
                            chunk.point,
                            alternative,
                            replication,
                            node,
                            int(day),
                            on_hand,
                            backorders,
                            on_order,
                            cash,
                        )
                    )
    return ChunkResult(chunk, records, kept, list(fast.values()))


class Backend(Protocol):
    """Runs chunks and yields their results as they finish (in any order)."""

    name: str
    workers: int

    def start(self, scenarios: Sequence[Scenario]) -> None:
        """Ship the scenarios to the workers."""
        ...

    def map(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        """Run ``chunks``; yield each result as soon as it is ready."""
        ...

    def close(self) -> None:
        """Release workers (after the chunks submitted have finished)."""
        ...

    def abort(self) -> None:
        """Stop at once (an interrupt or an error): drop the chunks not started, stop the
        running ones and release the workers; :meth:`close` then has nothing left to do."""
        ...


class SerialBackend:
    """Everything in this process, one chunk after the other."""

    name = "serial"

    def __init__(self) -> None:
        self.workers = 1
        self._scenarios: Sequence[Scenario] = ()

    def start(self, scenarios: Sequence[Scenario]) -> None:
        self._scenarios = scenarios

    def map(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        for chunk in chunks:
            yield run_chunk(self._scenarios, chunk)

    def close(self) -> None:
        self._scenarios = ()

    def abort(self) -> None:
        self.close()  # nothing runs but the chunk that was interrupted


_WORKER_SCENARIOS: Sequence[Scenario] = ()


def _init_worker(payload: bytes, parent: int) -> None:
    """Set up a pool worker: the main process coordinates every stop (the worker ignores
    SIGINT) and the worker must not outlive it (see :mod:`~jitsim.execution.worker_process`)."""
    global _WORKER_SCENARIOS
    ignore_interrupts()
    exit_with_parent(parent)
    _WORKER_SCENARIOS = pickle.loads(payload)


def _run_in_worker(chunk: Chunk) -> ChunkResult:
    return run_chunk(_WORKER_SCENARIOS, chunk)


def _bounded(
    submit: Any, chunks: Iterable[Chunk], in_flight: int, waiter: Any
) -> Iterator[ChunkResult]:
    """Keep at most ``in_flight`` chunks submitted; yield results as they complete."""
    pending: set[Any] = set()
    source = iter(chunks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < in_flight:
            try:
                pending.add(submit(next(source)))
            except StopIteration:
                exhausted = True
        if not pending:
            return
        done, pending = waiter(pending)
        for future in done:
            yield future.result()


class ProcessBackend:
    """A local process pool (``fork`` where available, for a fast start).

    Workers ignore SIGINT and exit when the main process dies; :meth:`abort` ends them
    without waiting for the chunks they are running.

    Parameters
    ----------
    workers : int, optional
        Number of worker processes; defaults to the machine's cores.
    """

    name = "processes"
    #: Seconds an aborted worker has to end after SIGTERM before it is killed.
    abort_grace = 1.0

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def start(self, scenarios: Sequence[Scenario]) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(pickle.dumps(list(scenarios)), os.getpid()),
        )

    def map(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        pool = self._pool
        assert pool is not None, "start() first"

        def waiter(pending: set[Future[ChunkResult]]) -> tuple[Any, Any]:
            return wait(pending, return_when=FIRST_COMPLETED)

        def submit(chunk: Chunk) -> Future[ChunkResult]:
            # Workers are forked on a submit: none may see a SIGINT before it ignores them.
            with interrupts_blocked():
                return pool.submit(_run_in_worker, chunk)

        yield from _bounded(submit, chunks, 2 * self.workers, waiter)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def abort(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The pool forgets its processes on shutdown: take them first. Without waiting, the
        # pool's manager thread sees them end, fails what was pending, and stops by itself.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + self.abort_grace
        for process in processes:
            process.join(max(deadline - time.monotonic(), 0.0))
            if process.is_alive():
                process.kill()


class DaskBackend:
    """A Dask ``distributed`` cluster: an existing scheduler, or a new LocalCluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); when omitted a
        ``LocalCluster`` with ``workers`` single-threaded worker processes is started.
    workers : int, optional
        Workers of the LocalCluster (default: the machine's cores).
    """

    name = "dask"
    #: How long to wait for an existing scheduler to answer.
    connect_timeout = "10s"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        self._client: Any = None
        self._cluster: Any = None
        self._scenarios: Any = None

    def start(self, scenarios: Sequence[Scenario]) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the environment
            raise JitsimError(
                "the dask backend needs the optional extra: pip install 'jitsim[dask]'"
            ) from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=self.connect_timeout)
            except OSError as exc:
                raise JitsimError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {exc}"
                ) from None
            self.workers = max(len(self._client.scheduler_info().get("workers", {})), 1)
        else:
            import dask

            # The workers' sampling profiler (every 10 ms) and GIL monitor cost CPU that a
            # simulation needs; nobody looks at them for a local batch. The worker processes
            # ignore SIGINT: this process alone stops the batch on Ctrl-C.
            with (
                dask.config.set(
                    {
                        "distributed.worker.profile.enabled": False,
                        "distributed.admin.system-monitor.gil.enabled": False,
                    }
                ),
                started_ignoring_interrupts(),
            ):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self._client = Client(self._cluster)
        self._scenarios = self._client.scatter(list(scenarios), broadcast=True)

    def map(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        from distributed import wait as dask_wait

        client = self._client
        assert client is not None, "start() first"

        def waiter(pending: set[Any]) -> tuple[Any, Any]:
            result = dask_wait(pending, return_when="FIRST_COMPLETED")
            return result.done, result.not_done

        yield from _bounded(
            lambda chunk: client.submit(run_chunk, self._scenarios, chunk, pure=False),
            chunks,
            2 * self.workers,
            waiter,
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def abort(self) -> None:
        # Closing the client releases its futures: the scheduler drops the chunks not started
        # (a running one finishes on its worker, unseen). A LocalCluster's workers are ended
        # with it; they also exit by themselves when this process dies (their nanny's pipe).
        self.close()


#: How long :func:`probe_scheduler` waits for a scheduler's port to accept a connection (s).
PROBE_TIMEOUT = 3.0
_SCHEMES = ("tcp://", "tls://")
_EXPECTED_ADDRESS = "expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"


def scheduler_host_port(address: str) -> tuple[str, int]:
    """Host and port of a Dask scheduler address ``tcp://HOST:PORT`` (or ``tls://``; an IPv6
    host in brackets, ``tcp://[::1]:8786``).

    Raises
    ------
    JitsimError
        One line naming the address and the expected form, if it is malformed.
    """
    rest = address.strip()
    for scheme in _SCHEMES:
        if rest.startswith(scheme):
            rest = rest[len(scheme) :]
            break
    else:
        if "://" in rest:
            raise JitsimError(f"--scheduler {address!r}: unsupported protocol; {_EXPECTED_ADDRESS}")
    if rest.startswith("["):
        host, bracket, port_text = rest[1:].partition("]")
        port_text = port_text.removeprefix(":") if bracket and port_text.startswith(":") else ""
    else:
        host, _, port_text = rest.rpartition(":")
    valid_host = (
        bool(host)
        and not any(c in host for c in "/@ ")
        and (rest.startswith("[") or ":" not in host)
    )
    if not valid_host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise JitsimError(f"--scheduler {address!r}: not a scheduler address; {_EXPECTED_ADDRESS}")
    return host, int(port_text)


def probe_scheduler(address: str, timeout: float = PROBE_TIMEOUT) -> None:
    """Fail fast when nothing listens at a scheduler's address (a closed port fails at once;
    the Dask client itself would retry for its whole connect timeout).

    Raises
    ------
    EnvironmentProblem
        If nothing answers there (the address itself is well formed: not the user's input).
    """
    host, port = scheduler_host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError):
            reason = f"no answer within {timeout:g} s"
        raise EnvironmentProblem(
            f"cannot reach the Dask scheduler at {address}: {reason.lower()} "
            "(is the scheduler running?)"
        ) from None


def _unknown_backend(name: str) -> str:
    return with_suggestion(
        f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})", name, BACKENDS
    )


def check_backend_options(name: str, workers: int | None, scheduler: str | None) -> None:
    """Refuse options that do not fit together, before anything starts: an unknown backend, a
    worker count out of bounds, ``scheduler`` without the Dask backend, a malformed address."""
    if name not in BACKENDS:
        raise JitsimError(_unknown_backend(name))
    check_workers(workers)
    if scheduler is not None:
        if name != "dask":
            raise JitsimError(
                f"--scheduler needs --backend dask (the {name} backend has no scheduler)"
            )
        scheduler_host_port(scheduler)


def make_backend(
    name: str = "processes", workers: int | None = None, scheduler: str | None = None
) -> Backend:
    """The backend called ``name`` (``serial``, ``processes`` or ``dask``), its options checked
    (:func:`check_backend_options`) and a scheduler's address probed."""
    check_backend_options(name, workers, scheduler)
    if name == "serial":
        return SerialBackend()
    if name == "processes":
        return ProcessBackend(workers)
    if name == "dask":
        if scheduler is not None:
            probe_scheduler(scheduler)
        return DaskBackend(scheduler, workers)
    raise JitsimError(_unknown_backend(name))
