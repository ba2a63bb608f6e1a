"""The fast engine against the SimPy engine on the reference case, in the same run.

Runs the reference case (one store, Poisson(8)/day, daily (s,S)=(20,60), lead time uniform on
{2,3,4} days, 365 days) through ``jitsim.run`` on one core (``backend="serial"``) with
``engine="simpy"`` and ``engine="fast"``, alternately ``--repeat`` times each so that machine
noise affects both alike. Prints replication-days per second of each (median, min and max of
the repeats), the ratio of the medians, and checks that both gave the same table. Not part of
the test run.

    python benchmarks/bench_fast.py [--replications 1000] [--fast-replications 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd

import jitsim

HERE = Path(__file__).parent


def timed(scenario: jitsim.Scenario, n: int, engine: str) -> tuple[float, pd.DataFrame]:
    """Seconds to run ``n`` replications on ``engine`` (serial), and the records."""
    started = time.perf_counter()
    result = jitsim.run(scenario, replications=n, backend="serial", engine=engine, chunk_size=n)
    return time.perf_counter() - started, result.frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=1000, help="SimPy engine")
    parser.add_argument("--fast-replications", type=int, default=20000, help="fast engine")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each")
    args = parser.parse_args()
    scenario = jitsim.load_scenario(HERE / "reference_case.yaml")
    horizon = scenario.run.horizon_days
    _, simpy_check = timed(scenario, 50, "simpy")  # warm imports and caches
    _, fast_check = timed(scenario, 50, "fast")
    pd.testing.assert_frame_equal(fast_check, simpy_check, check_exact=True)
    rates: dict[str, list[float]] = {"simpy": [], "fast": []}
    sizes = {"simpy": args.replications, "fast": args.fast_replications}
    for _ in range(args.repeat):
        for engine, n in sizes.items():
            seconds, _ = timed(scenario, n, engine)
            rates[engine].append(n * horizon / seconds)
    print(f"reference case, {horizon} days, one core (serial backend), {args.repeat} runs each")
    print(f"{'engine':8} {'replications':>12} {'median':>14} {'min':>14} {'max':>14}")
    for engine, values in rates.items():
        print(
            f"{engine:8} {sizes[engine]:>12} {statistics.median(values):>14,.0f} "
            f"{min(values):>14,.0f} {max(values):>14,.0f}   replication-days/s"
        )
    ratio = statistics.median(rates["fast"]) / statistics.median(rates["simpy"])
    print(f"fast / simpy = {ratio:.1f}x (medians); 50 replications checked identical")


if __name__ == "__main__":
    main()
