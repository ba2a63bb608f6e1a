"""Papercuts of the command line (#11, #18): count words that agree with their numbers,
"did you mean" for misspelt names, warnings about events outside the measured window, and a
``--version`` that does not load the simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QUICKSTART, Invoke, shortened

import jitsim

#: A count followed by a plural where the count is 1 ("1 nodes", "1 alternatives"), or "(s)".
WRONG_PLURAL = re.compile(r"(?<![\d.,])1 (?:tested )?[a-z]+s\b|\w\(s\)")


@pytest.fixture(scope="module")
def short_quickstart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quickstart over 31 days with 1 day of warm-up (one of everything counted)."""
    text = QUICKSTART.read_text(encoding="utf-8")
    text = text.replace("horizon_days: 395", "horizon_days: 31")
    text = text.replace("warmup_days: 30", "warmup_days: 1")
    path = tmp_path_factory.mktemp("short") / "short.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_wrong_plural_pattern_finds_wrong_forms() -> None:
    assert WRONG_PLURAL.search("1 nodes × 1 durations")
    assert WRONG_PLURAL.search("+ 1 tested events")
    assert WRONG_PLURAL.search("review every 1 day(s)")
    assert not WRONG_PLURAL.search("1 node × 1 duration × 21 replications, 0.1 days")


@pytest.mark.parametrize(
    "command",
    [
        ["run", "-a", "jit", "-n", "1"],
        ["run", "-a", "jit", "-n", "2", "--precision", "0.5"],
        ["sweep", "-a", "jit", "--set", "suppliers.acme.order_cost=5", "-n", "1"],
        ["stress", "-a", "jit", "--node", "acme", "--durations", "7", "-n", "1"],
        ["stress", "-a", "jit", "--node", "acme", "--durations", "7", "-n", "1",
         "--test-event", "outage-5d:acme"],
        ["validate"],
        ["trace", "--days", "1"],
    ],
)  # fmt: skip
def test_one_of_everything_is_worded_in_the_singular(
    invoke: Invoke, short_quickstart: Path, tmp_path: Path, command: list[str]
) -> None:
    name, *options = command
    out = ["-o", tmp_path / "out"] if name not in ("validate", "trace") else []
    result = invoke(name, short_quickstart, *options, *out)
    assert result.exit_code == 0, result.output
    assert not WRONG_PLURAL.findall(result.output), result.output


# -- misspelt names: the nearest valid one is suggested --------------------------------------


def _misspelt(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "misspelt.yaml"
    text = QUICKSTART.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, hint",
    [
        ("kind: jit,", "kind: JIT,", "did you mean 'jit'?"),  # a policy kind, in capitals
        ("kind: s_S, s: 20", "kind: s_s, s: 20", "did you mean 's_S'?"),
        ("{kind: poisson", "{kind: possion", "did you mean 'poisson'?"),  # a distribution
        ("source: acme", "source: acm", "did you mean 'acme'?"),  # a node name
    ],
)
def test_a_misspelt_name_in_a_scenario_gets_a_suggestion(
    invoke: Invoke, tmp_path: Path, old: str, new: str, hint: str
) -> None:
    result = invoke("validate", _misspelt(tmp_path, old, new))
    assert result.exit_code == 2
    assert hint in result.output, result.output


@pytest.mark.parametrize(
    "args, hint",
    [
        (["run", "-a", "JIT"], "did you mean 'jit'?"),
        (["trace", "-a", "JIt"], "did you mean 'jit'?"),
        (["compare", "--baseline", "bufferd"], "did you mean 'buffered'?"),
        (["run", "--precision", "0.5", "--kpi", "fill_rat"], "did you mean 'fill_rate'?"),
        (["compare", "--precision", "0.5", "--kpi", "fill_rat"], "did you mean 'fill_rate'?"),
        (["sweep", "--set", "suppliers.acme.order_cots=5"], "did you mean 'order_cost'?"),
        (["sweep", "--set", "suppliers.acme.order_cost=5", "--kpi", "fill_rat"],
         "did you mean 'fill_rate'?"),
        (["stress", "--node", "acmee"], "did you mean 'acme'?"),
        (["run", "--event", "outage-5d:acmee"], "did you mean 'acme'?"),
        (["run", "--export", "xslx"], "did you mean 'xlsx'?"),
        (["breakeven", "--param", "suppliers.acme.order_cost", "--range", "5:50",
          "--between", "jit,eok"], "did you mean 'eoq'?"),
        (["breakeven", "--param", "suppliers.acme.order_cost", "--range", "5:50",
          "--between", "jit,eoq", "--kpi", "fill_rat"], "did you mean 'fill_rate'?"),
    ],
)  # fmt: skip
def test_a_misspelt_name_on_the_command_line_gets_a_suggestion(
    invoke: Invoke, short_quickstart: Path, tmp_path: Path, args: list[str], hint: str
) -> None:
    name, *options = args
    short = ["--days", "2"] if name == "trace" else ["-n", "2", "-o", tmp_path / "out"]
    result = invoke(name, short_quickstart, *options, *short)
    assert result.exit_code == 2, result.output
    assert hint in result.output, result.output
    assert len(result.output.strip().splitlines()) <= 2, result.output


# -- events outside the measured window: one warning line each -------------------------------

LATE_FIRE = (
    "\ndisruptions:\n"
    "  acme-fire: {kind: outage, nodes: [acme], windows: [{start: 400, days: 30}]}\n"
)
FIRE_WARNING = (
    "warning: outage 'acme-fire' (days 400–430) starts after the horizon (31 days): "
    "it has no effect"
)


@pytest.fixture(scope="module")
def late_fire(short_quickstart: Path) -> Path:
    path = short_quickstart.with_name("late_fire.yaml")
    path.write_text(short_quickstart.read_text(encoding="utf-8") + LATE_FIRE, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["trace"],
        ["run", "-a", "jit", "-n", "1"],
        ["compare", "-a", "jit", "-a", "eoq", "-n", "2"],
        ["sweep", "-a", "jit", "--set", "suppliers.acme.order_cost=5", "-n", "1"],
        ["stress", "-a", "jit", "--node", "acme", "--durations", "7", "-n", "1"],
        ["breakeven", "--param", "suppliers.acme.order_cost", "--range", "5:50",
         "--between", "jit,eoq", "-n", "2", "--max-iterations", "1"],
    ],
)  # fmt: skip
def test_every_command_warns_once_about_an_event_after_the_horizon(
    invoke: Invoke, late_fire: Path, tmp_path: Path, args: list[str]
) -> None:
    name, *options = args
    out = ["-o", tmp_path / "out"] if name not in ("validate", "trace") else []
    result = invoke(name, late_fire, *options, *out)
    assert result.exit_code == 0, result.output
    assert result.output.count("warning:") == 1, result.output
    assert FIRE_WARNING in result.output
    assert "JitsimWarning" not in result.output


def test_an_event_text_outside_the_window_is_warned_about(
    invoke: Invoke, short_quickstart: Path, tmp_path: Path
) -> None:
    result = invoke(
        "run", short_quickstart, "-a", "jit", "-n", "1", "-o", tmp_path / "out",
        "--event", "outage-5d:acme@40", "--event", "stock-loss-50pct:store@0.5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "warning: outage 'outage-5d-acme-40' (days 40–45) starts after the horizon (31 days)"
        in result.output
    )
    assert (
        "warning: stock loss 'stock-loss-50pct-store-0-5' (day 0.5) comes within the warm-up "
        "(the first 1 day, not measured)" in result.output
    )


def test_trace_warns_against_the_days_it_traces(invoke: Invoke, short_quickstart: Path) -> None:
    """``trace --days 5`` runs 5 days without warm-up: an outage on day 10 never happens."""
    path = short_quickstart.with_name("day10.yaml")
    path.write_text(
        short_quickstart.read_text(encoding="utf-8")
        + "\ndisruptions:\n  mid: {kind: outage, nodes: [acme], windows: [{start: 10, days: 2}]}\n",
        encoding="utf-8",
    )
    assert "warning:" not in invoke("validate", path).output
    result = invoke("trace", path, "--days", "5")
    assert result.exit_code == 0, result.output
    assert "warning: outage 'mid' (days 10–12) starts after the horizon (5 days)" in result.output


# -- the docs agree with the program ---------------------------------------------------------


@pytest.mark.parametrize(
    "args, default",
    [
        (["run", "-a", "jit", "-n", "1"], "results/<file stem>"),
        (["compare", "-a", "jit", "-a", "eoq", "-n", "2"], "results/<file stem>-compare"),
        (["sweep", "-a", "jit", "--set", "suppliers.acme.order_cost=5", "-n", "1"],
         "results/<file stem>-sweep"),
        (["stress", "-a", "jit", "--node", "acme", "--durations", "7", "-n", "1"],
         "results/<file stem>-stress"),
        (["breakeven", "--param", "suppliers.acme.order_cost", "--range", "5:50",
          "--between", "jit,eoq", "-n", "2", "--max-iterations", "1"],
         "results/<file stem>-breakeven"),
    ],
)  # fmt: skip
def test_help_names_the_default_results_directory_the_command_uses(
    invoke: Invoke,
    short_quickstart: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    default: str,
) -> None:
    name, *options = args
    help_text = " ".join(invoke(name, "--help").output.split())
    assert f"[default: {default}]" in help_text
    monkeypatch.chdir(tmp_path)
    result = invoke(name, short_quickstart, *options, "-q")
    assert result.exit_code == 0, result.output
    made = [path.relative_to(tmp_path).as_posix() for path in (tmp_path / "results").iterdir()]
    assert made == [default.replace("<file stem>", short_quickstart.stem)]


def test_the_readme_lists_every_file_a_run_writes(
    invoke: Invoke, short_quickstart: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke("run", short_quickstart, "-a", "jit", "-n", "1", "--trajectories", "1",
                    "-q", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    readme = (QUICKSTART.parents[1] / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([\w.]+)` \|", readme, flags=re.MULTILINE))
    assert {path.name for path in out.iterdir()} <= listed


# -- --version does not load the simulator ---------------------------------------------------

VERSION_PROBE = """
import sys
sys.argv = ["jitsim", "--version"]
from jitsim.cli import main
main()
heavy = [m for m in ("pandas", "numpy", "scipy", "simpy", "typer", "rich") if m in sys.modules]
print("loaded:", ",".join(heavy))
"""


def test_version_answers_without_importing_the_simulator() -> None:
    root = QUICKSTART.parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", VERSION_PROBE], capture_output=True, text=True, env=env,
        cwd=root, timeout=60, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0] == f"jitsim {jitsim.__version__}"
    assert lines[1] == "loaded: ", done.stdout


def test_version_through_typer_still_works(invoke: Invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"jitsim {jitsim.__version__}"


def test_every_public_name_resolves_lazily() -> None:
    for name in jitsim.__all__:
        assert getattr(jitsim, name) is not None, name
    assert set(dir(jitsim)) >= set(jitsim.__all__)
    with pytest.raises(AttributeError):
        jitsim.no_such_name  # noqa: B018


def test_stress_tables_print_no_negative_zero(
    invoke: Invoke, short_quickstart: Path, tmp_path: Path
) -> None:
    """A lost margin of -1e-13 (a sum of paired differences) rounded to ``-0`` before."""
    result = invoke("stress", short_quickstart, "-a", "jit", "--node", "acme", "--durations", "7",
                    "-n", "1", "-o", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not re.search(r"(?<![\w.])-0(?:\.0+)?(?![\w.])", result.output), result.output


def test_the_docs_give_the_shape_of_summary(quickstart: jitsim.Scenario) -> None:
    """docs/api.md names every column of ``RunResult.summary()``, one row per (alternative, kpi)."""
    summary = jitsim.run(shortened(quickstart, 40, 5), replications=2, backend="serial").summary()
    assert not summary.duplicated(["alternative", "kpi"]).any()
    api = (QUICKSTART.parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    row = next(line for line in api.splitlines() if line.startswith("| `RunResult` |"))
    assert "one row per (alternative, kpi)" in row
    assert all(f"`{column}`" in row for column in summary.columns), list(summary.columns)


def test_the_precision_rounds_in_the_docs_agree_with_each_other() -> None:
    """docs/experiments.md prints the rounds of one run three ways (recorded from the program:
    the printed line, the prose and the API example); a change to the rule must update all."""
    text = (QUICKSTART.parents[1] / "docs" / "experiments.md").read_text(encoding="utf-8")
    printed = re.search(r"met after (\d+) replications per alternative \((\d+) rounds", text)
    prose = re.search(r"The run above went ([\d →]+):", text)
    api = re.search(r"result\.precision\.rounds +# \[([\d, ]+)\]", text)
    assert printed and prose and api
    rounds = [int(n) for n in prose.group(1).split("→")]
    assert rounds == [int(n) for n in api.group(1).split(",")]
    assert (rounds[-1], len(rounds)) == (int(printed.group(1)), int(printed.group(2)))
