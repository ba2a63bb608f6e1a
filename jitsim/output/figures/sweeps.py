"""Sweeps and break-even searches: how a KPI moves with a scenario parameter.

* ``sweep``: each KPI against the swept parameter, one line and 95 % CI band per alternative
  (a second or third swept parameter draws one line style per value).
* ``heatmap``: a two-parameter sweep as a grid: each alternative's mean total cost per cell,
  and which alternative is cheapest in each cell.
* ``breakeven``: the paired difference A − B at every point the search evaluated, with its
  95 % CI, the zero line and the break-even point with its uncertainty interval.
"""

from __future__ import annotations

import shlex
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jitsim.model.kpis import direction
from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.output.tables import kpi_unit

__all__ = [
    "KINDS",
    "best_per_cell",
    "breakeven_figure",
    "heatmap_figure",
    "sweep_figure",
    "sweep_kpis",
    "swept_parameters",
]

#: KPIs a sweep figure shows when the command named none with ``--kpi`` (those recorded).
HEADLINE_KPIS = ("total_cost", "fill_rate", "avg_cash_tied_up", "stockout_days")
#: At most this many KPI panels.
MAX_PANELS = 4
#: Line styles telling the values of a second swept parameter apart.
_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def swept_parameters(results: Results) -> list[str]:
    """The swept parameters (dotted paths), in the order of the grid."""
    grid = results.summary.get("grid") or results.manifest.get("plan", {}).get("grid") or {}
    table = results.table("sweep_summary")
    names = list(grid)
    if table is not None:
        names = [name for name in names if name in table.columns]
    return names


def sweep_kpis(results: Results) -> list[str]:
    """The KPIs a sweep figure shows: those named with ``--kpi`` in the recorded command, else
    the headline KPIs recorded; ``total_cost`` first, at most :data:`MAX_PANELS`."""
    table = results.table("sweep_summary")
    recorded = set(table["kpi"].astype(str)) if table is not None else set()
    asked = _command_kpis(results.command) or list(HEADLINE_KPIS)
    ordered = ["total_cost"] + [k for k in asked if k != "total_cost"]
    return [k for k in ordered if k in recorded][:MAX_PANELS]


def _command_kpis(command: str) -> list[str]:
    """The ``--kpi`` values of a recorded command line."""
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    out: list[str] = []
    for i, word in enumerate(words):
        if word.startswith("--kpi="):
            out.append(word.split("=", 1)[1])
        elif word == "--kpi" and i + 1 < len(words):
            out.append(words[i + 1])
    return out


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Numeric x positions of a parameter's values, and tick labels when they are not
    numbers (policy kinds, names): those are placed at 0, 1, 2, ... in sweep order."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric.to_numpy(dtype=float), None
    labels = list(dict.fromkeys(values.astype(str)))
    return np.array([labels.index(str(v)) for v in values], dtype=float), labels


def _label(path: str) -> str:
    """A parameter's axis label: its dotted path (it names the field exactly)."""
    return path


def sweep_figure(results: Results) -> Figure:
    """Each recorded KPI (``total_cost`` first, at most four) against the swept parameter:
    the mean and its 95 % CI band per alternative."""
    table = results.table("sweep_summary")
    assert table is not None
    params = swept_parameters(results)
    kpis = sweep_kpis(results)
    varying = [p for p in params if table[p].nunique() > 1] or params
    x_param = varying[0]
    others = [p for p in params if p != x_param]
    columns = 1 if len(kpis) == 1 else 2
    rows = -(-len(kpis) // columns)
    figure, axes_list = new_figure(
        f"{results.scenario.name}\nthe KPIs over {x_param}",
        rows=rows,
        columns=columns,
        size=(5.2 * columns + 2.2, 3.6 * rows + 0.4),
    )
    names = results.alternatives
    colors = alternative_colors(results.scenario, names)
    combos = (
        list(table[others].drop_duplicates().itertuples(index=False, name=None)) if others else [()]
    )
    for axes, kpi in zip(axes_list, kpis, strict=False):
        unit, scale = kpi_unit(kpi, results.currency)
        rows_of_kpi = table[table["kpi"] == kpi]
        labels: list[str] | None = None
        for style_index, combo in enumerate(combos):
            subset = rows_of_kpi
            for name, value in zip(others, combo, strict=True):
                subset = subset[subset[name] == value]
            for name in names:
                line = subset[subset["alternative"] == name]
                if line.empty:
                    continue
                x, labels = _positions(line[x_param])
                order = np.argsort(x, kind="stable")
                x = x[order]
                mean = line["mean"].to_numpy(dtype=float)[order] * scale
                low = line["ci95_low"].to_numpy(dtype=float)[order] * scale
                high = line["ci95_high"].to_numpy(dtype=float)[order] * scale
                axes.plot(
                    x, mean, color=colors[name], linestyle=_STYLES[style_index % len(_STYLES)],
                    marker=_MARKERS[style_index % len(_MARKERS)], markersize=4,
                )  # fmt: skip
                axes.fill_between(x, low, high, color=colors[name], alpha=0.18, linewidth=0)
        if labels is not None:
            axes.set_xticks(range(len(labels)), labels)
        axes.set_title(kpi.replace("_", " "))
        axes.set_ylabel(axis_label(kpi, unit))
        axes.set_xlabel(_label(x_param))
    for axes in axes_list[len(kpis) :]:
        axes.set_visible(False)
    _sweep_legend(figure, names, colors, others, combos)
    return figure


def _sweep_legend(
    figure: Figure,
    names: list[str],
    colors: dict[str, str],
    others: list[str],
    combos: list[tuple[Any, ...]],
) -> None:
    """One legend for every panel, outside them: alternatives by colour, values of the other
    swept parameters by line style, and what the band is."""
    handles: list[Any] = []
    texts: list[str] = []
    reference = figure.axes[0]
    for name in names:
        (handle,) = reference.plot([], [], color=colors[name], linewidth=2.5)
        handles.append(handle)
        texts.append(name)
    if others:
        for index, combo in enumerate(combos):
            (handle,) = reference.plot(
                [], [], color="black", linestyle=_STYLES[index % len(_STYLES)],
                marker=_MARKERS[index % len(_MARKERS)], markersize=4,
            )  # fmt: skip
            handles.append(handle)
            texts.append(", ".join(f"{p} = {v}" for p, v in zip(others, combo, strict=True)))
    band = reference.fill_between([], [], [], color=GREY, alpha=0.3, linewidth=0)
    handles.append(band)
    texts.append("95 % CI of the mean")
    figure.legend(handles, texts, loc="outside right upper", frameon=False)


def best_per_cell(results: Results, kpi: str = "total_cost") -> pd.DataFrame:
    """The two-parameter grid's mean ``kpi`` per alternative, one row per cell (columns: the
    two parameters, one per alternative, ``best`` and ``best_mean``); the best has the lowest
    mean (the highest for a KPI where more is better, such as a fill rate)."""
    table = results.table("sweep_summary")
    assert table is not None
    first, second = swept_parameters(results)[:2]
    rows = table[table["kpi"] == kpi]
    wide = rows.pivot_table(index=[first, second], columns="alternative", values="mean")
    names = [n for n in results.alternatives if n in wide.columns]
    wide = wide[names]
    higher_is_better = direction(kpi) > 0
    best = wide.idxmax(axis=1) if higher_is_better else wide.idxmin(axis=1)
    out = wide.reset_index()
    out.columns.name = None
    out["best"] = best.to_numpy()
    out["best_mean"] = (
        wide.max(axis=1).to_numpy() if higher_is_better else wide.min(axis=1).to_numpy()
    )
    return out


def heatmap_figure(results: Results) -> Figure:
    """A two-parameter sweep: the cheapest alternative of each cell in its own colour (first:
    the answer), then each alternative's mean total cost in every cell on one colour scale."""
    first, second = swept_parameters(results)[:2]
    cells = best_per_cell(results)
    names = [n for n in results.alternatives if n in cells.columns]
    colors = alternative_colors(results.scenario, names)
    x_values = list(dict.fromkeys(cells[first].tolist()))
    y_values = list(dict.fromkeys(cells[second].tolist()))
    x_values, y_values = _sorted(x_values), _sorted(y_values)
    panels = len(names) + 1
    columns = min(panels, 2 if panels == 4 else 3)
    rows = -(-panels // columns)
    figure, axes_list = new_figure(
        f"{results.scenario.name}\nmean total cost over {first} × {second}",
        rows=rows,
        columns=columns,
        size=(4.4 * columns + 1.4, 3.6 * rows + 0.5),
    )
    index = {(x, y): i for i, (x, y) in enumerate(zip(cells[first], cells[second], strict=True))}
    grid = np.full((len(names), len(y_values), len(x_values)), np.nan)
    for (k, name), (j, y), (i, x) in product(
        enumerate(names), enumerate(y_values), enumerate(x_values)
    ):
        row = index.get((x, y))
        if row is not None:
            grid[k, j, i] = cells[name].iloc[row]
    low, high = np.nanmin(grid), np.nanmax(grid)
    image = None
    for k, (axes, name) in enumerate(zip(axes_list[1:], names, strict=False)):
        image = axes.imshow(
            grid[k], origin="lower", aspect="auto", cmap="viridis", vmin=low, vmax=high
        )
        for (j, _), (i, _) in product(enumerate(y_values), enumerate(x_values)):
            value = grid[k, j, i]
            if np.isfinite(value):
                dark = (value - low) / (high - low or 1.0) < 0.6
                axes.text(
                    i, j, f"{value:,.0f}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black",
                )  # fmt: skip
        axes.set_title(name, color=colors[name], fontweight="bold")
        _grid_axes(axes, first, second, x_values, y_values)
    assert image is not None
    figure.colorbar(
        image, ax=axes_list[1:panels], label=axis_label("mean total cost", results.currency),
        shrink=0.9,
    )  # fmt: skip
    best_axes = axes_list[0]
    _draw_best(best_axes, cells, first, second, x_values, y_values, colors, results.currency)
    _grid_axes(best_axes, first, second, x_values, y_values)
    for axes in axes_list[panels:]:
        axes.set_visible(False)
    return figure


def _draw_best(
    axes: Axes,
    cells: pd.DataFrame,
    first: str,
    second: str,
    x_values: list[Any],
    y_values: list[Any],
    colors: dict[str, str],
    currency: str,
) -> None:
    """Each cell in the colour of its cheapest alternative, named with its mean cost."""
    for record in cells.to_dict("records"):
        x, y = x_values.index(record[first]), y_values.index(record[second])
        best = str(record["best"])
        axes.add_patch(
            Rectangle(
                (x - 0.5, y - 0.5), 1, 1, facecolor=colors.get(best, GREY), alpha=0.55,
                edgecolor="white", linewidth=2,
            )
        )  # fmt: skip
        axes.text(
            x, y, f"{best}\n{record['best_mean']:,.0f} {currency}", ha="center", va="center",
            fontsize=8, color="black", fontweight="bold",
        )  # fmt: skip
    axes.set_xlim(-0.5, len(x_values) - 0.5)
    axes.set_ylim(-0.5, len(y_values) - 0.5)
    axes.set_title("cheapest alternative (mean)")


def _grid_axes(
    axes: Axes, first: str, second: str, x_values: list[Any], y_values: list[Any]
) -> None:
    axes.set_xticks(range(len(x_values)), [f"{v:g}" if _number(v) else str(v) for v in x_values])
    axes.set_yticks(range(len(y_values)), [f"{v:g}" if _number(v) else str(v) for v in y_values])
    axes.set_xlabel(first)
    axes.set_ylabel(second)
    axes.grid(False)


def _number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _sorted(values: list[Any]) -> list[Any]:
    """Numbers in increasing order; anything else as swept."""
    return sorted(values) if all(_number(v) for v in values) else values


def breakeven_figure(results: Results) -> Figure:
    """The break-even search: A − B at every evaluated parameter value with its 95 % CI, the
    zero line, and the break-even point with the interval where A and B cannot be told
    apart; the outcome in words beneath the title."""
    summary = results.summary
    points = results.table("breakeven_points")
    assert points is not None
    first, second = (str(n) for n in summary.get("between", ("A", "B")))
    kpi = str(summary.get("kpi", "total_cost"))
    param = str(summary.get("param", "parameter"))
    unit, scale = kpi_unit(kpi, results.currency)
    unit = "percentage points" if unit == "%" else unit
    figure, (axes,) = new_figure(
        f"{results.scenario.name}\nbreak-even of {first} − {second} on {kpi}",
        size=(8.5, 5.0),
    )
    sentence = str(summary.get("sentence", ""))
    if sentence:
        axes.set_title(sentence, fontsize=10, style="italic", wrap=True)
    ordered = points.sort_values("x")
    x = ordered["x"].to_numpy(dtype=float)
    mean = ordered["mean_diff"].to_numpy(dtype=float) * scale
    low = ordered["ci95_low"].to_numpy(dtype=float) * scale
    high = ordered["ci95_high"].to_numpy(dtype=float) * scale
    axes.axhline(0, color="black", linewidth=1.0, label=f"0: {first} = {second}")
    uncertainty = summary.get("uncertainty")
    if uncertainty:
        axes.axvspan(
            float(uncertainty[0]), float(uncertainty[1]), color="#E69F00", alpha=0.18,
            label="cannot be told apart (uncertainty)",
        )  # fmt: skip
    axes.plot(x, mean, color=GREY, linewidth=0.8, zorder=1)
    axes.errorbar(
        x, mean, yerr=[mean - low, high - mean], fmt="o", color="#0072B2", capsize=4,
        label="mean paired difference, 95 % CI", zorder=3,
    )  # fmt: skip
    for order, at, value in zip(ordered["evaluation"].astype(int), x, mean, strict=True):
        axes.annotate(
            str(order + 1), (at, value),
            textcoords="offset points", xytext=(6, 6), fontsize=8, color=GREY,
        )  # fmt: skip
    estimate = summary.get("estimate")
    if estimate is not None and np.isfinite(float(estimate)):
        axes.axvline(
            float(estimate), color="#D55E00", linestyle="--", linewidth=1.5,
            label=f"break-even ≈ {float(estimate):.4g}",
        )  # fmt: skip
    axes.set_xlabel(param)
    axes.set_ylabel(f"{first} − {second}: {kpi} ({unit})" if unit else f"{first} − {second}: {kpi}")
    axes.legend(loc="best", fontsize=8)
    axes.text(
        1.0, -0.16, "numbers: order of evaluation", transform=axes.transAxes, ha="right",
        fontsize=8, color=GREY,
    )  # fmt: skip
    return figure


def _two_parameters(results: Results) -> bool:
    return (
        results.kind == "sweep"
        and results.table("sweep_summary") is not None
        and len(swept_parameters(results)) == 2
    )


KINDS = (
    FigureKind(
        "sweep",
        "KPIs against the swept parameter, with 95 % CI bands per alternative",
        sweep_figure,
        lambda results: results.kind == "sweep" and results.table("sweep_summary") is not None,
        "the results of jitsim sweep",
    ),
    FigureKind(
        "heatmap",
        "Mean total cost over a two-parameter sweep, and the cheapest alternative per cell",
        heatmap_figure,
        _two_parameters,
        "the results of jitsim sweep over exactly two parameters (--set twice)",
    ),
    FigureKind(
        "breakeven",
        "The break-even search: A − B at each evaluation, the break-even point and its interval",
        breakeven_figure,
        lambda results: (
            results.kind == "breakeven" and results.table("breakeven_points") is not None
        ),
        "the results of jitsim breakeven",
    ),
)
