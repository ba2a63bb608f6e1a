"""The report's tables of results: headline KPIs, the comparison with its verdicts and payback,
the sweep and the break-even search. Numbers are rounded and labelled as on the command line
(:mod:`jitsim.output.tables`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from jitsim.model.kpis import HEADLINE_KPIS, direction
from jitsim.output.rebuilt import comparison_of, run_result_of
from jitsim.output.report.html import esc, notes, paragraph, table
from jitsim.output.results_reader import Results
from jitsim.output.tables import format_estimate, headline_rows, kpi_unit
from jitsim.units import plural

__all__ = ["breakeven_html", "comparison_html", "headline_html", "sweep_html"]

#: KPIs of the sweep table (those the results hold): the waste and space costs and the lowest
#: cash balance only for scenarios with those features.
SWEEP_KPIS = (
    "total_cost",
    "expiry_cost",
    "obsolescence_write_off",
    "space_cost",
    "overflow_cost",
    "fill_rate",
    "avg_cash_tied_up",
    "min_cash_balance",
)


def _unit_text(unit: str) -> str:
    return unit if unit else "–"


def headline_html(results: Results) -> str:
    """Headline KPIs of every alternative, mean ± 95 % CI half-width (``jitsim run``'s table)."""
    result = run_result_of(results)
    rows = [(kpi, _unit_text(unit), *cells) for kpi, unit, cells in headline_rows(result)]
    return table(
        ["KPI", "unit", *result.alternatives],
        rows,
        keys=2,
        caption="Headline KPIs per alternative (mean ± 95 % CI half-width)",
    ) + notes(
        [
            f"{plural(result.replications_per_alternative, 'replication')} per alternative over a "
            f"window of {plural(result.window_days, 'day')}. Rates in %; money in "
            f"{results.currency} over the measured window.",
        ]
    )


def comparison_html(results: Results) -> str:
    """The verdicts of ``jitsim compare``, the payback of each switching cost, and the paired
    differences of the headline KPIs."""
    comparison = comparison_of(results)
    parts = [
        "<h3>Verdicts</h3>",
        '<ul class="verdicts">'
        + "".join(f"<li>{esc(line)}</li>" for line in comparison.verdicts())
        + "</ul>",
    ]
    if comparison.switching_costs:
        rows = []
        for name in comparison.alternatives:
            cost = comparison.switching_costs.get(name, 0.0)
            days = comparison.payback_days(name)
            rows.append(
                (
                    name,
                    f"{cost:,.0f}",
                    "never (no saving)" if not math.isfinite(days) else f"{days:,.0f}",
                    "—" if not math.isfinite(days) else f"{days / 30.44:.1f}",
                )
            )
        parts.append(
            table(
                [
                    "alternative",
                    f"switching cost ({results.currency})",
                    "payback (days)",
                    "payback (months)",
                ],
                rows,
                caption="Payback of the one-off switching cost from the mean saving",
            )
        )
    parts.append(_differences(results, comparison.baseline))
    return "".join(parts)


def _differences(results: Results, baseline: str) -> str:
    frame = results.table("comparison")
    if frame is None or frame.empty:
        return ""
    wanted = [k for k in (*HEADLINE_KPIS, "demand_units") if k in set(frame["kpi"])]
    order = {name: i for i, name in enumerate(results.alternatives)}
    chosen = frame[frame["kpi"].isin(wanted)].assign(
        _alt=lambda t: t["alternative"].map(order), _kpi=lambda t: t["kpi"].map(wanted.index)
    )
    rows = []
    for row in chosen.sort_values(["_alt", "_kpi"]).to_dict("records"):
        rows.append(_difference_row(row, results.currency))
    return table(
        ["alternative", "KPI", "unit", "difference", "relative", "better in"],
        rows,
        keys=3,
        caption=f"Paired differences against {baseline} (alternative − {baseline}, 95 % CI)",
    ) + notes(
        [
            "better in: the share of replications in which the alternative did better on that "
            "KPI (– for a KPI that is neither better larger nor smaller). pp: percentage points.",
        ]
    )


def _difference_row(row: Mapping[Any, Any], currency: str) -> tuple[str, ...]:
    kpi = str(row["kpi"])
    unit, scale = kpi_unit(kpi, currency)
    half = (float(row["ci95_high"]) - float(row["ci95_low"])) / 2
    reference = max(abs(float(row["mean"])), abs(float(row["baseline_mean"])))
    relative = float(row["relative_change"])
    share, pairs = float(row["share_better"]), int(row["n"])
    if pairs == 0:
        better = "n/a"
    elif direction(kpi) == 0 or math.isnan(share):
        better = "–"
    else:
        better = f"{share:.0%}"
    return (
        str(row["alternative"]),
        kpi,
        "pp" if unit == "%" else _unit_text(unit),
        format_estimate(float(row["difference"]), half, scale, reference=reference),
        "n/a" if not math.isfinite(relative) else f"{relative:+.1%}",
        better,
    )


def sweep_html(results: Results) -> str:
    """Every alternative at every point of the grid: the main KPIs, mean ± 95 % CI."""
    frame = results.table("sweep_summary")
    if frame is None or frame.empty:
        return paragraph("This sweep has no summary table.", "note")
    parameters = list(results.summary.get("grid") or [])
    kpis = [k for k in SWEEP_KPIS if k in set(frame["kpi"])]
    columns = [*parameters, "alternative"]
    for kpi in kpis:
        unit, _ = kpi_unit(kpi, results.currency)
        columns.append(f"{kpi} ({unit})" if unit else kpi)
    cells = {
        (int(r["point"]), str(r["alternative"]), str(r["kpi"])): r
        for r in frame[frame["kpi"].isin(kpis)].to_dict("records")
    }
    points = frame.drop_duplicates("point").sort_values("point")
    rows = []
    for point in points.to_dict("records"):
        for name in results.alternatives:
            values = []
            for kpi in kpis:
                found = cells.get((int(point["point"]), name, kpi))
                _, scale = kpi_unit(kpi, results.currency)
                values.append(
                    "n/a"
                    if found is None
                    else format_estimate(float(found["mean"]), float(found["half_width"]), scale)
                )
            rows.append((*(str(point[p]) for p in parameters), name, *values))
    return table(
        columns,
        rows,
        keys=len(parameters) + 1,
        caption="Every alternative at every point (mean ± 95 % CI half-width)",
    ) + notes(
        [
            f"{plural(len(points), 'point')} × {plural(len(results.alternatives), 'alternative')}, "
            "common random numbers across points: differences between points are due to the "
            "swept fields, not to noise. All KPIs of every point: sweep_summary.csv.",
        ]
    )


def breakeven_html(results: Results) -> str:
    """The break-even search: its outcome in a sentence and every value it evaluated."""
    summary = results.summary
    param, kpi = str(summary.get("param", "")), str(summary.get("kpi", ""))
    between = [str(name) for name in summary.get("between") or ["A", "B"]]
    parts = [paragraph(str(summary.get("sentence") or ""), "lead")]
    frame = results.table("breakeven_points")
    if frame is not None and not frame.empty:
        unit, scale = kpi_unit(kpi, results.currency)
        rows = []
        for row in frame.sort_values("x").to_dict("records"):
            half = (float(row["ci95_high"]) - float(row["ci95_low"])) / 2
            size = max(abs(float(row["mean_a"])), abs(float(row["mean_b"])))
            rows.append(
                (
                    f"{float(row['x']):.6g}",
                    format_estimate(float(row["mean_a"]), scale=scale),
                    format_estimate(float(row["mean_b"]), scale=scale),
                    format_estimate(float(row["mean_diff"]), half, scale, reference=size),
                    str(int(row["n"])),
                )
            )
        suffix = f" ({unit})" if unit else ""
        parts.append(
            table(
                [
                    param,
                    f"{between[0]}{suffix}",
                    f"{between[1]}{suffix}",
                    f"{between[0]} − {between[1]}{suffix}, 95 % CI",
                    "replications",
                ],
                rows,
                caption=f"{kpi} at every value evaluated by the search",
            )
        )
    return "".join(parts)
