"""Generate the KPI reference (``docs/kpis.md``) from the KPI catalogue.

One table per group of :data:`jitsim.model.kpi_catalogue.KPI_DEFINITIONS`: KPI, where it is
reported, unit, exact definition, and when it is undefined. Regenerate the committed page with::

    python -m jitsim.output.kpi_reference > docs/kpis.md
"""

from __future__ import annotations

import sys

from jitsim.model.kpi_catalogue import KPI_DEFINITIONS, SCOPES, KpiDefinition
from jitsim.model.kpis import HEADLINE_KPIS, RISK_KPIS, direction

__all__ = ["REGENERATE_COMMAND", "kpi_reference_markdown"]

REGENERATE_COMMAND = "python -m jitsim.output.kpi_reference > docs/kpis.md"

_INTRO = """\
# KPI reference

<!-- Generated from jitsim/model/kpi_catalogue.py by `{command}`; do not edit by hand
     (tests/output/test_kpi_reference.py checks that this page is up to date). -->

Every replication yields one flat record of KPIs: `replications.csv` has one column per KPI,
`summary.json` and `RunResult.summary()` one row per KPI with its mean, 95 % confidence
interval, percentiles and CVaR₉₅ (see [statistics.md](statistics.md)). Totals, averages and
counts are over the **measured window** (after warm-up; `window_days` long); money is in the
scenario currency (`run.currency`), stock in units, time in days. On screen, shares (0–1) are
printed as percentages.

Where a KPI is reported, and how its column is named:

| scope | column |
|---|---|
{scopes}

A KPI that cannot be computed in a replication — a ratio whose denominator is zero — is
**undefined**: `NaN` in Python, an empty cell in `replications.csv` and the other CSV and Excel
files, `null` in `summary.json`, and `n/a` on the screen. No KPI is ever infinite. Summaries
(mean, interval, quantiles) use the replications in which the KPI is defined and count them in
`n`; with none, every statistic is empty and `n` is 0. The last column says when each KPI is
undefined (blank: always defined).

Which columns a record has depends on the scenario's parts, not on the alternative: every stock
point has the inspection, dual-sourcing and expediting columns (0 without the feature), every
plant adds its columns, only scenarios with a `disruptions:` section have the disruption
columns, and a policy adds the values it derives (undefined in the other alternatives' rows).

`jitsim run` prints the headline KPIs the results hold ({headline}; those of waste, space and
cash only scenarios using those features have). Better is **higher** (↑) or **lower** (↓)
as marked, which is what comparisons' "better in" and verdicts use; the tail-risk KPIs
({risk}) are those where a large value is a bad outcome.
"""


def _row(definition: KpiDefinition) -> str:
    arrow = {1: " ↑", -1: " ↓"}.get(direction(definition.name), "")
    scopes = ", ".join(definition.scopes)
    cells = (
        f"`{definition.name}`{arrow}",
        scopes,
        definition.unit,
        definition.definition,
        definition.undefined,
    )
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def kpi_reference_markdown() -> str:
    """The whole ``docs/kpis.md`` page, generated from the KPI catalogue."""
    scopes = "\n".join(f"| {scope} | {column} |" for scope, column in SCOPES.items())
    lines = [
        _INTRO.format(
            command=REGENERATE_COMMAND,
            scopes=scopes,
            headline=", ".join(f"`{kpi}`" for kpi in HEADLINE_KPIS),
            risk=", ".join(f"`{kpi}`" for kpi in sorted(RISK_KPIS)),
        )
    ]
    groups: dict[str, list[KpiDefinition]] = {}
    for definition in KPI_DEFINITIONS:
        groups.setdefault(definition.group, []).append(definition)
    for group, definitions in groups.items():
        lines.append(f"## {group}\n")
        lines.append("| KPI | reported for | unit | definition | undefined when |")
        lines.append("|---|---|---|---|---|")
        lines.extend(_row(definition) for definition in definitions)
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(kpi_reference_markdown())
