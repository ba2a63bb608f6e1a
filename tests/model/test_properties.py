"""Hypothesis properties of random small scenarios.

Random one-store and two-echelon scenarios (every policy kind with valid parameters, random
lead-time and demand distributions, backorders or lost sales, periodic or continuous review,
MOQ / lot multiples / supplier capacity, no warm-up) must conserve units, never hold negative
stock, report rates inside [0, 1], be reproducible from the seed, and give every alternative
the same demand path (common random numbers).

Scenarios are written as JSON text, which is YAML, and loaded with ``load_scenario_text``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.execution.simulate import ReplicationResult

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TOL = 1e-6

# ------------------------------------------------------------------------ strategies


def halves(low: int, high: int) -> st.SearchStrategy[float]:
    """Multiples of 0.5 in [low, high] (non-integer values without float noise)."""
    return st.integers(2 * low, 2 * high).map(lambda n: n / 2)


def lead_times() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(0, 3),  # a plain number: constant, whole days
        halves(0, 3),  # constant, possibly half days
        st.builds(
            lambda low, span: {"kind": "discrete_uniform", "low": low, "high": low + span},
            st.integers(0, 2),
            st.integers(0, 3),
        ),
        st.builds(
            lambda mean, cv: {"kind": "gamma", "mean": mean, "cv": cv},
            halves(1, 8).map(lambda x: x / 2),
            st.sampled_from([0.1, 0.5, 1.0]),
        ),
        st.builds(
            lambda low, span: {"kind": "uniform", "low": low, "high": low + span},
            halves(0, 2),
            halves(0, 3),
        ),
    )


def daily_demands() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(1, 8),
        halves(1, 8),
        st.builds(lambda m: {"kind": "poisson", "mean": m}, halves(1, 24).map(lambda x: x / 2)),
        st.builds(
            lambda m, cv: {"kind": "gamma", "mean": m, "cv": cv},
            st.integers(1, 10),
            st.sampled_from([0.2, 0.6, 1.0]),
        ),
        st.just({"kind": "negative_binomial", "mean": 5, "cv": 0.8}),
    )


def customer(name_of_point: str) -> st.SearchStrategy[dict[str, Any]]:
    daily = st.builds(lambda d: {"demand": d}, daily_demands())
    orders = st.builds(
        lambda rate, size: {"orders": {"rate_per_day": rate, "size": size}},
        halves(1, 6),
        st.sampled_from([1, 2, {"kind": "discrete_uniform", "low": 1, "high": 3}]),
    )
    return st.builds(
        lambda demand, unmet, p: {
            "buys_from": name_of_point,
            **demand,
            "unmet": unmet,
            "backorder_cost_per_unit_day": p,
            "lost_sale_penalty": p,
        },
        st.one_of(daily, orders),
        st.sampled_from(["backorder", "lost_sale"]),
        st.sampled_from([0, 0.5, 3]),
    )


FORECASTS = st.one_of(
    st.just({"kind": "naive"}),
    st.builds(lambda w: {"kind": "moving_average", "window": w}, st.integers(1, 7)),
    st.builds(
        lambda a: {"kind": "exponential_smoothing", "alpha": a}, st.sampled_from([0.1, 0.3, 1])
    ),
)
ORACLE = st.builds(
    lambda cv, bias: {"kind": "oracle", "cv": cv, "bias": bias},
    st.sampled_from([0, 0.2, 0.5]),
    st.sampled_from([0, -0.2, 0.3]),
)


def policies(oracle: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    s_s = st.builds(
        lambda s, gap: {"kind": "s_S", "s": s, "S": s + gap},
        st.integers(-5, 30),
        st.integers(1, 40),
    )
    base = st.builds(lambda big_s: {"kind": "base_stock", "S": big_s}, st.integers(0, 60))
    r_q = st.builds(
        lambda r, q: {"kind": "r_Q", "r": r, "Q": q}, st.integers(-5, 30), halves(1, 20)
    )
    eoq = st.one_of(
        st.just({"kind": "eoq"}),
        st.builds(
            lambda a: {"kind": "eoq", "cycle_service_level": a},
            st.sampled_from([0.5, 0.9, 0.99]),
        ),
        st.builds(lambda ss: {"kind": "eoq", "safety_stock": ss}, st.integers(0, 10)),
        st.builds(
            lambda q, r: {"kind": "eoq", "order_quantity": q, "reorder_point": r},
            st.integers(1, 40),
            st.integers(-3, 30),
        ),
    )
    jit = st.builds(
        lambda f, b: {"kind": "jit", "forecast": f, "safety_days": b},
        st.one_of(FORECASTS, ORACLE) if oracle else FORECASTS,
        st.sampled_from([0, 0.5, 2]),
    )
    kanban = st.builds(
        lambda n, c: {"kind": "kanban", "cards": n, "container_size": c},
        st.integers(1, 6),
        halves(1, 15),
    )
    return st.one_of(s_s, base, r_q, eoq, jit, kanban)


REVIEWS = st.one_of(
    st.just("continuous"),
    st.builds(
        lambda every, offset: {"every_days": every, "offset_days": offset},
        st.integers(1, 3),
        st.integers(0, 2),
    ),
)

SUPPLIER_TERMS = st.fixed_dictionaries(
    {},
    optional={
        "min_order": st.integers(1, 15),
        "lot_multiple": st.sampled_from([1, 2.5, 5]),
        "capacity_per_day": st.sampled_from([3, 8, 20]),
        "title_transfer": st.just("shipment"),
    },
)


@st.composite
def one_store(draw: st.DrawFn, alternatives: int = 0) -> dict[str, Any]:
    scenario: dict[str, Any] = {
        "name": "property",
        "run": {"horizon_days": draw(st.integers(5, 60)), "warmup_days": 0},
        "items": {"w": {"unit_cost": 10, "price": 15, "holding_rate": 0.25}},
        "suppliers": {
            "acme": {
                "items": ["w"],
                "lead_time": draw(lead_times()),
                "order_cost": draw(st.sampled_from([1, 20])),
                **draw(SUPPLIER_TERMS),
            }
        },
        "stock_points": {
            "store": {
                "item": "w",
                "source": "acme",
                "initial": draw(st.integers(0, 40)),
                "review": draw(REVIEWS),
                "policy": draw(policies()),
            }
        },
        "customers": {"c": draw(customer("store"))},
    }
    if alternatives:
        scenario["alternatives"] = {
            f"alt{i}": {"store": draw(policies())} for i in range(alternatives)
        }
    return scenario


@st.composite
def two_echelon(draw: st.DrawFn) -> dict[str, Any]:
    scenario = draw(one_store())
    scenario["stock_points"] = {
        "dc": {
            "item": "w",
            "source": "acme",
            "initial": draw(st.integers(0, 60)),
            "review": draw(REVIEWS),
            "policy": draw(policies(oracle=False)),  # the oracle needs a customer-facing point
        },
        "store": {
            "item": "w",
            "source": "dc",
            "lead_time": draw(lead_times()),
            "order_cost": draw(st.sampled_from([1, 5])),  # EOQ needs K > 0
            "initial": draw(st.integers(0, 30)),
            "review": draw(REVIEWS),
            "policy": draw(policies()),
        },
    }
    return scenario


def load(data: dict[str, Any]) -> jitsim.Scenario:
    return jitsim.load_scenario_text(json.dumps(data, indent=1))


def run_one(data: dict[str, Any], seed: int = 11, alternative: str = "base") -> ReplicationResult:
    return jitsim.simulate(load(data), alternative, 0, seed, trace=True, trajectories=True)


# ------------------------------------------------------------------------ bookkeeping


def total(result: ReplicationResult, node: str, event: str, note: str | None = None) -> float:
    return sum(
        q
        for _t, n, e, q, _level, text in result.trace
        if n == node and e == event and (note is None or text == note)
    )


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


def check_stock_point(data: dict[str, Any], result: ReplicationResult, node: str) -> dict:
    """Unit conservation and sign checks at one stock point; returns its flows."""
    k = {key.split(".", 1)[1]: v for key, v in result.kpis.items() if key.startswith(node + ".")}
    rows = result.trajectories[node]
    horizon = data["run"]["horizon_days"]
    assert len(rows) == horizon
    _day, on_hand_end, backorders_end, on_order_end, _cash = rows[-1]

    initial = data["stock_points"][node]["initial"]
    received = total(result, node, "receipt")
    late = total(result, node, "backorder filled")
    ordered = total(result, node, "order")
    demanded = total(result, node, "demand")
    filled_on_arrival = k["demand_units"] - k["backordered_units"] - k["lost_sales_units"]
    shipped = filled_on_arrival + late

    assert close(demanded, k["demand_units"])
    # initial + received = final on-hand + shipped (on arrival + late)
    assert close(initial + received, on_hand_end + shipped), (initial, received, on_hand_end)
    # backorders at the end = demanded − shipped − lost
    assert close(backorders_end, k["demand_units"] - shipped - k["lost_sales_units"])
    # on order at the end = ordered − received
    assert close(on_order_end, ordered - received)
    if not math.isnan(k["fill_rate"]):
        assert close(k["fill_rate"] * k["demand_units"], filled_on_arrival)

    # never negative: end-of-day series and every on-hand level in the trace
    for _day, on_hand, backorders, on_order, cash in rows:
        assert on_hand >= -TOL and backorders >= -TOL and on_order >= -TOL and cash >= -TOL
    for _t, n, event, quantity, level, _note in result.trace:
        if n != node:
            continue
        assert quantity >= -TOL
        if event in ("demand", "receipt", "stockout", "backorder filled"):
            assert level >= -TOL, (event, level)
        if event == "end of day":
            assert quantity >= -TOL

    # rates inside [0, 1] (fill rate is NaN without demand)
    for rate in ("fill_rate", "order_fill_rate"):
        assert math.isnan(k[rate]) or -TOL <= k[rate] <= 1 + TOL
    assert 0 <= k["cycle_service_level"] <= 1
    assert -TOL <= k["ready_rate"] <= 1 + TOL
    for kpi in ("holding_cost", "ordering_cost", "shortage_cost", "avg_on_hand"):
        assert k[kpi] >= -TOL

    # KPIs agree with the trace and the end-of-day series (no warm-up: the window is the run)
    order_rows = [q for _t, n, e, q, _l, _x in result.trace if n == node and e == "order"]
    assert k["orders_placed"] == len(order_rows)
    if order_rows:
        assert close(k["avg_order_qty"], ordered / len(order_rows))
    assert close(k["avg_on_hand_eod"], sum(r[1] for r in rows) / horizon)
    assert close(k["avg_backorders_eod"], sum(r[2] for r in rows) / horizon)
    h = 0.25 * 10 / 365
    assert close(k["holding_cost"] + k["obsolescence_cost"], h * k["avg_on_hand"] * horizon)
    # cash: the peak is at least every end-of-day value and the time average
    assert k["peak_cash_tied_up"] >= max(r[4] for r in rows) - TOL
    assert k["peak_cash_tied_up"] >= k["avg_cash_tied_up"] - TOL
    assert k["peak_cash_tied_up"] >= initial * 10 - TOL
    return {"shipped": shipped, "received": received, "ordered": ordered, "rows": rows}


def check_network(data: dict[str, Any], result: ReplicationResult) -> None:
    k = result.kpis
    assert math.isnan(k["fill_rate"]) or 0 <= k["fill_rate"] <= 1 + TOL
    assert 0 <= k["cycle_service_level"] <= 1
    assert k["stockout_days"] <= data["run"]["horizon_days"]
    assert k["sold_units"] + k["lost_sales_units"] <= k["demand_units"] + TOL
    customer_data = data["customers"]["c"]
    if customer_data["unmet"] == "lost_sale":
        assert k["backordered_units"] == 0
        if k["demand_units"] > 0:
            assert close(k["fill_rate"] + k["lost_sales_units"] / k["demand_units"], 1.0)
    else:
        assert k["lost_sales_units"] == 0
    assert close(
        k["total_cost"],
        k["holding_cost"] + k["obsolescence_cost"] + k["ordering_cost"] + k["shortage_cost"],
    )
    # network peak cash ≥ the network's end-of-day cash on every day
    days = zip(*(result.trajectories[name] for name in data["stock_points"]), strict=True)
    eod_cash = [sum(row[4] for row in rows) for rows in days]
    assert k["peak_cash_tied_up"] >= max(eod_cash) - TOL
    short_days = {math.floor(t) for t, n, e, *_ in result.trace if e == "stockout" and n == "store"}
    assert k["stockout_days"] == len(short_days)


# ------------------------------------------------------------------------ properties


@PROPERTY_SETTINGS
@given(one_store())
def test_one_store_conservation_and_bounds(data: dict[str, Any]) -> None:
    result = run_one(data)
    check_stock_point(data, result, "store")
    check_network(data, result)
    # the customer-facing trace agrees with the KPIs: Σ stockout rows = units not met
    short = total(result, "store", "stockout")
    k = result.kpis
    assert close(short, k["backordered_units"] + k["lost_sales_units"])


@PROPERTY_SETTINGS
@given(two_echelon())
def test_two_echelon_conservation(data: dict[str, Any]) -> None:
    result = run_one(data)
    dc = check_stock_point(data, result, "dc")
    store = check_stock_point(data, result, "store")
    check_network(data, result)
    k = result.kpis
    # the DC's demand is exactly what the store ordered
    assert close(k["dc.demand_units"], store["ordered"])
    assert k["dc.lost_sales_units"] == 0
    # across the DC: shipped by the DC = received by the store + in transit at the end,
    # and in transit = store's on-order − what the DC still owes it (its backorders).
    _d, _oh, dc_backorders_end, _oo, _c = dc["rows"][-1]
    _d, _oh, _bo, store_on_order_end, _c = store["rows"][-1]
    in_transit = store_on_order_end - dc_backorders_end
    assert in_transit >= -TOL
    assert close(dc["shipped"], store["received"] + in_transit)
    # DC demand rows name the store; the store's are its customer's
    assert {note for _t, n, e, _q, _l, note in result.trace if n == "dc" and e == "demand"} <= {
        "store"
    }


@PROPERTY_SETTINGS
@given(one_store(), st.integers(1, 4))
def test_warmup_window_matches_trace(data: dict[str, Any], warmup: int) -> None:
    # With warm-up w the KPIs count only t ≥ w; the trace and series keep everything.
    data["run"]["warmup_days"] = warmup
    horizon = data["run"]["horizon_days"]
    result = run_one(data)
    k = result.kpis
    rows = result.trajectories["store"]
    trace = [row for row in result.trace if row[1] == "store" and row[0] >= warmup]

    def window_total(event: str) -> float:
        return sum(q for _t, _n, e, q, _l, _x in trace if e == event)

    assert k["window_days"] == horizon - warmup
    assert close(k["demand_units"], window_total("demand"))
    assert k["store.orders_placed"] == sum(1 for row in trace if row[2] == "order")
    assert close(k["backordered_units"] + k["lost_sales_units"], window_total("stockout"))
    window_rows = rows[warmup:]
    assert close(k["store.avg_on_hand_eod"], sum(r[1] for r in window_rows) / len(window_rows))
    # conservation over the window: on-hand when it opens (= end of day w − 1) + received
    # = on-hand at the end + shipped (on arrival + late)
    opening = rows[warmup - 1][1]
    filled = k["demand_units"] - k["backordered_units"] - k["lost_sales_units"]
    shipped = filled + window_total("backorder filled")
    assert close(opening + window_total("receipt"), rows[-1][1] + shipped)
    assert 0 <= k["cycle_service_level"] <= 1
    assert math.isnan(k["fill_rate"]) or 0 <= k["fill_rate"] <= 1


def same_record(a: dict[str, float], b: dict[str, float]) -> bool:
    if a.keys() != b.keys():
        return False
    return all(
        (math.isnan(x) and math.isnan(b[key])) if math.isnan(x) else x == b[key]
        for key, x in a.items()
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_store(), st.integers(0, 2**32 - 1))
def test_same_seed_same_record(data: dict[str, Any], seed: int) -> None:
    scenario = load(data)
    first = jitsim.simulate(scenario, "base", 3, seed, trace=True)
    second = jitsim.simulate(scenario, "base", 3, seed, trace=True)
    assert same_record(first.kpis, second.kpis)
    assert first.trace == second.trace


def test_same_seed_same_batch_table() -> None:
    data = {
        "name": "batch",
        "run": {"horizon_days": 40},
        "items": {"w": {"unit_cost": 10}},
        "suppliers": {
            "acme": {"items": ["w"], "lead_time": {"kind": "gamma", "mean": 2, "cv": 0.5}}
        },
        "stock_points": {
            "store": {"item": "w", "source": "acme", "policy": {"kind": "s_S", "s": 5, "S": 30}}
        },
        "customers": {"c": {"buys_from": "store", "demand": {"kind": "poisson", "mean": 6}}},
        "alternatives": {
            "jit": {"store": {"kind": "jit"}},
            "ss": {"store": {"kind": "s_S", "s": 5, "S": 30}},
        },
    }
    scenario = load(data)
    first = jitsim.run(scenario, replications=4, seed=5).replications()
    second = jitsim.run(scenario, replications=4, seed=5).replications()
    pd.testing.assert_frame_equal(first, second)
    other = jitsim.run(scenario, replications=4, seed=6).replications()
    assert not first["demand_units"].equals(other["demand_units"])


RANDOM_DEMANDS = st.one_of(
    st.builds(lambda m: {"demand": {"kind": "poisson", "mean": m}}, st.integers(3, 12)),
    st.builds(lambda m: {"demand": {"kind": "gamma", "mean": m, "cv": 0.5}}, st.integers(1, 9)),
    st.builds(lambda r: {"orders": {"rate_per_day": r, "size": 1}}, st.integers(2, 6)),
)


def demand_path(result: ReplicationResult) -> list[tuple[float, float]]:
    return [
        (t, q)
        for t, n, e, q, _l, note in result.trace
        if n == "store" and e == "demand" and note == "c"
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_store(), RANDOM_DEMANDS, st.integers(0, 2**31))
def test_different_seed_different_demand(
    data: dict[str, Any], demand: dict[str, Any], seed: int
) -> None:
    # Random demand over ≥ 20 days: two seeds give the same path with negligible probability
    # (Poisson(≥3)^20 coincidences < 1e-10; continuous draws almost surely differ).
    data["run"]["horizon_days"] = max(data["run"]["horizon_days"], 20)
    data["customers"]["c"] = {"buys_from": "store", **demand}
    scenario = load(data)
    first = jitsim.simulate(scenario, "base", 0, seed, trace=True)
    second = jitsim.simulate(scenario, "base", 0, seed + 1, trace=True)
    other_rep = jitsim.simulate(scenario, "base", 1, seed, trace=True)
    assert demand_path(first) != demand_path(second)
    assert demand_path(first) != demand_path(other_rep)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_store(alternatives=2), st.integers(0, 5))
def test_alternatives_see_identical_demand(data: dict[str, Any], replication: int) -> None:
    scenario = load(data)
    paths = []
    demand = []
    for alternative in ("alt0", "alt1"):
        result = jitsim.simulate(scenario, alternative, replication, 99, trace=True)
        paths.append(demand_path(result))
        demand.append(result.kpis["demand_units"])
    assert paths[0] == paths[1]
    assert demand[0] == demand[1]
