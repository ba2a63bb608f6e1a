"""What a kind of figure is (:class:`FigureKind`), and saving a figure to a file."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from jitsim.errors import JitsimError
from jitsim.execution.results_claim import write_atomic
from jitsim.output.figures.style import styled
from jitsim.output.results_reader import Results

__all__ = ["FORMATS", "FigureKind", "save"]

#: File formats a figure is saved in, by suffix.
FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class FigureKind:
    """A kind of figure: how to draw it and when a results directory supports it.

    Attributes
    ----------
    name : str
        What ``jitsim plot`` calls it (``inventory``, ``costs``, ...).
    title : str
        One line saying what it shows.
    draw : callable
        ``draw(results) -> Figure``.
    supports : callable
        ``supports(results) -> bool``: whether the results hold what it needs.
    needs : str
        What to run for it when they do not (``"run ... --trajectories 20"``), for messages.
    """

    name: str
    title: str
    draw: Callable[[Results], Figure]
    supports: Callable[[Results], bool]
    needs: str


def save(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``figure`` to ``path`` (PNG at 150 dpi, SVG or PDF, by its suffix), whole.

    Raises
    ------
    JitsimError
        For another suffix, or when the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise JitsimError(f"{target}: save a figure as .png, .svg or .pdf")
    with styled():
        write_atomic(target, lambda temporary: figure.savefig(temporary, format=suffix, dpi=150))
    return target
