"""Warehouse space: capacity, refused deliveries, overflow storage and their costs.

* hand trace (``overflow: refuse``): the part of a receipt that does not fit stays on order and
  arrives after another lead time; every KPI of the trace asserted (docs/waste-space-cash.md);
* ``overflow: external``: ``overflow_units`` equals Σ over the measured days of
  (end-of-day stock − capacity)⁺ computed from the trajectories, in units and in m³; its cost,
  the reserved space's cost and ``total_cost``;
* a scenario without a capacity, or with a capacity nothing reaches, gives the same numbers;
* Hypothesis: under ``refuse`` the stored stock never exceeds the capacity;
* the warning for a capacity below a policy's level.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.errors import JitsimWarning
from jitsim.scenario.event_warnings import scenario_warnings

SPACE_KPIS = (
    "peak_space_used",
    "space_utilisation",
    "overflow_units",
    "overflow_cost",
    "space_cost",
    "refused_deliveries",
    "refused_units",
)


def load(text: str) -> jitsim.Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitsimWarning)  # capacities below S, on purpose
        return jitsim.load_scenario_text(text)


# ------------------------------------------------------------------------ hand trace: refuse

REFUSE = """
name: refuse trace
run: {horizon_days: 12, seed: 1}
items:
  w: {unit_cost: 1, holding_rate: 0}
suppliers:
  acme: {items: [w], lead_time: 2}
stock_points:
  store:
    item: w
    source: acme
    initial: 8
    review: {every_days: 1}
    policy: {kind: r_Q, r: 5, Q: 10}
    capacity: 8
    overflow: refuse
    space_cost_per_unit_day: 0.25
customers:
  c: {buys_from: store, demand: 2}
"""


def store_rows(trace: list[tuple[float, str, str, float, float, str]], event: str) -> list:
    return [(t, q, level, note) for t, n, e, q, level, note in trace if n == "store" and e == event]


def test_hand_trace_refused_units_stay_on_order_and_arrive_a_lead_time_later() -> None:
    """Capacity 8, (r, Q) = (5, 10), L = 2, demand 2 a day at noon, initial 8.

    day 2: IP 4 ≤ 5: order 10 (due 4).   day 4: on hand 0: 8 fit, 2 refused (due 4 + 2 = 6),
    on order 2.   day 6: the 2 arrive (4 on hand: room 4).   day 7: IP 4: order 10 (due 9).
    day 9: 8 fit, 2 refused (due 11).   day 11: the 2 arrive.
    """
    result = jitsim.simulate(load(REFUSE), "base", 0, trace=True, trajectories=True)
    assert store_rows(result.trace, "order") == [
        (2.0, 10.0, 4.0, "to acme"),
        (7.0, 10.0, 4.0, "to acme"),
    ]
    assert store_rows(result.trace, "space refused") == [
        (4.0, 2.0, 0.0, "of 10; no space, delivered again at 6"),
        (9.0, 2.0, 0.0, "of 10; no space, delivered again at 11"),
    ]
    assert store_rows(result.trace, "receipt") == [
        (4.0, 8.0, 8.0, ""),
        (6.0, 2.0, 6.0, ""),
        (9.0, 8.0, 8.0, ""),
        (11.0, 2.0, 6.0, ""),
    ]
    # End-of-day (on hand, on order) of days 0..11: the refused 2 stay on order until day 6/11.
    eod = [(t, on_hand, on_order) for t, on_hand, _b, on_order, _c in result.trajectories["store"]]
    assert eod == [
        (0.0, 6.0, 0.0), (1.0, 4.0, 0.0), (2.0, 2.0, 10.0), (3.0, 0.0, 10.0),
        (4.0, 6.0, 2.0), (5.0, 4.0, 2.0), (6.0, 4.0, 0.0), (7.0, 2.0, 10.0),
        (8.0, 0.0, 10.0), (9.0, 6.0, 2.0), (10.0, 4.0, 2.0), (11.0, 4.0, 0.0),
    ]  # fmt: skip
    kpis = result.kpis
    assert kpis["store.refused_deliveries"] == 2.0
    assert kpis["store.refused_units"] == 4.0
    assert kpis["store.peak_space_used"] == 8.0
    # Time-average on hand over 12 days: each half-day level, by hand = 54 unit-days / 12.
    assert kpis["store.avg_on_hand"] == pytest.approx(4.5, abs=1e-12)
    assert kpis["store.space_utilisation"] == pytest.approx(4.5 / 8, abs=1e-12)
    assert kpis["store.overflow_units"] == 0.0
    assert kpis["store.space_cost"] == pytest.approx(0.25 * 8 * 12, abs=1e-12)
    assert kpis["store.fill_rate"] == 1.0
    assert kpis["refused_deliveries"] == 2.0
    assert kpis["space_cost"] == kpis["store.space_cost"]
    assert kpis["total_cost"] == pytest.approx(24.0, abs=1e-9)  # no other cost in this trace


def test_hand_trace_units_for_waiting_backorders_take_no_space() -> None:
    """Demand 3 a day, (r, Q) = (6, 12), L = 2, initial 8, capacity 8.

    day 1: IP 5 ≤ 6: order 12 (due 3).   noon day 2: 2 on hand, 3 demanded: 1 backordered.
    day 3: receipt 12 with 0 on hand and 1 backordered: room 8 − 0 + 1 = 9, so 9 are put away
    and 3 refused (due 3 + 2 = 5); the backorder takes 1 at once, 8 stay: the capacity.
    day 5: the 3 arrive (2 on hand → 5), then the review orders 12 (IP 5 ≤ 6).
    """
    text = (
        REFUSE.replace("demand: 2", "demand: 3")
        .replace("r: 5, Q: 10", "r: 6, Q: 12")
        .replace("horizon_days: 12", "horizon_days: 6")
    )
    trace = jitsim.simulate(load(text), "base", 0, trace=True).trace
    assert store_rows(trace, "space refused") == [
        (3.0, 3.0, 0.0, "of 12; no space, delivered again at 5")
    ]
    assert store_rows(trace, "receipt") == [(3.0, 9.0, 9.0, ""), (5.0, 3.0, 5.0, "")]
    assert store_rows(trace, "backorder filled") == [(3.0, 1.0, 8.0, "")]
    assert store_rows(trace, "order") == [(1.0, 12.0, 5.0, "to acme"), (5.0, 12.0, 5.0, "to acme")]


# ------------------------------------------------------------------------ external overflow

EXTERNAL = """
name: external overflow
run: {horizon_days: 300, warmup_days: 30, seed: 11}
items:
  w: {unit_cost: 5, price: 9, holding_rate: 0.2, volume: 0.3}
suppliers:
  acme: {items: [w], lead_time: {kind: uniform, low: 1, high: 6}, order_cost: 40}
stock_points:
  store:
    item: w
    source: acme
    initial: 30
    review: {every_days: 3}
    policy: {kind: s_S, s: 15, S: 70}
    capacity: 40
    overflow: external
    overflow_cost_per_unit_day: 0.7
    space_cost_per_unit_day: 0.05
customers:
  c: {buys_from: store, demand: {kind: poisson, mean: 6}}
"""


def overflow_from_trajectory(result: jitsim.ReplicationResult, warmup: int, cap: float) -> float:
    """Σ over measured days of (end-of-day on hand − cap)⁺, from the end-of-day series."""
    total = 0.0
    for t, on_hand, *_rest in result.trajectories["store"]:
        if t >= warmup and on_hand - cap > 0.0:
            total += on_hand - cap
    return total


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_external_overflow_equals_stock_above_capacity_on_the_trajectories(
    replication: int,
) -> None:
    scenario = load(EXTERNAL)
    result = jitsim.simulate(scenario, "base", replication, trajectories=True)
    kpis = result.kpis
    expected = overflow_from_trajectory(result, 30, 40.0)
    assert expected > 100  # the case overflows often
    assert kpis["store.overflow_units"] == expected  # the same sums in the same order: exact
    assert kpis["store.overflow_cost"] == pytest.approx(0.7 * expected, rel=1e-12)
    assert kpis["store.space_cost"] == pytest.approx(0.05 * 40 * 270, rel=1e-12)
    assert kpis["store.peak_space_used"] >= max(
        on_hand for t, on_hand, *_ in result.trajectories["store"] if t >= 30
    )
    assert kpis["store.peak_space_used"] > 40  # stock in overflow storage
    assert kpis["store.space_utilisation"] == pytest.approx(
        kpis["store.avg_on_hand"] / 40, rel=1e-12
    )
    assert kpis["store.refused_deliveries"] == 0
    # total_cost has exactly the two space costs on top of the costs without them.
    others = sum(
        kpis[k]
        for k in (
            "holding_cost",
            "obsolescence_cost",
            "ordering_cost",
            "shortage_cost",
            "quality_cost",
            "expedite_cost",
        )
    )
    assert kpis["total_cost"] == pytest.approx(
        others + kpis["space_cost"] + kpis["overflow_cost"], rel=1e-12
    )
    assert kpis["profit"] == pytest.approx(
        kpis["revenue"] - kpis["purchase_cost"] - kpis["total_cost"], rel=1e-12
    )


def test_external_overflow_in_cubic_metres() -> None:
    """Capacity 12 m³ of 0.3 m³ units = 40 units: overflow in m³-days, the same stock."""
    units = jitsim.simulate(load(EXTERNAL), "base", 0, trajectories=True)
    cubic = load(EXTERNAL.replace("capacity: 40", "capacity: 12\n    capacity_unit: m3"))
    result = jitsim.simulate(cubic, "base", 0, trajectories=True)
    expected = sum(
        max(0.3 * on_hand - 12.0, 0.0) for t, on_hand, *_ in result.trajectories["store"] if t >= 30
    )
    assert result.kpis["store.overflow_units"] == pytest.approx(expected, rel=1e-12)
    assert result.kpis["store.overflow_units"] == pytest.approx(
        0.3 * units.kpis["store.overflow_units"], rel=1e-12
    )
    assert result.kpis["store.space_cost"] == pytest.approx(0.05 * 12 * 270, rel=1e-12)
    assert result.kpis["store.peak_space_used"] == pytest.approx(
        0.3 * units.kpis["store.peak_space_used"], rel=1e-12
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capacity=st.floats(1, 80),
    S=st.integers(1, 150),
    lead=st.integers(0, 5),
    mean=st.floats(0.5, 12),
    review=st.sampled_from(["continuous", "{every_days: 1}", "{every_days: 5}"]),
    warmup=st.integers(0, 20),
    seed=st.integers(0, 10_000),
)
def test_external_overflow_equals_the_trajectory_sum_anywhere(
    capacity: float, S: int, lead: int, mean: float, review: str, warmup: int, seed: int
) -> None:
    text = EXTERNAL
    for old, new in (
        ("horizon_days: 300, warmup_days: 30, seed: 11",
         f"horizon_days: 90, warmup_days: {warmup}, seed: {seed}"),
        ("{kind: uniform, low: 1, high: 6}", f"{{kind: uniform, low: {lead}, high: {lead + 2}}}"),
        ("review: {every_days: 3}", f"review: {review}"),
        ("s: 15, S: 70", f"s: {S // 3}, S: {S}"),
        ("capacity: 40", f"capacity: {capacity!r}"),
        ("mean: 6", f"mean: {mean!r}"),
    ):  # fmt: skip
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    result = jitsim.simulate(load(text), "base", 0, trajectories=True)
    kpis = result.kpis
    assert kpis["store.overflow_units"] == overflow_from_trajectory(result, warmup, capacity)
    assert kpis["store.space_cost"] == pytest.approx(0.05 * capacity * (90 - warmup), rel=1e-12)
    assert kpis["store.refused_deliveries"] == 0


# ------------------------------------------------------------------------ no effect


def without_space(text: str) -> str:
    lines = [
        line
        for line in text.splitlines()
        if not line.strip().startswith(
            ("capacity", "overflow", "space_cost_per_unit_day", "overflow_cost_per_unit_day")
        )
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("overflow", ["refuse", "external"])
@pytest.mark.parametrize("replication", [0, 3])
def test_a_capacity_nothing_reaches_changes_no_number(overflow: str, replication: int) -> None:
    """With room for 10⁹ units (and no space costs) every KPI of the scenario without a
    capacity is reproduced exactly; the space columns are added, with nothing refused or
    overflowing."""
    plain = load(without_space(EXTERNAL))
    huge = load(
        without_space(EXTERNAL).replace(
            "    policy:", f"    capacity: 1e9\n    overflow: {overflow}\n    policy:"
        )
    )
    base = jitsim.simulate(plain, "base", replication).kpis
    spacious = jitsim.simulate(huge, "base", replication).kpis
    assert not any(k.endswith(SPACE_KPIS) for k in base)
    added = set(spacious) - set(base)
    assert added == {f"store.{k}" for k in SPACE_KPIS} | {
        "overflow_units", "overflow_cost", "space_cost", "refused_deliveries", "refused_units"
    }  # fmt: skip
    for kpi, value in base.items():
        assert spacious[kpi] == value or (math.isnan(value) and math.isnan(spacious[kpi])), kpi
    assert spacious["store.refused_deliveries"] == 0 == spacious["store.overflow_units"]


# ------------------------------------------------------------------------ Hypothesis: refuse


def stored_levels(trace: list[tuple[float, str, str, float, float, str]]) -> list[float]:
    """The stock stored at the store after each event: a receipt's level counts only after
    the backorders it fills at once have left (they are cross-docked)."""
    # An end-of-day row carries on-hand as its quantity (its level is the position).
    rows = [
        (e, q if e == "end of day" else level) for _t, n, e, q, level, _n in trace if n == "store"
    ]
    levels = []
    for i, (event, level) in enumerate(rows):
        follows = rows[i + 1][0] if i + 1 < len(rows) else ""
        if event in ("receipt", "backorder filled") and follows == "backorder filled":
            continue  # not stored yet: the next row ships some of it
        if event in ("receipt", "backorder filled", "demand", "end of day", "destroyed"):
            levels.append(level)
    return levels


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capacity=st.integers(5, 60),
    initial_share=st.floats(0, 1),
    S=st.integers(1, 150),
    lead=st.integers(0, 6),
    spread=st.integers(0, 4),
    mean=st.floats(0.5, 12),
    review=st.sampled_from(["continuous", "{every_days: 1}", "{every_days: 4}"]),
    backorders=st.booleans(),
    cubic=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_on_hand_never_exceeds_capacity_under_refuse(
    capacity: int,
    initial_share: float,
    S: int,
    lead: int,
    spread: int,
    mean: float,
    review: str,
    backorders: bool,
    cubic: bool,
    seed: int,
) -> None:
    volume = 0.25
    room = capacity * volume if cubic else capacity
    unit = "\n    capacity_unit: m3" if cubic else ""
    unmet = "backorder" if backorders else "lost_sale"
    text = f"""
name: refuse property
run: {{horizon_days: 120, warmup_days: 10, seed: {seed}}}
items:
  w: {{unit_cost: 2, volume: {volume}}}
suppliers:
  acme: {{items: [w], lead_time: {{kind: uniform, low: {lead}, high: {lead + spread}}}}}
stock_points:
  store:
    item: w
    source: acme
    initial: {math.floor(initial_share * capacity)}
    review: {review}
    policy: {{kind: s_S, s: {S // 3}, S: {S}}}
    capacity: {room}{unit}
    overflow: refuse
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}, unmet: {unmet}}}
"""
    result = jitsim.simulate(load(text), "base", 0, trace=True, trajectories=True)
    levels = stored_levels(result.trace)
    assert levels
    assert max(levels) <= capacity + 1e-9
    assert all(on_hand <= capacity + 1e-9 for _t, on_hand, *_ in result.trajectories["store"])
    assert result.kpis["store.peak_space_used"] <= room + 1e-9
    assert result.kpis["store.overflow_units"] == 0.0
    # Whatever was refused is still owed: ordered = received + on order at the end.
    received = sum(q for _t, n, e, q, _l, _n in result.trace if n == "store" and e == "receipt")
    ordered = sum(q for _t, n, e, q, _l, _n in result.trace if n == "store" and e == "order")
    on_order = result.trajectories["store"][-1][3]
    assert received + on_order == pytest.approx(ordered, abs=1e-6)


# ------------------------------------------------------------------------ warnings


def test_capacity_below_a_policy_level_is_a_warning() -> None:
    text = REFUSE.replace(
        "customers:",
        "alternatives:\n  lean: {store: {kind: base_stock, S: 6}}\n"
        "  buffer: {store: {kind: s_S, s: 4, S: 20}}\n"
        "  bigger:\n    policies: {store: {kind: s_S, s: 4, S: 20}}\n"
        "    changes: {stock_points.store.capacity: 12, stock_points.store.overflow: external}\n"
        "customers:",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", JitsimWarning)
        scenario = jitsim.load_scenario_text(text)
    assert [str(w.message) for w in caught] == scenario_warnings(scenario)
    assert scenario_warnings(scenario) == [
        "stock point 'store': capacity 8 units is below the s_S policy's order-up-to level S "
        "= 20 (alternative 'buffer'): deliveries will be refused",
        "stock point 'store': capacity 12 units is below the s_S policy's order-up-to level S "
        "= 20 (alternative 'bigger'): stock will go to overflow storage",
    ]
    # Without alternatives, the file's own policy (r + Q = 15).
    assert scenario_warnings(load(REFUSE)) == [
        "stock point 'store': capacity 8 units is below the r_Q policy's reorder point + lot "
        "r + Q = 15: deliveries will be refused"
    ]


def test_capacity_that_fits_every_policy_gives_no_warning() -> None:
    text = REFUSE.replace("capacity: 8", "capacity: 15").replace("initial: 8", "initial: 15")
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitsimWarning)
        jitsim.load_scenario_text(text)


def test_cli_validate_prints_the_space_warning(tmp_path: object) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from jitsim.cli import app

    path = Path(str(tmp_path)) / "space.yaml"
    path.write_text(EXTERNAL.replace("initial: 30", "initial: 50"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "warning: stock point 'store': capacity 40 units is below its initial stock 50: stock "
        "will go to overflow storage" in result.output
    )
    assert "s_S policy's order-up-to level S = 70" in result.output
