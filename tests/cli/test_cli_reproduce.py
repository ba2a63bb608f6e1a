"""The command recorded in ``summary.json`` and ``manifest.json`` reproduces the results: run
again with another ``--out``, it writes the same per-replication results."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUICKSTART, shortened
from conftest import invoke_cli as invoke

import jitsim
from jitsim.execution.results_dir import resolved_scenario_yaml

#: Options of every command that do not change results and so are not recorded.
EXECUTION_WORDS = ("--quiet", "--backend", "--workers", "--resume", "--overwrite", "--format")


@pytest.fixture(scope="module")
def short_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Quickstart over 60 days (10 of warm-up) whose own replications and seed (4, 2026) are
    not those the commands below give, so a dropped ``-n`` or ``--seed`` shows."""
    scenario = shortened(jitsim.load_scenario(QUICKSTART), 60, 10)
    run = scenario.run.model_copy(update={"replications": 4})
    path = tmp_path_factory.mktemp("scenario") / "short.yaml"
    path.write_text(resolved_scenario_yaml(scenario.model_copy(update={"run": run})), "utf-8")
    return path


def _with_out(command: str, out: Path) -> list[str]:
    """The words of a recorded ``command`` after ``jitsim``, its ``--out`` replaced by ``out``."""
    words = shlex.split(command)
    assert words[0] == "jitsim", command
    replaced, skip = [], False
    for word in words[1:]:
        if skip:
            skip = False
        elif word in ("--out", "-o"):
            skip = True
        elif not word.startswith("--out="):
            replaced.append(word)
    return [*replaced, f"--out={out}"]


def _recorded(out: Path) -> str:
    """The command in ``out/summary.json``, the same as in every manifest (break-even keeps one
    per evaluation)."""
    command: str = json.loads((out / "summary.json").read_text(encoding="utf-8"))["command"]
    manifests = sorted(out.glob("**/manifest.json"))
    assert manifests
    for manifest in manifests:
        assert json.loads(manifest.read_text(encoding="utf-8"))["command"] == command, manifest
    return command


def _assert_reproduced(
    tmp_path: Path, command_name: str, file: Path, options: str, tables: tuple[str, ...]
) -> str:
    """Run ``jitsim COMMAND FILE OPTIONS`` into A, then the command A records into B: the same
    per-replication results and ``tables``. Returns the command recorded."""
    first, second = tmp_path / "A", tmp_path / "B"
    args = [command_name, file, *options.split()]
    result = invoke(*args, "--out", first, "--quiet", "--backend", "serial")
    assert result.exit_code == 0, result.output
    command = _recorded(first)
    for word in EXECUTION_WORDS:
        assert word not in [w.split("=")[0] for w in shlex.split(command)], command
    again = invoke(*_with_out(command, second))
    assert again.exit_code == 0, again.output
    for name in ("replications.csv", *tables):
        pd.testing.assert_frame_equal(
            pd.read_csv(second / name), pd.read_csv(first / name), check_exact=True, obj=name
        )
    # the record of the re-run is the same command: it reproduces itself
    assert _with_out(_recorded(second), first) == _with_out(command, first)
    return command


def test_run_records_every_option(tmp_path: Path, short_file: Path) -> None:
    command = _assert_reproduced(
        tmp_path,
        "run",
        short_file,
        "-n 3 --seed 11 -a jit -a eoq --trajectories 1 --event outage-7d:acme@20 --chunk-size 2",
        ("trajectories.csv",),
    )
    assert "-n 3" in command and "--seed 11" in command


def test_run_with_precision_records_its_target(tmp_path: Path, short_file: Path) -> None:
    """Before, the command recorded -n (the file's 4) instead of --precision and its KPIs."""
    command = _assert_reproduced(
        tmp_path,
        "run",
        short_file,
        "-a jit --precision 0.5 --kpi fill_rate --min-replications 10 --max-replications 12",
        (),
    )
    assert "--precision 0.5" in command and "--kpi=fill_rate" in command
    assert "--seed 2026" in command and "-n" not in shlex.split(command)


def test_compare_records_every_option(tmp_path: Path, short_file: Path) -> None:
    command = _assert_reproduced(
        tmp_path,
        "compare",
        short_file,
        "--baseline eoq -n 3 --seed 11 -a eoq -a jit --event outage-7d:acme@20",
        ("comparison.csv",),
    )
    assert "--baseline=eoq" in command


def test_sweep_records_every_option(tmp_path: Path, short_file: Path) -> None:
    _assert_reproduced(
        tmp_path,
        "sweep",
        short_file,
        (
            "--set suppliers.acme.order_cost=5,20 -n 2 --seed 11 -a jit -a "
            "buffered --event outage-7d:acme@20"
        ),
        ("sweep_summary.csv",),
    )


def test_breakeven_records_every_option(tmp_path: Path, short_file: Path) -> None:
    _assert_reproduced(
        tmp_path,
        "breakeven",
        short_file,
        (
            "--param items.widget.unit_cost --range 1:200 --between jit,buffered "
            "--kpi fill_rate -n 2 --seed 11 --tolerance 50 --max-iterations 2"
        ),
        ("breakeven_points.csv",),
    )


def test_stress_records_every_option(tmp_path: Path, short_file: Path) -> None:
    command = _assert_reproduced(
        tmp_path,
        "stress",
        short_file,
        (
            "--node acme --calm --reference buffered --test-event "
            "demand-surge-50pct-7d:walk_in --durations 7 --start-day 20 -n 2 "
            "--seed 11 -a jit -a buffered --chunk-size 1 --event "
            "outage-7d:acme@40"
        ),
        ("stress.csv", "tts.csv", "mitigations.csv"),
    )
    assert "--reference=buffered" in command and "--calm" in command


def test_stress_records_the_default_durations(tmp_path: Path, short_file: Path) -> None:
    """The default durations could change between versions: they are written out."""
    result = invoke(
        "stress", short_file, "--node", "acme", "-n", "1", "-a", "jit", "--out", tmp_path,
        "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    words = shlex.split(_recorded(tmp_path))
    assert "--durations=7,14,30,60" in words or "7,14,30,60" in words


def test_a_resumed_run_keeps_the_original_command(tmp_path: Path, short_file: Path) -> None:
    """``--resume DIR`` records the command of the run it continues, not its own."""
    out = tmp_path / "run"
    original = f"jitsim run {shlex.quote(str(short_file))} -n 4 --seed 5 --alternative=jit"
    original += f" --out={out} --chunk-size 1"

    def stop_after_two(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jitsim.run(
            jitsim.load_scenario(short_file), replications=4, seed=5, alternatives=["jit"],
            backend="serial", out=out, chunk_size=1, progress=stop_after_two, command=original,
        )  # fmt: skip
    result = invoke("run", short_file, "--resume", out, "--quiet", "--backend", "serial")
    assert result.exit_code == 0, result.output
    assert _recorded(out) == original
