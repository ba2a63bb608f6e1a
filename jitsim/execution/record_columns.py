"""A chunk's KPI records as columns: what the fast engine hands the stores (issue #13).

The fast engine computes every KPI as an array over the replications. Turning those into one
dict per replication, copying each into a record with its point, alternative and replication,
pickling the dicts to the main process and building a DataFrame from them again cost more than
the simulation; so a chunk carries the fast engine's alternatives as :class:`RecordColumns`
and rows are only made where rows are needed (a CSV line, or SimPy's own records).

A chunk's records are, in plan order, replication by replication and within one the chunk's
alternatives in order. Some of them are SimPy records (dicts, in that order among themselves),
the rest are the fast engine's: per alternative one block of consecutive replications up to the
end of the chunk (the replications before it keep trajectories, which only SimPy records).
:func:`plan_order` interleaves anything computed per record back into that order. No pandas
here: this runs in the workers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "KEYS",
    "RecordColumns",
    "csv_lines",
    "csv_text",
    "key_order",
    "plan_order",
    "records_of",
]

#: The columns every record starts with, before its KPIs.
KEYS = ("point", "alternative", "replication")

T = TypeVar("T")


@dataclass(frozen=True)
class RecordColumns:
    """The records of one alternative over consecutive replications, as columns.

    Attributes
    ----------
    point : int
        Sweep point.
    alternative : str
        Alternative.
    replications : range
        Replication indices (step 1), one per element of every KPI column.
    kpis : dict of str to numpy.ndarray
        KPI → float64 values, in the order of the KPIs of a record.
    """

    point: int
    alternative: str
    replications: range
    kpis: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.replications)

    def keys(self) -> list[str]:
        """The record's columns: :data:`KEYS`, then the KPIs."""
        return [*KEYS, *self.kpis]

    def records(self) -> list[dict[str, Any]]:
        """One dict per replication, as the SimPy engine's records are (Python floats)."""
        keys = self.keys()
        return [dict(zip(keys, row, strict=True)) for row in self._rows(keys)]

    def _rows(self, columns: Sequence[str], missing: Any = None) -> Any:
        """Tuples of the values of ``columns`` (``missing`` for a column it does not have)."""
        n = len(self)
        values: list[Any] = []
        for name in columns:
            if name == "point":
                values.append(repeat(self.point, n))
            elif name == "alternative":
                values.append(repeat(self.alternative, n))
            elif name == "replication":
                values.append(self.replications)
            elif name in self.kpis:
                values.append(self.kpis[name].tolist())  # Python floats: their repr as before
            else:
                values.append(repeat(missing, n))
        return zip(*values, strict=True)  # every column has one value per record


def plan_order(
    alternatives: Sequence[str],
    replications: range,
    blocks: Sequence[RecordColumns],
    simulated: Sequence[T],
    per_block: Mapping[str, Sequence[T]],
) -> list[T]:
    """Items made per record, in the chunk's plan order.

    Parameters
    ----------
    alternatives : sequence of str
        The chunk's alternatives, in order.
    replications : range
        The chunk's replications.
    blocks : sequence of RecordColumns
        The fast engine's records (at most one block per alternative, ending with the chunk).
    simulated : sequence
        One item per SimPy record, in plan order among themselves.
    per_block : dict
        Alternative → one item per replication of its block.
    """
    if not blocks:
        return list(simulated)
    if not simulated and len(blocks) == 1 == len(alternatives):
        return list(per_block[blocks[0].alternative])
    starts = {block.alternative: block.replications.start for block in blocks}
    rest = iter(simulated)
    out: list[T] = []
    for replication in replications:
        for alternative in alternatives:
            start = starts.get(alternative)
            if start is not None and replication >= start:
                out.append(per_block[alternative][replication - start])
            else:
                out.append(next(rest))
    return out


def records_of(
    alternatives: Sequence[str],
    replications: range,
    blocks: Sequence[RecordColumns],
    simulated: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every record of a chunk as a dict, in plan order (what a chunk held before columns)."""
    per_block = {block.alternative: block.records() for block in blocks}
    return plan_order(alternatives, replications, blocks, simulated, per_block)


def key_order(
    alternatives: Sequence[str],
    blocks: Sequence[RecordColumns],
    simulated: Sequence[dict[str, Any]],
) -> list[str]:
    """The columns of a chunk's records in order of first appearance, walking its records in
    plan order (as ``dict.fromkeys`` over the dicts, or a DataFrame built from them, orders
    them) without making a row of the blocks: every record of a block has the same keys."""
    rank = {name: i for i, name in enumerate(alternatives)}
    # (replication, alternative rank, position): a block's keys appear at its first record
    sources: list[tuple[int, int, int, Any]] = [
        (block.replications.start, rank[block.alternative], -1, block.keys())
        for block in blocks
        if len(block)
    ]
    sources += [
        (record["replication"], rank[record["alternative"]], i, record)
        for i, record in enumerate(simulated)
    ]
    sources.sort(key=lambda source: source[:3])
    keys: dict[str, None] = {}
    for *_, names in sources:
        keys.update(dict.fromkeys(names))
    return list(keys)


def _csv_field(text: str) -> str:
    """``text`` as :class:`csv.writer` writes it in a row of several fields (quoted where it
    holds a comma, a quote or a line break)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([text, ""])
    return buffer.getvalue()[: -len(",\n")]


def _csv_fields(block: RecordColumns, columns: Sequence[str]) -> list[list[str]]:
    """Every column of ``block`` under the header ``columns`` as the texts :class:`csv.writer`
    writes: numbers as ``str``/``repr`` (never quoted), ``""`` for a column it does not have."""
    n = len(block)
    fields: list[list[str]] = []
    for name in columns:
        if name == "point":
            fields.append([str(block.point)] * n)
        elif name == "alternative":
            fields.append([_csv_field(block.alternative)] * n)
        elif name == "replication":
            fields.append(list(map(str, block.replications)))
        elif name in block.kpis:
            fields.append(list(map(repr, block.kpis[name].tolist())))
        else:
            fields.append([""] * n)
    return fields


def csv_text(block: RecordColumns, columns: Sequence[str]) -> str:
    """The CSV lines of every record of ``block`` under the header ``columns``, byte for byte
    what :class:`csv.writer` writes for its dicts (``""`` for a column it does not have).

    Joined column by column rather than through :class:`csv.writer`: only the alternative
    could need quoting, and it is the same text on every line (about a third faster)."""
    return "".join(csv_lines(block, columns))


def csv_lines(block: RecordColumns, columns: Sequence[str]) -> list[str]:
    """:func:`csv_text` one line per record (to interleave with other records')."""
    return [",".join(row) + "\n" for row in zip(*_csv_fields(block, columns), strict=True)]
