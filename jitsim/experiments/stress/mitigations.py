"""Mitigations: what each alternative buys against each failure, next to what it costs a year.

Every alternative is measured against a reference alternative: the impact (and lost units)
it avoids per failure, from the weak-link table, against the profit it gives up every year in
the baseline. Their ratio is the failure frequency at which the alternative breaks even.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jitsim.errors import JitsimError, with_suggestion
from jitsim.experiments.stress.tables import point_rows
from jitsim.scenario.models import Scenario

#: Columns of :meth:`StressResult.mitigations`.
MITIGATION_COLUMNS = (
    "node",
    "duration_days",
    "alternative",
    "reference",
    "impact_avoided",
    "lost_units_avoided",
    "tts_gain_days",
    "annual_cost",
    "pays_if",
    "breakeven_failures_per_year",
)


def mitigation_table(
    scenario: Scenario,
    frame: pd.DataFrame,
    table: pd.DataFrame,
    alternatives: Sequence[str],
    reference: str | None = None,
) -> pd.DataFrame:
    """One row per (node, duration, alternative other than ``reference``) of the weak-link
    ``table`` (see :meth:`StressResult.mitigations`); ``frame`` holds the records."""
    names = list(alternatives)
    if reference is None:
        reference = names[0]
    if reference not in names:
        raise JitsimError(
            with_suggestion(
                f"unknown reference alternative {reference!r} (simulated: {', '.join(names)})",
                reference,
                names,
            )
        )
    rows_of = {
        (str(r["node"]), float(r["duration_days"]), str(r["alternative"])): r
        for r in table.to_dict("records")
    }
    base = point_rows(frame, 0, reference)
    per_year = scenario.run.days_per_year / scenario.run.window_days
    rows = []
    for (node, duration, alternative), row in rows_of.items():
        ref = rows_of.get((node, duration, reference))
        if alternative == reference or ref is None:
            continue
        annual = _annual_cost(base, point_rows(frame, 0, alternative), per_year)
        rows.append(_mitigation_row(row, ref, reference, annual))
    return pd.DataFrame(rows, columns=list(MITIGATION_COLUMNS))


def _annual_cost(base: pd.DataFrame, other: pd.DataFrame, per_year: float) -> float:
    """The profit ``other`` gives up against ``base`` per year (paired mean × ``per_year``)."""
    n = min(len(base), len(other))
    given_up = base["profit"].to_numpy(dtype=float)[:n] - other["profit"].to_numpy(dtype=float)[:n]
    return float(np.mean(given_up)) * per_year if n else math.nan


def _mitigation_row(
    row: dict[Any, Any], ref: dict[Any, Any], reference: str, annual: float
) -> dict[str, Any]:
    """An alternative's weak-link ``row`` against the reference's ``ref`` for the same failure."""
    avoided = float(ref["impact"] - row["impact"])
    pays, breakeven = _pays(annual, avoided)
    censored = bool(row["tts_censored"]) or bool(ref["tts_censored"])
    return {
        "node": str(row["node"]),
        "duration_days": float(row["duration_days"]),
        "alternative": str(row["alternative"]),
        "reference": reference,
        "impact_avoided": avoided,
        "lost_units_avoided": float(ref["lost_units"] - row["lost_units"]),
        "tts_gain_days": math.nan if censored else float(row["tts_days"] - ref["tts_days"]),
        "annual_cost": annual,
        "pays_if": pays,
        "breakeven_failures_per_year": breakeven,
    }


def _pays(annual: float, avoided: float) -> tuple[str, float]:
    """When an alternative pays against the reference, for one failure.

    ``annual`` is the profit it gives up per year without the failure, ``avoided`` the impact
    it avoids per failure; with f failures a year it gains ``f × avoided − annual``.
    """
    if math.isnan(annual) or math.isnan(avoided):
        return "unknown", math.nan
    if annual <= 0 and avoided >= 0:
        return "always", 0.0
    if annual >= 0 and avoided <= 0:
        return "never", math.nan
    # same signs: the break-even frequency is annual / avoided
    return ("more often" if annual > 0 else "less often"), annual / avoided
