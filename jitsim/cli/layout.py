"""The tables of the batch commands: laid out for the width of the screen, or printed as CSV or
JSON for programs (``--format``).

A command describes each table twice: as text for people (:class:`ScreenTable`, cells already
rounded) and as the data behind it (a DataFrame at full precision), and hands both to a
:class:`Printer`. On the screen a table keeps its wide layout (one column per alternative, per
KPI, ...) when that fits the width; otherwise its value columns are split over several tables
that repeat the columns naming a row (``key`` columns), and when even one value column does not
fit, every row is stacked as ``field  value`` lines. A cell is never cut.

The width is the terminal's, or ``COLUMNS`` when set (:func:`screen_width`); the text of
``validate`` and ``trace`` is wrapped to it too (:func:`wrap_text`). Output that goes to a pipe
or a file without ``COLUMNS`` gets every table in its full wide layout and notes and text on one
line each, never cut or wrapped: a program should rather ask for ``--format csv`` or
``--format json``, which print the data on stdout and the notes on stderr.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
import textwrap
from typing import Any, Literal

import pandas as pd
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jitsim.cli.console import stderr
from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.results_dir import json_safe
from jitsim.execution.spreadsheet import escape_text, spreadsheet_safe

__all__ = ["FORMATS", "Printer", "ScreenTable", "check_format", "screen_width", "wrap_text"]

#: Values of ``--format``.
FORMATS = ("table", "csv", "json")

#: Width of the console for output to a pipe or a file: wide enough for any table.
_UNLIMITED = 100_000
#: Columns a stacked table needs besides its values: borders, padding, a narrow header.
_STACKED_ROOM = 7 + 8


def screen_width() -> int | None:
    """Columns of the screen: ``COLUMNS`` when set, else the terminal's; None for output to a
    pipe or a file without ``COLUMNS`` (lines are then never cut or wrapped)."""
    screen = Console(highlight=False)
    if screen.is_terminal or os.environ.get("COLUMNS", "").strip().isdigit():
        return screen.width  # rich reads COLUMNS first, then the terminal's size
    return None


def wrap_text(text: str, width: int | None) -> str:
    """``text`` with every line longer than ``width`` wrapped at spaces (a word longer than a
    line is broken), its continuation lines indented a little deeper than the line itself, so
    that an indented outline stays readable; unchanged when ``width`` is None (a pipe)."""
    if width is None:
        return text
    out: list[str] = []
    for line in text.splitlines():
        if cell_len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        indent = " " * min(len(lead) + 4, width // 2)
        out += textwrap.wrap(
            line, width, subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True
        ) or [line]
    return "\n".join(out)


def check_format(name: str) -> str:
    """``name`` if it is one of :data:`FORMATS`; else a :class:`JitsimError`."""
    if name not in FORMATS:
        raise JitsimError(
            with_suggestion(
                f"unknown --format {name!r} (choose from {', '.join(FORMATS)})", name, FORMATS
            )
        )
    return name


@dataclasses.dataclass(frozen=True)
class _Column:
    header: str
    key: bool
    justify: Literal["left", "right"]


@dataclasses.dataclass
class ScreenTable:
    """A table as people read it: a title, columns and rows of text.

    ``key`` columns name a row (the KPI, the alternative, the node, ...): they are repeated in
    every part when the table is split to fit the screen. ``group``, the header of a key column
    whose equal values stand together (the alternative of paired differences), lets a narrow
    screen show one table per value instead. Text is printed as it is (no rich markup).
    """

    title: str
    group: str | None = None
    columns: list[_Column] = dataclasses.field(default_factory=list)
    rows: list[list[str]] = dataclasses.field(default_factory=list)

    def add_column(
        self, header: str, *, key: bool = False, justify: Literal["left", "right"] = "right"
    ) -> None:
        """Add a column: values on the right unless ``justify="left"``."""
        self.columns.append(_Column(header, key, justify))

    def add_row(self, *cells: str) -> None:
        """Add a row, one text per column."""
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(list(cells))


def _rich_table(table: ScreenTable, shown: list[int], title: str) -> Table:
    """The columns ``shown`` (indices) of ``table`` as a rich table, no cell wrapped or cut."""
    view = Table(title=Text(title), title_justify="left")
    for index in shown:
        column = table.columns[index]
        view.add_column(Text(column.header), justify=column.justify, no_wrap=True)
    for row in table.rows:
        view.add_row(*(Text(row[index]) for index in shown))
    return view


def _stacked(table: ScreenTable, width: int) -> Table:
    """Every row of ``table`` as ``header  value`` lines, rows apart: the layout of last resort,
    for a screen narrower than the table's names and one column of values. Headers wrap; a
    value wraps only when it is wider than the screen leaves room for."""
    view = Table(title=Text(table.title), title_justify="left", show_header=False, box=box.SQUARE)
    widest = max((cell_len(cell) for row in table.rows for cell in row), default=0)
    view.add_column(overflow="fold")
    view.add_column(justify="right", overflow="fold", no_wrap=widest + _STACKED_ROOM <= width)
    for number, row in enumerate(table.rows):
        last = number == len(table.rows) - 1
        for index, (column, cell) in enumerate(zip(table.columns, row, strict=True)):
            view.add_row(
                Text(column.header, style="bold" if column.key else ""),
                Text(cell),
                end_section=index == len(row) - 1 and not last,
            )
    return view


def _width(console: Console, view: Table) -> int:
    """Columns the table takes in full (title apart: it wraps)."""
    return console.measure(view, options=console.options.update_width(_UNLIMITED)).maximum


def layout(table: ScreenTable, console: Console, width: int | None) -> list[Table]:
    """``table`` as one or more rich tables no wider than ``width`` (None: no limit).

    In this order, the first that fits: the wide layout; the wide layout with headers on
    several lines; for a table with a ``group`` column, one table per value of it (each laid
    out in turn); the value columns in as few parts as fit beside the key columns, in their
    order; every row stacked (:func:`_stacked`).
    """
    everything = list(range(len(table.columns)))
    wide = _rich_table(table, everything, table.title)
    if width is None or _width(console, wide) <= width:
        return [wide]
    narrow = _wrapped_headers(table)
    if _fits(narrow, everything, console, width):
        return [_rich_table(narrow, everything, table.title)]
    if table.group is not None:
        return [view for part in _grouped(table) for view in layout(part, console, width)]
    parts = _split(narrow, console, width)
    if parts is None:
        return [_stacked(table, width)]
    keys = [i for i in everything if table.columns[i].key]
    return [
        _rich_table(narrow, sorted([*keys, *part]), f"{table.title} ({number}/{len(parts)})")
        for number, part in enumerate(parts, start=1)
    ]


def _split(table: ScreenTable, console: Console, width: int) -> list[list[int]] | None:
    """The value columns of ``table`` (indices) in as few parts as fit ``width`` beside the key
    columns, as evenly filled as they fit; None when one value column alone does not fit."""
    keys = [i for i, column in enumerate(table.columns) if column.key]
    values = [i for i, column in enumerate(table.columns) if not column.key]
    parts: list[list[int]] = []
    for index in values:
        if parts and _fits(table, [*keys, *parts[-1], index], console, width):
            parts[-1].append(index)
        elif _fits(table, [*keys, index], console, width):
            parts.append([index])
        else:
            return None
    size = math.ceil(len(values) / max(len(parts), 1))
    even = [values[start : start + size] for start in range(0, len(values), size)]
    if len(even) == len(parts) and all(_fits(table, [*keys, *p], console, width) for p in even):
        return even
    return parts


def _wrapped_headers(table: ScreenTable) -> ScreenTable:
    """``table`` with each header on as many lines as it takes to be no wider than the column's
    widest cell (or its own longest word): ``total_cost (EUR)`` over ``12 ± 3``, a dotted path
    broken after its dots."""
    narrow = dataclasses.replace(table, columns=list(table.columns))
    for index, column in enumerate(table.columns):
        cells = max((cell_len(row[index]) for row in table.rows), default=1)
        narrow.columns[index] = dataclasses.replace(column, header=_wrap(column.header, cells))
    return narrow


def _wrap(header: str, width: int) -> str:
    """``header`` in lines of at most ``width`` cells (longer when a word is), broken at spaces
    and after the dots of a dotted path."""
    lines: list[str] = []
    for word in header.split(" "):
        for number, piece in enumerate(re.split(r"(?<=\.)(?=.)", word)):
            glue = "" if number else " "
            if lines and cell_len(lines[-1] + glue + piece) <= width:
                lines[-1] += glue + piece
            else:
                lines.append(piece)
    return "\n".join(lines)


def _grouped(table: ScreenTable) -> list[ScreenTable]:
    """``table`` as one table per run of equal values of its ``group`` column, which moves into
    the title."""
    at = [column.header for column in table.columns].index(str(table.group))
    parts: list[ScreenTable] = []
    value: str | None = None
    for row in table.rows:
        if not parts or row[at] != value:
            value = row[at]
            part = ScreenTable(f"{table.title}: {table.group} {value}")
            part.columns = table.columns[:at] + table.columns[at + 1 :]
            parts.append(part)
        parts[-1].rows.append(row[:at] + row[at + 1 :])
    return parts


def _fits(table: ScreenTable, shown: list[int], console: Console, width: int) -> bool:
    return _width(console, _rich_table(table, sorted(shown), table.title)) <= width


class Printer:
    """Where a batch command prints its tables and notes, as ``--format`` says.

    ``table``: each table laid out for the screen (:func:`layout`), notes below it on stdout.
    ``csv`` and ``json``: the tables' data collected and printed on stdout by :meth:`finish`
    (numbers at full precision, undefined values empty or null); notes go to stderr, so that
    stdout can be parsed.
    """

    def __init__(self, output_format: str) -> None:
        self.format = check_format(output_format)
        self._data: dict[str, pd.DataFrame] = {}
        self._width: int | None = None
        if self.format != "table":
            self.notes = stderr()
            return
        self._width = screen_width()
        if self._width is not None:
            self.notes = Console(highlight=False, width=self._width)
        else:  # a pipe or a file: full tables, notes on one line each
            self.notes = Console(highlight=False, soft_wrap=True, width=_UNLIMITED)

    @property
    def machine(self) -> bool:
        """Whether the tables are printed for programs (csv or json)."""
        return self.format != "table"

    def table(self, name: str, screen: ScreenTable, data: pd.DataFrame) -> None:
        """Print ``screen`` (``--format table``) or keep ``data`` as table ``name``."""
        if self.machine:
            self._data[name] = data
            return
        for view in layout(screen, self.notes, self._width):
            self.notes.print(view)

    def data(self, name: str, data: pd.DataFrame) -> None:
        """Keep ``data`` as table ``name`` for csv and json only (the screen says it in a
        note)."""
        if self.machine:
            self._data[name] = data

    def note(self, text: str) -> None:
        """A sentence about the tables: below them on the screen, else on stderr."""
        self.notes.print(Text(text))

    def finish(self) -> None:
        """Print the tables collected (csv or json) on stdout."""
        if self.format == "json":
            records = {name: _records(frame) for name, frame in self._data.items()}
            typer.echo(json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False))
        elif self.format == "csv":
            typer.echo(_csv_text(self._data), nl=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON objects: Python numbers, NaN and ±inf as null."""
    records: list[dict[str, Any]] = json_safe(frame.to_dict(orient="records"))
    return records


def _csv_text(tables: dict[str, pd.DataFrame]) -> str:
    """Several tables as one CSV: a first column ``table`` names each row's table, the other
    columns are those of every table in turn (empty where a table has no such column).

    Numbers keep full precision; NaN and ±inf are empty; text a spreadsheet would read as a
    formula is escaped as in the CSV exports.
    """
    header: list[str] = []
    for frame in tables.values():
        header += [str(c) for c in frame.columns if str(c) not in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", *(escape_text(name) for name in header)])
    for name, frame in tables.items():
        safe = spreadsheet_safe(frame)
        safe.columns = [str(c) for c in frame.columns]
        for record in safe.to_dict(orient="records"):
            writer.writerow([escape_text(name), *(_cell(record.get(c)) for c in header)])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell: empty for a missing or undefined value, else the value (``str`` of a float
    is its shortest exact form)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return value
