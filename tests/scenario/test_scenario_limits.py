"""Sizes over the documented limits are refused when the scenario is loaded, with FILE:LINE,
before a model allocates anything (issue #11: a horizon of 3e7 days took 4.4 GB to validate,
1e12 was a MemoryError, a Poisson mean of 1e300 an internal error)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jitsim
from jitsim.errors import JitsimError, ScenarioError
from jitsim.scenario.grid import MAX_POINTS, inclusive_range, parse_assignment
from jitsim.scenario.limits import (
    MAX_ENTITIES,
    MAX_HORIZON_DAYS,
    MAX_NODE_DAYS,
    MAX_REPLICATIONS,
    estimate_memory,
    limits_markdown,
)
from jitsim.scenario.reference import scenario_reference_markdown

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = (ROOT / "scenarios" / "quickstart.yaml").read_text(encoding="utf-8")
DEMAND = "demand: {kind: poisson, mean: 8}"


def _load(tmp_path: Path, text: str) -> jitsim.Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return jitsim.load_scenario(path)


def _problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("horizon", ["30000000", "1000000000000", str(MAX_HORIZON_DAYS + 1)])
def test_horizon_over_the_limit(tmp_path: Path, horizon: str) -> None:
    text = QUICKSTART.replace("horizon_days: 395", f"horizon_days: {horizon}")
    message = _problem(tmp_path, text)
    line = _line_of(text, "horizon_days:")
    assert re.search(
        rf"/s\.yaml:{line}: run\.horizon_days: must be less than or equal to {MAX_HORIZON_DAYS}, "
        rf"got {horizon}",
        message,
    )


def test_horizon_at_the_limit_loads(tmp_path: Path) -> None:
    text = QUICKSTART.replace("horizon_days: 395", f"horizon_days: {MAX_HORIZON_DAYS}")
    assert _load(tmp_path, text).run.horizon_days == MAX_HORIZON_DAYS


def test_replications_over_the_limit(tmp_path: Path) -> None:
    text = QUICKSTART.replace("replications: 200", "replications: 1000000000000000")
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'replications:')}: run.replications: must be less" in message


@pytest.mark.parametrize(
    ("demand", "parameter"),
    [
        ("{kind: poisson, mean: 1e300}", "mean"),
        ("{kind: poisson, mean: 1.0e+300}", "mean"),
        ("{kind: gamma, mean: 8, cv: 1e12}", "cv"),
        ("{kind: discrete_uniform, low: 0, high: 10000000000}", "high"),
        ("{kind: empirical, values: [1, 2e10]}", "values"),
        ("{kind: normal, mean: 2e9, sd: 1}", "mean"),
    ],
)
def test_distribution_parameter_over_the_limit(tmp_path: Path, demand: str, parameter: str) -> None:
    text = QUICKSTART.replace(DEMAND, f"demand: {demand}")
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'demand: {')}: customers.walk_in.demand" in message
    assert "over the limit of 1,000,000,000" in message
    assert parameter in message


def test_daily_demand_with_seasonality_over_the_limit(tmp_path: Path) -> None:
    """Each factor is fine; their product would overflow numpy's Poisson sampler."""
    text = QUICKSTART.replace(DEMAND, "demand: {kind: poisson, mean: 9e8}").replace(
        "[0.9, 0.9, 0.9, 1.0, 1.1, 1.5, 0.7]", "[0.9, 0.9, 0.9, 1.0, 1.1, 1e6, 0.7]"
    )
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'demand: {')}: customers.walk_in.demand: mean demand" in message


def test_individual_orders_over_the_limit(tmp_path: Path) -> None:
    text = QUICKSTART.replace(DEMAND, "orders: {rate_per_day: 1e9}")
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'orders:')}: customers.walk_in.orders.rate_per_day" in message
    assert "orders in one replication" in message


def test_entities_over_the_limit(tmp_path: Path) -> None:
    extra = "".join(f"  c{i}: {{buys_from: store, demand: 1}}\n" for i in range(MAX_ENTITIES))
    text = QUICKSTART.replace("customers:\n", "customers:\n" + extra)
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'customers:')}: customers: has 1,001 entries" in message


def test_node_days_over_the_limit(tmp_path: Path) -> None:
    nodes = MAX_NODE_DAYS // MAX_HORIZON_DAYS  # customers that fit at the longest horizon
    extra = "".join(f"  c{i}: {{buys_from: store, demand: 1}}\n" for i in range(nodes))
    text = QUICKSTART.replace("customers:\n", "customers:\n" + extra).replace(
        "horizon_days: 395", f"horizon_days: {MAX_HORIZON_DAYS}"
    )
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'horizon_days:')}: run.horizon_days:" in message
    assert "node-days" in message


@pytest.mark.parametrize(
    "assignment",
    ["x=0:1e300:1e-10", "x=-1e308:1e308:1", "x=0:1:1e-300", f"x=0:{MAX_POINTS}:1"],
)
def test_sweep_range_counted_before_it_is_built(assignment: str) -> None:
    with pytest.raises(JitsimError, match=r"values \(the limit is 10,000\)"):
        parse_assignment(assignment)


def test_sweep_range_in_the_file_over_the_limit(tmp_path: Path) -> None:
    text = QUICKSTART + "sweep:\n  items.widget.unit_cost: {from: 0, to: 1e300, step: 1e-10}\n"
    message = _problem(tmp_path, text)
    assert f"s.yaml:{_line_of(text, 'unit_cost: {from')}: sweep.items.widget.unit_cost" in message


def test_inclusive_range_at_the_limit() -> None:
    values = inclusive_range(1, MAX_POINTS, 1, prefix="", names=("a", "b", "c"))
    assert len(values) == MAX_POINTS


def test_memory_estimate_counts_without_allocating(quickstart: jitsim.Scenario) -> None:
    estimate = estimate_memory(
        quickstart, points=1, alternatives=3, replications=MAX_REPLICATIONS, trajectories=10
    )
    assert estimate.records == 3 * MAX_REPLICATIONS
    assert estimate.trajectory_rows == 3 * 10 * 1 * quickstart.run.horizon_days
    assert estimate.chunks == MAX_REPLICATIONS
    assert "GB" in estimate.describe()


def test_reference_documents_the_limits() -> None:
    page = scenario_reference_markdown()
    assert "## Limits" in page
    assert limits_markdown() in page
    for number in (f"{MAX_HORIZON_DAYS:,}", f"{MAX_REPLICATIONS:,}", f"{MAX_ENTITIES:,}"):
        assert number in limits_markdown()


@pytest.mark.parametrize(
    ("field", "value"),
    [("safety_days: 1.5", "safety_days: 1e300"), ("order_cost: 10.0", "order_cost: 2e13")],
)
def test_any_number_over_the_limit_is_refused_at_its_line(
    tmp_path: Path, field: str, value: str
) -> None:
    """A huge policy or cost parameter used to hang a run (an order of 1e300 units waiting
    for capacity one day at a time)."""
    text = QUICKSTART.replace(field, value, 1)
    line = text.splitlines().index(next(t for t in text.splitlines() if value in t)) + 1
    message = _problem(tmp_path, text)
    assert re.search(rf"s\.yaml:{line}: \S+: \S+ is over the limit of 1e\+12 in size", message)


def test_the_seed_may_be_large(tmp_path: Path) -> None:
    assert _load(tmp_path, QUICKSTART.replace("seed: 2026", f"seed: {2**62}")).run.seed == 2**62
