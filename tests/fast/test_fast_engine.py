"""The fast engine against the SimPy engine: every KPI of every replication, exactly.

A mismatch is a bug in one of the two engines. The fast engine reproduces the SimPy engine's
floating-point operations in the same order, so the records are compared for equality (NaN
equals NaN), which is stricter than the 1e-9 relative agreement the engines promise.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

import jitsim
from jitsim.execution.simulate import simulate
from jitsim.fast import BLOCK, out_of_scope, run_replications
from tests.conftest import BUNDLED, ROOT

REFERENCE = ROOT / "benchmarks" / "reference_case.yaml"

#: The bundled (file, alternative) pairs within the fast engine's scope today; every other
#: alternative of a bundled scenario is out of scope (checked below, with its reason).
IN_SCOPE = {
    ("bullwhip_two_tier.yaml", "jit_ma7"),
    ("bullwhip_two_tier.yaml", "jit_ma28"),
    ("bullwhip_two_tier.yaml", "base_stock"),
    ("daily_convention.yaml", "base"),
    ("eoq_classroom.yaml", "eoq"),
    ("eoq_classroom.yaml", "half_eoq"),
    ("eoq_classroom.yaml", "double_eoq"),
    ("forecast_accuracy.yaml", "buffered"),
    ("forecast_accuracy.yaml", "jit_exact"),
    ("forecast_accuracy.yaml", "jit_error_10"),
    ("forecast_accuracy.yaml", "jit_error_30"),
    ("multi_sku_shared_supplier.yaml", "buffered"),
    ("multi_sku_shared_supplier.yaml", "jit"),
    ("multi_sku_shared_supplier.yaml", "mixed"),
    ("quickstart.yaml", "buffered"),
    ("quickstart.yaml", "eoq"),
    ("quickstart.yaml", "jit"),
    # on the compiled day loop only: disruptions, lead times that are not whole days
    ("jit_single_source_failure.yaml", "jit_single"),
    ("jit_single_source_failure.yaml", "jit_with_backup"),
    ("jit_single_source_failure.yaml", "jit_expedite"),
    ("jit_single_source_failure.yaml", "buffered"),
    ("regional_flood.yaml", "jit_delta_backup"),
    ("regional_flood.yaml", "jit_no_backup"),
    ("regional_flood.yaml", "jit_highland_backup"),
    ("regional_flood.yaml", "buffered"),
    ("regional_flood.yaml", "flood_buffer"),
    ("retail_promotion.yaml", "buffered"),
    ("retail_promotion.yaml", "jit"),
    ("retail_promotion.yaml", "jit_planned"),
    ("two_echelon.yaml", "buffered"),
    ("two_echelon.yaml", "jit"),
}


def same(a: float, b: float) -> bool:
    """Equal, or both undefined (NaN)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def assert_same_records(
    scenario: jitsim.Scenario, alternative: str, replications: range, seed: int | None = None
) -> None:
    """The fast engine's records equal the SimPy engine's, KPI by KPI, in the same order."""
    seed = scenario.run.seed if seed is None else seed
    resolved = jitsim.resolve(scenario, alternative)
    assert out_of_scope(resolved) is None
    fast = run_replications(resolved, seed, replications)
    assert len(fast) == len(replications)
    for replication, record in zip(replications, fast, strict=True):
        expected = simulate(scenario, alternative, replication, seed).kpis
        assert list(record) == list(expected)
        wrong = {k: (record[k], v) for k, v in expected.items() if not same(record[k], v)}
        assert not wrong, f"replication {replication}: {wrong}"


def shortened(scenario: jitsim.Scenario, horizon: int) -> jitsim.Scenario:
    run = scenario.run.model_copy(
        update={"horizon_days": horizon, "warmup_days": min(scenario.run.warmup_days, 30)}
    )
    return scenario.model_copy(update={"run": run})


def test_reference_case() -> None:
    assert_same_records(jitsim.load_scenario(REFERENCE), "base", range(40))


@pytest.mark.filterwarnings("ignore::jitsim.errors.JitsimWarning")
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenarios(path: Path) -> None:
    """Every in-scope alternative of every bundled scenario matches (120 days, 6
    replications); every other one is out of scope with a one-line reason."""
    scenario = shortened(jitsim.load_scenario(path), 120)
    for alternative in scenario.alternative_names():
        reason = out_of_scope(jitsim.resolve(scenario, alternative))
        if (path.name, alternative) in IN_SCOPE:
            assert reason is None
            assert_same_records(scenario, alternative, range(6))
        else:
            assert reason is not None and "\n" not in reason and "SimPy engine" in reason


# -- hand-made scenarios ------------------------------------------------------------------------

BASE: dict[str, Any] = {
    "name": "fast engine test",
    "run": {"horizon_days": 150, "warmup_days": 0, "seed": 11},
    "items": {"widget": {"unit_cost": 10.0, "price": 16.0, "holding_rate": 0.25}},
    "suppliers": {
        "acme": {
            "items": ["widget"],
            "lead_time": {"kind": "discrete_uniform", "low": 1, "high": 5},
            "order_cost": 40.0,
        }
    },
    "stock_points": {
        "store": {
            "item": "widget",
            "source": "acme",
            "initial": 30,
            "policy": {"kind": "s_S", "s": 25, "S": 70},
        }
    },
    "customers": {
        "shoppers": {
            "buys_from": "store",
            "demand": {"kind": "poisson", "mean": 9},
            "backorder_cost_per_unit_day": 0.8,
            "backorder_cost_per_unit": 0.5,
        }
    },
}


def scenario_of(**changes: Any) -> jitsim.Scenario:
    """BASE with ``changes``: dotted paths (``stock_points.store.policy``) set to values."""
    document = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = document
        for key in parents:
            node = node[key]
        node[last] = value
    return jitsim.load_scenario_text(yaml.safe_dump(document))


HAND_MADE = {
    "base": {},
    "lost_sales": {"customers__shoppers__unmet": "lost_sale", "customers__shoppers__price": 20.0},
    "warm_up": {"run__warmup_days": 40},
    "review_every_4_offset_2": {"stock_points__store__review": {"every_days": 4, "offset_days": 2}},
    "moq_and_lot": {"suppliers__acme__min_order": 35.0, "suppliers__acme__lot_multiple": 12.0},
    "seasonal_trend": {
        "customers__shoppers__seasonality": {
            "weekly": [0.6, 0.8, 1.0, 1.0, 1.1, 1.5, 1.0],
            "annual": [0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.0, 0.9, 0.9, 1.0, 1.0, 0.9],
        },
        "customers__shoppers__trend_per_year": 0.3,
        "run__days_per_year": 120.0,
    },
    "normal_demand": {"customers__shoppers__demand": {"kind": "normal", "mean": 8.3, "sd": 3.1}},
    "gamma_demand_end_of_day_costs": {
        "customers__shoppers__demand": {"kind": "gamma", "mean": 7.7, "cv": 0.6},
        "run__cost_basis": "end_of_day",
    },
    "zero_lead_time": {"suppliers__acme__lead_time": 0},
    "title_at_shipment": {"suppliers__acme__title_transfer": "shipment"},
    "base_stock": {"stock_points__store__policy": {"kind": "base_stock", "S": 60}},
    "r_Q": {"stock_points__store__policy": {"kind": "r_Q", "r": 30, "Q": 45}},
    "kanban": {"stock_points__store__policy": {"kind": "kanban", "cards": 6, "container_size": 12}},
    "eoq_with_service_level": {
        "stock_points__store__policy": {"kind": "eoq", "cycle_service_level": 0.9},
        "items__widget__holding_rate": {"capital": 0.1, "storage": 0.1, "obsolescence": 0.05},
    },
    "jit_naive": {"stock_points__store__policy": {"kind": "jit", "forecast": {"kind": "naive"}}},
    "jit_moving_average_warm_up": {
        "stock_points__store__policy": {
            "kind": "jit",
            "forecast": {"kind": "moving_average", "window": 5},
            "safety_days": 1.5,
        },
        "run__warmup_days": 20,
    },
    "jit_exponential_smoothing_normal": {
        "stock_points__store__policy": {
            "kind": "jit",
            "forecast": {"kind": "exponential_smoothing", "alpha": 0.2, "initial": 4.0},
        },
        "customers__shoppers__demand": {"kind": "normal", "mean": 8.3, "sd": 3.1},
    },
    "two_customers_two_points": {
        "customers__walk_ins": {
            "buys_from": "store",
            "demand": {"kind": "negative_binomial", "mean": 3.0, "cv": 0.9},
            "backorder_cost_per_unit_day": 2.5,
            "price": 18.0,
        },
        "customers__tourists": {
            "buys_from": "kiosk",
            "demand": {"kind": "empirical", "values": [0, 2, 5, 9]},
            "unmet": "lost_sale",
            "lost_sale_penalty": 3.0,
        },
        "stock_points__kiosk": {
            "item": "widget",
            "source": "acme",
            "initial": 10,
            "lead_time": {"kind": "discrete_uniform", "low": 2, "high": 3},
            "review": {"every_days": 2},
            "policy": {"kind": "base_stock", "S": 25},
        },
        "suppliers__acme__title_transfer": "shipment",
    },
}


DC = {
    "item": "widget",
    "source": "acme",
    "initial": 40,
    "policy": {"kind": "s_S", "s": 30, "S": 90},
}
SPARE = {
    "items": ["widget"],
    "lead_time": {"kind": "discrete_uniform", "low": 0, "high": 2},
    "order_cost": 30.0,
    "unit_price": 12.0,
    "min_order": 4,
    "lot_multiple": 2,
    "title_transfer": "shipment",
}
#: Networks: stock points fed by a distribution centre (and one of them by the other store).
HAND_MADE.update(
    {
        "serial_dc_short_of_stock": {
            "stock_points__dc": DC,
            "stock_points__store__source": "dc",
            "stock_points__store__lead_time": {"kind": "discrete_uniform", "low": 1, "high": 3},
        },
        "distribution_dc_with_its_own_customers": {
            "stock_points__dc": {**DC, "review": {"every_days": 3, "offset_days": 1}},
            "stock_points__store__source": "dc",
            "stock_points__store__lead_time": 2,
            "stock_points__outlet": {
                "item": "widget",
                "source": "dc",
                "lead_time": 0,
                "initial": 5,
                "policy": {"kind": "r_Q", "r": 6, "Q": 10},
            },
            "customers__outlet_buyers": {
                "buys_from": "outlet",
                "demand": {"kind": "poisson", "mean": 3},
                "unmet": "lost_sale",
            },
            "customers__trade": {
                "buys_from": "dc",
                "demand": {"kind": "poisson", "mean": 2},
                "backorder_cost_per_unit_day": 0.3,
            },
            "run__warmup_days": 25,
        },
        "shared_supplier_capacity": {
            "suppliers__acme__capacity_per_day": 11.5,
            "suppliers__acme__title_transfer": "shipment",
            "suppliers__acme__lead_time": {"kind": "discrete_uniform", "low": 0, "high": 2},
            "stock_points__kiosk": {
                "item": "widget",
                "source": "acme",
                "initial": 10,
                "policy": {"kind": "base_stock", "S": 30},
            },
            "customers__tourists": {"buys_from": "kiosk", "demand": {"kind": "poisson", "mean": 4}},
        },
        "oracle_with_error_and_bias_beyond_the_horizon": {
            "stock_points__store__policy": {
                "kind": "jit",
                "forecast": {"kind": "oracle", "cv": 0.3, "bias": 0.1},
                "safety_days": 1.0,
            },
            "stock_points__store__review": {"every_days": 2},
            "customers__walk_ins": {
                "buys_from": "store",
                "demand": {"kind": "gamma", "mean": 2.0, "cv": 0.5},
            },
        },
        "expedite_same_supplier_with_capacity": {
            "suppliers__acme__capacity_per_day": 12.0,
            "stock_points__store__expedite": {
                "level": 10,
                "up_to": 25,
                "lead_time": 1,
                "premium_per_unit": 2.0,
                "order_cost": 15.0,
            },
        },
        "expedite_from_a_rush_supplier": {
            "suppliers__rush": {
                "items": ["widget"],
                "lead_time": {"kind": "discrete_uniform", "low": 0, "high": 1},
                "unit_price": 13.0,
                "min_order": 5,
                "lot_multiple": 5,
                "title_transfer": "shipment",
            },
            "suppliers__acme__capacity_per_day": 12.0,
            "stock_points__store__expedite": {
                "level": 10,
                "up_to": 25,
                "lead_time": {"kind": "discrete_uniform", "low": 0, "high": 1},
                "source": "rush",
                "position": "shipped",
                "premium_per_unit": 1.0,
            },
            "run__warmup_days": 15,
        },
        "dual_sourcing_shares": {
            "suppliers__spare": SPARE,
            "stock_points__store__backup": {"source": "spare", "split": "shares", "share": 0.3},
        },
        "dual_sourcing_failover_capacity": {
            "suppliers__spare": {**SPARE, "capacity_per_day": 6.0},
            "suppliers__acme__capacity_per_day": 8.0,
            "stock_points__store__backup": {"source": "spare", "failover_after_days": 1},
            "stock_points__store__expedite": {
                "level": 5,
                "up_to": 20,
                "lead_time": 1,
                "position": "shipped",
                "source": "spare",
            },
        },
        "dual_sourcing_failover_from_a_dc": {
            "suppliers__spare": SPARE,
            "stock_points__dc": {
                **DC,
                "initial": 120,
                "policy": {"kind": "s_S", "s": 60, "S": 140},
            },
            "stock_points__store__source": "dc",
            "stock_points__store__lead_time": 1,
            "stock_points__store__backup": {"source": "spare", "lead_time": 2},
        },
        "three_echelons_jit": {
            "stock_points__dc": DC,
            "stock_points__hub": {
                "item": "widget",
                "source": "dc",
                "lead_time": 1,
                "initial": 20,
                "policy": {"kind": "jit", "forecast": {"kind": "moving_average", "window": 4}},
            },
            "stock_points__store__source": "hub",
            "stock_points__store__lead_time": {"kind": "discrete_uniform", "low": 0, "high": 2},
        },
    }
)


@pytest.mark.parametrize("case", sorted(HAND_MADE))
def test_hand_made(case: str) -> None:
    assert_same_records(scenario_of(**HAND_MADE[case]), "base", range(8))


def test_hand_made_cases_hit_their_feature() -> None:
    """The cases above are not vacuous: lost sales happen, MOQ/lots round orders up, the
    warm-up shortens the window, the zero lead time is received the same day."""
    lost = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["lost_sales"]), "base"), 11, range(3)
    )
    assert all(r["lost_sales_units"] > 0 for r in lost)
    rounded = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["moq_and_lot"]), "base"), 11, range(3)
    )
    assert all(r["store.orders_rounded_up"] > 0 for r in rounded)
    warm = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["warm_up"]), "base"), 11, range(1)
    )
    assert warm[0]["window_days"] == 110.0
    network = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["serial_dc_short_of_stock"]), "base"), 11, range(3)
    )
    assert all(r["dc.backordered_units"] > 0 for r in network)  # the DC backorders the store
    slow = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["shared_supplier_capacity"]), "base"), 11, range(2)
    )
    fast = run_replications(
        jitsim.resolve(
            scenario_of(
                **{
                    **HAND_MADE["shared_supplier_capacity"],
                    "suppliers__acme__capacity_per_day": 1e6,
                }
            ),
            "base",
        ),
        11,
        range(2),
    )
    assert [r["avg_on_order"] for r in slow] != [r["avg_on_order"] for r in fast]  # it binds
    rush = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["expedite_from_a_rush_supplier"]), "base"),
        11,
        range(3),
    )
    assert all(r["store.expedited_orders"] > 0 for r in rush)
    dual = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["dual_sourcing_failover_from_a_dc"]), "base"),
        11,
        range(3),
    )
    assert sum(r["store.orders_to_backup"] for r in dual) > 0  # it fails over, sometimes
    assert all(r["store.orders_to_backup"] < r["store.orders_placed"] for r in dual)
    zero = run_replications(
        jitsim.resolve(scenario_of(**HAND_MADE["zero_lead_time"]), "base"), 11, range(1)
    )
    assert zero[0]["store.avg_on_order_eod"] == 0.0


def test_seeds_and_replication_ranges() -> None:
    """Another seed, and a range that does not start at 0, draw the same streams."""
    scenario = scenario_of()
    assert_same_records(scenario, "base", range(5, 9), seed=123)


def test_blocks_of_replications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cutting a range into blocks (the memory bound) changes no record."""
    resolved = jitsim.resolve(scenario_of(), "base")
    whole = run_replications(resolved, 3, range(10))
    monkeypatch.setattr("jitsim.fast.BLOCK", 3)
    assert run_replications(resolved, 3, range(10)) == whole
    assert BLOCK > 3


# -- scope -------------------------------------------------------------------------------------

OUT_OF_SCOPE = {
    "plants": (
        {},
        "plants",
    ),
    "inspection": ({"suppliers__acme__defect_rate": 0.02}, "inspection"),
    "payment terms": ({"suppliers__acme__payment_terms": {"days": 30}}, "cash ledger"),
    "finance": ({"finance": {"interest_rate_per_year": 0.05}}, "cash ledger"),
    "perishable": ({"items__widget__shelf_life": 10}, "perishable"),
    "end of life": ({"items__widget__end_of_life": {"at": 100}}, "end of life"),
    "orders": (
        {"customers__shoppers__demand": None, "customers__shoppers__orders": {"rate_per_day": 3}},
        "individual customer orders",
    ),
    "continuous review": ({"stock_points__store__review": "continuous"}, "continuous review"),
    "capacity": ({"stock_points__store__capacity": 100.0}, "warehouse capacity"),
    "quality crisis": (
        {
            "suppliers__acme__defect_rate": 0.02,
            "disruptions": {
                "bad_batch": {
                    "kind": "quality_crisis",
                    "nodes": ["acme"],
                    "multiplier": 3,
                    "windows": [{"start": 10, "days": 5}],
                }
            },
        },
        "quality_crisis events (disruptions.bad_batch)",
    ),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_SCOPE))
def test_out_of_scope(case: str) -> None:
    changes, words = OUT_OF_SCOPE[case]
    if case == "plants":
        scenario = jitsim.load_scenario(ROOT / "scenarios" / "assembly_plant.yaml")
        resolved = jitsim.resolve(scenario, scenario.alternative_names()[0])
    else:
        changes = {k: v for k, v in changes.items()}
        document = copy.deepcopy(BASE)
        for path, value in changes.items():
            *parents, last = path.split("__")
            node = document
            for key in parents:
                node = node[key]
            if value is None:
                del node[last]
            else:
                node[last] = value
        resolved = jitsim.resolve(jitsim.load_scenario_text(yaml.safe_dump(document)), "base")
    reason = out_of_scope(resolved)
    assert reason is not None and words in reason and "\n" not in reason
    with pytest.raises(ValueError, match="fast engine cannot run"):
        run_replications(resolved, 1, range(1))
