"""The sweep and break-even commands (their engines are tested in test_sweep/test_breakeven)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import QUICKSTART
from conftest import invoke_cli as invoke


def test_sweep_command_prints_a_grid_and_writes_the_table(tmp_path: Path) -> None:
    result = invoke(
        "sweep",
        QUICKSTART,
        "--set",
        "suppliers.acme.order_cost=5,20",
        "-n",
        "3",
        "--out",
        tmp_path,
        "--quiet",
        "--backend",
        "serial",
        "--kpi",
        "total_cost",
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "suppliers.acme.order_cost" in result.stdout  # type: ignore[attr-defined]
    table = pd.read_csv(tmp_path / "sweep_summary.csv")
    assert set(table["suppliers.acme.order_cost"]) == {5, 20}
    assert len(table[table.kpi == "total_cost"]) == 2 * 3  # points × alternatives


def test_sweep_section_in_the_file_is_the_default_grid(tmp_path: Path) -> None:
    source = tmp_path / "swept.yaml"
    source.write_text(QUICKSTART.read_text() + "\nsweep:\n  suppliers.acme.order_cost: [5, 10]\n")
    result = invoke(
        "sweep", source, "-n", "2", "--out", tmp_path / "out", "--quiet", "--backend", "serial"
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    points = pd.read_csv(tmp_path / "out" / "sweep_summary.csv")["suppliers.acme.order_cost"]
    assert set(points) == {5, 10}


def test_sweep_rejects_bad_values_with_file_and_line(tmp_path: Path) -> None:
    result = invoke(
        "sweep",
        QUICKSTART,
        "--set",
        "suppliers.acme.order_cost=-5",
        "-n",
        "2",
        "--out",
        tmp_path,
        "--quiet",
    )
    assert result.exit_code == 2
    text = result.output  # type: ignore[attr-defined]
    lines = QUICKSTART.read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(lines, 1) if row.strip().startswith("order_cost:"))
    assert f"{QUICKSTART}:{line}: suppliers.acme.order_cost" in text and "Traceback" not in text
    nothing = invoke("sweep", QUICKSTART, "-n", "2", "--out", tmp_path, "--quiet")
    assert nothing.exit_code == 2 and "nothing to sweep" in nothing.output  # type: ignore[attr-defined]


def test_breakeven_command(tmp_path: Path) -> None:
    result = invoke(
        "breakeven",
        QUICKSTART,
        "--param",
        "items.widget.unit_cost",
        "--range",
        "1:200",
        "--between",
        "jit,buffered",
        "-n",
        "3",
        "--out",
        tmp_path,
        "--quiet",
        "--backend",
        "serial",
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "items.widget.unit_cost" in result.stdout  # type: ignore[attr-defined]
    assert (tmp_path / "breakeven_points.csv").is_file()
    for bad in (["--range", "5"], ["--range", "9:1"], ["--between", "jit"]):
        options = {"--range": "1:200", "--between": "jit,buffered"}
        options[bad[0]] = bad[1]
        args = [x for pair in options.items() for x in pair]
        failed = invoke(
            "breakeven", QUICKSTART, "--param", "items.widget.unit_cost", *args, "--quiet"
        )
        assert failed.exit_code == 2, bad  # type: ignore[attr-defined]


def test_sweep_with_an_unknown_kpi_is_a_user_error(tmp_path: Path) -> None:
    """It was an internal error (a KeyError from the summary) before the CLI's own check."""
    result = invoke(
        "sweep", QUICKSTART, "--set", "suppliers.acme.order_cost=5,10", "-n", "2",
        "--kpi", "nope", "-q", "-o", tmp_path / "s",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "unknown KPI 'nope'" in result.output
    assert "internal error" not in result.output
