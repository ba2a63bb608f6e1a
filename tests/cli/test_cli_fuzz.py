"""Hostile input never meets a traceback: Hypothesis mutates bundled scenarios and command lines,
and every command ends with exit status 0 (it worked) or 2 (one line naming the problem).

The examples are derandomised, so a failure is the same on every machine; a mutation that once
broke jitsim is added to the explicit examples below it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BUNDLED, QUICKSTART, invoke_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import Result

#: Values a hostile (or careless) user puts where a field expects something else.
HOSTILE: list[Any] = [
    0,
    -1,
    0.5,
    1e300,
    -1e300,
    10**15,
    2**70,
    "8e0",
    "1e3",
    "2.5E-2",
    "",
    "JIT",
    "=1+1",
    None,
    [],
    {},
    True,
    [1, 2],
    {"kind": "poisson", "mean": 1e300},
    {"kind": "nonsense"},
]


def _small(document: Any) -> Any:
    """Keep each simulation short (a mutation may then make it long: that is a target too)."""
    if isinstance(document, dict) and isinstance(document.get("run"), dict):
        document["run"].update(horizon_days=30, warmup_days=5)
    return document


FUZZ = settings(
    max_examples=int(os.environ.get("JITSIM_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a YAML document (mappings and lists), leaves and branches."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def _mutated(document: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


def _assert_clean(result: Result, what: str) -> None:
    assert result.exit_code in (0, 2), f"{what}: exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output, what
    assert "internal error" not in result.output, what
    if result.exit_code == 2:
        lines = [line for line in result.output.splitlines() if not line.startswith("warning:")]
        assert lines, f"{what}: exit 2 without a message"


@st.composite
def scenario_mutations(draw: st.DrawFn) -> tuple[str, tuple[Any, ...], Any, bool]:
    file = draw(st.sampled_from([p.name for p in BUNDLED]))
    document = yaml.safe_load((QUICKSTART.parent / file).read_text(encoding="utf-8"))
    paths = sorted(_leaves(document), key=repr)
    path = draw(st.sampled_from(paths))
    return file, path, draw(st.sampled_from(HOSTILE)), draw(st.booleans())


@FUZZ
@given(mutation=scenario_mutations())
@example(mutation=("quickstart.yaml", ("customers", "walk_in", "demand"), 0, False))  # zero demand
@example(mutation=("quickstart.yaml", ("customers", "walk_in", "demand", "mean"), "8e0", False))
@example(mutation=("quickstart.yaml", ("run", "horizon_days"), 10**12, False))
def test_a_mutated_scenario_is_run_or_refused_in_one_line(
    mutation: tuple[str, tuple[Any, ...], Any, bool], tmp_path_factory: pytest.TempPathFactory
) -> None:
    file, path, value, delete = mutation
    document = _small(yaml.safe_load((QUICKSTART.parent / file).read_text(encoding="utf-8")))
    try:
        document = _mutated(document, path, value, delete)
    except (KeyError, IndexError, TypeError):
        return  # the path vanished with an earlier key: nothing to test
    where = tmp_path_factory.mktemp("fuzz")
    scenario = where / file
    scenario.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    what = f"{file} {'.'.join(map(str, path))} {'deleted' if delete else f'= {value!r}'}"
    _assert_clean(invoke_cli("validate", scenario), f"validate {what}")
    _assert_clean(
        invoke_cli("run", scenario, "-n", 2, "-q", "--backend", "serial", "-o", where / "r"),
        f"run {what}",
    )


#: Options and the values tried for each (valid ones included, so that combinations run).
OPTIONS: dict[str, list[str]] = {
    "-n": ["1", "2", "0", "-3", "1e3", "1000000000000000", "abc"],
    "--seed": ["0", "7", "-1", str(2**70), "x"],
    "--workers": ["1", "0", "40", "100000"],
    "--chunk-size": ["1", "0", str(10**12)],
    "--backend": ["serial", "processes", "dask", "gpu"],
    "--scheduler": ["nonsense", "tcp://:::bad", "tcp://127.0.0.1:1"],
    "-a": ["jit", "JIT", "nope", "buffered"],
    "--set": ["run.currency==1+1", "run.seed=1e300", "x.y=1", "run.horizon_days=0:1e300:1e-10"],
    "--precision": ["0.5", "0", "-1", "nan", "inf"],
    "--export": ["csv", "doc"],
    "--event": ["outage-30d:acme", "outage-1e300d:acme", "nonsense", "outage-30d:nobody@400"],
}
COMMANDS = {
    "run": ["-n", "--seed", "--workers", "--chunk-size", "--backend", "--scheduler", "-a",
            "--precision", "--export", "--event"],
    "compare": ["-n", "--seed", "--workers", "--backend", "-a", "--precision", "--event"],
    "sweep": ["-n", "--seed", "--set", "-a", "--backend"],
    "stress": ["-n", "--seed", "-a", "--backend"],
}  # fmt: skip


@pytest.fixture(scope="module")
def short_quickstart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quickstart over 30 days."""
    document = _small(yaml.safe_load(QUICKSTART.read_text(encoding="utf-8")))
    path = tmp_path_factory.mktemp("short") / "quickstart.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    chosen = draw(st.lists(st.sampled_from(COMMANDS[command]), max_size=4, unique=True))
    words = [command]
    for option in chosen:
        words += [option, draw(st.sampled_from(OPTIONS[option]))]
    if command == "sweep" and "--set" not in chosen:
        words += ["--set", "suppliers.acme.order_cost=5,10"]
    return words


@FUZZ
@given(words=command_lines())
@example(words=["run", "-n", "1000000000000000"])
@example(words=["run", "--workers", "40", "-n", "1"])
def test_a_hostile_command_line_is_run_or_refused_in_one_line(
    words: list[str], short_quickstart: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("cli") / "out"
    if "-n" not in words:
        words = [*words, "-n", "2"]
    words = [words[0], str(short_quickstart), *words[1:], "-q", "-o", str(out)]
    _assert_clean(invoke_cli(*words), " ".join(words))


def test_the_fuzz_covers_every_bundled_scenario() -> None:
    assert {p.name for p in BUNDLED} <= {p.name for p in Path(QUICKSTART.parent).glob("*.yaml")}
