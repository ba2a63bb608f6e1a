"""Monte Carlo batches: alternatives × replications under common random numbers.

Replication ``r`` of every alternative uses the same random streams, so differences between
alternatives are paired. Work is cut into chunks and executed by a backend (serial, a local
process pool, or Dask); finished chunks go to a sink — memory, or an output directory that is
written as the batch runs and can be resumed after a crash. Results are identical whatever the
backend, the number of workers, and whether the run was interrupted and resumed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from jitsim.backends import Backend, Chunk, make_backend
from jitsim.errors import JitsimError
from jitsim.results_store import DirectorySink, MemorySink
from jitsim.scenario.models import Scenario
from jitsim.stats import summarize_frame

#: ``progress(done, total)``: replications (× alternatives) finished so far, and planned.
Progress = Callable[[int, int], None]

#: Below this many replication-runs a pool costs more than it saves: run serially.
SMALL_WORK = 48


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (defaults filled in), as hex."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def jitsim_version() -> str:
    """Installed jitsim version."""
    from jitsim import __version__

    return __version__


@dataclass
class Execution:
    """How to execute a batch: backend, workers, chunking, output directory."""

    backend: str = "processes"
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int | None = None
    out: str | Path | None = None
    resume: bool = False
    command: str | None = None
    progress: Progress | None = None


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
) -> list[Chunk]:
    """Cut replications ``first … first+count−1`` of every point into chunks."""
    chunks = []
    index = start_index
    for point in range(points):
        for begin in range(first, first + count, chunk_size):
            size = min(chunk_size, first + count - begin)
            chunks.append(Chunk(index, point, tuple(alternatives), begin, size, seed, trajectories))
            index += 1
    return chunks


def default_chunk_size(replications: int, workers: int) -> int:
    """Enough chunks to balance the workers, few enough to keep overhead small."""
    return max(1, min(50, math.ceil(replications / (4 * max(workers, 1)))))


def execute(
    scenarios: Sequence[Scenario],
    chunks: Sequence[Chunk],
    backend: Backend,
    sink: MemorySink | DirectorySink,
    progress: Progress | None = None,
) -> None:
    """Run the chunks the sink does not have yet and hand each result to the sink."""
    done = sink.done_chunks()
    todo = [chunk for chunk in chunks if chunk.index not in done]
    total = sum(c.count * len(c.alternatives) for c in chunks)
    finished = total - sum(c.count * len(c.alternatives) for c in todo)
    if progress is not None:
        progress(finished, total)
    if not todo:
        return
    backend.start(scenarios)
    try:
        for result in backend.map(todo):
            sink.add(result)
            finished += result.chunk.count * len(result.chunk.alternatives)
            if progress is not None:
                progress(finished, total)
    finally:
        backend.close()


def choose_backend(execution: Execution, work: int) -> Backend:
    """The configured backend, or serial for work too small to be worth a pool."""
    name = execution.backend
    if name == "processes" and work < SMALL_WORK:
        name = "serial"
    return make_backend(name, execution.workers, execution.scheduler)


@dataclass
class RunResult:
    """Results of :func:`run`: one KPI record per (alternative, replication).

    Use :meth:`replications` for the tidy per-replication table and :meth:`summary` for the
    per-alternative statistics (mean, std, 95 % CI, quantiles, CVaR₉₅).
    """

    scenario: Scenario
    seed: int
    replications_per_alternative: int
    alternatives: list[str]
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    trajectory_frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    out_dir: Path | None = None
    backend: str = "serial"

    def replications(self) -> pd.DataFrame:
        """One row per (alternative, replication), one column per KPI."""
        return self.frame.drop(columns=["point"], errors="ignore")

    @property
    def records(self) -> list[dict[str, Any]]:
        """The per-replication records as dictionaries."""
        return [
            {str(k): v for k, v in row.items()} for row in self.replications().to_dict("records")
        ]

    @property
    def trajectories(self) -> bool:
        """Whether end-of-day series were kept."""
        return not self.trajectory_frame.empty

    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy table ``alternative × kpi`` with mean, std, ci95_low/high, p05/p50/p95, n."""
        table = summarize_frame(
            self.replications(), by="alternative", kpis=list(kpis) if kpis else None
        )
        order = {name: i for i, name in enumerate(self.alternatives)}
        return (
            table.assign(_alt=table["alternative"].map(order))
            .sort_values("_alt", kind="stable")
            .drop(columns="_alt")
            .reset_index(drop=True)
        )

    def trajectories_frame(self) -> pd.DataFrame:
        """End-of-day series of the kept replications, one row per (rep, point, day)."""
        return self.trajectory_frame.drop(columns=["point"], errors="ignore")

    @property
    def window_days(self) -> int:
        """Days measured after warm-up."""
        return self.scenario.run.window_days


def resolve_alternatives(scenario: Scenario, alternatives: Sequence[str] | None) -> list[str]:
    """Validate a user's choice of alternatives (default: all of them)."""
    known = scenario.alternative_names()
    names = list(dict.fromkeys(alternatives)) if alternatives else known
    unknown = [a for a in names if a not in known]
    if unknown:
        raise JitsimError(
            f"unknown alternative {unknown[0]!r} (this scenario has: {', '.join(known)})"
        )
    return names


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    alternatives: Sequence[str] | None = None,
    trajectories: int = 0,
    progress: Progress | None = None,
    backend: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    command: str | None = None,
) -> RunResult:
    """Simulate every alternative of ``scenario`` for ``replications`` replications.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`jitsim.load_scenario`).
    replications : int, optional
        Replications per alternative; defaults to ``scenario.run.replications``.
    seed : int, optional
        Master seed; defaults to ``scenario.run.seed``.
    alternatives : sequence of str, optional
        Subset of alternatives to run (default: all).
    trajectories : int
        Keep the end-of-day series of the first ``trajectories`` replications of each
        alternative.
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
        Continue the interrupted run recorded in ``out`` instead of starting afresh.
    command : str, optional
        Command line to record in the manifest.

    Returns
    -------
    RunResult
    """
    n = scenario.run.replications if replications is None else replications
    if n < 1:
        raise JitsimError(f"replications(={n}) must be >= 1")
    master = scenario.run.seed if seed is None else seed
    if master < 0:
        raise JitsimError(f"seed(={master}) must be >= 0")
    if trajectories < 0:
        raise JitsimError(f"trajectories(={trajectories}) must be >= 0")
    names = resolve_alternatives(scenario, alternatives)
    execution = Execution(backend, workers, scheduler, chunk_size, out, resume, command, progress)
    chooser = choose_backend(execution, n * len(names))
    size = chunk_size or default_chunk_size(n, chooser.workers)
    if size < 1:
        raise JitsimError(f"chunk_size(={size}) must be >= 1")
    chunks = plan_chunks(1, names, 0, n, master, chunk_size=size, trajectories=trajectories)
    sink = open_sink(
        "run",
        [scenario],
        master,
        {
            "alternatives": names,
            "replications": n,
            "chunk_size": size,
            "trajectories": trajectories,
        },
        execution,
    )
    try:
        execute([scenario], chunks, chooser, sink, progress)
        frame = sink.frame()
        kept = sink.trajectories_frame()
    finally:
        sink.close()
    result = RunResult(
        scenario,
        master,
        n,
        names,
        frame=frame,
        trajectory_frame=kept,
        out_dir=Path(out) if out is not None else None,
        backend=chooser.name,
    )
    if isinstance(sink, DirectorySink):
        from jitsim.output import write_results  # output imports batch

        write_results(result, sink.directory, command=command)
        sink.mark_complete()
    return result


def open_sink(
    kind: str,
    scenarios: Sequence[Scenario],
    seed: int,
    plan: dict[str, Any],
    execution: Execution,
) -> MemorySink | DirectorySink:
    """A memory sink, or a resumable directory sink when an output directory is given."""
    if execution.out is None:
        if execution.resume:
            raise JitsimError("resume needs the output directory of the interrupted run")
        return MemorySink(list(plan.get("alternatives", [])))
    manifest = {
        "kind": kind,
        "scenario_hashes": [scenario_hash(s) for s in scenarios],
        "seed": seed,
        "plan": plan,
        "jitsim_version": jitsim_version(),
        "command": execution.command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return DirectorySink(execution.out, manifest, resume=execution.resume)
