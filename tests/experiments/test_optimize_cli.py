"""``jitsim optimize`` on the command line: its tables and files, and bad options refused in one
line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import QUICKSTART, ROOT, invoke_cli

import jitsim

REFERENCE = ROOT / "benchmarks" / "reference_case.yaml"


def _one_line(result: object) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("error: "), output
    return lines[0]


def test_optimize_writes_its_tables_figure_and_tuned_scenario(tmp_path: Path) -> None:
    out = tmp_path / "opt"
    result = invoke_cli(
        "optimize", REFERENCE, "--point", "store", "--constraint", "fill_rate>=0.95",
        "--budget-replications", "900", "-n", "10", "--out", out, "--backend", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for text in ("optimised parameters", "finalists", "store.s", "Kim–Nelson", "tuned.yaml"):
        assert text in result.output
    for name in (
        "optimize_trace.csv",
        "optimize_rounds.csv",
        "optimize_finalists.csv",
        "convergence.png",
        "tuned.yaml",
        "summary.json",
    ):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "optimize" and set(summary["best"]) == {"store.s", "store.S"}
    assert jitsim.load_scenario(out / "tuned.yaml").alternative_names() == ["start", "optimized"]
    compared = invoke_cli("compare", out / "tuned.yaml", "-n", "4", "--out", tmp_path / "cmp")
    assert compared.exit_code == 0, compared.output
    shown = invoke_cli("show", out)
    assert shown.exit_code == 0 and "finalists" in shown.output
    csv = invoke_cli("show", out, "--format", "csv")
    assert csv.exit_code == 0 and "store.s" in csv.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--point", "shop"], "--point 'shop': no such stock point"),
        (["--point", "store", "--constraint", "fill_rate=0.9"], "--constraint"),
        (["--point", "store", "--bound", "store.s=9:1"], "--bound"),
        (["--point", "store", "--bound", "store.x=0:9"], "no such decision variable"),
        (["--point", "store", "--objective", "fill_rat"], "unknown KPI 'fill_rat'"),
        (["--point", "store", "--alpha", "0.9"], "--alpha"),
        (["--point", "store", "--delta", "0"], "--delta"),
        (["--point", "store", "--alternative", "eoq"], "no parameters to optimise"),
        (["--point", "store", "--engine", "warp"], "engine"),
    ],
)
def test_bad_options_are_one_line_with_exit_code_2(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    result = invoke_cli("optimize", QUICKSTART, *args, "--out", tmp_path / "o", "-q")
    assert fragment in _one_line(result)
