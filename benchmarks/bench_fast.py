"""The fast engine against the SimPy engine on the reference case, in the same run.

Runs the reference case (one store, Poisson(8)/day, daily (s,S)=(20,60), lead time uniform on
{2,3,4} days, 365 days) through ``jitsim.run`` on one core (``backend="serial"``) with
``engine="simpy"`` and ``engine="fast"``, alternately ``--repeat`` times each so that machine
noise affects both alike, and the fast engine again on a pool of ``--workers`` processes
(one chunk each). The fast engine runs its compiled day loop where numba is installed
(jitsim[fast]); one more row runs it with its numpy day loop (JITSIM_FAST_KERNEL=0). Prints
replication-days per second of each (median, min and max of the
repeats), their ratios to the SimPy engine's median, and checks that both engines gave the
same table. Not part of the test run.

    python benchmarks/bench_fast.py [--replications 1000] [--fast-replications 20000]
                                    [--repeat 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd

import jitsim

HERE = Path(__file__).parent


def timed(
    scenario: jitsim.Scenario, n: int, engine: str, workers: int = 1, kernel: bool = True
) -> tuple[float, pd.DataFrame]:
    """Seconds to run ``n`` replications on ``engine`` (serially, or on a pool of ``workers``
    processes with one chunk per worker; the fast engine with its compiled day loop or, with
    ``kernel`` False, its numpy one), and the records."""
    if kernel:
        os.environ.pop("JITSIM_FAST_KERNEL", None)
    else:
        os.environ["JITSIM_FAST_KERNEL"] = "0"
    started = time.perf_counter()
    if workers == 1:
        result = jitsim.run(scenario, n, backend="serial", engine=engine, chunk_size=n)
    else:
        chunk = -(-n // workers)
        result = jitsim.run(
            scenario, n, backend="processes", workers=workers, engine=engine, chunk_size=chunk
        )
    return time.perf_counter() - started, result.frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=1000, help="SimPy engine")
    parser.add_argument("--fast-replications", type=int, default=20000, help="fast engine")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each")
    parser.add_argument("--workers", type=int, default=2, help="processes of the pool row")
    args = parser.parse_args()
    scenario = jitsim.load_scenario(HERE / "reference_case.yaml")
    horizon = scenario.run.horizon_days
    _, simpy_check = timed(scenario, 50, "simpy")  # warm imports and caches
    _, fast_check = timed(scenario, 50, "fast")
    pd.testing.assert_frame_equal(fast_check, simpy_check, check_exact=True)
    _, numpy_check = timed(scenario, 50, "fast", kernel=False)
    pd.testing.assert_frame_equal(numpy_check, simpy_check, check_exact=True)
    pool = f"fast, {args.workers} processes"
    rows = {  # label: (engine, replications, workers, compiled day loop)
        "simpy, serial": ("simpy", args.replications, 1, True),
        "fast numpy, serial": ("fast", args.fast_replications, 1, False),
        "fast, serial": ("fast", args.fast_replications, 1, True),
        pool: ("fast", args.fast_replications, args.workers, True),
    }
    rates: dict[str, list[float]] = {label: [] for label in rows}
    for _ in range(args.repeat):
        for label, (engine, n, workers, kernel) in rows.items():
            seconds, _ = timed(scenario, n, engine, workers, kernel)
            rates[label].append(n * horizon / seconds)
    print(f"reference case, {horizon} days, {args.repeat} runs each; replication-days per second")
    print(f"{'engine':22} {'replications':>12} {'median':>12} {'min':>12} {'max':>12} {'ratio':>7}")
    simpy = statistics.median(rates["simpy, serial"])
    for label, values in rates.items():
        median = statistics.median(values)
        print(
            f"{label:22} {rows[label][1]:>12} {median:>12,.0f} {min(values):>12,.0f} "
            f"{max(values):>12,.0f} {median / simpy:>6.1f}x"
        )
    print(
        "ratio: median / the SimPy engine's serial median; 50 replications checked identical "
        "(both day loops of the fast engine)"
    )


if __name__ == "__main__":
    main()
