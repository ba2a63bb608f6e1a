"""Waste and space beside the holding cost: what a holding rate leaves out.

The holding rate prices stock that is *kept*; stock thrown away when it expires or reaches its
end of life, and warehouse space paid for whether it is full or not, are costs of their own
(``docs/waste-space-cash.md``), part of ``total_cost`` when the scenario uses the feature. The
panel sets them side by side per alternative: on the left the rate-based carrying cost
(holding plus the obsolescence share of the rate), on the right the simulated waste and space
costs stacked — so a buffer that looks cheap on its holding rate but throws a third of its
stock away shows it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jitsim.model.kpis import WASTE_SPACE_COSTS
from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import color_ticks, fitted_title, thousands
from jitsim.output.figures.style import GREY, OKABE_ITO, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.output.tables import WASTE_LABELS
from jitsim.stats import summarize_frame

__all__ = ["CARRYING", "KINDS", "waste_space_costs", "waste_space_panel"]

#: The rate-based carrying cost, bottom to top of the left bar, with labels.
CARRYING = (("holding_cost", "holding"), ("obsolescence_cost", "obsolescence (rate)"))
#: Colours of the stacked parts: carrying in greys, waste and space in palette hues (hatched,
#: so they stay apart in grey print).
_CARRYING_SHADES = ("#9a9a9a", "#c8c8c8")
_WASTE_SHADES = {
    "expiry_cost": OKABE_ITO[5],  # vermillion
    "obsolescence_write_off": OKABE_ITO[3],  # reddish purple
    "space_cost": OKABE_ITO[4],  # sky blue
    "overflow_cost": OKABE_ITO[1],  # orange
}
_HATCHES = {
    "expiry_cost": "//",
    "obsolescence_write_off": "xx",
    "space_cost": "..",
    "overflow_cost": "\\\\",
}
#: Width of one bar (an alternative's pair spans 2 × this).
_BAR = 0.38


def _has_waste(results: Results) -> bool:
    return results.kind in ("run", "compare") and any(
        kpi in results.replications for kpi in WASTE_SPACE_COSTS
    )


def waste_space_costs(results: Results) -> pd.DataFrame:
    """Mean cost of each part per alternative, and the 95 % CI of the two bars' totals.

    Returns
    -------
    DataFrame
        Indexed by alternative (in scenario order); one column per cost KPI present
        (currency over the measured window, mean over replications, NaN as 0), and
        ``carrying_low, carrying_high, waste_low, waste_high``: the 95 % CI of the mean of each
        replication's carrying cost (holding + rate-based obsolescence) and of its waste and
        space cost (the sum of :data:`~jitsim.model.kpis.WASTE_SPACE_COSTS` present).
    """
    frame = results.replications
    carrying = [kpi for kpi, _ in CARRYING if kpi in frame]
    waste = [kpi for kpi in WASTE_SPACE_COSTS if kpi in frame]
    sums = pd.DataFrame(
        {
            "alternative": frame["alternative"].astype(str),
            "carrying": frame[carrying].fillna(0.0).sum(axis=1),
            "waste": frame[waste].fillna(0.0).sum(axis=1),
        }
    )
    out = frame.groupby("alternative", sort=False)[carrying + waste].mean().fillna(0.0)
    out.index = out.index.astype(str)
    intervals = summarize_frame(sums, by="alternative", kpis=["carrying", "waste"])
    for part in ("carrying", "waste"):
        rows = intervals[intervals["kpi"] == part].set_index("alternative")
        out[f"{part}_low"] = rows["ci95_low"]
        out[f"{part}_high"] = rows["ci95_high"]
    return out.reindex(results.alternatives)


def waste_space_panel(results: Results) -> Figure:
    """Per alternative two bars: the rate-based carrying cost, and beside it the waste and
    space costs stacked (expiry, end-of-life write-off, space, overflow), each with its total's
    95 % CI and its mean written on top."""
    costs = waste_space_costs(results)
    names = list(costs.index)
    colors = alternative_colors(results.scenario, names)
    width = max(6.0, min(1.9 * len(names) + 3.0, 16.0))
    figure, (axes,) = new_figure(
        fitted_title(
            results.scenario.name, "waste and space beside the holding cost (mean, 95 % CI)", width
        ),
        size=(width, 5.0),
    )
    x = np.arange(len(names), dtype=float)
    handles: list[Patch | Line2D] = []
    for side, parts, offset in (
        ("carrying", [(k, label) for k, label in CARRYING if k in costs], -_BAR / 2),
        ("waste", [(k, WASTE_LABELS[k]) for k in WASTE_SPACE_COSTS if k in costs], _BAR / 2),
    ):
        bottom = np.zeros(len(names))
        for index, (kpi, label) in enumerate(parts):
            values = costs[kpi].to_numpy(dtype=float)
            if side == "carrying":
                face, hatch = _CARRYING_SHADES[index % len(_CARRYING_SHADES)], None
            else:
                face, hatch = _WASTE_SHADES[kpi], _HATCHES[kpi]
            axes.bar(
                x + offset, values, _BAR, bottom=bottom, facecolor=face, hatch=hatch,
                edgecolor="white", linewidth=0.8, gid=kpi,
            )  # fmt: skip
            handles.append(Patch(facecolor=face, hatch=hatch, edgecolor="white", label=label))
            bottom += values
        low = (bottom - costs[f"{side}_low"].to_numpy(dtype=float)).clip(min=0)
        high = (costs[f"{side}_high"].to_numpy(dtype=float) - bottom).clip(min=0)
        axes.errorbar(
            x + offset, bottom, yerr=[np.nan_to_num(low), np.nan_to_num(high)], fmt="none",
            ecolor="black", capsize=4, linewidth=1.0,
        )  # fmt: skip
        for position, total, above in zip(x + offset, bottom, np.nan_to_num(high), strict=True):
            axes.annotate(
                f"{total:,.0f}", (position, total + above), xytext=(0, 3),
                textcoords="offset points", ha="center", va="bottom", fontsize=8,
                gid=f"total:{side}",
            )  # fmt: skip
    axes.set_xticks(x, names)
    color_ticks(axes, names, colors)
    axes.set_xlabel(
        "alternative (left bar: carrying cost of the holding rate; right: waste and space)"
    )
    axes.set_ylabel(axis_label("mean cost over the measured window", results.currency))
    axes.axhline(0, color=GREY, linewidth=0.8)
    axes.margins(y=0.12)
    thousands(axes)
    handles.append(
        Line2D([], [], color="black", marker="_", markersize=10, label="95 % CI of the bar's total")
    )
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    return figure


KINDS = (
    FigureKind(
        "waste",
        "Waste and space costs beside the holding cost per alternative",
        waste_space_panel,
        _has_waste,
        "the results of jitsim run or compare of a scenario with perishables, an end of life "
        "or warehouse capacity",
    ),
)
