"""Conservation of material and of units through a plant, on random plants (Hypothesis).

Random scenarios: 1–2 products, 1–3 materials, random BOMs, batch sizes, lines, setup and
processing times, defect rates, rework on the line, on separate stations or none, and random
policies (base-stock, (s,S), kanban, JIT; continuous or periodic review) at the raw-material
and finished-goods stock points. Warm-up is 0, so every counter covers the whole run.

What is compared, at the end of the horizon
-------------------------------------------
Every raw stock point ``raw_m`` (one per material m) serves the plant only, so what it shipped
is what the plant received. A small ledger wraps three plant methods (``_release``,
``add_material``, ``_leave``) to follow each released batch b: its product, units n_b,
materials received so far r_b[m] and units that have left ℓ_b (good or scrapped). The trace
gives, per product p, the good units G_p (``produced`` and ``reworked`` rows, noted with the
finished-goods point) and the scrapped units X_p (``scrapped`` rows).

1. Material: for every material m,

       raw_m.shipped_units = Σ_p bom[p][m]·(G_p + X_p) + W_m,

   with W_m the units of m in work in process at the end: for a batch whose materials have
   all arrived, bom[m]·(n_b − ℓ_b); for a batch still waiting for materials, r_b[m]. And the
   plant's own counter: Σ_m raw_m.shipped_units = ``plant.materials_received``; its WIP value
   is Σ_m c_m·W_m.
2. Requests: raw_m.demand_units = Σ_b bom[p_b][m]·n_b (every released batch asked for its
   BOM, once), and shipped + still owed to the plant (its backorders there) = requested.
3. Units: per product, units ordered by production orders + X_p (replacement units)
   = units released + units still queued for a line; the plant's WIP units = Σ_b (n_b − ℓ_b)
   = Σ_p (released_p − G_p − X_p); Σ_p G_p = ``units_produced``, Σ_p X_p = ``units_scrapped``.
4. Finished goods: for every product p, units received at ``fg_p`` + units in transit to it
   (the lane is owned in transit) = G_p, where received = on-hand at the end − initial +
   units shipped to customers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.model.lane import Lane
from jitsim.model.network import build
from jitsim.model.plant import Batch, MaterialIntake, Plant
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams

MATERIALS = ("steel", "bolt", "paint")
PRODUCTS = ("gizmo", "gadget")


def _time(draw: Any, low: float, high: float) -> Any:
    """A constant or a gamma-distributed time (days)."""
    mean = draw(st.floats(low, high))
    if mean < 0.005 or draw(st.booleans()):
        return round(mean, 3)
    return {"kind": "gamma", "mean": round(mean, 3), "cv": draw(st.sampled_from([0.3, 1.0]))}


def _policy(draw: Any, *, pull: bool) -> tuple[Any, Any]:
    """(review, policy) of a stock point; ``pull`` allows make-to-order at finished goods."""
    choices = ["base_stock", "s_S", "kanban", "jit"] + (["pull"] if pull else [])
    kind = draw(st.sampled_from(choices))
    review: Any = draw(st.sampled_from(["continuous", {"every_days": 1}, {"every_days": 2}]))
    if kind == "pull":
        return "continuous", {"kind": "base_stock", "S": 0}
    if kind == "base_stock":
        return review, {"kind": "base_stock", "S": draw(st.integers(0, 40))}
    if kind == "s_S":
        s = draw(st.integers(0, 20))
        return review, {"kind": "s_S", "s": s, "S": s + draw(st.integers(1, 30))}
    if kind == "kanban":
        cards = draw(st.integers(1, 5))
        return review, {"kind": "kanban", "cards": cards, "container_size": draw(st.integers(1, 8))}
    return review, {"kind": "jit", "safety_days": draw(st.sampled_from([0.0, 0.5, 2.0]))}


@st.composite
def plant_scenarios(draw: Any) -> dict[str, Any]:
    """A random scenario (as data) with one plant ``works``."""
    materials = list(MATERIALS[: draw(st.integers(1, 3))])
    products = list(PRODUCTS[: draw(st.integers(1, 2))])
    items: dict[str, Any] = {m: {"unit_cost": float(i + 1)} for i, m in enumerate(materials)}
    items.update({p: {"unit_cost": 20.0 + i, "price": 30.0} for i, p in enumerate(products)})
    suppliers = {"vendor": {"items": materials, "lead_time": draw(st.sampled_from([0, 1, 2, 0.5]))}}
    points: dict[str, Any] = {}
    for m in materials:
        review, policy = _policy(draw, pull=False)
        points[f"raw_{m}"] = {
            "item": m,
            "source": "vendor",
            "initial": draw(st.integers(0, 30)),
            "review": review,
            "policy": policy,
        }
    customers: dict[str, Any] = {}
    specs: dict[str, Any] = {}
    for p in products:
        review, policy = _policy(draw, pull=True)
        points[f"fg_{p}"] = {
            "item": p,
            "source": "works",
            "initial": draw(st.integers(0, 10)),
            "review": review,
            "policy": policy,
            "lead_time": draw(st.sampled_from([0, 0.25, 1])),
        }
        customers[f"buyer_{p}"] = {
            "buys_from": f"fg_{p}",
            "demand": {"kind": "poisson", "mean": draw(st.sampled_from([1, 3, 6]))},
            "unmet": draw(st.sampled_from(["backorder", "lost_sale"])),
        }
        used = draw(st.lists(st.sampled_from(materials), min_size=1, unique=True))
        specs[p] = {
            "bom": {m: float(draw(st.sampled_from([1, 2, 0.5]))) for m in used},
            "processing_time": _time(draw, 0.01, 0.2),
            "per": draw(st.sampled_from(["unit", "batch"])),
            "setup_time": _time(draw, 0.0, 0.2),
            "batch_size": draw(st.integers(1, 6)),
            "defect_rate": draw(
                st.sampled_from([0.0, 0.1, 0.4, {"kind": "uniform", "low": 0.0, "high": 0.5}])
            ),
        }
    plant: dict[str, Any] = {
        "lines": draw(st.integers(1, 3)),
        "products": specs,
        "scrap_cost_per_unit": 1.0,
        "inspection_cost_per_unit": 0.25,
    }
    station = draw(st.sampled_from(["none", "line", "separate"]))
    if station != "none":
        plant["rework"] = {
            "time": _time(draw, 0.0, 0.1),
            "success": draw(st.sampled_from([0.0, 0.5, 0.9])),
            "max_attempts": draw(st.integers(0, 3)),
            "station": station,
            "stations": draw(st.integers(1, 2)),
        }
    return {
        "name": "random plant",
        "run": {
            "horizon_days": draw(st.integers(5, 40)),
            "warmup_days": 0,
            "seed": draw(st.integers(0, 1000)),
        },
        "items": items,
        "suppliers": suppliers,
        "stock_points": points,
        "customers": customers,
        "plants": {"works": plant},
    }


class Ledger:
    """Follows every batch a plant releases: materials received and units that left."""

    def __init__(self, plant: Plant) -> None:
        self.batches: list[Batch] = []
        self.received: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.left: dict[int, int] = defaultdict(int)
        release, add_material, leave = plant._release, plant.add_material, plant._leave

        def _release(batch: Batch, now: float) -> None:
            self.batches.append(batch)
            release(batch, now)

        def _add_material(quantity: float, intake: MaterialIntake, now: float) -> None:
            self.received[id(intake.batch)][intake.material] += quantity
            add_material(quantity, intake, now)

        def _leave(batch: Batch, units: int, now: float) -> None:
            self.left[id(batch)] += units
            leave(batch, units, now)

        plant._release = _release  # type: ignore[method-assign]
        plant.add_material = _add_material  # type: ignore[method-assign]
        plant._leave = _leave  # type: ignore[method-assign]


def check_conservation(data: dict[str, Any]) -> None:
    """Run one random plant with the ledger and check statements 1–4 of the module doc."""
    scenario = jitsim.load_scenario_text(json.dumps(data, indent=1), "random.yaml")
    network = build(resolve(scenario, "base"), Streams(scenario.run.seed, 0), trace=True)
    plant = network.plants["works"]
    ledger = Ledger(plant)
    network.run()
    assert network.trace is not None
    boms = {p: spec.bom for p, spec in scenario.plants["works"].products.items()}
    item_of = {f"fg_{p}": p for p in boms}
    materials = sorted({m for bom in boms.values() for m in bom})
    approx = pytest.approx

    good: dict[str, float] = defaultdict(float)
    scrapped: dict[str, float] = defaultdict(float)
    ordered: dict[str, float] = defaultdict(float)
    for _t, node, event, quantity, _level, note in network.trace:
        if node != "works":
            continue
        if event in ("produced", "reworked"):
            good[item_of[note]] += quantity
        elif event == "scrapped":
            scrapped[item_of[note]] += quantity
        elif event == "production order":
            ordered[item_of[note]] += quantity

    # work in process at the end, per material, from the ledger
    wip_material: dict[str, float] = defaultdict(float)
    released: dict[str, float] = defaultdict(float)
    requested: dict[str, float] = defaultdict(float)
    in_process = 0
    for batch in ledger.batches:
        item = batch.product.item
        released[item] += batch.units
        remaining = batch.units - ledger.left[id(batch)]
        assert 0 <= remaining <= batch.units
        in_process += remaining
        for m, per_unit in boms[item].items():
            requested[m] += per_unit * batch.units
            if remaining == 0:
                continue
            if batch.missing == 0:  # every material in: the remaining units hold their BOM
                assert ledger.received[id(batch)][m] == approx(per_unit * batch.units)
                wip_material[m] += per_unit * remaining
            else:  # still waiting for materials: what has come so far
                assert ledger.left[id(batch)] == 0
                wip_material[m] += ledger.received[id(batch)][m]

    # 1. material through the BOM
    for m in materials:
        raw = network.points[f"raw_{m}"]
        used = sum(bom.get(m, 0.0) * (good[p] + scrapped[p]) for p, bom in boms.items())
        assert raw.shipped_units == approx(used + wip_material[m]), m
    shipped = sum(network.points[f"raw_{m}"].shipped_units for m in materials)
    assert plant.materials_received == approx(shipped)
    cost = {m: scenario.items[m].unit_cost for m in materials}
    assert plant.wip_value == approx(sum(cost[m] * wip_material[m] for m in materials), abs=1e-6)

    # 2. requests at the raw stock points
    for m in materials:
        raw = network.points[f"raw_{m}"]
        owed = sum(
            units
            for requester, units in raw.backorder_queue
            if isinstance(requester, MaterialIntake)
        )
        assert not any(
            isinstance(r, Lane) and not isinstance(r, MaterialIntake)
            for r, _u in raw.backorder_queue
        )
        assert raw.demand_units == approx(requested[m]), m
        assert raw.shipped_units + owed == approx(requested[m]), m

    # 3. units through the plant
    queued: dict[str, float] = defaultdict(float)
    for batch in plant.waiting:
        queued[batch.product.item] += batch.units
    for p in boms:
        assert ordered[p] + scrapped[p] == released[p] + queued[p], p
    assert plant.wip_units == approx(in_process)
    assert in_process == sum(released[p] - good[p] - scrapped[p] for p in boms)
    kpis = plant.kpis(float(scenario.run.horizon_days))
    assert kpis["units_produced"] == sum(good.values())
    assert kpis["units_scrapped"] == sum(scrapped.values())

    # 4. finished goods
    for point_name, p in item_of.items():
        point = network.points[point_name]
        initial = scenario.stock_points[point_name].initial
        received = point.on_hand - initial + point.shipped_units
        assert received + point.owned_transit == approx(good[p]), p


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plant_scenarios())
def test_material_and_units_are_conserved_through_the_plant(data: dict[str, Any]) -> None:
    check_conservation(data)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plant_scenarios())
def test_material_and_units_are_conserved_through_the_plant_many(data: dict[str, Any]) -> None:
    check_conservation(data)
