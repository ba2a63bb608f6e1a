"""The report's "Waste, space and cash" section (``docs/waste-space-cash.md``): what each
alternative throws away, the space it pays for and what it does to the cash balance, with the
95 % confidence intervals of the other tables and the figures of those features.

The section exists only for results that hold those KPIs (a scenario with perishables, an end
of life, warehouse capacity or a cash ledger); each table lists only the KPIs present.
"""

from __future__ import annotations

from jitsim.output.figures import FIGURES
from jitsim.output.figures.cash_flow import KINDS as CASH_FIGURES
from jitsim.output.figures.waste import KINDS as WASTE_FIGURES
from jitsim.output.rebuilt import run_result_of
from jitsim.output.report.figures import figure_html
from jitsim.output.report.html import notes, paragraph, table
from jitsim.output.results_reader import Results
from jitsim.output.tables import headline_rows

__all__ = ["FIGURE_NAMES", "GROUPS", "section_kpis", "waste_space_cash_html"]

#: The network KPIs of each table, in the order shown; stock-point KPIs
#: (``POINT.NAME``) follow the network ones of their group, point by point.
GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Waste: perishables and end of life",
        (
            "units_expired",
            "waste_share",
            "expiry_cost",
            "avg_age_at_sale",
            "units_marked_down",
            "markdown_revenue_lost",
            "units_written_off",
            "obsolescence_write_off",
        ),
        (),
    ),
    (
        "Warehouse space",
        ("space_cost", "overflow_units", "overflow_cost", "refused_deliveries"),
        ("space_utilisation", "peak_space_used", "overflow_units", "refused_deliveries"),
    ),
    (
        "Cash flow",
        (
            "min_cash_balance",
            "end_cash_balance",
            "peak_working_capital",
            "financing_cost",
            "dio",
            "dso",
            "dpo",
            "cash_to_cash_days",
            "cash_paid_to_suppliers",
            "cash_from_customers",
        ),
        (),
    ),
)
#: The figures shown in this section (and not again among the other figures).
FIGURE_NAMES = tuple(kind.name for kind in (*WASTE_FIGURES, *CASH_FIGURES))


def section_kpis(results: Results) -> list[tuple[str, list[str]]]:
    """``(table title, KPI columns)`` of each table with at least one KPI the results hold."""
    columns = set(results.replications.columns)
    points = list(results.scenario.stock_points)
    out = []
    for title, network, per_point in GROUPS:
        wanted = [kpi for kpi in network if kpi in columns]
        wanted += [f"{p}.{kpi}" for p in points for kpi in per_point if f"{p}.{kpi}" in columns]
        if wanted:
            out.append((title, wanted))
    return out


def _unit(results: Results, kpi: str, unit: str) -> str:
    """The unit of a row; ``peak_space_used`` is in its stock point's capacity unit."""
    point, _, name = kpi.rpartition(".")
    if name == "peak_space_used":
        spec = results.scenario.stock_points.get(point)
        return str(getattr(spec, "capacity_unit", None) or "units")
    return unit or "–"


def waste_space_cash_html(results: Results) -> str:
    """The section's tables and figures ("" for results without any of its KPIs)."""
    groups = section_kpis(results)
    if not groups:
        return ""
    result = run_result_of(results)
    parts = []
    for title, kpis in groups:
        rows = [
            (kpi, _unit(results, kpi, unit), *cells)
            for kpi, unit, cells in headline_rows(result, kpis)
        ]
        parts.append(
            table(
                ["KPI", "unit", *result.alternatives],
                rows,
                keys=2,
                caption=f"{title} per alternative (mean ± 95 % CI half-width)",
            )
        )
    parts.append(
        notes(
            [
                "Expiry, write-off, space and overflow costs are part of total_cost; the "
                "financing cost (interest on a negative cash balance) is not, since the capital "
                "part of the holding rate already prices money. Definitions: docs/kpis.md and "
                f"docs/waste-space-cash.md. Money in {results.currency} over the measured "
                "window; shares in %.",
            ]
        )
    )
    supported = [name for name in FIGURE_NAMES if FIGURES[name].supports(results)]
    parts += [figure_html(results, name) for name in supported]
    cash_kpis = any(title == "Cash flow" for title, _ in groups)
    if cash_kpis and "cash_balance" not in supported:
        parts.append(
            paragraph(
                "The cash balance over time is drawn from kept trajectories: run the scenario "
                "with jitsim run FILE --trajectories 20 for that figure.",
                "note",
            )
        )
    return "".join(parts)
