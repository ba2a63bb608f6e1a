"""Peak memory of the main process of a long CLI batch, against the number of replications.

Runs ``jitsim run FILE -n N --out DIR`` for every N (default 10k, 30k, 100k of the reference
case, ``benchmarks/reference_case.yaml``; × its alternatives) in a fresh Python process each,
and prints the peak resident memory (``ru_maxrss``) of that main process — the process that
collects the chunks, writes the results directory and computes the summary — and of its largest
worker, with the wall time::

    python benchmarks/bench_memory.py [--replications 10000 30000 100000] [--chunk-size 1000]
        [--scenario benchmarks/reference_case.yaml] [--pythonpath DIR] [--stub]
        [--sweep PATH=V1,V2,...]
    python benchmarks/bench_memory.py --figure out.png --table LABEL=FILE ...

``--pythonpath`` runs another checkout of jitsim (e.g. an older commit extracted with
``git archive``) to measure a before/after; ``--stub`` replaces the simulation by a copy of
one real replication's KPIs (scaled per replication) so that the main process's own work —
collecting chunks, writing the results directory, the summary — can be measured at a million
replications in minutes; ``--sweep`` measures ``jitsim sweep FILE --set PATH=V1,V2,...``
instead of ``jitsim run`` (rows: points × alternatives × replications); ``--figure`` draws
peak RSS against replications from earlier printed tables given with ``--table LABEL=FILE``
(the lines this script prints). ``jitsim sweep`` has no ``--chunk-size``: it uses its default.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: With ``--stub``: every replication returns the KPIs of a real replication 0, scaled by a
#: factor that depends on the replication (so quantiles and tails are not degenerate), instead of
#: simulating — everything else (chunks, results directory, summary, CSV) runs as usual.
_STUB = """
import jitsim.execution.backends as backends
real = backends.simulate
templates = {}
def simulate(scenario, alternative, replication, seed=None, **options):
    key = (id(scenario), alternative)
    if key not in templates:
        templates[key] = real(scenario, alternative, 0, seed, **options)
    outcome = templates[key]
    factor = 1.0 + ((replication * 7919) % 1009) / 1009.0
    kpis = {k: v * factor if isinstance(v, float) else v for k, v in outcome.kpis.items()}
    return type(outcome)(alternative, replication, kpis, outcome.trajectories)
backends.simulate = simulate
"""

#: Runs the CLI in the measured process, then prints its peak RSS and its children's.
_MEASURE = """
import os, resource, sys, time
if os.environ.get("JITSIM_BENCH_STUB"):
    exec(os.environ["JITSIM_BENCH_STUB"])
from jitsim.cli import main
sys.argv = ["jitsim", *sys.argv[1:]]
started = time.perf_counter()
try:
    main()
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"MEASURED {own:.1f} {children:.1f} {time.perf_counter() - started:.1f}", file=sys.stderr)
"""

_ROW = re.compile(r"^\|\s*([\d,]+)\s*\|\s*(\d+)\s*\|\s*([\d,]+)\s*\|\s*([\d.]+)\s*\|")


def measure(
    scenario: Path,
    replications: int,
    chunk_size: int,
    pythonpath: Path,
    *,
    stub: bool = False,
    sweep: str | None = None,
) -> tuple[float, float, float]:
    """Peak RSS of the main process (MiB), of its largest worker (MiB), wall time (s)."""
    with tempfile.TemporaryDirectory() as out:
        how = ["sweep", str(scenario), "--set", sweep] if sweep else ["run", str(scenario)]
        command = [sys.executable, "-c", _MEASURE, *how, "-n", str(replications)]
        if not sweep:  # jitsim sweep has no --chunk-size
            command += ["--chunk-size", str(chunk_size)]
        command += ["--out", out, "--format", "csv"]
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
        if stub:  # in-process: the stub must be where the replications run
            command += ["--backend", "serial"]
            env["JITSIM_BENCH_STUB"] = _STUB
        # Run from the output directory: with ``-c`` the working directory comes first on
        # sys.path, and the worktree's own jitsim would shadow ``--pythonpath``.
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, cwd=out
        )
    lines = [line for line in done.stderr.splitlines() if line.startswith("MEASURED")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"jitsim {how[0]} failed:\n{done.stderr[-2000:]}")
    own, children, wall = (float(v) for v in lines[-1].split()[1:])
    return own, children, wall


def alternatives_of(scenario: Path, pythonpath: Path) -> int:
    """Alternatives of the scenario (rows per replication)."""
    code = "import sys, jitsim; print(len(jitsim.load_scenario(sys.argv[1]).alternative_names()))"
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(scenario)],
        cwd=Path(scenario).resolve().anchor,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def version(pythonpath: Path) -> str:
    """Where the measured jitsim is imported from, to check ``--pythonpath`` took effect."""
    code = "import jitsim; print(jitsim.__file__)"
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd="/"
    )
    return done.stdout.strip()


def figure(tables: list[str], path: Path) -> None:
    """Peak RSS of the main process against replications, one line per ``LABEL=FILE``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.4), dpi=120)
    for spec in tables:
        label, _, file = spec.partition("=")
        points = []
        for line in Path(file).read_text(encoding="utf-8").splitlines():
            match = _ROW.match(line)
            if match:
                points.append((int(match[1].replace(",", "")), float(match[4])))
        points.sort()
        simulated = "simpy" in label.lower()  # drawn dashed with squares, over the stubbed
        ax.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="s" if simulated else "o",
            linestyle="--" if simulated else "-",
            markersize=7 if simulated else 5,
            label=label,
        )
    ax.set_xscale("log")
    ax.set_xlabel("replications per alternative (log scale)")
    ax.set_ylabel("peak RSS of the main process (MiB)")
    ax.set_ylim(bottom=0)
    ax.set_title("jitsim run, reference case: main-process memory")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument(
        "--scenario", type=Path, default=ROOT / "benchmarks" / "reference_case.yaml"
    )
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--pythonpath", type=Path, default=ROOT)
    parser.add_argument(
        "--stub",
        action="store_true",
        help="replications return a real replication's KPIs, scaled, instead of simulating "
        "(serial): measures the main process's own work at 1M replications in minutes",
    )
    parser.add_argument(
        "--sweep",
        metavar="PATH=V1,V2,...",
        help="measure `jitsim sweep FILE --set PATH=V1,V2,...` instead of `jitsim run`",
    )
    parser.add_argument("--figure", type=Path)
    parser.add_argument("--table", action="append", default=[], help="LABEL=FILE for --figure")
    args = parser.parse_args()
    if args.figure:
        figure(args.table, args.figure)
        return
    args.scenario = args.scenario.resolve()  # the measured processes run elsewhere
    alternatives = alternatives_of(args.scenario, args.pythonpath)
    points = len(args.sweep.partition("=")[2].split(",")) if args.sweep else 1
    how = "stubbed replications, serial" if args.stub else "simulated"
    print(
        f"jitsim from {version(args.pythonpath)}; {args.scenario.name}; "
        f"chunk size {'default' if args.sweep else args.chunk_size}; {how}"
        + (f"; jitsim sweep --set {args.sweep} ({points} points)" if args.sweep else "")
    )
    print(
        "| replications | alternatives | rows | main peak RSS (MiB) | largest worker (MiB) "
        "| wall (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.replications:
        own, children, wall = measure(
            args.scenario, n, args.chunk_size, args.pythonpath, stub=args.stub, sweep=args.sweep
        )
        print(
            f"| {n:,} | {alternatives} | {n * alternatives * points:,} | {own:.0f} "
            f"| {children:.0f} | {wall:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
