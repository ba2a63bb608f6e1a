"""The compiled day loop (jitsim.fast.kernel) against the numpy day loop and the SimPy engine.

Both day loops of the fast engine must give the same records, KPI by KPI and bit for bit (NaN
equal to NaN), on every scenario of the kernel scope; the numpy loop is itself held to the
SimPy engine by tests/fast/test_fast_engine.py, and a few cases here check the kernel against
the SimPy engine directly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.fast import _policies, out_of_scope, run_replications
from jitsim.fast.engine import KERNEL_SWITCH, Engine, use_kernel
from jitsim.fast.scope import kernel_scope, numpy_scope
from tests.conftest import BUNDLED, ROOT
from tests.fast.test_fast_engine import (
    DC,
    HAND_MADE,
    IN_SCOPE,
    REFERENCE,
    assert_same_records,
    same,
    scenario_of,
    shortened,
)
from tests.fast.test_fast_properties import DEMANDS, LEADS, policies, scenarios

pytest.importorskip("numba")


def assert_kernel_same(scenario: jitsim.Scenario, replications: range, seed: int = 7) -> None:
    """The compiled day loop's records equal the numpy day loop's, KPI by KPI."""
    assert_resolved_same(jitsim.resolve(scenario, "base"), replications, seed)


def assert_resolved_same(resolved: jitsim.Scenario, replications: range, seed: int) -> None:
    """As :func:`assert_kernel_same`, for a resolved scenario."""
    assert kernel_scope(resolved) is None
    compiled = run_replications(resolved, seed, replications, kernel=True)
    numpy_loop = run_replications(resolved, seed, replications, kernel=False)
    assert len(compiled) == len(numpy_loop) == len(replications)
    for replication, a, b in zip(replications, compiled, numpy_loop, strict=True):
        assert list(a) == list(b)
        wrong = {k: (a[k], b[k]) for k in a if not same(a[k], b[k])}
        assert not wrong, f"replication {replication}: {wrong}"


def test_reference_case() -> None:
    """The benchmark case, 256 replications: daily reviews, so the lanes need more lead
    times than the first block of 64 (the kernel stops, draws, resumes)."""
    scenario = jitsim.load_scenario(REFERENCE)
    assert_kernel_same(scenario, range(256), seed=scenario.run.seed)


def test_reference_case_against_the_simpy_engine() -> None:
    scenario = jitsim.load_scenario(REFERENCE)
    resolved = jitsim.resolve(scenario, "base")
    assert kernel_scope(resolved) is None and use_kernel(resolved)
    assert_same_records(scenario, "base", range(4))  # run_replications takes the kernel


@pytest.mark.filterwarnings("ignore::jitsim.errors.JitsimWarning")
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenarios(path: Path) -> None:
    """Every bundled alternative in the kernel scope that the numpy loop also runs (200
    days, 40 replications; the others are held to the SimPy engine in test_fast_engine.py);
    the fast engine's other alternatives are outside it with a one-line reason."""
    scenario = shortened(jitsim.load_scenario(path), 200)
    for alternative in scenario.alternative_names():
        if (path.name, alternative) not in IN_SCOPE:
            continue
        resolved = jitsim.resolve(scenario, alternative)
        reason = kernel_scope(resolved)
        if reason is not None:
            assert "\n" not in reason
        elif numpy_scope(resolved) is None:
            assert_resolved_same(resolved, range(40), seed=5)


@pytest.mark.filterwarnings("ignore::jitsim.errors.JitsimWarning")
def test_bundled_alternatives_in_the_kernel_scope() -> None:
    """The kernel runs the common bundled cases (the test above is not vacuous)."""
    inside = set()
    for path in BUNDLED:
        scenario = jitsim.load_scenario(path)
        for alternative in scenario.alternative_names():
            if (path.name, alternative) in IN_SCOPE:
                if kernel_scope(jitsim.resolve(scenario, alternative)) is None:
                    inside.add((path.name, alternative))
    assert {
        ("eoq_classroom.yaml", "eoq"),
        ("quickstart.yaml", "buffered"),
        ("quickstart.yaml", "eoq"),
        ("daily_convention.yaml", "base"),
        ("bullwhip_two_tier.yaml", "base_stock"),
        ("bullwhip_two_tier.yaml", "jit_ma7"),
        ("bullwhip_two_tier.yaml", "jit_ma28"),
        ("quickstart.yaml", "jit"),
        ("multi_sku_shared_supplier.yaml", "buffered"),
        ("multi_sku_shared_supplier.yaml", "jit"),
        ("multi_sku_shared_supplier.yaml", "mixed"),
        ("forecast_accuracy.yaml", "jit_exact"),
        ("forecast_accuracy.yaml", "jit_error_30"),
    } <= inside


# -- hand-made scenarios: each feature of the kernel scope ---------------------------------------

#: Every case of test_fast_engine.HAND_MADE is in the kernel scope (it is the fast engine's).
KERNEL_HAND_MADE = set(HAND_MADE)
#: More cases: features combined.
MORE: dict[str, dict[str, Any]] = {
    "lost_sales_warm_up_end_of_day": {
        "customers__shoppers__unmet": "lost_sale",
        "run__warmup_days": 33,
        "run__cost_basis": "end_of_day",
    },
    "zero_lead_time_title_at_shipment_lots": {
        "suppliers__acme__lead_time": 0,
        "suppliers__acme__title_transfer": "shipment",
        "suppliers__acme__lot_multiple": 7.5,
        "suppliers__acme__min_order": 20.0,
    },
    "two_customers_one_point_backorder_and_lost": {
        "customers__walk_ins": {
            "buys_from": "store",
            "demand": {"kind": "poisson", "mean": 4},
            "unmet": "lost_sale",
            "price": 19.0,
        },
        "stock_points__store__review": {"every_days": 3, "offset_days": 1},
    },
    "warm_up_equals_horizon_minus_one": {"run__warmup_days": 149},
    "base_stock_daily_long_horizon": {  # more than two blocks of lead times per lane
        "stock_points__store__policy": {"kind": "base_stock", "S": 50},
        "run__horizon_days": 400,
        "run__warmup_days": 100,
    },
    "kanban_fractional_containers_backorders": {
        "stock_points__store__policy": {"kind": "kanban", "cards": 4, "container_size": 7.5},
        "stock_points__store__initial": 0,
    },
    "three_echelons_zero_lead_times": {  # a receipt at the DC ships on at once, twice
        "stock_points__dc": {**DC, "initial": 0, "policy": {"kind": "s_S", "s": 40, "S": 120}},
        "stock_points__hub": {
            "item": "widget",
            "source": "dc",
            "lead_time": 0,
            "initial": 0,
            "review": {"every_days": 2},
            "policy": {"kind": "base_stock", "S": 45},
        },
        "stock_points__store__source": "hub",
        "stock_points__store__lead_time": 0,
        "customers__hub_trade": {
            "buys_from": "hub",
            "demand": {"kind": "poisson", "mean": 2},
            "backorder_cost_per_unit_day": 0.4,
        },
        "suppliers__acme__title_transfer": "shipment",
    },
    "distribution_kanban_and_r_q_from_a_dc_with_lots": {
        "stock_points__dc": {**DC, "initial": 15, "review": {"every_days": 3, "offset_days": 2}},
        "stock_points__store__source": "dc",
        "stock_points__store__lead_time": {"kind": "discrete_uniform", "low": 0, "high": 2},
        "stock_points__store__policy": {"kind": "kanban", "cards": 5, "container_size": 9},
        "stock_points__outlet": {
            "item": "widget",
            "source": "dc",
            "lead_time": 1,
            "initial": 0,
            "policy": {"kind": "r_Q", "r": 4, "Q": 7.5},
        },
        "customers__outlet_buyers": {
            "buys_from": "outlet",
            "demand": {"kind": "poisson", "mean": 3},
            "unmet": "lost_sale",
        },
        "suppliers__acme__lot_multiple": 10.0,
        "suppliers__acme__min_order": 30.0,
        "run__warmup_days": 20,
    },
    "tight_capacity_zero_lead_time_lots_dc": {  # orders wait days for the supplier
        "suppliers__acme__capacity_per_day": 7.5,
        "suppliers__acme__lead_time": 0,
        "suppliers__acme__lot_multiple": 4.0,
        "stock_points__dc": {**DC, "review": {"every_days": 2}},
        "stock_points__kiosk": {
            "item": "widget",
            "source": "dc",
            "lead_time": 1,
            "initial": 5,
            "policy": {"kind": "jit", "forecast": {"kind": "moving_average", "window": 3}},
        },
        "customers__tourists": {"buys_from": "kiosk", "demand": {"kind": "poisson", "mean": 3}},
    },
    "oracle_daily_more_than_one_block_of_errors": {  # 400 reviews: two blocks of 256
        "stock_points__store__policy": {
            "kind": "jit",
            "forecast": {"kind": "oracle", "cv": 0.2, "bias": -0.05},
        },
        "run__horizon_days": 400,
    },
    "r_q_negative_reorder_point": {
        "stock_points__store__policy": {"kind": "r_Q", "r": -5, "Q": 12.5},
        "customers__shoppers__backorder_cost_per_unit_day": 0.0,
    },
}


@pytest.mark.parametrize("case", sorted(KERNEL_HAND_MADE))
def test_hand_made(case: str) -> None:
    assert_kernel_same(scenario_of(**HAND_MADE[case]), range(30))


@pytest.mark.parametrize("case", sorted(MORE))
def test_more_hand_made(case: str) -> None:
    assert_kernel_same(scenario_of(**MORE[case]), range(30))


def test_hand_made_cases_in_the_kernel_scope() -> None:
    for case, changes in HAND_MADE.items():
        assert kernel_scope(jitsim.resolve(scenario_of(**changes), "base")) is None, case


@pytest.mark.parametrize("case", ["lost_sales", "two_customers_two_points", "title_at_shipment"])
def test_hand_made_against_the_simpy_engine(case: str) -> None:
    assert_same_records(scenario_of(**HAND_MADE[case]), "base", range(3))


def test_lead_times_drawn_as_the_numpy_loop_draws_them() -> None:
    """The kernel draws no more lead times than the numpy loop: a block when one is needed."""
    resolved = jitsim.resolve(scenario_of(**MORE["base_stock_daily_long_horizon"]), "base")
    policies_, _ = _policies(resolved, 3)
    widths = []
    for kernel in (True, False):
        engine = Engine(resolved, 3, range(20), policies_)
        engine.run(kernel)
        widths.append(engine.lead_times["store"].values.shape[1])
    assert widths[0] == widths[1] > 64 * 2


# -- scope and dispatch ---------------------------------------------------------------------------


def test_kernel_scope_is_the_fast_engines() -> None:
    """Outside the fast engine's scope, the kernel refuses too, with the same reason."""
    resolved = jitsim.resolve(scenario_of(suppliers__acme__defect_rate=0.02), "base")
    reason = kernel_scope(resolved)
    assert reason is not None and reason == out_of_scope(resolved)
    assert not use_kernel(resolved)
    policies_, _ = _policies(jitsim.resolve(scenario_of(), "base"), 1)
    engine = Engine(resolved, 1, range(1), policies_)
    with pytest.raises(ValueError, match="compiled day loop cannot run"):
        engine.run(kernel=True)


def test_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel by default; JITSIM_FAST_KERNEL=0, JITSIM_COMPILED=0 or numba missing: the
    numpy loop."""
    resolved = jitsim.resolve(scenario_of(), "base")
    assert use_kernel(resolved)
    monkeypatch.setenv(KERNEL_SWITCH, "0")
    assert not use_kernel(resolved)
    monkeypatch.delenv(KERNEL_SWITCH)
    monkeypatch.setenv("JITSIM_COMPILED", "0")
    assert not use_kernel(resolved)
    monkeypatch.delenv("JITSIM_COMPILED")
    monkeypatch.setattr("jitsim.fast.draws.numba_installed", lambda: False)
    assert not use_kernel(resolved)

    def refuse(engine: Engine) -> None:
        raise AssertionError("the kernel ran")

    monkeypatch.setattr("jitsim.fast.kernel.run_kernel", refuse)
    run_replications(resolved, 1, range(2))  # the numpy loop, not the kernel


def test_an_unusable_numba_falls_back_to_the_numpy_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """numba installed but failing to import: the numpy loop, unless the kernel is forced."""
    resolved = jitsim.resolve(scenario_of(), "base")
    monkeypatch.setitem(sys.modules, "jitsim.fast.kernel", None)  # import raises ImportError
    expected = run_replications(resolved, 1, range(2), kernel=False)
    assert repr(run_replications(resolved, 1, range(2))) == repr(expected)
    with pytest.raises(ImportError):
        run_replications(resolved, 1, range(2), kernel=True)


def test_numba_is_not_imported_by_jitsim_nor_the_numpy_loop() -> None:
    """``import jitsim`` and the fast engine forced onto its numpy loop never load numba."""
    code = (
        "import sys, jitsim, jitsim.fast\n"
        "from jitsim.fast import run_replications\n"
        f"scenario = jitsim.load_scenario({str(REFERENCE)!r})\n"
        "run_replications(jitsim.resolve(scenario, 'base'), 1, range(2))\n"
        "assert 'numba' not in sys.modules, 'numba imported'\n"
    )
    env = {**os.environ, KERNEL_SWITCH: "0", "JITSIM_COMPILED": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- generated scenarios in the kernel scope ------------------------------------------------------


@st.composite
def kernel_scenarios(draw: Any) -> jitsim.Scenario:
    """Stock points bought from one supplier (perhaps of limited daily capacity) or from a
    distribution centre (itself perhaps fed by another), every policy, any customers,
    review, warm-up, MOQ, lots, title transfer, cost basis."""
    horizon = draw(st.integers(8, 160))
    points: dict[str, Any] = {}
    customers: dict[str, Any] = {}
    sources = ["acme"]
    for name in ("dc", "hub")[: draw(st.integers(0, 2))]:  # hub: fed by the dc
        every = draw(st.integers(1, 3))
        points[name] = {
            "item": "widget",
            "source": sources[-1],
            "initial": draw(st.integers(0, 100)),
            "review": {"every_days": every, "offset_days": draw(st.integers(0, every))},
            "policy": draw(policies(oracle=False)),
            "lead_time": draw(LEADS),
        }
        sources.append(name)
    for p in range(draw(st.integers(1, 3))):
        every = draw(st.integers(1, 5))
        buyers = draw(st.integers(0 if p else 1, 2))
        points[f"sp{p}"] = {
            "item": "widget",
            "source": draw(st.sampled_from(sources)),
            "initial": draw(st.integers(0, 60)),
            "review": {"every_days": every, "offset_days": draw(st.integers(0, every))},
            "policy": draw(policies(oracle=buyers > 0)),  # an oracle foresees its customers
            "lead_time": draw(LEADS),
        }
        for c in range(buyers):
            customers[f"c{p}_{c}"] = {
                "buys_from": f"sp{p}",
                "demand": draw(DEMANDS),
                "unmet": draw(st.sampled_from(["backorder", "lost_sale"])),
                "backorder_cost_per_unit_day": draw(st.floats(0.0, 3.0)),
                "lost_sale_penalty": draw(st.floats(0.0, 5.0)),
                **({"price": draw(st.floats(1.0, 40.0))} if draw(st.booleans()) else {}),
            }
    supplier: dict[str, Any] = {
        "items": ["widget"],
        "lead_time": 1,
        "order_cost": draw(st.floats(0.0, 100.0)),
        "min_order": draw(st.sampled_from([0.0, 5.0, 30.0])),
        "title_transfer": draw(st.sampled_from(["receipt", "shipment"])),
    }
    if draw(st.booleans()):
        supplier["lot_multiple"] = draw(st.sampled_from([1.0, 6.0, 2.5]))
    if draw(st.booleans()):
        supplier["unit_price"] = draw(st.floats(0.5, 30.0))
    if draw(st.booleans()):
        supplier["capacity_per_day"] = draw(st.floats(1.0, 40.0))
    document = {
        "name": "generated",
        "run": {
            "horizon_days": horizon,
            "warmup_days": draw(st.integers(0, horizon - 1)),
            "seed": draw(st.integers(0, 1000)),
            "cost_basis": draw(st.sampled_from(["continuous", "end_of_day"])),
        },
        "items": {"widget": {"unit_cost": draw(st.floats(0.5, 50.0)), "price": 20.0}},
        "suppliers": {"acme": supplier},
        "stock_points": points,
        "customers": customers,
    }
    return jitsim.load_scenario_text(yaml.safe_dump(document))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kernel_scenarios())
def test_generated_scenarios_match(scenario: jitsim.Scenario) -> None:
    assert_kernel_same(scenario, range(6), seed=scenario.run.seed)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_fast_engine_scenarios_match(scenario: jitsim.Scenario) -> None:
    """test_fast_properties' scenarios: backups, expediting, capacities, networks."""
    assert_kernel_same(scenario, range(6), seed=scenario.run.seed)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kernel_scenarios())
def test_generated_scenarios_match_the_simpy_engine(scenario: jitsim.Scenario) -> None:
    assert_same_records(scenario, "base", range(2))
