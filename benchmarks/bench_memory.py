"""Peak memory of a long batch: 100,000 replications of the quickstart (issue #3).

Runs the quickstart scenario (3 alternatives, 395 days) for N replications per alternative
into a results directory (results are written as they go, as `jitsim run --out` does) and
prints the wall time and the peak resident memory of this process and its workers.

    python benchmarks/bench_memory.py [--replications 100000] [--backend processes]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import jitsim

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=100_000)
    parser.add_argument("--backend", default="processes")
    args = parser.parse_args()
    scenario = jitsim.load_scenario(ROOT / "scenarios" / "quickstart.yaml")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = jitsim.run(scenario, replications=args.replications, backend=args.backend, out=out)
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(out).iterdir()) / 2**20
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = len(result.replications())
    print(
        f"{args.replications} replications × {len(result.alternatives)} alternatives "
        f"= {rows} runs in {elapsed:.0f} s ({rows / elapsed:.0f} runs/s)"
    )
    print(f"peak RSS: main process {own:.0f} MiB, largest worker {children:.0f} MiB")
    print(f"results directory: {size:.0f} MiB")


if __name__ == "__main__":
    main()
