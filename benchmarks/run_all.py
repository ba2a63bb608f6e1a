"""All the throughput benchmarks of issue #13 in one command, printed as Markdown tables.

For the reference case (``reference_case.yaml``), a factory (``scenarios/assembly_plant.yaml``)
and a disruption scenario (``scenarios/jit_single_source_failure.yaml``): replication-days per
second of jitsim's SimPy engine on one core (``backend="serial"``) and on the process pool
(2 workers, pool start-up included), of the fast engine on 1 and 2 cores when this jitsim has
one (``engine="fast"`` accepted by :func:`jitsim.run`; "—" otherwise, "out of scope" when it
refuses the scenario), and on the reference case only: the lean hand-written SimPy model
(``lean_simpy.py``), SupplyNetPy and stockpyl (``peers/``, run in the separate benchmark venv
given by ``--peers-python``; skipped with a note if it is missing).

Every measurement is repeated ``--repeat`` times (≥ 3), round-robin over all of them, so that
a burst of load from elsewhere hits them alike; the table gives the median, min and max, and
the ratio of the medians to jitsim's SimPy engine on one core. Then the scaling table and
figure (``scaling.py``) unless ``--no-scaling``. The machine is described first.

    python benchmarks/run_all.py [--repeat 3] [--scale 1.0] [--markdown benchmarks/RESULTS.md]

A replication-day is one simulated day of one replication of one alternative (a scenario with
three alternatives simulates three replication-days per replication and day).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import jitsim

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # benchmarks is not a package

import lean_simpy  # noqa: E402
import scaling  # noqa: E402

PEERS_PYTHON = "/work/benchvenv/bin/python"
#: Replications of the fast engine's timed runs, per replication of the SimPy engine's: with
#: numba (compiled streams and day loop) on one core, and on numpy alone.
FAST_FACTOR = 200
FAST_NUMPY_FACTOR = 20
NOT_AVAILABLE = "—"


@dataclass
class Case:
    """One scenario of the table and the replications each timed run simulates."""

    label: str
    path: Path
    replications: int
    scenario: jitsim.Scenario = field(init=False)

    def __post_init__(self) -> None:
        self.scenario = jitsim.load_scenario(self.path)

    @property
    def days(self) -> int:
        """Replication-days of one timed run (all alternatives)."""
        alternatives = len(self.scenario.alternative_names())
        return self.replications * self.scenario.run.horizon_days * alternatives


@dataclass
class Measurement:
    """A row of the table: how to time it once, and the rates measured so far."""

    case: str
    engine: str
    run: Callable[[], tuple[float, float]] | None  # replication-days/s, wall and CPU
    note: str = ""
    rates: list[float] = field(default_factory=list)
    cpu_rates: list[float] = field(default_factory=list)


def machine() -> list[tuple[str, str]]:
    """What this machine is: CPU, cores, load, Python and the packages that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        ("date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("load average (1, 5, 15 min) at start", load),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("jitsim", jitsim.__version__),
        ("numpy", version("numpy")),
        ("simpy", version("simpy")),
    ]


def timed(
    days: int, work: Callable[[], object], cpu: bool = True
) -> Callable[[], tuple[float, float]]:
    """A timed run of ``work`` that returns replication-days per second of wall time and per
    CPU second of this process (NaN with ``cpu=False``: the work is done by other processes)."""

    def run() -> tuple[float, float]:
        started, cpu_started = time.perf_counter(), time.process_time()
        work()
        wall, used = time.perf_counter() - started, time.process_time() - cpu_started
        return days / wall, days / used if cpu else float("nan")

    return run


def fast_engine_status(scenario: jitsim.Scenario, compiled: str = "1") -> str | None:
    """None if ``engine="fast"`` runs this scenario with ``JITSIM_COMPILED=compiled`` (``0``:
    numpy alone, which runs neither disruptions nor lead times off the whole days), else
    what the table shows instead."""
    os.environ["JITSIM_COMPILED"] = compiled  # "1" also loads numba here, before the timing
    try:
        jitsim.run(scenario, replications=2, backend="serial", engine="fast")
    except TypeError:
        return NOT_AVAILABLE  # this jitsim has no fast engine
    except Exception as error:
        # "--engine fast cannot run alternative 'x': REASON (use --engine auto or simpy)"
        reason = str(error).splitlines()[0].split(" (use ")[0] if str(error) else ""
        return f"out of scope ({reason.split(': ', 1)[-1]})" if reason else "out of scope"
    finally:
        os.environ.pop("JITSIM_COMPILED")
    return None


def jitsim_rows(case: Case, workers: int) -> list[Measurement]:
    """SimPy engine serial and pooled; fast engine on 1 and ``workers`` cores if available."""
    scenario, n = case.scenario, case.replications
    jitsim.run(scenario, replications=2, backend="serial")  # warm imports and caches
    rows = [
        Measurement(
            case.label,
            "jitsim SimPy engine, 1 core",
            timed(case.days, lambda: jitsim.run(scenario, replications=n, backend="serial")),
        ),
        Measurement(
            case.label,
            f"jitsim SimPy engine, process pool ({workers} workers, start-up included)",
            timed(
                case.days,
                lambda: jitsim.run(scenario, replications=n, backend="processes", workers=workers),
                cpu=False,
            ),
        ),
    ]
    statuses = {compiled: fast_engine_status(scenario, compiled or "1") for compiled in ("0", "")}
    for label, backend, count, compiled, factor in (
        ("numpy only, 1 core", "serial", 1, "0", FAST_NUMPY_FACTOR),
        ("1 core", "serial", 1, "", FAST_FACTOR),
        (f"{workers} cores", "processes", workers, "", FAST_FACTOR * workers),
    ):
        name = f"jitsim fast engine, {label}"
        status = statuses[compiled]
        if status is not None:
            rows.append(Measurement(case.label, name, None, status))
            continue
        fast_n = n * factor  # the fast engine needs more replications to be timed at all

        def work(
            backend: str = backend,
            count: int = count,
            fast_n: int = fast_n,
            compiled: str = compiled,
        ) -> object:
            # JITSIM_COMPILED=0: numpy's generators and the numpy day loop, without numba
            os.environ["JITSIM_COMPILED"] = compiled
            try:
                return jitsim.run(
                    scenario,
                    replications=fast_n,
                    backend=backend,
                    workers=count,
                    engine="fast",
                    chunk_size=-(-fast_n // count),  # one chunk per worker
                )
            finally:
                os.environ.pop("JITSIM_COMPILED")

        rows.append(Measurement(case.label, name, timed(case.days * factor, work, count == 1)))
    return rows


def peer_row(label: str, script: str, replications: int, python: str) -> Measurement:
    """A peer library's model of the reference case, timed in the benchmark venv."""
    path = HERE / "peers" / script
    if not Path(python).exists():
        return Measurement("reference case", label, None, f"{NOT_AVAILABLE} (no {python})")
    days = replications * 365

    def run() -> tuple[float, float]:
        done = subprocess.run(
            [python, str(path), str(replications), "1"],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        row.note = f"{result['version']}; fill rate {result['fill_rate']:.3f}"
        # timed inside the script: no interpreter start-up
        return days / float(result["seconds"]), days / float(result["cpu_seconds"])

    row = Measurement("reference case", label, run)
    return row


def lean_row(replications: int) -> Measurement:
    """The lean hand-written SimPy model of the reference case."""
    case = lean_simpy.Case()
    lean_simpy.run(case, 5)

    def work() -> object:
        results = lean_simpy.run(case, replications)
        row.note = f"fill rate {sum(r.fill_rate for r in results) / replications:.3f}"
        return results

    row = Measurement(
        "reference case", "lean hand-written SimPy model", timed(replications * 365, work)
    )
    return row


def fmt(rate: float) -> str:
    """A rate with thousands separators."""
    return f"{rate:,.0f}"


def table(rows: list[Measurement], repeat: int) -> str:
    """The Markdown table of all rows, ratios against each case's SimPy engine on 1 core.

    Wall-clock rates are what a user sees; rates per CPU second of the process doing the work
    are much less disturbed by other load on the machine (not defined for a process pool)."""
    serial = {r.case: r for r in rows if r.engine == "jitsim SimPy engine, 1 core" and r.rates}
    lines = [
        f"| scenario | engine / model | replication-days/s (wall), median of {repeat} | min | max "
        "| × jitsim SimPy 1 core (wall) | per CPU-second, median | × jitsim (CPU) | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if not r.rates:
            lines.append(f"| {r.case} | {r.engine} | {r.note or NOT_AVAILABLE} | | | | | | |")
            continue
        median = statistics.median(r.rates)
        cpu = statistics.median(r.cpu_rates)
        base = serial.get(r.case)
        ratio = f"{median / statistics.median(base.rates):.2f}×" if base else ""
        cpu_ratio = ""
        if base and not math.isnan(cpu):
            cpu_ratio = f"{cpu / statistics.median(base.cpu_rates):.2f}×"
        lines.append(
            f"| {r.case} | {r.engine} | {fmt(median)} | {fmt(min(r.rates))} "
            f"| {fmt(max(r.rates))} | {ratio} | {'—' if math.isnan(cpu) else fmt(cpu)} "
            f"| {cpu_ratio} | {r.note} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (≥ 3)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies replications")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peers-python", default=PEERS_PYTHON, help="the benchmark venv")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling table")
    parser.add_argument("--figure", default=str(HERE / "scaling.png"))
    parser.add_argument("--markdown", help="also write everything to this Markdown file")
    args = parser.parse_args()
    repeat = max(args.repeat, 3)

    def scaled(n: int) -> int:
        return max(2, round(n * args.scale))

    out: list[str] = ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in machine()]
    print("\n".join(out), flush=True)

    cases = [
        Case("reference case", HERE / "reference_case.yaml", scaled(500)),
        Case("factory (assembly_plant)", ROOT / "scenarios" / "assembly_plant.yaml", scaled(60)),
        Case(
            "disruption (jit_single_source_failure)",
            ROOT / "scenarios" / "jit_single_source_failure.yaml",
            scaled(60),
        ),
    ]
    rows: list[Measurement] = []
    for case in cases:
        rows += jitsim_rows(case, args.workers)
        if case.label == "reference case":
            rows.append(lean_row(case.replications))
            rows.append(
                peer_row("SupplyNetPy", "supplynetpy_case.py", scaled(60), args.peers_python)
            )
            rows.append(peer_row("stockpyl", "stockpyl_case.py", scaled(12), args.peers_python))
    for round_ in range(repeat):  # round-robin: load from elsewhere hits every row alike
        for row in rows:
            if row.run is not None:
                wall, cpu = row.run()
                row.rates.append(wall)
                row.cpu_rates.append(cpu)
        print(f"round {round_ + 1}/{repeat} done", file=sys.stderr, flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    replications = ", ".join(f"{c.label} {c.replications}" for c in cases)
    section = [
        "",
        "## Throughput",
        "",
        f"Replications per timed run: {replications} (× alternatives); SupplyNetPy "
        f"{scaled(60)}, stockpyl {scaled(12)}; the fast engine {FAST_NUMPY_FACTOR}× as "
        f"many on numpy alone, {FAST_FACTOR}× with numba (per core, one chunk per core). "
        f"Load average at the end: {load}.",
        "",
        table(rows, repeat),
    ]
    print("\n".join(section), flush=True)
    out += section
    if not args.no_scaling:
        scale_section = scaling.run(Path(args.figure), args.scale)
        print(scale_section, flush=True)
        out += ["", scale_section]
    if args.markdown:
        Path(args.markdown).write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
