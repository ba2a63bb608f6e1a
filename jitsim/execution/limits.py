"""A batch's sizes checked before anything is planned: replications, workers and memory.

The limits and the memory estimate are in :mod:`jitsim.scenario.limits` (the scenario
reference lists them); here they meet the machine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from jitsim.errors import JitsimError
from jitsim.scenario.limits import check_replications, estimate_memory, format_bytes
from jitsim.scenario.models import Scenario

__all__ = ["check_batch", "physical_memory"]


def physical_memory() -> int | None:
    """Bytes of physical memory of this machine (None where the system does not say)."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        page_size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def check_batch(
    scenarios: Sequence[Scenario],
    alternatives: int,
    replications: int,
    *,
    what: str = "replications",
    trajectories: int = 0,
    chunk_size: int = 1,
    workers: int = 1,
) -> None:
    """Refuse a batch over the replication limit, or whose memory estimate exceeds the
    machine's physical memory, with the estimate; counts only, nothing is allocated.

    Raises
    ------
    JitsimError
        One line saying which limit and by how much.
    """
    check_replications(replications, what)
    if not scenarios:
        return
    largest = max(scenarios, key=lambda s: s.run.horizon_days * len(s.stock_points))
    estimate = estimate_memory(
        largest,
        points=len(scenarios),
        alternatives=alternatives,
        replications=replications,
        trajectories=trajectories,
        chunk_size=chunk_size,
        workers=workers,
    )
    available = physical_memory()
    if available is not None and estimate.total > available:
        raise JitsimError(
            f"this batch would need {estimate.describe()}, more than this machine's "
            f"{format_bytes(available)} of memory; use fewer replications, sweep points or "
            "--trajectories (see Limits in docs/scenario-reference.md)"
        )
