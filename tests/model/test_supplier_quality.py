"""Supplier quality: defect rate, incoming inspection, replaced or lost rejects.

* the inspection law on a stub stream (which unit numbers are defective) and hand traces of
  a one-store network with known defective units, for ``rejects: replace`` and ``lose``;
* a replay of the real quality stream against the trace (the same units are defective under
  every policy: common random numbers by unit);
* rejected / inspected ≈ defect rate within three standard errors;
* conservation of units, the pipeline, purchase cost and cash in random small cases.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pytest

import jitsim
from jitsim.errors import ScenarioError
from jitsim.execution.simulate import ReplicationResult
from jitsim.model.inspection import Inspection
from jitsim.streams import Streams


class FixedGaps:
    """A stand-in quality stream whose geometric gaps are given (then none for a long time)."""

    def __init__(self, gaps: list[int]) -> None:
        self.gaps = list(gaps)

    def geometric(self, p: float, size: int) -> np.ndarray:
        out, self.gaps = self.gaps[:size], self.gaps[size:]
        return np.array(out + [10**9] * (size - len(out)))


def build(
    *,
    defect_rate: float = 0.2,
    rejects: str = "replace",
    cost: float = 0.5,
    lead_time: Any = 1,
    policy: str = "{kind: base_stock, S: 20}",
    review: str = "{every_days: 1}",
    demand: Any = 10,
    initial: float = 20,
    horizon: int = 5,
    warmup: int = 0,
    supplier_extra: str = "",
    alternatives: str = "",
) -> jitsim.Scenario:
    return jitsim.load_scenario_text(
        f"""
name: quality
run: {{horizon_days: {horizon}, warmup_days: {warmup}, seed: 11}}
items:
  w: {{unit_cost: 4, price: 9}}
suppliers:
  acme:
    items: [w]
    lead_time: {lead_time}
    unit_price: 3
    defect_rate: {defect_rate}
    rejects: {rejects}
    inspection_cost_per_unit: {cost}
    {supplier_extra}
stock_points:
  store: {{item: w, source: acme, initial: {initial}, review: {review}, policy: {policy}}}
customers:
  c: {{buys_from: store, demand: {demand}}}
{alternatives}
"""
    )


def rows(result: ReplicationResult, *events: str) -> list[tuple[float, str, float, str]]:
    return [
        (t, e, q, note) for t, n, e, q, _l, note in result.trace if n == "store" and e in events
    ]


def with_defective_units(monkeypatch: pytest.MonkeyPatch, gaps: list[int]) -> None:
    """Make the quality stream of every lane return these geometric gaps."""
    real = Streams.__call__

    def fake(self: Streams, name: str) -> Any:
        return FixedGaps(gaps) if name.endswith(".quality") else real(self, name)

    monkeypatch.setattr(Streams, "__call__", fake)


# ------------------------------------------------------------------------ the law


def test_inspection_counts_defective_unit_numbers() -> None:
    # gaps 3, 5, 1, 20 → defective units 2, 7, 8, 28
    inspection = Inspection(0.2, True, 0.5, FixedGaps([3, 5, 1, 20]))  # type: ignore[arg-type]
    assert inspection.rejects(5) == 1  # units 0-4 hold unit 2
    assert inspection.rejects(5) == 2  # units 5-9 hold 7 and 8
    assert inspection.rejects(10) == 0  # 10-19
    assert inspection.rejects(2.5) == 0  # [20, 22.5)
    assert inspection.rejects(6) == 1  # [22.5, 28.5) holds 28
    assert inspection.rejects(1000) == 0


def test_a_fraction_of_a_unit_rejects_at_most_itself() -> None:
    inspection = Inspection(0.5, False, 0.0, FixedGaps([1, 1]))  # type: ignore[arg-type]
    assert inspection.rejects(0.25) == 0.25  # unit 0 is defective; only 0.25 of it arrived
    assert inspection.rejects(0.75) == 0  # unit 0 was counted with the first piece
    assert inspection.rejects(1) == 1  # unit 1


def test_no_defect_rate_inspects_without_drawing() -> None:
    class NoDraws:
        def geometric(self, p: float, size: int) -> np.ndarray:
            raise AssertionError("no draws without defects")

    inspection = Inspection(0.0, True, 1.0, NoDraws())  # type: ignore[arg-type]
    assert inspection.rejects(50) == 0


# ------------------------------------------------------------------------ hand traces


def test_replace_hand_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defective units 2, 7, 8. Base stock S=20, demand 10/day at t+0.5, L=1, initial 20.

    day 0: IP 20, no order; demand → on hand 10.
    day 1: order 10 (units 0-9, due 2); demand → 0.
    day 2: 10 arrive, units 2, 7, 8 rejected: 7 put away, 3 shipped again (due 3) and still
           on order. Review: IP = 7 + 3 = 10 → order 10 (due 3). Demand 10: 7 filled, 3
           backordered.
    day 3: the replacement (units 10-12) arrives first (it was scheduled first) and fills the
           3 backordered; then the day-2 order (units 13-22). Order 10; demand → 0.
    day 4: 10 arrive (23-32); order 10; demand → 0.
    """
    with_defective_units(monkeypatch, [3, 5, 1])
    result = jitsim.simulate(build(), "base", 0, trace=True, trajectories=True)
    assert rows(result, "rejected", "receipt", "backorder filled", "order") == [
        (1.0, "order", 10.0, "to acme"),
        (2.0, "rejected", 3.0, "of 10 inspected; replaced"),
        (2.0, "receipt", 7.0, ""),
        (2.0, "order", 10.0, "to acme"),
        (3.0, "receipt", 3.0, ""),
        (3.0, "backorder filled", 3.0, ""),
        (3.0, "receipt", 10.0, ""),
        (3.0, "order", 10.0, "to acme"),
        (4.0, "receipt", 10.0, ""),
        (4.0, "order", 10.0, "to acme"),
    ]
    k = result.kpis
    assert k["store.units_inspected"] == 33
    assert k["store.units_rejected"] == 3
    assert k["store.inspection_cost"] == pytest.approx(16.5)
    assert k["quality_cost"] == pytest.approx(16.5)
    assert k["total_cost"] == pytest.approx(
        k["holding_cost"] + k["ordering_cost"] + k["shortage_cost"] + k["quality_cost"]
    )
    # replaced units are paid once: purchase = price × ordered
    assert k["store.purchase_cost"] == pytest.approx(3 * 40)
    assert k["store.backordered_units"] == 3
    on_order = [row[3] for row in result.trajectories["store"]]
    assert on_order == [0, 10, 13, 10, 10]


def test_lose_hand_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the replace trace, but the 3 rejects are lost: on-order falls to 0 at day 2, so the
    review orders 13 (IP 7); those 13 (units 10-22) arrive at day 3 and fill the backorders."""
    with_defective_units(monkeypatch, [3, 5, 1])
    result = jitsim.simulate(build(rejects="lose"), "base", 0, trace=True, trajectories=True)
    assert rows(result, "rejected", "receipt", "backorder filled", "order") == [
        (1.0, "order", 10.0, "to acme"),
        (2.0, "rejected", 3.0, "of 10 inspected; lost"),
        (2.0, "receipt", 7.0, ""),
        (2.0, "order", 13.0, "to acme"),
        (3.0, "receipt", 13.0, ""),
        (3.0, "backorder filled", 3.0, ""),
        (3.0, "order", 10.0, "to acme"),
        (4.0, "receipt", 10.0, ""),
        (4.0, "order", 10.0, "to acme"),
    ]
    k = result.kpis
    assert k["store.units_inspected"] == 33
    assert k["store.units_rejected"] == 3
    # lost rejects are not paid for: (10 + 13 + 10 + 10 − 3) × 3
    assert k["store.purchase_cost"] == pytest.approx(3 * 40)
    assert [row[3] for row in result.trajectories["store"]] == [0, 10, 13, 10, 10]


def test_continuous_review_reorders_a_lost_reject_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """(r,Q) = (14,10) continuous, L=1, demand 3/day, initial 15; units 0-8 are defective.

    t=0.5: demand → IP 12 ≤ 14 → order 10 (due 1.5), IP 22.
    t=1.5: the 10 arrive before the demand; 9 are lost → IP 13 ≤ 14 → order 10 at once,
           before the day's demand (IP 23 → 20).
    """
    with_defective_units(monkeypatch, [1] * 9)
    result = jitsim.simulate(
        build(
            rejects="lose",
            policy="{kind: r_Q, r: 14, Q: 10}",
            review="continuous",
            initial=15,
            demand=3,
            horizon=3,
        ),
        "base",
        0,
        trace=True,
    )
    assert rows(result, "rejected", "receipt", "order", "demand")[:6] == [
        (0.5, "demand", 3.0, "c"),
        (0.5, "order", 10.0, "to acme"),
        (1.5, "rejected", 9.0, "of 10 inspected; lost"),
        (1.5, "receipt", 1.0, ""),
        (1.5, "order", 10.0, "to acme"),
        (1.5, "demand", 3.0, "c"),
    ]


def test_zero_lead_time_replacements_settle_at_once() -> None:
    # 90 % defects, replacements arrive at once and are inspected again in the same instant
    result = jitsim.simulate(
        build(defect_rate=0.9, lead_time=0, horizon=20, demand={"kind": "poisson", "mean": 50}),
        "base",
        0,
        trace=True,
        trajectories=True,
    )
    k = result.kpis
    received = sum(q for _t, e, q, _n in rows(result, "receipt"))
    ordered = sum(q for _t, e, q, _n in rows(result, "order"))
    assert received == pytest.approx(ordered)  # everything replaced and accepted
    assert k["store.units_rejected"] > 5 * received
    assert k["store.units_inspected"] == pytest.approx(received + k["store.units_rejected"])


# ------------------------------------------------------------------------ the real stream


def deliveries(result: ReplicationResult) -> list[tuple[float, float]]:
    """(units arriving, units rejected) of each delivery, in the order they were inspected.

    A "rejected" row names the size of its delivery (``of N inspected``); the receipt of its
    good units follows it at once.
    """
    out: list[tuple[float, float]] = []
    good_to_come = 0.0
    for _t, event, quantity, note in rows(result, "rejected", "receipt"):
        if event == "rejected":
            delivered = float(note.split()[1])
            out.append((delivered, quantity))
            good_to_come = delivered - quantity
        elif good_to_come > 0:
            assert quantity == pytest.approx(good_to_come)
            good_to_come = 0.0
        else:
            out.append((quantity, 0.0))
    return out


def defective_units(seed: int, replication: int, rate: float, how_many: int) -> np.ndarray:
    rng = Streams(seed, replication)("lane.store.quality")
    gaps: list[int] = []
    while len(gaps) < how_many:
        gaps += rng.geometric(rate, 64).tolist()
    return np.cumsum(gaps) - 1


@pytest.mark.parametrize("alternative", ["steady", "lumpy"])
def test_rejects_replay_the_quality_stream(alternative: str) -> None:
    """Every delivery rejects exactly the defective unit numbers it covers (Binomial by unit)."""
    model = build(
        defect_rate=0.15,
        horizon=60,
        demand={"kind": "poisson", "mean": 10},
        lead_time={"kind": "discrete_uniform", "low": 1, "high": 3},
        alternatives="alternatives:\n  steady: {}\n  lumpy: {store: {kind: s_S, s: 10, S: 60}}",
    )
    result = jitsim.simulate(model, alternative, 2, trace=True)
    defective = defective_units(11, 2, 0.15, 500)
    start = 0.0
    for quantity, rejected in deliveries(result):
        expected = np.count_nonzero((defective >= start) & (defective < start + quantity))
        assert rejected == expected, (start, quantity)
        start += quantity
    assert start == pytest.approx(result.kpis["store.units_inspected"])
    assert result.kpis["store.units_rejected"] > 0


def test_rejected_share_matches_the_defect_rate() -> None:
    model = build(
        defect_rate=0.05,
        horizon=365,
        warmup=30,
        demand={"kind": "poisson", "mean": 20},
        policy="{kind: base_stock, S: 80}",
        lead_time=2,
    )
    shares = []
    for r in range(30):
        k = jitsim.simulate(model, "base", r).kpis
        shares.append(k["store.units_rejected"] / k["store.units_inspected"])
    mean = statistics.fmean(shares)
    se = statistics.stdev(shares) / math.sqrt(len(shares))
    assert abs(mean - 0.05) <= 3 * se, (mean, se)
    assert se < 0.005


# ------------------------------------------------------------------------ conservation


@pytest.mark.parametrize("rejects", ["replace", "lose"])
@pytest.mark.parametrize("title", ["receipt", "shipment"])
@pytest.mark.parametrize(
    ("lead_time", "extra"),
    [
        (2, ""),
        ({"kind": "gamma", "mean": 1.5, "cv": 0.5}, ""),
        (1, "capacity_per_day: 12"),
        (0, "min_order: 15"),
    ],
)
def test_conservation(rejects: str, title: str, lead_time: Any, extra: str) -> None:
    model = build(
        defect_rate=0.2,
        rejects=rejects,
        horizon=80,
        demand={"kind": "gamma", "mean": 9, "cv": 0.6},
        policy="{kind: jit, safety_days: 1}",
        lead_time=lead_time,
        supplier_extra=f"title_transfer: {title}\n    {extra}",
    )
    result = jitsim.simulate(model, "base", 1, trace=True, trajectories=True)
    k = result.kpis
    received = sum(q for _t, e, q, _n in rows(result, "receipt"))
    rejected = sum(q for _t, e, q, _n in rows(result, "rejected"))
    lost = rejected if rejects == "lose" else 0.0
    ordered = sum(q for _t, e, q, _n in rows(result, "order"))
    late = sum(q for _t, e, q, _n in rows(result, "backorder filled"))
    shipped = k["demand_units"] - k["backordered_units"] - k["lost_sales_units"] + late
    _day, on_hand, _bo, on_order, cash = result.trajectories["store"][-1]
    assert rejected == pytest.approx(k["store.units_rejected"]) and rejected > 0
    # initial + accepted = final + shipped
    assert 20 + received == pytest.approx(on_hand + shipped)
    # the pipeline: replaced rejects stay on order, lost ones leave it
    assert on_order == pytest.approx(ordered - received - lost)
    assert k["store.units_inspected"] >= received + rejected - 1e-9
    assert k["store.inspection_cost"] == pytest.approx(0.5 * k["store.units_inspected"])
    assert k["store.purchase_cost"] == pytest.approx(3 * (ordered - lost))
    for row in result.trajectories["store"]:
        assert row[1] >= -1e-9 and row[3] >= -1e-9 and row[4] >= -1e-9
    if title == "shipment" and "capacity" not in extra:
        # everything on order has shipped and is ours in transit; rejects are not ours
        assert cash == pytest.approx(4 * (on_hand + on_order))
    elif title == "receipt":
        assert cash == pytest.approx(4 * on_hand)


def test_inspection_cost_without_defects() -> None:
    k = jitsim.simulate(build(defect_rate=0, cost=0.25, horizon=30), "base", 0).kpis
    assert k["store.units_rejected"] == 0
    assert k["store.units_inspected"] > 0
    assert k["quality_cost"] == pytest.approx(0.25 * k["store.units_inspected"])


def test_no_inspection_by_default() -> None:
    k = jitsim.simulate(build(defect_rate=0, cost=0, horizon=30), "base", 0).kpis
    assert k["store.units_inspected"] == 0 and k["quality_cost"] == 0


# ------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("defect_rate", "1", "less than 1"),
        ("defect_rate", "-0.1", "greater than or equal to 0"),
        ("rejects", "return", "allowed: 'replace', 'lose'"),
        ("inspection_cost_per_unit", "-2", "greater than or equal to 0"),
    ],
)
def test_bad_quality_fields(field: str, value: str, fragment: str) -> None:
    text = f"""name: q
items:
  w: {{unit_cost: 1}}
suppliers:
  acme:
    items: [w]
    lead_time: 1
    {field}: {value}
stock_points:
  store: {{item: w, source: acme, policy: {{kind: base_stock, S: 5}}}}
customers:
  c: {{buys_from: store, demand: 1}}
"""
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario_text(text, "q.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == ("q.yaml", 8, f"suppliers.acme.{field}")
    assert fragment in problem.message
