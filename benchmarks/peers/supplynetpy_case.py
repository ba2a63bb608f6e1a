"""The reference case in SupplyNetPy (``pip install supplynetpy``, module ``SupplyNetPy``).

Runs only in the benchmark venv (``benchmarks/README.md``); ``run_all.py`` calls it in a
subprocess. One infinite supplier, one store with SupplyNetPy's (s,S) policy reviewed every
day, a Link with the lead time uniform on {2,3,4} days and a cost of 50 per order, and one
demand of Poisson(8) units a day whose customers wait for what is missing (backorders).

Modelling choices (how it differs from jitsim, see benchmarks/README.md):

* Customers arrive at whole days 0…364 and the review at half days 0.5…364.5 (the policy's
  ``first_review_delay``), so a day's order of events is demand, then receipts and review: the
  same sequence as jitsim's receipts, review, demand, shifted by half a day.
* SupplyNetPy refuses an order of 0 units, so a day without demand has no customer: the
  arrival model returns the gap to the next day with demand (same units per day as jitsim).
  The first customer always arrives at time 0, so a replication whose day 0 draws 0 units
  draws day 0 again (about 1 replication in 3,000).
* Backorders: a customer who finds too few units takes what is there (``order_min_split_ratio``
  near 0) and waits with no limit (``tolerance = inf``) for the rest. SupplyNetPy wakes all
  waiting customers on every receipt, so the order in which backorders are served may differ
  from jitsim's strict FIFO; totals per day are the same.

    python supplynetpy_case.py REPLICATIONS SEED

prints JSON: seconds, cpu_seconds, fill_rate, version.
"""

from __future__ import annotations

import logging
import sys
from itertools import pairwise

import numpy as np
import simpy
import SupplyNetPy.Components as scm
from timing import time_and_report

HORIZON = 365
DEMAND_MEAN = 8.0
S_LOW, S_HIGH = 20, 60
LEAD_LOW, LEAD_HIGH = 2, 4
HOLDING_PER_UNIT_DAY = 0.2 * 10.0 / 365.0


def replication(rng: np.random.Generator) -> float:
    """Simulate one replication; returns its fill rate on arrival (sanity check only)."""
    daily = rng.poisson(DEMAND_MEAN, HORIZON)
    while daily[0] == 0:
        daily[0] = rng.poisson(DEMAND_MEAN)
    days = np.flatnonzero(daily).tolist()
    sizes = daily[days].tolist()
    gaps = [b - a for a, b in pairwise(days)] + [10 * HORIZON]
    gap_iter, size_iter = iter(gaps), iter(sizes)

    env = simpy.Environment()
    supplier = scm.Supplier(
        env=env, ID="acme", name="acme", node_type="infinite_supplier", logging=False
    )
    store = scm.InventoryNode(
        env=env,
        ID="store",
        name="store",
        node_type="store",
        capacity=10**9,
        initial_level=60,
        inventory_holding_cost=HOLDING_PER_UNIT_DAY,
        replenishment_policy=scm.SSReplenishment,
        policy_param={"s": S_LOW, "S": S_HIGH, "period": 1, "first_review_delay": 0.5},
        product_sell_price=15.0,
        product_buy_price=10.0,
        logging=False,
    )
    scm.Link(
        env=env,
        ID="acme-store",
        source=supplier,
        sink=store,
        cost=50.0,
        lead_time=lambda: int(rng.integers(LEAD_LOW, LEAD_HIGH + 1)),
    )
    scm.Demand(
        env=env,
        ID="walk_in",
        name="walk_in",
        order_arrival_model=lambda: next(gap_iter),
        order_quantity_model=lambda: next(size_iter),
        demand_node=store,
        tolerance=float("inf"),
        order_min_split_ratio=1e-9,
        logging=False,
    )
    env.run(until=HORIZON)
    demanded = float(daily.sum())
    short = float(store.stats.shortage[1]) if hasattr(store.stats, "shortage") else float("nan")
    return (demanded - short) / demanded if demanded else float("nan")


def main() -> None:
    replications, seed = int(sys.argv[1]), int(sys.argv[2])
    logging.disable(logging.CRITICAL)
    scm.global_logger.disable_logging()
    children = np.random.SeedSequence(seed).spawn(replications)
    time_and_report(
        lambda child: replication(np.random.default_rng(child)), children, "supplynetpy"
    )


if __name__ == "__main__":
    main()
