"""The plant (factory): hand traces, yield arithmetic, queueing laws, validation, pull.

* Hand traces with constant times and a defect pattern we choose (stub uniform streams):
  completion times, on-line vs separate rework, scrap and its replacement batch, quality
  costs, material requests and backorders at the raw stock points, shortage time, work in
  process and the cash it ties up. Every expected number is a literal derived in a comment.
* Yield arithmetic: scrapped fraction p(1−q)^m and rework attempts p(1−(1−q)^m)/q per unit
  started, within three standard errors.
* Little's law on the plant and line utilisation = offered load, within three standard errors
  of the paired per-replication difference.
* Every plant mistake in a scenario file is a ``FILE:LINE: path: message`` error.
* Pull (base-stock S = 0 under continuous review, or kanban): one production order per
  customer order.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest
from conftest import SCENARIOS, scenario_text

import jitsim
from jitsim.model.kpis import extract
from jitsim.model.network import Network, build
from jitsim.scenario.resolve import resolve
from jitsim.stats import paired_difference
from jitsim.streams import Streams


class FixedUniforms:
    """A stand-in for the plant's uniform streams: the given values, then 0.9 for ever."""

    def __init__(self, values: list[float]) -> None:
        self.values = list(values)

    def next(self) -> float:
        return self.values.pop(0) if self.values else 0.9


def run_network(
    scenario: jitsim.Scenario,
    *,
    defects: list[float] | None = None,
    outcomes: list[float] | None = None,
) -> tuple[Network, dict[str, float]]:
    """Build, run and extract one replication, with the plant's draws replaced if asked."""
    network = build(resolve(scenario, "base"), Streams(scenario.run.seed, 0), trace=True)
    plant = network.plants["factory"]
    if defects is not None:
        plant.defects = FixedUniforms(defects)  # type: ignore[assignment]
    if outcomes is not None:
        plant.rework_outcomes = FixedUniforms(outcomes)  # type: ignore[assignment]
    network.run()
    return network, extract(network)


def rows(network: Network, *nodes: str) -> list[tuple[float, str, str, float, str]]:
    """Trace rows ``(time, node, event, quantity, note)`` of some nodes (end of day left out)."""
    assert network.trace is not None
    return [
        (t, node, event, q, note)
        for t, node, event, q, _level, note in network.trace
        if node in nodes and event not in ("end of day", "review")
    ]


# -- hand trace 1: a raw stock point runs short ---------------------------------------------

SHORTAGE = scenario_text("plant_shortage")


def test_material_shortage_trace_by_hand() -> None:
    """Two bikes need 2 frames and 4 wheels; the wheel store holds 2 wheels.

    Day 0: bikes (base-stock S = 2, IP 0) orders 2 → one production order, one batch of 2,
    released at once on the free line. It asks frame_store for 2 frames (filled, on hand
    2 → 0) and wheel_store for 4 wheels (2 filled, 2 backordered). Then the stores review:
    frame_store IP 0 → orders 2, wheel_store IP 0 − 2 = −2 → orders 4, both due at day 1.
    Day 1 (phase 2): wheel_store receives 4, serves the 2 backordered wheels → on hand 2;
    the batch has every material and starts at t = 1: setup 0.125 + 2 × 0.125 = 0.375,
    done at t = 1.375, both bikes to the stock point (lane lead time 0).
    """
    network, kpis = run_network(jitsim.load_scenario_text(SHORTAGE))
    assert rows(network, "factory", "frame_store", "wheel_store", "bikes") == [
        (0.0, "bikes", "order", 2.0, "to factory"),
        (0.0, "factory", "production order", 2.0, "bikes"),
        (0.0, "frame_store", "demand", 2.0, "factory"),
        (0.0, "wheel_store", "demand", 4.0, "factory"),
        (0.0, "frame_store", "order", 2.0, "to frames_inc"),
        (0.0, "wheel_store", "order", 4.0, "to wheels_inc"),
        (1.0, "frame_store", "receipt", 2.0, ""),
        (1.0, "wheel_store", "receipt", 4.0, ""),
        (1.0, "wheel_store", "backorder filled", 2.0, ""),
        (1.375, "bikes", "receipt", 2.0, ""),
        (1.375, "factory", "produced", 2.0, "bikes"),
    ]
    expected = {
        # the material request at the wheel store: 4 asked, 2 short
        "wheel_store.demand_units": 4.0,
        "wheel_store.backordered_units": 2.0,
        "wheel_store.fill_rate": 0.5,
        "frame_store.fill_rate": 1.0,
        # the line waited from t = 0 to t = 1 for the wheels: 24 hours
        "factory.material_shortage_hours": 24.0,
        # busy (setup + processing) 1.0 → 1.375 on 1 line over 2 days: 0.375 / 2
        "factory.line_utilization": 0.1875,
        "factory.production_orders": 1.0,
        "factory.units_started": 2.0,
        "factory.units_produced": 2.0,
        "factory.first_pass_yield": 1.0,
        # 2 units in process from release (t = 0) to t = 1.375: 2 × 1.375 / 2 days
        "factory.avg_wip_units": 1.375,
        "factory.production_lead_time": 1.375,
        "factory.throughput_per_day": 1.0,  # 2 units / 2 days
        # WIP at material cost: frames 2 × 8 + wheels 2 × 2 = 20 from t = 0, + 2 wheels × 2
        # = 24 from t = 1 to 1.375: (20 × 1 + 24 × 0.375) / 2 = 14.5
        "factory.avg_wip_value": 14.5,
        # frame_store: 0 frames on [0, 1), 2 on [1, 2): 2 × 8 / 2 = 8
        "frame_store.avg_cash_tied_up": 8.0,
        # wheel_store: 0 wheels on [0, 1), 2 on [1, 2): 2 × 2 / 2 = 2
        "wheel_store.avg_cash_tied_up": 2.0,
        # bikes: 2 bikes on [1.375, 2): 2 × 30 × 0.625 / 2 = 18.75
        "bikes.avg_cash_tied_up": 18.75,
        # the network adds the plant's WIP: 8 + 2 + 18.75 + 14.5
        "avg_cash_tied_up": 43.25,
        # at t = 1.375: bikes 60 + frames 16 + wheels 4 (WIP 0); at t = 1 only 16 + 4 + 24
        "peak_cash_tied_up": 80.0,
        "quality_cost": 0.0,
    }
    assert {k: kpis[k] for k in expected} == pytest.approx(expected)


# -- hand trace 2: rework on the line or on a separate station, repaired or scrapped --------

REWORK = """
name: rework
run: {{horizon_days: 2, warmup_days: 0, seed: 1}}
items:
  frame: {{unit_cost: 8.0, holding_rate: 0}}
  wheel: {{unit_cost: 2.0, holding_rate: 0}}
  bike: {{unit_cost: 30.0, price: 50.0, holding_rate: 0}}
suppliers:
  frames_inc: {{items: [frame], lead_time: 1}}
  wheels_inc: {{items: [wheel], lead_time: 1}}
stock_points:
  frame_store: {{item: frame, source: frames_inc, initial: 10,
                policy: {{kind: base_stock, S: 10}}}}
  wheel_store: {{item: wheel, source: wheels_inc, initial: 20,
                policy: {{kind: base_stock, S: 20}}}}
  bikes: {{item: bike, source: factory, initial: 0, policy: {{kind: base_stock, S: 4}}}}
plants:
  factory:
    scrap_cost_per_unit: 5
    inspection_cost_per_unit: 0.5
    rework: {{time: 0.03125, success: 0.5, max_attempts: 2, station: {station},
             cost_per_attempt: 3}}
    products:
      bike: {{bom: {{frame: 1, wheel: 2}}, processing_time: 0.125, setup_time: 0.0625,
             batch_size: 2, defect_rate: 0.5}}
customers:
  shop: {{buys_from: bikes, demand: 0}}
"""

# Common to the four cases. Day 0: bikes orders 4 → batches A (2) and B (2). A is released at
# t = 0 and takes 2 frames and 4 wheels; setup 0.0625 + 2 × 0.125 = 0.3125, so A is inspected
# at t = 0.3125. Defect draws (p = 0.5, defective when u < 0.5): A = [0.9 good, 0.1 defective],
# then 0.9 (good) for every later unit. The defective unit gets up to 2 attempts of 0.03125
# days (success q = 0.5 when u < 0.5): attempt 1 ends at 0.34375, attempt 2 at 0.375.
# A bike's materials are worth 1 × 8 + 2 × 2 = 12.

REWORK_CASES = {
    # on the line, repaired at the 2nd attempt: the line is held until 0.375, so B runs
    # 0.375 → 0.6875.
    ("line", "repaired"): {
        "outcomes": [0.9, 0.1],
        "factory": [
            (0.0, "factory", "production order", 4.0, "bikes"),
            (0.3125, "factory", "produced", 1.0, "bikes"),
            (0.375, "factory", "reworked", 1.0, "bikes"),
            (0.6875, "factory", "produced", 2.0, "bikes"),
        ],
        "frame_requests": [(0.0, 2.0), (0.375, 2.0)],
        "kpis": {
            "units_started": 4.0,
            "units_produced": 4.0,
            "units_defective": 1.0,
            "rework_attempts": 2.0,
            "units_reworked": 1.0,
            "units_scrapped": 0.0,
            "first_pass_yield": 0.75,  # 3 of 4 good at first inspection
            # lead times: 0.3125 + 0.375 + 2 × (0.6875 − 0.375) = 1.3125 over 4 units
            "production_lead_time": 0.328125,
            "throughput_per_day": 2.0,  # 4 units / 2 days
            "avg_wip_units": 0.65625,  # the same 1.3125 unit-days / 2 days (Little)
            "avg_wip_value": 7.875,  # 12 × 0.65625
            # busy A 0 → 0.375 (rework on the line) + B 0.3125 = 0.6875 over 2 days
            "line_utilization": 0.34375,
            "rework_cost": 6.0,  # 2 attempts × 3
            "scrap_cost": 0.0,
            "scrapped_material_value": 0.0,
            "inspection_cost": 2.0,  # 4 units × 0.5
            "quality_cost": 8.0,
        },
    },
    # on a separate station: the line is free at 0.3125, B runs 0.3125 → 0.625 while the
    # unit is reworked beside it (done at 0.375).
    ("separate", "repaired"): {
        "outcomes": [0.9, 0.1],
        "factory": [
            (0.0, "factory", "production order", 4.0, "bikes"),
            (0.3125, "factory", "produced", 1.0, "bikes"),
            (0.375, "factory", "reworked", 1.0, "bikes"),
            (0.625, "factory", "produced", 2.0, "bikes"),
        ],
        "frame_requests": [(0.0, 2.0), (0.3125, 2.0)],
        "kpis": {
            "units_started": 4.0,
            "units_produced": 4.0,
            "units_defective": 1.0,
            "rework_attempts": 2.0,
            "units_reworked": 1.0,
            "units_scrapped": 0.0,
            "first_pass_yield": 0.75,
            # 0.3125 + 0.375 + 2 × (0.625 − 0.3125) = 1.3125 over 4 units
            "production_lead_time": 0.328125,
            "throughput_per_day": 2.0,
            "avg_wip_units": 0.65625,
            "avg_wip_value": 7.875,
            # busy A 0.3125 + B 0.3125 = 0.625 (the station's time is not the line's)
            "line_utilization": 0.3125,
            "rework_cost": 6.0,
            "scrap_cost": 0.0,
            "scrapped_material_value": 0.0,
            "inspection_cost": 2.0,
            "quality_cost": 8.0,
        },
    },
    # on the line, both attempts fail: scrapped at 0.375 and replaced by batch C of one unit,
    # queued behind B. B 0.375 → 0.6875, C 0.6875 → 0.6875 + 0.0625 + 0.125 = 0.875.
    ("line", "scrapped"): {
        "outcomes": [0.9, 0.9],
        "factory": [
            (0.0, "factory", "production order", 4.0, "bikes"),
            (0.3125, "factory", "produced", 1.0, "bikes"),
            (0.375, "factory", "scrapped", 1.0, "bikes"),
            (0.6875, "factory", "produced", 2.0, "bikes"),
            (0.875, "factory", "produced", 1.0, "bikes"),
        ],
        "frame_requests": [(0.0, 2.0), (0.375, 2.0), (0.6875, 1.0)],
        "kpis": {
            "units_started": 5.0,
            "units_produced": 4.0,  # the order still ends with the 4 good bikes asked for
            "units_defective": 1.0,
            "rework_attempts": 2.0,
            "units_reworked": 0.0,
            "units_scrapped": 1.0,
            "first_pass_yield": 0.8,  # 4 of 5 inspected
            # 0.3125 + 0.375 (scrapped) + 2 × 0.3125 + 0.1875 = 1.5 over 5 units leaving
            "production_lead_time": 0.3,
            "throughput_per_day": 2.5,  # 5 units left (4 good, 1 scrapped) / 2 days
            "avg_wip_units": 0.75,  # 1.5 / 2 = 2.5 × 0.3
            "avg_wip_value": 9.0,  # 12 × 0.75
            # busy A 0.375 + B 0.3125 + C 0.1875 = 0.875
            "line_utilization": 0.4375,
            "rework_cost": 6.0,
            "scrap_cost": 17.0,  # 1 × (disposal 5 + materials 12)
            "scrapped_material_value": 12.0,
            "inspection_cost": 2.5,  # 5 units × 0.5
            "quality_cost": 25.5,  # 6 + 17 + 2.5
        },
    },
    # separate station, scrapped: B runs 0.3125 → 0.625 on the line; the unit is scrapped at
    # 0.375 and C waits for the line: 0.625 → 0.8125.
    ("separate", "scrapped"): {
        "outcomes": [0.9, 0.9],
        "factory": [
            (0.0, "factory", "production order", 4.0, "bikes"),
            (0.3125, "factory", "produced", 1.0, "bikes"),
            (0.375, "factory", "scrapped", 1.0, "bikes"),
            (0.625, "factory", "produced", 2.0, "bikes"),
            (0.8125, "factory", "produced", 1.0, "bikes"),
        ],
        "frame_requests": [(0.0, 2.0), (0.3125, 2.0), (0.625, 1.0)],
        "kpis": {
            "units_started": 5.0,
            "units_produced": 4.0,
            "units_defective": 1.0,
            "rework_attempts": 2.0,
            "units_reworked": 0.0,
            "units_scrapped": 1.0,
            "first_pass_yield": 0.8,
            # 0.3125 + 0.375 + 2 × 0.3125 + 0.1875 = 1.5 over 5 units
            "production_lead_time": 0.3,
            "throughput_per_day": 2.5,
            "avg_wip_units": 0.75,
            "avg_wip_value": 9.0,
            # busy A 0.3125 + B 0.3125 + C 0.1875 = 0.8125
            "line_utilization": 0.40625,
            "rework_cost": 6.0,
            "scrap_cost": 17.0,
            "scrapped_material_value": 12.0,
            "inspection_cost": 2.5,
            "quality_cost": 25.5,
        },
    },
}


@pytest.mark.parametrize("case", list(REWORK_CASES), ids=lambda c: "-".join(c))
def test_rework_and_scrap_trace_by_hand(case: tuple[str, str]) -> None:
    station, _fate = case
    expected = REWORK_CASES[case]
    scenario = jitsim.load_scenario_text(REWORK.format(station=station))
    network, kpis = run_network(scenario, defects=[0.9, 0.1], outcomes=expected["outcomes"])

    assert rows(network, "factory") == expected["factory"]
    # Every good unit reaches the stock point when it leaves the plant (lane lead time 0).
    bike_receipts = [(t, q) for t, _n, e, q, _note in rows(network, "bikes") if e == "receipt"]
    made = [(t, q) for t, _n, e, q, _note in expected["factory"] if e in ("produced", "reworked")]
    assert bike_receipts == made
    # Material requests: one per released batch (replacement batch included), bom × units.
    frames = [(t, q) for t, _n, e, q, _note in rows(network, "frame_store") if e == "demand"]
    wheels = [(t, q) for t, _n, e, q, _note in rows(network, "wheel_store") if e == "demand"]
    assert frames == expected["frame_requests"]
    assert wheels == [(t, 2 * q) for t, q in expected["frame_requests"]]

    plant = {k.removeprefix("factory."): v for k, v in kpis.items() if k.startswith("factory.")}
    assert {k: plant[k] for k in expected["kpis"]} == pytest.approx(expected["kpis"])
    assert plant["material_shortage_hours"] == 0.0

    # Network totals: holding rates are 0 and orders free, so total cost is quality cost.
    assert kpis["quality_cost"] == expected["kpis"]["quality_cost"]
    assert kpis["total_cost"] == expected["kpis"]["quality_cost"]
    # Purchases, from the daily base-stock reviews of the raw stores (bought at unit cost):
    # repaired — frames 2 (day 0) + 2 (day 1) = 4 × 8 = 32, wheels 4 + 4 = 8 × 2 = 16: 48;
    # scrapped — frames 2 + 3 = 5 × 8 = 40, wheels 4 + 6 = 10 × 2 = 20: 60.
    purchase = 48.0 if expected["kpis"]["units_scrapped"] == 0 else 60.0
    assert kpis["purchase_cost"] == purchase
    # Profit: no revenue; the scrapped materials are in purchase and in quality cost once each.
    scrapped_value = expected["kpis"]["scrapped_material_value"]
    assert kpis["profit"] == pytest.approx(-purchase - kpis["total_cost"] + scrapped_value)
    # Cash tied up = the stock points' cash + the plant's WIP value.
    points = sum(kpis[f"{p}.avg_cash_tied_up"] for p in ("frame_store", "wheel_store", "bikes"))
    assert kpis["avg_cash_tied_up"] == pytest.approx(points + plant["avg_wip_value"])


def test_on_line_rework_cash_by_hand() -> None:
    """The cash tied up of the (line, repaired) case, stock point by stock point.

    frame_store: 8 frames on [0, 0.375), 6 on [0.375, 1), 8 on [1, 2) (receipt of 2):
    3 + 3.75 + 8 = 14.75 frame-days × 8 / 2 days = 59.
    wheel_store: 16, 12, 16 wheels on the same spans: 6 + 7.5 + 16 = 29.5 × 2 / 2 = 29.5.
    bikes: 1 on [0.3125, 0.375), 2 on [0.375, 0.6875), 4 on [0.6875, 2):
    0.0625 + 0.625 + 5.25 = 5.9375 bike-days × 30 / 2 = 89.0625.
    Plant WIP value 7.875: in all 59 + 29.5 + 89.0625 + 7.875 = 185.4375.
    """
    scenario = jitsim.load_scenario_text(REWORK.format(station="line"))
    _network, kpis = run_network(scenario, defects=[0.9, 0.1], outcomes=[0.9, 0.1])
    assert kpis["frame_store.avg_cash_tied_up"] == 59.0
    assert kpis["wheel_store.avg_cash_tied_up"] == 29.5
    assert kpis["bikes.avg_cash_tied_up"] == 89.0625
    assert kpis["avg_cash_tied_up"] == 185.4375


def test_all_defective_all_repaired_with_real_streams() -> None:
    """Two products on one line, real random streams but a fixed outcome.

    bike: defect rate 1 (every unit defective), trike: defect rate 0; rework succeeds always
    (q = 1, one attempt of 0.0625 days, on the line). Day 0: bikes orders 2 (one batch of 2),
    trikes orders 2 (one batch of 2), in that order (same depth, file order). Bike batch:
    0 → 0.25 (2 × 0.125), both defective, reworked 0.25 → 0.3125 and 0.3125 → 0.375; the trike
    batch follows on the line: 0.375 → 0.625, both good.
    """
    text = """
name: two products
run: {horizon_days: 1, warmup_days: 0, seed: 3}
items:
  frame: {unit_cost: 8.0, holding_rate: 0}
  bike: {unit_cost: 30.0, holding_rate: 0}
  trike: {unit_cost: 40.0, holding_rate: 0}
suppliers:
  frames_inc: {items: [frame], lead_time: 1}
stock_points:
  frame_store: {item: frame, source: frames_inc, initial: 10, policy: {kind: base_stock, S: 10}}
  bikes: {item: bike, source: factory, policy: {kind: base_stock, S: 2}}
  trikes: {item: trike, source: factory, policy: {kind: base_stock, S: 2}}
plants:
  factory:
    inspection_cost_per_unit: 1
    rework: {time: 0.0625, success: 1.0, max_attempts: 1, cost_per_attempt: 2}
    products:
      bike: {bom: {frame: 1}, processing_time: 0.125, batch_size: 2, defect_rate: 1.0}
      trike: {bom: {frame: 2}, processing_time: 0.125, batch_size: 2, defect_rate: 0.0}
customers:
  shop: {buys_from: bikes, demand: 0}
  trike_shop: {buys_from: trikes, demand: 0}
"""
    network, kpis = run_network(jitsim.load_scenario_text(text))
    assert rows(network, "factory") == [
        (0.0, "factory", "production order", 2.0, "bikes"),
        (0.0, "factory", "production order", 2.0, "trikes"),
        (0.3125, "factory", "reworked", 1.0, "bikes"),
        (0.375, "factory", "reworked", 1.0, "bikes"),
        (0.625, "factory", "produced", 2.0, "trikes"),
    ]
    # frames asked: 2 × 1 for the bikes at t = 0, 2 × 2 for the trikes when the line is free
    frames = [(t, q) for t, _n, e, q, _note in rows(network, "frame_store") if e == "demand"]
    assert frames == [(0.0, 2.0), (0.375, 4.0)]
    assert kpis["factory.units_defective"] == 2.0
    assert kpis["factory.units_reworked"] == 2.0
    assert kpis["factory.first_pass_yield"] == 0.5  # 2 of 4
    assert kpis["factory.rework_cost"] == 4.0  # 2 attempts × 2
    assert kpis["factory.inspection_cost"] == 4.0  # 4 units × 1
    assert kpis["factory.line_utilization"] == 0.625  # busy 0 → 0.625 of 1 day


# -- yield arithmetic ------------------------------------------------------------------------

YIELD = """
name: yield
run: {{horizon_days: {horizon}, warmup_days: 0, seed: 5}}
items:
  part: {{unit_cost: 1.0}}
  widget: {{unit_cost: 5.0, price: 9.0}}
suppliers:
  parts_inc: {{items: [part], lead_time: 1}}
stock_points:
  parts: {{item: part, source: parts_inc, initial: 1000, policy: {{kind: base_stock, S: 1000}}}}
  widgets: {{item: widget, source: works, policy: {{kind: base_stock, S: 400}}}}
plants:
  works:
    {rework}
    products:
      widget: {{bom: {{part: 1}}, processing_time: 0.001, batch_size: 20,
               defect_rate: {defect_rate}}}
customers:
  shop: {{buys_from: widgets, demand: 200}}
"""


def yield_scenario(defect_rate: str, q: float, m: int, station: str, horizon: int) -> Any:
    rework = (
        ""
        if m == 0
        else f"rework: {{time: 0.001, success: {q}, max_attempts: {m}, station: {station}}}"
    )
    return jitsim.load_scenario_text(
        YIELD.format(horizon=horizon, rework=rework, defect_rate=defect_rate)
    )


def attempt_moments(p: float, q: float, m: int) -> tuple[float, float]:
    """Mean and variance of the rework attempts A of one unit started.

    A = 0 if the unit is good (probability 1 − p), else K = min(G, m) with G ~ Geometric(q)
    on {1, 2, …}: P(K ≥ k) = (1 − q)^(k−1) for k = 1 … m, so
    E[K] = Σ_{k=1..m} (1−q)^(k−1) = (1 − (1−q)^m)/q and
    E[K²] = Σ_{k=1..m} (2k − 1)(1−q)^(k−1);  E[A] = p·E[K], Var(A) = p·E[K²] − (p·E[K])².
    """
    survive = [(1 - q) ** (k - 1) for k in range(1, m + 1)]
    mean_k = sum(survive)
    mean_k2 = sum((2 * k - 1) * s for k, s in enumerate(survive, start=1))
    return p * mean_k, p * mean_k2 - (p * mean_k) ** 2


YIELD_CASES = [
    # (p, q, m, station)
    (0.3, 0.4, 2, "line"),  # scrap 0.3 × 0.6² = 0.108; attempts 0.3 × 0.64 / 0.4 = 0.48
    (0.2, 0.5, 3, "separate"),  # scrap 0.2 × 0.125 = 0.025; attempts 0.2 × 0.875 / 0.5 = 0.35
    (0.25, 1.0, 0, "line"),  # no rework: every defective unit is scrapped, p = 0.25
]


def check_yield(p: float, q: float, m: int, station: str, reps: int, horizon: int) -> None:
    r"""Scrapped fraction and attempts per unit started, pooled over replications.

    Each unit started is defective with probability p (a constant, so independently of the
    others) and then gets rework attempts that succeed independently with probability q:

    * scrapped: Bernoulli(π) per unit with π = p(1 − q)^m, so with N units started in all the
      pooled fraction has the binomial standard error SE = √(π(1 − π)/N);
    * attempts: A per unit with the mean and variance of :func:`attempt_moments`
      (E[A] = p(1 − (1 − q)^m)/q), so SE = √(Var(A)/N).

    N is itself random (every scrapped unit starts a replacement) but the per-unit outcomes
    are i.i.d., so the ratio estimators are consistent with these standard errors (a renewal-
    reward argument). Units started but not yet inspected or out of rework at the end (at
    most a batch or two, against N ≈ 80 000) bias the ratios by a relative 10⁻⁴ or so: a
    few hundredths of a standard error.
    """
    scenario = yield_scenario(str(p), q, m, station, horizon)
    frame = jitsim.run(scenario, replications=reps, seed=5, backend="serial").replications()
    started = frame["works.units_started"].sum()
    scrapped = frame["works.units_scrapped"].sum() / started
    attempts = frame["works.rework_attempts"].sum() / started
    first_pass = 1 - frame["works.units_defective"].sum() / started

    pi = p * (1 - q) ** m
    assert scrapped == pytest.approx(pi, abs=3 * math.sqrt(pi * (1 - pi) / started))
    mean_a, var_a = attempt_moments(p, q, m)
    if m > 0:
        assert mean_a == pytest.approx(p * (1 - (1 - q) ** m) / q)
    assert attempts == pytest.approx(mean_a, abs=3 * math.sqrt(var_a / started) + 1e-12)
    assert first_pass == pytest.approx(1 - p, abs=3 * math.sqrt(p * (1 - p) / started))
    # every order ends with the good units it asked for: nobody is left waiting for long
    assert frame["fill_rate"].min() > 0.99


@pytest.mark.parametrize(("p", "q", "m", "station"), YIELD_CASES)
def test_yield_arithmetic(p: float, q: float, m: int, station: str) -> None:
    check_yield(p, q, m, station, reps=4, horizon=100)  # about 80 000 units per case


@pytest.mark.slow
@pytest.mark.parametrize(("p", "q", "m", "station"), YIELD_CASES)
def test_yield_arithmetic_long(p: float, q: float, m: int, station: str) -> None:
    check_yield(p, q, m, station, reps=20, horizon=300)  # about 1.2 million units per case


def test_yield_with_a_random_defect_rate_per_batch() -> None:
    """A defect rate drawn per batch: the mean rate p̄ takes the place of p.

    The defect rate is Uniform(0.1, 0.3) per batch of 20, so units of one batch are not
    independent and the binomial error does not apply; the standard error comes from the
    spread of the per-replication fractions, SE = s/√R (Student t with R − 1 = 9 degrees of
    freedom: 3 SE is still a > 98 % band). Expected with p̄ = 0.2, q = 0.5, m = 2:
    scrapped 0.2 × 0.25 = 0.05 and attempts 0.2 × 0.75 / 0.5 = 0.3 per unit started.
    """
    scenario = yield_scenario("{kind: uniform, low: 0.1, high: 0.3}", 0.5, 2, "line", 100)
    frame = jitsim.run(scenario, replications=10, seed=9, backend="serial").replications()
    for kpi, expected in (("works.units_scrapped", 0.05), ("works.rework_attempts", 0.3)):
        fractions = (frame[kpi] / frame["works.units_started"]).tolist()
        se = statistics.stdev(fractions) / math.sqrt(len(fractions))
        assert statistics.mean(fractions) == pytest.approx(expected, abs=3 * se), kpi


# -- Little's law and utilisation ------------------------------------------------------------

STOCHASTIC = scenario_text("plant_stochastic")


def paired_check(values: Any, name: str) -> None:
    """The mean of per-replication differences is within 3 standard errors of 0."""
    diffs = list(values)
    mean = statistics.mean(diffs)
    se = statistics.stdev(diffs) / math.sqrt(len(diffs))
    assert se > 0, name
    assert abs(mean) <= 3 * se, f"{name}: mean difference {mean:.5g}, SE {se:.3g}"


def test_littles_law_on_the_plant() -> None:
    """L = λW for the plant: avg_wip_units against throughput_per_day × production_lead_time.

    Per replication both sides are estimated over the same window: L̂ = ∫WIP/T and
    λ̂·Ŵ = (N/T)(ΣW/N) = ΣW/T over the N units that left in the window. They differ only by
    edge terms (units in process at the start and at the end of the window), whose expected
    values cancel in steady state; so the paired difference L̂ − λ̂Ŵ has mean ≈ 0 and its
    standard error comes from the spread over R = 20 replications. The plant here has two
    lines, random setup and processing times, a random defect rate per batch, on-line rework,
    scrap, and a raw stock point that runs short at times.
    """
    scenario = jitsim.load_scenario_text(STOCHASTIC)
    frame = jitsim.run(scenario, replications=20, seed=7, backend="serial").replications()
    wip = frame["factory.avg_wip_units"]
    flow = frame["factory.throughput_per_day"] * frame["factory.production_lead_time"]
    paired_check(wip - flow, "Little")
    assert wip.mean() == pytest.approx(flow.mean(), rel=0.01)
    # the case is not trivial: units wait for materials, get reworked and scrapped
    assert frame["factory.material_shortage_hours"].min() > 0
    assert frame["factory.units_scrapped"].min() > 0
    assert wip.mean() > 2


UTILISATION = """
name: utilisation
run: {{horizon_days: 400, warmup_days: 50, seed: 3}}
items:
  part: {{unit_cost: 4.0}}
  widget: {{unit_cost: 10.0, price: 15.0}}
suppliers:
  parts_inc: {{items: [part], lead_time: {lead_time}}}
stock_points:
  parts: {{item: part, source: parts_inc, initial: 200, policy: {parts_policy}}}
  widgets: {{item: widget, source: works, initial: 30, policy: {{kind: s_S, s: 20, S: 40}}}}
plants:
  works:
    lines: 3
    rework: {{time: {{kind: gamma, mean: 0.05, cv: 1}}, success: 0.6, max_attempts: 2,
             station: separate, stations: 2}}
    products:
      widget: {{bom: {{part: 2}}, processing_time: {{kind: gamma, mean: 0.1, cv: 0.8}},
               batch_size: 4, defect_rate: 0.1}}
customers:
  shop: {{buys_from: widgets, demand: {{kind: poisson, mean: 24}}}}
"""

PLENTY = {"lead_time": 1, "parts_policy": "{kind: base_stock, S: 200}"}
SHORT = {"lead_time": 3, "parts_policy": "{kind: s_S, s: 60, S: 160}"}


def test_line_utilisation_is_the_offered_load() -> None:
    """Utilisation ρ = λ·E[p]/c: the units leaving per day times the mean processing time per
    unit (0.1 days; no setup, rework on separate stations) over c = 3 lines, about
    24.4 × 0.1 / 3 ≈ 0.81 (24 good units a day plus the scrapped ones).

    Per replication, utilisation − λ̂·E[p]/c = (Σ (pᵢ − E[p]))/(cT) plus edge terms (a
    batch or so per line): mean ≈ 0, standard error from the spread over 10 replications.
    """
    scenario = jitsim.load_scenario_text(UTILISATION.format(**PLENTY))
    frame = jitsim.run(scenario, replications=10, seed=3, backend="serial").replications()
    offered = frame["works.throughput_per_day"] * 0.1 / 3
    paired_check(frame["works.line_utilization"] - offered, "utilisation")
    assert frame["works.line_utilization"].mean() == pytest.approx(0.81, abs=0.02)
    assert (frame["works.material_shortage_hours"] == 0).all()
    assert (frame["parts.backordered_units"] == 0).all()


def test_material_shortage_shows_when_a_raw_stock_point_runs_out() -> None:
    """The same plant with a lean parts store: 48 parts a day, lead time 3 days, but the
    store reorders at s = 60 (1.25 days of use). Batches wait for parts: the parts store
    backorders the plant's requests and the lines lose hours waiting for them."""
    plenty = jitsim.load_scenario_text(UTILISATION.format(**PLENTY))
    short = jitsim.load_scenario_text(UTILISATION.format(**SHORT))
    runs = {
        name: jitsim.run(s, replications=3, seed=3, backend="serial").replications()
        for name, s in (("plenty", plenty), ("short", short))
    }
    assert (runs["plenty"]["works.material_shortage_hours"] == 0).all()
    assert (runs["short"]["works.material_shortage_hours"] > 24).all()
    assert (runs["short"]["parts.backordered_units"] > 0).all()
    assert (runs["short"]["parts.fill_rate"] < 1).all()
    # the customers feel it: production waits for parts
    assert runs["short"]["fill_rate"].mean() < runs["plenty"]["fill_rate"].mean()
    assert (
        runs["short"]["works.production_lead_time"].mean()
        > runs["plenty"]["works.production_lead_time"].mean()
    )


# -- validation ------------------------------------------------------------------------------

VALID = """\
name: plant checks
items:
  frame: {unit_cost: 10.0}
  wheel: {unit_cost: 2.0}
  bike: {unit_cost: 30.0, price: 50.0}
suppliers:
  parts_inc: {items: [frame, wheel, bike], lead_time: 1}
stock_points:
  frame_store: {item: frame, source: parts_inc, policy: {kind: base_stock, S: 10}}
  wheel_store: {item: wheel, source: parts_inc, policy: {kind: base_stock, S: 20}}
  bikes: {item: bike, source: factory, policy: {kind: base_stock, S: 4}}
plants:
  factory:
    products:
      bike: {bom: {frame: 1, wheel: 2}, processing_time: 0.1}
customers:
  shop: {buys_from: bikes, demand: 2}
"""

EXTRA_WHEELS = (
    "  wheel_store2: {item: wheel, source: parts_inc, policy: {kind: base_stock, S: 1}}\n"
)
WHEEL_PLANT = """\
  wheel_fg: {item: wheel, source: factory, policy: {kind: base_stock, S: 1}}
  wheel_store: {item: wheel, source: wheel_fg, lead_time: 1, policy: {kind: base_stock, S: 20}}
"""


def _edit(*pairs: tuple[str, str]) -> str:
    """VALID with some text replaced (each old text must be there)."""
    text = VALID
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


WHEEL_STORE = "  wheel_store: {item: wheel, source: parts_inc, policy: {kind: base_stock, S: 20}}\n"
FROM = "    products:\n"

TWO_PLANTS = """\
name: two plants
items:
  x: {unit_cost: 1}
  y: {unit_cost: 1}
suppliers:
  s: {items: [x], lead_time: 1}
stock_points:
  fx: {item: x, source: pa, initial: 10, policy: {kind: base_stock, S: 4}}
  fy: {item: y, source: pb, initial: 10, policy: {kind: base_stock, S: 4}}
plants:
  pa:
    products:
      x: {bom: {y: 1}, processing_time: 0.1}
  pb:
    products:
      y: {bom: {x: 1}, processing_time: 0.1}
customers:
  c: {buys_from: fx, demand: 1}
"""

#: name → (scenario text, line, path, message fragment) of the one error expected.
CASES: dict[str, tuple[str, int, str, str]] = {
    "unknown product item": (
        _edit(
            ("      bike: {bom", "      trike: {bom"),
            ("bikes: {item: bike, source: factory", "bikes: {item: bike, source: parts_inc"),
        ),
        15,
        "plants.factory.products.trike",
        "unknown item 'trike' (known: bike, frame, wheel)",
    ),
    "unknown bom material": (
        _edit(("wheel: 2}", "wheel: 2, gear: 3}")),
        15,
        "plants.factory.products.bike.bom.gear",
        "unknown item 'gear' (known: bike, frame, wheel)",
    ),
    "two stock points hold a material": (
        _edit(("  bikes:", EXTRA_WHEELS + "  bikes:")),
        14,
        "plants.factory.materials_from",
        "material 'wheel' needs exactly one stock point to draw from "
        "(found: wheel_store, wheel_store2); name it in materials_from",
    ),
    "materials_from names a stock point of another item": (
        _edit((FROM, "    materials_from: {wheel: frame_store}\n" + FROM)),
        14,
        "plants.factory.materials_from.wheel",
        "stock point 'frame_store' holds 'frame', not 'wheel'",
    ),
    "materials_from names an item no product uses": (
        _edit((FROM, "    materials_from: {bike: bikes}\n" + FROM)),
        14,
        "plants.factory.materials_from.bike",
        "'bike' is not in the bill of materials of any product of plant 'factory'",
    ),
    "finished goods the plant does not make": (
        _edit(
            (
                "  bikes:",
                "  frames2: {item: frame, source: factory, policy: {kind: base_stock, S: 1}}\n"
                "  bikes:",
            ),
            (FROM, "    materials_from: {frame: frame_store}\n" + FROM),
        ),
        11,
        "stock_points.frames2.source",
        "plant 'factory' does not make item 'frame' (it makes: bike)",
    ),
    "a material fed by the plant itself": (
        _edit(
            (WHEEL_STORE, WHEEL_PLANT),
            (FROM, "    materials_from: {wheel: wheel_store}\n" + FROM),
            (
                "processing_time: 0.1}\n",
                "processing_time: 0.1}\n      wheel: {bom: {frame: 1}, processing_time: 0.1}\n",
            ),
        ),
        15,
        "plants.factory.materials_from",
        "material 'wheel' comes from 'wheel_store', which is fed by this plant's own output: "
        "a cycle",
    ),
    "two plants feed each other": (
        TWO_PLANTS,
        11,
        "plants.pa.materials_from",
        "plants feed each other in a cycle: fx → pa → fy → pb → fx",
    ),
    "failover backup behind a plant": (
        _edit(
            (
                "policy: {kind: base_stock, S: 4}}",
                "policy: {kind: base_stock, S: 4},\n          backup: {source: parts_inc}}",
            )
        ),
        12,
        "stock_points.bikes.backup.split",
        "the primary source 'factory' is a plant, which cannot tell whether it delivers in "
        "time: failover is not supported; use split: shares",
    ),
}


def test_the_valid_plant_scenario_loads() -> None:
    scenario = jitsim.load_scenario_text(VALID, "plant.yaml")
    assert scenario.plants["factory"].products["bike"].bom == {"frame": 1.0, "wheel": 2.0}


@pytest.mark.parametrize("name", list(CASES))
def test_plant_mistakes_are_file_line_errors(name: str) -> None:
    text, line, path, message = CASES[name]
    with pytest.raises(jitsim.ScenarioError) as caught:
        jitsim.load_scenario_text(text, "plant.yaml")
    lines = str(caught.value).splitlines()
    expected = f"plant.yaml:{line}: {path}: {message}"
    assert any(entry.startswith(expected) for entry in lines), (expected, lines)
    # one mistake, one message
    assert len(lines) == 1, lines


# -- pull vs push ----------------------------------------------------------------------------

PULL = """
name: pull
run: {{horizon_days: 120, warmup_days: 0, seed: 4}}
items:
  part: {{unit_cost: 3.0}}
  widget: {{unit_cost: 10.0, price: 16.0}}
suppliers:
  parts_inc: {{items: [part], lead_time: 1}}
stock_points:
  parts: {{item: part, source: parts_inc, initial: 60, policy: {{kind: base_stock, S: 60}}}}
  widgets: {{item: widget, source: works, initial: {initial}, review: {review},
            policy: {policy}}}
plants:
  works:
    lines: 2
    rework: {{time: 0.02, success: 0.5, max_attempts: 1}}
    products:
      widget: {{bom: {{part: 2}}, processing_time: {{kind: gamma, mean: 0.05, cv: 0.5}},
               batch_size: 3, defect_rate: 0.1}}
customers:
  shop:
    buys_from: widgets
    orders: {{rate_per_day: 6, size: {{kind: discrete_uniform, low: 1, high: 4}}}}
"""


def pull_trace(initial: int, review: str, policy: str) -> tuple[list[float], list[float], Any]:
    """Customer order sizes at the finished-goods point, production order sizes, KPIs."""
    text = PULL.format(initial=initial, review=review, policy=policy)
    result = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0, trace=True)
    demands = [
        q for _t, node, event, q, _l, _n in result.trace if (node, event) == ("widgets", "demand")
    ]
    production = [q for _t, _node, event, q, _l, _n in result.trace if event == "production order"]
    return demands, production, result.kpis


@pytest.mark.parametrize(
    ("initial", "policy"),
    [(0, "{kind: base_stock, S: 0}"), (3, "{kind: kanban, cards: 3, container_size: 1}")],
    ids=["base_stock_S0", "kanban_unit_containers"],
)
def test_pull_makes_one_production_order_per_customer_order(initial: int, policy: str) -> None:
    """Make-to-order: every customer order, at once, becomes one production order of its size.

    Under continuous review base-stock S = 0 orders S − IP = exactly the units just demanded;
    a loop of 3 unit kanban cards (full at the start: 3 widgets on hand) sends one card per
    unit taken, at once. Rework and scrap on the way do not change the orders: the plant
    replaces scrapped units itself.
    """
    demands, production, kpis = pull_trace(initial, "continuous", policy)
    assert len(demands) > 500  # about 6 orders a day for 120 days
    assert production == demands  # one for one, same sizes, same order
    assert kpis["works.production_orders"] == len(demands)
    assert kpis["widgets.orders_placed"] == len(demands)
    assert kpis["widgets.avg_order_qty"] == pytest.approx(sum(demands) / len(demands))
    assert kpis["works.units_scrapped"] > 0


def test_push_batches_production_orders() -> None:
    """Make-to-stock with an (s,S) buffer reviewed daily: production orders are few and large."""
    demands, production, _kpis = pull_trace(60, "{every_days: 1}", "{kind: s_S, s: 20, S: 60}")
    assert len(production) < len(demands) / 5
    assert statistics.mean(production) > 20


# -- the bundled scenarios tell the story their comments tell ---------------------------------


def test_assembly_plant_defects_hurt_jit_more() -> None:
    """scenarios/assembly_plant.yaml: JIT is cheaper at 1 % defects, dearer at 20 %.

    Paired differences (JIT − buffered, same demand and defects) over 20 replications; the
    file quotes −1 940 ± 108 EUR and +4 364 ± 628 EUR from 100 replications.
    """
    scenario = jitsim.load_scenario(SCENARIOS / "assembly_plant.yaml")
    path = "plants.assembly.products.ebike.defect_rate"
    result = jitsim.sweep(
        scenario, {path: [0.01, 0.2]}, replications=20, seed=2026, backend="serial"
    )
    frame = result.replications()
    diffs = {}
    for rate in (0.01, 0.2):
        point = frame[frame[path] == rate]
        jit = point[point["alternative"] == "jit"].sort_values("replication")
        buffered = point[point["alternative"] == "buffered"].sort_values("replication")
        diffs[rate] = paired_difference(
            jit["total_cost"].reset_index(drop=True), buffered["total_cost"].reset_index(drop=True)
        )
        assert jit["avg_cash_tied_up"].mean() < 0.5 * buffered["avg_cash_tied_up"].mean()
        assert (jit["quality_cost"].mean() / buffered["quality_cost"].mean()) == pytest.approx(
            1, abs=0.01
        )
    assert diffs[0.01].ci95_high < 0  # JIT saves money while quality is good ...
    assert diffs[0.2].ci95_low > 0  # ... and costs more when a fifth of the bikes fail


def test_bullwhip_two_tier_ratio_grows_upstream() -> None:
    """scenarios/bullwhip_two_tier.yaml: stores ≈ 2.3, dc ≈ 3.9 under the 7-day average."""
    scenario = jitsim.load_scenario(SCENARIOS / "bullwhip_two_tier.yaml")
    frame = jitsim.run(scenario, replications=10, seed=2026, backend="serial").replications()
    means = frame.groupby("alternative").mean(numeric_only=True)
    stores = [f"store_{s}.bullwhip_ratio" for s in "abc"]
    for store in stores:
        assert 1.8 < means.loc["jit_ma7", store] < means.loc["jit_ma7", "dc.bullwhip_ratio"]
        assert means.loc["jit_ma28", store] < means.loc["jit_ma7", store]
    assert means.loc["jit_ma7", "dc.bullwhip_ratio"] > 3
    assert means.loc["base_stock", "dc.bullwhip_ratio"] == pytest.approx(1.0)


def test_policies_at_a_finished_goods_point_plan_with_the_production_time() -> None:
    """JIT at the bikes point of the SHORTAGE plant: lane lead time 1.5 days, setup 0.125 +
    batch of 2 × 0.125 days processing = 0.375 days to make a batch; daily review R = 1 and
    2 safety days: cover = 1.5 + 0.375 + 1 + 2 = 4.875 days (4.5 if the production time were
    left out)."""
    text = SHORTAGE.replace(
        "bikes: {item: bike, source: factory, initial: 0, policy: {kind: base_stock, S: 2}}",
        "bikes: {item: bike, source: factory, initial: 0, lead_time: 1.5,\n"
        "          policy: {kind: jit, forecast: {kind: naive}, safety_days: 2}}",
    ).replace("demand: 0", "demand: 1")
    kpis = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0).kpis
    assert kpis["bikes.jit_cover_days"] == pytest.approx(4.875)
