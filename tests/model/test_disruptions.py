"""Disruptions (issue 5, foundation): timelines, supplier outages, shocks, surges, losses.

* Common random numbers: every alternative sees the same drawn windows and the same demand
  path in replication r.
* Random outages: long-run downtime fraction E[down]/(E[up]+E[down]) (alternating renewal)
  and p_down/(p_down+p_up) (daily Markov chain), within three standard errors.
* Hand traces with constant demand and lead times, every expected time derived in a comment.
* Validation: every mistake is a ``FILE:LINE: path: message`` error.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from conftest import scenario_text

import jitsim
from jitsim.errors import JitsimWarning, ScenarioError
from jitsim.model.disruptions import Timeline, daily_capacity, draw_outage
from jitsim.model.kpis import extract
from jitsim.model.network import Network, build
from jitsim.scenario.disruptions import Outage
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams

# The hand-trace shop: constant demand 2/day, lead time 3, daily (s,S) = (10, 20), initial 20.
# Without disruptions: day 5 review IP 20 − 10 = 10 ≤ s → order 10 (arrives 8); day 10 review
# IP 20 − 10 = 10 → order 10 (arrives 13); and so on every 5 days.
SHOP = """
name: shop
run: {{horizon_days: {horizon}, warmup_days: 0, seed: 7}}
items:
  widget: {{unit_cost: 10.0, price: 20.0}}
suppliers:
  acme: {{items: [widget], lead_time: 3{acme}}}
  bolt: {{items: [widget], lead_time: 1}}
stock_points:
  store: {{item: widget, source: acme, initial: 20, policy: {{kind: s_S, s: 10, S: 20}}{store}}}
customers:
  walk_in: {{buys_from: store, demand: {demand}}}
disruptions:
{events}
"""


def shop(
    events: str, *, acme: str = "", store: str = "", demand: str = "2", horizon: int = 30
) -> jitsim.Scenario:
    text = SHOP.format(
        horizon=horizon,
        acme=acme,
        store=store,
        demand=demand,
        events="\n".join("  " + line for line in events.strip().splitlines()),
    )
    return jitsim.load_scenario_text(text)


def run(scenario: jitsim.Scenario, alternative: str = "base", r: int = 0) -> Network:
    network = build(resolve(scenario, alternative), Streams(scenario.run.seed, r), trace=True)
    network.run()
    return network


def events_of(network: Network, *kinds: str) -> list[tuple[float, str, float, str]]:
    assert network.trace is not None
    return [(t, e, q, note) for t, node, e, q, _l, note in network.trace if e in kinds]


OUTAGE = "down: {kind: outage, nodes: [acme], windows: [{start: 6, days: 10}]}"


# -- timelines ------------------------------------------------------------------------------


def test_timeline_operations() -> None:
    timeline = Timeline([(10, 20), (15, 25), (30, 31), (40, 40)])
    assert timeline.windows == [(10, 25), (30, 31)]
    assert timeline.is_down(10) and timeline.is_down(24.9) and not timeline.is_down(25)
    assert timeline.up_at(12) == 25 and timeline.up_at(26) == 26
    assert timeline.downtime(0, 100) == 16 and timeline.downtime(20, 30.5) == 5.5
    # 3 days of up time from 8: 8→10 (2 days), frozen until 25, then 1 more day
    assert timeline.finish(8, 3) == 26
    assert timeline.finish(8, 2) == 10  # ends exactly when the window opens
    assert timeline.finish(12, 0) == 25  # work starting inside a window starts at its end
    assert timeline.finish(24, 6) == 32  # 25→30 is 5 days of work; the 6th runs 31→32


def test_finish_crosses_several_windows() -> None:
    timeline = Timeline([(1, 2), (3, 4)])
    assert timeline.finish(0, 3) == 5  # 0→1, 2→3, 4→5


def test_daily_capacity_with_ramp_up() -> None:
    """Capacity 10, down [2, 4), ramp 2 days: day 4 has ∫_0^1 t/2 = 0.25 → 2.5 units,
    day 5 ∫_1^2 t/2 = 0.75 → 7.5 units; a window ending mid-day 6.5 leaves half of day 6."""
    days = daily_capacity(Timeline([(2, 4)]), 10.0, 2.0, 8)
    assert days == pytest.approx([10, 10, 0, 0, 2.5, 7.5, 10, 10])
    days = daily_capacity(Timeline([(6, 6.5)]), 10.0, 0.0, 8)
    assert days[6] == pytest.approx(5.0)


# -- common random numbers ------------------------------------------------------------------

CRN = scenario_text("disruptions_crn")


def test_every_alternative_sees_the_same_windows_and_demand() -> None:
    scenario = jitsim.load_scenario_text(CRN)
    for r in range(3):
        networks = [
            build(resolve(scenario, alt), Streams(scenario.run.seed, r))
            for alt in scenario.alternative_names()
        ]
        first = networks[0]
        assert first.disruption_windows["breakdowns"], "expected some random outages"
        for other in networks[1:]:
            assert other.disruption_windows == first.disruption_windows
            assert [d[2] for d in other.daily_demand] == [d[2] for d in first.daily_demand]
    w0 = build(resolve(scenario, "lean"), Streams(11, 0)).disruption_windows
    w1 = build(resolve(scenario, "lean"), Streams(11, 1)).disruption_windows
    assert w0 != w1  # replications differ


def test_surge_only_changes_the_days_inside_its_window() -> None:
    """The surge redraws days 100…119 from its own stream; every other day is untouched."""
    scenario = jitsim.load_scenario_text(CRN)
    calm = scenario.model_copy(
        update={"disruptions": {k: v for k, v in scenario.disruptions.items() if k != "promo"}}
    )
    surged = np.array(build(resolve(scenario, "lean"), Streams(11, 0)).daily_demand[0][2])
    plain = np.array(build(resolve(calm, "lean"), Streams(11, 0)).daily_demand[0][2])
    outside = np.ones(300, bool)
    outside[100:120] = False
    assert np.array_equal(surged[outside], plain[outside])
    assert surged[100:120].mean() > 1.2 * plain[100:120].mean()


def test_downtime_kpi_matches_the_drawn_windows() -> None:
    scenario = jitsim.load_scenario_text(CRN)
    network = run(scenario, "fat", 2)
    kpis = extract(network)
    expected = sum(
        max(0.0, min(b, 300.0) - max(a, 30.0)) for a, b in network.disruption_windows["breakdowns"]
    )
    assert kpis["acme.downtime_days"] == pytest.approx(expected)
    assert kpis["bolt.downtime_days"] > 0
    assert kpis["disrupted_days"] >= kpis["acme.downtime_days"]


def test_no_disruption_kpis_without_disruptions() -> None:
    scenario = jitsim.load_scenario_text(CRN)
    calm = scenario.model_copy(update={"disruptions": {}})
    kpis = extract(run(calm, "lean"))
    assert not any(k.endswith("downtime_days") for k in kpis)
    assert "units_destroyed" not in kpis


# -- random outages: long-run downtime ------------------------------------------------------


def _fraction_check(event: Outage, expected: float, horizon: float = 20_000.0) -> None:
    fractions = []
    for r in range(40):
        rng = Streams(5, r)("disruption.test")
        windows = draw_outage(event, rng, horizon)
        fractions.append(Timeline(windows).downtime(0.0, horizon) / horizon)
    mean = statistics.fmean(fractions)
    se = statistics.stdev(fractions) / math.sqrt(len(fractions))
    assert abs(mean - expected) < 3 * se + 1e-3, (mean, expected, se)


def test_random_outages_long_run_downtime_fraction() -> None:
    """Alternating renewal: fraction of time down = E[down] / (E[up] + E[down]) = 10/130."""
    event = Outage.model_validate(
        {
            "nodes": ["acme"],
            "up": {"kind": "gamma", "mean": 120.0, "cv": 1.0},
            "down": {"kind": "gamma", "mean": 10.0, "cv": 0.5},
        }
    )
    _fraction_check(event, 10.0 / 130.0)


def test_markov_outages_long_run_downtime_fraction() -> None:
    """Two-state chain: stationary probability of down = p_down / (p_down + p_up) = 1/11."""
    event = Outage.model_validate({"nodes": ["acme"], "p_down": 0.01, "p_up": 0.1})
    _fraction_check(event, 0.01 / 0.11)


# -- supplier outages: hand traces ----------------------------------------------------------


def test_without_disruption_baseline_trace() -> None:
    far = "far: {kind: outage, nodes: [bolt], windows: [{start: 50, days: 1}]}"
    with pytest.warns(JitsimWarning, match="'far' .* after the horizon"):  # never happens
        network = run(shop(far))
    assert events_of(network, "order", "receipt")[:4] == [
        (5.0, "order", 10.0, "to acme"),
        (8.0, "receipt", 10.0, ""),
        (10.0, "order", 10.0, "to acme"),
        (13.0, "receipt", 10.0, ""),
    ]


def test_queue_ships_at_recovery() -> None:
    """Down [6, 16), orders queued: the day-10 order ships at 16 and arrives at 19. It is on
    order, yet the day-15 review (IP 10) orders again: it also ships at 16. The day-5 shipment
    (continue) arrives at 8 as planned."""
    network = run(shop(OUTAGE))
    assert events_of(network, "order", "receipt")[:7] == [
        (5.0, "order", 10.0, "to acme"),
        (8.0, "receipt", 10.0, ""),
        (10.0, "order", 10.0, "to acme"),
        (15.0, "order", 10.0, "to acme"),
        (19.0, "receipt", 10.0, ""),
        (19.0, "receipt", 10.0, ""),
        (20.0, "order", 10.0, "to acme"),
    ]
    kpis = extract(network)
    assert kpis["acme.downtime_days"] == 10.0
    assert kpis["refused_orders"] == 0.0


def test_refuse_loses_orders_and_reorders_after() -> None:
    """Down [6, 16), orders refused: the reviews of days 10…15 (IP 10, 8, …, 0) each try and
    are refused (nothing goes on order); day 16: IP 20 − 22 = −2 → order 22, arrives 19."""
    network = run(shop(OUTAGE, acme=", when_down: {orders: refuse}"))
    refused = events_of(network, "refused")
    assert [t for t, *_ in refused] == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    orders = events_of(network, "order", "receipt")
    assert orders[2:4] == [(16.0, "order", 22.0, "to acme"), (19.0, "receipt", 22.0, "")]
    kpis = extract(network)
    assert kpis["store.refused_orders"] == 6.0 and kpis["refused_orders"] == 6.0
    # On hand 14 after the day-8 receipt lasts through day 14; day 15's demand (at 15.5,
    # inside the window) is short by 2; days 16…18 are short too, but after the window.
    assert kpis["lost_sales_in_disruption"] == 2.0
    assert kpis["backordered_units"] == 8.0


def test_freeze_delays_shipments_in_transit() -> None:
    """Shipped at 5 with L = 3; down [6, 16) with in_transit: freeze → 1 day of transit before
    the outage, the remaining 2 after it: arrival 18 (continue: 8)."""
    network = run(shop(OUTAGE, acme=", when_down: {in_transit: freeze}"))
    assert events_of(network, "order", "receipt")[:2] == [
        (5.0, "order", 10.0, "to acme"),
        (10.0, "order", 10.0, "to acme"),
    ]
    receipts = [t for t, e, *_ in events_of(network, "receipt")]
    assert receipts[:2] == [18.0, 19.0]  # frozen shipment, then the queued one (16 + 3)


def test_redirect_to_backup_supplier() -> None:
    """Down [6, 16), orders redirected: the day-10 and day-15 orders go to bolt (lead time
    1); the day-20 order to acme again."""
    network = run(
        shop(
            OUTAGE,
            acme=", when_down: {orders: redirect}",
            store=", backup: {source: bolt, split: failover}",
        )
    )
    assert events_of(network, "order", "receipt")[:7] == [
        (5.0, "order", 10.0, "to acme"),
        (8.0, "receipt", 10.0, ""),
        (10.0, "order", 10.0, "to bolt"),
        (11.0, "receipt", 10.0, ""),
        (15.0, "order", 10.0, "to bolt"),
        (16.0, "receipt", 10.0, ""),
        (20.0, "order", 10.0, "to acme"),
    ]
    assert extract(network)["store.orders_to_backup"] == 2.0


def test_redirect_with_shares_sends_the_whole_order_to_the_backup() -> None:
    network = run(
        shop(
            OUTAGE,
            acme=", when_down: {orders: redirect}",
            store=", backup: {source: bolt, split: shares, share: 0.5}",
        )
    )
    in_window = [row for row in events_of(network, "order") if 6 <= row[0] < 16]
    assert in_window and all(note == "to bolt" for *_, note in in_window)


def test_failover_works_through_a_queued_outage() -> None:
    """A down primary that queues cannot ship at once: failover sends the order to bolt."""
    network = run(shop(OUTAGE, store=", backup: {source: bolt, split: failover}"))
    assert (10.0, "order", 10.0, "to bolt") in events_of(network, "order")


def test_failover_does_not_run_to_a_backup_that_is_down_longer() -> None:
    """acme down [6, 16) (queues), bolt down [5, 40): the day-10 and day-15 orders would ship
    at 16 from acme (arrive 19) but only at 40 from bolt (arrive 41), so they wait for acme.
    With bolt down only [5, 12) the day-10 order goes to bolt (ships 12, arrives 13 < 19)."""
    long = shop(
        OUTAGE + "\nbolt_down: {kind: outage, nodes: [bolt], windows: [{start: 5, days: 35}]}",
        store=", backup: {source: bolt, split: failover}",
        horizon=45,
    )
    orders = events_of(run(long), "order")
    assert (10.0, "order", 10.0, "to acme") in orders and (15.0, "order", 10.0, "to acme") in orders
    assert not [o for o in orders if o[3] == "to bolt"]
    short = shop(
        OUTAGE + "\nbolt_down: {kind: outage, nodes: [bolt], windows: [{start: 5, days: 7}]}",
        store=", backup: {source: bolt, split: failover}",
    )
    assert (10.0, "order", 10.0, "to bolt") in events_of(run(short), "order")


def test_an_outage_of_a_stock_point_closes_its_inbound_lane() -> None:
    """store closed [6, 16) (a road closure): acme keeps taking and shipping orders, but the
    day-10 and day-15 shipments wait at acme until 16 and arrive 16 + 3 = 19; the day-5 one
    left before the closure (arrives 8). The store still serves its customers meanwhile."""
    network = run(shop("closed: {kind: outage, nodes: [store], windows: [{start: 6, days: 10}]}"))
    assert events_of(network, "order", "receipt")[:7] == [
        (5.0, "order", 10.0, "to acme"),
        (8.0, "receipt", 10.0, ""),
        (10.0, "order", 10.0, "to acme"),
        (15.0, "order", 10.0, "to acme"),
        (19.0, "receipt", 10.0, ""),
        (19.0, "receipt", 10.0, ""),
        (20.0, "order", 10.0, "to acme"),
    ]
    kpis = extract(network)
    assert kpis["store.downtime_days"] == 10.0 and kpis["acme.downtime_days"] == 0.0
    # on hand 8 after day 10's demand, 0 after day 14's: days 15…18 are short 2 each until
    # the receipts at 19
    assert kpis["backordered_units"] == 8.0


def test_capacity_ramps_up_after_recovery() -> None:
    """Capacity 10/day, down [6, 16), ramp 2 days: day 16 offers 10·∫_0^1 t/2 dt = 2.5 units,
    day 17 7.5, day 18 on 10. The day-10 order of 10 units takes days 16 and 17 → ships 17,
    arrives 20; the day-15 order takes day 18 → arrives 21."""
    network = run(shop(OUTAGE, acme=", capacity_per_day: 10, when_down: {ramp_up_days: 2}"))
    receipts = [t for t, *_ in events_of(network, "receipt")]
    assert receipts[:3] == [8.0, 20.0, 21.0]


# -- shocks, surges, losses -----------------------------------------------------------------


def test_lead_time_shock_doubles_lead_times_inside_its_window() -> None:
    """Shock ×2 on shipments leaving in [9, 12): day-5 order arrives 8, day-10 order 10 + 6."""
    network = run(
        shop(
            "strike: {kind: lead_time_shock, nodes: [acme], multiplier: 2, "
            "windows: [{start: 9, days: 3}]}"
        )
    )
    assert events_of(network, "order", "receipt")[:6] == [
        (5.0, "order", 10.0, "to acme"),
        (8.0, "receipt", 10.0, ""),
        (10.0, "order", 10.0, "to acme"),
        (15.0, "order", 10.0, "to acme"),
        (16.0, "receipt", 10.0, ""),
        (18.0, "receipt", 10.0, ""),
    ]


def test_lead_time_shock_on_a_stock_point_adds_days() -> None:
    network = run(
        shop(
            "strike: {kind: lead_time_shock, nodes: [store], add_days: 4, "
            "windows: [{start: 0, days: 6}]}"
        )
    )
    assert events_of(network, "receipt")[0][0] == 5.0 + 3.0 + 4.0


def test_demand_surge_multiplies_demand_inside_its_window() -> None:
    """Constant demand 2; ×1.5 on days whose demand (mid-day) falls in [20, 25): days 20…24."""
    network = run(
        shop(
            "promo: {kind: demand_surge, nodes: [walk_in], multiplier: 1.5, "
            "windows: [{start: 20, days: 5}]}"
        )
    )
    days = network.daily_demand[0][2]
    assert days[19] == 2.0 and days[20:25] == [3.0] * 5 and days[25] == 2.0
    assert extract(network)["demand_units"] == 2.0 * 30 + 5


def test_demand_drop_with_poisson_orders() -> None:
    """Individual orders thinned to 40 % inside the window; outside it nothing changes."""
    base = shop(
        "promo: {kind: demand_surge, nodes: [walk_in], multiplier: 0.4, "
        "windows: [{start: 100, days: 200}]}",
        horizon=400,
    )
    text = base.model_dump(mode="json", by_alias=True)
    text["customers"]["walk_in"] = {"buys_from": "store", "orders": {"rate_per_day": 5.0}}
    scenario = jitsim.Scenario.model_validate(text)
    plain = jitsim.Scenario.model_validate({**text, "disruptions": {}})
    times = build(resolve(scenario, "base"), Streams(3, 0)).order_streams
    plain_times = build(resolve(plain, "base"), Streams(3, 0)).order_streams
    (t_surge, _), (t_plain, _) = next(iter(times.values())), next(iter(plain_times.values()))
    assert np.array_equal(t_surge[t_surge < 100], t_plain[t_plain < 100])
    inside = ((t_surge >= 100) & (t_surge < 300)).sum()
    assert 0.3 * 5 * 200 < inside < 0.5 * 5 * 200


def test_stock_loss_destroys_the_right_units() -> None:
    """Day 7, before receipts: on hand 20 − 7·2 = 6 → 3 destroyed."""
    network = run(shop("fire: {kind: stock_loss, nodes: [store], fraction: 0.5, at: [7]}"))
    destroyed = events_of(network, "destroyed")
    assert destroyed == [(7.0, "destroyed", 3.0, "")]
    kpis = extract(network)
    assert kpis["store.units_destroyed"] == 3.0 and kpis["units_destroyed"] == 3.0


def test_stock_loss_conserves_units() -> None:
    """initial + received = final + shipped + destroyed, with random demand and lead times."""
    text = CRN.replace(
        "disruptions:",
        "disruptions:\n  fire: {kind: stock_loss, nodes: [store], fraction: 0.4, "
        "at: [50, 120.5, 200]}",
    )
    scenario = jitsim.load_scenario_text(text.replace("warmup_days: 30", "warmup_days: 0"))
    network = run(scenario, "fat", 1)
    point = network.points["store"]
    received = sum(q for t, e, q, _ in events_of(network, "receipt"))
    destroyed = extract(network)["store.units_destroyed"]
    assert destroyed > 0
    assert 40 + received == pytest.approx(point.on_hand + point.shipped_units + destroyed)


# -- plants ---------------------------------------------------------------------------------

PLANT = """
name: plant outage
run: {horizon_days: 12, warmup_days: 0, seed: 1}
items:
  frame: {unit_cost: 8.0, holding_rate: 0}
  bike: {unit_cost: 30.0, price: 50.0, holding_rate: 0}
suppliers:
  frames_inc: {items: [frame], lead_time: 1}
stock_points:
  frame_store: {item: frame, source: frames_inc, initial: 10, policy: {kind: base_stock, S: 10}}
  bikes: {item: bike, source: factory, initial: 0, policy: {kind: base_stock, S: 2}}
plants:
  factory:
    products:
      bike: {bom: {frame: 1}, processing_time: 2, batch_size: 2, per: batch,
             defect_rate: 0.1}
customers:
  shop: {buys_from: bikes, demand: 0}
disruptions:
"""


def test_plant_outage_pauses_production() -> None:
    """One batch of 2 released at 0 needs 2 days; down [1, 4): 1 day before, 1 after → 5."""
    scenario = jitsim.load_scenario_text(
        PLANT + "  stop: {kind: outage, nodes: [factory], windows: [{start: 1, days: 3}]}\n"
    )
    network = run(scenario)
    produced = [t for t, e, *_ in events_of(network, "produced")]
    assert produced[0] == 5.0
    assert extract(network)["factory.downtime_days"] == 3.0


def test_plant_quality_crisis_multiplies_defects() -> None:
    """Defect rate 0.1 × 10 = 1 for batches finished inside the crisis: all defective."""
    scenario = jitsim.load_scenario_text(
        PLANT + "  recall: {kind: quality_crisis, nodes: [factory], multiplier: 10, "
        "windows: [{start: 0, days: 3}]}\n"
    )
    network = run(scenario)
    kpis = extract(network)
    assert kpis["factory.units_defective"] >= 2.0  # the first batch (done at 2) is all bad


def test_supplier_quality_crisis_adds_rejects() -> None:
    text = CRN.replace(
        "acme: {items: [widget], lead_time: {kind: discrete_uniform, low: 2, high: 4}}",
        "acme: {items: [widget], lead_time: 2, defect_rate: 0.05}",
    ).replace(
        "disruptions:",
        "disruptions:\n  recall: {kind: quality_crisis, nodes: [acme], multiplier: 6, "
        "windows: [{start: 0, days: 300}]}",
    )
    crisis = jitsim.load_scenario_text(text)
    calm = crisis.model_copy(
        update={"disruptions": {k: v for k, v in crisis.disruptions.items() if k != "recall"}}
    )
    rejected = [extract(run(s, "fat", 0))["store.units_rejected"] for s in (calm, crisis)]
    inspected = [extract(run(s, "fat", 0))["store.units_inspected"] for s in (calm, crisis)]
    assert rejected[1] / inspected[1] > 3 * rejected[0] / inspected[0]


# -- validation -----------------------------------------------------------------------------

BAD = """\
name: bad
items:
  widget: {unit_cost: 10.0}
suppliers:
  acme: {items: [widget], lead_time: 2}
stock_points:
  store: {item: widget, source: acme, policy: {kind: s_S, s: 5, S: 20}}
customers:
  walk_in: {buys_from: store, demand: 3}
disruptions:
"""


@pytest.mark.parametrize(
    ("event", "where", "fragment"),
    [
        (
            "a: {kind: outage, nodes: [acmee], windows: [{start: 1, days: 2}]}",
            "disruptions.a.nodes.0",
            "unknown supplier, plant or stock point 'acmee' (known: acme, store)",
        ),
        (
            "a: {kind: outage, nodes: [acme], windows: [{start: 1, days: -2}]}",
            "disruptions.a.windows.0.days",
            "must be greater than 0, got -2",
        ),
        (
            "a: {kind: demand_surge, nodes: [walk_in], multiplier: 0, "
            "windows: [{start: 1, days: 2}]}",
            "disruptions.a.multiplier",
            "must be greater than 0, got 0",
        ),
        (
            "a: {kind: stock_loss, nodes: [store], fraction: 1.5, at: [3]}",
            "disruptions.a.fraction",
            "must be less than or equal to 1, got 1.5",
        ),
        (
            "a: {kind: stock_loss, nodes: [acme], fraction: 0.5, at: [3]}",
            "disruptions.a.nodes.0",
            "stock_loss applies to stock points; 'acme' is a supplier",
        ),
        (
            "a: {kind: outage, nodes: [walk_in], windows: [{start: 1, days: 2}]}",
            "disruptions.a.nodes.0",
            "outage applies to suppliers, plants and stock points; 'walk_in' is a customer",
        ),
        (
            "a: {kind: outage, nodes: [acme]}",
            "disruptions.a",
            "give exactly one timeline",
        ),
        (
            "a: {kind: outage, nodes: [acme], p_down: 0.1}",
            "disruptions.a.p_up",
            "required with p_down",
        ),
        (
            "a: {kind: quality_crisis, nodes: [acme], multiplier: 2, "
            "windows: [{start: 1, days: 2}]}",
            "disruptions.a.nodes.0",
            "has defect_rate 0",
        ),
    ],
)
def test_validation_errors_name_file_line_and_field(event: str, where: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        jitsim.load_scenario_text(BAD + "  " + event + "\n", filename="bad.yaml")
    text = str(info.value)
    assert f"bad.yaml:11: {where}: " in text and fragment in text, text


def test_ramp_up_needs_a_capacity() -> None:
    with pytest.raises(ScenarioError) as info:
        jitsim.load_scenario_text(
            BAD.replace("lead_time: 2}", "lead_time: 2, when_down: {ramp_up_days: 3}}")
            + "  a: {kind: outage, nodes: [acme], windows: [{start: 1, days: 2}]}\n",
            filename="bad.yaml",
        )
    assert "bad.yaml:5: suppliers.acme.when_down.ramp_up_days: a ramp-up needs" in str(info.value)


def test_unknown_node_reported_with_other_field_errors() -> None:
    """The raw reference check reports the unknown node even when another field is invalid."""
    with pytest.raises(ScenarioError) as info:
        jitsim.load_scenario_text(
            BAD.replace("unit_cost: 10.0", "unit_cost: -1")
            + "  a: {kind: outage, nodes: [nobody], windows: [{start: 1, days: 2}]}\n",
            filename="bad.yaml",
        )
    text = str(info.value)
    assert (
        "bad.yaml:11: disruptions.a.nodes.0: unknown supplier, plant or stock point 'nobody'"
        in text
    )
    assert "items.widget.unit_cost" in text


def test_rolling_fill_rate_and_service_recovery() -> None:
    """Demand 10 every day, short 10 on days 3 and 4, window 3: fill rates 1, 1, 1, 2/3, 1/3,
    1/3, 2/3, 1 (windows ending on days 3…6 see the shortfalls). Drop below 0.9 on day 3; back
    at ≥ 0.95 on day 7: 4 days. Looking only from day 7 on there is no drop; a threshold of 0.3
    is never crossed."""
    from jitsim.model.disruptions import rolling_fill_rate, service_recovery

    demand = np.full(8, 10.0)
    short = np.zeros(8)
    short[3] = short[4] = 10.0
    fill = rolling_fill_rate(demand, short, 3)
    np.testing.assert_allclose(fill, [1, 1, 1, 2 / 3, 1 / 3, 1 / 3, 2 / 3, 1])
    assert service_recovery(fill, 0, 0.9, 0.95) == (3.0, 4.0, 1.0)
    assert all(math.isnan(v) for v in service_recovery(fill, 7, 0.9, 0.95))
    assert all(math.isnan(v) for v in service_recovery(fill, 0, 0.3, 0.95))
    # never recovers: censored at the end of the run (8 − 3 = 5 days), recovered = 0
    stuck = np.where(np.arange(8) >= 3, np.minimum(fill, 0.8), fill)
    assert service_recovery(stuck, 0, 0.9, 0.95) == (3.0, 5.0, 0.0)
    # days without demand count as fully served
    assert rolling_fill_rate(np.zeros(3), np.zeros(3), 7).tolist() == [1.0, 1.0, 1.0]
