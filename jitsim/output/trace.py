"""Formatting of the event log of one replication (``jitsim trace``).

A trace row is ``(time, node, event, quantity, level, note)`` as recorded by the model:

============== ========================== ===================== ===================
event          quantity                   level                 note
============== ========================== ===================== ===================
receipt        units received             on-hand after         —
review         0                          inventory position    —
order          units ordered              inventory position    ``to <source>``
                                          that triggered it
expedite       units expedited            inventory position    ``to <source>``
                                          after the regular
                                          order
demand         units demanded             on-hand after         customer / node
stockout       units short                on-hand after         backordered / lost
backorder      units served from          on-hand after         —
filled         backorders
end of day     on-hand                    inventory position    backorders, on_order
expired        units whose shelf life     on-hand after         —
               ended (perishables)
============== ========================== ===================== ===================

The ``end of day`` rows recorded at integer time ``t`` snapshot day ``t − 1``
(docs/daily-convention.md), so they are grouped with that day. The functions here are pure:
they return strings and DataFrames.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = ["CSV_COLUMNS", "format_row", "format_trace", "row_day", "trace_frame"]

TraceRow = tuple[float, str, str, float, float, str]

#: Columns of ``jitsim trace --csv``.
CSV_COLUMNS = ("time", "day", "node", "event", "quantity", "level", "note")

END_OF_DAY = "end of day"


def row_day(time: float, event: str) -> int:
    """The day a row belongs to: ``floor(time)``, or ``time − 1`` for end-of-day snapshots."""
    if event == END_OF_DAY:
        return round(time) - 1
    return math.floor(time)


def trace_frame(rows: Iterable[TraceRow]) -> pd.DataFrame:
    """The trace as a DataFrame with columns :data:`CSV_COLUMNS`."""
    records = [
        (time, row_day(time, event), node, event, quantity, level, note)
        for time, node, event, quantity, level, note in rows
    ]
    return pd.DataFrame.from_records(records, columns=list(CSV_COLUMNS))


def _n(value: float) -> str:
    return f"{value:.6g}"


def format_row(row: TraceRow, node_width: int = 0) -> str:
    """One line of the text trace (without indentation)."""
    time, node, event, quantity, level, note = row
    if event in ("order", "expedite"):
        detail = f"qty {_n(quantity)}  IP {_n(level)}  {note}"
    elif event == "review":
        detail = f"IP {_n(level)}  {note}"
    elif event in ("receipt", "expired"):
        detail = f"qty {_n(quantity)}  on hand {_n(level)}"
    elif event == "demand":
        detail = f"qty {_n(quantity)}  on hand {_n(level)}  from {note}"
    elif event == "stockout":
        detail = f"short {_n(quantity)}  on hand {_n(level)}  ({note})"
    elif event == "backorder filled":
        detail = f"qty {_n(quantity)}  on hand {_n(level)}"
    elif event == END_OF_DAY:
        detail = f"on hand {_n(quantity)}  IP {_n(level)}  {note}"
    else:
        detail = f"qty {_n(quantity)}  level {_n(level)}  {note}"
    when = "    end" if event == END_OF_DAY else f"{time:7.2f}"
    return f"{when}  {node:<{node_width}}  {event:<16}  {detail.rstrip()}"


def format_trace(rows: Sequence[TraceRow], *, warmup_days: int = 0) -> str:
    """The day-by-day event log: a header per day, one indented line per event.

    Parameters
    ----------
    rows : sequence of trace rows
        As recorded by :func:`jitsim.simulate` with ``trace=True``.
    warmup_days : int
        Days marked ``(warm-up)`` in their header.
    """
    if not rows:
        return "(no events)"
    width = max(len(row[1]) for row in rows)
    by_day: dict[int, list[str]] = {}
    for row in rows:
        by_day.setdefault(row_day(row[0], row[2]), []).append(format_row(row, width))
    lines: list[str] = []
    for day in sorted(by_day):
        header = f"day {day}" + (" (warm-up)" if day < warmup_days else "")
        lines.append(header)
        lines.extend("  " + line for line in by_day[day])
    return "\n".join(lines)
