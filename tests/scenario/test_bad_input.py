"""Every broken scenario must be rejected with a precise ``FILE:LINE: path: message``.

The corpus lives in ``tests/scenario/bad_scenarios/``: each file is a small scenario with deliberate
mistakes, announced by leading comment lines::

    # expect: LINE path.to.field: fragment of the message

``LINE`` is the 1-based line (``-`` when the problem concerns the whole file) and the path is
empty for problems without one (syntax errors).  Files that cannot carry a comment (empty,
binary, UTF-16) have their expectation in :data:`EXPECTED_WITHOUT_COMMENTS`.

Besides the corpus: a Hypothesis fuzz of the loader with the real :class:`Scenario` model
(only :class:`ScenarioError` may escape), and every shipped scenario must load.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jitsim.errors import ScenarioError
from jitsim.scenario import Scenario, load_scenario, load_scenario_text
from jitsim.scenario.loader import load_model_from_bytes

BAD_DIR = Path(__file__).resolve().parent / "bad_scenarios"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))
GOOD_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))

_EXPECT = re.compile(r"^# expect: (?P<line>\d+|-) (?P<path>\S*): (?P<fragment>.*\S)\s*$")

#: The minimal valid scenario every corpus file was derived from.
VALID_MINIMAL = """\
name: minimal shop
run:
  horizon_days: 100
  warmup_days: 10
  replications: 2
items:
  widget:
    unit_cost: 10.0
suppliers:
  acme:
    items: [widget]
    lead_time: 2
    order_cost: 20.0
stock_points:
  store:
    item: widget
    source: acme
    policy: {kind: s_S, s: 5, S: 20}
customers:
  walk_in:
    buys_from: store
    demand: {kind: poisson, mean: 3}
"""


@dataclass(frozen=True)
class Expected:
    """One problem a corpus file must produce."""

    line: int | None
    path: str
    fragment: str

    def __str__(self) -> str:
        where = "-" if self.line is None else str(self.line)
        return f"{where} {self.path}: {self.fragment}"


EXPECTED_WITHOUT_COMMENTS: dict[str, list[Expected]] = {
    # 0 bytes.
    "empty.yaml": [Expected(None, "", "the file is empty; a scenario needs at least: name")],
    # 512 bytes from random.Random(20260101): invalid UTF-8 at offset 2, line 1.
    "binary_junk.yaml": [Expected(1, "", "not a UTF-8 text file (byte 0x")],
    # The whole file, comments included, is UTF-16.
    "not_utf8_utf16.yaml": [Expected(1, "", "looks like UTF-16")],
}


def expectations(path: Path) -> list[Expected]:
    """The ``# expect:`` lines at the top of *path* (or its entry in the table above)."""
    if path.name in EXPECTED_WITHOUT_COMMENTS:
        return EXPECTED_WITHOUT_COMMENTS[path.name]
    found = []
    for raw in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("#"):
            break
        match = _EXPECT.match(raw)
        if match:
            line = match["line"]
            found.append(
                Expected(None if line == "-" else int(line), match["path"], match["fragment"])
            )
    return found


def distinct_places(path: Path) -> set[tuple[int | None, str]]:
    """The distinct ``(line, path)`` places of the expected problems of a corpus file."""
    return {(e.line, e.path) for e in expectations(path)}


def find_problem(output: str, filename: str, expected: Expected) -> bool:
    """Whether *output* has a line ``FILENAME[:LINE]: [path: ]...fragment...``.

    *filename* may be just the base name: the printed file may then carry any directory.
    """
    where = filename if expected.line is None else f"{filename}:{expected.line}"
    prefix = f"{where}: " + (f"{expected.path}: " if expected.path else "")
    for line in output.splitlines():
        start = line.find(prefix)
        if start < 0 or (start > 0 and line[start - 1] not in "/\\ "):
            continue
        if expected.fragment in line[start + len(prefix) :]:
            return True
    return False


def assert_all_reported(output: str, filename: str, path: Path) -> None:
    missing = [e for e in expectations(path) if not find_problem(output, filename, e)]
    assert not missing, (
        f"{path.name}: expected problems not reported:\n"
        + "\n".join(f"  {e}" for e in missing)
        + f"\n--- actual output ---\n{output}"
    )


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_large_and_annotated() -> None:
    assert len(BAD_FILES) >= 35
    for path in BAD_FILES:
        assert expectations(path), f"{path.name} has no '# expect:' line"
    several = [p for p in BAD_FILES if len(distinct_places(p)) >= 2]
    assert len(several) >= 3


def test_minimal_base_scenario_is_valid() -> None:
    """The corpus files are one mistake away from this scenario, which must load."""
    scenario = load_scenario_text(VALID_MINIMAL)
    assert list(scenario.stock_points) == ["store"]


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_file_is_rejected_with_every_problem(path: Path) -> None:
    filename = str(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(filename)
    output = str(info.value)
    assert "Traceback" not in output
    assert "internal error" not in output, output
    assert all(problem.file == filename for problem in info.value.problems)
    assert len(info.value.problems) >= len(distinct_places(path))
    assert_all_reported(output, filename, path)


# --------------------------------------------------------------------------- through the CLI
#
# Every corpus file goes through ``jitsim validate`` in-process (the very code path of
# ``python -m jitsim``, minus interpreter start-up); a representative subset, and the whole
# corpus under ``-m slow``, also runs as a real ``python -m jitsim validate`` subprocess.
# (Start-up costs ~1.4 s per process: the whole corpus would not fit the test-time budget.)

#: Corpus files also checked as real subprocesses by default: one per kind of failure.
SUBPROCESS_SAMPLE = [
    "empty.yaml",
    "binary_junk.yaml",
    "syntax_tab_indentation.yaml",
    "eoq_zero_holding_rate.yaml",
    "multi_references.yaml",
    "multi_mixed.yaml",
]


def _run_cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "10000", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("JITSIM_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "jitsim", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
    )


def _run_cli_all(paths: list[Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    def one(path: Path) -> subprocess.CompletedProcess[str]:
        return _run_cli(["validate", str(path.relative_to(ROOT))])

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return {path.name: result for path, result in zip(paths, pool.map(one, paths), strict=True)}


def _check_cli_result(path: Path, returncode: int, output: str) -> None:
    assert returncode == 2, output
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    assert_all_reported(output, path.name, path)


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_cli_validate_in_process(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from jitsim.cli import app

    monkeypatch.delenv("JITSIM_DEBUG", raising=False)
    result = CliRunner().invoke(app, ["validate", str(path.relative_to(ROOT))])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    _check_cli_result(path, result.exit_code, result.output)


@pytest.fixture(scope="module")
def cli_sample() -> dict[str, subprocess.CompletedProcess[str]]:
    return _run_cli_all([BAD_DIR / name for name in SUBPROCESS_SAMPLE])


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_cli_validate_subprocess(
    name: str, cli_sample: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = cli_sample[name]
    _check_cli_result(BAD_DIR / name, result.returncode, result.stdout + result.stderr)


@pytest.mark.slow
def test_cli_validate_subprocess_whole_corpus() -> None:
    results = _run_cli_all(BAD_FILES)
    for path in BAD_FILES:
        result = results[path.name]
        _check_cli_result(path, result.returncode, result.stdout + result.stderr)


def test_cli_validate_subprocess_accepts_shipped_scenario() -> None:
    quickstart = ROOT / "scenarios" / "quickstart.yaml"
    result = _run_cli(["validate", str(quickstart.relative_to(ROOT))])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --------------------------------------------------------------------------- valid files


@pytest.mark.parametrize("path", GOOD_FILES, ids=[p.stem for p in GOOD_FILES])
def test_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.stock_points and scenario.customers


def test_there_are_shipped_scenarios() -> None:
    assert GOOD_FILES


#: Near misses of corpus mistakes that are valid and must stay accepted.
VALID_EDGE_CASES = {
    "eoq_with_order_quantity_needs_no_costs": [
        ("    unit_cost: 10.0\n", "    unit_cost: 10.0\n    holding_rate: 0\n"),
        ("    order_cost: 20.0\n", ""),
        ("{kind: s_S, s: 5, S: 20}", "{kind: eoq, order_quantity: 25}"),
    ],
    "eoq_with_poisson_orders_of_default_size": [
        ("demand: {kind: poisson, mean: 3}", "orders: {rate_per_day: 2}"),
        ("{kind: s_S, s: 5, S: 20}", "{kind: eoq, cycle_service_level: 0.9}"),
    ],
    "eoq_at_dc_planning_with_downstream_demand": [
        ("    source: acme\n    policy:", "    source: dc\n    lead_time: 1\n    policy:"),
        (
            "customers:",
            "  dc:\n    item: widget\n    source: acme\n    policy: {kind: eoq}\ncustomers:",
        ),
    ],
    "review_continuous_shorthand": [
        ("    source: acme\n", "    source: acme\n    review: continuous\n"),
    ],
    "review_continuous_false_with_period": [
        (
            "    source: acme\n",
            "    source: acme\n    review: {continuous: false, every_days: 7}\n",
        ),
    ],
    "s_may_be_negative": [("s: 5, S: 20", "s: -5, S: 20")],
    "space_in_m3_with_a_volume_and_costs": [
        ("    unit_cost: 10.0\n", "    unit_cost: 10.0\n    volume: 0.2\n"),
        (
            "{kind: s_S, s: 5, S: 20}\n",
            "{kind: s_S, s: 5, S: 20}\n    capacity: 4.5\n    capacity_unit: m3\n"
            "    overflow: external\n    overflow_cost_per_unit_day: 1\n"
            "    space_cost_per_unit_day: 0.1\n",
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(VALID_EDGE_CASES))
def test_valid_edge_case_is_accepted(name: str) -> None:
    text = VALID_MINIMAL
    for old, new in VALID_EDGE_CASES[name]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    load_scenario_text(text, f"{name}.yaml")


# --------------------------------------------------------------------------- fuzzing

FUZZ_BASE = (
    (ROOT / "scenarios" / "quickstart.yaml").read_text(encoding="utf-8")
    if (ROOT / "scenarios" / "quickstart.yaml").exists()
    else VALID_MINIMAL
)
FUZZ_LINES = FUZZ_BASE.splitlines(keepends=True)
#: Spans of scalar values (after ``key: `` in block or flow style, or list items).
SCALARS = [
    m.span(1)
    for m in re.finditer(
        r"(?:[\w-]+: |- |\[|, )([^\s,\[\]{}#:][^,\[\]{}#:\n]*?)(?=\s*(?:[,\]}#\n]))", FUZZ_BASE
    )
]

_scalar_text = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda x: (
            ".nan"
            if x != x
            else (".inf" if x == float("inf") else ("-.inf" if x == float("-inf") else repr(x)))
        )
    ),
    st.sampled_from(["true", "false", "yes", "no", "null", "~", "", "[]", "{}", "-1", "0"]),
)


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> bytes:
    """The base scenario with one to three random edits."""
    text = FUZZ_BASE
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "scalar", "bytes", "indent"]))
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "indent":
            lines[index] = draw(st.sampled_from([" ", "  ", "\t", ""])) + lines[index].lstrip()
        elif operation == "scalar" and text == FUZZ_BASE and SCALARS:
            start, end = draw(st.sampled_from(SCALARS))
            lines = [text[:start], draw(_scalar_text), text[end:]]
        else:
            raw = "".join(lines).encode()
            at = draw(st.integers(0, len(raw)))
            return raw[:at] + draw(st.binary(min_size=1, max_size=16)) + raw[at:]
        text = "".join(lines)
    return text.encode("utf-8", errors="surrogatepass")


def _load_or_scenario_error(data: bytes) -> None:
    try:
        load_model_from_bytes(data, "fuzz.yaml", Scenario)
    except ScenarioError as exc:
        assert exc.problems
        message = str(exc)
        assert "internal error" not in message, message
        assert all(p.file == "fuzz.yaml" for p in exc.problems)


def test_fuzz_base_is_valid_and_has_scalars() -> None:
    load_model_from_bytes(FUZZ_BASE.encode(), "fuzz.yaml", Scenario)
    assert len(SCALARS) > 20


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(mutated_scenarios())
def test_fuzz_mutated_scenario_only_raises_scenario_error(data: bytes) -> None:
    _load_or_scenario_error(data)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(st.binary(max_size=600))
def test_fuzz_arbitrary_bytes_only_raise_scenario_error(data: bytes) -> None:
    _load_or_scenario_error(data)


@settings(max_examples=60, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!|>'\"#\n \t0.9")), max_size=80))
def test_fuzz_yaml_punctuation_only_raises_scenario_error(text: str) -> None:
    _load_or_scenario_error(text.encode())


def test_union_member_type_mismatch_is_not_reported_next_to_inner_problems() -> None:
    """``holding_rate: {storag: ...}`` is a HoldingRate with a typo, not "not a number"."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD_DIR / "unknown_key_holding_rate.yaml")
    assert "expected a number" not in str(info.value)
    assert [p.path for p in info.value.problems] == ["items.widget.holding_rate.storag"]
