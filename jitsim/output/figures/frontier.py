"""Service against cash: the fill rate each alternative buys with the cash it ties up, and the
efficient frontier of the alternatives no other one beats on both.

An alternative (or, in a sweep, an alternative at one sweep point) is *dominated* when another
one has a mean fill rate at least as high and a mean cash tied up at most as high, and is
strictly better on one of them. The frontier joins the others, from the least cash to the most.
Dominance is judged on the means; the crosses show each mean's 95 % confidence interval, so
points whose crosses overlap may not differ significantly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import fitted_title, thousands
from jitsim.output.figures.style import alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.stats import summarize_frame

__all__ = ["KINDS", "frontier_points", "non_dominated", "service_cash_frontier"]

#: The two KPIs: service (larger is better) and cash (smaller is better).
SERVICE, CASH = "fill_rate", "avg_cash_tied_up"
#: Opacity of dominated points.
_FADED = 0.3


def non_dominated(service: np.ndarray, cash: np.ndarray) -> np.ndarray:
    """Which options no other option beats: none has service ≥ and cash ≤, one of them
    strictly (NaN options are dominated).

    Parameters
    ----------
    service, cash : ndarray
        Mean service (larger is better) and mean cash (smaller is better) of each option.

    Returns
    -------
    ndarray of bool
    """
    service = np.asarray(service, dtype=float)
    cash = np.asarray(cash, dtype=float)
    valid = np.isfinite(service) & np.isfinite(cash)
    keep = valid.copy()
    for i in np.flatnonzero(valid):
        others = valid & (service >= service[i]) & (cash <= cash[i])
        others &= (service > service[i]) | (cash < cash[i])
        keep[i] = not others.any()
    return keep


def _sweep_axes(frame: pd.DataFrame) -> list[str]:
    """The swept parameters: the columns between ``point`` and ``alternative``."""
    columns = list(frame.columns)
    if "point" not in columns or "alternative" not in columns:
        return []
    return [c for c in columns[: columns.index("alternative")] if c != "point"]


def frontier_points(results: Results) -> pd.DataFrame:
    """One row per alternative (per sweep point and alternative in a sweep) with its mean fill
    rate and mean cash tied up, their 95 % CIs and whether it is on the efficient frontier.

    Returns
    -------
    DataFrame
        Columns ``label, alternative, point`` (-1 outside a sweep), the swept parameters,
        ``service, service_low, service_high`` (fraction), ``cash, cash_low, cash_high``
        (currency) and ``efficient`` (bool). Options whose fill rate is undefined (no demand)
        are left out.
    """
    frame = results.replications
    axes = _sweep_axes(frame) if results.kind == "sweep" else []
    by = ["point", *axes, "alternative"] if axes else ["alternative"]
    summary = summarize_frame(frame, by=by, kpis=[SERVICE, CASH])
    wide = summary.pivot_table(
        index=by, columns="kpi", values=["mean", "ci95_low", "ci95_high"], dropna=False
    )
    out = pd.DataFrame(index=wide.index).reset_index()
    for kpi, name in ((SERVICE, "service"), (CASH, "cash")):
        out[name] = wide[("mean", kpi)].to_numpy()
        # one replication has no interval: the cross shrinks to the point
        out[f"{name}_low"] = wide[("ci95_low", kpi)].fillna(wide[("mean", kpi)]).to_numpy()
        out[f"{name}_high"] = wide[("ci95_high", kpi)].fillna(wide[("mean", kpi)]).to_numpy()
    if "point" not in out:
        out.insert(0, "point", -1)
    out = out[np.isfinite(out["service"]) & np.isfinite(out["cash"])].reset_index(drop=True)
    rank = {name: i for i, name in enumerate(results.alternatives)}
    out = out.sort_values(
        ["point", "alternative"], key=lambda s: s.map(rank) if s.name == "alternative" else s
    ).reset_index(drop=True)
    out["label"] = [
        "\n".join([str(row["alternative"]), *(f"{_short(a)}={row[a]:g}" for a in axes)])
        for _, row in out.iterrows()
    ]
    out["efficient"] = non_dominated(out["service"].to_numpy(), out["cash"].to_numpy())
    return out


def _merged_labels(points: pd.DataFrame) -> list[tuple[int, str]]:
    """One label per drawn position: sweep points of one alternative with equal means (a
    parameter its policy ignores) share a label, the swept values joined."""
    groups: dict[tuple[str, float, float], list[int]] = {}
    for i, row in points.iterrows():
        key = (str(row["alternative"]), round(row["service"], 12), round(row["cash"], 9))
        groups.setdefault(key, []).append(int(str(i)))
    out = []
    for members in groups.values():
        lines = [str(points.loc[i, "label"]).split("\n") for i in members]
        merged = [lines[0][0]]
        for depth in range(1, len(lines[0])):
            name = lines[0][depth].split("=")[0]
            values = list(dict.fromkeys(line[depth].split("=", 1)[1] for line in lines))
            merged.append(f"{name}={', '.join(values)}")
        out.append((members[0], "\n".join(merged)))
    return out


def _short(path: str) -> str:
    """``suppliers.acme.order_cost`` → ``acme.order_cost`` (enough to tell axes apart)."""
    return ".".join(path.split(".")[-2:])


def service_cash_frontier(results: Results) -> Figure:
    """Mean fill rate against mean cash tied up, one point per alternative (and sweep point)
    with its 95 % CI cross, the efficient frontier drawn and dominated options faded."""
    points = frontier_points(results)
    names = list(dict.fromkeys(points["alternative"]))
    colors = alternative_colors(results.scenario, names)
    width = 8.5
    subject = "fill rate against cash tied up"
    if results.kind == "sweep":
        subject += " at every sweep point"
    figure, (axes,) = new_figure(
        fitted_title(results.scenario.name, subject, width), size=(width, 5.6)
    )
    frontier = points[points["efficient"]].sort_values("cash")
    axes.plot(
        frontier["cash"], frontier["service"] * 100, color="black", linestyle="--",
        linewidth=1.2, zorder=1,
    )  # fmt: skip
    for _, row in points.iterrows():
        alpha = 1.0 if row["efficient"] else _FADED
        color = colors[row["alternative"]]
        drawn = axes.errorbar(
            row["cash"], row["service"] * 100,
            xerr=[[row["cash"] - row["cash_low"]], [row["cash_high"] - row["cash"]]],
            yerr=[[(row["service"] - row["service_low"]) * 100],
                  [(row["service_high"] - row["service"]) * 100]],
            fmt="o", color=color, ecolor=color, alpha=alpha, markersize=8, capsize=4,
            markeredgecolor="black" if row["efficient"] else color, zorder=2,
        )  # fmt: skip
        status = "efficient" if row["efficient"] else "dominated"
        drawn.lines[0].set_gid(f"option:{row['label']}:{status}")  # the point, not its bars
    span = max(float(points["cash_high"].max() - points["cash_low"].min()), 1e-12)
    previous = -np.inf
    below = False
    cash = points["cash"].to_numpy(dtype=float)
    for i, text in sorted(_merged_labels(points), key=lambda item: float(cash[item[0]])):
        row = points.iloc[i]
        # a label close to the previous one (in cash) goes on the other side of its point
        below = not below if row["cash"] - previous < 0.25 * span else False
        previous = row["cash"]
        axes.annotate(
            text, (row["cash"], row["service"] * 100), xytext=(7, -8 if below else 6),
            textcoords="offset points", va="top" if below else "bottom", fontsize=8,
            color=colors[row["alternative"]], fontweight="bold" if row["efficient"] else "normal",
            alpha=1.0 if row["efficient"] else 0.6, zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75,
                  "linewidth": 0},
        )  # fmt: skip
    axes.set_xlabel(axis_label("mean cash tied up", results.currency))
    axes.set_ylabel(axis_label("mean fill rate", "%"))
    thousands(axes, "x")
    axes.margins(x=0.15, y=0.15)
    axes.annotate(
        "better: ↖ more service for less cash", (0.01, 0.99), xycoords="axes fraction",
        ha="left", va="top", fontsize=8, color="black",
    )  # fmt: skip
    handles = [
        Line2D([], [], color="black", linestyle="--", label="efficient frontier"),
        Line2D(
            [], [], marker="o", color="grey", markeredgecolor="black", linestyle="none",
            label="not dominated",
        ),
        Line2D(
            [], [], marker="o", color="grey", alpha=_FADED, linestyle="none",
            label="dominated (another has more service for less cash)",
        ),
        Line2D([], [], marker="+", color="grey", linestyle="none", markersize=12,
               label="95 % CI of each mean"),
    ]  # fmt: skip
    figure.legend(handles=handles, loc="outside lower center", ncols=2)
    return figure


def _supports(results: Results) -> bool:
    frame = results.replications
    if results.kind not in ("run", "compare", "sweep") or not len(frame):
        return False
    if SERVICE not in frame or CASH not in frame:
        return False
    return bool(frame[SERVICE].notna().any())


KINDS = (
    FigureKind(
        "frontier",
        "Service against cash tied up: efficient frontier of the alternatives",
        service_cash_frontier,
        _supports,
        "the results of jitsim run, compare or sweep, with demand (a defined fill rate)",
    ),
)
