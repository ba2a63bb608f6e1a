"""The time-to-survive table and the weak-link table of a stress test.

Both pair each variant's replications with the baseline's of the same alternative (point 0 of
the batch, replication by replication); the exact definitions of the measures are in
:mod:`jitsim.experiments.stress`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jitsim.experiments.stress.variants import EVENT, Variant
from jitsim.model.kpis import WASTE_SPACE_COSTS
from jitsim.scenario.models import Scenario
from jitsim.scenario.resolve import resolve
from jitsim.stats import cvar, km_median, var

#: Columns of :meth:`StressResult.table` (ranked weak links).
TABLE_COLUMNS = (
    "rank",
    "node",
    "node_kind",
    "duration_days",
    "alternative",
    "lost_units",
    "revenue_at_risk",
    "extra_cost",
    "lost_margin",
    "purchase_premium",
    "impact",
    "risk_exposure_index",
    "p_stockout",
    "baseline_p_stockout",
    "lost_margin_var95",
    "lost_margin_cvar95",
    "total_cost_var95",
    "total_cost_cvar95",
    "service_drop_share",
    "baseline_drop_share",
    "recovery_days",
    "recovery_censored",
    "tts_days",
    "tts_censored",
    "tts_lt_ttr",
    "n",
)
#: Extra cost of waste and space (disrupted − baseline, mean over replications): a column
#: ``extra_KPI`` after ``extra_cost`` for each KPI the records hold (scenarios with perishables,
#: an end of life or warehouse capacity); part of ``extra_cost``, shown apart.
EXTRA_WASTE_COLUMNS = tuple(f"extra_{kpi}" for kpi in WASTE_SPACE_COSTS)


def table_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of the weak-link table of the records ``frame``: :data:`TABLE_COLUMNS`,
    with ``extra_KPI`` after ``extra_cost`` for each waste or space cost ``frame`` holds."""
    extras = [f"extra_{kpi}" for kpi in WASTE_SPACE_COSTS if kpi in frame]
    at = TABLE_COLUMNS.index("extra_cost") + 1
    return [*TABLE_COLUMNS[:at], *extras, *TABLE_COLUMNS[at:]]


#: Columns of :meth:`StressResult.tts`.
TTS_COLUMNS = (
    "node",
    "node_kind",
    "alternative",
    "tts_days",
    "tts_censored",
    "tts_min_days",
    "censored_share",
    "baseline_short_first_share",
    "censored_at_days",
    "n",
)


def point_rows(frame: pd.DataFrame, point: int, alternative: str) -> pd.DataFrame:
    """The records of one batch point and alternative, in replication order."""
    rows = frame[(frame["point"] == point) & (frame["alternative"] == alternative)]
    return rows.sort_values("replication").reset_index(drop=True)


def _column(rows: pd.DataFrame, kpi: str) -> np.ndarray:
    """A KPI column as floats (NaN everywhere if the KPI is absent)."""
    if kpi not in rows:
        return np.full(len(rows), math.nan)
    return rows[kpi].to_numpy(dtype=float)


# --------------------------------------------------------------------------- time-to-survive


def replication_tts(
    frame: pd.DataFrame, variants: Sequence[Variant], node: str, alternative: str, start: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TTS of every replication (days), whether it is censored, and whether the baseline's own
    first shortfall censored it, for the failure of ``node`` on day ``start``."""
    variant = next(v for v in variants if v.node == node and v.tts_end is not None)
    assert variant.tts_end is not None
    column = f"{EVENT}.first_shortfall_day"
    hit = _column(point_rows(frame, variant.point, alternative), column)
    base = _column(point_rows(frame, 0, alternative), column)
    n = min(len(hit), len(base))
    hit, base = hit[:n], base[:n]
    caused = ~np.isnan(hit) & (np.isnan(base) | (hit < base))
    by_baseline = ~caused & ~np.isnan(base) & (base < variant.tts_end)
    end = np.where(by_baseline, base, variant.tts_end)
    tts = np.floor(np.where(caused, hit, end) - start)
    return tts, ~caused, by_baseline


def tts_table(
    frame: pd.DataFrame, variants: Sequence[Variant], alternatives: Sequence[str], start: int
) -> pd.DataFrame:
    """Time-to-survive per node and alternative (columns :data:`TTS_COLUMNS`)."""
    rows = []
    for variant in variants:
        if variant.tts_end is None or variant.node is None:
            continue
        node, kind = variant.node, variant.node_kind
        for alternative in alternatives:
            values, censored, by_baseline = replication_tts(
                frame, variants, node, alternative, start
            )
            if len(values) == 0:
                continue
            median, open_ended = km_median(values, ~censored)
            events = values[~censored]
            rows.append(
                (
                    node,
                    kind,
                    alternative,
                    median,
                    open_ended,
                    float(events.min()) if events.size else math.nan,
                    float(censored.mean()),
                    float(by_baseline.mean()),
                    variant.tts_end - start,
                    len(values),
                )
            )
    return pd.DataFrame(rows, columns=list(TTS_COLUMNS))


# --------------------------------------------------------------------------- weak links


def impact_table(
    scenario: Scenario,
    frame: pd.DataFrame,
    variants: Sequence[Variant],
    alternatives: Sequence[str],
    tts: pd.DataFrame,
) -> pd.DataFrame:
    """Weak links: one row per (node, duration, alternative), ranked by risk exposure.

    ``tts`` is the :func:`tts_table` of the same records (its medians fill the TTS columns).
    """
    medians = {
        (str(r["node"]), str(r["alternative"])): {str(k): v for k, v in r.items()}
        for r in tts.to_dict("records")
    }
    rows: list[dict[str, Any]] = []
    for variant in variants:
        if variant.node is None or (variant.duration is None and variant.node_kind != "event"):
            continue  # the baseline, and the knock-outs to the horizon (TTS only)
        for alternative in alternatives:
            base = point_rows(frame, 0, alternative)
            hit = point_rows(frame, variant.point, alternative)
            if base.empty or hit.empty:
                continue
            rows.append(
                _impact_row(
                    resolve(scenario, alternative),  # its own prices
                    variant,
                    alternative,
                    base,
                    hit,
                    medians.get((variant.node, alternative)),
                )
            )
    table = pd.DataFrame(rows, columns=[c for c in table_columns(frame) if c != "rank"])
    if table.empty:
        table.insert(0, "rank", pd.Series(dtype=int))
        return table
    largest = float(table["impact"].max())
    table["risk_exposure_index"] = table["impact"] / largest if largest > 0 else 0.0
    table = table.sort_values(
        ["risk_exposure_index", "impact"], ascending=False, kind="stable"
    ).reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


#: ``diff(kpi)``: per replication, disrupted − baseline (zeros when the KPI is absent).
Difference = Callable[[str], np.ndarray]


def _unserved_value(scenario: Scenario, diff: Difference, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Revenue at risk and lost margin of every replication.

    Money is valued per customer on the extra demand left unserved at the end of the run: at
    its price (revenue at risk) and at its price − the item's unit cost (margin). Exact for a
    knock-out (revenue at risk = baseline revenue − disrupted revenue), meaningful when an
    event changes demand too, and blind to the stock the knock-out left unbought.
    """
    revenue_at_risk = np.zeros(n)
    lost_margin = np.zeros(n)
    for name, customer in scenario.customers.items():
        item = scenario.items[scenario.stock_points[customer.buys_from].item]
        price = customer.price if customer.price is not None else item.price
        unserved = diff(f"{name}.demand_units") - diff(f"{name}.sold_units")
        revenue_at_risk += price * unserved
        lost_margin += (price - item.unit_cost) * unserved
    return revenue_at_risk, lost_margin


def _purchase_premium(
    scenario: Scenario, base: pd.DataFrame, diff: Difference, n: int
) -> np.ndarray:
    """What dearer units (a backup's or an expedite's price) cost on top, per replication:
    per stock point against its own baseline average price paid; buying more or fewer units
    at that price does not count."""
    premium = np.zeros(n)
    for point in scenario.stock_points:
        units = float(base[f"{point}.bought_units"].sum()) if f"{point}.bought_units" in base else 0
        paid = float(base[f"{point}.purchase_cost"].sum()) / units if units > 0 else 0.0
        premium += diff(f"{point}.purchase_cost") - paid * diff(f"{point}.bought_units")
    return premium


def _impact_row(
    scenario: Scenario,
    variant: Variant,
    alternative: str,
    base: pd.DataFrame,
    hit: pd.DataFrame,
    tts: dict[str, Any] | None,
) -> dict[str, Any]:
    n = min(len(base), len(hit))
    base, hit = base.iloc[:n], hit.iloc[:n]

    def diff(kpi: str) -> np.ndarray:
        if kpi not in hit or kpi not in base:
            return np.zeros(n)
        return hit[kpi].to_numpy(dtype=float) - base[kpi].to_numpy(dtype=float)

    lost_units = diff("backordered_units") + diff("lost_sales_units")
    revenue_at_risk, lost_margin = _unserved_value(scenario, diff, n)
    extra_cost = diff("total_cost")
    purchase_premium = _purchase_premium(scenario, base, diff, n)
    waste = {f"extra_{kpi}": float(np.mean(diff(kpi))) for kpi in WASTE_SPACE_COSTS if kpi in hit}
    impact = extra_cost + lost_margin + purchase_premium
    total_cost = hit["total_cost"].to_numpy(dtype=float)
    dropped = ~np.isnan(_column(hit, f"{EVENT}.service_drop_day"))
    recovery, recovery_open = km_median(
        _column(hit, f"{EVENT}.service_recovery_days")[dropped],
        _column(hit, f"{EVENT}.service_recovered")[dropped] == 1.0,
    )
    duration = variant.duration if variant.duration is not None else 0.0
    tts_days = float(tts["tts_days"]) if tts else math.nan
    censored = bool(tts["tts_censored"]) if tts else True  # a lower bound only
    return {
        "node": variant.node,
        "node_kind": variant.node_kind,
        "duration_days": duration,
        "alternative": alternative,
        "lost_units": float(np.mean(lost_units)),
        "revenue_at_risk": float(np.mean(revenue_at_risk)),
        "extra_cost": float(np.mean(extra_cost)),
        **waste,
        "lost_margin": float(np.mean(lost_margin)),
        "purchase_premium": float(np.mean(purchase_premium)),
        "impact": float(np.mean(impact)),
        "risk_exposure_index": math.nan,
        "p_stockout": float(np.mean(hit["stockout_days"].to_numpy(dtype=float) > 0)),
        "baseline_p_stockout": float(np.mean(base["stockout_days"].to_numpy(dtype=float) > 0)),
        "lost_margin_var95": var(lost_margin),
        "lost_margin_cvar95": cvar(lost_margin),
        "total_cost_var95": var(total_cost),
        "total_cost_cvar95": cvar(total_cost),
        "service_drop_share": float(dropped.mean()),
        "baseline_drop_share": float(
            (~np.isnan(_column(base, f"{EVENT}.service_drop_day"))).mean()
        ),
        "recovery_days": recovery,
        "recovery_censored": bool(recovery_open and dropped.any()),
        "tts_days": tts_days,
        "tts_censored": censored,
        "tts_lt_ttr": bool(not censored and tts_days < duration),
        "n": n,
    }
