"""The paired comparison of ``jitsim compare``: how far each alternative is from the baseline on
the headline KPIs, with the 95 % CI of the paired difference and the verdict in words.

Read from ``comparison.csv`` (never recomputed): ``difference`` is alternative − baseline, its
interval the paired t-interval under common random numbers. A difference whose interval holds 0
is *no significant difference*; otherwise it is *better* or *worse* by the KPI's direction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jitsim.model.kpis import direction
from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import color_ticks, fitted_title, thousands
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.output.tables import format_estimate, kpi_unit

__all__ = ["HEADLINE", "KINDS", "comparison_figure", "comparison_rows", "verdict"]

#: KPIs shown, top to bottom, when the comparison has them.
HEADLINE = (
    "total_cost",
    # waste of perishables and end of life, and the low point of the cash ledger: only results
    # of scenarios with those features have them (docs/waste-space-cash.md)
    "expiry_cost",
    "obsolescence_write_off",
    "fill_rate",
    "stockout_days",
    "avg_cash_tied_up",
    "min_cash_balance",
    "profit",
)
#: A sign before each verdict (colour is kept for the alternatives).
_VERDICT_MARKS = {"better": "✓ ", "worse": "✗ ", "no significant difference": "≈ "}


def verdict(kpi: str, low: float, high: float) -> str:
    """``"better"``, ``"worse"``, ``"no significant difference"`` (the 95 % CI of the
    difference holds 0), ``"higher"``/``"lower"`` for a KPI with no better direction, or
    ``"no CI"`` (one replication)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "no CI"
    if low <= 0 <= high:
        return "no significant difference"
    sign = 1 if low > 0 else -1
    way = direction(kpi)
    if way == 0:
        return "higher" if sign > 0 else "lower"
    return "better" if sign * way > 0 else "worse"


def comparison_rows(results: Results) -> pd.DataFrame:
    """The rows of ``comparison.csv`` the figure shows, with their verdict.

    Returns
    -------
    DataFrame
        Columns ``alternative, baseline, kpi, difference, ci95_low, ci95_high,
        relative_change, verdict`` for the :data:`HEADLINE` KPIs present with a defined
        difference, alternatives in scenario order.
    """
    table = results.table("comparison")
    if table is None or table.empty:
        return pd.DataFrame(
            columns=["alternative", "baseline", "kpi", "difference", "ci95_low", "ci95_high",
                     "relative_change", "verdict"]
        )  # fmt: skip
    rows = table[table["kpi"].isin(HEADLINE) & np.isfinite(table["difference"])].copy()
    order = {name: i for i, name in enumerate(results.alternatives)}
    rows["_kpi"] = rows["kpi"].map({k: i for i, k in enumerate(HEADLINE)})
    rows["_alternative"] = rows["alternative"].map(order).fillna(len(order))
    rows = rows.sort_values(["_kpi", "_alternative"]).drop(columns=["_kpi", "_alternative"])
    rows["verdict"] = [
        verdict(str(k), float(lo), float(hi))
        for k, lo, hi in zip(rows["kpi"], rows["ci95_low"], rows["ci95_high"], strict=True)
    ]
    keep = ["alternative", "baseline", "kpi", "difference", "ci95_low", "ci95_high"]
    keep += ["relative_change", "verdict"]
    return rows[keep].reset_index(drop=True)


def _unit(kpi: str, currency: str) -> tuple[str, float]:
    """Unit and scale of a *difference* of ``kpi``: rates differ in percentage points."""
    unit, scale = kpi_unit(kpi, currency)
    return ("pp", scale) if unit == "%" else (unit, scale)


def comparison_figure(results: Results) -> Figure:
    """Each alternative's paired difference from the baseline on the headline KPIs: one panel
    per KPI, the 95 % CI as a bar, the zero line, and the verdict written beside it."""
    rows = comparison_rows(results)
    kpis = [k for k in HEADLINE if k in set(rows["kpi"])]
    baseline = str(rows["baseline"].iloc[0]) if len(rows) else "baseline"
    others = [a for a in results.alternatives if a in set(rows["alternative"])]
    colors = alternative_colors(results.scenario, results.alternatives)
    width = 10.5
    height = 1.3 + sum(0.75 + 0.42 * len(others) for _ in kpis)
    figure, grid = new_figure(
        fitted_title(
            results.scenario.name, f"each alternative against the baseline {baseline}", width
        ),
        rows=max(len(kpis), 1),
        size=(width, min(height, 24.0)),
    )
    positions = np.arange(len(others))[::-1]  # first alternative on top
    for axes, kpi in zip(grid, kpis, strict=False):
        unit, scale = _unit(kpi, results.currency)
        data = {str(r["alternative"]): r for _, r in rows[rows["kpi"] == kpi].iterrows()}
        axes.axvline(0, color="black", linewidth=1.0)
        for position, name in zip(positions, others, strict=True):
            if name not in data:
                continue
            row = data[name]
            mean = float(row["difference"]) * scale
            low, high = float(row["ci95_low"]) * scale, float(row["ci95_high"]) * scale
            error = np.nan_to_num([[mean - low], [high - mean]])
            drawn = axes.errorbar(
                [mean], [position], xerr=error, fmt="o", color=colors[name], elinewidth=3,
                capsize=5, capthick=2, markersize=7, markeredgecolor="black",
            )  # fmt: skip
            drawn.lines[0].set_gid(f"difference:{kpi}:{name}")  # the data point, not its bars
            axes.annotate(
                _verdict_text(row, kpi, unit, scale), (1.0, position),
                xycoords=("axes fraction", "data"), xytext=(8, 0), textcoords="offset points",
                va="center", ha="left", fontsize=9,
            )  # fmt: skip
        axes.set_yticks(positions, others)
        color_ticks(axes, others, colors, axis="y")
        axes.set_ylim(-0.6, len(others) - 0.4)
        # zero stays inside with room on both sides: "no difference" is a place to look at
        left, right = axes.get_xlim()
        reach = max(abs(left), abs(right))
        axes.set_xlim(min(left, -0.08 * reach), max(right, 0.08 * reach))
        axes.set_title(f"{kpi.replace('_', ' ')}: difference from {baseline}", loc="left")
        axes.set_xlabel(f"{axis_label(kpi, unit)}: {baseline} to alternative")
        axes.grid(axis="y", visible=False)
        thousands(axes, "x")
    if not kpis:
        grid[0].text(0.5, 0.5, "no KPI to compare", ha="center", va="center", color=GREY)
    figure.supxlabel(
        "dot: mean paired difference (alternative − baseline, same replications); "
        "bar: its 95 % CI",
        fontsize=8, color=GREY,
    )  # fmt: skip
    return figure


def _verdict_text(row: pd.Series, kpi: str, unit: str, scale: float) -> str:
    """``"−70 EUR (−35.3 %): better"``."""
    low, high = float(row["ci95_low"]), float(row["ci95_high"])
    half = (high - low) / 2 if math.isfinite(low) and math.isfinite(high) else math.nan
    text = format_estimate(float(row["difference"]), half, scale).replace("-", "−")
    if unit:
        text += f" {unit}"
    relative = float(row["relative_change"])
    if unit != "pp" and math.isfinite(relative):
        text += f" ({relative * 100:+.1f} %)".replace("-", "−")
    return f"{text}: {_VERDICT_MARKS.get(str(row['verdict']), '')}{row['verdict']}"


KINDS = (
    FigureKind(
        "comparison",
        "Paired difference of each alternative from the baseline, with its 95 % CI and verdict",
        comparison_figure,
        lambda results: results.kind == "compare" and not comparison_rows(results).empty,
        "the results of jitsim compare",
    ),
)
