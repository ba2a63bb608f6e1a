"""How the SimPy engine's time per replication grows: with the horizon, the number of stock
points and the number of replications (issue #13), as a Markdown table and a figure.

Every point is the median of 3 runs on one core (``backend="serial"``), timed in CPU seconds
of the process, of variants of the reference case (``reference_case.yaml``):

* horizon: 91, 182, 365, 730 and 1,460 days, 200 replications;
* stock points: 1, 2, 4, 8 and 16 independent stores, each with its own customer of Poisson(8)
  per day, all fed by the one supplier, 100 replications of 365 days;
* replications: 50, 150, 500 and 1,500 of 365 days (time per replication should stay flat).

Linear growth shows as a time per replication proportional to the horizon and to the stock
points, and flat against the replications. Memory against replications is measured by
``bench_memory.py`` (``RESULTS-memory.md``).

    python benchmarks/scaling.py [--figure benchmarks/scaling.png] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import jitsim
from jitsim.scenario import load_scenario_text

HERE = Path(__file__).resolve().parent

STORE = """
  store{i}:
    item: widget
    source: acme
    initial: 60
    review: {{every_days: 1}}
    policy: {{kind: s_S, s: 20, S: 60}}
"""
CUSTOMER = """
  walk_in{i}:
    buys_from: store{i}
    demand: {{kind: poisson, mean: 8}}
    backorder_cost_per_unit_day: 1.0
"""
HEAD = """
name: Reference case with {k} stores
run: {{horizon_days: {horizon}, warmup_days: 0, replications: 10, seed: 1}}
items:
  widget: {{unit_cost: 10.0, price: 15.0, holding_rate: 0.2}}
suppliers:
  acme:
    items: [widget]
    lead_time: {{kind: discrete_uniform, low: 2, high: 4}}
    order_cost: 50.0
"""


def variant(stores: int = 1, horizon: int = 365) -> jitsim.Scenario:
    """The reference case with ``stores`` independent stores and a horizon of ``horizon`` days."""
    text = (
        HEAD.format(k=stores, horizon=horizon)
        + "stock_points:"
        + "".join(STORE.format(i=i) for i in range(stores))
    )
    text += "customers:" + "".join(CUSTOMER.format(i=i) for i in range(stores))
    return load_scenario_text(text, f"<{stores} stores, {horizon} days>")


def seconds_per_replication(scenario: jitsim.Scenario, replications: int) -> float:
    """Median over 3 runs of the CPU time of one replication (s), one core.

    CPU time of this process, not wall time: on a machine shared with other work the wall
    time swings by a factor of two with their load, which would hide the shape of the curves.
    """
    jitsim.run(scenario, replications=2, backend="serial")
    times = []
    for _ in range(3):
        started = time.process_time()
        jitsim.run(scenario, replications=replications, backend="serial")
        times.append((time.process_time() - started) / replications)
    return statistics.median(times)


def linear_fit(xs: list[int], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept of ys against xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return slope, my - slope * mx


def run(figure: Path, scale: float = 1.0) -> str:
    """Measure the three series, draw the figure and return the Markdown section."""

    def n(count: int) -> int:
        return max(2, round(count * scale))

    horizons = [91, 182, 365, 730, 1460]
    stores = [1, 2, 4, 8, 16]
    counts = [50, 150, 500, 1500]
    by_horizon = [seconds_per_replication(variant(horizon=h), n(200)) for h in horizons]
    by_stores = [seconds_per_replication(variant(stores=k), n(100)) for k in stores]
    by_count = [seconds_per_replication(variant(), n(c)) for c in counts]

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    series = [
        (axes[0], horizons, by_horizon, "horizon (days)", f"{n(200)} replications, 1 store"),
        (axes[1], stores, by_stores, "stock points", f"{n(100)} replications of 365 days"),
        (axes[2], [n(c) for c in counts], by_count, "replications", "365 days, 1 store"),
    ]
    for ax, xs, ys, xlabel, title in series:
        ms = [y * 1e3 for y in ys]
        ax.plot(xs, ms, "o-", label="measured")
        if xlabel != "replications":  # least-squares line: a fixed cost plus a cost per unit
            slope, fixed = linear_fit(xs, ms)
            ax.plot(
                [0, xs[-1]],
                [fixed, fixed + slope * xs[-1]],
                ":",
                color="grey",
                label=f"{fixed:.2f} + {slope:.3g} × x",
            )
            ax.set_xlim(left=0)
        else:
            ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("CPU ms per replication")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
    fig.suptitle("jitsim SimPy engine, one core: CPU time per replication", fontsize=10)
    fig.tight_layout()
    fig.savefig(figure, dpi=110)
    plt.close(fig)

    lines = ["## Scaling (SimPy engine, one core, CPU time, median of 3)", ""]
    lines += [
        "| horizon (days) | CPU ms per replication | µs per replication-day |",
        "|---:|---:|---:|",
    ]
    lines += [
        f"| {h} | {s * 1e3:.2f} | {s / h * 1e6:.2f} |"
        for h, s in zip(horizons, by_horizon, strict=True)
    ]
    lines += [
        "",
        "| stock points | CPU ms per replication | ms per stock point |",
        "|---:|---:|---:|",
    ]
    lines += [
        f"| {k} | {s * 1e3:.2f} | {s / k * 1e3:.2f} |"
        for k, s in zip(stores, by_stores, strict=True)
    ]
    lines += ["", "| replications | CPU ms per replication |", "|---:|---:|"]
    lines += [f"| {n(c)} | {s * 1e3:.2f} |" for c, s in zip(counts, by_count, strict=True)]
    slope, fixed = linear_fit(horizons, [s * 1e3 for s in by_horizon])
    per_point, fixed_points = linear_fit(stores, [s * 1e3 for s in by_stores])
    lines += [
        "",
        f"Least-squares lines: {fixed:.2f} ms + {slope * 1e3:.2f} µs per day (horizon); "
        f"{fixed_points:.2f} ms + {per_point:.2f} ms per stock point. Figure: `{figure.name}`.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--figure", default=str(HERE / "scaling.png"))
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies replications")
    args = parser.parse_args()
    print(run(Path(args.figure), args.scale))


if __name__ == "__main__":
    main()
