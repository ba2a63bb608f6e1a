"""Paired comparison of alternatives against a baseline under common random numbers.

Every alternative is simulated on the same replications (same demand, lead times by order
index, forecast errors), so the per-replication differences alternative − baseline cancel most
of the noise: their confidence interval is much narrower than the unpaired one (Law 2015,
§10.2). For each KPI the comparison reports the mean difference with its 95 % t-interval, the
relative change with a delta-method interval, and the share of replications in which the
alternative did better.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Unpack

import numpy as np
import pandas as pd

from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.batch import (
    ExecutionOptions,
    RunResult,
    chosen_alternatives,
    execution_of,
    run_alternatives,
)
from jitsim.execution.precision import PrecisionTarget
from jitsim.model.kpis import direction
from jitsim.scenario.models import Scenario
from jitsim.stats import paired_difference

#: Columns of :meth:`Comparison.differences`.
DIFFERENCE_COLUMNS = (
    "alternative",
    "baseline",
    "kpi",
    "mean",
    "baseline_mean",
    "difference",
    "ci95_low",
    "ci95_high",
    "relative_change",
    "relative_ci95_low",
    "relative_ci95_high",
    "share_better",
    "n",
)


@dataclass
class Comparison:
    """Result of :func:`compare`.

    Attributes
    ----------
    result : RunResult
        The underlying runs (all alternatives, paired replications).
    baseline : str
        The alternative everything is compared with.
    switching_costs : dict
        One-off cost of switching to each alternative (currency), for the payback period.
    """

    result: RunResult
    baseline: str
    switching_costs: dict[str, float] = field(default_factory=dict)

    @property
    def alternatives(self) -> list[str]:
        """Alternatives compared with the baseline (baseline excluded)."""
        return [a for a in self.result.alternatives if a != self.baseline]

    def _values(self, alternative: str, kpi: str) -> np.ndarray:
        # One column at a time: a batch's records may be on disk, not in memory.
        return self.result.kpi_values(alternative, kpi)

    def differences(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy table: alternative × KPI → paired difference against the baseline.

        A KPI undefined in every replication of both alternatives (a fill rate without demand)
        has a row of NaN with ``n`` = 0 when asked for by name, or when no alternative defines
        it; the default table leaves out a KPI that only one alternative reports (a value its
        policy derives). Pairs in which either value is undefined are dropped (``n`` counts the
        pairs used).
        """
        frame = self.result.schema()  # the columns and their types, without the records
        skip = {"alternative", "replication", "point", "window_days"}
        chosen = (
            list(kpis)
            if kpis
            else [
                c
                for c in frame.columns
                if c not in skip and pd.api.types.is_numeric_dtype(frame[c])
            ]
        )
        rows = []
        for alternative in self.alternatives:
            for kpi in chosen:
                a = self._values(alternative, kpi)
                b = self._values(self.baseline, kpi)
                undefined = bool(np.isnan(a).all() or np.isnan(b).all())
                if undefined and not kpis and self._defined_anywhere(kpi):
                    continue  # a value only one policy reports
                diff = paired_difference(a, b)
                sign = direction(kpi)
                if sign == 0 or diff.n == 0:
                    better = math.nan
                else:
                    mask = ~(np.isnan(a) | np.isnan(b))
                    better = float(np.mean(sign * (a[mask] - b[mask]) > 0))
                rows.append(
                    (
                        alternative,
                        self.baseline,
                        kpi,
                        diff.mean_a,
                        diff.mean_b,
                        diff.mean_diff,
                        diff.ci95_low,
                        diff.ci95_high,
                        diff.rel_change,
                        diff.rel_ci95_low,
                        diff.rel_ci95_high,
                        better,
                        diff.n,
                    )
                )
        return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))

    def _defined_anywhere(self, kpi: str) -> bool:
        """Whether any alternative defines ``kpi`` in any replication."""
        return any(not np.isnan(self._values(name, kpi)).all() for name in self.result.alternatives)

    def stockout_risk(self) -> dict[str, float]:
        """P[any stockout day in the window] per alternative (share of replications)."""
        return {
            name: float((self._values(name, "stockout_days") > 0).mean())
            for name in self.result.alternatives
        }

    def payback_days(self, alternative: str) -> float:
        """Days until the switching cost is repaid by the mean total-cost saving.

        ``inf`` when the alternative does not save; 0 without a switching cost.
        """
        cost = self.switching_costs.get(alternative, 0.0)
        saving = -(
            self._values(alternative, "total_cost").mean()
            - self._values(self.baseline, "total_cost").mean()
        )
        per_day = saving / self.result.window_days
        if cost == 0:
            return 0.0
        return cost / per_day if per_day > 0 else math.inf

    def verdicts(self) -> list[str]:
        """Plain-language lines, one per alternative ("n/a" for a KPI that is undefined)."""
        measured = self.result.columns()
        wanted = ["total_cost", "fill_rate", "avg_cash_tied_up"]
        rows = self.differences([k for k in wanted if k in measured])
        table: dict[tuple[str, str], dict[str, Any]] = {
            (str(r["alternative"]), str(r["kpi"])): {str(k): v for k, v in r.items()}
            for r in rows.to_dict("records")
        }
        undefined = dict.fromkeys(DIFFERENCE_COLUMNS, math.nan)
        risk = self.stockout_risk()
        lines = []
        for alternative in self.alternatives:
            cost, fill, cash = (table.get((alternative, k), undefined) for k in wanted)
            parts = [
                f"total cost {_percent(cost['relative_change'])} "
                f"(95 % CI {_percent(cost['relative_ci95_low'])} to "
                f"{_percent(cost['relative_ci95_high'])}){_unclear(cost)}",
                f"fill rate {_points(fill['difference'])} ({_points(fill['ci95_low'])} to "
                f"{_points(fill['ci95_high'])}){_unclear(fill)}",
                f"cash tied up {_percent(cash['relative_change'])}{_unclear(cash)}",
            ]
            line = (
                f"{alternative} vs {self.baseline}: "
                + ", ".join(parts)
                + f"; stockout risk (P[any stockout day]) {risk[self.baseline]:.0%} → "
                f"{risk[alternative]:.0%}."
            )
            if self.switching_costs.get(alternative):
                days = self.payback_days(alternative)
                line += f" Switching cost {self.switching_costs[alternative]:,.0f} " + (
                    f"pays back in {days / 30.44:.1f} months."
                    if math.isfinite(days)
                    else "never pays back (no cost saving)."
                )
            lines.append(line)
        return lines


def _percent(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value * 100:+.1f} %".replace("-", "−")


def _points(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value * 100:+.1f} pp".replace("-", "−")


def _unclear(row: dict[str, Any]) -> str:
    low, high = float(row["ci95_low"]), float(row["ci95_high"])
    if math.isfinite(low) and math.isfinite(high) and low <= 0 <= high and (low, high) != (0, 0):
        return " [not significant]"
    return ""


def compare(
    scenario: Scenario,
    baseline: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    *,
    alternatives: Sequence[str] | None = None,
    switching_costs: dict[str, float] | None = None,
    precision: PrecisionTarget | None = None,
    **options: Unpack[ExecutionOptions],
) -> Comparison:
    """Run all alternatives under common random numbers and compare them with a baseline.

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least two alternatives.
    baseline : str, optional
        The reference alternative (default: the first one in the file).
    replications, seed, alternatives, progress, backend, workers, scheduler, chunk_size,
    out, resume, command
        As in :func:`jitsim.run`.
    switching_costs : dict, optional
        One-off cost of switching to each alternative (currency); defaults to the scenario's
        ``switching_cost`` fields.
    precision : PrecisionTarget, optional
        Sequential precision on the paired differences (relative to the baseline mean).

    Returns
    -------
    Comparison
    """
    execution = execution_of("compare", options)
    names = chosen_alternatives(scenario, alternatives)
    chosen = baseline if baseline is not None else names[0]
    if chosen not in scenario.alternative_names():
        known = scenario.alternative_names()
        raise JitsimError(
            with_suggestion(
                f"unknown baseline {chosen!r} (this scenario has: {', '.join(known)})",
                chosen,
                known,
            )
        )
    if chosen not in names:
        names = [chosen, *names]
    if len(names) < 2:
        raise JitsimError(
            "a comparison needs at least two alternatives; this scenario has "
            f"{', '.join(scenario.alternative_names())}"
        )
    result = run_alternatives(
        "compare",
        scenario,
        replications,
        seed,
        names,
        0,
        execution,
        precision,
        baseline=chosen,
        extra_plan={"baseline": chosen},
    )
    costs = {name: cost for name, cost in scenario.switching_costs().items() if cost}
    costs.update(switching_costs or {})
    return Comparison(result, chosen, costs)
