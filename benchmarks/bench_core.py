"""Core simulator throughput on the reference case (issue #2).

Runs the reference case (one store, Poisson(8)/day, daily (s,S)=(20,60), lead time uniform on
{2,3,4} days, 365 days) for N replications on one core and prints simulated replication-days
per second and peak memory. Not part of the test run.

    python benchmarks/bench_core.py [--replications 1000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import time
from pathlib import Path

import jitsim

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    args = parser.parse_args()
    scenario = jitsim.load_scenario(HERE / "reference_case.yaml")
    jitsim.run(scenario, replications=5, backend="serial")  # warm imports and caches

    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = jitsim.run(scenario, replications=args.replications, backend="serial")
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started

    days = args.replications * scenario.run.horizon_days
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sys.platform == "darwin":  # ru_maxrss is in bytes there
        peak_mib /= 1024
    fill = result.replications()["fill_rate"].mean()
    print(f"replications          {args.replications}")
    print(f"simulated days        {days}")
    print(f"wall time             {elapsed:.2f} s")
    print(f"replication-days/s    {days / elapsed:,.0f}")
    print(f"replications/s        {args.replications / elapsed:,.1f}")
    print(f"peak memory (RSS)     {peak_mib:.0f} MiB")
    print(f"mean fill rate        {fill:.4f}  (sanity)")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
