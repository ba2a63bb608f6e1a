"""An item's end of life (``items.X.end_of_life``): hand traces, the closed form of a
base-stock policy's write-off, and the accounting of the write-off in cost and profit.

The closed form (docs/waste-space-cash.md, "Obsolescence: an item's end of life"). A
base-stock policy with level S reviewed every morning, lead time L (whole days), Poisson demand
of mean λ a day, backorders; the life ends on day T (well after the warm-up) with no demand
left, announced N days ahead (N = 0: not announced). After the review of day T − N − 1 the
inventory position is S; no order follows, and N + 1 days of demand (days T − N − 1 … T − 1)
pass before T. The backorders waiting at T are filled from what arrives; the rest is written
off, so

    E[units written off] = E[(S − D)^+],  D ~ Poisson(λ (N + 1)).

Of them, the stock on hand at T — written off at T, in phase 2 before the day's receipts, when
the orders placed up to day T − L − 1 have arrived — is E[(S − D')^+], D' ~ Poisson(λ (L + 1)),
and the stock on hand plus on order at that moment (before backorders are netted) is
S − λ + E[(D' − S)^+] (N = 0).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import run_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from jitsim.errors import ScenarioError
from jitsim.model.kpis import extract
from jitsim.scenario import load_scenario_text
from jitsim.scenario.event_warnings import scenario_warnings

#: One store, base stock S = 20, lead time 3, exactly 4 a day, end of life on day 8.
HAND = """
name: end of life by hand
run: {{horizon_days: {horizon}, warmup_days: 0, replications: 1}}
items:
  widget:
    unit_cost: 10.0
    price: 15.0
    salvage_value: 2.0
    end_of_life: {{at: {at}, demand_factor: {factor}{announce}}}
suppliers:
  acme: {{items: [widget], lead_time: 3, order_cost: 1.0}}
stock_points:
  store: {{item: widget, source: acme, initial: 20, policy: {{kind: base_stock, S: 20}}}}
customers:
  shop: {{buys_from: store, demand: 4, unmet: backorder}}
"""


def hand(
    factor: float = 0.0, announce: int | None = None, horizon: int = 14, at: float = 8
) -> tuple[list[tuple[float, ...]], dict[str, float]]:
    text = HAND.format(
        horizon=horizon,
        at=at,
        factor=factor,
        announce="" if announce is None else f", announced_days_ahead: {announce}",
    )
    network = run_model(load_scenario_text(text))
    assert network.trace is not None
    return network.trace, extract(network)


def rows(trace: list[tuple[float, ...]], event: str) -> list[tuple[float, float, str]]:
    """(time, quantity, note) of every ``event`` line of the store."""
    return [(r[0], r[3], r[5]) for r in trace if r[1] == "store" and r[2] == event]


def money_identity(record: dict[str, float], salvage: float) -> None:
    """profit = revenue + salvage recovered − every currency unit spent (purchases and the
    costs that are not the write-off itself)."""
    spent = record["purchase_cost"] + record["total_cost"] - record["obsolescence_write_off"]
    recovered = salvage * record["units_written_off"]
    assert record["profit"] == pytest.approx(record["revenue"] + recovered - spent, abs=1e-9)


def test_hand_trace_demand_stops() -> None:
    """Days 0–7 as in docs/daily-convention.md: IP 16 at every review after the first, 4
    ordered a day. Day 8 (T): the 4 on hand are written off before the receipt of day 8; the
    orders of days 5, 6, 7 arrive on days 8, 9, 10 and are written off on arrival: 16 units =
    S − one day of demand. No order from day 8 on, no demand."""
    trace, record = hand()
    orders = rows(trace, "order")
    assert [t for t, _q, _n in orders] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert rows(trace, "written off") == [
        (8.0, 4.0, "end of life"),
        (8.0, 4.0, "arrived after the end"),
        (9.0, 4.0, "arrived after the end"),
        (10.0, 4.0, "arrived after the end"),
    ]
    assert max(t for t, _q, _n in rows(trace, "demand")) == 7.5
    assert record["units_written_off"] == record["store.units_written_off"] == 16.0
    assert record["obsolescence_write_off"] == record["store.obsolescence_write_off"] == 128.0
    costs = ("holding_cost", "obsolescence_cost", "ordering_cost", "shortage_cost")
    assert record["total_cost"] == pytest.approx(sum(record[c] for c in costs) + 128.0)
    # 7 orders of 4 at 10: 280 paid, 8 days × 4 sold at 15 = 480, 16 × 2 salvage recovered
    assert record["purchase_cost"] == 280.0 and record["revenue"] == 480.0
    money_identity(record, salvage=2.0)


def test_hand_trace_announced() -> None:
    """Announced 2 days ahead: the last order is on day 5 (T − N − 1), and the inventory
    position at T is S − 3 days of demand = 8: 4 on hand at T, and the order of day 5 that
    arrives on day 8."""
    trace, record = hand(announce=2)
    assert max(t for t, _q, _n in rows(trace, "order")) == 5.0
    notes = {t: n for t, _q, n in rows(trace, "review")}
    assert notes[5.0] == "" and notes[6.0] == notes[13.0] == "ordering stopped"
    assert rows(trace, "written off") == [
        (8.0, 4.0, "end of life"),
        (8.0, 4.0, "arrived after the end"),
    ]
    assert record["units_written_off"] == 8.0
    money_identity(record, salvage=2.0)


def test_hand_trace_announced_too_early_cancels_backorders() -> None:
    """Announced 5 days ahead: the last order is on day 2; the shelf is empty from day 6 and
    the 4 units demanded on day 7 are backordered. At T nothing is on order to fill them: they
    are cancelled (still counted as backordered, never delivered), nothing is written off."""
    trace, record = hand(announce=5)
    assert max(t for t, _q, _n in rows(trace, "order")) == 2.0
    assert rows(trace, "backorder cancelled") == [(8.0, 4.0, "shop: end of life")]
    assert rows(trace, "written off") == []
    assert record["backordered_units"] == 4.0 and record["sold_units"] == 7 * 4
    assert record["avg_backorders"] == pytest.approx(4 * 0.5 / 14)  # from 7.5 to 8 only
    money_identity(record, salvage=2.0)


def test_hand_trace_demand_factor() -> None:
    """demand_factor 0.5: 2 a day from day 8 (constant demand, mean halved); ordering stops
    at T; IP 16 at T, 6 days × 2 sold, 4 left at the horizon's end and written off then."""
    trace, record = hand(factor=0.5)
    assert max(t for t, _q, _n in rows(trace, "order")) == 7.0
    assert [q for t, q, _n in rows(trace, "demand") if t > 8] == [2.0] * 6
    assert rows(trace, "written off") == [(14.0, 4.0, "left at the horizon's end")]
    assert record["units_written_off"] == 4.0
    assert record["sold_units"] == 8 * 4 + 6 * 2
    money_identity(record, salvage=2.0)


def test_end_between_days_takes_effect_the_next_morning() -> None:
    """``at: 7.3`` is day 8: the same run as ``at: 8``."""
    assert hand(at=7.3) == hand(at=8)


def test_end_after_the_horizon_changes_nothing() -> None:
    """An end of life after the horizon: every column of the scenario without it is there
    with the same number (no stream moved), and nothing is written off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "always falls after the horizon"
        trace, record = hand(at=30)
    text = HAND.format(horizon=14, at=8, factor=0, announce="")
    plain = text.replace("    end_of_life: {at: 8, demand_factor: 0}\n", "")
    network = run_model(load_scenario_text(plain))
    expected = extract(network)
    assert {k: record[k] for k in expected} == expected
    assert record["units_written_off"] == record["obsolescence_write_off"] == 0.0
    assert trace == network.trace


TWO_ECHELONS = """
name: two echelons, end of life
run: {{horizon_days: {horizon}, warmup_days: 0, replications: 1}}
items:
  widget: {{unit_cost: 10.0, end_of_life: {{at: 8}}}}
suppliers:
  acme: {{items: [widget], lead_time: {lead}}}
stock_points:
  dc: {{item: widget, source: acme, initial: 20, policy: {{kind: base_stock, S: 20}}}}
  store:
    item: widget
    source: dc
    lead_time: 1
    initial: 12
    policy: {{kind: base_stock, S: 12}}
customers:
  shop: {{buys_from: store, demand: 4, unmet: backorder}}
"""


@pytest.mark.parametrize(("horizon", "lead", "at_horizon"), [(14, 2, 0.0), (10, 6, 16.0)])
def test_two_echelons_count_each_unit_once(horizon: int, lead: int, at_horizon: float) -> None:
    """At T = 8 the inventory positions are 20 at the dc (it reviews after the store's order
    of day 7) and 12 − 4 = 8 at the store: 28 units are written off, 20 at the dc and 8 at
    the store, whether they arrive before the horizon's end (lead time 2) or are still on
    order from the supplier then (lead time 6, horizon 10: 16 units counted at the end)."""
    network = run_model(load_scenario_text(TWO_ECHELONS.format(horizon=horizon, lead=lead)))
    record = extract(network)
    assert record["units_written_off"] == 28.0
    assert record["dc.units_written_off"] == 20.0
    assert record["store.units_written_off"] == 8.0
    assert network.end_of_life is not None
    dc = network.end_of_life.points["dc"][1]
    assert dc is not None and dc.units_at_horizon == at_horizon


def test_horizon_end_counts_no_unit_an_upstream_point_will_never_have() -> None:
    """The store orders 8 from a dc that never orders (s below any position): at the
    horizon's end the store has 8 on order that the dc owes but will never have; nothing is
    written off (its inventory position, 8, would be wrong)."""
    text = (
        TWO_ECHELONS.format(horizon=6, lead=2)
        .replace("end_of_life: {at: 8}", "end_of_life: {at: 2, demand_factor: 0.5}")
        .replace(
            "initial: 20, policy: {kind: base_stock, S: 20}",
            "initial: 0, policy: {kind: s_S, s: -100, S: 0}",
        )
        .replace("initial: 12", "initial: 0")
        .replace("S: 12", "S: 8")
        .replace("demand: 4", "demand: 0")
    )
    network = run_model(load_scenario_text(text))
    assert network.points["store"].position == 8.0
    assert extract(network)["units_written_off"] == 0.0


ORDERS = """
name: individual orders, end of life
run: {{horizon_days: 200, warmup_days: 0, replications: 1}}
items:
  widget: {{unit_cost: 1.0, end_of_life: {{at: 100, demand_factor: {factor}}}}}
suppliers:
  acme: {{items: [widget], lead_time: 1}}
stock_points:
  store: {{item: widget, source: acme, initial: 10, policy: {{kind: base_stock, S: 10}}}}
customers:
  shop: {{buys_from: store, orders: {{rate_per_day: 20, size: 1}}, unmet: lost_sale}}
"""


def test_individual_orders_are_thinned() -> None:
    """Orders from day 100 on are kept with probability f: none with f = 0; with f = 0.25,
    Binomial(n, 0.25) of the n orders the run without an end would have had (4 SE)."""

    def orders(factor: float) -> tuple[int, int]:
        network = run_model(load_scenario_text(ORDERS.format(factor=factor)), trace=True)
        assert network.trace is not None
        times = [r[0] for r in network.trace if r[2] == "demand"]
        return sum(t < 100 for t in times), sum(t >= 100 for t in times)

    before, after = orders(1.0)
    assert orders(0.0) == (before, 0)
    kept_before, kept = orders(0.25)
    assert kept_before == before
    assert abs(kept - 0.25 * after) <= 4 * math.sqrt(after * 0.25 * 0.75)


# --------------------------------------------------------------------------- closed form

BASE_STOCK = """
name: base stock, end of life
run: {{horizon_days: 50, warmup_days: 20, replications: 1, seed: 17}}
items:
  widget: {{unit_cost: 10.0, end_of_life: {{at: 40{announce}}}}}
suppliers:
  acme: {{items: [widget], lead_time: 4}}
stock_points:
  store: {{item: widget, source: acme, initial: 30, policy: {{kind: base_stock, S: 30}}}}
customers:
  shop: {{buys_from: store, demand: {{kind: poisson, mean: 5}}, unmet: backorder}}
"""
S, LAMBDA, LEAD, T, REPLICATIONS = 30, 5.0, 4, 40, 1000


def positive_part(level: int, mean: float) -> float:
    """E[(level − D)^+] for D ~ Poisson(mean)."""
    k = np.arange(level + 1)
    return float(((level - k) * stats.poisson.pmf(k, mean)).sum())


@pytest.mark.parametrize("announced", [0, 2, 5])
def test_base_stock_write_off_closed_form(announced: int) -> None:
    """Units written off vs E[(S − D)^+], D ~ Poisson(λ (N + 1)) (module notes), 1000
    replications, 4 standard errors. N = 0: also the stock on hand written off at T, E[(S −
    D')^+] with D' ~ Poisson(λ (L + 1)), and on hand + on order just before it."""
    extra = f", announced_days_ahead: {announced}" if announced else ""
    scenario = load_scenario_text(BASE_STOCK.format(announce=extra))
    total, at_end, stock = [], [], []
    for r in range(REPLICATIONS):
        network = run_model(scenario, replication=r, trace=False, trajectories=True)
        assert network.end_of_life is not None
        state = network.end_of_life.points["store"][1]
        assert state is not None
        total.append(state.units)
        at_end.append(state.units_at_end)
        day, on_hand, _backorders, on_order, _cash = network.points["store"].trajectory[T - 1]
        assert day == T - 1  # the snapshot taken at T, before the end's write-off
        stock.append(on_hand + on_order)

    def close(values: list[float], expected: float) -> None:
        sample = np.asarray(values)
        error = sample.std(ddof=1) / math.sqrt(len(sample))
        assert abs(sample.mean() - expected) <= 4 * error, (sample.mean(), expected, error)

    close(total, positive_part(S, LAMBDA * (announced + 1)))
    if announced == 0:
        on_hand = positive_part(S, LAMBDA * (LEAD + 1))
        close(at_end, on_hand)
        backorders = on_hand - (S - LAMBDA * (LEAD + 1))  # E[(D' − S)^+]
        close(stock, S - LAMBDA + backorders)
        # the plausible wrong reference — everything on hand and on order right after a
        # review at T is written off, S + E[(D_L − S)^+] — is far off: the review of day T
        # orders nothing and the backorders waiting at T are sales, not write-offs
        wrong = S + positive_part(S, LAMBDA * LEAD) - (S - LAMBDA * LEAD)
        assert abs(np.mean(total) - wrong) > 20 * np.std(total, ddof=1) / math.sqrt(len(total))


# --------------------------------------------------------------------------- scenario checks


def test_alternative_may_only_change_the_announcement() -> None:
    text = HAND.format(horizon=14, at=8, factor=0, announce="")
    told = (
        text
        + "alternatives:\n  told: {changes: {items.widget.end_of_life.announced_days_ahead: 3}}\n"
    )
    scenario = load_scenario_text(told)
    assert scenario.alternatives["told"].changes
    moved = text + "alternatives:\n  later: {changes: {items.widget.end_of_life.at: 9}}\n"
    with pytest.raises(ScenarioError, match="only through"):
        load_scenario_text(moved)


def test_warnings_when_the_window_never_sees_the_end() -> None:
    text = HAND.format(horizon=14, at=8, factor=0, announce="")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        late = load_scenario_text(text.replace("at: 8", "at: {kind: uniform, low: 14, high: 20}"))
        inside = load_scenario_text(text.replace("at: 8", "at: {kind: uniform, low: 2, high: 20}"))
        early = load_scenario_text(
            text.replace("at: 8", "at: 3").replace("warmup_days: 0", "warmup_days: 5")
        )
    assert scenario_warnings(late) == [
        "end of life of item 'widget' (days 14–20) always falls after the horizon (14 days): "
        "it never happens, nothing is written off"
    ]
    assert scenario_warnings(inside) == []
    assert "always falls within the warm-up" in scenario_warnings(early)[0]


@pytest.mark.parametrize("at", ["{kind: normal, mean: 8, sd: 20}", "{kind: exponential, mean: 8}"])
def test_an_unbounded_end_of_life_loads_without_a_warning(at: str) -> None:
    """An end of life without an upper bound can fall in the window: no warning, no crash."""
    text = HAND.format(horizon=14, at=8, factor=0, announce="").replace("at: 8", f"at: {at}")
    scenario = load_scenario_text(text.replace("warmup_days: 0", "warmup_days: 5"))
    assert scenario_warnings(scenario) == []


# --------------------------------------------------------------------------- conservation

CONSERVATION = """
name: conservation at the end of life
run: {{horizon_days: {horizon}, warmup_days: 0, replications: 1, seed: {seed}}}
items:
  widget:
    unit_cost: 7.0
    price: 11.0
    salvage_value: {salvage}
    end_of_life: {{at: {at}, demand_factor: {factor}{announce}}}
suppliers:
  acme: {{items: [widget], lead_time: {lead}, order_cost: 3.0}}
stock_points:
{points}
customers:
  shop: {{buys_from: store, demand: {{kind: poisson, mean: {mean}}}, unmet: {unmet},
         backorder_cost_per_unit_day: 0.5}}
"""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    at=st.floats(5.0, 40.0),
    factor=st.sampled_from([0.0, 0.0, 0.3, 1.0]),
    announce=st.one_of(st.none(), st.integers(0, 10)),
    lead=st.integers(0, 5),
    level=st.integers(0, 40),
    mean=st.floats(0.5, 8.0),
    unmet=st.sampled_from(["backorder", "lost_sale"]),
    echelons=st.sampled_from([1, 2]),
    salvage=st.sampled_from([0.0, 2.5]),
)
def test_every_unit_is_sold_or_written_off(
    seed: int,
    at: float,
    factor: float,
    announce: int | None,
    lead: int,
    level: int,
    mean: float,
    unmet: str,
    echelons: int,
    salvage: float,
) -> None:
    """Units are conserved: initial stock + units bought = units sold + units written off,
    once every order placed before the end has arrived (the horizon leaves time for it); and
    profit = revenue + salvage recovered − all money spent, whatever the end, the demand
    factor, the announcement, the lead time, the policy level and the number of echelons."""
    store = f"  store: {{item: widget, source: {{src}}, initial: {level}, lead_time: 1,\n"
    store += f"          policy: {{kind: base_stock, S: {level}}}}}"
    if echelons == 1:
        points = store.replace("{src}", "acme").replace(", lead_time: 1", "")
        initial = level
    else:
        dc = f"  dc: {{item: widget, source: acme, initial: {2 * level}, "
        dc += f"policy: {{kind: base_stock, S: {2 * level}}}}}\n"
        points = dc + store.replace("{src}", "dc")
        initial = 3 * level
    text = CONSERVATION.format(
        horizon=math.ceil(at) + lead + 3,
        seed=seed,
        salvage=salvage,
        at=at,
        factor=factor,
        announce="" if announce is None else f", announced_days_ahead: {announce}",
        lead=lead,
        points=points,
        mean=mean,
        unmet=unmet,
    )
    network = run_model(load_scenario_text(text), trace=False)
    record = extract(network)
    assert initial + record["bought_units"] == pytest.approx(
        record["sold_units"] + record["units_written_off"], abs=1e-9
    )
    money_identity(record, salvage=salvage)


PLANT = """
name: plant, end of life
run: {horizon_days: 20, warmup_days: 0, replications: 1}
items:
  part: {unit_cost: 2.0}
  gadget: {unit_cost: 10.0, end_of_life: {at: 8}}
suppliers:
  acme: {items: [part], lead_time: 1}
stock_points:
  parts: {item: part, source: acme, initial: 40, policy: {kind: base_stock, S: 40}}
  shelf: {item: gadget, source: works, lead_time: 1, initial: 12, policy: {kind: base_stock, S: 12}}
plants:
  works:
    products:
      gadget: {bom: {part: 1}, processing_time: 0.2}
customers:
  shop: {buys_from: shelf, demand: 4, unmet: backorder}
"""


def test_work_in_process_is_written_off_when_it_arrives() -> None:
    """The shelf orders 4 gadgets a morning from the plant (0.2 days each, then 1 day to the
    shelf). At T = 8 it has 4 on hand and the 4 of day 7's production order on their way:
    the 4 are written off at T, the other 4 as they arrive (8.2 … 8.8); the material (another
    item) lives on."""
    network = run_model(load_scenario_text(PLANT))
    assert network.trace is not None
    written = [(r[0], r[3], r[5]) for r in network.trace if r[2] == "written off"]
    assert written[0] == (8.0, 4.0, "end of life")
    assert [round(t, 6) for t, _q, _n in written[1:]] == [8.2, 8.4, 8.6, 8.8]
    assert {n for _t, _q, n in written[1:]} == {"arrived after the end"}
    record = extract(network)
    assert record["units_written_off"] == record["shelf.units_written_off"] == 8.0
    assert "parts.units_written_off" not in record
    assert record["works.units_produced"] == 28.0  # 7 production orders of 4, none after T


EXPIRED_ON_ARRIVAL = """
name: end of life, perishable units arriving expired
run: {horizon_days: 8, warmup_days: 0, replications: 1}
items:
  yoghurt: {unit_cost: 1.0, shelf_life: 3, end_of_life: {at: 2}}
suppliers:
  dairy: {items: [yoghurt], lead_time: 1}
stock_points:
  dc: {item: yoghurt, source: dairy, initial: 100, policy: {kind: base_stock, S: 100}}
  shop: {item: yoghurt, source: dc, lead_time: 3, initial: 0, policy: {kind: base_stock, S: 4}}
customers:
  walk_in: {buys_from: shop, demand: 4, unmet: backorder, backorder_cost_per_unit_day: 1.0}
"""


def test_backorders_of_a_dead_point_go_when_their_units_arrive_expired() -> None:
    """The shop orders 4 on days 0 and 1 (the dc's initial yoghurts, expiring on day 3, three
    days on the way) and owes 8 at the end of life (day 2), all on order: nothing is cancelled
    then. The yoghurts arrive expired on days 3 and 4, so nothing will ever fill those
    backorders: they are cancelled as the units are thrown away, not kept (and charged) to the
    horizon."""
    network = run_model(load_scenario_text(EXPIRED_ON_ARRIVAL))
    assert network.trace is not None
    shop = network.points["shop"]
    cancelled = [(t, q) for t, n, e, q, *_ in network.trace if e == "backorder cancelled"]
    assert cancelled == [(3.0, 4.0), (4.0, 4.0)]
    assert shop.backorders == 0.0
    assert extract(network)["shortage_cost"] == pytest.approx(4 * 2.5 + 4 * 2.5)


def test_an_announcement_as_early_as_the_end_itself_is_a_warning() -> None:
    """Announced 8 or more days ahead of an end on day 8, ordering stops on day 0: the store
    never orders (in the file, or in the alternative that says so)."""
    early = load_scenario_text(
        HAND.format(horizon=14, at=8, factor=0, announce=", announced_days_ahead: 8")
    )
    assert scenario_warnings(early) == [
        "end of life of item 'widget' (day 8) is announced 8 days ahead: ordering stops on day "
        "0 at the latest, so its stock points never order"
    ]
    text = HAND.format(horizon=14, at=8, factor=0, announce=", announced_days_ahead: 7")
    assert scenario_warnings(load_scenario_text(text)) == []
    told = text + (
        "alternatives:\n  told: {changes: {items.widget.end_of_life.announced_days_ahead: 30}}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario = load_scenario_text(told)
    assert scenario_warnings(scenario) == [
        "end of life of item 'widget' (day 8) is announced 30 days ahead (alternative 'told'): "
        "ordering stops on day 0 at the latest, so its stock points never order"
    ]
