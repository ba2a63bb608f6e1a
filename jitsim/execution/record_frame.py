"""The table of records kept in memory, built from SimPy's dicts and the fast engine's columns.

The table is the one ``pandas.DataFrame.from_records`` builds from every record as a dict —
same columns in the same order, same types, same values — but the fast engine's records
(:class:`~jitsim.execution.record_columns.RecordColumns`) go in as whole arrays, never as
one dict per replication. Its rows are in the order the records arrived; the caller sorts them
into plan order (every record's key is unique, so that order does not depend on this one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jitsim.execution.record_columns import RecordColumns

__all__ = ["frame_of"]

#: The types a column of SimPy records may have for its values to join the fast engine's
#: float64 columns by plain concatenation, exactly as ``from_records`` would type them
#: together (integers and floats: float64; integers alone: int64).
_NUMERIC = (np.dtype(np.int64), np.dtype(np.float64))


def _block_column(block: RecordColumns, name: str) -> np.ndarray:
    """One column of ``block``'s records (NaN where a record has no such key, as
    ``from_records`` fills it)."""
    n = len(block)
    if name == "point":
        return np.full(n, block.point, dtype=np.int64)
    if name == "alternative":
        return np.full(n, block.alternative, dtype=object)
    if name == "replication":
        return np.arange(block.replications.start, block.replications.stop, dtype=np.int64)
    column = block.kpis.get(name)
    return column if column is not None else np.full(n, np.nan)


def frame_of(
    simulated: Sequence[dict[str, Any]], blocks: Sequence[RecordColumns], columns: Sequence[str]
) -> pd.DataFrame:
    """The DataFrame ``from_records`` gives for the ``simulated`` records followed by the
    records of ``blocks``, with ``columns`` (every key, in order of first appearance).

    Columns are concatenated, not rows: the SimPy records' own table (typed by
    ``from_records``) and the blocks' arrays. Should that table have a column of another type
    than integer or float (text, objects, None alone, booleans), concatenation could type it
    differently from ``from_records`` over every record; then every record is made a dict and
    ``from_records`` builds the table, as it always did (slower, never different).
    """
    if not blocks:
        return pd.DataFrame.from_records(list(simulated))
    parts: dict[str, list[np.ndarray]] = {name: [] for name in columns}
    if simulated:
        table = pd.DataFrame.from_records(list(simulated))
        if any(
            table[name].dtype not in _NUMERIC for name in table.columns if name != "alternative"
        ):
            rows = [*simulated, *(record for block in blocks for record in block.records())]
            return pd.DataFrame.from_records(rows, columns=list(columns))
        for name in columns:
            if name in table.columns:
                parts[name].append(
                    table[name].to_numpy(dtype=object if name == "alternative" else None)
                )
            else:
                parts[name].append(np.full(len(table), np.nan))
    for block in blocks:
        for name in columns:
            parts[name].append(_block_column(block, name))
    data = {name: np.concatenate(arrays) for name, arrays in parts.items()}
    return pd.DataFrame(data, columns=list(columns), copy=False)
