"""The look every jitsim figure shares: a colour-blind-safe palette in which an alternative has
the same colour in every figure, readable fonts, titles and units.

Rendering uses matplotlib's non-interactive Agg backend through :class:`~matplotlib.figure.Figure`
objects (never ``pyplot``), so figures are made without a display and without global state.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from jitsim.scenario.models import Scenario

__all__ = [
    "GREY",
    "OKABE_ITO",
    "alternative_colors",
    "axis_label",
    "new_figure",
    "styled",
]

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency (black left
#: out: it is kept for reference lines).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
#: Reference lines, warm-up, faded points.
GREY = "#7f7f7f"

#: Font sizes (points) readable on a slide and in a printed report.
_RC: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.fonttype": "none",  # text stays text in SVG: searchable, sharp when printed
}


def alternative_colors(scenario: Scenario, names: Sequence[str] = ()) -> dict[str, str]:
    """The colour of every alternative: by its place among the scenario's alternatives, so the
    same alternative has the same colour in every figure of the scenario (``names`` not in the
    scenario come after them)."""
    order = list(scenario.alternative_names())
    order += [name for name in names if name not in order]
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(order)}


def new_figure(
    title: str, *, rows: int = 1, columns: int = 1, size: tuple[float, float] = (8.0, 4.5)
) -> tuple[Figure, list[Axes]]:
    """A figure with a title and ``rows × columns`` axes (draw inside :func:`styled`).

    Parameters
    ----------
    title : str
        Shown above the axes.
    rows, columns : int
        Grid of axes.
    size : tuple of float
        Width and height in inches.

    Returns
    -------
    figure : Figure
    axes : list of Axes
        Row by row.
    """
    figure = Figure(figsize=size, layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    figure.suptitle(title, fontsize=_RC["axes.titlesize"] + 1, fontweight="bold")
    return figure, list(grid.flat)


def axis_label(name: str, unit: str) -> str:
    """``"total cost (EUR)"``: a quantity and its unit, as every axis shows it."""
    text = name.replace("_", " ")
    return f"{text} ({unit})" if unit else text


def styled() -> AbstractContextManager[Any]:
    """jitsim's style for everything drawn inside the ``with`` block (the registry draws every
    figure inside one, so figure functions need not)."""
    return matplotlib.rc_context(cast(Any, _RC))
