"""Expediting: emergency orders when the inventory position falls below a level.

* hand traces: an expedite from a second supplier while the primary refuses orders (costs to
  the cent), an expedite as a second reorder point with rounding and a shared capacity, a down
  expedite supplier (queue / refuse), continuous review, a stock point fed by a DC;
* randomness: the expedite lane has its own stream, demand and outages are common random
  numbers, an expedite that never fires changes nothing;
* paired effect: expediting from a second supplier cuts stockouts in an outage scenario;
* KPI columns present (0) without expediting; ``total_cost`` includes ``expedite_cost``;
* validation messages (FILE:LINE: path: message) and a clean exit 2 from the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import jitsim
from jitsim import cli
from jitsim.errors import ScenarioError
from jitsim.execution.simulate import ReplicationResult
from jitsim.model.network import build
from jitsim.output.trace import format_row
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams

EXPEDITE_KPIS = ("expedited_orders", "expedited_units", "expedite_cost")


def rows(result: ReplicationResult, event: str) -> list[tuple[float, float, float, str]]:
    """(time, quantity, level, note) of the store's ``event`` rows."""
    return [
        (t, q, lv, note) for t, n, e, q, lv, note in result.trace if n == "store" and e == event
    ]


def receipts(result: ReplicationResult) -> list[tuple[float, float]]:
    return [(t, q) for t, n, e, q, _lv, _note in result.trace if n == "store" and e == "receipt"]


# ------------------------------------------------------------------------ hand traces

REFUSE = """
name: expedite while the primary refuses
run: {horizon_days: 10, seed: 5}
items:
  w: {unit_cost: 4, price: 9, holding_rate: 0}
suppliers:
  acme: {items: [w], lead_time: 3, order_cost: 10, unit_price: 3, when_down: {orders: refuse}}
  beta: {items: [w], lead_time: 5, unit_price: 5}
stock_points:
  store:
    item: w
    source: acme
    initial: 16
    policy: {kind: base_stock, S: 16}
    expedite:
      {level: 8, up_to: 16, lead_time: 1, premium_per_unit: 2.35, order_cost: 7.5, source: beta}
customers:
  c: {buys_from: store, demand: 4}
disruptions:
  strike: {kind: outage, nodes: [acme], windows: [{start: 3, days: 3}]}
"""


def test_hand_trace_expedite_from_a_second_supplier() -> None:
    """Base stock S=16 at acme (L=3), demand 4/day; acme refuses orders on days 3, 4, 5.
    Expedite from beta (L_e=1) when IP < 8, up to 16.

    day 0: IP 16, no order.               day 1, 2: order 4 at acme (due 4, 5); IP 12 at noon.
    day 3: order 4 refused; IP 12 ≥ 8.    noon: on hand 0, IP 8.
    day 4: receipt 4. IP 8: order 8 refused; IP 8 is not < 8: no expedite. noon: IP 4.
    day 5: receipt 4. IP 4: order 12 refused; IP 4 < 8: expedite 16 − 4 = 12 at beta (due 6).
    day 6: receipt 12 (on hand 12); acme is up: order 4 (due 9), and so on — no stockout.
    """
    result = jitsim.simulate(jitsim.load_scenario_text(REFUSE), "base", 0, trace=True)
    assert rows(result, "order") == [(float(d), 4.0, 12.0, "to acme") for d in (1, 2, 6, 7, 8, 9)]
    assert rows(result, "refused") == [
        (3.0, 4.0, 12.0, "by acme"),
        (4.0, 8.0, 8.0, "by acme"),
        (5.0, 12.0, 4.0, "by acme"),
    ]
    assert rows(result, "expedite") == [(5.0, 12.0, 4.0, "to beta")]
    assert receipts(result) == [(4.0, 4.0), (5.0, 4.0), (6.0, 12.0), (9.0, 4.0)]
    k = result.kpis
    assert k["stockout_days"] == 0
    assert k["store.expedited_orders"] == k["expedited_orders"] == 1
    assert k["store.expedited_units"] == k["expedited_units"] == 12
    # 12 units × 2.35 premium + 7.50 per expedited order
    assert k["store.expedite_cost"] == pytest.approx(35.70, abs=1e-9)
    assert k["expedite_cost"] == pytest.approx(35.70, abs=1e-9)
    # the expedite's fixed cost is not an ordering cost; its units are bought at beta's price
    assert k["store.orders_placed"] == 6
    assert k["ordering_cost"] == 6 * 10
    assert k["purchase_cost"] == pytest.approx(6 * 4 * 3 + 12 * 5)
    assert k["total_cost"] == pytest.approx(60 + 35.70, abs=1e-9)  # no holding, no shortage
    assert k["profit"] == pytest.approx(k["revenue"] - 132 - 95.70, abs=1e-9)
    assert k["refused_orders"] == 3


def test_without_the_expedite_the_outage_causes_backorders() -> None:
    base = jitsim.load_scenario_text(REFUSE)
    point = base.stock_points["store"].model_copy(update={"expedite": None})
    without = base.model_copy(update={"stock_points": {"store": point}})
    result = jitsim.simulate(without, "base", 0, trace=True)
    # day 5: on hand 4 after the receipt, then 0; days 6, 7, 8 are short 4 each
    assert [t for t, *_ in rows(result, "stockout")] == [6.5, 7.5, 8.5]
    assert result.kpis["backordered_units"] == 12
    assert all(result.kpis[kpi] == 0 for kpi in EXPEDITE_KPIS)


def test_position_shipped_expedites_past_orders_queued_at_a_down_supplier() -> None:
    """The same shop, but acme *queues* orders while down [3, 6): they stay on order, so IP
    never falls and the default expedite never fires (days 6, 7, 8 short 4 each). With
    ``position: shipped`` the orders waiting at acme leave the position:

    day 3: order 4 queued (ships 6, due 9); shipped position 12 − 0 … = 12 ≥ 8.
    day 4: receipt 4; order 4 queued; shipped position 16 − 8 = 8, not < 8.
    day 5: receipt 4; order 4 queued; shipped position 16 − 12 = 4 < 8: expedite 16 − 4 = 12
           at beta (due 6). Day 6: 12 arrive, acme ships the three queued orders (due 9):
           IP 24 > S, no order until day 9. No stockout.
    """
    queue = REFUSE.replace("when_down: {orders: refuse}", "when_down: {orders: queue}")
    default = jitsim.simulate(jitsim.load_scenario_text(queue), "base", 0, trace=True)
    assert rows(default, "expedite") == []
    assert default.kpis["backordered_units"] == 12
    shipped = queue.replace("source: beta}", "source: beta, position: shipped}")
    result = jitsim.simulate(jitsim.load_scenario_text(shipped), "base", 0, trace=True)
    assert rows(result, "expedite") == [(5.0, 12.0, 4.0, "to beta")]
    assert receipts(result) == [(4.0, 4.0), (5.0, 4.0), (6.0, 12.0), (9.0, 4.0), (9.0, 4.0),
                                (9.0, 4.0)]  # fmt: skip
    assert result.kpis["stockout_days"] == 0 and result.kpis["backordered_units"] == 0


SECOND_REORDER_POINT = """
name: expedite as a second reorder point
run: {horizon_days: 6}
items:
  w: {unit_cost: 4, holding_rate: 0}
suppliers:
  acme: {items: [w], lead_time: 3, capacity_per_day: 6, lot_multiple: 4, unit_price: 2}
stock_points:
  store:
    item: w
    source: acme
    initial: 12
    policy: {kind: s_S, s: -100, S: 0}
    expedite: {level: 10, lead_time: 1, premium_per_unit: 0.5, order_cost: 1.25}
customers:
  c: {buys_from: store, demand: 5}
"""


def test_hand_trace_default_source_rounding_and_shared_capacity() -> None:
    """The policy never orders; the expedite (from acme, the default source; up to the level,
    the default) restores IP to 10 with acme's lots of 4, through acme's 6 units/day.

    day 0: IP 12.                          noon: on hand 7, IP 7.
    day 1: IP 7 < 10: 3 → 4, ships at once, due 2.         noon: IP 6.
    day 2: receipt 4. IP 6: 4 → 4, ships (day 2 capacity), due 3.     noon: IP 5.
    day 3: receipt 4. IP 5: 5 → 8; day 3 has 6, day 4 has 2 more: ships day 4, due 5. IP 8.
    day 4: IP 8: 2 → 4, the 4 left on day 4, due 5. noon: 5 backordered, IP 7.
    day 5: receipts 8 and 4; the backorder is filled. IP 7: 3 → 4.
    """
    result = jitsim.simulate(jitsim.load_scenario_text(SECOND_REORDER_POINT), "base", 0, trace=True)
    assert rows(result, "expedite") == [
        (1.0, 4.0, 7.0, "to acme"),
        (2.0, 4.0, 6.0, "to acme"),
        (3.0, 8.0, 5.0, "to acme"),
        (4.0, 4.0, 8.0, "to acme"),
        (5.0, 4.0, 7.0, "to acme"),
    ]
    assert receipts(result) == [(2.0, 4.0), (3.0, 4.0), (5.0, 8.0), (5.0, 4.0)]
    assert rows(result, "order") == []
    k = result.kpis
    assert k["store.expedited_orders"] == 5
    assert k["store.expedited_units"] == 24
    assert k["expedite_cost"] == pytest.approx(5 * 1.25 + 24 * 0.5, abs=1e-9)  # 18.25
    assert k["purchase_cost"] == pytest.approx(24 * 2)
    assert k["orders_placed"] == 0 and k["ordering_cost"] == 0
    assert k["backordered_units"] == 5
    assert k["total_cost"] == pytest.approx(18.25, abs=1e-9)


DOWN = """
name: the expedite supplier is down
run: {horizon_days: 7}
items:
  w: {unit_cost: 1}
suppliers:
  acme: {items: [w], lead_time: 4, when_down: {orders: ORDERS}}
stock_points:
  store:
    item: w
    source: acme
    initial: 12
    policy: {kind: s_S, s: -100, S: 0}
    expedite: {level: 5, up_to: 10, lead_time: 1}
customers:
  c: {buys_from: store, demand: 4}
disruptions:
  fire: {kind: outage, nodes: [acme], windows: [{start: 2, days: 3}]}
"""


def test_a_down_supplier_holds_expedited_orders_until_it_recovers() -> None:
    """acme is down on days 2-4: expedites queue and ship at recovery (day 5), due day 6.

    day 2: IP 4 < 5 → 6 (IP 10), noon IP 6.   day 3: IP 6, noon short 4, IP 2.
    day 4: IP 2 → 8 (IP 10), noon IP 6.       day 5: IP 6, noon IP 2.
    day 6: both arrive (14); 12 backordered served. IP 2 → 8.
    """
    result = jitsim.simulate(
        jitsim.load_scenario_text(DOWN.replace("ORDERS", "queue")), "base", 0, trace=True
    )
    assert [(t, q) for t, q, _lv, _n in rows(result, "expedite")] == [
        (2.0, 6.0),
        (4.0, 8.0),
        (6.0, 8.0),
    ]
    assert receipts(result) == [(6.0, 6.0), (6.0, 8.0)]


def test_a_refusing_supplier_refuses_expedited_orders() -> None:
    result = jitsim.simulate(
        jitsim.load_scenario_text(DOWN.replace("ORDERS", "refuse")), "base", 0, trace=True
    )
    # IP 4, 0, −4 on days 2-4: refused; day 5: IP −8 → 18, due 6
    assert rows(result, "refused") == [
        (2.0, 6.0, 4.0, "expedite by acme"),
        (3.0, 10.0, 0.0, "expedite by acme"),
        (4.0, 14.0, -4.0, "expedite by acme"),
    ]
    assert rows(result, "expedite") == [(5.0, 18.0, -8.0, "to acme")]
    assert result.kpis["store.refused_orders"] == 3
    assert result.kpis["expedited_orders"] == 1


def test_continuous_review_expedites_right_after_the_demand() -> None:
    text = SECOND_REORDER_POINT.replace("initial: 12", "initial: 12\n    review: continuous")
    text = text.replace("lot_multiple: 4, ", "").replace("capacity_per_day: 6, ", "")
    text = text.replace("lead_time: 1,", "lead_time: 1.5,")
    result = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0, trace=True)
    # noon of day 0: IP 7 < 10 → 3 at once, due 2.0 (a whole day: before day 2's review)
    first = rows(result, "expedite")[:2]
    assert first == [(0.5, 3.0, 7.0, "to acme"), (1.5, 5.0, 5.0, "to acme")]
    assert receipts(result)[:2] == [(2.0, 3.0), (3.0, 5.0)]


def test_a_stock_point_fed_by_a_dc_expedites_from_a_supplier() -> None:
    """The store's policy never orders from the DC; it expedites from beta (L_e = 0.5).

    day 2: IP 2 < 5 → 8 at beta, due 2.5 (put away before the noon demand); again on day 4.
    """
    model = jitsim.load_scenario_text(
        """
name: store behind a dc
run: {horizon_days: 5}
items:
  w: {unit_cost: 1}
suppliers:
  acme: {items: [w], lead_time: 5}
  beta: {items: [w], lead_time: 3, unit_price: 3}
stock_points:
  dc: {item: w, source: acme, initial: 50, policy: {kind: s_S, s: -100, S: 0}}
  store:
    item: w
    source: dc
    lead_time: 1
    initial: 10
    policy: {kind: s_S, s: -100, S: 0}
    expedite: {level: 5, up_to: 10, lead_time: 0.5, premium_per_unit: 1, source: beta}
customers:
  c: {buys_from: store, demand: 4}
"""
    )
    result = jitsim.simulate(model, "base", 0, trace=True)
    assert rows(result, "expedite") == [(2.0, 8.0, 2.0, "to beta"), (4.0, 8.0, 2.0, "to beta")]
    assert receipts(result) == [(2.5, 8.0), (4.5, 8.0)]
    k = result.kpis
    assert k["store.expedite_cost"] == 16 and k["store.purchase_cost"] == 48
    assert k["dc.demand_units"] == 0 and k["stockout_days"] == 0


# ------------------------------------------------------------------------ trace text


def test_trace_shows_expedited_orders() -> None:
    line = format_row((5.0, "store", "expedite", 12.0, 4.0, "to beta"))
    assert line == "   5.00  store  expedite          qty 12  IP 4  to beta"


def test_cli_trace_lists_the_expedite(tmp_path: Path) -> None:
    path = tmp_path / "refuse.yaml"
    path.write_text(REFUSE, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["trace", str(path)])
    assert result.exit_code == 0, result.output
    assert "store  expedite          qty 12  IP 4  to beta" in result.output


# ------------------------------------------------------------------------ randomness

RANDOM = """
name: random outages
run: {horizon_days: 200, warmup_days: 20, seed: 11}
items:
  w: {unit_cost: 10, price: 15}
suppliers:
  acme:
    items: [w]
    lead_time: {kind: gamma, mean: 4, cv: 0.3}
    order_cost: 20
    when_down: {orders: refuse}
  beta: {items: [w], lead_time: {kind: gamma, mean: 6, cv: 0.5}, unit_price: 12}
stock_points:
  store:
    item: w
    source: acme
    initial: 60
    policy: {kind: s_S, s: 45, S: 90}
    EXPEDITE
customers:
  c:
    buys_from: store
    demand: {kind: poisson, mean: 9}
    backorder_cost_per_unit_day: 1
disruptions:
  breakdowns: {kind: outage, nodes: [acme], up: {kind: gamma, mean: 40, cv: 1},
               down: {kind: gamma, mean: 8, cv: 0.5}}
alternatives:
  buffered: {store: {kind: s_S, s: 45, S: 90}}
  lean: {store: {kind: s_S, s: 30, S: 60}}
"""
WITH = "expedite: {level: 25, up_to: 50, lead_time: 1, premium_per_unit: 3, source: beta}"


def scenario(expedite: str) -> jitsim.Scenario:
    return jitsim.load_scenario_text(RANDOM.replace("EXPEDITE", expedite))


def demand_rows(result: ReplicationResult) -> list[tuple[float, float]]:
    return [(t, q) for t, n, e, q, _lv, _x in result.trace if e == "demand"]


def test_common_random_numbers_with_and_without_expediting() -> None:
    expediting, plain = scenario(WITH), scenario("")
    for replication in range(3):
        runs = [
            jitsim.simulate(model, alternative, replication, trace=True)
            for model in (expediting, plain)
            for alternative in ("buffered", "lean")
        ]
        assert runs[0].kpis["expedited_orders"] > 0
        first = demand_rows(runs[0])
        assert all(demand_rows(run) == first for run in runs[1:])
        windows = [
            build(resolve(model, "lean"), Streams(11, replication)).disruption_windows
            for model in (expediting, plain)
        ]
        assert windows[0] == windows[1]


def test_an_expedite_that_never_fires_changes_nothing() -> None:
    never = scenario(WITH.replace("level: 25, up_to: 50", "level: -1000000"))
    plain = scenario("")
    for replication in range(2):
        a = jitsim.simulate(never, "lean", replication, trace=True)
        b = jitsim.simulate(plain, "lean", replication, trace=True)
        assert a.trace == b.trace
        assert a.kpis.keys() == b.kpis.keys()
        assert a.kpis == pytest.approx(b.kpis, nan_ok=True)


def test_expediting_cuts_stockouts_in_an_outage_scenario() -> None:
    """Paired over 20 replications (fixed seed): the same outages and demand with and without
    an expedite from beta while acme refuses orders."""
    expediting, plain = scenario(WITH), scenario("")
    with_, without = [], []
    for replication in range(20):
        with_.append(jitsim.simulate(expediting, "buffered", replication).kpis)
        without.append(jitsim.simulate(plain, "buffered", replication).kpis)
    stockouts = [
        (a["stockout_days"], b["stockout_days"]) for a, b in zip(with_, without, strict=True)
    ]
    assert sum(a for a, _ in stockouts) < 0.6 * sum(b for _, b in stockouts)
    assert sum(a <= b for a, b in stockouts) >= 18
    assert sum(a["backordered_units"] for a in with_) < sum(b["backordered_units"] for b in without)
    assert sum(k["expedited_orders"] > 0 for k in with_) >= 15
    assert all(k["expedite_cost"] == pytest.approx(3 * k["expedited_units"]) for k in with_)


@pytest.mark.parametrize("review", ["{every_days: 1}", "{every_days: 3}", "continuous"])
def test_conservation_with_expedites(review: str) -> None:
    """Units: initial + received = on hand + shipped; on order = ordered + expedited −
    received − lost rejects. The expedite source has a capacity and defects (lost)."""
    text = RANDOM.replace("EXPEDITE", f"{WITH}\n    review: {review}").replace(
        "unit_price: 12}", "unit_price: 12, capacity_per_day: 15, defect_rate: 0.1, rejects: lose}"
    )
    result = jitsim.simulate(
        jitsim.load_scenario_text(text), "lean", 1, trace=True, trajectories=True
    )
    total: dict[str, float] = {}
    for _t, node, event, quantity, _lv, _note in result.trace:
        if node == "store":
            total[event] = total.get(event, 0.0) + quantity
    received, lost = total["receipt"], total["rejected"]
    shipped = total["demand"] - total["stockout"] + total["backorder filled"]
    _day, on_hand, _bo, on_order, _cash = result.trajectories["store"][-1]
    assert total["expedite"] > 0 and lost > 0
    assert 60 + received == pytest.approx(on_hand + shipped)
    assert on_order == pytest.approx(total["order"] + total["expedite"] - received - lost)


# ------------------------------------------------------------------------ KPIs


def test_kpis_are_present_and_zero_without_expediting() -> None:
    plain = jitsim.simulate(scenario(""), "lean", 0).kpis
    expediting = jitsim.simulate(scenario(WITH), "lean", 0).kpis
    assert plain.keys() == expediting.keys()
    for kpi in EXPEDITE_KPIS:
        assert plain[kpi] == 0 and plain[f"store.{kpi}"] == 0
        assert expediting[kpi] == expediting[f"store.{kpi}"] > 0


def with_and_without() -> jitsim.Scenario:
    """Alternatives ``expedited`` (the file's expedite) and ``plain`` (switched off)."""
    text = RANDOM.replace("EXPEDITE", WITH)
    start = text.index("alternatives:")
    return jitsim.load_scenario_text(
        text[:start]
        + """alternatives:
  expedited: {}
  plain: {changes: {stock_points.store.expedite: null}}
"""
    )


def test_an_alternative_without_expediting_sees_the_same_demand() -> None:
    model = with_and_without()
    for replication in range(3):
        a = jitsim.simulate(model, "expedited", replication, trace=True)
        b = jitsim.simulate(model, "plain", replication, trace=True)
        assert demand_rows(a) == demand_rows(b)
        assert a.kpis["demand_units"] == b.kpis["demand_units"]
        assert a.kpis["acme.downtime_days"] == b.kpis["acme.downtime_days"]
        assert a.kpis["expedited_orders"] > 0 and b.kpis["expedited_orders"] == 0


def test_kpi_columns_are_the_same_for_every_alternative() -> None:
    table = jitsim.run(with_and_without(), replications=2).replications()
    assert set(table.alternative) == {"expedited", "plain"}
    for kpi in EXPEDITE_KPIS:
        assert kpi in table.columns and f"store.{kpi}" in table.columns
    assert not table[[*EXPEDITE_KPIS, *(f"store.{k}" for k in EXPEDITE_KPIS)]].isna().any().any()
    plain = table[table.alternative == "plain"]
    assert (plain[list(EXPEDITE_KPIS)] == 0).all().all()


def test_total_cost_includes_expedite_cost() -> None:
    k = jitsim.simulate(scenario(WITH), "lean", 1).kpis
    parts = ("holding", "obsolescence", "ordering", "shortage", "quality", "expedite")
    assert k["total_cost"] == pytest.approx(sum(k[f"{part}_cost"] for part in parts))
    assert k["expedite_cost"] > 0


def test_expedite_kpis_are_lower_is_better() -> None:
    from jitsim.model.kpis import direction

    assert all(direction(kpi) == -1 for kpi in EXPEDITE_KPIS)
    assert direction("store.expedited_units") == -1


# ------------------------------------------------------------------------ validation

BASE = """name: expedite checks
items:
  w: {unit_cost: 1}
  v: {unit_cost: 1}
suppliers:
  acme: {items: [w], lead_time: 3}
  beta: {items: [w], lead_time: 2}
  gamma: {items: [v], lead_time: 2}
stock_points:
  dc: {item: w, source: acme, policy: {kind: base_stock, S: 5}}
  store:
    item: w
    source: SOURCE
    policy: {kind: base_stock, S: 5}
    lead_time: 1
    expedite:
      EXPEDITE
customers:
  c: {buys_from: store, demand: 1}
"""


@pytest.mark.parametrize(
    ("source", "expedite", "line", "path", "fragment"),
    [
        (
            "acme",
            "{level: 2, lead_time: 1, source: nobody}",
            17,
            "source",
            "unknown supplier 'nobody' (known: acme, beta, gamma)",
        ),
        (
            "acme",
            "{level: 2, lead_time: 1, source: dc}",
            17,
            "source",
            "'dc' is a stock point; expedited orders must come from a supplier",
        ),
        (
            "acme",
            "{level: 2, lead_time: 1, source: gamma}",
            17,
            "source",
            "supplier 'gamma' does not supply item 'w' (it supplies: v)",
        ),
        (
            "dc",
            "{level: 2, lead_time: 1}",
            16,
            "source",
            "required: the stock point's source 'dc' is a stock point",
        ),
        (
            "acme",
            "{level: 10, up_to: 5, lead_time: 1}",
            17,
            "up_to",
            "up_to(=5) must be ≥ level(=10)",
        ),
        ("acme", "{level: 2}", 16, "lead_time", "required field missing"),
        ("acme", "{lead_time: 1}", 16, "level", "required field missing"),
        (
            "acme",
            "{level: 2, lead_time: 1, premium_per_unit: -1}",
            17,
            "premium_per_unit",
            "greater than or equal to 0",
        ),
        ("acme", "{level: 2, lead_time: 1, order_cost: .nan}", 17, "order_cost", "finite"),
        (
            "acme",
            "{level: 2, lead_time: 1, premium: 3}",
            17,
            "premium",
            "did you mean 'premium_per_unit'?",
        ),
        ("acme", "{level: true, lead_time: 1}", 17, "level", "expected a number, got true"),
    ],
)
def test_bad_expedites(source: str, expedite: str, line: int, path: str, fragment: str) -> None:
    text = BASE.replace("SOURCE", source).replace("EXPEDITE", expedite)
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario_text(text, "expedite.yaml")
    problems = caught.value.problems
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.file == "expedite.yaml"
    assert problem.line == line, problem
    assert problem.path == f"stock_points.store.expedite.{path}", problem
    assert fragment in problem.message, problem


def test_field_errors_and_a_bad_source_are_reported_together() -> None:
    text = BASE.replace("SOURCE", "acme").replace(
        "EXPEDITE", "{level: 2, lead_time: 1, premium_per_unit: -1, source: nobody}"
    )
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario_text(text, "expedite.yaml")
    paths = sorted(p.path for p in caught.value.problems)
    assert paths == [
        "stock_points.store.expedite.premium_per_unit",
        "stock_points.store.expedite.source",
    ]


def test_valid_expedites_load() -> None:
    text = BASE.replace("SOURCE", "acme").replace("EXPEDITE", "{level: -3, lead_time: 1}")
    expedite = jitsim.load_scenario_text(text).stock_points["store"].expedite
    assert expedite is not None
    assert expedite.order_up_to == -3 and expedite.source is None
    assert expedite.premium_per_unit == 0 and expedite.order_cost == 0
    # from a stock point source with a named supplier
    text = BASE.replace("SOURCE", "dc").replace(
        "EXPEDITE", "{level: 2, up_to: 4, lead_time: 1, source: beta}"
    )
    assert jitsim.load_scenario_text(text).stock_points["store"].expedite is not None


def test_cli_reports_a_bad_expedite_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = BASE.replace("SOURCE", "acme").replace(
        "EXPEDITE", "{level: 2, lead_time: 1, source: gamma}"
    )
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:17: stock_points.store.expedite.source: supplier 'gamma'" in result.output
