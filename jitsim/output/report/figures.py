"""The figures a results directory supports, embedded in the report as SVG data URIs: the page
fetches nothing, the figures stay sharp when printed, and the identifiers inside one SVG cannot
clash with another's."""

from __future__ import annotations

import base64
import io

import matplotlib
from matplotlib.figure import Figure

from jitsim.errors import JitsimError
from jitsim.output.figures import FIGURES, available, draw
from jitsim.output.figures.style import styled
from jitsim.output.report.html import esc, figure, paragraph
from jitsim.output.results_reader import Results

__all__ = ["NETWORK", "embedded", "figures_html"]

#: The figure kind of the network diagram, shown with the scenario rather than the results.
NETWORK = "network"


def embedded(chart: Figure, alt: str) -> str:
    """``chart`` as an ``<img>`` whose source is an SVG data URI."""
    buffer = io.BytesIO()
    # A fixed salt names clip paths and markers alike every time: the same results give the
    # same report, byte for byte.
    with styled(), matplotlib.rc_context({"svg.hashsalt": "jitsim"}):
        chart.savefig(buffer, format="svg", metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}">'


def figure_html(results: Results, name: str) -> str:
    """One figure with its caption; a note instead when it cannot be drawn from these results."""
    kind = FIGURES[name]
    try:
        chart = draw(name, results)
    except JitsimError as exc:
        return paragraph(f"{kind.title}: not drawn ({exc})", "note")
    return figure(embedded(chart, kind.title), kind.title, name)


def figures_html(results: Results, names: list[str] | None = None) -> str:
    """Every figure ``results`` supports (but the network diagram), in catalogue order."""
    chosen = names if names is not None else [n for n in available(results) if n != NETWORK]
    return "".join(figure_html(results, name) for name in chosen)
