"""The SimPy engine of two commits against the lean SimPy model, in one run (issue #13).

Extracts ``jitsim/`` of each commit (``git archive``) into a temporary directory and runs, in
alternation, one subprocess per commit that times the reference case with that jitsim and with
the lean model (``lean_simpy.py``), 3 times each, interleaved. Prints, per commit, jitsim's and
the lean model's replication-days per second and their ratio, in CPU seconds (steady on a
shared machine) and wall seconds; the ratio is what to compare.

    python benchmarks/compare_commits.py BEFORE [AFTER] [--replications 400] [--rounds 3]

AFTER defaults to the working tree.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# One subprocess: the jitsim on its PYTHONPATH and the lean model, alternately.
CHILD = """
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
import jitsim, lean_simpy
scenario = jitsim.load_scenario(Path({case!r}))
case, n = lean_simpy.Case(), {replications}
jitsim.run(scenario, replications=5, backend="serial")
lean_simpy.run(case, 5)
times = {{"jitsim_cpu": [], "lean_cpu": [], "jitsim_wall": [], "lean_wall": []}}
for _ in range(3):
    for name, work in (("jitsim", lambda: jitsim.run(scenario, replications=n, backend="serial")),
                       ("lean", lambda: lean_simpy.run(case, n))):
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        times[name + "_cpu"].append(time.process_time() - cpu)
        times[name + "_wall"].append(time.perf_counter() - wall)
medians = {{k: statistics.median(v) for k, v in times.items()}}
print(json.dumps(medians | {{"file": jitsim.__file__}}))
"""


def extract(commit: str, into: Path) -> None:
    """``jitsim/`` of ``commit`` into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "jitsim"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before")
    parser.add_argument("after", nargs="?", help="default: the working tree")
    parser.add_argument("--replications", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    child = CHILD.format(
        benchmarks=str(HERE),
        case=str(HERE / "reference_case.yaml"),
        replications=args.replications,
    )
    with tempfile.TemporaryDirectory() as tmp:
        trees = {}
        for label, commit in (("before", args.before), ("after", args.after)):
            if commit is None:
                trees[f"{label} (working tree)"] = ROOT
                continue
            tree = Path(tmp) / label
            extract(commit, tree)
            trees[f"{label} ({commit})"] = tree
        results: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
        for _ in range(args.rounds):  # alternate, so that load from elsewhere hits both
            for label, tree in trees.items():
                env = dict(os.environ, PYTHONPATH=str(tree))
                # cwd: ``python -c`` puts the working directory first on sys.path, so run
                # from the checkout the tree in the checkout would shadow the extracted one.
                done = subprocess.run(
                    [sys.executable, "-c", child],
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=tmp,
                )
                if done.returncode:
                    sys.exit(done.stderr)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                assert str(result.pop("file")).startswith(str(tree))
                results[label].append(result)
    days = args.replications * 365
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load {os.getloadavg()[0]:.2f}")
    print("| jitsim | clock | jitsim rep-days/s | lean rep-days/s | jitsim / lean (min–max) |")
    print("|---|---|---:|---:|---:|")
    for label, runs in results.items():
        for clock in ("cpu", "wall"):
            ratios = [r[f"lean_{clock}"] / r[f"jitsim_{clock}"] for r in runs]
            jit = statistics.median(days / r[f"jitsim_{clock}"] for r in runs)
            lean = statistics.median(days / r[f"lean_{clock}"] for r in runs)
            print(
                f"| {label} | {clock} | {jit:,.0f} | {lean:,.0f} | "
                f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |"
            )


if __name__ == "__main__":
    main()
