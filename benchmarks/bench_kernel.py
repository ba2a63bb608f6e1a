"""The fast engine's day loop, numpy against compiled (numba), per block of replications.

Times ``Engine.run`` alone (the streams drawn beforehand, the records not made) on blocks of
``--block`` replications of the reference case, alternately with the numpy day loop and the
compiled one (jitsim.fast.kernel), best and median of ``--repeat``, in CPU seconds (the
machine is shared). Then, each in a new process: the compile time (numba's cache emptied
first) and the time to load the compiled loop from the cache. Checks the two loops give the
same records. Not part of the test run.

    python benchmarks/bench_kernel.py [--block 4096] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
REFERENCE = HERE / "reference_case.yaml"

#: Run in a new process: import the kernel, then one block of 64 replications through it.
FIRST_RUN = f"""
import time
started = time.perf_counter()
import jitsim.fast.kernel
imported = time.perf_counter()
import jitsim
from jitsim.fast import run_replications
resolved = jitsim.resolve(jitsim.load_scenario({str(REFERENCE)!r}), "base")
run_replications(resolved, 1, range(64), kernel=False)
before = time.perf_counter()
run_replications(resolved, 1, range(64), kernel=True)
print(imported - started, time.perf_counter() - before)
"""


def first_run() -> tuple[float, float]:
    """Seconds to import numba and the kernel module, and the first kernel run's extra time
    (compile or cache load), in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_RUN], capture_output=True, text=True, check=True
    )
    imported, first = done.stdout.split()
    return float(imported), float(first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--block", type=int, default=4096, help="replications per block")
    parser.add_argument("--repeat", type=int, default=5, help="timed blocks of each loop")
    args = parser.parse_args()

    import jitsim
    import jitsim.fast.kernel_loop as kernel_loop
    from jitsim.fast import _policies
    from jitsim.fast.engine import Engine
    from jitsim.fast.records import records

    cache = Path(kernel_loop.__file__).parent / "__pycache__"
    for stale in cache.glob("kernel_loop.*.nb[ic]"):
        stale.unlink()
    imported, compiled = first_run()
    _, loaded = first_run()

    scenario = jitsim.load_scenario(REFERENCE)
    resolved = jitsim.resolve(scenario, "base")
    horizon = resolved.run.horizon_days
    policies, holding = _policies(resolved, 1)
    seconds: dict[bool, list[float]] = {True: [], False: []}
    n = args.block
    for repeat in range(args.repeat):
        outputs = []
        for use_kernel in (True, False):
            block = range(repeat * n, (repeat + 1) * n)
            engine = Engine(resolved, 1, block, policies)
            for lead_times in engine.lead_times.values():  # the draws out of the timing
                lead_times.ensure(3 * 64 - 1)
            started = time.process_time()
            engine.run(use_kernel)
            seconds[use_kernel].append(time.process_time() - started)
            outputs.append(records(engine, holding))
        assert repr(outputs[0]) == repr(outputs[1]), "the two day loops differ"
    print(f"reference case, {horizon} days, blocks of {n} replications, CPU seconds of Engine.run")
    print(f"{'day loop':10} {'best':>8} {'median':>8} {'M replication-days/s (best)':>28}")
    for use_kernel, label in ((False, "numpy"), (True, "compiled")):
        values = seconds[use_kernel]
        best = min(values)
        print(
            f"{label:10} {best:8.3f} {statistics.median(values):8.3f} "
            f"{n * horizon / best / 1e6:28.1f}"
        )
    print(f"import numba and the kernel module: {imported:.2f} s (new process)")
    print(f"first compiled run, empty cache (compile): {compiled:.2f} s")
    print(f"first compiled run, cached: {loaded:.2f} s (64 replications included)")


if __name__ == "__main__":
    main()
