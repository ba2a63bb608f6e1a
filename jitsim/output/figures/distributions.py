"""How the outcome of each alternative spreads over replications: total cost, stockout days and
lost sales (backordered units when no sale is ever lost), with the mean, its 95 % CI and the
CVaR₉₅ tail (the mean of the worst 5 % of replications)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import color_ticks, fitted_title, thousands
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.output.tables import kpi_unit
from jitsim.stats import cvar, summarize, var
from jitsim.stats.tail import CVAR_LEVEL

__all__ = ["KINDS", "distribution_kpis", "distribution_stats", "outcome_distributions"]

#: Colour of the worst-5 % tail and its CVaR marker.
_TAIL = "#D55E00"
#: Replications drawn as dots at most (beyond, a random subset: the box still uses all).
_MAX_DOTS = 400


def distribution_kpis(results: Results) -> list[str]:
    """The three KPIs shown: ``total_cost``, ``stockout_days`` and ``lost_sales_units`` —
    ``backordered_units`` instead when no replication lost a sale (backorder scenarios)."""
    frame = results.replications
    shortfall = "lost_sales_units"
    lost = frame[shortfall] if shortfall in frame else pd.Series(dtype=float)
    if not (lost.fillna(0) != 0).any() and "backordered_units" in frame:
        shortfall = "backordered_units"
    return [k for k in ("total_cost", "stockout_days", shortfall) if k in frame]


def distribution_stats(results: Results, kpi: str) -> pd.DataFrame:
    """Per alternative: ``mean, ci95_low, ci95_high, var95, cvar95`` of ``kpi`` over the
    replications (the KPI's unit; VaR and CVaR of the upper tail, where large is bad)."""
    rows = []
    for name in results.alternatives:
        values = _values(results, name, kpi)
        summary = summarize(values)
        rows.append(
            {
                "alternative": name,
                "mean": summary.mean,
                "ci95_low": summary.ci95_low,
                "ci95_high": summary.ci95_high,
                "var95": var(values, CVAR_LEVEL),
                "cvar95": cvar(values, CVAR_LEVEL),
                "n": summary.n,
            }
        )
    return pd.DataFrame(rows)


def _values(results: Results, alternative: str, kpi: str) -> np.ndarray:
    frame = results.replications
    column = frame.loc[frame["alternative"] == alternative, kpi].to_numpy(dtype=float)
    return column[np.isfinite(column)]


def outcome_distributions(results: Results) -> Figure:
    """Box plots of total cost, stockout days and lost sales per alternative, every replication
    a dot, the mean with its 95 % CI, and the worst 5 % shaded with its mean (CVaR₉₅) marked."""
    names = results.alternatives
    kpis = distribution_kpis(results)
    colors = alternative_colors(results.scenario, names)
    width = min(max(3 * (1.4 + 0.75 * len(names)), 10.0), 18.0)
    n = int(results.replications.groupby("alternative").size().max())
    figure, grid = new_figure(
        fitted_title(results.scenario.name, f"spread of outcomes over {n} replications", width),
        columns=len(kpis),
        size=(width, 5.0),
    )
    generator = np.random.default_rng(0)  # jitter only: the same picture every time
    positions = np.arange(1, len(names) + 1)
    for axes, kpi in zip(grid, kpis, strict=True):
        unit, scale = kpi_unit(kpi, results.currency)
        samples = [_values(results, name, kpi) * scale for name in names]
        boxes = axes.boxplot(
            [s if len(s) else [np.nan] for s in samples], positions=positions, widths=0.55,
            whis=(5, 95), showfliers=False, patch_artist=True,
            medianprops={"color": "black", "linewidth": 1.2},
            whiskerprops={"color": GREY}, capprops={"color": GREY},
        )  # fmt: skip
        for box, name in zip(boxes["boxes"], names, strict=True):
            box.set_facecolor(colors[name])
            box.set_alpha(0.35)
        stats = distribution_stats(results, kpi)
        for position, name, sample in zip(positions, names, samples, strict=True):
            if not len(sample):
                continue
            shown = sample
            if len(shown) > _MAX_DOTS:
                shown = generator.choice(shown, _MAX_DOTS, replace=False)
            jitter = generator.uniform(-0.16, 0.16, len(shown))
            axes.plot(
                position + jitter, shown, "o", color=colors[name], markersize=3, alpha=0.55,
                zorder=2,
            )  # fmt: skip
            row = stats[stats["alternative"] == name].iloc[0]
            low, high = float(row["var95"]) * scale, float(sample.max())
            axes.add_patch(
                Rectangle(
                    (position - 0.34, low), 0.68, max(high - low, 0.0), facecolor=_TAIL,
                    alpha=0.18, edgecolor=_TAIL, linewidth=0.8, zorder=1,
                )
            )  # fmt: skip
            axes.plot(
                [position + 0.36], [float(row["cvar95"]) * scale], marker="<", color=_TAIL,
                markersize=8, linestyle="none", zorder=4, gid=f"cvar95:{kpi}:{name}",
            )  # fmt: skip
            mean = float(row["mean"]) * scale
            ci = np.array([[mean - row["ci95_low"] * scale], [row["ci95_high"] * scale - mean]])
            drawn = axes.errorbar(
                [position], [mean], yerr=np.nan_to_num(ci), fmt="D", color="white",
                markeredgecolor="black", ecolor="black", elinewidth=2, capsize=5, capthick=2,
                markersize=6, zorder=5,
            )  # fmt: skip
            drawn.lines[0].set_gid(f"mean:{kpi}:{name}")  # the data point, not its bars
        crowded = sum(len(name) for name in names) > 8 * len(names) or len(names) > 4
        axes.set_xticks(
            positions, names, rotation=30 if crowded else 0, ha="right" if crowded else "center"
        )
        color_ticks(axes, names, colors)
        axes.set_title(kpi.replace("_", " "))
        axes.set_ylabel(axis_label(kpi, unit))
        thousands(axes)
    handles = [
        Patch(facecolor="grey", alpha=0.35, edgecolor="black",
              label="box: quartiles and median; grey whiskers: 5–95 %"),
        Line2D([], [], marker="o", color="grey", linestyle="none", markersize=3,
               label="one replication"),
        Line2D([], [], marker="D", color="black", markerfacecolor="white", linewidth=2,
               label="mean with its 95 % CI"),
        Patch(facecolor=_TAIL, alpha=0.18, edgecolor=_TAIL, label="worst 5 % of replications"),
        Line2D([], [], marker="<", color=_TAIL, linestyle="none",
               label="CVaR₉₅: mean of the worst 5 %"),
    ]  # fmt: skip
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    return figure


KINDS = (
    FigureKind(
        "distributions",
        "Spread of total cost, stockout days and lost sales, with the mean and the CVaR₉₅ tail",
        outcome_distributions,
        lambda results: results.kind in ("run", "compare") and len(results.replications) > 0,
        "the results of jitsim run or jitsim compare",
    ),
)
