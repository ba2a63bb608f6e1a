"""Tables laid out for the screen's width, and ``--format csv|json`` for programs (#11).

The batch commands print wide tables (one column per alternative, per KPI, ...). At 60, 80 or
120 columns no printed line may be wider than the screen and no cell may be cut ("…") or
wrapped; output to a pipe without ``COLUMNS`` keeps the full wide table. The width comes from
``COLUMNS``, which rich reads (typer's runner is not a terminal).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from conftest import QUICKSTART, SCENARIOS
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner, Result

from jitsim import cli
from jitsim.cli.layout import ScreenTable, layout
from jitsim.output.tables import format_estimate, kpi_unit

WIDTHS = (60, 80, 120)
#: Five alternatives with long names: the widest headline of the bundled scenarios.
FLOOD = SCENARIOS / "regional_flood.yaml"
FLOOD_ALTERNATIVES = (
    "jit_delta_backup",
    "jit_no_backup",
    "jit_highland_backup",
    "buffered",
    "flood_buffer",
)
BATCH = ("-n", "3", "--seed", "5", "--backend", "serial", "-q")


def short(tmp_path: Path, source: Path, horizon: int = 60, warmup: int = 10) -> Path:
    """``source`` with a shorter horizon and warm-up (days), written to ``tmp_path``."""
    text = source.read_text(encoding="utf-8")
    text = text.replace("horizon_days: 395", f"horizon_days: {horizon}")
    text = text.replace("warmup_days: 30", f"warmup_days: {warmup}")
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def jitsim(*args: object, columns: int | None = None) -> Result:
    """``jitsim ARGS`` in-process with ``COLUMNS`` set to ``columns`` (None: unset, as in a
    pipe)."""
    environment = {"COLUMNS": None if columns is None else str(columns)}
    result = CliRunner().invoke(cli.app, [str(a) for a in args], env=environment)
    assert result.exit_code == 0, result.output
    return result


def assert_fits(text: str, width: int) -> None:
    """No line of ``text`` wider than ``width`` cells, no cell cut."""
    lines = text.splitlines()
    too_wide = [line for line in lines if cell_len(line.rstrip()) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}:\n" + "\n".join(too_wide)
    assert "…" not in text, text


def headline_cells(summary_file: Path) -> list[str]:
    """The cells of the headline table, as printed, from the run's summary.json."""
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    cells = []
    for kpis in summary["alternatives"].values():
        for kpi in ("total_cost", "fill_rate", "profit", "demand_units"):
            stats = kpis[kpi]
            _, scale = kpi_unit(kpi, summary["currency"])
            half = (stats["ci95_high"] - stats["ci95_low"]) / 2
            cells.append(format_estimate(stats["mean"], half, scale))
    return cells


@pytest.mark.parametrize("width", WIDTHS)
def test_run_headline_fits_the_width_and_keeps_every_number(tmp_path: Path, width: int) -> None:
    out = tmp_path / "out"
    result = jitsim("run", short(tmp_path, FLOOD), *BATCH, "-o", out, columns=width)
    assert_fits(result.stdout, width)
    for cell in headline_cells(out / "summary.json"):
        assert cell in result.stdout  # whole, on one line
    for name in FLOOD_ALTERNATIVES:
        assert name in result.stdout


def test_run_keeps_the_wide_layout_when_it_fits_and_in_a_pipe(tmp_path: Path) -> None:
    source = short(tmp_path, QUICKSTART)
    wide = jitsim("run", source, *BATCH, "-o", tmp_path / "a", columns=120).stdout
    header = next(line for line in wide.splitlines() if "KPI" in line)
    assert all(name in header for name in ("buffered", "eoq", "jit"))
    assert wide.count("┏") == 1  # one table
    piped = jitsim("run", short(tmp_path, FLOOD), *BATCH, "-o", tmp_path / "b").stdout
    header = next(line for line in piped.splitlines() if "KPI" in line)
    assert all(name in header for name in FLOOD_ALTERNATIVES)  # full width, never split
    assert "…" not in piped
    narrow = jitsim("run", short(tmp_path, FLOOD), *BATCH, "-o", tmp_path / "c", columns=80)
    assert narrow.stdout.count("┏") > 1  # rich honours COLUMNS: the table was split


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_fits_the_width(tmp_path: Path, width: int) -> None:
    source = short(tmp_path, FLOOD)
    result = jitsim("compare", source, *BATCH, "-o", tmp_path / "out", columns=width)
    assert_fits(result.stdout, width)
    assert "paired differences vs jit_delta_backup" in result.stdout.replace("\n", " ")
    for name in FLOOD_ALTERNATIVES:
        assert name in result.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep_fits_the_width(tmp_path: Path, width: int) -> None:
    result = jitsim(
        "sweep",
        short(tmp_path, FLOOD),
        "--set",
        "suppliers.delta_north.order_cost=5,20",
        "--kpi",
        "total_cost",
        "--kpi",
        "fill_rate",
        "--kpi",
        "avg_cash_tied_up",
        *BATCH,
        "-o",
        tmp_path / "out",
        columns=width,
    )
    assert_fits(result.stdout, width)
    for name in FLOOD_ALTERNATIVES:
        assert name in result.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_stress_fits_the_width(tmp_path: Path, width: int) -> None:
    source = short(tmp_path, SCENARIOS / "jit_single_source_failure.yaml", 90, 10)
    result = jitsim(
        "stress", source, "--durations", "7,30", *BATCH, "-o", tmp_path / "out", columns=width
    )
    assert_fits(result.stdout, width)
    for name in ("jit_with_backup", "boardworks", "broker"):
        assert name in result.stdout


def test_a_table_narrower_than_its_names_stacks_its_rows() -> None:
    table = ScreenTable("a very narrow screen")
    table.add_column("alternative with a long name", key=True, justify="left")
    table.add_column("total cost EUR")
    table.add_row("jit_highland_backup", "1,234,567 ± 89,012")
    console = Console(width=40, file=io.StringIO())
    for view in layout(table, console, 40):
        console.print(view)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert_fits(text, 40)
    assert "1,234,567 ± 89,012" in text and "jit_highland_backup" in text


# -- --format csv | json ---------------------------------------------------------------


def test_run_json_holds_the_numbers_of_summary_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = jitsim("run", short(tmp_path, FLOOD), *BATCH, "-o", out, "--format", "json")
    printed = json.loads(result.stdout)  # nothing but JSON on stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {row["alternative"] for row in printed["summary"]} == set(FLOOD_ALTERNATIVES)
    for row in printed["summary"]:
        stats = summary["alternatives"][row["alternative"]][row["kpi"]]
        for field in ("mean", "std", "ci95_low", "ci95_high", "n"):
            assert row[field] == stats[field], (row, field)  # full precision
    assert "results written to" in result.stderr and "replications per" in result.stderr


def test_run_csv_holds_the_numbers_of_summary_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = jitsim("run", short(tmp_path, QUICKSTART), *BATCH, "-o", out, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert rows and {row["table"] for row in rows} == {"summary"}
    for row in rows:
        stats = summary["alternatives"][row["alternative"]][row["kpi"]]
        assert float(row["mean"]) == stats["mean"]
        assert float(row["ci95_high"]) == stats["ci95_high"]
    assert "┃" not in result.stdout and "results written" not in result.stdout


def test_undefined_values_are_empty_in_csv_and_null_in_json(
    tmp_path: Path, zero_demand_file: Path
) -> None:
    as_json = jitsim("run", zero_demand_file, *BATCH, "-o", tmp_path / "j", "--format", "json")
    fill = [r for r in json.loads(as_json.stdout)["summary"] if r["kpi"] == "fill_rate"]
    assert fill and all(row["mean"] is None for row in fill)
    as_csv = jitsim("run", zero_demand_file, *BATCH, "-o", tmp_path / "c", "--format", "csv")
    rows = csv.DictReader(io.StringIO(as_csv.stdout))
    fill_csv = [row for row in rows if row["kpi"] == "fill_rate"]
    assert fill_csv and all(row["mean"] == "" for row in fill_csv)
    assert "nan" not in as_csv.stdout.lower() and "inf" not in as_csv.stdout


def test_compare_csv_and_json_hold_both_tables(tmp_path: Path) -> None:
    source = short(tmp_path, QUICKSTART)
    out = tmp_path / "j"
    printed = json.loads(jitsim("compare", source, *BATCH, "-o", out, "--format", "json").stdout)
    assert list(printed) == ["summary", "comparison"]
    written = list(csv.DictReader((out / "comparison.csv").open(encoding="utf-8")))
    by_key = {(r["alternative"], r["kpi"]): r for r in written}
    for row in printed["comparison"]:
        assert math.isclose(
            row["difference"], float(by_key[row["alternative"], row["kpi"]]["difference"])
        )
    as_csv = jitsim("compare", source, *BATCH, "-o", tmp_path / "c", "--format", "csv").stdout
    tables = {row["table"] for row in csv.DictReader(io.StringIO(as_csv))}
    assert tables == {"summary", "comparison"}


def test_sweep_stress_and_breakeven_print_json(tmp_path: Path) -> None:
    sweep = jitsim(
        "sweep", short(tmp_path, QUICKSTART), "--set", "suppliers.acme.order_cost=5,20",
        *BATCH, "-o", tmp_path / "sweep", "--format", "json",
    )  # fmt: skip
    rows = json.loads(sweep.stdout)["sweep_summary"]
    assert {row["suppliers.acme.order_cost"] for row in rows} == {5, 20}
    stress = jitsim(
        "stress", short(tmp_path, SCENARIOS / "jit_single_source_failure.yaml", 90, 10),
        "--durations", "7", *BATCH, "-o", tmp_path / "stress", "--format", "json",
    )  # fmt: skip
    assert set(json.loads(stress.stdout)) == {"stress", "tts", "mitigations"}
    breakeven = jitsim(
        "breakeven", short(tmp_path, SCENARIOS / "forecast_accuracy.yaml"),
        "--param", "items.seat.holding_rate.storage", "--range", "0.05:0.5",
        "--between", "jit_error_10,buffered", "--max-iterations", "2",
        *BATCH, "-o", tmp_path / "breakeven", "--format", "json",
    )  # fmt: skip
    printed = json.loads(breakeven.stdout)
    assert printed["breakeven"][0]["param"] == "items.seat.holding_rate.storage"
    assert len(printed["breakeven_points"]) >= 2


def test_an_unknown_format_is_refused_before_any_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli.app, ["run", str(QUICKSTART), "-o", str(tmp_path / "out"), "--format", "xml"]
    )
    assert result.exit_code == 2
    assert "unknown --format 'xml'" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
