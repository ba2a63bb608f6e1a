"""Failures found by a second adversarial pass (issues #11 and #18): options checked before
anything is simulated or written, limits before estimates, suggestions for misspelt names, the
environment's failures with exit 1, no empty results directory left behind by a command that
failed, and text that fits the terminal."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from conftest import QUICKSTART, ZERO_DEMAND, Invoke

from jitsim.scenario.limits import MAX_HORIZON_DAYS


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quickstart over 60 days with 5 days of warm-up (the testers' ``q.yaml``)."""
    text = QUICKSTART.read_text(encoding="utf-8")
    text = text.replace("horizon_days: 395", "horizon_days: 60")
    text = text.replace("warmup_days: 30", "warmup_days: 5")
    path = tmp_path_factory.mktemp("short") / "q.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _one_line(result: object, code: int = 2) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == code, output  # type: ignore[attr-defined]
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


def _free_port() -> int:
    with socket.socket() as probe:  # a local port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- 5: a misspelt --kpi is refused before anything is simulated or written ------------------


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--precision", "0.1", "--kpi", "total_cots"],
        ["compare", "--precision", "0.1", "--kpi", "total_cots"],
        ["stress", "--durations", "7", "--precision", "0.1", "--kpi", "total_cots"],
        ["sweep", "--set", "suppliers.acme.order_cost=5,20", "--kpi", "total_cots"],
    ],
    ids=["run", "compare", "stress", "sweep"],
)
def test_misspelt_kpi_is_refused_before_anything_is_written(
    invoke: Invoke, short: Path, tmp_path: Path, command: list[str]
) -> None:
    name, *options = command
    out = tmp_path / "out"
    start = time.perf_counter()
    result = invoke(name, short, *options, "-n", "2", "-q", "--backend", "serial", "-o", out)
    line = _one_line(result)
    assert "unknown KPI 'total_cots'" in line and "did you mean 'total_cost'?" in line
    assert time.perf_counter() - start < 2.0
    assert not out.exists(), list(out.iterdir())
    # nothing was left behind: the corrected command runs in the same directory
    fixed = [o.replace("total_cots", "total_cost") for o in options]
    again = invoke(name, short, *fixed, "-n", "2", "-q", "--backend", "serial", "-o", out)
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("kpi", ["store.fill_rate", "walk_in.fill_rate", "eoq_order_quantity"])
def test_node_and_policy_kpis_are_valid_names(
    invoke: Invoke, short: Path, tmp_path: Path, kpi: str
) -> None:
    """Per-node KPIs and values policies derive are watched like the network's own."""
    name = "store.eoq_order_quantity" if kpi == "eoq_order_quantity" else kpi
    result = invoke(
        "run", short, "-a", "eoq" if "eoq" in kpi else "jit", "--precision", "0.5", "--kpi",
        name, "--min-replications", "10", "--max-replications", "10", "-q", "--backend",
        "serial", "-o", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_kpi_of_a_node_the_scenario_lacks_is_refused(
    invoke: Invoke, short: Path, tmp_path: Path
) -> None:
    result = invoke(
        "run", short, "--precision", "0.1", "--kpi", "stor.fill_rate", "-q", "-o", tmp_path / "o"
    )
    assert "did you mean 'store.fill_rate'?" in _one_line(result)


# -- 7: trace --days is bounded by the horizon limit ------------------------------------------


def test_trace_days_over_the_horizon_limit(invoke: Invoke, short: Path) -> None:
    start = time.perf_counter()
    result = invoke("trace", short, "--days", "100000000000000")
    line = _one_line(result)
    assert time.perf_counter() - start < 1.0
    assert f"over the limit of {MAX_HORIZON_DAYS:,} days" in line, line


# -- 8: the workers limit is checked before the memory estimate --------------------------------


def test_absurd_worker_count_gives_the_workers_limit(
    invoke: Invoke, short: Path, tmp_path: Path
) -> None:
    result = invoke("run", short, "--workers", "100000000000", "-n", "2", "-q", "-o", tmp_path)
    line = _one_line(result)
    assert "workers(=100000000000) is over the limit of" in line, line


# -- 9: an undefined KPI under --precision stops after the first round -------------------------


@pytest.mark.parametrize("command", ["run", "compare"])
def test_undefined_kpi_under_precision_stops_at_once(
    invoke: Invoke, tmp_path: Path, command: str
) -> None:
    file = tmp_path / "nd.yaml"
    file.write_text(ZERO_DEMAND, encoding="utf-8")
    start = time.perf_counter()
    result = invoke(
        command, file, "-q", "--backend", "serial", "--precision", "0.1", "--kpi", "fill_rate",
        "--min-replications", "10", "-o", tmp_path / "out",
    )  # fmt: skip
    line = _one_line(result)
    assert time.perf_counter() - start < 10.0
    assert "inf%" not in result.output
    assert "fill_rate is undefined for buffered" in line, line
    assert "no units were demanded" in line and "cannot be watched by --precision" in line


# -- 11: suggestions for misspelt names --------------------------------------------------------


def test_set_into_a_misspelt_stock_point_suggests_the_name(invoke: Invoke, short: Path) -> None:
    result = invoke("sweep", short, "--set", "stock_points.stor.initial=1,2", "-n", "2", "-q")
    line = _one_line(result)
    assert "unknown stock point 'stor'; did you mean 'store'?" in line, line


@pytest.mark.parametrize(
    "path, expected",
    [
        ("suppliers.acm.order_cost", "unknown supplier 'acm'; did you mean 'acme'?"),
        ("alternatives.jti.store.S", "unknown alternative 'jti'; did you mean 'jit'?"),
        ("run.service_recovry.below", "run has no field 'service_recovry'; did you mean"),
    ],
)
def test_set_into_an_entry_that_does_not_exist_is_refused(
    invoke: Invoke, short: Path, path: str, expected: str
) -> None:
    result = invoke("sweep", short, "--set", f"{path}=1,2", "-n", "2", "-q")
    assert expected in _one_line(result)


@pytest.mark.parametrize(
    "options, expected",
    [
        (["stress", "--reference", "jti"], "did you mean 'jit'?"),
        (["run", "--backend", "proceses"], "did you mean 'processes'?"),
        (["run", "--format", "jsn"], "did you mean 'json'?"),
    ],
)
def test_misspelt_option_values_get_a_suggestion(
    invoke: Invoke, short: Path, tmp_path: Path, options: list[str], expected: str
) -> None:
    name, *rest = options
    result = invoke(name, short, *rest, "-n", "2", "-q", "-o", tmp_path / "out")
    assert expected in _one_line(result)
    assert not (tmp_path / "out").exists()


# -- 12: a command that fails before writing anything leaves no directory ----------------------


@pytest.mark.parametrize(
    "command",
    [
        ["run", "-a", "JIT", "-n", "2"],
        ["compare", "--baseline", "bufferd", "-n", "2"],
        ["sweep", "--set", "run.seed=1,2", "-n", "2"],
        ["sweep", "--set", "stock_points.stor.initial=1,2", "-n", "2"],
        ["stress", "--node", "acm", "-n", "2"],
        ["run", "--backend", "dask", "--scheduler", "PORT", "-n", "2"],
        ["run", "--workers", "100000000000", "-n", "2"],
    ],
)
def test_a_failed_command_leaves_no_empty_directory(
    invoke: Invoke, short: Path, tmp_path: Path, command: list[str]
) -> None:
    name, *options = command
    options = [o.replace("PORT", f"tcp://127.0.0.1:{_free_port()}") for o in options]
    out = tmp_path / "deep" / "out"
    result = invoke(name, short, *options, "-q", "--backend", "serial", "-o", out)
    assert result.exit_code in (1, 2), result.output
    assert not out.exists() and not out.parent.exists(), result.output


def test_a_failed_command_keeps_a_directory_that_was_there(
    invoke: Invoke, short: Path, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    result = invoke("run", short, "-a", "JIT", "-n", "2", "-q", "-o", out)
    assert result.exit_code == 2
    assert out.is_dir() and not list(out.iterdir())


# -- 19: trace and validate fit the terminal ---------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("command", [["trace", "--days", "3"], ["validate"]])
def test_text_fits_the_terminal(
    invoke: Invoke, short: Path, monkeypatch: pytest.MonkeyPatch, columns: int, command: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    name, *options = command
    result = invoke(name, short, *options)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= columns, result.output
    words = " ".join(result.output.split())
    assert "trace of 'Widget store" in words or "lead time discrete_uniform" in words


@pytest.mark.parametrize("command", [["trace", "--days", "3"], ["validate"]])
def test_text_to_a_pipe_keeps_its_lines(
    invoke: Invoke, short: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    name, *options = command
    result = invoke(name, short, *options)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) > 100
