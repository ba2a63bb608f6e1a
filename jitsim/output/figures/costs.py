"""What each alternative costs, and of what: the cost breakdown.

Holding cost is split into its configured parts (capital, storage, insurance) in proportion to
their annual rates — exact, since every part is charged on the same stock value; obsolescence
has its own KPI.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import fitted_title, thousands
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.stats import summarize_frame

__all__ = ["KINDS", "cost_breakdown", "cost_components"]

#: Cost KPIs stacked in the breakdown, bottom to top, with their labels.
COMPONENTS = (
    ("holding_cost", "holding"),
    ("obsolescence_cost", "obsolescence"),
    ("ordering_cost", "ordering"),
    ("shortage_cost", "shortage"),
    ("quality_cost", "quality"),
    ("expedite_cost", "expediting"),
    # waste and space (docs/waste-space-cash.md): in total_cost when the scenario uses them
    ("expiry_cost", "expiry"),
    ("obsolescence_write_off", "write-off"),
    ("space_cost", "space"),
    ("overflow_cost", "overflow"),
)
#: Parts of the holding rate, as the scenario names them.
HOLDING_PARTS = ("capital", "storage", "insurance")
#: Hatches tell the components apart in grey print; colours tell alternatives apart elsewhere.
_SHADES = (
    "#4c72b0", "#8fb3de", "#c7dbef", "#dd8452", "#f2b880", "#55a868", "#c44e52", "#8172b3",
    "#937860", "#da8bc3", "#8c8c8c", "#ccb974",
)  # fmt: skip


def cost_components(results: Results) -> dict[str, np.ndarray]:
    """Mean cost of each component per alternative (currency over the measured window), holding
    split into its configured parts; components that are zero everywhere are left out."""
    frame = results.replications
    means = frame.groupby("alternative", sort=False).mean(numeric_only=True)
    means = means.reindex(results.alternatives)
    parts = _holding_shares(results)
    out: dict[str, np.ndarray] = {}
    for kpi, label in COMPONENTS:
        if kpi not in means:
            continue
        values = means[kpi].fillna(0.0).to_numpy(dtype=float)
        if kpi == "holding_cost" and len(parts) > 1:
            for part, share in parts.items():
                out[f"holding: {part}"] = values * share
        elif np.any(values != 0):
            out[label] = values
    return out


def _holding_shares(results: Results) -> dict[str, float]:
    """Each configured part's share of the holding rate (the scenario's first item)."""
    items = list(results.scenario.items.values())
    rate = getattr(items[0], "holding_rate", None) if items else None
    shares = {part: float(getattr(rate, part, 0.0) or 0.0) for part in HOLDING_PARTS}
    total = sum(shares.values())
    return {p: s / total for p, s in shares.items() if s > 0} if total > 0 else {}


def cost_breakdown(results: Results) -> Figure:
    """Mean total cost per alternative, stacked by component, with the total's 95 % CI."""
    names = results.alternatives
    components = cost_components(results)
    width = 8.0  # inches: new_figure's default
    figure, (axes,) = new_figure(
        fitted_title(results.scenario.name, "what each alternative costs", width),
        size=(width, 4.5),
    )
    bottom = np.zeros(len(names))
    for (label, values), shade in zip(components.items(), _SHADES, strict=False):
        axes.bar(names, values, bottom=bottom, label=label, color=shade, edgecolor="white")
        bottom += values
    totals = summarize_frame(results.replications, by="alternative", kpis=["total_cost"])
    totals = totals.set_index("alternative").reindex(names)
    low = (totals["mean"] - totals["ci95_low"]).fillna(0).to_numpy()
    high = (totals["ci95_high"] - totals["mean"]).fillna(0).to_numpy()
    axes.errorbar(
        names, totals["mean"], yerr=[low, high], fmt="none", ecolor="black", capsize=6,
        label="total, 95 % CI",
    )  # fmt: skip
    colors = alternative_colors(results.scenario, names)
    for tick, name in zip(axes.get_xticklabels(), names, strict=True):
        tick.set_color(colors[name])
        tick.set_fontweight("bold")
    axes.set_ylabel(axis_label("mean cost over the measured window", results.currency))
    axes.set_xlabel("alternative")
    axes.axhline(0, color=GREY, linewidth=0.8)
    thousands(axes)
    # below the axes, like the other figures' legends (one outside on the right was cut off)
    handles, labels = axes.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=4, frameon=False)
    return figure


KINDS = (
    FigureKind(
        "costs",
        "Cost breakdown per alternative, with the total's 95 % CI",
        cost_breakdown,
        lambda results: results.kind in ("run", "compare"),
        "the results of jitsim run or jitsim compare",
    ),
)
