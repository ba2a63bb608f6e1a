"""Small layout helpers the figures of runs and comparisons share: titles that fit, alternatives
in scenario order, thousands separators, tick labels in each alternative's colour."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

__all__ = ["color_ticks", "fitted_title", "ordered", "thousands"]

#: Characters of a bold title per inch of figure width (13 pt DejaVu Sans Bold, with margin).
_TITLE_CHARS_PER_INCH = 8.5


def fitted_title(scenario_name: str, subject: str, width: float) -> str:
    """``"NAME: subject"`` wrapped to a figure ``width`` inches wide (never cut off)."""
    return "\n".join(
        textwrap.wrap(f"{scenario_name}: {subject}", max(int(width * _TITLE_CHARS_PER_INCH), 30))
    )


def ordered(wanted: Iterable[str], present: Iterable[str]) -> list[str]:
    """The names in ``present`` in the order of ``wanted``, the others after them (sorted)."""
    have = {str(name) for name in present}
    first = [name for name in wanted if name in have]
    return first + sorted(have - set(first))


def thousands(axes: Axes, axis: str = "y") -> None:
    """Tick labels with thousands separators (``12,500``) on ``axis`` ("x" or "y")."""
    formatter = FuncFormatter(lambda value, _position: f"{value:,.10g}")
    (axes.yaxis if axis == "y" else axes.xaxis).set_major_formatter(formatter)


def color_ticks(
    axes: Axes, names: Sequence[str], colors: Mapping[str, str], axis: str = "x"
) -> None:
    """Bold tick labels in each alternative's colour (the labels must be ``names``)."""
    labels = axes.get_xticklabels() if axis == "x" else axes.get_yticklabels()
    for label in labels:
        name = label.get_text()
        if name in colors and name in names:
            label.set_color(colors[name])
            label.set_fontweight("bold")
