"""Exports a spreadsheet reads as data (issue #11): text never becomes a formula, no inf/NaN.

A swept value or a name such as ``=1+1`` used to become a live formula in ``results.xlsx``; CSV
fields that start like a formula must be escaped with a leading quote (OWASP), while numbers,
negative ones included, stay numbers. Undefined values are empty cells.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import QUICKSTART, Invoke

from jitsim.output.exports import export_tables, spreadsheet_safe

openpyxl = pytest.importorskip("openpyxl")

#: Text a spreadsheet program reads as a formula, one per OWASP first character.
FORMULAS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1)", "\t=1", "\r=1", "-inf"]
#: Text that is not a formula (a plain number stays a number).
PLAIN = ["EUR", "jit", "-12.5", "+3", "1e-3"]
#: As spreadsheets read the text back: a carriage return is a line break (``\n``) there.
READ_BACK = [t.replace("\r", "\n") for t in FORMULAS + PLAIN]
#: The CSV fields: formulas escaped with a leading quote.
ESCAPED = ["'" + t for t in READ_BACK[: len(FORMULAS)]] + PLAIN


@pytest.fixture
def hostile() -> pd.DataFrame:
    """Text a user controls next to numbers: negatives, inf and NaN."""
    text = FORMULAS + PLAIN
    return pd.DataFrame(
        {
            "label": text,
            "value": np.linspace(-3.0, 3.0, len(text)),
            "count": np.arange(len(text)) - 5,
            "ratio": [math.inf, -math.inf, math.nan] + [0.5] * (len(text) - 3),
            "=HYPERLINK(1)": ["x"] * len(text),
        }
    )


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_spreadsheet_safe_escapes_text_and_keeps_numbers(hostile: pd.DataFrame) -> None:
    safe = spreadsheet_safe(hostile)
    assert list(safe["label"]) == ESCAPED
    assert safe["value"].equals(hostile["value"]) and safe["count"].equals(hostile["count"])
    assert safe["ratio"].iloc[:3].isna().all() and not np.isinf(safe["ratio"]).any()
    assert "'=HYPERLINK(1)" in safe.columns
    assert list(hostile["label"]) == FORMULAS + PLAIN  # the caller's table is unchanged


def test_xlsx_text_is_never_a_formula(hostile: pd.DataFrame, tmp_path: Path) -> None:
    export_tables({"hostile": hostile}, tmp_path, ["xlsx"])
    sheet = openpyxl.load_workbook(tmp_path / "results.xlsx")["hostile"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == ["label", "value", "count", "ratio", "=HYPERLINK(1)"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == READ_BACK  # the text itself, as text
    assert [r[2] for r in rows] == list(hostile["count"])  # negative numbers stay numbers
    assert sheet["C2"].data_type == "n" and sheet["C2"].value == -5
    assert [r[3] for r in rows[:3]] == [None, None, None]  # inf, -inf, NaN: empty cells
    assert sheet["A2"].quotePrefix and not sheet["A9"].quotePrefix  # "=1+1" vs "EUR"


def test_csv_fields_that_read_as_formulas_are_quoted(hostile: pd.DataFrame, tmp_path: Path) -> None:
    export_tables({"hostile": hostile}, tmp_path, ["csv"])
    rows = _csv_rows(tmp_path / "hostile.csv")
    assert [r["label"] for r in rows] == ESCAPED
    assert [int(r["count"]) for r in rows] == list(hostile["count"])
    assert rows[0]["value"] == "-3.0"
    assert [r["ratio"] for r in rows[:3]] == ["", "", ""]
    assert "'=HYPERLINK(1)" in rows[0]


def test_parquet_keeps_text_and_drops_inf(hostile: pd.DataFrame, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    export_tables({"hostile": hostile}, tmp_path, ["parquet"])
    back = pd.read_parquet(tmp_path / "hostile.parquet")
    assert list(back["label"]) == FORMULAS + PLAIN  # for programs: the text as it is
    assert back["ratio"].iloc[:3].isna().all()


def test_a_swept_text_setting_is_no_formula_in_the_exports(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "inj"
    result = invoke(
        "sweep", QUICKSTART, "--set", "run.currency==1+1,EUR", "-a", "jit", "-n", "2",
        "--seed", "1", "-q", "-o", out, "--export", "xlsx", "--export", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "results.xlsx")
    for sheet in book:
        formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert formulas == [], sheet.title
    assert book["replications"]["B2"].value == "=1+1"
    rows = _csv_rows(out / "replications.csv")
    assert {r["run.currency"] for r in rows} == {"'=1+1", "EUR"}
    assert float(rows[0]["profit"]) == pytest.approx(
        float(pd.read_excel(out / "results.xlsx", sheet_name="replications")["profit"].iloc[0])
    )


def test_results_directory_csv_files_are_spreadsheet_safe(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "inj"
    result = invoke(
        "sweep", QUICKSTART, "--set", "run.currency==1+1,EUR", "-a", "jit", "-n", "2",
        "--seed", "1", "-q", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("replications.csv", "sweep_summary.csv"):
        assert {r["run.currency"] for r in _csv_rows(out / name)} == {"'=1+1", "EUR"}, name
