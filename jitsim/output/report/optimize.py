"""The report's section on an optimisation (``jitsim optimize``): the answer, the finalists and
what the selection guarantees."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from jitsim.experiments.optimize.constraints import PROB, Constraint, parse_constraint
from jitsim.output.report.html import notes, paragraph, table
from jitsim.output.results_reader import Results
from jitsim.output.tables import format_estimate, kpi_unit

__all__ = ["finalist_verdict", "optimize_html", "risk_cells", "risk_headers"]


def finalist_verdict(row: Mapping[str, Any], constraints: list[str]) -> str:
    """What the selection made of a finalist (a row of ``optimize_finalists.csv``): chosen
    (perhaps with a constraint not met), a constraint not met, out at n replications (the
    Kim–Nelson elimination), or nothing."""
    constrained = bool(constraints)
    if row["chosen"]:
        return "chosen" if row["feasible"] or not constrained else "chosen, constraint not met"
    # A CVaR or VaR bound is NaN on fewer than 200 replications (a finalist KN eliminated
    # early): the constraint is not known to fail.
    unknown = any(math.isnan(float(row.get(f"{c}_bound", 0.0))) for c in constraints)
    if constrained and not row["feasible"] and not unknown:
        return "constraint not met"
    stage = row["eliminated_at"]
    return f"out at n={int(stage)}" if isinstance(stage, float) and math.isfinite(stage) else ""


def _kpis(summary: dict[str, Any]) -> list[str]:
    """The objective, then each constrained KPI once (``fill_rate>=0.95`` → ``fill_rate``,
    ``cvar95(stockout_days)<=5`` → ``stockout_days``)."""
    constrained = [parse_constraint(text).kpi for text in summary.get("constraints", [])]
    return [str(summary["objective"]), *dict.fromkeys(constrained)]


def _risks(summary: dict[str, Any]) -> list[Constraint]:
    """The constraints on a tail measure or a probability (not on a mean)."""
    parsed = [parse_constraint(text) for text in summary.get("constraints", [])]
    return [c for c in parsed if c.quantity != c.kpi]


def risk_headers(summary: dict[str, Any], currency: str) -> list[str]:
    """A column header per risk constraint: ``cvar95(stockout_days) (days)``."""
    headers = []
    for c in _risks(summary):
        unit, _ = kpi_unit(c.kpi, currency) if c.measure != PROB else ("", 1.0)
        headers.append(f"{c.quantity} ({unit})" if unit else c.quantity)
    return headers


def risk_cells(summary: dict[str, Any], row: Mapping[Any, Any], currency: str) -> list[str]:
    """A cell per risk constraint: the estimate and, in brackets, its one-sided bound
    (``4.2 (≤ 4.9)``: the upper bound of a ``<=`` constraint)."""
    cells = []
    for c in _risks(summary):
        _, scale = kpi_unit(c.kpi, currency) if c.measure != PROB else ("", 1.0)
        estimate = float(row.get(c.quantity, math.nan)) * scale
        bound = float(row.get(f"{c}_bound", math.nan)) * scale
        side = "≤" if c.sense == "<=" else "≥"
        shown = f"{side} {bound:.4g}" if not math.isnan(bound) else "no bound: too few"
        cells.append(f"{estimate:.4g} ({shown})")
    return cells


def optimize_html(results: Results) -> str:
    """The answer (each variable's bounds, start and best value), the finalists with their KPIs
    on the selection's replications, and the guarantee in words."""
    summary = results.summary
    parts = [paragraph(str(summary.get("sentence", "")), "lead")]
    variables = summary.get("variables", [])
    best = summary.get("best", {})
    parts.append(
        table(
            ["variable", "lower bound", "upper bound", "start", "best"],
            [
                (
                    v["name"],
                    f"{v['low']:g}",
                    f"{v['high']:g}",
                    f"{v['start']:g}",
                    f"{best.get(v['name'], math.nan):g}",
                )
                for v in variables
            ],
            caption="The decision variables: the policy parameters searched",
        )
    )
    finalists = results.table("optimize_finalists")
    if finalists is not None and not finalists.empty:
        kpis = _kpis(summary)
        names = [str(v["name"]) for v in variables]
        constraints = list(summary.get("constraints", []))
        rows = []
        for row in finalists.to_dict("records"):
            cells: list[object] = [f"{row[name]:g}" for name in names]
            for kpi in kpis:
                _, scale = kpi_unit(kpi, results.currency)
                cells.append(format_estimate(row[f"{kpi}_mean"], row[f"{kpi}_half_width"], scale))
            cells += risk_cells(summary, row, results.currency)
            cells.append(str(int(row["replications"])))
            verdict = finalist_verdict({str(k): v for k, v in row.items()}, constraints)
            cells.append(verdict)
            rows.append(cells)
        headers = [*names]
        for kpi in kpis:
            unit, _ = kpi_unit(kpi, results.currency)
            headers.append(f"{kpi} ({unit})" if unit else kpi)
        headers += risk_headers(summary, results.currency)
        parts.append(
            table(
                [*headers, "replications", "outcome"],
                rows,
                caption="The finalists on fresh replications (mean ± 95 % CI half-width; a "
                "risk measure with its one-sided bound in brackets), the winner first",
                keys=len(names),
            )
        )
    confidence = f"{100 * (1 - float(summary.get('alpha', 0.05))):g} %"
    lines = [
        f"Selection by the Kim–Nelson procedure under common random numbers: the best finalist "
        f"is chosen with probability ≥ {confidence} whenever its {summary.get('objective')} is "
        f"at least δ = {float(summary.get('delta', math.nan)):.4g} better than the others' "
        "(closer ones count as equally good), if each finalist's outputs are normal."
        if summary.get("guaranteed")
        else "The replication budget ran out before the selection could guarantee δ: the "
        "winner has the best mean of the finalists.",
        f"Every constraint is checked with its one-sided {confidence} confidence bound.",
        f"The answer is in tuned.yaml as the alternative {summary.get('alternative')!r}.",
    ]
    lines += [str(text) for text in summary.get("at_bounds", [])]
    parts.append(notes(lines))
    return "".join(parts)
