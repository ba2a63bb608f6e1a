"""What disruptions cost the simulator, and how long a stress test takes (issue #5).

1. Throughput on one core of the reference case as it is, and with disruptions added: a random
   supplier outage (exponential up/down times), a lead-time shock, a demand surge and a stock
   loss (named events) — replication-days per second of each, so the cost of the disruption
   hooks on the hot path is visible.
2. ``jitsim stress`` on the reference case with two alternatives (default durations 7, 14, 30,
   60 days: 1 + 1 × 5 = 6 scenario points), serial and on the process pool.

    python benchmarks/bench_disruptions.py [--replications 500]

Not part of the test run; results vary by a few per cent between runs on a shared VM.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jitsim
from jitsim.scenario.overrides import apply_overrides

HERE = Path(__file__).parent

DISRUPTIONS = {
    "disruptions.breakdowns": {
        "kind": "outage",
        "nodes": ["acme"],
        "up": {"kind": "exponential", "mean": 60},
        "down": {"kind": "exponential", "mean": 5},
    },
    "disruptions.strike": "lead-time-x2-30d:acme@100",
    "disruptions.promo": "demand-surge-50pct-28d:walk_in@200",
    "disruptions.fire": "stock-loss-50pct:store@300",
}


def throughput(scenario: jitsim.Scenario, replications: int) -> float:
    """Best of three: replication-days per second on one core."""
    jitsim.run(scenario, replications=5, backend="serial")  # warm imports and caches
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        jitsim.run(scenario, replications=replications, backend="serial")
        elapsed = time.perf_counter() - started
        best = max(best, replications * scenario.run.horizon_days / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=500)
    args = parser.parse_args()
    plain = jitsim.load_scenario(HERE / "reference_case.yaml")
    disrupted = apply_overrides(plain, None, DISRUPTIONS)

    base = throughput(plain, args.replications)
    hit = throughput(disrupted, args.replications)
    print(f"reference case               {base:>10,.0f} replication-days/s")
    print(f"  + 4 disruptions            {hit:>10,.0f} replication-days/s ({hit / base - 1:+.0%})")

    two = apply_overrides(
        plain,
        None,
        {"alternatives": {"lean": {}, "buffered": {"store": {"kind": "s_S", "s": 45, "S": 90}}}},
    )
    n = max(args.replications // 5, 10)
    for backend in ("serial", "processes"):
        started = time.perf_counter()
        result = jitsim.stress(two, replications=n, backend=backend)
        elapsed = time.perf_counter() - started
        simulated = len(result.variants) * len(result.alternatives) * n
        print(
            f"stress, {backend:<9}           {elapsed:6.2f} s for {simulated} replications "
            f"({len(result.variants)} points × 2 alternatives × {n})"
        )


if __name__ == "__main__":
    main()
