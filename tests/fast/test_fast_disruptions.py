"""Disruptions and lead times off the whole days on the fast engine (compiled day loop only)
against the SimPy engine: every KPI of every replication, exactly, disruption KPIs too.

Shipments leave at the end of an outage and arrive after a lead time that may be any real
number of days, so these cases exercise the compiled loop's events off the whole days
(before noon's demand when due by noon, after it otherwise), the suppliers' behaviour while
down (queue, refuse, redirect, frozen transit, ramp-ups), closed stock points, lead-time
shocks, demand surges, stock losses and the disruption KPIs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.fast import _policies, out_of_scope, run_columns
from jitsim.fast.engine import Engine
from jitsim.fast.scope import KERNEL_SWITCH, numpy_scope
from tests.conftest import SCENARIOS
from tests.fast.test_fast_engine import DC, SPARE, assert_same_records, scenario_of

pytest.importorskip("numba")

RANDOM = {"up": {"kind": "exponential", "mean": 30}, "down": {"kind": "exponential", "mean": 6}}


def outage(nodes: list[str], **timeline: Any) -> dict[str, Any]:
    """A ``disruptions:`` section with one outage event, ``fail``, of ``nodes``."""
    return {"fail": {"kind": "outage", "nodes": nodes, **timeline}}


#: Hand-made cases: (changes to test_fast_engine.BASE, a KPI that must be > 0 somewhere so
#: that the case is not vacuous).
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "scheduled_whole_days": (
        {
            "disruptions": outage(
                ["acme"], windows=[{"start": 20, "days": 10}, {"start": 80, "days": 5}]
            )
        },
        "lost_sales_in_disruption",
    ),
    "scheduled_off_the_days": (
        {
            "disruptions": outage(
                ["acme"], windows=[{"start": 20.3, "days": 10.45}, {"start": 80, "days": 5.5}]
            )
        },
        "lost_sales_in_disruption",
    ),
    "random": ({"disruptions": outage(["acme"], **RANDOM)}, "acme.downtime_days"),
    "markov": ({"disruptions": outage(["acme"], p_down=0.02, p_up=0.2)}, "disrupted_days"),
    "refuse": (
        {
            "disruptions": outage(["acme"], **RANDOM),
            "suppliers__acme__when_down": {"orders": "refuse"},
        },
        "refused_orders",
    ),
    "freeze_capacity_ramp_up": (
        {
            "disruptions": outage(["acme"], **RANDOM),
            "suppliers__acme__when_down": {"in_transit": "freeze", "ramp_up_days": 4},
            "suppliers__acme__capacity_per_day": 20.0,
        },
        "lost_sales_in_disruption",
    ),
    "redirect_to_a_failover_backup": (
        {
            "disruptions": outage(["acme"], **RANDOM),
            "suppliers__acme__when_down": {"orders": "redirect", "in_transit": "freeze"},
            "suppliers__spare": SPARE,
            "stock_points__store__backup": {"source": "spare"},
        },
        "store.orders_to_backup",
    ),
    "redirect_shares_both_down_lost_sales": (
        {
            "disruptions": {
                "fail": {"kind": "outage", "nodes": ["acme", "spare"], **RANDOM},
                "spare_strike": {
                    "kind": "outage",
                    "nodes": ["spare"],
                    "windows": [{"start": 40.25, "days": 12.5}],
                },
            },
            "suppliers__acme__when_down": {"orders": "redirect"},
            "suppliers__spare": {**SPARE, "when_down": {"orders": "refuse"}},
            "stock_points__store__backup": {"source": "spare", "split": "shares", "share": 0.3},
            "customers__shoppers__unmet": "lost_sale",
            "run__warmup_days": 30,
        },
        "refused_orders",
    ),
    "expedite_refused_while_down": (
        {
            "disruptions": outage(["acme"], windows=[{"start": 30.5, "days": 20}]),
            "suppliers__acme__when_down": {"orders": "refuse"},
            "stock_points__store__expedite": {
                "level": 10,
                "up_to": 40,
                "lead_time": 1.5,
                "premium_per_unit": 2.0,
                "order_cost": 15.0,
                "position": "shipped",
            },
        },
        "store.refused_orders",
    ),
    "serial_chain_upstream_outage": (
        {
            "disruptions": outage(
                ["acme"],
                up={"kind": "exponential", "mean": 25},
                down={"kind": "gamma", "mean": 7, "cv": 0.5},
            ),
            "suppliers__acme__lead_time": {"kind": "gamma", "mean": 3, "cv": 0.4},
            "stock_points__dc": DC,
            "stock_points__store__source": "dc",
            "stock_points__store__lead_time": 0.75,
            "run__warmup_days": 20,
        },
        "lost_sales_in_disruption",
    ),
    "stock_point_closed_in_a_chain": (
        {
            "disruptions": outage(["store"], windows=[{"start": 30.4, "days": 9}]),
            "stock_points__dc": DC,
            "stock_points__store__source": "dc",
            "stock_points__store__lead_time": 1,
        },
        "store.downtime_days",
    ),
    "lead_time_shocks_and_a_neutral_one": (
        {
            "disruptions": {
                "strike": {
                    "kind": "lead_time_shock",
                    "nodes": ["acme"],
                    "multiplier": 2.0,
                    "add_days": 1.5,
                    "windows": [{"start": 20, "days": 30}],
                },
                "customs": {
                    "kind": "lead_time_shock",
                    "nodes": ["store"],
                    "add_days": 2,
                    "windows": [{"start": 40.5, "days": 20}],
                },
                "baseline": {
                    "kind": "lead_time_shock",
                    "nodes": ["acme"],
                    "windows": [{"start": 10, "days": 140}],
                },
                "fail": {"kind": "outage", "nodes": ["acme"], **RANDOM},
            },
            "suppliers__acme__when_down": {"in_transit": "freeze", "orders": "redirect"},
            "suppliers__spare": SPARE,
            "stock_points__store__backup": {"source": "spare"},
        },
        "lost_sales_in_disruption",
    ),
    "demand_surge_and_drop_with_an_oracle": (
        {
            "disruptions": {
                "promotion": {
                    "kind": "demand_surge",
                    "nodes": ["shoppers"],
                    "multiplier": 2.5,
                    "windows": [{"start": 30, "days": 14}],
                },
                "holiday": {
                    "kind": "demand_surge",
                    "nodes": ["shoppers"],
                    "multiplier": 0.3,
                    "windows": [{"start": 90.5, "days": 10}],
                },
            },
            "stock_points__store__policy": {
                "kind": "jit",
                "forecast": {"kind": "oracle", "cv": 0.2},
                "safety_days": 1.0,
            },
        },
        "promotion.service_recovered",
    ),
    "stock_losses_on_and_off_the_days": (
        {
            "disruptions": {
                "fire": {
                    "kind": "stock_loss",
                    "nodes": ["store", "dc"],
                    "fraction": 0.5,
                    "at": [60, 25.25],
                },
                "theft": {
                    "kind": "stock_loss",
                    "nodes": ["store"],
                    "fraction": 0.2,
                    "at": [60, 5, 200],
                },
            },
            "stock_points__dc": DC,
            "stock_points__store__source": "dc",
            "stock_points__store__lead_time": 2,
            "run__warmup_days": 10,
        },
        "units_destroyed",
    ),
    # lead times that are not whole days, without disruptions
    "fractional_lead_time": ({"suppliers__acme__lead_time": 2.5}, "backordered_units"),
    "gamma_lead_time": (
        {"suppliers__acme__lead_time": {"kind": "gamma", "mean": 3, "cv": 0.3}},
        "backordered_units",
    ),
    "expedite_lead_time_half_a_day": (
        {"stock_points__store__expedite": {"level": 32, "up_to": 60, "lead_time": 0.5}},
        "store.expedited_orders",
    ),
    "backup_lead_time_one_and_a_half_days": (
        {
            "suppliers__spare": {"items": ["widget"], "lead_time": 1},
            "suppliers__acme__capacity_per_day": 12.0,
            "stock_points__store__backup": {"source": "spare", "lead_time": 1.5},
        },
        "store.orders_to_backup",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_made_cases(case: str) -> None:
    changes, kpi = CASES[case]
    scenario = scenario_of(**changes)
    resolved = jitsim.resolve(scenario, "base")
    assert out_of_scope(resolved) is None and numpy_scope(resolved) is not None
    assert_same_records(scenario, "base", range(8))
    columns = run_columns(resolved, scenario.run.seed, range(8))
    assert np.nansum(columns[kpi]) > 0, f"{kpi} is never above 0: the case tests nothing"


def test_recovery_kpis_are_measured() -> None:
    """A month-long scheduled outage: service drops in every replication and the
    recovery KPIs are defined (and equal the SimPy engine's, by the test above's helper)."""
    scenario = scenario_of(
        disruptions=outage(["acme"], windows=[{"start": 40, "days": 30}]),
        customers__shoppers__unmet="lost_sale",
    )
    assert_same_records(scenario, "base", range(4))
    columns = run_columns(jitsim.resolve(scenario, "base"), 3, range(4))
    assert (columns["fail.service_drop_day"] >= 40).all()
    assert (columns["fail.service_recovered"] == 1.0).all()
    assert (columns["acme.downtime_days"] == 30.0).all()
    assert not np.isnan(columns["fail.first_shortfall_day"]).any()


def test_the_numpy_loop_refuses_them() -> None:
    scenario = scenario_of(**CASES["random"][0])
    resolved = jitsim.resolve(scenario, "base")
    policies, _ = _policies(resolved, 1)
    engine = Engine(resolved, 1, range(2), policies)
    with pytest.raises(ValueError, match=r"numpy day loop cannot run.*compiled day loop only"):
        engine.run(kernel=False)


def test_out_of_scope_without_the_compiled_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the compiled loop switched off, outages and fractional lead times run on the
    SimPy engine, and the reason says how to get the compiled loop."""
    monkeypatch.setenv(KERNEL_SWITCH, "0")
    for case in ("random", "fractional_lead_time"):
        reason = out_of_scope(jitsim.resolve(scenario_of(**CASES[case][0]), "base"))
        assert reason is not None and "jitsim[fast]" in reason and "\n" not in reason
    assert out_of_scope(jitsim.resolve(scenario_of(), "base")) is None


WHEN_DOWN = st.fixed_dictionaries(
    {
        "orders": st.sampled_from(["queue", "refuse", "redirect"]),
        "in_transit": st.sampled_from(["continue", "freeze"]),
        "ramp_up_days": st.sampled_from([0.0, 0.5, 3.0]),
    }
)
TIMELINES = st.one_of(
    st.builds(
        lambda starts, days: {
            "windows": [{"start": s, "days": d} for s, d in zip(starts, days, strict=False)]
        },
        st.lists(st.floats(0.0, 80.0), min_size=1, max_size=3),
        st.lists(st.floats(0.25, 15.0), min_size=3, max_size=3),
    ),
    st.builds(
        lambda up, down: {
            "up": {"kind": "exponential", "mean": up},
            "down": {"kind": "gamma", "mean": down, "cv": 0.6},
        },
        st.floats(5.0, 60.0),
        st.floats(0.5, 12.0),
    ),
    st.builds(lambda p, q: {"p_down": p, "p_up": q}, st.floats(0.01, 0.2), st.floats(0.1, 0.9)),
)
LEAD_TIMES = st.one_of(
    st.integers(0, 4),
    st.floats(0.1, 4.0),
    st.builds(lambda m: {"kind": "gamma", "mean": m, "cv": 0.5}, st.floats(0.5, 4.0)),
)


WINDOW = st.builds(
    lambda start, days: [{"start": start, "days": days}],
    st.floats(0.0, 100.0),
    st.floats(0.5, 30.0),
)
#: Other events added to a generated outage (each maybe): a lead-time shock, a demand surge,
#: stock losses and a closure of the store.
OTHERS = st.fixed_dictionaries(
    {},
    optional={
        "shock": st.builds(
            lambda m, a, w: {
                "kind": "lead_time_shock",
                "nodes": ["acme"],
                "multiplier": m,
                "add_days": a,
                "windows": w,
            },
            st.sampled_from([1.0, 0.5, 2.0]),
            st.sampled_from([0.0, 1.5, 3.0]),
            WINDOW,
        ),
        "surge": st.builds(
            lambda m, w: {
                "kind": "demand_surge",
                "nodes": ["shoppers"],
                "multiplier": m,
                "windows": w,
            },
            st.floats(0.2, 3.0),
            WINDOW,
        ),
        "loss": st.builds(
            lambda f, at: {"kind": "stock_loss", "nodes": ["store"], "fraction": f, "at": at},
            st.floats(0.0, 1.0),
            st.lists(st.floats(0.0, 160.0), min_size=1, max_size=3),
        ),
        "closure": st.builds(
            lambda w: {"kind": "outage", "nodes": ["store"], "windows": w}, WINDOW
        ),
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    timeline=TIMELINES,
    when_down=WHEN_DOWN,
    lead=LEAD_TIMES,
    capacity=st.one_of(st.none(), st.floats(5.0, 40.0)),
    backup=st.sampled_from([None, "failover", "shares"]),
    serial=st.booleans(),
    lost=st.booleans(),
    warmup=st.integers(0, 40),
    others=OTHERS,
)
def test_generated_outages_match(
    timeline: dict[str, Any],
    when_down: dict[str, Any],
    lead: Any,
    capacity: float | None,
    backup: str | None,
    serial: bool,
    lost: bool,
    warmup: int,
    others: dict[str, Any],
) -> None:
    """Generated supplier outages (every timeline kind and behaviour while down), with
    fractional lead times, capacity, a backup, a serial chain and the other kinds of events
    in any combination."""
    if when_down["ramp_up_days"] and capacity is None:
        when_down = {**when_down, "ramp_up_days": 0.0}  # a ramp-up needs a capacity
    changes: dict[str, Any] = {
        "disruptions": {**outage(["acme"], **timeline), **others},
        "suppliers__acme__when_down": when_down,
        "suppliers__acme__lead_time": lead,
        "run__warmup_days": warmup,
    }
    if capacity is not None:
        changes["suppliers__acme__capacity_per_day"] = capacity
    if backup is not None:
        changes["suppliers__spare"] = SPARE
        rule: dict[str, Any] = {"source": "spare", "split": backup}
        if backup == "shares":
            rule["share"] = 0.4
        changes["stock_points__store__backup"] = rule
    if serial:
        changes["stock_points__dc"] = DC
        changes["stock_points__store__source"] = "dc"
        changes["stock_points__store__lead_time"] = 1.25
        changes.pop("stock_points__store__backup", None)
    if lost:
        changes["customers__shoppers__unmet"] = "lost_sale"
    scenario = scenario_of(**changes)
    assert out_of_scope(jitsim.resolve(scenario, "base")) is None
    assert_same_records(scenario, "base", range(3))


def test_bundled_disruption_scenario_in_full() -> None:
    """The bundled single-source failure, whole year, 40 replications: the same records,
    and outages in most of them (the comparison is not vacuous)."""
    scenario = jitsim.load_scenario(SCENARIOS / "jit_single_source_failure.yaml")
    for alternative in ("jit_single", "jit_with_backup"):
        assert_same_records(scenario, alternative, range(40))
    columns = run_columns(jitsim.resolve(scenario, "jit_single"), scenario.run.seed, range(40))
    assert np.mean(columns["boardworks.downtime_days"] > 0) > 0.4
    assert not math.isnan(np.nanmean(columns["boardworks_breakdowns.service_recovery_days"]))
