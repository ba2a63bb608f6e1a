"""Monte Carlo batches: every alternative × replications, under common random numbers.

Replication ``r`` of every alternative uses the same random streams, so differences between
alternatives are paired. Results are kept as flat KPI records; end-of-day trajectories are kept
for the first ``K`` replications only, so memory does not grow with the number of replications
beyond one small record per replication.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from jitsim.errors import JitsimError
from jitsim.run import simulate
from jitsim.scenario.models import Scenario
from jitsim.stats import summarize_frame

Progress = Callable[[int, int], None]


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (defaults filled in), as hex."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class RunResult:
    """Results of :func:`run`: one KPI record per (alternative, replication).

    Use :meth:`replications` for the tidy per-replication table and :meth:`summary` for the
    per-alternative statistics (mean, std, 95 % CI, quantiles, CVaR₉₅).
    """

    scenario: Scenario
    seed: int
    replications_per_alternative: int
    alternatives: list[str]
    records: list[dict[str, Any]] = field(default_factory=list)
    trajectories: list[dict[str, Any]] = field(default_factory=list)

    def replications(self) -> pd.DataFrame:
        """One row per (alternative, replication), one column per KPI."""
        return pd.DataFrame.from_records(self.records)

    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy table ``alternative × kpi`` with mean, std, ci95_low/high, p05/p50/p95, n."""
        frame = self.replications()
        return summarize_frame(frame, by="alternative", kpis=list(kpis) if kpis else None)

    def trajectories_frame(self) -> pd.DataFrame:
        """End-of-day series of the kept replications, one row per (rep, point, day)."""
        return pd.DataFrame.from_records(self.trajectories)

    @property
    def window_days(self) -> int:
        """Days measured after warm-up."""
        return self.scenario.run.window_days


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    alternatives: Sequence[str] | None = None,
    trajectories: int = 0,
    progress: Progress | None = None,
) -> RunResult:
    """Simulate every alternative of ``scenario`` for ``replications`` replications.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`jitsim.load_scenario`).
    replications : int, optional
        Replications per alternative; defaults to ``scenario.run.replications``.
    seed : int, optional
        Master seed; defaults to ``scenario.run.seed``.
    alternatives : sequence of str, optional
        Subset of alternatives to run (default: all).
    trajectories : int
        Keep the end-of-day series of the first ``trajectories`` replications of each
        alternative.
    progress : callable, optional
        ``progress(done, total)`` called after each replication.

    Returns
    -------
    RunResult
    """
    n = scenario.run.replications if replications is None else replications
    if n < 1:
        raise JitsimError(f"replications(={n}) must be >= 1")
    master = scenario.run.seed if seed is None else seed
    if master < 0:
        raise JitsimError(f"seed(={master}) must be >= 0")
    names = list(alternatives) if alternatives else scenario.alternative_names()
    known = scenario.alternative_names()
    unknown = [a for a in names if a not in known]
    if unknown:
        raise JitsimError(
            f"unknown alternative {unknown[0]!r} (this scenario has: {', '.join(known)})"
        )
    result = RunResult(scenario, master, n, names)
    total = n * len(names)
    done = 0
    for replication in range(n):
        for name in names:
            keep = replication < trajectories
            outcome = simulate(scenario, name, replication, master, trajectories=keep)
            result.records.append({"alternative": name, "replication": replication, **outcome.kpis})
            for point, rows in outcome.trajectories.items():
                for day, on_hand, backorders, on_order, cash in rows:
                    result.trajectories.append(
                        {
                            "alternative": name,
                            "replication": replication,
                            "stock_point": point,
                            "day": int(day),
                            "on_hand": on_hand,
                            "backorders": backorders,
                            "on_order": on_order,
                            "cash_tied_up": cash,
                        }
                    )
            done += 1
            if progress is not None:
                progress(done, total)
    return result
