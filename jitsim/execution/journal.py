"""The journal of a resumable run: what each finished chunk wrote, and how a resume checks it.

A run appends each finished chunk's rows to ``replications.part.csv`` (and its kept series to
``trajectories.part.csv``), forces them to disk, and only then appends one line to
``journal.jsonl``::

    {"columns": ["point", "alternative", "replication", "total_cost", ...]}
    {"chunk": 3, "point": 0, "first": 6, "count": 2, "rows": 4,
     "records": [1630, 2441, "<sha256>"], "trajectories": [0, 0, "<sha256>"]}

— the chunk's replication range, its row count, and for each file the byte range it wrote
and the SHA-256 of those bytes. On resume, :func:`verify` checks every entry against the plan
and the bytes on disk, keeps the chunks that pass and rewrites the files without the others,
which are then simulated again. Nothing read from the journal is trusted as a size: a byte
range is only read when it lies inside the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jitsim.execution.backends import Chunk

__all__ = ["ChunkEntry", "Span", "columns_line", "context_of", "read_journal", "verify"]

#: Longest journal line read (bytes): an entry is ~250 bytes, the column line a few kilobytes.
MAX_LINE = 1 << 20


@dataclass(frozen=True)
class Span:
    """Bytes ``start … end−1`` of a data file and their SHA-256 (hex)."""

    start: int
    end: int
    sha256: str

    @classmethod
    def of(cls, start: int, data: bytes) -> Span:
        """The span of ``data`` written at ``start``."""
        return cls(start, start + len(data), hashlib.sha256(data).hexdigest())

    def as_list(self) -> list[Any]:
        """As written in the journal."""
        return [self.start, self.end, self.sha256]


@dataclass(frozen=True)
class ChunkEntry:
    """One finished chunk as journaled."""

    chunk: int
    point: int
    first: int
    count: int
    rows: int
    records: Span
    trajectories: Span
    #: SHA-256 of what the rows mean: the run's identity (kind, scenarios, seed, plan) and the
    #: column names; a chunk recorded under other settings or columns is never kept.
    context: str

    def line(self) -> bytes:
        """The journal line (with its newline)."""
        entry = {
            "chunk": self.chunk,
            "point": self.point,
            "first": self.first,
            "count": self.count,
            "rows": self.rows,
            "records": self.records.as_list(),
            "trajectories": self.trajectories.as_list(),
            "context": self.context,
        }
        return json.dumps(entry).encode() + b"\n"

    @classmethod
    def parse(cls, entry: dict[str, Any]) -> ChunkEntry | None:
        """The entry read back, or None if it is not a well-formed chunk entry."""
        try:
            numbers = [entry[k] for k in ("chunk", "point", "first", "count", "rows")]
            spans = [_span(entry[k]) for k in ("records", "trajectories")]
            context = entry["context"]
        except (KeyError, TypeError, ValueError):
            return None
        if not all(type(n) is int and n >= 0 for n in numbers) or not isinstance(context, str):
            return None
        chunk, point, first, count, rows = numbers
        return cls(chunk, point, first, count, rows, spans[0], spans[1], context)


def _span(value: Any) -> Span:
    start, end, digest = value
    if not (type(start) is int and type(end) is int and 0 <= start <= end):
        raise ValueError("bad byte range")
    if not (isinstance(digest, str) and len(digest) == 64):
        raise ValueError("bad checksum")
    return Span(start, end, digest)


def context_of(identity: dict[str, Any], columns: Sequence[str]) -> str:
    """The :attr:`ChunkEntry.context` of chunks of the run ``identity`` with ``columns``."""
    text = json.dumps({"identity": identity, "columns": list(columns)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def read_journal(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The well-formed JSON objects of a journal, in order (torn or garbled lines skipped)."""
    return [entry for _, entry in _journal_lines(Path(path)) if entry is not None]


def _journal_lines(path: Path) -> list[tuple[int, dict[str, Any] | None]]:
    """Every line of a journal: its number and its JSON object (None if garbled)."""
    lines: list[tuple[int, dict[str, Any] | None]] = []
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return lines
    with handle:
        number = 0
        while line := handle.readline(MAX_LINE):
            number += 1
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            lines.append((number, entry if isinstance(entry, dict) else None))
    return lines


def verify(
    directory: Path,
    records: str,
    trajectories: str,
    journal: str,
    planned: Sequence[Chunk],
    identity: dict[str, Any],
) -> tuple[list[str] | None, list[ChunkEntry], list[str]]:
    """Check a resumable run's files against its journal and the plan; keep what passes.

    Rewrites ``records``, ``trajectories`` and ``journal`` in ``directory`` to hold only the
    chunks that pass (each chunk whole, in journal order).

    Returns
    -------
    columns : list of str or None
        The column names of the records (None when no chunk survives).
    kept : list of ChunkEntry
        The chunks kept, with their byte ranges in the rewritten files.
    notes : list of str
        One line per chunk that must be simulated again, saying why.
    """
    plan = {chunk.index: chunk for chunk in planned}
    columns: list[str] | None = None
    entries: list[ChunkEntry] = []
    notes: list[str] = []
    for number, raw in _journal_lines(directory / journal):
        if columns is None and raw is not None and _column_names(raw.get("columns")):
            columns = [str(c) for c in raw["columns"]]
        elif raw is not None and (entry := ChunkEntry.parse(raw)) is not None:
            if entry.chunk in plan:
                entries.append(entry)
            else:
                notes.append(f"{journal} line {number}: a chunk the plan does not have; ignored")
        else:
            notes.append(
                f"{journal} line {number}: damaged; the chunk it recorded, if any, is "
                "simulated again"
            )
    expected = context_of(identity, columns) if columns is not None else None
    data = {name: _open(directory / name) for name in (records, trajectories)}
    kept: list[ChunkEntry] = []
    try:
        seen: set[int] = set()
        for entry in entries:
            problem = "journaled twice" if entry.chunk in seen else None
            problem = problem or _problem(entry, plan[entry.chunk], data, records, trajectories)
            if columns is None:
                problem = problem or "its column names are not in the journal"
            elif entry.context != expected:
                problem = problem or (
                    "it was recorded under other settings or column names than the manifest "
                    "and journal now hold"
                )
            if problem:
                notes.append(f"{_describe(plan[entry.chunk])}: {problem}; simulating it again")
            else:
                kept.append(entry)
                seen.add(entry.chunk)
        kept = _rewrite(directory, data, kept, records, trajectories)
    finally:
        for handle in data.values():
            if handle is not None:
                handle.close()
    _write_journal(directory / journal, columns if kept else None, kept)
    return (columns if kept else None), kept, notes


def _column_names(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(c, str) for c in value)


def _open(path: Path) -> io.BufferedReader | None:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        return None


def _problem(
    entry: ChunkEntry,
    chunk: Chunk,
    data: dict[str, io.BufferedReader | None],
    records: str,
    trajectories: str,
) -> str | None:
    """Why a journaled chunk cannot be kept (None if it can)."""
    if (entry.point, entry.first, entry.count) != (chunk.point, chunk.first, chunk.count):
        return "its replication range differs from the plan's"
    if entry.rows != chunk.count * len(chunk.alternatives):
        return f"its row count ({entry.rows}) differs from the plan's"
    for name, span in ((records, entry.records), (trajectories, entry.trajectories)):
        handle = data[name]
        if handle is None:
            if span.end > span.start:
                return f"{name} is missing"
            continue
        if span.end > os.fstat(handle.fileno()).st_size:
            return f"{name} is short (cut or truncated)"
        handle.seek(span.start)
        block = handle.read(span.end - span.start)
        if hashlib.sha256(block).hexdigest() != span.sha256:
            return f"the checksum of its rows in {name} does not match (edited or damaged)"
        if name == records and _row_count(block) != entry.rows:
            return f"{name} holds {_row_count(block)} rows for it, not {entry.rows}"
    return None


def _row_count(block: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(block.decode("utf-8", "replace"))))


def _describe(chunk: Chunk) -> str:
    last = chunk.first + chunk.count - 1
    where = f" of point {chunk.point}" if chunk.point else ""
    return f"chunk {chunk.index} (replications {chunk.first}–{last}{where})"


def _rewrite(
    directory: Path,
    data: dict[str, io.BufferedReader | None],
    kept: list[ChunkEntry],
    records: str,
    trajectories: str,
) -> list[ChunkEntry]:
    """Copy the kept chunks' bytes into fresh files and return their new byte ranges."""
    moved = list(kept)
    for name, field in ((records, "records"), (trajectories, "trajectories")):
        source = data[name]
        temporary = directory / f".{name}.{os.getpid()}.tmp"
        with open(temporary, "wb") as target:
            for i, entry in enumerate(moved):
                span: Span = getattr(entry, field)
                if source is not None and span.end > span.start:
                    source.seek(span.start)
                    block = source.read(span.end - span.start)
                else:
                    block = b""
                new = Span.of(target.tell(), block)
                target.write(block)
                moved[i] = _with_span(entry, field, new)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, directory / name)
    return moved


def _with_span(entry: ChunkEntry, field: str, span: Span) -> ChunkEntry:
    values = {**entry.__dict__, field: span}
    return ChunkEntry(**values)


def _write_journal(path: Path, columns: list[str] | None, kept: list[ChunkEntry]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        if columns is not None:
            handle.write(columns_line(columns))
        for entry in kept:
            handle.write(entry.line())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def columns_line(columns: Sequence[str]) -> bytes:
    """The journal line naming the record columns (written before the first chunk entry)."""
    return json.dumps({"columns": list(columns)}).encode() + b"\n"
