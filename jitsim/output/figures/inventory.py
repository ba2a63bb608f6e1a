"""Stock and cash over time, from the kept trajectories (``jitsim run FILE --trajectories N``).

A trajectory is one replication's end-of-day record of every stock point: ``on_hand``,
``backorders``, ``on_order`` and ``cash_tied_up`` (on-hand plus owned in-transit stock at unit
cost) on each day, warm-up included. Figures show the median and the 5–95 % band over the kept
replications, day by day; they never rerun anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jitsim.errors import JitsimError
from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import fitted_title, ordered, thousands
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.scenario.disruptions import Outage
from jitsim.scenario.models import Scenario
from jitsim.scenario.resolve import resolve

__all__ = [
    "KINDS",
    "ReorderLevel",
    "cash_over_time",
    "cash_parts",
    "inventory_bands",
    "inventory_over_time",
    "outage_windows",
    "reorder_level",
]

#: Sample paths drawn over the band of each panel: a few on a short horizon, one on a long one
#: (more would hide the band).
SAMPLE_PATHS = 3
#: Days above which one sample path is drawn.
_LONG_HORIZON = 150
#: Colour of the sample paths (apart from the median, drawn in the alternative's colour).
_PATH = "#333333"
#: Colour of scheduled outage windows (a light vermillion, apart from the alternatives' hues).
_OUTAGE = "#D55E00"
#: What the figures need when the results have no trajectories.
_NEEDS = "kept trajectories: jitsim run FILE --trajectories 20"


def _trajectories(results: Results) -> pd.DataFrame:
    """The stock points' kept trajectories (the cash ledger's ``@cash`` rows left out)."""
    frame = results.stock_trajectories()
    if frame is None or frame.empty:
        raise JitsimError(f"{results.directory} has no trajectories; they need {_NEEDS}")
    return frame


def _has_trajectories(results: Results) -> bool:
    frame = results.stock_trajectories()
    return frame is not None and not frame.empty


def _quantiles(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per day: the 5 %, 50 % and 95 % quantiles of ``column`` over replications."""
    grid = frame.pivot_table(index="day", columns="replication", values=column, aggfunc="first")
    values = grid.to_numpy(dtype=float)
    low, median, high = np.nanpercentile(values, [5, 50, 95], axis=1)
    return pd.DataFrame({"day": grid.index.to_numpy(), "p05": low, "median": median, "p95": high})


def _resolved(results: Results, alternative: str) -> Scenario:
    """The scenario as ``alternative`` ran it (its policies and changes applied)."""
    try:
        return resolve(results.scenario, alternative)
    except JitsimError:  # an alternative the scenario file no longer names: its base
        return results.scenario


# --------------------------------------------------------------------------- inventory


def inventory_bands(results: Results) -> pd.DataFrame:
    """Net inventory (on hand − backorders, units) per stock point, alternative and day.

    Returns
    -------
    DataFrame
        Columns ``stock_point, alternative, day, p05, median, p95``: quantiles over the kept
        replications of the end-of-day net inventory (units).
    """
    frame = _trajectories(results).copy()
    frame["net"] = frame["on_hand"] - frame["backorders"]
    parts = []
    for (point, alternative), group in frame.groupby(["stock_point", "alternative"], sort=False):
        bands = _quantiles(group, "net")
        bands.insert(0, "alternative", str(alternative))
        bands.insert(0, "stock_point", str(point))
        parts.append(bands)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class ReorderLevel:
    """The level of the inventory position at or below which a policy orders.

    Attributes
    ----------
    label : str
        What the policy calls it (``"s"``, ``"r"``, ``"reorder point"``, ``"S"``).
    units : float
        The level (units of the item).
    """

    label: str
    units: float


def reorder_level(results: Results, point: str, alternative: str) -> ReorderLevel | None:
    """The reorder level of ``point`` under ``alternative``, or None for a policy without one
    (JIT, kanban, a pull base-stock of 0).

    (s,S) gives s, (r,Q) gives r, EOQ its reorder point (given, or derived from demand and
    recorded per replication as ``POINT.eoq_reorder_point``: their mean), base-stock its S.
    """
    spec = _resolved(results, alternative).stock_points.get(point)
    if spec is None:
        return None
    policy = spec.policy  # a plug-in policy may be any spec: read its fields by name
    kind = getattr(policy, "kind", "")
    if kind == "s_S":
        return ReorderLevel("s", float(getattr(policy, "s")))  # noqa: B009
    if kind == "r_Q":
        return ReorderLevel("r", float(getattr(policy, "r")))  # noqa: B009
    if kind == "base_stock" and float(getattr(policy, "S")) > 0:  # noqa: B009
        return ReorderLevel("base-stock level S", float(getattr(policy, "S")))  # noqa: B009
    if kind == "eoq":
        given = getattr(policy, "reorder_point", None)
        if given is not None:
            return ReorderLevel("reorder point", float(given))
        column = f"{point}.eoq_reorder_point"
        frame = results.replications
        if column in frame:
            values = frame.loc[frame["alternative"] == alternative, column].dropna()
            if len(values):
                return ReorderLevel("reorder point", float(values.mean()))
    return None


def _upstream(scenario: Scenario, point: str) -> set[str]:
    """``point`` and every node its stock comes through: sources, backups, plants and the
    stock points that feed them."""
    seen: set[str] = set()
    todo = [point]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        spec = scenario.stock_points.get(node)
        if spec is not None:
            todo.append(spec.source)
            if spec.backup is not None:
                todo.append(spec.backup.source)
        plant = scenario.plants.get(node)
        if plant is not None:
            for product in plant.products.values():
                for item in product.bom:
                    todo.append(plant.materials_from.get(item) or _holder(scenario, item))
    return {node for node in seen if node}


def _holder(scenario: Scenario, item: str) -> str:
    """The one stock point holding ``item`` ('' if none or several)."""
    holders = [name for name, spec in scenario.stock_points.items() if spec.item == item]
    return holders[0] if len(holders) == 1 else ""


def outage_windows(
    scenario: Scenario, point: str
) -> tuple[list[tuple[str, float, float]], list[str]]:
    """Outages that can starve ``point``: those of the point or a node upstream of it.

    Returns
    -------
    scheduled : list of (str, float, float)
        ``(event name, start, end)`` of each scheduled window (days since the start).
    random : list of str
        Names of random outages (``up``/``down`` or Markov): their windows differ by
        replication and are not recorded, so they cannot be drawn.
    """
    upstream = _upstream(scenario, point)
    scheduled: list[tuple[str, float, float]] = []
    random: list[str] = []
    for name, event in scenario.disruptions.items():
        if not isinstance(event, Outage) or not upstream & set(event.nodes):
            continue
        if event.windows is None:
            random.append(name)
            continue
        scheduled += [(name, w.start, w.start + w.days) for w in event.windows]
    return scheduled, random


@dataclass
class _TimeShading:
    """Greys the warm-up and shades scheduled outages on time axes, and remembers what it
    shaded for the legend."""

    warmup_days: float
    scheduled: list[str] = field(default_factory=list)
    random: list[str] = field(default_factory=list)

    def shade(self, axes: Axes, scenario: Scenario, points: Iterable[str]) -> None:
        """Shade ``axes`` for the outages upstream of ``points`` in ``scenario``."""
        if self.warmup_days > 0:
            axes.axvspan(0, self.warmup_days, color=GREY, alpha=0.18, linewidth=0, zorder=0)
        drawn: set[tuple[float, float]] = set()
        for point in points:
            windows, random = outage_windows(scenario, point)
            self.random += [name for name in random if name not in self.random]
            for name, start, end in windows:
                if name not in self.scheduled:
                    self.scheduled.append(name)
                if (start, end) not in drawn:
                    drawn.add((start, end))
                    axes.axvspan(start, end, color=_OUTAGE, alpha=0.15, linewidth=0, zorder=0)

    def legend(self) -> list[Line2D | Patch]:
        """Legend entries of what was shaded, and of the random outages that were not."""
        handles: list[Line2D | Patch] = []
        if self.warmup_days > 0:
            handles.append(Patch(color=GREY, alpha=0.18, label="warm-up (not measured)"))
        if self.scheduled:
            names = ", ".join(self.scheduled)
            handles.append(Patch(color=_OUTAGE, alpha=0.15, label=f"outage upstream ({names})"))
        if self.random:
            handles.append(
                Line2D(
                    [], [], linestyle="none",
                    label=f"random outages not drawn ({', '.join(self.random)}):\n"
                    "their days differ by replication",
                )
            )  # fmt: skip
        return handles


def inventory_over_time(results: Results) -> Figure:
    """Net inventory over time: one panel per stock point (rows) and alternative (columns),
    each with the median and 5–95 % band over the kept replications, a few sample paths, the
    policy's reorder level, scheduled outages upstream shaded and the warm-up greyed."""
    frame = _trajectories(results).copy()
    frame["net"] = frame["on_hand"] - frame["backorders"]
    bands = inventory_bands(results)
    names = ordered(results.alternatives, frame["alternative"].unique())
    points = ordered(results.scenario.stock_points, frame["stock_point"].unique())
    colors = alternative_colors(results.scenario, names)
    kept = frame.groupby("alternative")["replication"].nunique().max()
    width = min(4.2 * len(names) + 1.0, 18.0)
    figure, grid = new_figure(
        fitted_title(
            results.scenario.name,
            f"inventory over time (median and 5–95 % band of {kept} kept replications)",
            width,
        ),
        rows=len(points),
        columns=len(names),
        size=(width, min(2.9 * len(points) + 1.6, 24.0)),
    )
    paths_shown = SAMPLE_PATHS if frame["day"].max() <= _LONG_HORIZON else 1
    shading = _TimeShading(results.scenario.run.warmup_days)
    reorder_shown = False
    for row, point in enumerate(points):
        for column, alternative in enumerate(names):
            axes = grid[row * len(names) + column]
            if column:
                axes.sharey(grid[row * len(names)])
            if row or column:
                axes.sharex(grid[0])
            scenario = _resolved(results, alternative)
            shading.shade(axes, scenario, [point])
            color = colors[alternative]
            band = bands[(bands["stock_point"] == point) & (bands["alternative"] == alternative)]
            axes.fill_between(band["day"], band["p05"], band["p95"], color=color, alpha=0.25)
            paths = frame[(frame["stock_point"] == point) & (frame["alternative"] == alternative)]
            for replication in sorted(paths["replication"].unique())[:paths_shown]:
                path = paths[paths["replication"] == replication]
                axes.plot(path["day"], path["net"], color=_PATH, linewidth=0.5, alpha=0.5)
            axes.plot(
                band["day"], band["median"], color=color, linewidth=2.0,
                gid=f"median:{point}:{alternative}",
            )  # fmt: skip
            axes.axhline(0, color="black", linewidth=0.7)
            level = reorder_level(results, point, alternative)
            if level is not None:
                reorder_shown = True
                axes.axhline(
                    level.units, color="black", linestyle="--", linewidth=1.1,
                    gid=f"reorder:{point}:{alternative}",
                )  # fmt: skip
                axes.annotate(
                    f"{level.label} = {level.units:,.{0 if level.units.is_integer() else 1}f}",
                    (1.0, level.units), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8,
                          "linewidth": 0},
                )  # fmt: skip
            axes.set_title(f"{point} · {alternative}", color=color, fontweight="bold")
            if column == 0:
                axes.set_ylabel(axis_label("on hand − backorders", "units"))
            thousands(axes)
            if row == len(points) - 1:
                axes.set_xlabel("day (end-of-day stock)")
    handles: list[Line2D | Patch] = [
        Line2D([], [], color=GREY, linewidth=2.0, label="median (in the alternative's colour)"),
        Patch(color=GREY, alpha=0.25, label="5–95 % of replications"),
        Line2D([], [], color=_PATH, linewidth=0.5, alpha=0.5, label="sample replications"),
    ]
    if reorder_shown:
        handles.append(
            Line2D(
                [], [], color="black", linestyle="--",
                label="reorder level (of the inventory position)",
            )
        )  # fmt: skip
    handles += shading.legend()
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3))
    return figure


# --------------------------------------------------------------------------- cash


def cash_parts(results: Results) -> pd.DataFrame:
    """Cash tied up in stock per alternative and day, summed over the stock points, split into
    on hand and owned in transit (currency).

    ``cash_tied_up`` of a stock point is its on-hand plus owned in-transit stock at the item's
    unit cost (in-transit stock is owned from shipment when the supplier's ``title_transfer``
    is ``shipment``, from receipt otherwise); the on-hand part is ``on_hand × unit_cost`` and
    the rest is in transit. Work in process at plants is not in the trajectories.

    Returns
    -------
    DataFrame
        Columns ``alternative, day, on_hand, in_transit, total, total_p05, total_median,
        total_p95``: the means over the kept replications of each part and of their total
        (means, so the parts add up to the total), and quantiles of the total.
    """
    frame = _trajectories(results).copy()
    unit_cost = np.full(len(frame), np.nan)
    for alternative in frame["alternative"].unique():
        scenario = _resolved(results, str(alternative))
        for point, spec in scenario.stock_points.items():
            rows = (frame["alternative"] == alternative) & (frame["stock_point"] == point)
            unit_cost[rows.to_numpy()] = scenario.items[spec.item].unit_cost
    frame["on_hand_value"] = frame["on_hand"].to_numpy(dtype=float) * unit_cost
    frame["in_transit_value"] = (frame["cash_tied_up"] - frame["on_hand_value"]).clip(lower=0.0)
    network = frame.groupby(["alternative", "replication", "day"], sort=False)[
        ["on_hand_value", "in_transit_value", "cash_tied_up"]
    ].sum()
    by_day = network.groupby(level=["alternative", "day"], sort=False)
    out = by_day[["on_hand_value", "in_transit_value"]].mean()
    out.columns = pd.Index(["on_hand", "in_transit"])
    out["total"] = out["on_hand"] + out["in_transit"]
    for name, q in (("total_p05", 0.05), ("total_median", 0.5), ("total_p95", 0.95)):
        out[name] = by_day["cash_tied_up"].quantile(q)
    return out.reset_index().sort_values(["alternative", "day"], kind="stable", ignore_index=True)


def cash_over_time(results: Results) -> Figure:
    """Cash tied up in stock over time per alternative, stacked on hand / owned in transit
    (means over the kept replications), with the 5–95 % band of the total, the warm-up greyed
    and scheduled outages shaded."""
    parts = cash_parts(results)
    names = ordered(results.alternatives, parts["alternative"].unique())
    colors = alternative_colors(results.scenario, names)
    in_transit = bool((parts["in_transit"] > 0).any())
    kept = _trajectories(results).groupby("alternative")["replication"].nunique().max()
    width = min(4.2 * len(names) + 1.0, 18.0)
    figure, grid = new_figure(
        fitted_title(
            results.scenario.name,
            f"cash tied up in stock over time (mean of {kept} kept replications)",
            width,
        ),
        columns=len(names),
        size=(width, 4.8),
    )
    shading = _TimeShading(results.scenario.run.warmup_days)
    for column, alternative in enumerate(names):
        axes = grid[column]
        if column:
            axes.sharey(grid[0])
            axes.sharex(grid[0])
        scenario = _resolved(results, alternative)
        shading.shade(axes, scenario, scenario.stock_points)
        data = parts[parts["alternative"] == alternative]
        color = colors[alternative]
        days = data["day"].to_numpy()
        on_hand = data["on_hand"].to_numpy()
        axes.fill_between(days, 0, on_hand, color=color, alpha=0.75, linewidth=0)
        if in_transit:
            axes.fill_between(
                days, on_hand, on_hand + data["in_transit"].to_numpy(), facecolor=color,
                alpha=0.3, hatch="//", edgecolor=color, linewidth=0,
            )  # fmt: skip
        for bound in ("total_p05", "total_p95"):
            axes.plot(days, data[bound], color="black", linewidth=0.6, linestyle=":")
        axes.set_title(alternative, color=color, fontweight="bold")
        axes.set_xlabel("day (end-of-day stock)")
        if column == 0:
            axes.set_ylabel(axis_label("cash tied up", results.currency))
        thousands(axes)
    top = float(np.nanmax(parts[["total", "total_p95"]].to_numpy())) if len(parts) else 1.0
    grid[0].set_ylim(0, top * 1.05 if top > 0 else 1.0)
    handles: list[Line2D | Patch] = [
        Patch(color=GREY, alpha=0.75, label="on hand (units × unit cost)")
    ]
    if in_transit:
        handles.append(
            Patch(
                facecolor=GREY, alpha=0.3, hatch="//", label="owned in transit (title at shipment)"
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            color="black",
            linewidth=0.6,
            linestyle=":",
            label="total: 5 % and 95 % of replications",
        )
    )
    handles += shading.legend()
    if results.scenario.plants:
        handles.append(
            Line2D(
                [], [], linestyle="none",
                label="work in process at plants is not in the trajectories\n"
                "(see the KPI PLANT.avg_wip_value)",
            )
        )  # fmt: skip
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 2))
    return figure


KINDS = (
    FigureKind(
        "inventory",
        "Inventory over time per stock point: median, 5–95 % band, reorder level, outages",
        inventory_over_time,
        _has_trajectories,
        _NEEDS,
    ),
    FigureKind(
        "cash",
        "Cash tied up in stock over time, on hand and owned in transit",
        cash_over_time,
        _has_trajectories,
        _NEEDS,
    ),
)
