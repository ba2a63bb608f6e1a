"""Hypothesis: generated in-scope scenarios give the same records on both engines (one or two
stock points, perhaps fed by a distribution centre, with one or two customers each)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.fast import out_of_scope
from tests.fast.test_fast_engine import assert_same_records

DEMANDS = st.one_of(
    st.builds(lambda m: {"kind": "poisson", "mean": m}, st.floats(0.0, 20.0)),
    st.builds(
        lambda m, s: {"kind": "normal", "mean": m, "sd": s},
        st.floats(0.0, 15.0),
        st.floats(0.0, 6.0),
    ),
    st.builds(
        lambda m, cv: {"kind": "negative_binomial", "mean": m, "cv": cv},
        st.floats(2.0, 12.0),
        st.floats(0.8, 1.5),
    ),
    st.integers(0, 9),
)
LEADS = st.one_of(
    st.integers(0, 6),
    st.builds(
        lambda low, extra: {"kind": "discrete_uniform", "low": low, "high": low + extra},
        st.integers(0, 4),
        st.integers(0, 4),
    ),
)


@st.composite
def policies(draw: Any, oracle: bool = True) -> dict[str, Any]:
    """A policy; the oracle forecast only when the stock point serves customers."""
    kind = draw(st.sampled_from(["s_S", "base_stock", "r_Q", "eoq", "kanban", "jit"]))
    if kind == "jit":
        forecast = draw(
            st.sampled_from(
                [
                    {"kind": "naive"},
                    {"kind": "moving_average", "window": draw(st.integers(1, 10))},
                    {"kind": "exponential_smoothing", "alpha": draw(st.floats(0.01, 1.0))},
                    {"kind": "oracle", "cv": draw(st.floats(0.0, 0.5))}
                    if oracle
                    else {"kind": "naive"},
                ]
            )
        )
        return {"kind": "jit", "forecast": forecast, "safety_days": draw(st.floats(0.0, 3.0))}
    if kind == "s_S":
        s = draw(st.integers(-5, 60))
        return {"kind": "s_S", "s": s, "S": s + draw(st.integers(1, 80))}
    if kind == "base_stock":
        return {"kind": "base_stock", "S": draw(st.integers(0, 120))}
    if kind == "r_Q":
        return {"kind": "r_Q", "r": draw(st.integers(-5, 60)), "Q": draw(st.floats(0.5, 60.0))}
    if kind == "eoq":
        return {
            "kind": "eoq",
            "order_quantity": draw(st.floats(1.0, 80.0)),
            "safety_stock": draw(st.floats(0.0, 20.0)),
        }
    return {
        "kind": "kanban",
        "cards": draw(st.integers(1, 10)),
        "container_size": draw(st.floats(1.0, 20.0)),
    }


@st.composite
def scenarios(draw: Any) -> jitsim.Scenario:
    horizon = draw(st.integers(8, 90))
    points: dict[str, Any] = {}
    customers: dict[str, Any] = {}
    sources = ["acme"]
    if draw(st.booleans()):  # a distribution centre feeding some of the stock points
        points["dc"] = {
            "item": "widget",
            "source": "acme",
            "initial": draw(st.integers(0, 100)),
            "policy": draw(policies(oracle=False)),
            "lead_time": draw(LEADS),
        }
        sources.append("dc")
    for p in range(draw(st.integers(1, 2))):
        every = draw(st.integers(1, 4))
        expedite = None
        if draw(st.booleans()):
            level = draw(st.integers(-5, 20))
            expedite = {
                "level": level,
                "up_to": level + draw(st.integers(0, 30)),
                "lead_time": draw(LEADS),
                "position": draw(st.sampled_from(["inventory", "shipped"])),
                "premium_per_unit": draw(st.floats(0.0, 3.0)),
                "order_cost": draw(st.floats(0.0, 20.0)),
                "source": "acme",
            }
        backup = None
        source = draw(st.sampled_from(sources))
        if draw(st.booleans()):
            split = draw(st.sampled_from(["failover", "shares"]))
            backup = {"source": "spare", "split": split, "lead_time": draw(LEADS)}
            if split == "shares":
                backup["share"] = draw(st.floats(0.05, 0.95))
            elif source == "acme":  # a delay only from a supplier
                backup["failover_after_days"] = draw(st.integers(0, 2))
        points[f"sp{p}"] = {
            "item": "widget",
            "source": source,
            "initial": draw(st.integers(0, 60)),
            "review": {"every_days": every, "offset_days": draw(st.integers(0, every))},
            "policy": draw(policies()),
            "lead_time": draw(LEADS),
            **({"expedite": expedite} if expedite is not None else {}),
            **({"backup": backup} if backup is not None else {}),
        }
        for c in range(draw(st.integers(1, 2))):
            customer: dict[str, Any] = {
                "buys_from": f"sp{p}",
                "demand": draw(DEMANDS),
                "unmet": draw(st.sampled_from(["backorder", "lost_sale"])),
                "backorder_cost_per_unit_day": draw(st.floats(0.0, 3.0)),
                "lost_sale_penalty": draw(st.floats(0.0, 5.0)),
            }
            if draw(st.booleans()):
                customer["seasonality"] = {
                    "weekly": draw(st.lists(st.floats(0.0, 2.0), min_size=7, max_size=7))
                }
                customer["trend_per_year"] = draw(st.floats(-0.5, 1.0))
            customers[f"c{p}_{c}"] = customer
    supplier: dict[str, Any] = {
        "items": ["widget"],
        "lead_time": 1,
        "order_cost": draw(st.floats(0.0, 100.0)),
        "min_order": draw(st.sampled_from([0.0, 5.0, 30.0])),
        "title_transfer": draw(st.sampled_from(["receipt", "shipment"])),
    }
    if draw(st.booleans()):
        supplier["capacity_per_day"] = draw(st.floats(1.0, 40.0))
    if draw(st.booleans()):
        supplier["lot_multiple"] = draw(st.sampled_from([1.0, 6.0, 2.5]))
    document = {
        "name": "generated",
        "run": {
            "horizon_days": horizon,
            "warmup_days": draw(st.integers(0, horizon - 1)),
            "seed": draw(st.integers(0, 1000)),
            "cost_basis": draw(st.sampled_from(["continuous", "end_of_day"])),
        },
        "items": {"widget": {"unit_cost": draw(st.floats(0.5, 50.0)), "price": 20.0}},
        "suppliers": {
            "acme": supplier,
            "spare": {
                "items": ["widget"],
                "lead_time": 1,
                "order_cost": 25.0,
                "min_order": draw(st.sampled_from([0.0, 10.0])),
                **({"capacity_per_day": draw(st.floats(1.0, 30.0))} if draw(st.booleans()) else {}),
            },
        },
        "stock_points": points,
        "customers": customers,
    }
    return jitsim.load_scenario_text(yaml.safe_dump(document))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_match(scenario: jitsim.Scenario) -> None:
    assert out_of_scope(jitsim.resolve(scenario, "base")) is None
    assert_same_records(scenario, "base", range(3))
