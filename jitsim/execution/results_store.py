"""Where finished replications go as a batch runs: memory, or a resumable directory.

A :class:`DirectorySink` appends every finished chunk to ``replications.part.csv`` (and its
trajectories to ``trajectories.part.csv``), forces them to disk, and only then records the chunk
in ``journal.jsonl`` together with the file sizes at that moment. A run killed at any instant
(even SIGKILL) therefore loses at most the chunks in flight: on ``--resume`` the data files are
cut back to the sizes of the last journal entry and only the missing chunks are simulated.
The manifest (``manifest.json``) pins what the directory holds — scenario hash, seed, plan and
jitsim version — so a resume cannot silently mix two different experiments.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jitsim.errors import JitsimError
from jitsim.execution.backends import ChunkResult

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
MANIFEST = "manifest.json"
JOURNAL = "journal.jsonl"
RECORDS = "replications.part.csv"
TRAJECTORIES = "trajectories.part.csv"
#: Manifest fields that must match for a resume to be allowed.
IDENTITY = ("kind", "scenario_hashes", "seed", "plan")


class MemorySink:
    """Keeps results in memory (API calls without an output directory)."""

    def __init__(self, alternatives: list[str] | None = None) -> None:
        self.alternatives = alternatives or []
        self.records: list[dict[str, Any]] = []
        self.kept: list[tuple[Any, ...]] = []
        self._done: set[int] = set()

    def done_chunks(self) -> set[int]:
        """Chunks finished in this session (memory does not survive a crash)."""
        return set(self._done)

    def add(self, result: ChunkResult) -> None:
        """Store one finished chunk."""
        self._done.add(result.chunk.index)
        self.records.extend(result.records)
        self.kept.extend(result.trajectories)

    def frame(self) -> pd.DataFrame:
        """All replications, sorted by (point, alternative in plan order, replication)."""
        return _sort_in_plan_order(pd.DataFrame.from_records(self.records), self.alternatives)

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
    rank = frame["alternative"].map(lambda a: order.get(a, len(order))).to_numpy()
    keys = [frame[k].to_numpy() for k in reversed(extra)]
    keys += [frame["replication"].to_numpy(), rank]
    if "point" in frame.columns:
        keys.append(frame["point"].to_numpy())
    rows = np.lexsort(keys)  # the last key sorts first
    if (rows == np.arange(len(rows))).all():
        return frame.reset_index(drop=True)
    return frame.take(rows).reset_index(drop=True)


class DirectorySink:
    """Appends results to files in ``directory`` as chunks finish; resumable.

    Parameters
    ----------
    directory : path
        Output directory (created if needed).
    manifest : dict
        What this run is: ``kind``, ``scenario_hashes``, ``seed``, ``plan``, plus free
        information (``command``, ``jitsim_version``, ...).
    resume : bool
        Continue the run recorded in ``directory`` instead of starting afresh.
    """

    def __init__(
        self, directory: str | os.PathLike[str], manifest: dict[str, Any], *, resume: bool
    ) -> None:
        self.directory = Path(directory)
        self.alternatives: list[str] = list(manifest.get("plan", {}).get("alternatives", []))
        if self.directory.exists() and not self.directory.is_dir():
            raise JitsimError(f"{self.directory}: exists and is not a directory")
        self._done: dict[int, dict[str, int]] = {}
        self._columns: list[str] | None = None
        if resume:
            self._open_existing(manifest)
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            for name in (JOURNAL, RECORDS, TRAJECTORIES):
                (self.directory / name).unlink(missing_ok=True)
            _write_json(self.directory / MANIFEST, manifest)
        records_path = self.directory / RECORDS
        if records_path.exists() and records_path.stat().st_size > 0:
            with open(records_path, encoding="utf-8", newline="") as handle:
                self._columns = next(csv.reader(handle))
        self._records = open(records_path, "ab")
        self._trajectories = open(self.directory / TRAJECTORIES, "ab")
        self._journal = open(self.directory / JOURNAL, "ab")

    def _open_existing(self, manifest: dict[str, Any]) -> None:
        path = self.directory / MANIFEST
        if not path.is_file():
            raise JitsimError(f"{self.directory}: nothing to resume (no {MANIFEST} here)")
        try:
            recorded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise JitsimError(f"{path}: unreadable manifest ({exc})") from None
        if recorded.get("complete"):
            raise JitsimError(
                f"{self.directory}: this run is already complete; its results are in "
                "summary.json and replications.csv"
            )
        for key in IDENTITY:
            if recorded.get(key) != manifest.get(key):
                raise JitsimError(
                    f"{self.directory}: cannot resume — its {key} differs from this run's "
                    f"(recorded {json.dumps(recorded.get(key))[:400]}, "
                    f"now {json.dumps(manifest.get(key))[:400]})"
                )
        sizes = {RECORDS: 0, TRAJECTORIES: 0}
        journal = self.directory / JOURNAL
        if journal.is_file():
            for line in journal.read_bytes().splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    break  # a torn last line: the chunk it described is redone
                self._done[int(entry["chunk"])] = entry
                sizes = {RECORDS: entry["records_size"], TRAJECTORIES: entry["trajectories_size"]}
            # Rewrite the journal without a torn tail.
            with open(journal, "wb") as handle:
                for entry in self._done.values():
                    handle.write(json.dumps(entry).encode() + b"\n")
        for name, size in sizes.items():
            target = self.directory / name
            if target.exists():
                with open(target, "r+b") as handle:
                    handle.truncate(size)

    def done_chunks(self) -> set[int]:
        """Chunks recorded as finished in the journal."""
        return set(self._done)

    def add(self, result: ChunkResult) -> None:
        """Append one finished chunk durably, then journal it."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if self._columns is None:
            # Every chunk covers the same alternatives, so the first one fixes the columns.
            self._columns = list(dict.fromkeys(k for record in result.records for k in record))
            writer.writerow(self._columns)
        columns = self._columns
        known = set(columns)
        for record in result.records:
            if any(k not in known for k in record):
                raise RuntimeError(f"chunk {result.chunk.index}: KPIs missing from the header")
            writer.writerow([record.get(k, "") for k in columns])
        self._records.write(buffer.getvalue().encode("utf-8"))
        if result.trajectories:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(result.trajectories)
            self._trajectories.write(buffer.getvalue().encode("utf-8"))
        for handle in (self._records, self._trajectories):
            handle.flush()
            os.fsync(handle.fileno())
        entry = {
            "chunk": result.chunk.index,
            "records_size": self._records.tell(),
            "trajectories_size": self._trajectories.tell(),
        }
        self._journal.write(json.dumps(entry).encode() + b"\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self._done[result.chunk.index] = entry

    def frame(self) -> pd.DataFrame:
        """All replications recorded so far, sorted (read back in blocks: flat memory)."""
        path = self.directory / RECORDS
        if path.stat().st_size == 0:
            return pd.DataFrame()
        frame = pd.read_csv(path, low_memory=False)
        return _sort_in_plan_order(frame, self.alternatives)

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
        path = self.directory / MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["complete"] = True
        _write_json(path, manifest)
        for name in (RECORDS, TRAJECTORIES, JOURNAL):
            (self.directory / name).unlink(missing_ok=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, default=_json_default) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)
