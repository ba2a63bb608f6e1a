"""A lean hand-written SimPy model of the benchmark reference case (issue #2).

The baseline that ``bench_core.py`` compares jitsim's throughput with: what a competent SimPy
user would write by hand for ``reference_case.yaml`` and nothing more. One store, Poisson
demand per day, a daily (s,S) review with inventory position = on hand − backorders + on order,
integer lead times uniform on {low … high} days, backorders, and the holding cost, ordering cost,
fill rate and number of orders of each replication.

Each day, in the same order as jitsim: receipts due today are put away (and serve backorders
first), the store reviews and orders S − IP if IP ≤ s, then at mid-day the day's demand is met
from stock or backordered. Each order is a SimPy process that waits out its lead time. Holding
cost is charged on on-hand stock over time (half a day before the demand, half a day after
it), like jitsim's default ``cost_basis: continuous``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy


@dataclass(frozen=True)
class Case:
    """Parameters of the reference case.

    Attributes
    ----------
    horizon_days : int
        Simulated days per replication.
    demand_mean : float
        Mean of the Poisson demand per day (units).
    s, S : int
        Reorder point and order-up-to level (units).
    lead_low, lead_high : int
        Lead time bounds, both included (days).
    initial : int
        On-hand stock at time 0 (units).
    order_cost : float
        Fixed cost per order (currency).
    unit_cost : float
        Unit cost (currency/unit).
    holding_rate : float
        Holding cost per year as a fraction of the unit cost (1/year).
    days_per_year : float
        Days in a year.
    """

    horizon_days: int = 365
    demand_mean: float = 8.0
    s: int = 20
    S: int = 60
    lead_low: int = 2
    lead_high: int = 4
    initial: int = 60
    order_cost: float = 50.0
    unit_cost: float = 10.0
    holding_rate: float = 0.2
    days_per_year: float = 365.0


@dataclass(frozen=True)
class Replication:
    """Results of one replication.

    Attributes
    ----------
    fill_rate : float
        Units filled from stock on arrival / units demanded.
    holding_cost, ordering_cost : float
        Costs over the horizon (currency).
    orders : int
        Replenishment orders placed.
    """

    fill_rate: float
    holding_cost: float
    ordering_cost: float
    orders: int


def store(
    env: simpy.Environment, case: Case, rng: np.random.Generator
) -> Generator[simpy.Event, Any, Replication]:
    """The daily clock of the store: receipts, review, demand; returns the replication's results.

    Each order is a SimPy process that waits out its lead time and puts the units away; the
    review happens at the start of the day and the day's demand at mid-day, as in jitsim.

    Parameters
    ----------
    env : simpy.Environment
        The environment the process runs in.
    case : Case
        Parameters.
    rng : numpy.random.Generator
        Random stream of this replication (demand and lead times are drawn up front).
    """
    horizon = case.horizon_days
    demand = rng.poisson(case.demand_mean, horizon).tolist()
    leads = rng.integers(case.lead_low, case.lead_high + 1, horizon).tolist()
    holding_per_unit_day = case.holding_rate * case.unit_cost / case.days_per_year
    state = {"on_hand": case.initial, "backorders": 0, "on_order": 0}

    def delivery(lead: int, quantity: int) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(lead)
        state["on_order"] -= quantity
        on_hand = state["on_hand"] + quantity
        served = min(state["backorders"], on_hand)
        state["backorders"] -= served
        state["on_hand"] = on_hand - served

    unit_days = 0.0
    demanded = filled = orders = 0
    for day in range(horizon):
        position = state["on_hand"] - state["backorders"] + state["on_order"]
        if position <= case.s:
            state["on_order"] += case.S - position
            env.process(delivery(leads[day], case.S - position))
            orders += 1
        yield env.timeout(0.5)
        before = state["on_hand"]
        wanted = demand[day]
        taken = min(wanted, before)
        state["on_hand"] = before - taken
        state["backorders"] += wanted - taken
        demanded += wanted
        filled += taken
        unit_days += 0.5 * (before + state["on_hand"])
        yield env.timeout(0.5)
    return Replication(
        fill_rate=filled / demanded if demanded else float("nan"),
        holding_cost=holding_per_unit_day * unit_days,
        ordering_cost=case.order_cost * orders,
        orders=orders,
    )


def run(case: Case, replications: int, seed: int = 1) -> list[Replication]:
    """Run independent replications, each in its own environment and random stream.

    Parameters
    ----------
    case : Case
        Parameters.
    replications : int
        Number of replications.
    seed : int
        Root seed; replication i uses the i-th child of ``numpy.random.SeedSequence(seed)``.

    Returns
    -------
    list of Replication
        One per replication, in order.
    """
    results = []
    for child in np.random.SeedSequence(seed).spawn(replications):
        env = simpy.Environment()
        process = env.process(store(env, case, np.random.default_rng(child)))
        env.run()
        results.append(process.value)
    return results
