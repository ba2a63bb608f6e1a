"""Scenario overrides by dotted path (FILE:LINE errors) and parameter sweeps.

Overrides are applied to the resolved scenario and validated again; every mistake names the
file and the line of the field (or of its nearest ancestor written in the file). Sweeps run all
grid points in one batch under common random numbers, identically on every backend, and an
interrupted sweep resumes to exactly the same result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import BUNDLED, scenario_text

import jitsim
from jitsim.errors import JitsimError, ScenarioError
from jitsim.experiments.sweep import SweepResult, sweep
from jitsim.scenario.grid import grid_from_mapping, parse_assignment, sweep_points
from jitsim.scenario.models import scenario_hash
from jitsim.scenario.overrides import apply_overrides, complete_data
from jitsim.scenario.resolve import resolve

SCENARIO = """\
name: Sweep test shop
run:
  horizon_days: 60
  warmup_days: 10
  replications: 8
  seed: 5
items:
  widget:
    unit_cost: 10.0
    holding_rate: 0.25
suppliers:
  acme:
    items: [widget]
    lead_time: 2
    order_cost: 30.0
stock_points:
  store:
    item: widget
    source: acme
    initial: 40
    review: {every_days: 1}
    policy: {kind: s_S, s: 15, S: 45}
customers:
  shop:
    buys_from: store
    demand: {kind: poisson, mean: 6}
    seasonality: {weekly: [1, 1, 1, 1, 1, 1.5, 0.5]}
    backorder_cost_per_unit_day: 0.5
alternatives:
  buffered: {store: {kind: s_S, s: 20, S: 60}}
  lean: {store: {kind: base_stock, S: 20}}
"""


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario(scenario_file: Path) -> jitsim.Scenario:
    return jitsim.load_scenario(scenario_file)


def one_problem(exc: pytest.ExceptionInfo[ScenarioError]) -> tuple[int | None, str, str]:
    assert len(exc.value.problems) == 1, str(exc.value)
    problem = exc.value.problems[0]
    return problem.line, problem.path, problem.message


# ------------------------------------------------------------------------------ overrides


def test_overrides_set_values_including_defaults_lists_and_mappings(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    changed = apply_overrides(
        scenario,
        scenario_file,
        {
            "suppliers.acme.order_cost": 45,
            "run.horizon_days": 90,  # written in the file
            "run.days_per_year": 360,  # a default, not in the file
            "customers.shop.seasonality.weekly.5": 2.0,  # list index
            "suppliers.acme.lead_time": {"kind": "gamma", "mean": 3, "cv": 0.5},
            "alternatives.lean.store.S": 25,
        },
    )
    assert changed.suppliers["acme"].order_cost == 45
    assert changed.run.horizon_days == 90
    assert changed.run.days_per_year == 360
    weekly = changed.customers["shop"].seasonality.weekly  # type: ignore[union-attr]
    assert weekly == [1, 1, 1, 1, 1, 2.0, 0.5]
    assert changed.suppliers["acme"].lead_time.mean == pytest.approx(3)
    assert resolve(changed, "lean").stock_points["store"].policy.S == 25  # type: ignore[attr-defined]
    # The original is untouched (models are frozen; overrides work on a copy).
    assert scenario.suppliers["acme"].order_cost == 30


def test_no_overrides_give_back_the_same_scenario(scenario: jitsim.Scenario) -> None:
    assert apply_overrides(scenario, None, {}) == scenario


def test_invalid_value_names_the_file_and_the_line_of_the_field(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"suppliers.acme.order_cost": -5})
    line, path, message = one_problem(exc)
    assert line == line_of(SCENARIO, "order_cost: 30.0")
    assert path == "suppliers.acme.order_cost"
    assert message.endswith("got -5 (after setting suppliers.acme.order_cost=-5)")
    assert str(exc.value).startswith(f"{scenario_file}:{line}: suppliers.acme.order_cost: ")


def test_negative_distribution_mean_points_at_the_distribution_line(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"customers.shop.demand.mean": -3})
    line, path, message = one_problem(exc)
    assert line == line_of(SCENARIO, "demand: {kind: poisson")
    assert path == "customers.shop.demand.mean"
    assert "must be >= 0" in message


def test_default_field_not_in_the_file_uses_the_parent_line(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"run.days_per_year": 0})
    line, path, _ = one_problem(exc)
    assert line == line_of(SCENARIO, "run:")
    assert path == "run.days_per_year"  # the full path, although only `run:` is in the file


def test_unknown_path_segment_reports_the_parent_line_and_a_suggestion(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"suppliers.acme.oder_cost": 3})
    line, path, message = one_problem(exc)
    assert line == line_of(SCENARIO, "acme:")
    assert path == "suppliers.acme.oder_cost"
    assert "unknown field 'oder_cost'" in message and "did you mean 'order_cost'" in message


def test_setting_inside_a_constant_lead_time_is_an_unknown_field(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    # `lead_time: 2` is {kind: constant, value: 2} once resolved: it has no `mean`.
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"suppliers.acme.lead_time.mean": 3})
    line, path, message = one_problem(exc)
    assert line == line_of(SCENARIO, "lead_time: 2")
    assert path == "suppliers.acme.lead_time.mean"
    assert "unknown field 'mean'" in message


def test_setting_through_a_number_or_past_the_end_of_a_list_names_the_path(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"run.horizon_days.max": 3})
    line, path, message = one_problem(exc)
    assert (line, path) == (line_of(SCENARIO, "horizon_days"), "run.horizon_days.max")
    assert "inside run.horizon_days" in message and "a number (60)" in message

    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"customers.shop.seasonality.weekly.7": 1.0})
    line, path, message = one_problem(exc)
    assert (line, path) == (
        line_of(SCENARIO, "seasonality:"),
        "customers.shop.seasonality.weekly.7",
    )
    assert "index 7 is out of range" in message and "7 items" in message

    with pytest.raises(ScenarioError, match="is a list; index it with a number"):
        apply_overrides(scenario, scenario_file, {"suppliers.acme.items.first": "widget"})


def test_cross_field_problem_names_the_override_that_caused_it(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"run.warmup_days": 100})
    line, path, message = one_problem(exc)
    assert (line, path) == (line_of(SCENARIO, "warmup_days"), "run.warmup_days")
    assert "must be < horizon_days(=60)" in message


def test_alternative_paths_work_in_the_short_form_of_the_file(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    # The file writes `lean: {store: {...}}`; resolved, that is `lean: {policies: {store: ...}}`.
    short = apply_overrides(scenario, scenario_file, {"alternatives.lean.store.S": 30})
    long = apply_overrides(scenario, scenario_file, {"alternatives.lean.policies.store.S": 30})
    assert short == long
    assert resolve(short, "lean").stock_points["store"].policy.S == 30  # type: ignore[attr-defined]
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, scenario_file, {"alternatives.lean.store.S": -1})
    line, path, _ = one_problem(exc)
    assert line == line_of(SCENARIO, "lean: {store:")
    assert path == "alternatives.lean.policies.store.S"


def test_without_a_file_problems_have_no_line(scenario: jitsim.Scenario) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(scenario, None, {"suppliers.acme.order_cost": -1})
    line, path, _ = one_problem(exc)
    assert line is None and path == "suppliers.acme.order_cost"
    assert str(exc.value).startswith("<scenario>: suppliers.acme.order_cost: ")


def test_resolved_data_survives_continuous_review() -> None:
    # A continuous review dumps the default every_days and offset_days too; the full dump
    # must validate again so that every field can be overridden.
    text = SCENARIO.replace("review: {every_days: 1}", "review: continuous")
    continuous = jitsim.load_scenario_text(text)
    review = complete_data(continuous)["stock_points"]["store"]["review"]
    assert review == {"continuous": True, "every_days": 1, "offset_days": 0}
    changed = apply_overrides(continuous, None, {"suppliers.acme.order_cost": 12})
    assert changed.stock_points["store"].review.continuous
    assert changed.suppliers["acme"].order_cost == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("suppliers.acme.lead_time.mean=2,3,4", ("suppliers.acme.lead_time.mean", [2, 3, 4])),
        ("x=1.5,true,jit,[1, 2],null", ("x", [1.5, True, "jit", [1, 2], None])),
        ("x={kind: gamma, mean: 3, cv: 0.5}", ("x", [{"kind": "gamma", "mean": 3, "cv": 0.5}])),
        ("x='a,b',1e-3", ("x", ["a,b", 0.001])),
        (" run.horizon_days = 100:300:100", ("run.horizon_days", [100, 200, 300])),
        ("x=0.1:0.3:0.1", ("x", [0.1, 0.2, 0.3])),
        ("weekly.5=2", ("weekly.5", [2])),
    ],
)
def test_parse_assignment(text: str, expected: tuple[str, list[object]]) -> None:
    assert parse_assignment(text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("suppliers.acme.order_cost", "expected PATH=VALUE"),
        ("=3", "empty field path"),
        ("a.b=", "no value after '='"),
        ("a..b=1", "empty segment"),
        ("a=1,,2", "empty value"),
        ("a=[1,", "cannot read value"),
        ("a b=1", "may only contain"),
        ("a=3:1:1", "must be >= start"),
        ("a=1:3:0", "step"),
    ],
)
def test_parse_assignment_errors(text: str, match: str) -> None:
    with pytest.raises(JitsimError, match=match):
        parse_assignment(text)


# ------------------------------------------------------------------------------ grids


def test_grid_points_are_the_product_in_the_order_given() -> None:
    points = sweep_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert [(p["a"], p["b"]) for p in points] == [
        (1, "x"),
        (1, "y"),
        (1, "z"),
        (2, "x"),
        (2, "y"),
        (2, "z"),
    ]


def test_grid_from_mapping_reads_lists_ranges_and_single_values() -> None:
    grid = grid_from_mapping(
        {
            "suppliers.acme.order_cost": [10, 20],
            "items.widget.holding_rate": {"from": 0.1, "to": 0.3, "step": 0.1},
            "run.horizon_days": 90,
        }
    )
    assert grid == {
        "suppliers.acme.order_cost": [10, 20],
        "items.widget.holding_rate": [0.1, 0.2, 0.3],
        "run.horizon_days": [90],
    }
    with pytest.raises(JitsimError, match="list of values or a range"):
        grid_from_mapping({"x": {"from": 1, "to": 2}})
    with pytest.raises(JitsimError, match="empty"):
        grid_from_mapping({"x": []})
    with pytest.raises(JitsimError, match="at least one field"):
        grid_from_mapping({})
    with pytest.raises(JitsimError, match=r"cannot sweep run\.seed"):
        grid_from_mapping({"run.seed": [1, 2]})


# ------------------------------------------------------------------------------ sweeps

GRID = {
    "suppliers.acme.order_cost": [20.0, 80.0],
    "customers.shop.backorder_cost_per_unit_day": [0.5, 2.0],
}


@pytest.fixture(scope="module")
def result(scenario: jitsim.Scenario, scenario_file: Path) -> SweepResult:
    return sweep(
        scenario, GRID, source_file=scenario_file, replications=8, seed=3, backend="serial"
    )


def test_points_table_has_one_column_per_swept_path(
    result: SweepResult,
) -> None:
    points = result.points()
    assert list(points.columns) == ["point", *GRID]
    assert points["suppliers.acme.order_cost"].tolist() == [20.0, 20.0, 80.0, 80.0]
    assert points["customers.shop.backorder_cost_per_unit_day"].tolist() == [0.5, 2.0, 0.5, 2.0]
    assert result.scenario_at(2).suppliers["acme"].order_cost == 80.0


def test_replications_and_summary_carry_the_point_values(
    result: SweepResult,
) -> None:
    reps = result.replications()
    assert list(reps.columns[:5]) == ["point", *GRID, "alternative", "replication"]
    assert len(reps) == 4 * 2 * 8
    summary = result.summary(["total_cost", "fill_rate"])
    assert len(summary) == 4 * 2 * 2  # points × alternatives × KPIs
    assert list(summary.columns[:5]) == ["point", *GRID, "alternative", "kpi"]
    for column in ("mean", "std", "ci95_low", "ci95_high", "p05", "p50", "p95", "n"):
        assert column in summary.columns
    assert (summary["n"] == 8).all()
    assert summary["alternative"].tolist()[:4] == ["buffered", "buffered", "lean", "lean"]
    row = summary[
        (summary.point == 3) & (summary.alternative == "lean") & (summary.kpi == "total_cost")
    ]
    values = reps[(reps.point == 3) & (reps.alternative == "lean")]["total_cost"]
    assert row["mean"].item() == pytest.approx(values.mean())
    assert row["suppliers.acme.order_cost"].item() == 80.0


def test_common_random_numbers_across_points(result: SweepResult) -> None:
    reps = result.replications()
    lean = reps[reps.alternative == "lean"]
    demand = lean.pivot(index="replication", columns="point", values="demand_units")
    # Points differ only in costs: every point sees the same demand path in replication r ...
    for point in range(1, 4):
        pd.testing.assert_series_equal(demand[point], demand[0], check_names=False)
    assert demand[0].nunique() > 1  # ... which differs between replications
    # ... and the same orders, so the order cost shows up exactly in the ordering cost.
    orders = lean.pivot(index="replication", columns="point", values="ordering_cost")
    pd.testing.assert_series_equal(orders[2], orders[0] * 4, check_names=False)


def test_invalid_point_is_rejected_before_any_simulation(
    scenario: jitsim.Scenario, scenario_file: Path
) -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(ScenarioError) as exc:
        sweep(
            scenario,
            {"suppliers.acme.order_cost": [10, 20, -1], "run.horizon_days": [30, 5]},
            source_file=scenario_file,
            replications=4,
            backend="serial",
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == []
    text = str(exc.value)
    assert (
        f"{scenario_file}:{line_of(SCENARIO, 'order_cost: 30.0')}: suppliers.acme.order_cost"
        in text
    )
    assert "run.warmup_days" in text  # horizon 5 < warm-up 10, reported once for all points
    assert text.count("order_cost=-1") == 1


@pytest.mark.parametrize(
    ("path", "values", "what"),
    [
        ("stock_points.store.capacity", [None, 50], "a capacity at stock point 'store'"),
        ("items.widget.shelf_life", [8, None], "a shelf life of item 'widget'"),
        ("finance", [None, {}], "a cash ledger"),
        ("items.widget.end_of_life", [None, {"at": 30}], "an end of life of item 'widget'"),
    ],
)
def test_points_that_turn_a_feature_on_or_off_are_refused_before_any_simulation(
    scenario: jitsim.Scenario, scenario_file: Path, path: str, values: list[Any], what: str
) -> None:
    """A feature's columns exist only where it is used: points with and without it would not
    line up (the second point's KPIs were "missing from the header": an internal error)."""
    calls: list[tuple[int, int]] = []
    with pytest.raises(JitsimError) as exc:
        sweep(
            scenario,
            {path: values},
            source_file=scenario_file,
            replications=2,
            backend="serial",
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == []
    assert "\n" not in str(exc.value)
    assert what in str(exc.value)
    assert "same columns" in str(exc.value)


def test_processes_give_the_same_results_as_serial(
    scenario: jitsim.Scenario, result: SweepResult
) -> None:
    parallel = sweep(
        scenario, GRID, replications=8, seed=3, backend="processes", workers=2, chunk_size=3
    )
    assert parallel.backend == "processes"
    pd.testing.assert_frame_equal(parallel.replications(), result.replications(), check_exact=True)


class _Interrupt(Exception):
    pass


def test_out_directory_is_written_and_an_interrupted_sweep_resumes_exactly(
    scenario: jitsim.Scenario, tmp_path: Path
) -> None:
    options: dict[str, Any] = {"replications": 8, "seed": 3, "backend": "serial", "chunk_size": 2}
    complete = sweep(scenario, GRID, out=tmp_path / "complete", **options)

    def stop(done: int, total: int) -> None:
        if done >= 24:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        sweep(scenario, GRID, out=tmp_path / "cut", progress=stop, **options)
    assert (tmp_path / "cut" / "journal.jsonl").read_bytes().count(b'"chunk"') == 6  # 6 × 2 × 2
    with pytest.raises(JitsimError, match="cannot resume"):
        sweep(
            scenario,
            {**GRID, "run.horizon_days": [50]},
            out=tmp_path / "cut",
            resume=True,
            **options,
        )

    seen: list[int] = []
    resumed = sweep(
        scenario,
        GRID,
        out=tmp_path / "cut",
        resume=True,
        progress=lambda done, total: seen.append(done),
        **options,
    )
    assert seen[0] == 24  # the finished chunks were not simulated again
    pd.testing.assert_frame_equal(resumed.replications(), complete.replications(), check_exact=True)
    pd.testing.assert_frame_equal(resumed.summary(), complete.summary(), check_exact=True)
    memory = sweep(scenario, GRID, **options)
    pd.testing.assert_frame_equal(
        resumed.replications(), memory.replications(), check_exact=True, check_dtype=False
    )

    for directory in (tmp_path / "complete", tmp_path / "cut"):
        names = {p.name for p in directory.iterdir()}
        assert {
            "sweep_summary.csv",
            "replications.csv",
            "summary.json",
            "scenario.resolved.yaml",
        } <= names
        assert "journal.jsonl" not in names
        assert json.loads((directory / "manifest.json").read_text())["complete"] is True
    on_disk = pd.read_csv(tmp_path / "cut" / "sweep_summary.csv")
    assert len(on_disk) == len(complete.summary())
    assert list(on_disk.columns[:5]) == ["point", *GRID, "alternative", "kpi"]
    document = json.loads((tmp_path / "cut" / "summary.json").read_text())
    assert document["grid"] == GRID
    assert document["seed"] == 3 and document["replications"] == 8
    assert document["scenario_hash"] == scenario_hash(scenario)


def test_precision_adds_replications_to_every_point(scenario: jitsim.Scenario) -> None:
    from jitsim.execution.precision import PrecisionTarget

    target = PrecisionTarget(
        relative=0.2, kpis=("total_cost",), min_replications=10, max_replications=40
    )
    swept = sweep(
        scenario,
        {"suppliers.acme.order_cost": [20.0, 80.0]},
        precision=target,
        backend="serial",
        chunk_size=5,
    )
    assert swept.precision is not None
    assert swept.replications_per_point == swept.precision.replications >= 10
    counts = swept.replications().groupby(["point", "alternative"]).size()
    assert (counts == swept.replications_per_point).all()
    assert {label for label, _kpi in swept.precision.achieved} == {
        "point 0: buffered",
        "point 0: lean",
        "point 1: buffered",
        "point 1: lean",
    }


def _scenario_texts() -> list[tuple[str, str]]:
    """Every bundled scenario, the rich scenarios of the disruption and plant tests, and the
    quickstart with a backup supplier that has a defect rate."""
    texts = [(p.name, p.read_text()) for p in BUNDLED]
    texts += [  # outages, Markov, surges, when_down; plants, rework
        (name, scenario_text(name))
        for name in ("disruptions_crn", "plant_shortage", "plant_stochastic")
    ]
    quickstart = dict(texts)["quickstart.yaml"]
    dual = quickstart.replace(
        "    min_order: 10            # minimum order quantity (units)",
        "    min_order: 10\n  backup_co:\n    items: [widget]\n    lead_time: 1\n"
        "    defect_rate: 0.02\n    inspection_cost_per_unit: 0.1",
    ).replace(
        "    policy: {kind: s_S, s: 20, S: 60}",
        "    policy: {kind: s_S, s: 20, S: 60}\n"
        "    backup: {source: backup_co, split: shares, share: 0.3}",
    )
    assert dual.count("backup_co") == 2
    texts.append(("dual sourcing and supplier quality", dual))
    return texts


@pytest.mark.parametrize(("label", "text"), _scenario_texts())
def test_the_resolved_dump_validates_back_to_the_same_scenario(label: str, text: str) -> None:
    """Overrides edit the full dump; every model must therefore survive its own dump."""
    scenario = jitsim.load_scenario_text(text, label)
    data = complete_data(scenario)
    assert jitsim.Scenario.model_validate(data) == scenario
