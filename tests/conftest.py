"""Shared builders and fixtures of the test suite.

Tests are grouped by layer (``tests/foundations``, ``tests/policies``, ``tests/scenario``,
``tests/model``, ``tests/execution``, ``tests/experiments``, ``tests/output``, ``tests/cli``);
the cross-cutting safety nets (goldens, the one model path, the architecture) stay at the top.
Models are always built the way :func:`jitsim.simulate` builds them: ``build(resolve(...))``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

import jitsim
from jitsim import cli
from jitsim.cli.report import find_chromium
from jitsim.execution.results_dir import resolved_scenario_yaml
from jitsim.model.network import Network, build
from jitsim.streams import Streams

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

#: The benchmark reference case (one store, Poisson(8)/day, daily (s,S), 365 days).
REFERENCE_CASE = ROOT / "benchmarks" / "reference_case.yaml"
#: A scenario with an alternative in the fast engine's scope and one out of it (a lead time
#: that is not a whole number of days).
MIXED_SCOPE = """
name: mixed scope
run: {horizon_days: 120, warmup_days: 10, replications: 4, seed: 3}
items: {widget: {unit_cost: 10.0, price: 15.0}}
suppliers: {acme: {items: [widget], lead_time: 2, order_cost: 20.0}}
stock_points:
  store: {item: widget, source: acme, initial: 30, policy: {kind: s_S, s: 15, S: 45}}
customers:
  walk_in: {buys_from: store, demand: {kind: poisson, mean: 6}, backorder_cost_per_unit_day: 1}
alternatives:
  periodic: {store: {kind: s_S, s: 20, S: 50}}
  continuous: {changes: {stock_points.store.review: continuous}}
"""
QUICKSTART = SCENARIOS / "quickstart.yaml"
BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
#: Scenarios shared by tests of several layers (``tests/data/<name>.yaml``).
DATA = Path(__file__).resolve().parent / "data"

Invoke = Callable[..., Result]
RunModel = Callable[..., Network]


def invoke_cli(*args: str | os.PathLike[str] | float) -> Result:
    """Run ``jitsim ARGS`` in-process (typer's runner); the result has exit_code and output."""
    return CliRunner().invoke(cli.app, [str(a) for a in args])


def run_model(
    scenario: jitsim.Scenario,
    alternative: str = "base",
    replication: int = 0,
    seed: int | None = None,
    *,
    trace: bool = True,
    trajectories: bool = False,
) -> Network:
    """Build one replication's model the way ``simulate`` does, run it, return it."""
    streams = Streams(scenario.run.seed if seed is None else seed, replication)
    network = build(
        jitsim.resolve(scenario, alternative), streams, trace=trace, trajectories=trajectories
    )
    network.run()
    return network


def scenario_text(name: str) -> str:
    """The YAML text of the shared test scenario ``tests/data/<name>.yaml``."""
    return (DATA / f"{name}.yaml").read_text(encoding="utf-8")


def shortened(scenario: jitsim.Scenario, horizon: int, warmup: int) -> jitsim.Scenario:
    """``scenario`` with another horizon and warm-up (days): quick tests of bundled files."""
    run = scenario.run.model_copy(update={"horizon_days": horizon, "warmup_days": warmup})
    return scenario.model_copy(update={"run": run})


@pytest.fixture(scope="session")
def invoke() -> Invoke:
    """:func:`invoke_cli`, as a fixture."""
    return invoke_cli


@pytest.fixture(scope="session")
def model() -> RunModel:
    """:func:`run_model`, as a fixture."""
    return run_model


@pytest.fixture(scope="session")
def quickstart() -> jitsim.Scenario:
    """The bundled quickstart (JIT vs (s,S) vs EOQ at one store)."""
    return jitsim.load_scenario(QUICKSTART)


def quickstart_demand(mean: str, horizon: int = 395, warmup: int = 30, initial: int = 60) -> str:
    """The quickstart's YAML without its EOQ alternative (EOQ needs demand), with walk-in
    demand ``mean`` (a YAML value: ``0`` or ``{kind: poisson, mean: 0.05}``), another horizon
    and warm-up (days) and ``initial`` units on hand."""
    text = QUICKSTART.read_text(encoding="utf-8")
    text = text.replace("initial: 60", f"initial: {initial}")
    text = text.replace("{kind: poisson, mean: 8}", mean)
    text = text.replace("horizon_days: 395", f"horizon_days: {horizon}")
    text = text.replace("warmup_days: 30", f"warmup_days: {warmup}")
    return "\n".join(line for line in text.splitlines() if not line.startswith("  eoq: ")) + "\n"


#: The quickstart with no demand at all: fill rates (and every ratio over demand or sales) are
#: undefined in every replication (issue #18's reproduction).
ZERO_DEMAND = quickstart_demand("0")
#: Demand so sparse (0.05 a day over 30 days, from an empty store) that some replications see
#: none: the fill rate is defined in some replications only (seed 5, 10 replications: 8).
SPARSE_DEMAND = quickstart_demand("{kind: poisson, mean: 0.05}", horizon=30, warmup=0, initial=0)


@pytest.fixture
def zero_demand_file(tmp_path: Path) -> Path:
    """:data:`ZERO_DEMAND` written to ``nd.yaml`` in the test's temporary directory."""
    path = tmp_path / "nd.yaml"
    path.write_text(ZERO_DEMAND, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def zero_demand() -> jitsim.Scenario:
    """:data:`ZERO_DEMAND`, loaded."""
    return jitsim.load_scenario_text(ZERO_DEMAND)


@pytest.fixture(scope="session")
def sparse_demand() -> jitsim.Scenario:
    """:data:`SPARSE_DEMAND`, loaded."""
    return jitsim.load_scenario_text(SPARSE_DEMAND)


@pytest.fixture(scope="session")
def quickstart_short(quickstart: jitsim.Scenario) -> jitsim.Scenario:
    """The quickstart over 120 days with 20 days of warm-up."""
    return shortened(quickstart, 120, 20)


# -- statistics of replications ---------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """Mean over replications and its standard error."""

    mean: float
    se: float

    @classmethod
    def of(cls, values: pd.Series) -> Estimate:
        n = len(values)
        se = float(values.std(ddof=1)) / math.sqrt(n)
        assert se > 0, "degenerate sample: no variation across replications"
        return cls(float(values.mean()), se)

    def z(self, expected: float) -> float:
        """Distance from ``expected`` in standard errors."""
        return abs(self.mean - expected) / self.se


def assert_within_3se(values: pd.Series, expected: float, what: str = "mean") -> Estimate:
    """Mean of i.i.d. replication values within 3 standard errors of ``expected`` (statistical
    tests: an independently known value, a tolerance from the standard error, a fixed seed)."""
    est = Estimate.of(values)
    assert est.z(expected) <= 3.0, (
        f"{what}: mean {est.mean:.6g} vs exact {expected:.6g}: "
        f"|diff| = {abs(est.mean - expected):.3g} = {est.z(expected):.2f} SE > 3 SE "
        f"(SE = {est.se:.3g}, n = {len(values)})"
    )
    return est


def replications(text: str, n: int, seed: int) -> pd.DataFrame:
    """Per-replication KPIs of every alternative of the scenario in ``text``."""
    return jitsim.run(jitsim.load_scenario_text(text), replications=n, seed=seed).replications()


# -- finished results directories (figures, reports, show) -----------------------------------


@pytest.fixture(scope="session")
def results_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A finished results directory of every kind (``run`` with kept trajectories, ``compare``,
    ``sweep`` over two order costs, ``stress``, ``breakeven``, ``optimize``) of the quickstart
    over 120 days,
    written by the commands themselves."""
    root = tmp_path_factory.mktemp("results")
    scenario = shortened(jitsim.load_scenario(QUICKSTART), 120, 20)
    file = root / "quickstart.yaml"
    file.write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    common = ["-n", "6", "--seed", "3", "-q", "--backend", "serial"]
    commands = {
        "run": ["run", file, *common, "--trajectories", "6"],
        "compare": ["compare", file, *common, "--baseline", "buffered"],
        "sweep": ["sweep", file, "--set", "suppliers.acme.order_cost=5,20", *common],
        "stress": ["stress", file, "--durations", "14", *common],
        "breakeven": [
            "breakeven", file, "--param", "suppliers.acme.order_cost", "--range", "1:60",
            "--between", "jit,buffered", *common,
        ],
        "optimize": [
            "optimize", file, "--point", "store", "--alternative", "buffered",
            "--budget-replications", "300", *common,
        ],
    }  # fmt: skip
    out = {}
    for kind, words in commands.items():
        out[kind] = root / kind
        result = invoke_cli(*words, "-o", out[kind])
        assert result.exit_code == 0, f"{kind}: {result.output}"
    return out


# --- the HTML report in headless Chromium (tests marked ``browser``) ---------------------------

#: The window a report is opened in (CSS pixels): a laptop screen.
WINDOW = {"width": 1280, "height": 900}


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("JITSIM_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"JITSIM_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (the system's browser: Playwright's own
    download is not needed). Skipped when either is missing, unless ``JITSIM_REQUIRE_BROWSER=1``
    (as in ``.ci/run``), which makes their absence a failure."""
    executable = find_chromium()
    if executable is None:
        _browser_unavailable("no Chromium is installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable('Playwright is not installed (pip install ".[browser]")')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$JITSIM_SCREENSHOTS``, else a temporary directory."""
    chosen = os.environ.get("JITSIM_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@dataclass(frozen=True)
class OpenedReport:
    """What the browser saw of a report: its requests, failed requests, console errors and
    warnings, the rendered box of every figure and the page's width (CSS pixels)."""

    url: str
    requests: list[str]
    failed: list[str]
    errors: list[str]
    figures: list[dict[str, Any]]
    page_width: int

    def assert_clean(self, figures: int) -> None:
        """No error, nothing requested but the file itself, ``figures`` figures shown at a
        real size inside the window, and no page wider than the window."""
        assert self.errors == [] and self.failed == []
        assert self.requests == [self.url]  # data URIs are not requests
        assert len(self.figures) == figures
        for size in self.figures:
            assert size["decoded"] and size["width"] > 100 and size["height"] > 100, size
            assert size["right"] <= WINDOW["width"], size  # no figure wider than the window
        assert self.page_width <= WINDOW["width"]  # wide tables scroll inside their box


def open_report(browser: Any, html: Path, shot: Path) -> OpenedReport:
    """Open ``html`` from disk in ``browser`` (a window of :data:`WINDOW`), record what it
    does and save a full-page screenshot to ``shot``."""
    url = html.resolve().as_uri()
    page = browser.new_page(viewport=WINDOW)
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    figures = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure img, figure svg')).map(e => {
            const box = e.getBoundingClientRect();
            return {width: box.width, height: box.height, right: box.right,
                    decoded: e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0)};
        })"""
    )
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return OpenedReport(url, requests, failed, errors, figures, page_width)
