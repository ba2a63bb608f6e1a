"""jitsim's figures: each a function that takes a finished
:class:`~jitsim.output.results_reader.Results` and returns a matplotlib
:class:`~matplotlib.figure.Figure`.

Every kind is listed in :data:`FIGURES` with what it needs, so ``jitsim plot --list`` and the
report show exactly the figures a results directory supports::

    results = read_results("results/quickstart-compare")
    for name in available(results):
        save(draw(name, results), f"{name}.png")

To add a kind: write ``draw(results) -> Figure`` in the module of its family (draw inside
nothing: :func:`draw` applies the style), declare it in that module's ``KINDS`` and add the
module to :data:`_FAMILIES`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from jitsim.errors import JitsimError, with_suggestion
from jitsim.output.figures import (
    cash_flow,
    comparison,
    costs,
    distributions,
    frontier,
    inventory,
    network,
    optimize,
    stress,
    sweeps,
    waste,
)
from jitsim.output.figures.kind import FORMATS, FigureKind, save
from jitsim.output.figures.style import styled
from jitsim.output.results_reader import Results

__all__ = ["FIGURES", "FORMATS", "FigureKind", "available", "draw", "save"]

#: The modules of each family of figures, in the order a report shows them.
_FAMILIES: tuple[tuple[FigureKind, ...], ...] = (
    network.KINDS,
    inventory.KINDS,
    cash_flow.KINDS,
    costs.KINDS,
    waste.KINDS,
    comparison.KINDS,
    frontier.KINDS,
    distributions.KINDS,
    sweeps.KINDS,
    optimize.KINDS,
    stress.KINDS,
)

#: Every figure kind, by name, in report order.
FIGURES: dict[str, FigureKind] = {kind.name: kind for family in _FAMILIES for kind in family}


def available(results: Results) -> list[str]:
    """The figure kinds ``results`` supports, in report order."""
    return [name for name, kind in FIGURES.items() if kind.supports(results)]


def draw(name: str, results: Results) -> Figure:
    """The figure ``name`` of ``results``, in jitsim's style.

    Raises
    ------
    JitsimError
        For an unknown kind, or one the results do not support (saying what would).
    """
    kind = FIGURES.get(name)
    if kind is None:
        raise JitsimError(
            with_suggestion(
                f"unknown figure {name!r} (choose from {', '.join(FIGURES)})", name, list(FIGURES)
            )
        )
    if not kind.supports(results):
        raise JitsimError(
            f"{results.directory} has no {name} figure ({kind.title.lower()}): it needs "
            f"{kind.needs}"
        )
    with styled():
        return kind.draw(results)
