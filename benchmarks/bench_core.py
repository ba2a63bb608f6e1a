"""Core simulator throughput on the reference case (issue #2), against a lean SimPy model.

Runs the reference case (one store, Poisson(8)/day, daily (s,S)=(20,60), lead time uniform on
{2,3,4} days, 365 days) for N replications on one core, with jitsim (``backend="serial"``) and
with the lean hand-written SimPy model of ``lean_simpy.py``, alternately ``--repeat`` times each
so that machine noise affects both alike; the best time of each is kept. Prints simulated
replication-days per second of both, jitsim's as a ratio of the lean model's, peak memory and
the mean fill rate of both (sanity: close, not identical). Not part of the test run.

    python benchmarks/bench_core.py [--replications 1000] [--repeat 3] [--profile]
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
sys.path.insert(0, str(HERE))  # benchmarks is not a package

import lean_simpy  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; best is kept")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    args = parser.parse_args()
    n = args.replications
    scenario = jitsim.load_scenario(HERE / "reference_case.yaml")
    case = lean_simpy.Case()
    assert case.horizon_days == scenario.run.horizon_days
    jitsim.run(scenario, replications=5, backend="serial")  # warm imports and caches
    lean_simpy.run(case, 5)

    profiler = cProfile.Profile() if args.profile else None
    best_jitsim = best_lean = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        result = jitsim.run(scenario, replications=n, backend="serial")
        if profiler:
            profiler.disable()
        best_jitsim = min(best_jitsim, time.perf_counter() - started)
        started = time.perf_counter()
        lean = lean_simpy.run(case, n)
        best_lean = min(best_lean, time.perf_counter() - started)

    days = n * scenario.run.horizon_days
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sys.platform == "darwin":  # ru_maxrss is in bytes there
        peak_mib /= 1024
    fill = result.replications()["fill_rate"].mean()
    lean_fill = sum(r.fill_rate for r in lean) / n
    print(f"replications          {n}  (best of {args.repeat}, interleaved)")
    print(f"simulated days        {days}")
    print(f"wall time             {best_jitsim:.2f} s   lean SimPy {best_lean:.2f} s")
    print(f"replication-days/s    {days / best_jitsim:,.0f}   lean SimPy {days / best_lean:,.0f}")
    print(f"replications/s        {n / best_jitsim:,.1f}   lean SimPy {n / best_lean:,.1f}")
    print(f"peak memory (RSS)     {peak_mib:.0f} MiB")
    print(f"mean fill rate        {fill:.4f}   lean SimPy {lean_fill:.4f}  (sanity)")
    print(f"ratio jitsim / lean SimPy   {best_lean / best_jitsim:.2f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
