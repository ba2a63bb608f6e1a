"""Exports of result tables: CSV, Parquet and Excel.

Every format writes an undefined value (NaN, and ±inf should one appear) as an empty cell.
Text stays text: in ``results.xlsx`` every text cell is a string cell (never a formula, even
``=1+1``), and in CSV files text that a spreadsheet would read as a formula gets a leading single
quote (:func:`~jitsim.execution.spreadsheet.spreadsheet_safe`). Parquet, for programs, keeps text
as it is.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.results_claim import claim, record_files, write_atomic
from jitsim.execution.spreadsheet import finite, looks_like_formula, spreadsheet_safe, write_csv

__all__ = ["EXPORT_FORMATS", "export_tables", "spreadsheet_safe"]

#: Export formats: CSV always; Parquet with pyarrow; Excel (one sheet per table) with openpyxl.
EXPORT_FORMATS = ("csv", "parquet", "xlsx")


def export_tables(
    tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike[str], formats: Sequence[str]
) -> list[Path]:
    """Write each table as ``<name>.csv`` / ``<name>.parquet``, and all of them in one workbook.

    Parameters
    ----------
    tables : dict
        Table name → DataFrame (names become file names and Excel sheet names).
    out_dir : path
        Results directory.
    formats : sequence of {"csv", "parquet", "xlsx"}
        Formats to write; Excel puts every table in ``results.xlsx``, one sheet each.

    Raises
    ------
    JitsimError
        For an unknown format, or when the package a format needs is not installed.
    """
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise JitsimError(
            with_suggestion(
                f"unknown export format {unknown[0]!r} (choose from {', '.join(EXPORT_FORMATS)})",
                unknown[0],
                EXPORT_FORMATS,
            )
        )
    if "parquet" in formats:
        _require("pyarrow", "parquet", "pip install 'jitsim[parquet]'")
    if "xlsx" in formats:
        _require("openpyxl", "xlsx", "pip install 'jitsim[excel]'")
    written: list[Path] = []
    with claim(out_dir, resume=True) as path:
        for name, table in tables.items():
            if "csv" in formats:
                written.append(write_atomic(path / f"{name}.csv", partial(write_csv, table)))
            if "parquet" in formats:
                written.append(write_atomic(path / f"{name}.parquet", partial(_parquet, table)))
        if "xlsx" in formats:
            written.append(write_atomic(path / "results.xlsx", partial(_workbook, tables)))
        record_files(path, [p.name for p in written])
    return written


def _parquet(table: pd.DataFrame, path: Path) -> None:
    finite(table).to_parquet(path, index=False)


def _workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as workbook:
        for name, table in tables.items():
            finite(table).to_excel(workbook, sheet_name=name[:31], index=False)
            _text_as_text(workbook.sheets[name[:31]])


def _text_as_text(sheet: Any) -> None:
    """Make every text cell of an openpyxl worksheet a string cell: openpyxl stores text that
    starts with ``=`` as a formula. Text a spreadsheet would read as a formula also gets the
    quote prefix, so that editing the cell does not turn it into one either."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True


def _require(module: str, what: str, hint: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise JitsimError(f"the {what} export needs the {module} package: {hint}")
