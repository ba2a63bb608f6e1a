"""``jitsim report``, ``jitsim show`` and ``--report``: the report and the tables of a finished
results directory, without simulating again; ``--pdf`` says in one line when no browser is
installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Invoke

import jitsim
from jitsim.execution.results_claim import read_manifest
from jitsim.execution.results_dir import resolved_scenario_yaml


def _written_lines(output: str) -> list[str]:
    """Printed tables and notes, without the lines that name the files written."""
    return [
        line
        for line in output.splitlines()
        if not line.startswith(("results written to", "results of:", "report written to"))
    ]


@pytest.fixture
def short_file(tmp_path: Path, quickstart_short: jitsim.Scenario) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(resolved_scenario_yaml(quickstart_short), encoding="utf-8")
    return path


def test_report_writes_the_html_into_the_directory(
    invoke: Invoke, results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    directory = shutil.copytree(results_dirs["compare"], tmp_path / "compare")
    result = invoke("report", directory)
    assert result.exit_code == 0, result.output
    assert f"report written to {directory / 'report.html'}" in result.output
    assert "report.html" in (read_manifest(directory) or {})["files"]
    out = invoke("report", directory, "-o", tmp_path / "client.html")
    assert out.exit_code == 0, out.output
    assert (tmp_path / "client.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_of_no_results_directory_is_one_line(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("report", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no such results directory" in result.output


@pytest.mark.parametrize(
    ("command", "kind"),
    [("run", "run"), ("compare", "compare"), ("sweep", "sweep")],
)
def test_show_prints_the_tables_the_command_printed(
    invoke: Invoke, short_file: Path, tmp_path: Path, command: str, kind: str
) -> None:
    extra = ["--set", "suppliers.acme.order_cost=5,20"] if kind == "sweep" else []
    out = tmp_path / kind
    first = invoke(command, short_file, *extra, "-n", "4", "--seed", "9", "-q", "-o", out)
    assert first.exit_code == 0, first.output
    again = invoke("show", out)
    assert again.exit_code == 0, again.output
    assert _written_lines(again.output) == _written_lines(first.output)
    assert f"results of: jitsim {command} " in again.output


@pytest.mark.parametrize("kind", ["stress", "breakeven"])
def test_show_prints_the_stress_and_breakeven_tables(
    invoke: Invoke, results_dirs: dict[str, Path], kind: str
) -> None:
    result = invoke("show", results_dirs[kind])
    assert result.exit_code == 0, result.output
    if kind == "stress":
        assert "weak links (ranked by risk exposure)" in result.output
        assert "time-to-survive from day 20" in result.output
        assert "what each alternative buys against buffered" in result.output
    else:
        assert "jit − buffered: total_cost" in result.output
        assert "buffered beats jit on total_cost" in result.output


def test_show_csv_is_the_data_of_the_tables(invoke: Invoke, results_dirs: dict[str, Path]) -> None:
    result = invoke("show", results_dirs["compare"], "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("table,alternative,kpi,") for line in lines), result.output
    assert any(line.startswith("comparison,eoq,") for line in lines)
    assert any(line.startswith("summary,buffered,") for line in lines)


@pytest.mark.parametrize("command", ["run", "stress"])
def test_the_report_flag_writes_the_report_after_the_results(
    invoke: Invoke, short_file: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / command
    extra = ["--durations", "7", "--node", "acme"] if command == "stress" else []
    result = invoke(command, short_file, *extra, "-n", "3", "-q", "--report", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"report written to {out / 'report.html'}" in result.output
    manifest = read_manifest(out) or {}
    assert "report.html" in manifest["files"]
    assert "--report" not in manifest["command"]  # it does not change the results
    assert (out / "report.html").stat().st_size > 1000


def test_pdf_without_chromium_says_so_in_one_line(
    invoke: Invoke, results_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    directory = shutil.copytree(results_dirs["run"], tmp_path / "run")
    result = invoke("report", directory, "--pdf", tmp_path / "report.pdf")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--pdf needs Chromium" in lines[0], result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "report.pdf").exists()
    assert not (directory / "report.html").exists()  # nothing written before the failure


def test_pdf_needs_a_pdf_file_name(
    invoke: Invoke, results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    result = invoke("report", results_dirs["run"], "--pdf", tmp_path / "report.html")
    assert result.exit_code == 2
    assert "ending in .pdf" in result.output
