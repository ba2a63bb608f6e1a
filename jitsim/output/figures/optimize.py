"""Optimisation: how the search converged.

* ``convergence``: left, the objective mean of every candidate the search simulated against the
  replication-runs spent so far (feasible and infeasible marked apart), the centre of the
  search after each round as a step line, and the winner's mean and 95 % CI on the selection's
  fresh replications; right, the centre's value of each decision variable round by round.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.style import GREY, OKABE_ITO, axis_label, new_figure
from jitsim.output.results_reader import Results
from jitsim.output.tables import kpi_unit

__all__ = ["KINDS", "convergence_figure"]


def _supports(results: Results) -> bool:
    return results.kind == "optimize" and all(
        results.table(name) is not None
        for name in ("optimize_trace", "optimize_rounds", "optimize_finalists")
    )


def convergence_figure(results: Results) -> Figure:
    """The search's candidates and centre against replication-runs, and the centre's values
    round by round (see the module)."""
    trace = results.table("optimize_trace")
    rounds = results.table("optimize_rounds")
    finalists = results.table("optimize_finalists")
    assert trace is not None and rounds is not None and finalists is not None
    objective = str(results.summary.get("objective", "total_cost"))
    names = [str(v["name"]) for v in results.summary.get("variables", [])]
    unit, scale = kpi_unit(objective, results.currency)
    figure, (left, right) = new_figure(
        f"{results.scenario.name}\noptimising {', '.join(names)} for {objective.replace('_', ' ')}",
        columns=2,
        size=(12.0, 4.8),
    )
    spent = dict(zip(rounds["round"], rounds["replication_runs"], strict=True))
    x = trace["round"].map(spent).to_numpy(dtype=float)
    y = trace[f"{objective}_mean"].to_numpy(dtype=float) * scale
    feasible = trace["feasible"].astype(bool).to_numpy()
    constrained = bool(results.summary.get("constraints"))
    left.scatter(
        x[feasible], y[feasible], s=14, color=GREY, alpha=0.7,
        label="candidate (feasible)" if constrained else "candidate",
    )  # fmt: skip
    if (~feasible).any():
        left.scatter(
            x[~feasible], y[~feasible], s=18, marker="x", color=OKABE_ITO[5], alpha=0.7,
            label="candidate (a constraint not met)",
        )  # fmt: skip
    centre_x = rounds["replication_runs"].to_numpy(dtype=float)
    centre_y = rounds[f"{objective}_mean"].to_numpy(dtype=float) * scale
    left.step(centre_x, centre_y, where="post", color=OKABE_ITO[0], linewidth=2,
              label="centre of the search")  # fmt: skip
    chosen = finalists[finalists["chosen"].astype(bool)]
    if len(chosen):
        total = float(results.summary.get("replication_runs", centre_x[-1] if len(centre_x) else 0))
        mean = float(chosen[f"{objective}_mean"].iloc[0]) * scale
        half = float(chosen[f"{objective}_half_width"].iloc[0]) * scale
        left.errorbar([total], [mean], yerr=[[half], [half]], fmt="D", color=OKABE_ITO[1],
                      capsize=4, label="winner: mean ± 95 % CI (selection)")  # fmt: skip
    _focus(left, y, centre_y)
    left.set_xlabel("replication-runs spent (one replication of one candidate = 1)")
    left.set_ylabel(axis_label(f"mean {objective}", unit))
    left.set_title("objective of each candidate simulated")
    left.legend(loc="best")
    for index, name in enumerate(names):
        if name in rounds.columns:
            right.plot(
                rounds["round"], rounds[name], marker="o", markersize=3,
                color=OKABE_ITO[index % len(OKABE_ITO)], label=name,
            )  # fmt: skip
    right.set_xlabel("round of the search")
    right.set_ylabel("value at the centre (units; safety days in days)")
    right.set_title("decision variables at the centre")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.legend(loc="best")
    if len(np.unique(rounds["round"])) == 1:
        right.set_xlim(-0.5, 0.5)
    return figure


def _focus(axes: Axes, y: np.ndarray, centre: np.ndarray) -> None:
    """Keep the axis on the centre's path: candidates far worse than the centre ever was are
    left above the axis (their number said in a corner), so the end of the search stays
    readable."""
    finite = y[np.isfinite(y)]
    if not len(finite) or not len(centre):
        return
    low = min(float(finite.min()), float(np.nanmin(centre)))
    high = float(np.nanmax(centre))
    span = max(high - low, 0.05 * abs(high), 1e-9)
    top = high + span
    above = int((finite > top).sum())
    if above:
        axes.set_ylim(low - 0.1 * span, top)
        axes.text(
            0.01, 0.98, f"{above} candidate(s) above the axis (far worse)",
            transform=axes.transAxes, va="top", ha="left", fontsize=8, color=GREY,
        )  # fmt: skip


KINDS = (
    FigureKind(
        "convergence",
        "The optimisation: candidates and the search's centre against replications spent",
        convergence_figure,
        _supports,
        "the results of jitsim optimize",
    ),
)
