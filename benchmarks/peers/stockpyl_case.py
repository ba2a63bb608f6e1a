"""The reference case in stockpyl's simulator (``pip install stockpyl``, ``stockpyl.sim``).

Runs only in the benchmark venv (``benchmarks/README.md``); ``run_all.py`` calls it in a
subprocess. A single-stage network with Poisson(8) demand per period, an (s,S) = (20, 60)
policy reviewed every period, backorders, an initial stock of 60 and holding and stockout
costs per unit-period, stepped period by period with ``stockpyl.sim.step`` for 365 periods.

Modelling choices (how it differs from jitsim, see benchmarks/README.md):

* stockpyl's periods are whole days: receipts, then demand, then the order; the inventory
  position does not change with receipts, so ordering after day t's demand is jitsim's review
  at the start of day t + 1.
* stockpyl has a fixed ``shipment_lead_time`` per node. A stochastic lead time uniform on
  {2,3,4} is modelled by setting the node's lead time before each period's step to a fresh
  draw (stockpyl reads it when the order is placed; the pipeline is sized for the longest).
  An order placed after period t's demand with stockpyl lead time L is received at the start
  of period t + L, that is L − 1 days after jitsim's review at the start of day t + 1; so
  jitsim's lead time L is stockpyl's L + 1 (checked: the fill rates then agree, 0.80).
* Demand is drawn by stockpyl's own generator (numpy's global one, seeded per replication):
  another stream than jitsim's, the same distribution.

    python stockpyl_case.py REPLICATIONS SEED

prints JSON: seconds, cpu_seconds, fill_rate, version.
"""

from __future__ import annotations

import sys

import numpy as np
from stockpyl import sim
from stockpyl.supply_chain_network import single_stage_system
from timing import time_and_report

HORIZON = 365
LEAD_LOW, LEAD_HIGH = 2, 4


def replication(seed: int) -> float:
    """Simulate one replication; returns its fill rate (sanity check only)."""
    network = single_stage_system(
        holding_cost=0.2 * 10.0 / 365.0,
        stockout_cost=1.0,
        demand_type="P",
        mean=8,
        policy_type="sS",
        reorder_point=20,
        order_up_to_level=60,
        shipment_lead_time=LEAD_HIGH + 1,
        initial_inventory_level=60,
    )
    node = network.nodes[0]
    leads = np.random.default_rng(seed).integers(LEAD_LOW, LEAD_HIGH + 1, HORIZON).tolist()
    sim.initialize(network, HORIZON, rand_seed=seed)
    for lead in leads:
        node.shipment_lead_time = lead + 1  # see the notes
        sim.step(network, consistency_checks="N")
    sim.close(network)
    return float(node.state_vars[HORIZON - 1].fill_rate[node.product_indices[0]])


def main() -> None:
    replications, seed = int(sys.argv[1]), int(sys.argv[2])
    seeds = [seed * 1_000_003 + r for r in range(replications)]
    time_and_report(replication, seeds, "stockpyl")


if __name__ == "__main__":
    main()
