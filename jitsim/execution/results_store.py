"""Where finished replications go as a batch runs: memory, or a resumable directory.

A :class:`DirectorySink` appends every finished chunk to ``replications.part.csv`` (and its
trajectories to ``trajectories.part.csv``), forces them to disk, and only then records the chunk
in ``journal.jsonl`` with its replication range, row count and the checksums of its bytes
(:mod:`jitsim.execution.journal`). A run killed at any instant (even SIGKILL) therefore loses at
most the chunks in flight: on ``--resume`` every journaled chunk is checked, the damaged or
missing ones are named and simulated again, and the rest are kept. The manifest
(``manifest.json``) pins what the directory holds — kind, scenario hash, seed, plan and jitsim
version — so a resume cannot silently mix two different experiments.
"""

from __future__ import annotations

import csv
import io
import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jitsim.errors import JitsimError, JitsimWarning
from jitsim.execution.backends import Chunk, ChunkResult
from jitsim.execution.columns import ColumnStore
from jitsim.execution.journal import (
    ChunkEntry,
    Span,
    columns_line,
    context_of,
    read_journal,
    verify,
)
from jitsim.execution.record_columns import (
    RecordColumns,
    csv_lines,
    csv_text,
    key_order,
    plan_order,
)
from jitsim.execution.record_frame import frame_of
from jitsim.execution.results_claim import MANIFEST, read_manifest, write_manifest

__all__ = [
    "JOURNAL",
    "MANIFEST",
    "RECORDS",
    "TRAJECTORIES",
    "TRAJECTORY_COLUMNS",
    "DirectorySink",
    "MemorySink",
    "check_resumable",
    "read_journal",
    "resumable_manifest",
]

TRAJECTORY_COLUMNS = (
    "point",
    "alternative",
    "replication",
    "stock_point",
    "day",
    "on_hand",
    "backorders",
    "on_order",
    "cash_tied_up",
)
JOURNAL = "journal.jsonl"
RECORDS = "replications.part.csv"
TRAJECTORIES = "trajectories.part.csv"
#: Manifest fields that must match for a resume to be allowed.
IDENTITY = ("kind", "scenario_hashes", "seed", "plan")


class MemorySink:
    """Keeps results in memory (API calls without an output directory): the SimPy engine's
    records as dicts, the fast engine's as the columns they came in."""

    def __init__(self, alternatives: list[str] | None = None) -> None:
        self.alternatives = alternatives or []
        self.records: list[dict[str, Any]] = []
        self.blocks: list[RecordColumns] = []
        self.kept: list[tuple[Any, ...]] = []
        self._done: set[int] = set()
        self._keys: dict[str, None] = {}  # the columns, in order of first appearance

    def done_chunks(self) -> set[int]:
        """Chunks finished in this session (memory does not survive a crash)."""
        return set(self._done)

    def add(self, result: ChunkResult) -> None:
        """Store one finished chunk."""
        self._done.add(result.chunk.index)
        self.records.extend(result.records)
        self.blocks.extend(result.columns)
        self._keys.update(
            dict.fromkeys(key_order(result.chunk.alternatives, result.columns, result.records))
        )
        self.kept.extend(result.trajectories)

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """All replications, sorted by (point, alternative in plan order, replication), every
        column (``columns`` is for :meth:`DirectorySink.frame`: in memory all are there)."""
        frame = frame_of(self.records, self.blocks, list(self._keys))
        return _sort_in_plan_order(frame, self.alternatives)

    def trajectories_frame(self) -> pd.DataFrame:
        """Kept end-of-day series, sorted."""
        frame = pd.DataFrame.from_records(self.kept, columns=list(TRAJECTORY_COLUMNS))
        return _sort_in_plan_order(frame, self.alternatives, extra=("stock_point", "day"))

    def close(self) -> None:
        """Nothing to release."""


def _sort_in_plan_order(
    frame: pd.DataFrame, alternatives: list[str], extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Rows by (point, alternative in plan order, replication, *extra), with one copy."""
    if frame.empty:
        return frame
    order = {name: i for i, name in enumerate(alternatives)}
    # ranked once per distinct name, not once per row (a Python call per row was ~0.1 s in
    # 50,000 replications)
    codes, names = pd.factorize(frame["alternative"], use_na_sentinel=False)
    ranks = np.array([order.get(name, len(order)) for name in names], dtype=np.int64)
    rank = ranks[codes]
    keys = [frame[k].to_numpy() for k in reversed(extra)]
    keys += [frame["replication"].to_numpy(), rank]
    if "point" in frame.columns:
        keys.append(frame["point"].to_numpy())
    rows = np.lexsort(keys)  # the last key sorts first
    if (rows == np.arange(len(rows))).all():
        return frame.reset_index(drop=True)
    return frame.take(rows).reset_index(drop=True)


def _csv_text(result: ChunkResult, columns: list[str]) -> str:
    """A chunk's records as CSV lines under the header ``columns``, in plan order: the bytes
    :class:`csv.writer` writes for every record as a dict (``""`` for a key it lacks), the
    fast engine's columns formatted without a dict per record.

    Raises
    ------
    RuntimeError
        If a record has a key that is not in the header.
    """
    known = set(columns)
    for keys in [
        *(record.keys() for record in result.records),
        *(b.keys() for b in result.columns),
    ]:
        if any(k not in known for k in keys):
            raise RuntimeError(f"chunk {result.chunk.index}: KPIs missing from the header")
    if len(result.columns) == 1 == len(result.chunk.alternatives) and not result.records:
        return csv_text(result.columns[0], columns)  # the fast engine's whole chunk
    if not result.columns:  # SimPy's records alone: as they always were written
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [record.get(k, "") for k in columns] for record in result.records
        )
        return buffer.getvalue()
    simulated: list[str] = []  # SimPy's lines, one by one to interleave with the columns'
    for record in result.records:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([record.get(k, "") for k in columns])
        simulated.append(buffer.getvalue())
    per_block = {block.alternative: csv_lines(block, columns) for block in result.columns}
    lines = plan_order(
        result.chunk.alternatives, result.replications(), result.columns, simulated, per_block
    )
    return "".join(lines)


class DirectorySink:
    """Appends results to files in ``directory`` as chunks finish; resumable and verified.

    The caller holds the directory (:func:`~jitsim.execution.results_claim.claim`).

    Parameters
    ----------
    directory : path
        Output directory (created if needed).
    manifest : dict
        What this run is: ``kind``, ``scenario_hashes``, ``seed``, ``plan``, plus free
        information (``command``, ``jitsim_version``, ...).
    resume : bool
        Continue the run recorded in ``directory`` instead of starting afresh.
    planned : sequence of Chunk
        Every chunk the run may need: a resume keeps only journaled chunks that match one of
        them exactly and whose bytes pass their checksums (see :mod:`jitsim.execution.journal`).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        manifest: dict[str, Any],
        *,
        resume: bool,
        planned: Sequence[Chunk] = (),
    ) -> None:
        self.directory = Path(directory)
        self.alternatives: list[str] = list(manifest.get("plan", {}).get("alternatives", []))
        self._done: set[int] = set()
        self._columns: list[str] | None = None
        self._identity = {key: manifest.get(key) for key in IDENTITY}
        self._context = ""
        #: Why chunks found on resume are simulated again (one line each).
        self.notes: list[str] = []
        if resume:
            check_resumable(self.directory, manifest)
            self._columns, kept, self.notes = verify(
                self.directory, RECORDS, TRAJECTORIES, JOURNAL, planned, self._identity
            )
            if self._columns is not None:
                self._context = context_of(self._identity, self._columns)
            self._done = {entry.chunk for entry in kept}
            for note in self.notes:
                warnings.warn(note, JitsimWarning, stacklevel=2)
        else:
            for name in (JOURNAL, RECORDS, TRAJECTORIES):
                (self.directory / name).unlink(missing_ok=True)
            write_manifest(self.directory, manifest)
        self._records = open(self.directory / RECORDS, "ab")
        self._trajectories = open(self.directory / TRAJECTORIES, "ab")
        self._journal = open(self.directory / JOURNAL, "ab")

    def done_chunks(self) -> set[int]:
        """Chunks recorded (and verified) as finished."""
        return set(self._done)

    def add(self, result: ChunkResult) -> None:
        """Append one finished chunk durably, then journal it."""
        alternatives = result.chunk.alternatives
        if self._columns is None:
            # Every chunk covers the same alternatives, so the first one fixes the columns.
            self._columns = key_order(alternatives, result.columns, result.records)
            self._journal.write(columns_line(self._columns))
            self._context = context_of(self._identity, self._columns)
        text = _csv_text(result, self._columns).encode("utf-8")
        records = Span.of(self._records.tell(), text)
        self._records.write(text)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(result.trajectories)
        trajectories = Span.of(self._trajectories.tell(), buffer.getvalue().encode("utf-8"))
        self._trajectories.write(buffer.getvalue().encode("utf-8"))
        for handle in (self._records, self._trajectories):
            handle.flush()
            os.fsync(handle.fileno())
        chunk = result.chunk
        entry = ChunkEntry(
            chunk.index,
            chunk.point,
            chunk.first,
            chunk.count,
            result.row_count(),
            records,
            trajectories,
            self._context,
        )
        self._journal.write(entry.line())
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self._done.add(chunk.index)

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """All replications recorded so far, sorted; only ``columns`` (and the keys ``point``,
        ``alternative``, ``replication``) when given and all recorded — what a precision round
        watches, instead of every KPI. The values and types are those of the whole table."""
        path = self.directory / RECORDS
        if self._columns is None or path.stat().st_size == 0:
            return pd.DataFrame()
        wanted = None
        if columns is not None and set(columns) <= set(self._columns):
            keys = {"point", "alternative", "replication", *columns}
            wanted = [c for c in self._columns if c in keys]
        frame = pd.read_csv(
            path, header=None, names=self._columns, usecols=wanted, low_memory=False
        )
        return _sort_in_plan_order(frame, self.alternatives)

    def column_store(self, points: int, n: int) -> ColumnStore | None:
        """Replications ``0 … n−1`` of every point and alternative as a :class:`ColumnStore`
        (columns on disk, nothing kept in memory), or None if the chunk file cannot be
        stored exactly that way (then :meth:`frame` reads it whole)."""
        path = self.directory / RECORDS
        if self._columns is None or path.stat().st_size == 0:
            return None
        self._records.flush()
        return ColumnStore.from_part_csv(path, self._columns, self.alternatives, points, n)

    def trajectories_frame(self) -> pd.DataFrame:
        """Kept end-of-day series recorded so far, sorted."""
        path = self.directory / TRAJECTORIES
        if path.stat().st_size == 0:
            return pd.DataFrame(columns=list(TRAJECTORY_COLUMNS))
        frame = pd.read_csv(path, header=None, names=list(TRAJECTORY_COLUMNS))
        return _sort_in_plan_order(frame, self.alternatives, extra=("stock_point", "day"))

    def close(self) -> None:
        """Close the files (the directory stays resumable)."""
        for handle in (self._records, self._trajectories, self._journal):
            handle.close()

    def mark_complete(self) -> None:
        """Record that the final results are written; drop the partial files and journal."""
        self.close()
        manifest = read_manifest(self.directory) or {}
        manifest["complete"] = True
        write_manifest(self.directory, manifest)
        for name in (RECORDS, TRAJECTORIES, JOURNAL):
            (self.directory / name).unlink(missing_ok=True)


_KINDS = ("run", "compare", "sweep", "breakeven", "stress", "optimize")
_MISSING = object()
#: What each field of a resumable manifest must be: (where, test, what it should be); only
#: ``kind`` is required (a break-even's own manifest holds little more).
_FIELDS: tuple[tuple[tuple[str, ...], Any, str], ...] = (
    (("kind",), lambda v: v in _KINDS, f"one of {', '.join(_KINDS)}"),
    (("seed",), lambda v: _whole(v, 0), "a whole number >= 0"),
    (("plan",), lambda v: isinstance(v, dict), "an object"),
    (("plan", "replications"), lambda v: v is None or _whole(v, 1), "a whole number >= 1"),
    (("plan", "chunk_size"), lambda v: v is None or _whole(v, 1), "a whole number >= 1"),
    (("plan", "trajectories"), lambda v: v is None or _whole(v, 0), "a whole number >= 0"),
    (("plan", "alternatives"), lambda v: v is None or _texts(v), "a list of names"),
    (("plan", "precision"), lambda v: v is None or isinstance(v, dict), "an object"),
    (("plan", "baseline"), lambda v: v is None or isinstance(v, str), "a name"),
    (("command",), lambda v: v is None or isinstance(v, str), "a command line"),
)


def _whole(value: Any, least: int) -> bool:
    return type(value) is int and least <= value <= 2**63


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def resumable_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a directory to resume, each field checked (a damaged or hand-edited
    manifest is a one-line error, not a crash later).

    Raises
    ------
    JitsimError
        Naming the first field with a wrong type or value.
    """
    manifest = read_manifest(directory) or {}
    for where, valid, should in _FIELDS:
        value: Any = manifest
        for key in where:
            value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if value is _MISSING and where != ("kind",):
            continue
        if value is _MISSING or not valid(value):
            shown = "missing" if value is _MISSING else json.dumps(value)[:60]
            raise JitsimError(
                f"{Path(directory) / MANIFEST}: {'.'.join(where)} should be {should}, not "
                f"{shown}; the manifest was edited or damaged (start again with --overwrite)"
            )
    return manifest


def check_resumable(directory: Path, manifest: dict[str, Any]) -> None:
    """Refuse to continue ``directory`` unless it holds an unfinished run of the same
    experiment (kind, scenarios, seed and plan), naming what differs."""
    recorded = resumable_manifest(directory)
    kind = recorded.get("kind")
    if kind != manifest.get("kind"):
        raise JitsimError(
            f"{directory} holds the results of a {kind or 'different'} command, not of a "
            f"{manifest.get('kind')}: continue it with jitsim {kind or 'COMMAND'} FILE "
            f"--resume {directory}"
        )
    if recorded.get("complete"):
        raise JitsimError(
            f"{directory}: this run is already complete; its results are in "
            "summary.json and replications.csv"
        )
    before, now = recorded.get("scenario_hashes") or [""], manifest.get("scenario_hashes") or [""]
    if before != now:
        raise JitsimError(
            f"{directory}: cannot resume — it was started with another scenario "
            f"({recorded.get('scenario_name')!r}, hash {str(before[0])[:12]}) than this one "
            f"({manifest.get('scenario_name')!r}, hash {str(now[0])[:12]}); resume it with the "
            "scenario file (and sweep grid) it was started with"
        )
    for key in IDENTITY:
        if recorded.get(key) != manifest.get(key):
            raise JitsimError(
                f"{directory}: cannot resume — its {key} differs from this run's "
                f"(recorded {json.dumps(recorded.get(key))[:400]}, "
                f"now {json.dumps(manifest.get(key))[:400]})"
            )
