"""Tables as spreadsheet programs should read them: finite numbers, and text that stays text.

Results files are opened in spreadsheet programs, and some of their text comes from the user
(alternative and node names, swept values such as ``--set run.currency==1+1``). A CSV field
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula
(CSV injection), so :func:`spreadsheet_safe` prefixes such text with a single quote, as OWASP
recommends; numbers, negative ones included, stay numbers. A KPI undefined in a replication is
NaN in memory and an empty cell on disk, never ``inf``: :func:`finite` turns ±inf into NaN.

This module sits in the execution layer so that both the results directory
(:mod:`jitsim.execution.results_dir`) and the exports (:mod:`jitsim.output.exports`) can use it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "escape_text",
    "finite",
    "looks_like_formula",
    "spreadsheet_safe",
    "write_csv",
]

#: First characters that make a spreadsheet program read a field as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: A plain decimal number (``-12``, ``+3.5``, ``-1e-3``): read as a number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program would read ``text`` as a formula (it starts with one of
    :data:`FORMULA_PREFIXES` and is not a plain number such as ``-12.5``)."""
    return text.startswith(FORMULA_PREFIXES) and _PLAIN_NUMBER.fullmatch(text) is None


def escape_text(value: Any) -> Any:
    """``value`` with a single quote in front if it is text read as a formula; else unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def finite(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with ±inf in its float columns replaced by NaN (an empty cell)."""
    out = table.copy()
    for column in out.columns[[pd.api.types.is_float_dtype(t) for t in out.dtypes]]:
        values = out[column]
        if np.isinf(values.to_numpy(dtype=float)).any():
            out[column] = values.mask(np.isinf(values))
    return out


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` safe to write as CSV for spreadsheet programs.

    ±inf become NaN (written as an empty cell); text that a spreadsheet would read as a formula
    (:func:`looks_like_formula`), in the column names and in every non-numeric column, gets a
    leading single quote, and a carriage return inside text becomes a line feed (which a CSV
    writer quotes). Numeric columns are left as they are: ``-3`` stays a number.
    """
    out = finite(table)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(_safe_cell)
    return out.rename(columns=escape_text)


def _safe_cell(value: Any) -> Any:
    """One cell of a text (object) column: escaped text, ±inf as NaN, else unchanged.

    A carriage return inside text becomes a line feed: CSV writers quote a field with a line
    feed but not one with a bare carriage return, which spreadsheets read as the end of a row.
    """
    if isinstance(value, float) and np.isinf(value):
        return np.nan
    if isinstance(value, str):
        return escape_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return value


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` to ``path`` as CSV, without its index, safe for spreadsheets."""
    spreadsheet_safe(table).to_csv(path, index=False)
