"""The cash balance over time, from the cash ledger's kept trajectory.

A scenario with payment terms or a ``finance:`` section keeps a cash ledger: money goes out
when a supplier is paid (not when the order is placed), for ordering, expediting, space and
overflow, and comes in when a customer pays (``docs/waste-space-cash.md``). With
``--trajectories N`` its end-of-day balance is kept beside the stock points' series, under the
pseudo-node ``@cash`` (:data:`~jitsim.output.results_reader.CASH_NODE`). The figure shows, day by
day, the median and the 10–90 % band of that balance over the kept replications of each
alternative, on one axis, so where an alternative's cash runs lower, and for how long, reads
at a glance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jitsim.errors import JitsimError
from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.layout import fitted_title, ordered, thousands
from jitsim.output.figures.style import GREY, alternative_colors, axis_label, new_figure
from jitsim.output.results_reader import CASH_NODE, Results

__all__ = ["BAND", "KINDS", "cash_balance_bands", "cash_balance_over_time"]

#: Quantiles (%) of the band drawn around the median.
BAND = (10, 90)
#: What the figure needs when the results have no cash ledger series.
_NEEDS = (
    "kept trajectories of a scenario with a cash ledger (payment_terms or finance:): "
    "jitsim run FILE --trajectories 20"
)


def _has_cash(results: Results) -> bool:
    return results.network_series(CASH_NODE) is not None


def cash_balance_bands(results: Results) -> pd.DataFrame:
    """The end-of-day cash balance per alternative and day, over the kept replications.

    Returns
    -------
    DataFrame
        Columns ``alternative, day, low, median, high, replications``: the 10 %, 50 % and
        90 % quantiles (:data:`BAND`) of the balance (currency) at the end of ``day`` over the
        ``replications`` kept of that alternative.

    Raises
    ------
    JitsimError
        When the results hold no cash ledger series.
    """
    rows = results.network_series(CASH_NODE)
    if rows is None:
        raise JitsimError(f"{results.directory} has no cash balance; it needs {_NEEDS}")
    parts = []
    for alternative, group in rows.groupby("alternative", sort=False):
        grid = group.pivot_table(
            index="day", columns="replication", values="cash_tied_up", aggfunc="first"
        )
        values = grid.to_numpy(dtype=float)
        low, median, high = np.nanpercentile(values, [BAND[0], 50, BAND[1]], axis=1)
        parts.append(
            pd.DataFrame(
                {
                    "alternative": str(alternative),
                    "day": grid.index.to_numpy(dtype=float),
                    "low": low,
                    "median": median,
                    "high": high,
                    "replications": grid.shape[1],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def cash_balance_over_time(results: Results) -> Figure:
    """The cash balance at the end of each day: per alternative the median (a line in its
    colour) and the 10–90 % band over the kept replications, the zero line, the lowest median
    balance after the warm-up marked, the warm-up greyed."""
    bands = cash_balance_bands(results)
    names = ordered(results.alternatives, bands["alternative"].unique())
    colors = alternative_colors(results.scenario, names)
    kept = int(bands["replications"].max())
    width = 9.0
    figure, (axes,) = new_figure(
        fitted_title(
            results.scenario.name,
            # no-break spaces: "10–90 %" stays on one line when the title wraps
            f"cash balance over time (median and {BAND[0]}–{BAND[1]}\u00a0% band of {kept} "
            "kept replications)",
            width,
        ),
        size=(width, 5.0),
    )
    warmup = results.scenario.run.warmup_days
    if warmup > 0:
        axes.axvspan(0, warmup, color=GREY, alpha=0.18, linewidth=0, zorder=0)
    axes.axhline(0, color="black", linewidth=0.8)
    handles: list[Line2D | Patch] = []
    for alternative in names:
        data = bands[bands["alternative"] == alternative]
        color = colors[alternative]
        days = data["day"].to_numpy()
        axes.fill_between(days, data["low"], data["high"], color=color, alpha=0.18, linewidth=0)
        axes.plot(
            days, data["median"], color=color, linewidth=2.0, gid=f"cash_median:{alternative}"
        )
        # the lowest median in the measured window, where min_cash_balance is measured
        median = np.where(days >= warmup, data["median"].to_numpy(), np.nan)
        if np.isfinite(median).any():
            lowest = int(np.nanargmin(median))
            axes.plot(
                days[lowest], median[lowest], marker="v", color=color, markersize=8,
                markeredgecolor="black", linestyle="none", gid=f"cash_lowest:{alternative}",
            )  # fmt: skip
        handles.append(Line2D([], [], color=color, linewidth=2.0, label=alternative))
    axes.set_xlabel("day (end-of-day balance)")
    axes.set_ylabel(axis_label("cash balance", results.currency))
    axes.set_xlim(float(bands["day"].min()), float(bands["day"].max()))
    thousands(axes)
    handles += [
        Patch(
            color=colors[names[0]], alpha=0.18,
            label=f"{BAND[0]}–{BAND[1]} % of replications (in each colour)",
        ),
        Line2D(
            [], [], marker="v", color=GREY, markeredgecolor="black", linestyle="none",
            label="lowest median after warm-up",
        ),
    ]  # fmt: skip
    if warmup > 0:
        handles.append(Patch(color=GREY, alpha=0.18, label="warm-up (not measured)"))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3))
    return figure


KINDS = (
    FigureKind(
        "cash_balance",
        "Cash balance over time per alternative: median and 10–90 % band",
        cash_balance_over_time,
        _has_cash,
        _NEEDS,
    ),
)
