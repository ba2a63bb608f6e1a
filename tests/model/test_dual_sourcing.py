"""Dual sourcing: a primary and a backup source, split by fixed shares or by failover.

* split arithmetic: ``round(share × q)`` to the backup (halves up), the rest to the primary,
  each part rounded to its own lane's MOQ / lot multiple, a zero part not ordered;
* hand traces of ``shares`` and of ``failover`` behind a capacity-limited primary;
* costs and prices per lane, lead-time streams per lane, planning lead time of a split;
* validation messages (FILE:LINE: path: message);
* conservation of units with both lanes (and defects on both).
"""

from __future__ import annotations

from typing import Any

import pytest

import jitsim
from jitsim.errors import ScenarioError
from jitsim.execution.simulate import ReplicationResult
from jitsim.model.network import build as build_model
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams


def build(
    backup: str,
    *,
    policy: str = "{kind: base_stock, S: 30}",
    initial: float = 30,
    demand: Any = 10,
    horizon: int = 6,
    acme: str = "lead_time: 2, order_cost: 10, unit_price: 3",
    beta: str = "lead_time: 1, order_cost: 25, unit_price: 5, lot_multiple: 5",
    review: str = "{every_days: 1}",
) -> jitsim.Scenario:
    return jitsim.load_scenario_text(
        f"""
name: dual
run: {{horizon_days: {horizon}, seed: 5}}
items:
  w: {{unit_cost: 4, price: 9}}
suppliers:
  acme: {{items: [w], {acme}}}
  beta: {{items: [w], {beta}}}
stock_points:
  store:
    item: w
    source: acme
    initial: {initial}
    review: {review}
    policy: {policy}
    backup: {backup}
customers:
  c: {{buys_from: store, demand: {demand}}}
"""
    )


def orders(result: ReplicationResult) -> list[tuple[float, float, str]]:
    return [(t, q, note) for t, n, e, q, _l, note in result.trace if n == "store" and e == "order"]


# ------------------------------------------------------------------------ shares


@pytest.mark.parametrize(
    ("share", "wanted", "expected"),
    [
        (0.3, 10, [(7.0, "to acme"), (3.0, "to beta")]),
        (0.3, 1, [(1.0, "to acme")]),  # round(0.3) = 0: only the primary
        (0.7, 1, [(1.0, "to beta")]),  # round(0.7) = 1, nothing left for the primary
        (0.5, 5, [(2.0, "to acme"), (3.0, "to beta")]),  # 2.5 rounds half up
        (0.25, 10.4, [(7.4, "to acme"), (3.0, "to beta")]),  # whole units to the backup
    ],
)
def test_split_arithmetic(share: float, wanted: float, expected: list[tuple[float, str]]) -> None:
    model = build(f"{{source: beta, split: shares, share: {share}}}", beta="lead_time: 1")
    network = build_model(resolve(model, "base"), Streams(1, 0), trace=True)
    network.points["store"].place_order(wanted, 0.0, 0.0)
    assert network.trace is not None
    assert [(q, note) for _t, _n, e, q, _l, note in network.trace if e == "order"] == expected


def test_each_part_is_rounded_on_its_own_lane() -> None:
    model = build(
        "{source: beta, split: shares, share: 0.3}",
        acme="lead_time: 2, min_order: 8",
        beta="lead_time: 1, lot_multiple: 5",
    )
    network = build_model(resolve(model, "base"), Streams(1, 0), trace=True)
    point = network.points["store"]
    point.place_order(10, 0.0, 0.0)  # 7 → MOQ 8 at acme, 3 → lot 5 at beta
    assert network.trace is not None
    assert [(q, note) for _t, _n, e, q, _l, note in network.trace if e == "order"] == [
        (8.0, "to acme"),
        (5.0, "to beta"),
    ]
    assert point.on_order == 13
    assert point.rounded_orders == 2 and point.rounding_units == 3
    assert point.orders_placed == 2 and point.orders_to_backup == 1


def test_shares_hand_trace() -> None:
    """Base stock S=30, initial 30, demand 10/day; 30 % to beta (L=1, lots of 5), rest to acme
    (L=2).

    day 0: IP 30, no order; demand → IP 20.
    day 1: order 10: round(3) = 3 → 5 to beta (due 2), 7 to acme (due 3). IP 32 → 22.
    day 2: beta's 5 arrive. Order 8: round(2.4) = 2 → 5 to beta, 6 to acme. IP 33 → 23.
    day 3…: order 7: round(2.1) = 2 → 5 to beta, 5 to acme. IP 33 → 23 every day.
    """
    result = jitsim.simulate(
        build("{source: beta, split: shares, share: 0.3}"), "base", 0, trace=True
    )
    assert orders(result) == [
        (1.0, 7.0, "to acme"),
        (1.0, 5.0, "to beta"),
        (2.0, 6.0, "to acme"),
        (2.0, 5.0, "to beta"),
        *[(float(d), q, f"to {s}") for d in (3, 4, 5) for q, s in ((5.0, "acme"), (5.0, "beta"))],
    ]
    receipts = [(t, q) for t, n, e, q, _l, _x in result.trace if e == "receipt"]
    # beta's orders arrive the next day, acme's two days later
    assert receipts == [(2, 5), (3, 7), (3, 5), (4, 6), (4, 5), (5, 5), (5, 5)]
    k = result.kpis
    assert k["store.orders_placed"] == 10
    assert k["store.orders_to_backup"] == 5
    assert k["store.units_from_backup"] == 20  # beta's orders of days 1-4 (day 5's is due 6)
    # costs per lane: acme K=10, 3/unit; beta K=25, 5/unit
    assert k["store.ordering_cost"] == 5 * 10 + 5 * 25
    assert k["store.purchase_cost"] == 3 * (7 + 6 + 5 + 5 + 5) + 5 * 25


def test_policies_plan_with_the_lead_time_of_a_random_unit() -> None:
    # JIT covers E[L] + R: 25 % of units take 6 days, 75 % take 2 → E[L] = 3, cover 4 days
    model = build(
        "{source: beta, split: shares, share: 0.25, lead_time: 6}",
        policy="{kind: jit, forecast: {kind: naive}}",
    )
    assert jitsim.simulate(model, "base", 0).kpis["store.jit_cover_days"] == pytest.approx(4.0)
    failover = build("{source: beta, lead_time: 6}", policy="{kind: jit}")
    assert jitsim.simulate(failover, "base", 0).kpis["store.jit_cover_days"] == pytest.approx(3.0)


# ------------------------------------------------------------------------ failover


def test_failover_behind_a_capacity_backlog() -> None:
    """acme ships 10 units/day (L=1); fail over when an order would ship > 2 days late.

    Base stock S=22, initial 0, demand 12/day: day 0 orders 22, then 12 a day. acme's queue
    (first day with capacity left, units left on it) after each order:

    day 0: 22 = 10 + 10 + 2 → ships day 2 (delay 2: ok) → queue (day 2, 8 left)
    day 1: 12 = 8 + 4 → ships day 3 (delay 2: ok) → (day 3, 6)
    day 2: → (day 4, 4); day 3: → (day 5, 2); day 4: 12 = 2 + 10 → (day 6, 0)
    day 5: day 6 has nothing left, so 12 = 10 (day 7) + 2 (day 8) would ship on day 8:
           delay 3 > 2 → the whole order goes to beta, and acme's queue is not touched
    day 6: the same 12 now ship on day 8, delay 2: ok → (day 8, 8)
    day 7: → (day 9, 6) … the backlog grows by 2 a day until day 11 fails over again.
    """
    model = build(
        "{source: beta, failover_after_days: 2}",
        policy="{kind: base_stock, S: 22}",
        initial=0,
        demand=12,
        horizon=13,
        acme="lead_time: 1, capacity_per_day: 10",
        beta="lead_time: 3",
    )
    result = jitsim.simulate(model, "base", 0, trace=True)
    expected = [(0.0, 22.0, "to acme")] + [
        (float(d), 12.0, "to beta" if d in (5, 11) else "to acme") for d in range(1, 13)
    ]
    assert orders(result) == expected
    k = result.kpis
    assert k["store.orders_to_backup"] == 2
    assert k["store.units_from_backup"] == 12  # day 5's order (due 8); day 11's is due 14


def test_failover_at_any_delay_does_not_use_the_primarys_capacity() -> None:
    # acme ships 15/day. day 0: 22 would ship on day 1 → beta; acme's capacity is untouched,
    # so day 1's 12 ships at once from acme, and so does every later order.
    model = build(
        "{source: beta}",
        policy="{kind: base_stock, S: 22}",
        initial=0,
        demand=12,
        horizon=5,
        acme="lead_time: 1, capacity_per_day: 15",
        beta="lead_time: 3",
    )
    result = jitsim.simulate(model, "base", 0, trace=True)
    assert orders(result) == [(0.0, 22.0, "to beta")] + [
        (float(d), 12.0, "to acme") for d in range(1, 5)
    ]


def test_failover_from_a_stock_point_primary() -> None:
    """From a DC: the order fails over when the DC's stock cannot fill it at once."""
    model = jitsim.load_scenario_text(
        """
name: dc with a backup
run: {horizon_days: 4}
items:
  w: {unit_cost: 1}
suppliers:
  acme: {items: [w], lead_time: 5}
  beta: {items: [w], lead_time: 1}
stock_points:
  dc: {item: w, source: acme, initial: 25, policy: {kind: s_S, s: -100, S: 0}}
  store:
    item: w
    source: dc
    lead_time: 1
    initial: 10
    policy: {kind: base_stock, S: 10}
    backup: {source: beta}
customers:
  c: {buys_from: store, demand: 10}
"""
    )
    result = jitsim.simulate(model, "base", 0, trace=True)
    # days 1 and 2: the DC has 25, then 15 → it ships; day 3: 5 < 10 → beta
    assert orders(result) == [(1.0, 10.0, "to dc"), (2.0, 10.0, "to dc"), (3.0, 10.0, "to beta")]
    assert result.kpis["dc.demand_units"] == 20


# ------------------------------------------------------------------------ streams


def test_each_lane_draws_its_own_lead_times() -> None:
    def model(backup: str) -> jitsim.Scenario:
        return build(
            backup,
            horizon=60,
            demand={"kind": "poisson", "mean": 10},
            acme="lead_time: {kind: discrete_uniform, low: 1, high: 4}",
            beta="lead_time: {kind: discrete_uniform, low: 1, high: 4}",
        )

    def receipts(result: ReplicationResult) -> list[tuple[float, float]]:
        return [(t, q) for t, n, e, q, _l, _x in result.trace if e == "receipt"]

    # the primary's lead-time stream is the one of a single-sourced stock point
    single = jitsim.load_scenario_text(
        """
name: single
run: {horizon_days: 60, seed: 5}
items:
  w: {unit_cost: 4}
suppliers:
  acme: {items: [w], lead_time: {kind: discrete_uniform, low: 1, high: 4}}
stock_points:
  store: {item: w, source: acme, initial: 30, policy: {kind: base_stock, S: 30}}
customers:
  c: {buys_from: store, demand: {kind: poisson, mean: 10}}
"""
    )
    # a failover that never fails over (no capacity limit) is the single-sourced chain
    same = jitsim.simulate(model("{source: beta}"), "base", 3, trace=True)
    alone = jitsim.simulate(single, "base", 3, trace=True)
    assert receipts(same) == receipts(alone)
    assert same.kpis["store.orders_to_backup"] == 0


# ------------------------------------------------------------------------ conservation


@pytest.mark.parametrize(
    "backup",
    [
        "{source: beta, split: shares, share: 0.4}",
        "{source: beta, split: failover, failover_after_days: 1}",
        "{source: beta, split: failover, order_cost: 3, lead_time: {kind: gamma, mean: 2, cv: 1}}",
    ],
)
@pytest.mark.parametrize("review", ["{every_days: 1}", "{every_days: 3}", "continuous"])
def test_conservation(backup: str, review: str) -> None:
    model = build(
        backup,
        policy="{kind: jit, safety_days: 1}",
        demand={"kind": "gamma", "mean": 9, "cv": 0.8},
        horizon=120,
        review=review,
        acme="lead_time: 2, capacity_per_day: 11, defect_rate: 0.1, title_transfer: shipment",
        beta="lead_time: 1, unit_price: 5, lot_multiple: 4, defect_rate: 0.05, rejects: lose",
    )
    result = jitsim.simulate(model, "base", 2, trace=True, trajectories=True)
    k = result.kpis
    rows = [(e, q, note) for _t, n, e, q, _l, note in result.trace if n == "store"]
    received = sum(q for e, q, _n in rows if e == "receipt")
    lost = sum(q for e, q, note in rows if e == "rejected" and note.endswith("lost"))
    ordered = {
        s: sum(q for e, q, n in rows if e == "order" and n == f"to {s}") for s in ("acme", "beta")
    }
    late = sum(q for e, q, _n in rows if e == "backorder filled")
    shipped = k["demand_units"] - k["backordered_units"] - k["lost_sales_units"] + late
    _day, on_hand, _bo, on_order, _cash = result.trajectories["store"][-1]
    assert 30 + received == pytest.approx(on_hand + shipped)
    assert on_order == pytest.approx(ordered["acme"] + ordered["beta"] - received - lost)
    # the backup's accepted units are part of what arrived, and what it still owes is on order
    assert 0 <= k["store.units_from_backup"] <= received + 1e-9
    assert ordered["beta"] - k["store.units_from_backup"] >= -1e-9
    assert ordered["beta"] > 0 and ordered["acme"] > 0
    # purchase per lane: acme 4 (item cost), beta 5; lost rejects (beta only) are not paid
    assert k["store.purchase_cost"] == pytest.approx(
        4 * ordered["acme"] + 5 * (ordered["beta"] - lost)
    )
    for row in result.trajectories["store"]:
        assert row[1] >= -1e-9 and row[3] >= -1e-9


# ------------------------------------------------------------------------ validation


BASE = """name: dual
items:
  w: {unit_cost: 1}
  v: {unit_cost: 1}
suppliers:
  acme: {items: [w], lead_time: 1}
  beta: {items: [w], lead_time: 2}
  gamma: {items: [v], lead_time: 2}
stock_points:
  dc: {item: w, source: acme, policy: {kind: base_stock, S: 5}}
  store:
    item: w
    source: SOURCE
    policy: {kind: base_stock, S: 5}
    lead_time: 1
    backup:
      BACKUP
customers:
  c: {buys_from: store, demand: 1}
"""


@pytest.mark.parametrize(
    ("source", "backup", "line", "path", "fragment"),
    [
        ("acme", "source: nobody", 17, "source", "unknown supplier 'nobody' (known: acme, beta"),
        ("acme", "source: dc", 17, "source", "'dc' is a stock point; a backup source must be a"),
        ("acme", "source: acme", 17, "source", "the backup must differ from the primary source"),
        ("acme", "source: gamma", 17, "source", "supplier 'gamma' does not supply item 'w'"),
        # a missing key is reported at its parent's line
        ("acme", "{source: beta, split: shares}", 16, "share", "required with split: shares"),
        ("acme", "{source: beta, share: 0.2}", 17, "share", "only used with split: shares"),
        ("acme", "{source: beta, split: shares, share: 1}", 17, "share", "less than 1"),
        (
            "acme",
            "{source: beta, split: shares, share: 0.5, failover_after_days: 2}",
            17,
            "failover_after_days",
            "only used with split: failover",
        ),
        (
            "dc",
            "{source: beta, failover_after_days: 2}",
            17,
            "failover_after_days",
            "the primary source 'dc' is a stock point",
        ),
        ("acme", "{source: beta, split: round_robin}", 17, "split", "'failover', 'shares'"),
    ],
)
def test_bad_backups(source: str, backup: str, line: int, path: str, fragment: str) -> None:
    text = BASE.replace("SOURCE", source).replace("BACKUP", backup)
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario_text(text, "dual.yaml")
    problems = caught.value.problems
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.file == "dual.yaml"
    assert problem.line == line, problem
    assert problem.path == f"stock_points.store.backup.{path}", problem
    assert fragment in problem.message, problem


def test_a_valid_backup_loads() -> None:
    text = BASE.replace("SOURCE", "acme").replace("BACKUP", "{source: beta, split: failover}")
    model = jitsim.load_scenario_text(text)
    backup = model.stock_points["store"].backup
    assert backup is not None and backup.source == "beta" and backup.failover_after_days == 0
