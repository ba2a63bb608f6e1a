"""Monte Carlo batches: alternatives × replications under common random numbers.

Replication ``r`` of every alternative uses the same random streams, so differences between
alternatives are paired. Work is cut into chunks and executed by a backend (serial, a local
process pool, or Dask); finished chunks go to a sink — memory, or an output directory that is
written as the batch runs and can be resumed after a crash. Results are identical whatever the
backend, the number of workers, and whether the run was interrupted and resumed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict, Unpack

import pandas as pd

from jitsim.errors import JitsimError, UnknownAlternative, with_suggestion
from jitsim.execution.backends import Backend, Chunk, check_backend_options, make_backend
from jitsim.execution.batch_results import BatchResult, RunResult
from jitsim.execution.engines import engines_used
from jitsim.execution.limits import check_batch
from jitsim.execution.precision import (
    PrecisionReport,
    PrecisionTarget,
    check_kpi_names,
    sequential,
)
from jitsim.execution.results_claim import claim
from jitsim.execution.results_dir import write_results
from jitsim.execution.results_store import DirectorySink, MemorySink
from jitsim.execution.simulate import kpi_columns
from jitsim.scenario.limits import check_replications
from jitsim.scenario.models import Scenario, scenario_hash
from jitsim.version import jitsim_version

#: ``progress(done, total)``: replications (× alternatives) finished so far, and planned.
Progress = Callable[[int, int], None]

#: Below this many replication-runs a pool costs more than it saves: run serially.
SMALL_WORK = 48


@dataclass
class Execution:
    """How to execute a batch: backend, workers, chunking, output directory."""

    backend: str = "processes"
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int | None = None
    out: str | Path | None = None
    resume: bool = False
    overwrite: bool = False
    command: str | None = None
    progress: Progress | None = None
    engine: str = "simpy"


class ExecutionOptions(TypedDict, total=False):
    """The keyword arguments of :func:`run` and of every experiment that say how to execute
    it (described in :func:`run`); :func:`execution_of` gathers them, defaults filled in."""

    progress: Progress | None
    backend: str
    workers: int | None
    scheduler: str | None
    chunk_size: int | None
    out: str | Path | None
    resume: bool
    overwrite: bool
    command: str | None
    engine: str


def execution_of(caller: str, options: ExecutionOptions) -> Execution:
    """The :class:`Execution` of a public function's execution keywords.

    A mistyped keyword is reported as ``caller()``'s, as Python would for a named parameter,
    before any work is done.
    """
    unknown = [name for name in options if name not in ExecutionOptions.__annotations__]
    if unknown:
        raise TypeError(f"{caller}() got an unexpected keyword argument {unknown[0]!r}")
    return Execution(**options)


def plan_chunks(
    points: int,
    alternatives: Sequence[str],
    first: int,
    count: int,
    seed: int,
    *,
    chunk_size: int,
    trajectories: int = 0,
    start_index: int = 0,
    engine: str = "simpy",
) -> list[Chunk]:
    """Cut replications ``first … first+count−1`` of every point into chunks (simulated on
    ``engine``)."""
    chunks = []
    index = start_index
    for point in range(points):
        for begin in range(first, first + count, chunk_size):
            size = min(chunk_size, first + count - begin)
            chunks.append(
                Chunk(index, point, tuple(alternatives), begin, size, seed, trajectories, engine)
            )
            index += 1
    return chunks


#: Most replications the fast engine steps in lockstep in one chunk (its arrays stay small).
FAST_CHUNK = 4096


def default_chunk_size(replications: int, fast: bool = False) -> int:
    """Replications per chunk: enough chunks to balance a few workers, few enough to keep
    overhead small. It does not depend on the backend or the worker count, so a run can be
    resumed on another backend (``--chunk-size`` sets it for large clusters).

    When every alternative runs on the fast engine (``fast``), chunks are far larger: that
    engine steps a chunk's replications together as arrays, and its cost per day is mostly
    fixed, so 50 replications at a time would waste most of its speed.
    """
    if fast:
        return max(1, min(FAST_CHUNK, math.ceil(replications / 4)))
    return max(1, min(50, math.ceil(replications / 16)))


class Session:
    """A backend and a sink kept open across the rounds of an experiment.

    Chunks are executed only if the sink does not already hold them (resume), results go to
    the sink as each chunk finishes, and progress is reported over everything planned so far.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The scenario of every sweep point (one for a plain run).
    backend : Backend
        Where to run; started lazily on the first chunk that needs computing.
    sink : MemorySink or DirectorySink
        Where finished chunks go.
    progress : callable, optional
        ``progress(done, total)`` in replication-runs.
    """

    def __init__(
        self,
        scenarios: Sequence[Scenario],
        backend: Backend,
        sink: MemorySink | DirectorySink,
        progress: Progress | None = None,
    ) -> None:
        self.scenarios = list(scenarios)
        self.backend = backend
        self.sink = sink
        self.progress = progress
        self._started = False
        self._planned: dict[int, int] = {}  # chunk index → replication-runs
        self._finished = 0

    def ensure(self, chunks: Sequence[Chunk]) -> None:
        """Make sure every chunk in ``chunks`` is done."""
        done = self.sink.done_chunks()
        for chunk in chunks:
            if chunk.index not in self._planned:
                self._planned[chunk.index] = chunk.count * len(chunk.alternatives)
                if chunk.index in done:
                    self._finished += self._planned[chunk.index]
        todo = [chunk for chunk in chunks if chunk.index not in done]
        self._report()
        if not todo:
            return
        try:
            if not self._started:
                self._started = True  # a half-started backend is stopped too
                self.backend.start(self.scenarios)
            for result in self.backend.map(todo):
                self.sink.add(result)
                self._finished += result.chunk.count * len(result.chunk.alternatives)
                self._report()
        except BaseException:
            # Ctrl-C or a failed chunk: stop the running chunks instead of waiting for them;
            # every chunk the sink holds is kept for --resume. The first failure is the one
            # to report, not one of stopping after it.
            self._started = False
            with contextlib.suppress(Exception):
                self.backend.abort()
            raise

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self._finished, sum(self._planned.values()))

    def close(self) -> None:
        """Stop the backend and close the sink (a directory sink stays resumable)."""
        try:
            if self._started:
                self._started = False
                self.backend.close()
        finally:
            self.sink.close()


def choose_backend(execution: Execution, work: int) -> Backend:
    """The configured backend, or serial for work too small to be worth a pool."""
    check_backend_options(execution.backend, execution.workers, execution.scheduler)
    name = execution.backend
    if name == "processes" and work < SMALL_WORK:
        name = "serial"
    return make_backend(name, execution.workers, execution.scheduler)


def replications_and_seed(
    scenario: Scenario, replications: int | None, seed: int | None
) -> tuple[int, int]:
    """Replications per alternative and master seed: the arguments, else the scenario's."""
    n = scenario.run.replications if replications is None else replications
    if n < 1:
        raise JitsimError(f"replications(={n}) must be >= 1")
    check_replications(n)
    master = scenario.run.seed if seed is None else seed
    if master < 0:
        raise JitsimError(f"seed(={master}) must be >= 0")
    return n, master


def chosen_alternatives(scenario: Scenario, alternatives: Sequence[str] | None) -> list[str]:
    """Validate a user's choice of alternatives (default: all of them)."""
    known = scenario.alternative_names()
    names = list(dict.fromkeys(alternatives)) if alternatives else known
    unknown = [a for a in names if a not in known]
    if unknown:
        raise UnknownAlternative(
            with_suggestion(
                f"unknown alternative {unknown[0]!r} (this scenario has: {', '.join(known)})",
                unknown[0],
                known,
            )
        )
    return names


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    alternatives: Sequence[str] | None = None,
    trajectories: int = 0,
    precision: PrecisionTarget | None = None,
    **options: Unpack[ExecutionOptions],
) -> RunResult:
    """Simulate every alternative of ``scenario`` for ``replications`` replications.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`jitsim.load_scenario`).
    replications : int, optional
        Replications per alternative; defaults to ``scenario.run.replications``. Ignored
        when ``precision`` is given.
    seed : int, optional
        Master seed; defaults to ``scenario.run.seed``.
    alternatives : sequence of str, optional
        Subset of alternatives to run (default: all).
    trajectories : int
        Keep the end-of-day series of the first ``trajectories`` replications of each
        alternative.
    precision : PrecisionTarget, optional
        Run in rounds until the 95 % CI half-width of each watched KPI is within the relative
        target (see :mod:`jitsim.execution.precision`); the outcome is in ``RunResult.precision``.

    Returns
    -------
    RunResult

    Other Parameters
    ----------------
    progress : callable, optional
        ``progress(done, total)`` called as replications finish.
    backend : {"processes", "serial", "dask"}
        Where to run (small batches run serially whatever is chosen: same results).
    workers : int, optional
        Worker processes (default: the machine's cores).
    scheduler : str, optional
        Address of a running Dask scheduler (``backend="dask"``); without it a LocalCluster
        is started.
    chunk_size : int, optional
        Replications per chunk of work (default: automatic).
    out : path, optional
        Directory to write finished replications to as they complete (resumable); at the end
        it receives ``summary.json``, ``replications.csv``, ``scenario.resolved.yaml`` and
        (when kept) ``trajectories.csv``.
    resume : bool
        Continue the interrupted run recorded in ``out`` instead of starting afresh; the
        finished chunks found there are verified and damaged ones simulated again.
    overwrite : bool
        Replace the results of an earlier command in ``out`` (only the files its manifest
        lists) instead of refusing to mix them.
    command : str, optional
        Command line to record in the manifest.
    engine : {"simpy", "fast", "auto"}
        The simulation engine: the SimPy engine (default), the fast engine (refused with the
        reason when an alternative is out of its scope) or the fast engine where it can run
        and SimPy elsewhere. Every engine gives the same records (docs/performance.md).

    See Also
    --------
    ExecutionOptions : these execution keywords, the same for every experiment.
    """
    execution = execution_of("run", options)
    return run_alternatives(
        "run", scenario, replications, seed, alternatives, trajectories, execution, precision
    )


@dataclass
class PointsRun(BatchResult):
    """What :func:`run_points` produced: the finished replications and how they were run."""

    trajectories: pd.DataFrame
    replications: int
    _sink: MemorySink | DirectorySink

    def batch_fields(self) -> dict[str, Any]:
        """The :class:`BatchResult` fields, for the result an experiment builds from this."""
        return {spec.name: getattr(self, spec.name) for spec in fields(BatchResult)}

    def complete(self, write: Callable[[Path], Any]) -> None:
        """With an output directory: write the final files there and mark it complete."""
        if isinstance(self._sink, DirectorySink):
            with claim(self._sink.directory, resume=True):
                write(self._sink.directory)
                self._sink.mark_complete()


def run_points(
    kind: str,
    scenarios: Sequence[Scenario],
    names: Sequence[str],
    n: int,
    master: int,
    execution: Execution,
    plan: dict[str, Any],
    *,
    precision: PrecisionTarget | None = None,
    baseline: str | None = None,
    trajectories: int = 0,
    on_disk: bool = False,
    first: int = 0,
) -> PointsRun:
    """The engine of every experiment: alternatives × replications at one or more points.

    Plans chunks (their size depends only on the replications and whether the fast engine
    runs every alternative, so a run resumes on any backend), opens the memory or directory
    sink, runs a fixed ``n`` or sequential rounds (``precision``; with several points every
    (point, alternative) is watched) and returns the replications ``0 … n−1``. ``plan`` holds
    the experiment's own settings for the manifest.
    With ``on_disk`` and an output directory the records are not read into memory: they go to
    a :class:`ColumnStore` (``PointsRun.store``) and ``frame`` stays empty.
    ``first`` starts the replications at that index (``first … first+n−1``, a fixed ``n`` kept
    in memory): a sequential procedure that adds replications to the same plan (the
    optimiser's selection stage) draws fresh ones that way, under the same streams.
    """
    if first and (precision is not None or on_disk):
        raise JitsimError("replications from an index other than 0 need a fixed n, in memory")
    # Cheap checks of the options first: an absurd --workers is named as such, not as the
    # memory its workers would need.
    check_backend_options(execution.backend, execution.workers, execution.scheduler)
    engines = engines_used(scenarios, names, execution.engine)  # --engine fast: in scope?
    first_round = precision.min_replications if precision else n
    planned = precision.max_replications if precision else n
    if precision is not None:
        check_replications(first_round, "min_replications")
        _check_watched(precision, scenarios, names)
    all_fast = bool(engines) and all(used == "fast" for _, _, used, _ in engines)
    size = execution.chunk_size or default_chunk_size(first_round, fast=all_fast)
    if size < 1:
        raise JitsimError(f"chunk_size(={size}) must be >= 1")
    workers = 1 if execution.backend == "serial" else execution.workers or os.cpu_count() or 1
    check_batch(  # counted before any chunk is planned: -n 1e15 must not allocate
        scenarios,
        len(names),
        planned,
        what="max_replications" if precision else "replications",
        trajectories=trajectories,
        chunk_size=size,
        workers=workers,
    )
    chooser = choose_backend(execution, first_round * len(names) * len(scenarios))
    chunks = plan_chunks(
        len(scenarios),
        names,
        first,
        planned,
        master,
        chunk_size=size,
        trajectories=trajectories,
        engine=execution.engine,
    )
    manifest_plan = {
        "alternatives": list(names),
        "replications": None if precision else n,
        **({"first_replication": first} if first else {}),
        "chunk_size": size,
        "precision": asdict(precision) if precision else None,
        **plan,
    }
    with ExitStack() as held:
        if execution.out is not None:
            held.enter_context(
                claim(execution.out, resume=execution.resume, overwrite=execution.overwrite)
            )
        sink = open_sink(kind, scenarios, master, manifest_plan, execution, chunks, engines)
        session = Session(scenarios, chooser, sink, execution.progress)
        report: PrecisionReport | None = None
        try:
            if precision is not None:
                report = _in_rounds(session, chunks, len(scenarios), names, precision, baseline)
                n = report.replications
            else:
                session.ensure(chunks)
            store = None
            if on_disk and isinstance(sink, DirectorySink):
                store = sink.column_store(len(scenarios), n)
            frame = sink.frame() if store is None else pd.DataFrame()
            if not frame.empty and (frame["replication"] >= first + n).any():  # resumed: more
                frame = frame[frame["replication"] < first + n].reset_index(drop=True)
            kept = sink.trajectories_frame()
        finally:
            session.close()
    expected = n * len(names) * len(scenarios)
    rows = len(frame) if store is None else store.rows  # a store holds exactly the plan
    if rows != expected:  # never a summary over fewer rows than it says
        raise JitsimError(
            f"{execution.out}: the results hold {rows} rows where {expected} were "
            "expected; run the command again with --overwrite"
        )
    directory = Path(execution.out) if execution.out is not None else None
    return PointsRun(
        kept,
        n,
        sink,
        frame=frame,
        out_dir=directory,
        backend=chooser.name,
        precision=report,
        store=store,
    )


def _check_watched(
    precision: PrecisionTarget, scenarios: Sequence[Scenario], names: Sequence[str]
) -> None:
    """Refuse a misspelt KPI watched by ``precision`` before anything is simulated or written
    (the names come from the models, built but not run)."""
    columns: set[str] = set()
    for scenario in scenarios:
        found = kpi_columns(scenario, names)
        if found is None:
            return  # a model that cannot be built: the run says why
        columns |= found
    check_kpi_names(precision.kpis, columns)


def _in_rounds(
    session: Session,
    chunks: Sequence[Chunk],
    points: int,
    names: Sequence[str],
    precision: PrecisionTarget,
    baseline: str | None,
) -> PrecisionReport:
    """Run ``chunks`` round by round until ``precision`` is reached (or its maximum).

    With several points every (point, alternative) is watched, as an alternative of its own
    named ``point p: name``.
    """
    several = points > 1
    labels = [f"point {p}: {a}" for p in range(points) for a in names] if several else list(names)

    def ensure(count: int) -> pd.DataFrame:
        session.ensure([c for c in chunks if c.first < count])
        frame = session.sink.frame(precision.kpis)  # the watched KPIs, not all of them
        frame = frame[frame["replication"] < count]
        if not several:
            return frame
        prefix = "point " + frame["point"].astype(str) + ": "
        return frame.assign(alternative=prefix + frame["alternative"])

    return sequential(precision, ensure, labels, baseline)


def run_alternatives(
    kind: str,
    scenario: Scenario,
    replications: int | None,
    seed: int | None,
    alternatives: Sequence[str] | None,
    trajectories: int,
    execution: Execution,
    precision: PrecisionTarget | None = None,
    baseline: str | None = None,
    extra_plan: dict[str, Any] | None = None,
) -> RunResult:
    """Shared engine of :func:`run` and :func:`jitsim.compare` (fixed n or sequential)."""
    n, master = replications_and_seed(scenario, replications, seed)
    if trajectories < 0:
        raise JitsimError(f"trajectories(={trajectories}) must be >= 0")
    names = chosen_alternatives(scenario, alternatives)
    outcome = run_points(
        kind,
        [scenario],
        names,
        n,
        master,
        execution,
        {"trajectories": trajectories, **(extra_plan or {})},
        precision=precision,
        baseline=baseline,
        trajectories=trajectories,
        on_disk=True,
    )
    if "point" in outcome.frame.columns:  # one table per run, without the sweep-point column
        del outcome.frame["point"]
    if outcome.store is not None:
        outcome.store.keep_point = False
    result = RunResult(
        scenario,
        master,
        outcome.replications,
        names,
        trajectory_frame=outcome.trajectories,
        **outcome.batch_fields(),
    )
    outcome.complete(lambda directory: write_results(result, directory, command=execution.command))
    return result


def open_sink(
    kind: str,
    scenarios: Sequence[Scenario],
    seed: int,
    plan: dict[str, Any],
    execution: Execution,
    planned: Sequence[Chunk] = (),
    engines: Sequence[tuple[int, str, str, str | None]] = (),
) -> MemorySink | DirectorySink:
    """A memory sink, or a resumable directory sink when an output directory is given (which
    the caller holds); ``planned`` are the chunks a resume checks the journal against.

    The manifest records the engine asked for and, per sweep point and alternative, the one
    used (``engines``, from :func:`~jitsim.execution.engines.engines_used`) with the reason
    of a fall-back to SimPy. They are not part of the run's identity: both engines give the
    same records, so a run may be resumed with another engine."""
    if execution.out is None:
        if execution.resume:
            raise JitsimError("resume needs the output directory of the interrupted run")
        return MemorySink(list(plan.get("alternatives", [])))
    plan = json.loads(json.dumps(plan))  # as it reads back from the manifest (tuples → lists)
    manifest = {
        "kind": kind,
        "scenario_name": scenarios[0].name if scenarios else None,
        "scenario_hashes": [scenario_hash(s) for s in scenarios],
        "seed": seed,
        "plan": plan,
        "jitsim_version": jitsim_version(),
        "command": execution.command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": execution.engine,
        "engines_used": [
            {"point": point, "alternative": name, "engine": used, "why_not_fast": reason}
            for point, name, used, reason in engines
        ],
    }
    return DirectorySink(execution.out, manifest, resume=execution.resume, planned=planned)
