"""A finished batch's replications on disk, one binary file per column, in plan order.

The main process of a long batch must not hold every replication in memory (issue #13): a
million replications × 80 KPIs is 640 MB of float64 before pandas copies it. When a batch
writes to a results directory, :meth:`ColumnStore.from_part_csv` reads the chunk file
``replications.part.csv`` once, a block of rows at a time, and scatters every numeric column
into its own file of float64 (8 bytes a cell) at the row's final position — point, alternative
in plan order, replication — the order of the table the batch returns. Afterwards

- :meth:`ColumnStore.column` reads one column whole (8 bytes × rows: what a summary of that
  column needs anyway: exact quantiles and CVaR need every value);
- :meth:`ColumnStore.blocks` yields the table a block of rows at a time, for writing
  ``replications.csv``;
- :meth:`ColumnStore.frame` builds the whole table (the API's ``replications()``), only when
  asked.

Every value is the one ``pandas.read_csv`` gives when it reads the whole chunk file (the same C
parser, value by value), and every column gets the type it would get there (integer only when
every block is integer, else float). A column whose type cannot be kept exactly that way (text,
booleans with gaps, integers beyond 2**53) makes :meth:`from_part_csv` return ``None``: the
caller then reads the whole table as before — slower, never different.

The files live in a temporary directory (``tempfile``: ``$TMPDIR``, else ``/tmp``; 8 bytes
per row and KPI, e.g. 640 MB for a million replications of 80 KPIs) removed when the store is
garbage-collected or the interpreter exits. Where ``/tmp`` is a RAM disk (tmpfs), point
``TMPDIR`` at a disk. If the directory cannot be written (no space, too many open files) the
batch reads the table whole, as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

__all__ = ["ColumnStore"]

#: Rows parsed per block while scattering the chunk file (bounds the parser's memory:
#: 5,000 rows × 80 KPIs ≈ 3 MB of float64).
READ_ROWS = 5_000
#: Rows per block of :meth:`ColumnStore.blocks`.
WRITE_ROWS = 5_000
#: Integers beyond this are not exact in float64: such a column is not stored.
_EXACT_INT = 2.0**53
#: The columns a batch adds to every record (not KPIs).
_KEYS = ("point", "alternative", "replication")


class ColumnStore:
    """The replications of a finished batch, column by column on disk, rows in plan order.

    Row ``i`` is replication ``i % n`` of alternative ``alternatives[(i // n) % A]`` at sweep
    point ``i // (n A)`` (``A`` alternatives, ``n`` replications each).

    Parameters
    ----------
    directory : Path
        Where the column files are (owned by the store: removed with it).
    columns : list of str
        Every column of the table, in order (``point``, ``alternative``, ``replication`` and
        the KPIs as the chunk file's header has them).
    kinds : dict
        Numeric column → numpy kind of its type in the table (``"i"``, ``"f"`` or ``"b"``).
    alternatives : list of str
        Alternatives in plan order.
    points : int
        Sweep points.
    n : int
        Replications per (point, alternative).
    """

    def __init__(
        self,
        directory: Path,
        columns: list[str],
        kinds: dict[str, str],
        alternatives: list[str],
        points: int,
        n: int,
    ) -> None:
        self.directory = directory
        self.columns = columns
        self.kinds = kinds
        self.alternatives = alternatives
        self.points = points
        self.n = n
        #: Whether the table has the ``point`` column (a run drops it: one point).
        self.keep_point = True
        #: The type pandas gives the ``alternative`` column (object or str).
        self.text: Any = object
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(directory), True)

    @property
    def rows(self) -> int:
        """Rows of the table (points × alternatives × replications)."""
        return self.points * len(self.alternatives) * self.n

    def table_columns(self) -> list[str]:
        """The table's columns in order (without ``point`` when it is dropped)."""
        return [c for c in self.columns if self.keep_point or c != "point"]

    def schema(self) -> pd.DataFrame:
        """An empty table with the columns and column types of the full one."""
        return pd.DataFrame({c: pd.Series(dtype=self._dtype(c)) for c in self.table_columns()})

    def _dtype(self, column: str) -> Any:
        if column == "alternative":
            return self.text
        if column in ("point", "replication"):
            return np.int64
        return {"i": np.int64, "b": bool}.get(self.kinds[column], np.float64)

    def _path(self, column: str) -> Path:
        return self.directory / f"{self.columns.index(column)}.f64"

    def _typed(self, column: str, values: np.ndarray) -> np.ndarray:
        if column in _KEYS:
            return values
        kind = self.kinds[column]
        if kind == "i":
            return values.astype(np.int64)
        if kind == "b":
            return values != 0.0
        return values

    def _keys(self, column: str, start: int, stop: int) -> np.ndarray:
        """``point``, ``alternative`` or ``replication`` of rows ``start … stop−1``."""
        row = np.arange(start, stop, dtype=np.int64)
        group = row // self.n
        if column == "replication":
            return row % self.n
        if column == "point":
            return group // len(self.alternatives)
        names = np.asarray(self.alternatives, dtype=object)
        return names[group % len(self.alternatives)]

    def column(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Values of column ``name`` in rows ``start … stop−1`` (default: all), as float64 for
        a KPI (8 bytes a row), object for ``alternative``, int64 for the keys."""
        stop = self.rows if stop is None else stop
        if name in _KEYS:
            return self._keys(name, start, stop)
        return np.fromfile(self._path(name), dtype=np.float64, count=stop - start, offset=8 * start)

    def values(self, alternative: str, kpi: str, point: int = 0) -> np.ndarray:
        """Float64 values of ``kpi`` for ``alternative`` (at ``point``), by replication."""
        group = point * len(self.alternatives) + self.alternatives.index(alternative)
        return self.column(kpi, group * self.n, (group + 1) * self.n)

    def block(self, start: int, stop: int) -> pd.DataFrame:
        """Rows ``start … stop−1`` of the table, with its column types."""
        index = pd.RangeIndex(start, stop)
        return pd.DataFrame(
            {
                c: pd.Series(self._typed(c, self.column(c, start, stop)), index=index).astype(
                    self._dtype(c)
                )
                for c in self.table_columns()
            },
            index=index,
        )

    def blocks(self, rows: int = WRITE_ROWS) -> Iterator[pd.DataFrame]:
        """The table, ``rows`` rows at a time."""
        for start in range(0, self.rows, rows):
            yield self.block(start, min(start + rows, self.rows))

    def frame(self) -> pd.DataFrame:
        """The whole table in memory (as the batch's ``frame`` would be)."""
        return self.block(0, self.rows).reset_index(drop=True)

    def close(self) -> None:
        """Remove the column files now."""
        self._cleanup()

    @classmethod
    def from_part_csv(
        cls,
        path: Path,
        columns: Sequence[str],
        alternatives: Sequence[str],
        points: int,
        n: int,
        *,
        read_rows: int = READ_ROWS,
    ) -> ColumnStore | None:
        """Scatter the chunk file ``path`` (no header; ``columns``) into a new store, keeping
        replications ``0 … n−1``.

        Returns
        -------
        ColumnStore or None
            None when the file does not hold exactly one row for each (point, alternative,
            replication < n), or a column's type could not be kept exactly: the caller reads
            the table whole instead (and reports a wrong row count as before).
        """
        columns = list(columns)
        if any(key not in columns for key in _KEYS):
            return None
        numeric = [c for c in columns if c not in _KEYS]
        rank = {name: i for i, name in enumerate(alternatives)}
        total = points * len(alternatives) * n
        try:
            directory = Path(tempfile.mkdtemp(prefix="jitsim-columns-"))
        except OSError:
            return None  # no temporary directory: read whole, as before
        store = cls(directory, columns, {}, list(alternatives), points, n)
        kinds: dict[str, set[str]] = {c: set() for c in numeric}  # + the names' dtype
        seen = np.zeros(total, dtype=bool)
        handles: dict[str, IO[bytes]] = {}
        try:
            for column in numeric:
                handle: IO[bytes] = open(store._path(column), "wb")
                handle.truncate(8 * total)
                handles[column] = handle
            reader = pd.read_csv(path, header=None, names=columns, chunksize=read_rows)
            for part in reader:
                if not _scatter(part, handles, kinds, rank, seen, points, n):
                    store.close()
                    return None
        except OSError:
            # No space left in the temporary directory, too many open files (thousands of
            # KPIs): the table is read whole, as before, instead of failing the batch.
            store.close()
            return None
        finally:
            for handle in handles.values():
                handle.close()
        if not seen.all():  # a missing or duplicated row: the caller counts and says so
            store.close()
            return None
        text: Any = kinds.pop("alternative").pop()  # the name of the dtype
        store.text = pd.Series(["x"]).astype(text).dtype
        for column, found in kinds.items():
            if not found or found <= {"i", "f"}:
                store.kinds[column] = "i" if found == {"i"} else "f"
            elif found == {"b"}:
                store.kinds[column] = "b"
            else:
                store.close()
                return None
        return store


def _scatter(
    part: pd.DataFrame,
    handles: dict[str, IO[bytes]],
    kinds: dict[str, set[str]],
    rank: dict[str, int],
    seen: np.ndarray,
    points: int,
    n: int,
) -> bool:
    """Write one parsed block of rows at their final positions; False if it cannot be kept
    exactly (the store is then abandoned)."""
    names = part["alternative"]
    if not pd.api.types.is_string_dtype(names) or part["point"].dtype.kind != "i":
        return False
    if kinds.setdefault("alternative", {str(names.dtype)}) != {str(names.dtype)}:
        return False
    codes = names.map(rank)
    if codes.isna().any() or part["replication"].dtype.kind != "i":
        return False
    for column in handles:
        # Types as a read of the whole file infers them: from every row, kept or not.
        kind = part[column].dtype.kind
        if kind not in "ifb":
            return False
        kinds[column].add(kind)
    point = part["point"].to_numpy()
    replication = part["replication"].to_numpy()
    keep = replication < n  # a resumed run may hold more replications than asked for
    if not keep.all():
        part, point, replication = part[keep], point[keep], replication[keep]
        codes = codes[keep]
    if len(part) == 0:
        return True
    if (point < 0).any() or (point >= points).any() or (replication < 0).any():
        return False
    where = (point * len(rank) + codes.to_numpy(dtype=np.int64)) * n + replication
    if seen[where].any() or len(np.unique(where)) != len(where):
        return False  # duplicated rows: read whole, as before
    seen[where] = True
    # Rows of a chunk are contiguous at their destination once sorted by it: write each run
    # of consecutive positions with one call per column.
    order = np.argsort(where, kind="stable")
    where = where[order]
    breaks = np.flatnonzero(np.diff(where) != 1) + 1
    starts = np.concatenate(([0], breaks))
    stops = np.concatenate((breaks, [len(where)]))
    for column, handle in handles.items():
        values = part[column]
        data = values.to_numpy(dtype=np.float64)[order]
        if values.dtype.kind == "i" and np.abs(data).max() > _EXACT_INT:
            return False
        fd = handle.fileno()
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            os.pwrite(fd, data[a:b].tobytes(), 8 * int(where[a]))
    return True
