"""The sizes jitsim accepts, checked before anything is allocated, and the memory a batch needs.

Every limit is a constant here; the scenario reference lists them (:func:`limits_markdown`).
The scenario's own sizes (horizon, entities, daily demand, individual orders) are checked when
it is loaded, with FILE:LINE; the sizes of a batch (replications, sweep points, workers,
memory) are checked by the execution layer before it plans any chunk of work.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jitsim.distributions.base import MAX_PARAMETER
from jitsim.errors import JitsimError
from jitsim.scenario.base import Problems
from jitsim.scenario.grid import MAX_POINTS

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

__all__ = [
    "MAX_ENTITIES",
    "MAX_HORIZON_DAYS",
    "MAX_NODE_DAYS",
    "MAX_NUMBER",
    "MAX_ORDERS",
    "MAX_PARAMETER",
    "MAX_REPLICATIONS",
    "WORKERS_PER_CORE",
    "MemoryEstimate",
    "check_replications",
    "check_workers",
    "estimate_memory",
    "limits_markdown",
    "max_workers",
    "size_problems",
]

#: Longest horizon (days, warm-up included): about 274 years.
MAX_HORIZON_DAYS = 100_000
#: Most replications per alternative (``run.replications``, ``-n``, ``--max-replications``).
MAX_REPLICATIONS = 1_000_000
#: Most entries in each named section (items, suppliers, stock points, customers, plants,
#: alternatives, disruptions).
MAX_ENTITIES = 1_000
#: Most node-days of one replication: (suppliers + stock points + customers + plants) ×
#: horizon_days. Each node keeps a few arrays of one value a day.
MAX_NODE_DAYS = 20_000_000
#: Most individual customer orders (``orders:``) one customer may expect in one replication.
MAX_ORDERS = 10_000_000
#: Largest number anywhere in a scenario but the seed: quantities, days, rates and money stay
#: far inside the range where a float counts units exactly (2**53), so every day's arithmetic
#: terminates and adds up.
MAX_NUMBER = 1e12
#: Worker processes per core of the machine (``--workers``).
WORKERS_PER_CORE = 4

#: Memory estimate: bytes per per-replication record and KPI column (the sink's frames, the
#: concatenated table and its summary each hold a copy).
RECORD_BYTES_PER_COLUMN = 24
#: ... KPI columns: a few of the whole network plus about this many per node.
COLUMNS_PER_NODE = 20
#: ... bytes per row of a kept trajectory (alternative × replication × stock point × day).
TRAJECTORY_ROW_BYTES = 200
#: ... bytes per planned chunk of work.
CHUNK_BYTES = 500
#: ... bytes per node-day of one replication's model, in every worker.
MODEL_BYTES_PER_NODE_DAY = 64

_SECTIONS = ("items", "suppliers", "stock_points", "customers", "plants", "alternatives")


def _nodes(scenario: Scenario) -> int:
    return (
        len(scenario.suppliers)
        + len(scenario.stock_points)
        + len(scenario.customers)
        + len(scenario.plants)
    )


def _peak_factor(scenario: Scenario, name: str) -> float:
    """Largest factor seasonality and trend apply to a customer's mean over the horizon."""
    customer = scenario.customers[name]
    factor = 1.0
    season = customer.seasonality
    if season is not None:
        for factors in (season.weekly, season.annual):
            if factors:
                factor *= max(factors)
    run = scenario.run
    trend = 1.0 + customer.trend_per_year * run.horizon_days / run.days_per_year
    return factor * max(trend, 1.0)


def size_problems(scenario: Scenario) -> Problems:
    """The scenario's sizes over the limits, each at the field to change."""
    problems: Problems = []
    for section in (*_SECTIONS, "disruptions"):
        count = len(getattr(scenario, section))
        if count > MAX_ENTITIES:
            problems.append(
                ((section,), f"has {count:,} entries; the limit is {MAX_ENTITIES:,} per section")
            )
    problems += _huge_numbers(scenario.model_dump(exclude={"run": {"seed"}}), ())
    horizon = scenario.run.horizon_days
    node_days = _nodes(scenario) * horizon
    if node_days > MAX_NODE_DAYS:
        problems.append(
            (
                ("run", "horizon_days"),
                f"{_nodes(scenario):,} nodes × {horizon:,} days = {node_days:,} node-days; "
                f"the limit is {MAX_NODE_DAYS:,} (shorten the horizon or the network)",
            )
        )
    for name, customer in scenario.customers.items():
        peak = _peak_factor(scenario, name)
        if customer.demand is not None:
            busiest = customer.demand.mean * peak
            if not busiest <= MAX_PARAMETER:
                problems.append(
                    (
                        ("customers", name, "demand"),
                        f"mean demand on the busiest day (mean × seasonality × trend = "
                        f"{busiest:.3g} units) is over the limit of {MAX_PARAMETER:,.0f}",
                    )
                )
        if customer.orders is not None:
            expected = customer.orders.rate_per_day * peak * horizon
            if not expected <= MAX_ORDERS:
                problems.append(
                    (
                        ("customers", name, "orders", "rate_per_day"),
                        f"about {expected:.3g} orders in one replication (rate × seasonality "
                        f"× trend × horizon_days); the limit is {MAX_ORDERS:,}",
                    )
                )
    return problems


def _huge_numbers(value: object, path: tuple[str | int, ...]) -> Problems:
    """Every number in a scenario's data larger than :data:`MAX_NUMBER` in size, at its path."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _huge_numbers(v, (*path, str(k)))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in _huge_numbers(v, (*path, i))]
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        return [(path, f"{value:.3g} is over the limit of {MAX_NUMBER:.0e} in size")]
    return []


def check_replications(count: int, what: str = "replications") -> None:
    """Refuse a replication count over :data:`MAX_REPLICATIONS` (before anything is planned)."""
    if count > MAX_REPLICATIONS:
        raise JitsimError(f"{what}(={count:,}) is over the limit of {MAX_REPLICATIONS:,}")


def max_workers() -> int:
    """Most worker processes accepted on this machine: :data:`WORKERS_PER_CORE` per core."""
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def check_workers(workers: int | None) -> None:
    """Refuse a worker count below 1 or over :func:`max_workers`."""
    if workers is None:
        return
    if workers < 1:
        raise JitsimError(f"workers(={workers}) must be >= 1")
    cap = max_workers()
    if workers > cap:
        raise JitsimError(
            f"workers(={workers}) is over the limit of {cap} on this machine "
            f"({WORKERS_PER_CORE} per core, {os.cpu_count() or 1} cores)"
        )


@dataclass(frozen=True)
class MemoryEstimate:
    """What a batch will hold in memory, roughly (bytes), and why."""

    records: int
    trajectory_rows: int
    chunks: int
    total: int

    def describe(self) -> str:
        """``"about 38.1 GB (12,000,000 replication records, …)"``."""
        parts = [f"{self.records:,} replication records"]
        if self.trajectory_rows:
            parts.append(f"{self.trajectory_rows:,} trajectory rows")
        parts.append(f"{self.chunks:,} chunks of work")
        return f"about {format_bytes(self.total)} ({', '.join(parts)})"


def format_bytes(count: float) -> str:
    """``1.5 GB``, ``320 MB`` (powers of 1000)."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.3g} {unit}"
        count /= 1000
    raise AssertionError  # pragma: no cover


def estimate_memory(
    scenario: Scenario,
    *,
    points: int,
    alternatives: int,
    replications: int,
    trajectories: int = 0,
    chunk_size: int = 1,
    workers: int = 1,
) -> MemoryEstimate:
    """Memory a batch needs, counted from its sizes (nothing is allocated).

    ``records × columns × 24 B`` for the per-replication results (columns: 10 + 20 per node),
    ``trajectory rows × 200 B`` for the kept end-of-day series, ``chunks × 500 B`` for the
    plan, and ``workers × node-days × 64 B`` for the models being simulated.
    """
    nodes = _nodes(scenario)
    horizon = scenario.run.horizon_days
    records = points * alternatives * replications
    kept = points * alternatives * min(trajectories, replications)
    trajectory_rows = kept * len(scenario.stock_points) * horizon
    chunks = points * math.ceil(replications / max(chunk_size, 1))
    total = (
        records * (10 + COLUMNS_PER_NODE * nodes) * RECORD_BYTES_PER_COLUMN
        + trajectory_rows * TRAJECTORY_ROW_BYTES
        + chunks * CHUNK_BYTES
        + workers * nodes * horizon * MODEL_BYTES_PER_NODE_DAY
    )
    return MemoryEstimate(records, trajectory_rows, chunks, total)


def limits_markdown() -> str:
    """The "Limits" section of the scenario reference."""
    rows = [
        ("`run.horizon_days`", f"at most {MAX_HORIZON_DAYS:,} days (about 274 years)"),
        (
            "`run.replications`, `-n`, `--max-replications`, `--min-replications`",
            f"at most {MAX_REPLICATIONS:,} per alternative",
        ),
        (
            "entries of `items`, `suppliers`, `stock_points`, `customers`, `plants`, "
            "`alternatives`, `disruptions`",
            f"at most {MAX_ENTITIES:,} in each section",
        ),
        (
            "nodes × horizon",
            f"(suppliers + stock points + customers + plants) × `horizon_days` at most "
            f"{MAX_NODE_DAYS:,} node-days",
        ),
        (
            "distribution parameters",
            f"finite, and at most {MAX_PARAMETER:,.0f} in size (units/day, days, units; "
            "`cv` and `weights` too)",
        ),
        (
            "daily demand",
            f"`demand` mean × largest seasonal factors × trend at the horizon at most "
            f"{MAX_PARAMETER:,.0f} units a day",
        ),
        (
            "individual orders (`orders:`)",
            f"`rate_per_day` × largest seasonal factors × trend × `horizon_days` at most "
            f"{MAX_ORDERS:,} per replication",
        ),
        (
            "any other number",
            f"at most {MAX_NUMBER:.0e} in size (quantities, days, rates, money; not `run.seed`)",
        ),
        ("sweep grid", f"at most {MAX_POINTS:,} points (the product of the axes' lengths)"),
        ("`--workers`", f"at most {WORKERS_PER_CORE} × the machine's cores"),
        (
            "memory",
            "a batch whose estimate exceeds the machine's physical memory is refused before "
            "it starts, with the estimate",
        ),
    ]
    lines = [
        '<a id="limits"></a>',
        "",
        "## Limits",
        "",
        "Sizes beyond these are refused when the scenario is loaded (`FILE:LINE: field: "
        "message`) or, for the options of a command, before anything is planned or allocated "
        "(one line, exit status 2).",
        "",
        "| what | limit |",
        "| --- | --- |",
        *(f"| {what} | {limit} |" for what, limit in rows),
        "",
        "The memory estimate adds up: per-replication records (points × alternatives × "
        f"replications) × (10 + {COLUMNS_PER_NODE} per node) KPI columns × "
        f"{RECORD_BYTES_PER_COLUMN} bytes; kept trajectories (points × alternatives × "
        f"`--trajectories` × stock points × days) × {TRAJECTORY_ROW_BYTES} bytes; chunks of work "
        f"× {CHUNK_BYTES} bytes; and, in every worker, nodes × days × "
        f"{MODEL_BYTES_PER_NODE_DAY} bytes. It is compared with the physical memory "
        "(`os.sysconf('SC_PHYS_PAGES')` pages).",
    ]
    return "\n".join(lines)
