"""Stress tests: how long the network survives a node's failure, what the failure costs, and how
service falls and comes back.

* ``tts_ttr``: time-to-survive against time-to-recover per node (Simchi-Levi): every tested
  knock-out duration (TTR) against the alternative's TTS; points below the diagonal TTS = TTR
  run dry before the node is back (the danger zone).
* ``impact``: the profit each knock-out costs (``stress.csv`` ``impact``), node × duration,
  one bar per alternative, the worst on top.
* ``recovery``: service after the failure: the share of replications whose service dropped
  and the median days until it recovered, against the knock-out duration. (jitsim records the
  day service dropped and the days to recover per replication, not the service of every day,
  so these are the recovery measures, not a day-by-day curve.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import Results

__all__ = ["KINDS", "impact_figure", "recovery_figure", "tts_points", "tts_ttr_figure"]

#: The danger zone (TTS < TTR) and the worst rows.
DANGER = "#D55E00"
#: At most this many nodes (the ones with the largest impact) get a panel or a row.
MAX_NODES = 6
#: At most this many node × duration groups in the impact ranking.
MAX_GROUPS = 10


def _flag(values: pd.Series) -> np.ndarray:
    """A CSV column of true/false flags (read back as bool or text) as booleans."""
    return values.astype(str).str.lower().isin(("true", "1", "1.0")).to_numpy()


def _nodes_by_impact(stress: pd.DataFrame) -> list[str]:
    """Nodes in order of their largest impact, the worst first."""
    worst = stress.groupby("node", sort=False)["impact"].max().sort_values(ascending=False)
    return [str(n) for n in worst.index]


def tts_points(results: Results) -> pd.DataFrame:
    """One row per node, tested duration (TTR, days) and alternative: ``node``, ``ttr_days``,
    ``alternative``, ``tts_days``, ``tts_censored`` and ``tts_lt_ttr`` (the danger zone)."""
    stress = results.table("stress")
    tts = results.table("tts")
    assert stress is not None and tts is not None
    frame = stress[["node", "duration_days", "alternative", "tts_lt_ttr"]].merge(
        tts[["node", "alternative", "tts_days", "tts_censored"]], on=["node", "alternative"]
    )
    frame = frame.rename(columns={"duration_days": "ttr_days"})
    frame["tts_censored"] = _flag(frame["tts_censored"])
    frame["tts_lt_ttr"] = _flag(frame["tts_lt_ttr"])
    return frame.sort_values(["node", "alternative", "ttr_days"]).reset_index(drop=True)


def tts_ttr_figure(results: Results) -> Figure:
    """Per node, each alternative's time-to-survive against every tested time-to-recover, the
    diagonal TTS = TTR and the danger zone below it; a censored TTS (a lower bound) is an open
    marker with an arrow up, one beyond the panel is drawn at its top with its value."""
    points = tts_points(results)
    stress = results.table("stress")
    assert stress is not None
    nodes = [n for n in _nodes_by_impact(stress) if n in set(points["node"])][:MAX_NODES]
    columns = min(len(nodes), 3)
    rows = -(-len(nodes) // columns)
    figure, axes_list = new_figure(
        f"{results.scenario.name}\ntime-to-survive against time-to-recover per failed node",
        rows=rows,
        columns=columns,
        size=(4.3 * columns + 2.3, 3.7 * rows + 0.6),
    )
    names = [n for n in results.alternatives if n in set(points["alternative"])]
    colors = alternative_colors(results.scenario, names)
    kinds = dict(zip(stress["node"], stress["node_kind"], strict=False))
    for axes, node in zip(axes_list, nodes, strict=False):
        _tts_panel(axes, points[points["node"] == node], names, colors)
        axes.set_title(f"{node} ({kinds.get(node, 'node')})")
    for axes in axes_list[len(nodes) :]:
        axes.set_visible(False)
    _tts_legend(figure, axes_list[0], names, colors)
    return figure


def _tts_panel(axes: Axes, rows: pd.DataFrame, names: list[str], colors: dict[str, str]) -> None:
    ttr_max = float(rows["ttr_days"].max())
    top = 2.0 * ttr_max
    edge = np.array([0.0, top])
    axes.fill_between(edge, 0, edge, color=DANGER, alpha=0.10, linewidth=0)
    axes.plot(edge, edge, color=DANGER, linewidth=1.0, linestyle="--")
    axes.text(
        ttr_max * 1.1, ttr_max * 0.8, "TTS < TTR:\nruns dry before\nthe node is back",
        ha="right", va="top", fontsize=8, color=DANGER,
    )  # fmt: skip
    dodge = ttr_max * 0.012
    beyond: list[tuple[str, str]] = []
    for k, name in enumerate(names):
        line = rows[rows["alternative"] == name]
        if line.empty:
            continue
        x = line["ttr_days"].to_numpy(dtype=float) + (k - (len(names) - 1) / 2) * dodge
        tts = line["tts_days"].to_numpy(dtype=float)
        shown = np.minimum(tts, top * 0.96)
        censored = line["tts_censored"].to_numpy(dtype=bool)
        axes.plot(x, shown, color=colors[name], linewidth=0.8, alpha=0.6)
        exact = ~censored
        axes.scatter(x[exact], shown[exact], color=colors[name], s=36, zorder=3)
        axes.scatter(
            x[censored], shown[censored], facecolors="white", edgecolors=colors[name],
            marker="^", s=48, linewidths=1.5, zorder=3,
        )  # fmt: skip
        if (tts > top * 0.96).any():
            beyond.append((f"{name}: {'≥ ' if censored[0] else ''}{tts[0]:.0f} d", colors[name]))
    for line_number, (text, color) in enumerate(beyond):
        # Off the scale: say the value once per alternative, under the markers at the top.
        axes.text(
            ttr_max * 1.1, top * (0.88 - 0.065 * line_number), text, ha="right", va="top",
            fontsize=8, color=color,
        )  # fmt: skip
    axes.set_xlim(0, ttr_max * 1.12)
    axes.set_ylim(0, top)
    axes.set_xlabel(axis_label("time-to-recover TTR: knock-out duration", "days"))
    axes.set_ylabel(axis_label("time-to-survive TTS", "days"))


def _tts_legend(figure: Figure, axes: Axes, names: list[str], colors: dict[str, str]) -> None:
    handles: list[Any] = [
        axes.scatter([], [], color=colors[name], s=36, label=name) for name in names
    ]
    handles.append(
        axes.scatter(
            [],
            [],
            facecolors="white",
            edgecolors=GREY,
            marker="^",
            s=48,
            linewidths=1.5,
            label="censored: TTS at least this",
        )
    )
    (diagonal,) = axes.plot([], [], color=DANGER, linestyle="--", label="TTS = TTR")
    handles.append(diagonal)
    figure.legend(
        handles=handles, loc="outside lower center", ncols=min(len(handles), 4), frameon=False
    )


def impact_figure(results: Results) -> Figure:
    """The impact ranking: the profit lost to each knock-out (node × duration), one bar per
    alternative, the group with the largest impact on top."""
    stress = results.table("stress")
    assert stress is not None
    stress = stress.copy()
    stress["group"] = [
        f"{node} ({kind}), {duration:g} d"
        for node, kind, duration in zip(
            stress["node"], stress["node_kind"], stress["duration_days"], strict=True
        )
    ]
    worst = stress.groupby("group", sort=False)["impact"].max().sort_values(ascending=False)
    largest = float(stress["impact"].abs().max()) if len(stress) else 0.0
    size = stress.groupby("group", sort=False)["impact"].agg(lambda v: float(v.abs().max()))
    # Knock-outs that change nothing (a node nobody draws on) would be rows of empty bars.
    negligible = [str(g) for g in worst.index if size[g] <= max(0.5, 1e-9 * largest)]
    ranked = [str(g) for g in worst.index if str(g) not in negligible] or [str(worst.index[0])]
    groups = ranked[:MAX_GROUPS]
    names = [n for n in results.alternatives if n in set(stress["alternative"])]
    colors = alternative_colors(results.scenario, names)
    height = 0.8 / max(len(names), 1)
    shown = f" (the {len(groups)} worst of {len(ranked)})" if len(ranked) > len(groups) else ""
    figure, (axes,) = new_figure(
        f"{results.scenario.name}\nimpact of each knock-out: the profit lost{shown}",
        size=(9.0, 1.6 + 0.2 * len(groups) * max(len(names), 1) + 0.3 * bool(negligible)),
    )
    if negligible:
        figure.text(
            0.01, 0.0, "No impact: " + _negligible_words(stress, negligible), fontsize=8,
            color=GREY, va="bottom", wrap=True,
        )  # fmt: skip
    by_key = stress.set_index(["group", "alternative"])["impact"]
    for k, name in enumerate(names):
        # The worst group at the top: y counts down from it; alternatives in scenario order.
        y = np.arange(len(groups))[::-1] + 0.4 - (k + 0.5) * height
        values = [float(by_key.get((group, name), np.nan)) for group in groups]
        axes.barh(y, values, height=height * 0.92, color=colors[name], label=name)
    axes.set_yticks(np.arange(len(groups))[::-1], groups)
    axes.axvline(0, color=GREY, linewidth=0.8)
    axes.set_xlabel(f"impact: extra cost + lost margin + purchase premium ({results.currency})")
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    axes.grid(axis="y", visible=False)
    axes.legend(loc="lower right", title="alternative")
    return figure


def _negligible_words(stress: pd.DataFrame, negligible: list[str]) -> str:
    """The knock-outs without impact in words: a node whose every duration had none by name,
    other knock-outs as ``node, D d``."""
    groups_of: dict[str, set[str]] = {}
    for node, group in zip(stress["node"].astype(str), stress["group"].astype(str), strict=True):
        groups_of.setdefault(node, set()).add(group)
    whole = [node for node, groups in groups_of.items() if groups <= set(negligible)]
    covered = {g for node in whole for g in groups_of[node]}
    words = [f"{node} at every tested duration" for node in whole]
    return "; ".join(words + [g for g in negligible if g not in covered])


def recovery_figure(results: Results) -> Figure:
    """Service after each knock-out, against its duration: the share of replications whose
    service dropped (dotted: the same without the knock-out) and the median days until it was
    back (open markers: not back by the end of the run, a lower bound)."""
    stress = results.table("stress")
    assert stress is not None
    nodes = _nodes_by_impact(stress)[:MAX_NODES]
    figure, axes_list = new_figure(
        f"{results.scenario.name}\nservice after each knock-out: how often it drops, how long "
        "it takes to recover",
        rows=len(nodes),
        columns=2,
        size=(11.0, 2.9 * len(nodes) + 0.9),
    )
    names = [n for n in results.alternatives if n in set(stress["alternative"])]
    colors = alternative_colors(results.scenario, names)
    kinds = dict(zip(stress["node"], stress["node_kind"], strict=False))
    for row, node in enumerate(nodes):
        share_axes, days_axes = axes_list[2 * row], axes_list[2 * row + 1]
        rows = stress[stress["node"] == node].sort_values("duration_days")
        dodge = float(rows["duration_days"].max()) * 0.01
        for k, name in enumerate(names):
            line = rows[rows["alternative"] == name]
            # A little apart, so alternatives with the same values stay visible.
            x = line["duration_days"].to_numpy(dtype=float) + (k - (len(names) - 1) / 2) * dodge
            color = colors[name]
            share_axes.plot(x, line["service_drop_share"] * 100, color=color, marker="o")
            share_axes.plot(
                x, line["baseline_drop_share"] * 100, color=color, linestyle=":", linewidth=1.2
            )
            days = line["recovery_days"].to_numpy(dtype=float)
            censored = _flag(line["recovery_censored"])
            days_axes.plot(x, days, color=color, linewidth=1.0)
            days_axes.scatter(x[~censored], days[~censored], color=color, s=30, zorder=3)
            days_axes.scatter(
                x[censored], days[censored], facecolors="white", edgecolors=color, marker="^",
                s=44, linewidths=1.5, zorder=3,
            )  # fmt: skip
        label = f"{node} ({kinds.get(node, 'node')})"
        share_axes.set_title(f"{label}: service dropped", fontsize=10)
        days_axes.set_title(f"{label}: time to recover service", fontsize=10)
        share_axes.set_ylim(-5, 105)
        share_axes.set_ylabel(axis_label("replications", "%"))
        days_axes.set_ylabel(axis_label("median recovery", "days"))
        days_axes.set_ylim(bottom=0)
        for axes in (share_axes, days_axes):
            axes.set_xlabel(axis_label("knock-out duration", "days"))
    _recovery_legend(figure, axes_list[0], names, colors)
    return figure


def _recovery_legend(figure: Figure, axes: Axes, names: list[str], colors: dict[str, str]) -> None:
    handles: list[Any] = []
    for name in names:
        (handle,) = axes.plot([], [], color=colors[name], marker="o", label=name)
        handles.append(handle)
    (baseline,) = axes.plot([], [], color=GREY, linestyle=":", label="without the knock-out")
    handles.append(baseline)
    handles.append(
        axes.scatter(
            [],
            [],
            facecolors="white",
            edgecolors=GREY,
            marker="^",
            s=44,
            linewidths=1.5,
            label="not recovered by the end: at least",
        )
    )
    figure.legend(
        handles=handles, loc="outside lower center", ncols=min(len(handles), 4), frameon=False
    )


def _has(results: Results, *tables: str) -> bool:
    return results.kind == "stress" and all(results.table(t) is not None for t in tables)


def _has_recovery(results: Results) -> bool:
    stress = results.table("stress")
    return (
        _has(results, "stress")
        and stress is not None
        and {"service_drop_share", "recovery_days"} <= set(stress.columns)
    )


KINDS = (
    FigureKind(
        "tts_ttr",
        "Time-to-survive against time-to-recover per node, the danger zone TTS < TTR marked",
        tts_ttr_figure,
        lambda results: _has(results, "stress", "tts"),
        "the results of jitsim stress",
    ),
    FigureKind(
        "impact",
        "Impact ranking: the profit each knock-out costs, per alternative, the worst on top",
        impact_figure,
        lambda results: _has(results, "stress"),
        "the results of jitsim stress",
    ),
    FigureKind(
        "recovery",
        "Service after each knock-out: how often it drops and how long it takes to recover",
        recovery_figure,
        _has_recovery,
        "the results of jitsim stress",
    ),
)
