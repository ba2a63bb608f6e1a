"""Exports of result tables: CSV, Parquet and Excel."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.results_dir import prepare_out_dir, writing

__all__ = ["EXPORT_FORMATS", "export_tables"]

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
    path = prepare_out_dir(out_dir)
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise JitsimError(
            with_suggestion(
                f"unknown export format {unknown[0]!r} (choose from {', '.join(EXPORT_FORMATS)})",
                unknown[0],
                EXPORT_FORMATS,
            )
        )
    written: list[Path] = []
    with writing(path):
        if "csv" in formats:
            for name, table in tables.items():
                written.append(path / f"{name}.csv")
                table.to_csv(written[-1], index=False)
        if "parquet" in formats:
            _require("pyarrow", "parquet", "pip install 'jitsim[parquet]'")
            for name, table in tables.items():
                written.append(path / f"{name}.parquet")
                table.to_parquet(written[-1], index=False)
        if "xlsx" in formats:
            _require("openpyxl", "xlsx", "pip install 'jitsim[excel]'")
            written.append(path / "results.xlsx")
            with pd.ExcelWriter(written[-1], engine="openpyxl") as workbook:
                for name, table in tables.items():
                    table.to_excel(workbook, sheet_name=name[:31], index=False)
    return written


def _require(module: str, what: str, hint: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise JitsimError(f"the {what} export needs the {module} package: {hint}")
