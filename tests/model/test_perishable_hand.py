"""Perishable stock on cases worked by hand (docs/waste-space-cash.md, "Perishable stock").

Deterministic demand and shelf lives, so every expiry, sale and age is known in advance: the
bread table of the docs, FIFO against LIFO in a simulation and FEFO/FIFO/LIFO on a shelf,
a customer's minimum remaining life with markdown, and units that keep their expiry through a
second echelon.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, run_model

import jitsim
from jitsim.model.kpis import extract
from jitsim.model.shelf import Shelf

# -- (b) the bread table of the docs ----------------------------------------------------------

BREAD = """\
name: bread
run: {horizon_days: 12, warmup_days: 0, replications: 1, seed: 1}
items:
  bread: {unit_cost: 2.0, price: 5.0, shelf_life: 3, salvage_value: 0.5}
suppliers:
  bakery: {items: [bread], lead_time: 1}
stock_points:
  store:
    item: bread
    source: bakery
    initial: 10
    policy: {kind: s_S, s: 4, S: 14}
customers:
  shoppers: {buys_from: store, demand: 3}
"""

#: The hand table of docs/waste-space-cash.md: day → (expired in the morning, received,
#: ordered at the review, sold at noon, on hand at the end of the day).
_TABLE_ROW = re.compile(r"^\| (\d+) \| (\S+) \| (\S+) \| (\S+) \| (\S+) \| (\S+) \|$")


def _hand_table() -> dict[int, tuple[float, ...]]:
    """The bread table, read from the docs (so the page and the test cannot drift)."""
    text = (ROOT / "docs" / "waste-space-cash.md").read_text(encoding="utf-8")
    section = text.split("<!-- section: perishables -->")[1].split("<!-- end section")[0]
    rows = {}
    for line in section.splitlines():
        match = _TABLE_ROW.match(line)
        if match:
            day, *cells = match.groups()
            rows[int(day)] = tuple(0.0 if c == "—" else float(c) for c in cells)
    return rows


def _simulated_table(network: object) -> dict[int, tuple[float, ...]]:
    rows: dict[int, list[float]] = {}
    trace = network.trace  # type: ignore[attr-defined]
    for time, node, event, quantity, _level, _ in trace:
        if node != "store":
            continue
        day = int(time) if event != "end of day" else int(time) - 1
        row = rows.setdefault(day, [0.0, 0.0, 0.0, 0.0, 0.0])
        column = {"expired": 0, "receipt": 1, "order": 2, "demand": 3}.get(event)
        if column is not None:
            row[column] += quantity
        if event == "end of day":
            row[4] = quantity
    return {day: (*row[:3], row[3], row[4]) for day, row in rows.items()}


def test_the_bread_table_of_the_docs_is_what_the_simulator_does() -> None:
    hand = _hand_table()
    assert sorted(hand) == list(range(12))
    network = run_model(jitsim.load_scenario_text(BREAD), "base")
    simulated = _simulated_table(network)
    # the docs' sold column: units sold (demand 3 a day, always met here)
    assert {day: simulated[day] for day in hand} == {day: row[:5] for day, row in hand.items()}
    kpis = extract(network)
    assert kpis["units_expired"] == 3.0
    assert kpis["store.units_expired"] == 3.0
    assert kpis["expiry_cost"] == pytest.approx(3 * (2.0 - 0.5))
    assert kpis["waste_share"] == pytest.approx(3 / 40)  # 10 initial + 3 receipts of 10
    assert kpis["avg_age_at_sale"] == pytest.approx(1.5)  # 3 at 0.5, 3 at 1.5, 3 at 2.5 days
    assert kpis["fill_rate"] == 1.0
    # the expired units are out before the review: the policy saw sellable stock only
    reviews = [row for row in network.trace if row[2] == "review" and row[0] in (3.0, 6.0, 9.0)]
    assert [row[4] for row in reviews] == [10.0, 10.0, 10.0]


def test_profit_is_revenue_and_salvage_less_all_money_spent() -> None:
    network = run_model(jitsim.load_scenario_text(BREAD), "base")
    k = extract(network)
    salvage = 0.5 * k["units_expired"]
    spent = (
        k["purchase_cost"]
        + k["holding_cost"]
        + k["obsolescence_cost"]
        + k["ordering_cost"]
        + k["shortage_cost"]
    )
    assert k["revenue"] == 36 * 5.0
    assert k["purchase_cost"] == 4 * 10 * 2.0
    assert k["total_cost"] == pytest.approx(spent - k["purchase_cost"] + k["expiry_cost"])
    assert k["profit"] == pytest.approx(k["revenue"] + salvage - spent)


# -- (d) issuing rules ------------------------------------------------------------------------

ISSUE = """\
name: issue rules
run: {horizon_days: 9, warmup_days: 0, replications: 1, seed: 1}
items:
  yoghurt: {unit_cost: 1.0, price: 2.0, shelf_life: 4}
suppliers:
  dairy: {items: [yoghurt], lead_time: 0}
stock_points:
  store:
    item: yoghurt
    source: dairy
    initial: 5
    issue: ISSUE
    policy: {kind: s_S, s: 3, S: 7}
customers:
  shoppers: {buys_from: store, demand: 2, unmet: lost_sale}
"""


@pytest.mark.parametrize(
    ("issue", "expired"),
    [
        ("fifo", []),  # the oldest go first: nothing is left to expire
        ("fefo", []),  # equal shelf lives: the same as fifo
        # newest first: the 3 initial units expire on day 4, then 2 of day 3's on day 7 and
        # 1 of day 4's on day 8 (worked out in docs/waste-space-cash.md)
        ("lifo", [(4.0, 3.0), (7.0, 2.0), (8.0, 1.0)]),
    ],
)
def test_fifo_sells_old_stock_first_and_lifo_lets_it_expire(
    issue: str, expired: list[tuple[float, float]]
) -> None:
    network = run_model(jitsim.load_scenario_text(ISSUE.replace("ISSUE", issue)), "base")
    assert [(r[0], r[3]) for r in network.trace if r[2] == "expired"] == expired
    kpis = extract(network)
    assert kpis["units_expired"] == sum(units for _, units in expired)
    assert kpis["fill_rate"] == 1.0


class _Lives:
    """Shelf lives handed out in a given order (a stand-in for the BlockSampler)."""

    def __init__(self, *lives: float) -> None:
        self.lives = list(lives)

    def next(self) -> float:
        return self.lives.pop(0)


@pytest.mark.parametrize(
    ("issue", "left", "expired"),
    [
        # A: 4 units at 0, expiry 5; B: 4 at 1, expiry 3; C: 4 at 2, expiry 12.
        # Take 3 at 1.5 and 3 at 2.5 (after C arrived); then expire at 3.
        ("fifo", [[3.0, 1.0, 2.0], [12.0, 2.0, 4.0]], 2.0),  # A, then B: 2 of B left to expire
        ("fefo", [[5.0, 0.0, 2.0], [12.0, 2.0, 4.0]], 0.0),  # B first, then A: B is sold out
        ("lifo", [[12.0, 2.0, 1.0], [3.0, 1.0, 1.0], [5.0, 0.0, 4.0]], 1.0),  # B, then C
    ],
)
def test_fefo_fifo_and_lifo_on_a_shelf(issue: str, left: list[list[float]], expired: float) -> None:
    shelf = Shelf(
        issue,
        _Lives(5.0, 2.0, 10.0),  # type: ignore[arg-type]
        unit_cost=1.0,
        salvage_value=0.0,
        from_production=False,
        markdown=None,
        min_left={},
    )
    shelf.put(shelf.stamp(4.0, 0.0), 0.0)
    shelf.put(shelf.stamp(4.0, 1.0), 1.0)
    assert sum(b[2] for b in shelf.take(3.0, 1.5, 0.0)) == 3.0
    shelf.put(shelf.stamp(4.0, 2.0), 2.0)
    assert sum(b[2] for b in shelf.take(3.0, 2.5, 0.0)) == 3.0
    assert shelf.batches == left
    before = shelf.units
    shelf.batches = [b for b in shelf.batches if b[0] > 3.0]
    assert before - shelf.units == expired


# -- (e) minimum remaining life and markdown --------------------------------------------------

PICKY = """\
name: picky and relaxed
run: {horizon_days: 5, warmup_days: 0, replications: 1, seed: 1}
items:
  fish:
    unit_cost: 4.0
    price: 10.0
    shelf_life: 4
    markdown: {days_before_expiry: 1.5, price_factor: 0.5}
suppliers:
  sea: {items: [fish], lead_time: 0}
stock_points:
  counter:
    item: fish
    source: sea
    initial: 8
    policy: {kind: base_stock, S: 0}
customers:
  restaurant: {buys_from: counter, demand: 2, unmet: lost_sale, min_remaining_days: 3}
  walk_in: {buys_from: counter, demand: 1, unmet: lost_sale}
"""


def test_min_remaining_days_and_markdown_by_hand() -> None:
    """8 fish at day 0, expiring on day 4. The restaurant wants 3 days of life left: it gets
    2 on day 0 (3.5 days left) and none after. Walk-ins buy 1 a day: full price on day 1
    (2.5 days left), marked down to half on days 2 and 3 (1.5 and 0.5 days left). The last 2
    expire on day 4; on day 4 the walk-in finds nothing."""
    network = run_model(jitsim.load_scenario_text(PICKY), "base")
    k = extract(network)
    assert k["restaurant.sold_units"] == 2.0
    assert k["restaurant.fill_rate"] == pytest.approx(2 / 10)
    assert k["walk_in.sold_units"] == 4.0
    assert k["units_expired"] == 2.0
    assert [(r[0], r[3]) for r in network.trace if r[2] == "expired"] == [(4.0, 2.0)]
    assert k["units_marked_down"] == 2.0
    assert k["markdown_revenue_lost"] == pytest.approx(2 * 10.0 * 0.5)
    assert k["restaurant.revenue"] == pytest.approx(20.0)
    assert k["walk_in.revenue"] == pytest.approx(2 * 10.0 + 2 * 5.0)
    assert k["lost_sales_units"] == 8.0 + 1.0


def test_a_backordered_picky_customer_lets_the_next_one_be_served() -> None:
    """Fish reach the shop through a dc, where their 3 days of life started. On day 0 the
    shop has none: the restaurant (2.5 days of life wanted) and a walk-in are backordered, in
    that order. On day 1 the shop receives 3 fish with 2 days left: too old for the
    restaurant, which keeps its place in the queue, so the walk-in behind it is served."""
    text = ECHELONS.replace("milk", "fish").replace(
        "  shoppers: {buys_from: shop, demand: 2, unmet: lost_sale}",
        "  restaurant: {buys_from: shop, demand: 2, min_remaining_days: 2.5}\n"
        "  walk_in: {buys_from: shop, demand: 1}",
    )
    network = run_model(jitsim.load_scenario_text(text), "base")
    fills = [(r[0], r[3]) for r in network.trace if r[2] == "backorder filled"]
    assert fills[0] == (1.0, 1.0)  # the walk-in; the restaurant could have none
    k = extract(network)
    assert k["restaurant.sold_units"] == 0.0
    assert k["restaurant.demand_units"] == 2.0 * 5
    assert k["walk_in.sold_units"] > 0.0


# -- units keep their expiry through a second echelon ----------------------------------------

ECHELONS = """\
name: two echelons of milk
run: {horizon_days: 5, warmup_days: 0, replications: 1, seed: 1}
items:
  milk: {unit_cost: 1.0, price: 2.0, shelf_life: 3}
suppliers:
  dairy: {items: [milk], lead_time: 1}
stock_points:
  dc:
    item: milk
    source: dairy
    initial: 10
    policy: {kind: base_stock, S: 0}
  shop:
    item: milk
    source: dc
    lead_time: 1
    policy: {kind: base_stock, S: 4}
customers:
  shoppers: {buys_from: shop, demand: 2, unmet: lost_sale}
"""


def test_units_keep_their_expiry_through_a_second_echelon() -> None:
    """10 litres at the dc on day 0 expire on day 3. The shop orders 4 on day 0 (arrive day 1)
    and 2 on day 2 (arrive day 3, already expired: out at once). The dc's last 4 expire on
    day 3."""
    network = run_model(jitsim.load_scenario_text(ECHELONS), "base")
    expired = [(r[0], r[1], r[3]) for r in network.trace if r[2] == "expired"]
    assert expired == [(3.0, "dc", 4.0), (3.0, "shop", 2.0)]
    k = extract(network)
    assert k["shop.avg_age_at_sale"] == pytest.approx((2 * 1.5 + 2 * 2.5) / 4)
    assert k["units_expired"] == 6.0
    # 10 on hand at the start, 4 bought by the dc on day 3 (its stock was gone): 6 of 14
    assert k["waste_share"] == pytest.approx(6 / 14)
    assert k["shop.waste_share"] == pytest.approx(2 / 6)


def test_the_daily_convention_has_the_expiry_step() -> None:
    text = Path(ROOT / "docs" / "daily-convention.md").read_text(encoding="utf-8")
    assert "## Perishable stock: expiry is phase 1b" in text


# -- plants and stock losses ------------------------------------------------------------------

JAM = """\
name: jam from a kitchen
run: {horizon_days: 60, warmup_days: 0, replications: 1, seed: 3}
items:
  fruit: {unit_cost: 1.0}
  jam: {unit_cost: 3.0, price: 5.0, shelf_life: 100, shelf_life_from: FROM}
suppliers:
  farm: {items: [fruit], lead_time: 1}
stock_points:
  pantry:
    item: fruit
    source: farm
    initial: 50
    policy: {kind: s_S, s: 20, S: 60}
  shop:
    item: jam
    source: kitchen
    lead_time: 2
    policy: {kind: s_S, s: 6, S: 15}
plants:
  kitchen:
    products:
      jam: {bom: {fruit: 2}, processing_time: 0.01, batch_size: 1}
customers:
  shoppers: {buys_from: shop, demand: {kind: poisson, mean: 3}}
"""


def test_shelf_life_from_production_counts_the_transit_from_the_plant() -> None:
    """Nothing expires (100 days), so the same units are sold at the same times either way;
    counted from production every unit is older by exactly its 2 days on the road."""
    kpis = {}
    for start in ("arrival", "production"):
        network = run_model(jitsim.load_scenario_text(JAM.replace("FROM", start)), "base")
        kpis[start] = extract(network)
        assert network.points["shop"].shelf.units == pytest.approx(  # type: ignore[union-attr]
            network.points["shop"].on_hand, abs=1e-9
        )
    assert kpis["arrival"]["sold_units"] == kpis["production"]["sold_units"] > 100
    assert kpis["production"]["avg_age_at_sale"] - kpis["arrival"]["avg_age_at_sale"] == (
        pytest.approx(2.0)
    )


def test_a_stock_loss_takes_the_same_share_of_every_batch() -> None:
    """Bread again, half the stock burnt on the morning of day 4 (after the receipts): 7
    loaves of day 3's delivery were left, 3.5 are burnt, the rest sells before it expires."""
    text = (
        BREAD + "disruptions:\n  fire: {kind: stock_loss, nodes: [store], fraction: 0.5, at: [4]}\n"
    )
    network = run_model(jitsim.load_scenario_text(text), "base")
    k = extract(network)
    assert k["units_destroyed"] == 3.5
    shelf = network.points["store"].shelf
    assert shelf is not None
    assert shelf.units == pytest.approx(network.points["store"].on_hand, abs=1e-9)
    # day 4: IP 3.5 → order 10.5 (due day 5); noon: 0.5 left, sold first on day 5
    assert [(r[0], r[3]) for r in network.trace if r[2] == "order"][1] == (4.0, 10.5)
    # day 5: 10.5 arrive (expire day 8); the 0.5 old loaf goes first; on day 8 the 2 left of
    # the 10.5 expire, the store is empty at the review and 3 loaves are backordered
    assert [(r[0], r[3]) for r in network.trace if r[2] == "expired"] == [(3.0, 1.0), (8.0, 2.0)]
    assert k["backordered_units"] == 3.0
