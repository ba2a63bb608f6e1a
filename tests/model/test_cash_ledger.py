"""The cash ledger (:mod:`jitsim.model.ledger`) against values known without it.

* With deterministic demand, lead time and terms, DSO and DPO equal the terms, DIO is the
  average stock worked out by hand, and ``cash_to_cash_days = dio + dso − dpo``.
* The ledger balances to the penny in every replication: the change of the balance over the
  window is what customers paid minus what was paid minus interest, where what customers paid
  is revenue (counted by the customers) minus the change in receivables, what suppliers were
  paid is the goods received (counted from the trace) minus the change in payables minus the
  discounts, and the other payments are the ordering, expediting and inspection costs counted
  by the stock points. Also under Hypothesis-generated scenarios.
* Interest on a known negative balance, by hand.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from conftest import run_model
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY_SETTINGS, one_store

import jitsim
from jitsim.model.kpis import extract
from jitsim.model.ledger import CASH_NODE
from jitsim.model.network import Network

PENNY = 1e-6

CASH_KPIS = (
    "start_cash_balance",
    "min_cash_balance",
    "end_cash_balance",
    "financing_cost",
    "cash_from_customers",
    "cash_paid_to_suppliers",
    "cash_paid_for_costs",
    "cash_from_salvage",
    "early_payment_discounts",
    "avg_receivables",
    "avg_payables",
    "peak_working_capital",
    "dio",
    "dso",
    "dpo",
    "cash_to_cash_days",
)


def load(data: dict[str, Any]) -> jitsim.Scenario:
    return jitsim.load_scenario_text(json.dumps(data, indent=1))


def steady(
    supplier_terms: dict[str, Any] | None = None,
    customer_terms: dict[str, Any] | None = None,
    finance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """4 units a day at noon, lead time 3 days, base stock S = 20 reviewed daily: every
    morning 4 units arrive and 4 are ordered. Unit cost 10, price 15."""
    data: dict[str, Any] = {
        "name": "steady",
        "run": {"horizon_days": 200, "warmup_days": 60, "replications": 3},
        "items": {"w": {"unit_cost": 10, "price": 15, "holding_rate": 0.2}},
        "suppliers": {"acme": {"items": ["w"], "lead_time": 3, "order_cost": 5}},
        "stock_points": {
            "store": {
                "item": "w",
                "source": "acme",
                "initial": 8,
                "policy": {"kind": "base_stock", "S": 20},
            }
        },
        "customers": {"c": {"buys_from": "store", "demand": 4}},
    }
    if supplier_terms is not None:
        data["suppliers"]["acme"]["payment_terms"] = supplier_terms
    if customer_terms is not None:
        data["customers"]["c"]["payment_terms"] = customer_terms
    if finance is not None:
        data["finance"] = finance
    return data


def kpis(data: dict[str, Any], replication: int = 0) -> dict[str, float]:
    return jitsim.simulate(load(data), "base", replication).kpis


# -- deterministic: the SCOR days equal the terms ------------------------------------------


def test_dso_and_dpo_equal_the_terms_and_dio_is_the_stock_by_hand() -> None:
    k = kpis(steady({"days": 20}, {"days": 10}))
    # On hand: 8 after the morning receipt, 4 after the noon sale: 6 units on average, worth
    # 60; goods sold cost 4 × 10 = 40 a day, so DIO = 60 / 40 = 1.5 days.
    assert k["avg_cash_tied_up"] == pytest.approx(60.0, abs=PENNY)
    assert k["dio"] == pytest.approx(1.5, abs=PENNY)
    assert k["dso"] == pytest.approx(10.0, abs=PENNY)
    assert k["dpo"] == pytest.approx(20.0, abs=PENNY)
    assert k["cash_to_cash_days"] == pytest.approx(1.5 + 10.0 - 20.0, abs=PENNY)
    assert k["cash_to_cash_days"] == pytest.approx(k["dio"] + k["dso"] - k["dpo"], abs=1e-12)
    # Receivables: 10 days of sales at 60 a day; payables: 20 days of purchases at 40 a day.
    assert k["avg_receivables"] == pytest.approx(600.0, abs=PENNY)
    assert k["avg_payables"] == pytest.approx(800.0, abs=PENNY)
    # Working capital at every snapshot: stock 4 × 10 + 12 in transit (not ours) + 600 − 800.
    assert k["peak_working_capital"] == pytest.approx(40.0 + 600.0 - 800.0, abs=PENNY)
    # In steady state cash comes in at 60 a day and goes out at 40 + 5 a day.
    window = k["window_days"]
    assert k["cash_from_customers"] == pytest.approx(60.0 * window, abs=PENNY)
    assert k["cash_paid_to_suppliers"] == pytest.approx(40.0 * window, abs=PENNY)
    assert k["cash_paid_for_costs"] == pytest.approx(5.0 * window, abs=PENNY)
    assert k["end_cash_balance"] - k["start_cash_balance"] == pytest.approx(15.0 * window)
    assert k["financing_cost"] == 0.0  # the balance never goes below 0


def test_an_early_discount_is_taken_and_dpo_is_the_early_days() -> None:
    k = kpis(steady({"days": 60, "early_discount": 0.02, "early_days": 10}, {"days": 30}))
    window = k["window_days"]
    assert k["dpo"] == pytest.approx(10.0, abs=PENNY)
    assert k["dso"] == pytest.approx(30.0, abs=PENNY)
    assert k["early_payment_discounts"] == pytest.approx(0.02 * 40.0 * window, abs=PENNY)
    assert k["cash_paid_to_suppliers"] == pytest.approx(0.98 * 40.0 * window, abs=PENNY)
    # the discount lowers what the purchases cost: profit counts it, financing is left out
    spent = k["purchase_cost"] + k["total_cost"] - k["early_payment_discounts"]
    assert k["profit"] == pytest.approx(k["revenue"] - spent, abs=PENNY)


def test_a_late_share_lengthens_dso_by_its_share_of_the_late_days() -> None:
    terms = {"days": 30, "late_share": 0.25, "late_days": 10}
    k = kpis(steady({"days": 0}, terms))
    assert k["dso"] == pytest.approx(30.0 + 0.25 * 10.0, abs=PENNY)
    assert k["dpo"] == pytest.approx(0.0, abs=PENNY)  # paid on receipt


def test_late_payments_are_drawn_from_their_own_stream() -> None:
    """A random late delay changes DSO by its mean and leaves every other KPI alone."""
    fixed = kpis(steady({"days": 5}, {"days": 30, "late_share": 0.5, "late_days": 8}))
    random = kpis(
        steady(
            {"days": 5},
            {"days": 30, "late_share": 0.5, "late_days": {"kind": "uniform", "low": 0, "high": 16}},
        )
    )
    for kpi, value in fixed.items():
        if kpi not in CASH_KPIS:
            assert random[kpi] == value or (math.isnan(value) and math.isnan(random[kpi])), kpi
    # 140 invoices of uniform(0, 16) extra days: the mean is 8 ± 16/√12/√140 = ±0.39.
    assert random["dso"] == pytest.approx(fixed["dso"], abs=0.5 * 4 * 0.39)


# -- interest by hand -------------------------------------------------------------------------


def test_interest_on_a_known_negative_balance() -> None:
    """Nothing is bought or sold for money: the overdraft only grows by its interest,
    −1000 · (1 + r/365)^n after n snapshots."""
    data = steady(finance={"interest_rate_per_year": 0.365, "opening_cash": -1000})
    data["items"]["w"].update(unit_cost=0, price=0)
    data["suppliers"]["acme"]["order_cost"] = 0
    data["run"].update(horizon_days=30, warmup_days=10)
    k = kpis(data)
    daily = 0.365 / 365
    start = -1000 * (1 + daily) ** 10
    end = -1000 * (1 + daily) ** 30
    assert k["start_cash_balance"] == pytest.approx(start, abs=PENNY)
    assert k["end_cash_balance"] == pytest.approx(end, abs=PENNY)
    assert k["min_cash_balance"] == pytest.approx(end, abs=PENNY)
    assert k["financing_cost"] == pytest.approx(start - end, abs=PENNY)
    # the first day's interest by hand: 1000 × 0.001 = 1.00
    first = steady(finance={"interest_rate_per_year": 0.365, "opening_cash": -1000})
    first["items"]["w"].update(unit_cost=0, price=0)
    first["suppliers"]["acme"]["order_cost"] = 0
    first["run"].update(horizon_days=1, warmup_days=0)
    assert kpis(first)["financing_cost"] == pytest.approx(1.0, abs=1e-12)


def test_a_positive_balance_earns_nothing() -> None:
    data = steady(finance={"interest_rate_per_year": 0.5, "opening_cash": 1000})
    data["items"]["w"].update(unit_cost=0, price=0)
    data["suppliers"]["acme"]["order_cost"] = 0
    k = kpis(data)
    assert k["financing_cost"] == 0.0
    assert k["end_cash_balance"] == 1000.0


# -- conservation: the ledger balances to the penny ------------------------------------------


def rich() -> dict[str, Any]:
    """Random demand and lead times, backorders, defects (replaced and lost), dual sourcing,
    expediting, a late-paying customer, an early discount, a warm-up and an overdraft."""
    return {
        "name": "rich",
        "run": {"horizon_days": 150, "warmup_days": 30, "replications": 4},
        "items": {"w": {"unit_cost": 10, "price": 14}},
        "suppliers": {
            "acme": {
                "items": ["w"],
                "lead_time": {"kind": "gamma", "mean": 4, "cv": 0.5},
                "order_cost": 25,
                "defect_rate": 0.05,
                "inspection_cost_per_unit": 0.2,
                "payment_terms": {"days": 45, "early_discount": 0.02, "early_days": 9.5},
            },
            "fast": {
                "items": ["w"],
                "lead_time": 1,
                "defect_rate": 0.1,
                "rejects": "lose",
                "title_transfer": "shipment",
                "payment_terms": {"days": 7},
            },
        },
        "stock_points": {
            "store": {
                "item": "w",
                "source": "acme",
                "initial": 30,
                "policy": {"kind": "s_S", "s": 10, "S": 40},
                "backup": {"source": "fast", "split": "shares", "share": 0.3},
                "expedite": {
                    "level": 15,
                    "up_to": 20,
                    "lead_time": 1,
                    "premium_per_unit": 3,
                    "order_cost": 10,
                    "source": "fast",
                },
            }
        },
        "customers": {
            "shop": {
                "buys_from": "store",
                "demand": {"kind": "poisson", "mean": 6},
                "payment_terms": {
                    "days": 20,
                    "late_share": 0.3,
                    "late_days": {"kind": "gamma", "mean": 15, "cv": 1},
                },
            },
            "web": {"buys_from": "store", "orders": {"rate_per_day": 2, "size": 2}},
        },
        "finance": {"interest_rate_per_year": 0.12, "opening_cash": -2000},
    }


def check_conservation(network: Network, kpi: dict[str, float], window_start: float) -> None:
    """The ledger's identities, each side from counters kept apart from the ledger. Every
    supplier sells at the unit cost (10), so the goods received are worth 10 × the units the
    event log shows received."""
    ledger = network.ledger
    assert ledger is not None
    # 1. the balance moves only by what was received, paid and charged
    moved = kpi["end_cash_balance"] - kpi["start_cash_balance"]
    flows = (
        kpi["cash_from_customers"]
        - kpi["cash_paid_to_suppliers"]
        - kpi["cash_paid_for_costs"]
        - kpi["financing_cost"]
        + kpi["cash_from_salvage"]
    )
    assert moved == pytest.approx(flows, abs=PENNY)
    # 2. customers paid the revenue (counted by the customers) less what they owe more now
    owed = ledger.receivables - ledger.start_receivables
    assert kpi["cash_from_customers"] == pytest.approx(kpi["revenue"] - owed, abs=PENNY)
    # 3. the costs paid are the costs the stock points counted
    counted = kpi["ordering_cost"] + kpi["expedite_cost"] + kpi["store.inspection_cost"]
    counted += kpi.get("space_cost", 0.0) + kpi.get("overflow_cost", 0.0)  # with a capacity
    assert kpi["cash_paid_for_costs"] == pytest.approx(counted, abs=PENNY)
    # 4. suppliers were paid for the good units received (the event log), less what is owed
    #    more now and the discounts
    trace = network.trace
    assert trace is not None
    received = sum(
        quantity for when, _node, event, quantity, _level, _note in trace
        if event == "receipt" and when >= window_start
    )  # fmt: skip
    more_due = ledger.payables - ledger.start_payables
    paid = kpi["cash_paid_to_suppliers"] + kpi["early_payment_discounts"]
    assert paid == pytest.approx(10.0 * received - more_due, abs=PENNY)
    # the levels never go negative (beyond rounding); the lowest balance is the lowest
    assert ledger.receivables >= -PENNY and ledger.payables >= -PENNY
    assert kpi["min_cash_balance"] <= min(kpi["start_cash_balance"], kpi["end_cash_balance"])


@pytest.mark.parametrize("replication", range(4))
def test_the_ledger_balances_to_the_penny_in_every_replication(replication: int) -> None:
    data = rich()
    network = run_model(load(data), replication=replication)
    kpi = extract(network)
    assert kpi["financing_cost"] > 0 and kpi["early_payment_discounts"] > 0  # all exercised
    assert kpi["expedite_cost"] > 0 and kpi["store.units_rejected"] > 0
    assert kpi["store.units_from_backup"] > 0
    check_conservation(network, kpi, float(data["run"]["warmup_days"]))


def test_space_and_overflow_are_paid_at_the_snapshots() -> None:
    """A capacity's reserved space and overflow storage are paid day by day: the ledger still
    balances and pays exactly the space costs the stock point counts."""
    data = rich()
    data["stock_points"]["store"].update(
        capacity=12,
        overflow="external",
        space_cost_per_unit_day=0.05,
        overflow_cost_per_unit_day=0.3,
    )
    network = run_model(load(data), replication=1)
    kpi = extract(network)
    assert kpi["space_cost"] > 0 and kpi["overflow_cost"] > 0
    assert network.ledger is not None
    assert network.ledger.paid["space"] == pytest.approx(kpi["space_cost"], abs=PENNY)
    assert network.ledger.paid["overflow"] == pytest.approx(kpi["overflow_cost"], abs=PENNY)
    check_conservation(network, kpi, float(data["run"]["warmup_days"]))


@pytest.mark.parametrize(
    "item",
    [
        {"shelf_life": {"kind": "uniform", "low": 1.5, "high": 3}, "salvage_value": 2,
         "markdown": {"days_before_expiry": 3, "price_factor": 0.5}},
        {"end_of_life": {"at": 100}, "salvage_value": 3},
    ],
    ids=["perishable", "end_of_life"],
)  # fmt: skip
def test_markdowns_and_salvage_pass_through_the_ledger(item: dict[str, Any]) -> None:
    """Marked-down sales are invoiced at their reduced price and expired or written-off units
    bring their salvage value in: the ledger still balances to the penny."""
    data = rich()
    data["items"]["w"].update(item)
    network = run_model(load(data), replication=2)
    kpi = extract(network)
    assert kpi["cash_from_salvage"] > 0
    if "markdown" in item:
        assert kpi["units_marked_down"] > 0
    check_conservation(network, kpi, float(data["run"]["warmup_days"]))


def with_terms(draw: st.DrawFn) -> dict[str, Any]:
    """A random one-store scenario (tests/model/test_properties.py) with random terms."""
    data = draw(one_store())
    supplier: dict[str, Any] = {"days": draw(st.sampled_from([0, 1, 2.5, 7]))}
    if draw(st.booleans()):
        early = min(draw(st.sampled_from([0, 0.5, 1])), supplier["days"])
        supplier.update(early_discount=0.03, early_days=early)
    data["suppliers"]["acme"]["payment_terms"] = supplier
    customer: dict[str, Any] = {"days": draw(st.sampled_from([0, 0.5, 3, 10]))}
    if draw(st.booleans()):
        customer.update(
            late_share=draw(st.sampled_from([0.2, 1])),
            late_days=draw(st.sampled_from([2, {"kind": "uniform", "low": 0, "high": 4.5}])),
        )
    data["customers"]["c"]["payment_terms"] = customer
    data["finance"] = {
        "interest_rate_per_year": draw(st.sampled_from([0, 0.1, 1])),
        "opening_cash": draw(st.sampled_from([-500, 0, 300])),
    }
    return data


@PROPERTY_SETTINGS
@given(data=st.composite(with_terms)())
def test_the_ledger_balances_in_random_scenarios(data: dict[str, Any]) -> None:
    network = run_model(load(data), replication=0, seed=5)
    kpi = extract(network)
    check_conservation(network, kpi, 0.0)
    assert kpi["start_cash_balance"] == data["finance"]["opening_cash"]  # no warm-up


# -- the feature is off unless used ---------------------------------------------------------


def test_no_ledger_and_no_cash_columns_without_finance_or_terms() -> None:
    network = run_model(load(steady()))
    assert network.ledger is None and network.calendar.ledger is None
    record = extract(network)
    assert not set(CASH_KPIS) & set(record)


def test_finance_alone_turns_the_ledger_on_and_changes_no_other_kpi() -> None:
    plain = kpis(steady())
    cash = kpis(steady(finance={}))
    assert set(cash) - set(plain) == set(CASH_KPIS)
    for kpi, value in plain.items():
        assert cash[kpi] == value or (math.isnan(value) and math.isnan(cash[kpi])), kpi


def test_the_cash_balance_joins_the_trajectories_as_a_pseudo_node() -> None:
    data = steady({"days": 20}, {"days": 10})
    result = jitsim.simulate(load(data), "base", 0, trajectories=True)
    rows = result.trajectories[CASH_NODE]
    assert len(rows) == data["run"]["horizon_days"]
    assert [row[0] for row in rows] == list(range(len(rows)))
    assert all(row[1:4] == (0.0, 0.0, 0.0) for row in rows)
    assert rows[-1][4] == pytest.approx(result.kpis["end_cash_balance"], abs=1e-12)
    # the window opens with the snapshot of the last warm-up day (labelled warmup − 1)
    in_window = [row[4] for row in rows[data["run"]["warmup_days"] - 1 :]]
    assert min(in_window) == pytest.approx(result.kpis["min_cash_balance"], abs=1e-12)
