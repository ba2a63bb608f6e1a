"""``jitsim report``: one self-contained HTML file on a finished results directory.

The file opens offline and fetches nothing: figures are SVG data URIs, the stylesheet is inline,
there is no script. It holds the scenario and its assumptions in words, the network diagram
(when that figure exists), the KPI tables with their confidence intervals, the verdicts and
payback of a comparison, the sweep, break-even and stress tables, every figure the results
support and a footer to reproduce them. Nothing is simulated again::

    html = render_report(read_results("results/quickstart-compare"))
    write_report("results/quickstart-compare")     # → results/quickstart-compare/report.html
"""

from __future__ import annotations

import os
from pathlib import Path

from jitsim.execution.results_claim import claim, record_files, write_atomic
from jitsim.output.figures import available
from jitsim.output.report.figures import NETWORK, figure_html, figures_html
from jitsim.output.report.html import page, paragraph, section
from jitsim.output.report.optimize import optimize_html
from jitsim.output.report.scenario import KIND_WORDS, assumptions, footer, run_sentence
from jitsim.output.report.stress import stress_html
from jitsim.output.report.tables import (
    breakeven_html,
    comparison_html,
    headline_html,
    sweep_html,
)
from jitsim.output.report.waste import FIGURE_NAMES as WASTE_FIGURES
from jitsim.output.report.waste import waste_space_cash_html
from jitsim.output.results_reader import Results, read_results

__all__ = ["REPORT_FILE", "render_report", "write_report"]

#: The report's name in a results directory.
REPORT_FILE = "report.html"


def render_report(results: Results) -> str:
    """The report on ``results`` as one HTML document."""
    sections: list[tuple[str, str, str, bool]] = []  # anchor, title, body, new page
    scenario_body = paragraph(run_sentence(results), "lead") + assumptions(results)
    figures = available(results)
    if NETWORK in figures:
        scenario_body += figure_html(results, NETWORK)
    sections.append(("scenario", "Scenario and assumptions", scenario_body, False))
    if results.kind in ("run", "compare"):
        sections.append(("kpis", "Key results", headline_html(results), True))
    if results.kind == "compare":
        sections.append(("comparison", "Comparison", comparison_html(results), False))
    waste = waste_space_cash_html(results) if results.kind in ("run", "compare") else ""
    if waste:  # only results of scenarios with perishables, an end of life, space or cash
        sections.append(("waste-space-cash", "Waste, space and cash", waste, True))
        figures = [name for name in figures if name not in WASTE_FIGURES]
    if results.kind == "sweep":
        sections.append(("sweep", "Sweep", sweep_html(results), True))
    if results.kind == "breakeven":
        sections.append(("breakeven", "Break-even", breakeven_html(results), True))
    if results.kind == "stress":
        sections.append(("stress", "Stress test", stress_html(results), True))
    if results.kind == "optimize":
        sections.append(("optimize", "Optimisation", optimize_html(results), True))
    drawn = figures_html(results, [name for name in figures if name != NETWORK])
    if drawn:
        sections.append(("figures", "Figures", drawn, True))
    body = "".join(section(a, t, b, new_page=p) for a, t, b, p in sections) + footer(results)
    contents = [(a, t) for a, t, _, _ in sections] + [("reproduce", "Reproducibility")]
    subtitle = f"jitsim {results.kind} report: {KIND_WORDS.get(results.kind, results.kind)}"
    return page(results.scenario.name, subtitle, contents, body)


def write_report(
    directory: str | os.PathLike[str], out: str | os.PathLike[str] | None = None
) -> Path:
    """Write the report on the finished results directory ``directory``.

    Parameters
    ----------
    directory : path
        A finished results directory.
    out : path, optional
        The HTML file to write [default: ``DIR/report.html``, listed among the directory's
        files].

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    JitsimError
        If ``directory`` is not a finished results directory, or the file cannot be written.
    """
    text = render_report(read_results(directory))

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    if out is not None:
        return write_atomic(Path(out), write)
    with claim(directory, resume=True) as held:
        target = write_atomic(held / REPORT_FILE, write)
        record_files(held, [REPORT_FILE])
    return target
