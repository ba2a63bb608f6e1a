"""Where the command line prints: results to stdout, messages and the progress bar of a batch
run to stderr."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from jitsim.cli.options import BatchOptions
from jitsim.execution.precision import PrecisionReport
from jitsim.execution.results_claim import MANIFEST, read_manifest

R = TypeVar("R")


def stdout() -> Console:
    """The console for results (tables and their notes)."""
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 120)  # do not squeeze tables written to files/pipes
    return console


def stderr() -> Console:
    """The console for messages: errors, progress, files written besides the results."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


class _RateColumn(ProgressColumn):
    """Replications per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–  rep/s" if speed is None else f"{speed:.1f} rep/s", style="cyan")


def run_batch(
    options: BatchOptions,
    out_dir: Path,
    command: str,
    call: Callable[..., R],
    *args: Any,
    **kwargs: Any,
) -> R:
    """Call a batch function of the API with a progress bar on stderr (unless ``--quiet`` or
    not a terminal).

    ``call`` runs where the shared options say, writes to ``out_dir`` (continuing what is there
    with ``--resume``) and records ``command``, the command line that reproduces it.
    """
    kwargs.update(
        backend=options.backend,
        workers=options.workers,
        scheduler=options.scheduler,
        engine=options.engine,
        out=out_dir,
        resume=options.resume is not None,
        command=command,
    )
    err = stderr()
    if options.quiet or not err.is_terminal:
        return call(*args, **kwargs)
    with Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("run", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return call(*args, progress=report, **kwargs)


def engines_note(out_dir: Path) -> list[str]:
    """One line per sweep point and alternative of the results directory ``out_dir``: the
    engine that simulated it and, on the SimPy engine under ``--engine auto``, why not the
    fast one (from the manifest)."""
    manifest = read_manifest(out_dir, required=False) or {}
    rows = manifest.get("engines_used", [])
    several = any(row["point"] for row in rows)  # a sweep: name the point
    lines = []
    for row in rows:
        where = f"point {row['point']}: " if several else ""
        why = row.get("why_not_fast")
        reason = f" — not fast: {why}" if why else ""
        lines.append(f"engine: {row['engine']} for {where}{row['alternative']}{reason}")
    return lines


def written(
    out_dir: Path, precision: PrecisionReport | None = None, console: Console | None = None
) -> None:
    """The last lines of a batch command: the precision reached (with ``--precision``) and the
    files of the results directory ``out_dir``, on ``console`` [default: :func:`stdout`]."""
    console = console or stdout()
    if precision is not None:
        console.print(Text(precision.describe()))
    manifest = read_manifest(out_dir, required=False) or {}
    names = ", ".join(sorted({*manifest.get("files", []), MANIFEST}))
    console.print(Text(f"results written to {out_dir}{os.sep}: {names}"))
