"""The report's section on an optimisation (``jitsim optimize``): the answer, the finalists and
what the selection guarantees."""

from __future__ import annotations

import math
from typing import Any

from jitsim.output.report.html import notes, paragraph, table
from jitsim.output.results_reader import Results
from jitsim.output.tables import format_estimate, kpi_unit

__all__ = ["optimize_html"]


def _kpis(summary: dict[str, Any]) -> list[str]:
    """The objective, then each constrained KPI once (``fill_rate>=0.95`` → ``fill_rate``)."""
    constrained = [text.replace("<=", ">=").split(">=")[0] for text in summary["constraints"]]
    return [str(summary["objective"]), *dict.fromkeys(constrained)]


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
        rows = []
        for row in finalists.to_dict("records"):
            cells: list[object] = [f"{row[name]:g}" for name in names]
            for kpi in kpis:
                _, scale = kpi_unit(kpi, results.currency)
                cells.append(format_estimate(row[f"{kpi}_mean"], row[f"{kpi}_half_width"], scale))
            cells.append(str(int(row["replications"])))
            cells.append("chosen" if row["chosen"] else "")
            rows.append(cells)
        headers = [*names]
        for kpi in kpis:
            unit, _ = kpi_unit(kpi, results.currency)
            headers.append(f"{kpi} ({unit})" if unit else kpi)
        parts.append(
            table(
                [*headers, "replications", ""],
                rows,
                caption="The finalists on fresh replications (mean ± 95 % CI half-width), "
                "the winner first",
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
