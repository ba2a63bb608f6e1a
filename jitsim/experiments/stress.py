"""Stress test: knock out each supplier and plant in turn, paired with the undisrupted baseline.

For every node (supplier or plant) and every knock-out duration D the scenario gets one extra
scheduled ``outage`` event, :data:`EVENT`, holding the node down over ``[t0, t0 + D)`` (the
node's own ``when_down`` behaviour applies); one more variant per node holds it down from t0
to the end of the horizon, for the time-to-survive. All variants and the baseline (the scenario
as given) run every alternative in one batch under common random numbers: replication r of
every variant uses the same seed and replication index, and adding an outage does not shift
any other random stream, so every difference against the baseline is paired. (The baseline
carries an event of the same name that changes nothing — a lead-time shock with multiplier 1
and no added days over ``[t0, horizon)`` — so that it reports the same KPI columns, among them
its own first shortfall and service drop from t0; it simulates exactly like the scenario as
given, and only its disruption KPIs such as ``lost_sales_in_disruption`` see the window.)

Measures (exact definitions):

* **TTS** (time-to-survive) of a replication: with the node down from t0 for the rest of the
  horizon, the whole days fully served after the failure — the first unit of customer demand
  not met from stock on arrival falls on day ``t0 + TTS`` (KPI ``EVENT.first_shortfall_day``).
  Only shortfalls the failure causes count: the baseline of the same replication records its
  own first shortfall from t0 on (through a neutral event, below); when the baseline runs short
  at the same time or earlier, the network was short anyway and the replication's TTS is
  right-censored there (``TTS ≥ baseline's first shortfall − t0``). A replication without any
  shortfall is censored at ``horizon − t0``. Per node and alternative the table gives the
  Kaplan–Meier median over replications (``tts_days``; :func:`jitsim.stats.km_median`), with
  ``tts_censored`` true when the estimate never falls to 1/2 (``tts_days`` is then a lower
  bound), the smallest observed TTS, the share of censored replications and the share censored
  by the baseline's own shortfalls (``baseline_short_first_share``: high values mean the
  alternative does not meet demand even without a failure, and its TTS says little).
* **TTR** (time-to-recover) = the knock-out duration D (scenario-given); ``tts_lt_ttr`` flags
  ``tts_days < D`` for an uncensored median: the network runs dry before the node is back.
* **Impact** per (node, D, alternative), mean over replications of the paired difference
  disrupted − baseline of the same alternative: ``lost_units`` (extra units not met on
  arrival: backordered or lost), ``extra_cost`` (extra ``total_cost``), ``revenue_at_risk`` =
  Σ over customers of their extra demand unserved at the end of the run (``demand_units −
  sold_units``) × their price, ``lost_margin`` = the same units × (price − the item's
  ``unit_cost``), ``purchase_premium`` = Σ over stock points of extra ``purchase_cost`` − the
  stock point's baseline average price paid × extra ``bought_units`` (what dearer sources — a
  backup, an expedite — cost on top), and ``impact`` = extra cost + lost margin + purchase
  premium: the profit lost. With the same demand, revenue at risk is exactly baseline revenue −
  disrupted revenue; valuing unserved units rather than purchases keeps stock left unbought at
  the end of the run from counting as a saving, and keeps a demand surge's extra sales from
  counting as a gain. ``risk_exposure_index`` = impact / the largest impact of the table
  (0 … 1; rows with a negative impact get a negative index).
* **Service recovery** per (node, D, alternative), from the KPIs ``EVENT.service_drop_day``
  and ``EVENT.service_recovery_days`` (thresholds ``run.service_recovery``: by default the
  rolling 7-day fill rate falls below 0.90 and recovers at 0.95): ``service_drop_share`` = share
  of replications whose service dropped from t0 on (``baseline_drop_share``: the same in the
  baseline); ``recovery_days`` = Kaplan–Meier median over those replications of the days from
  the drop until recovery, censored at the end of the run (``recovery_censored``).
* **Tail risk** over replications: ``p_stockout`` = P(any stockout day) in the disrupted run;
  VaR95 (the ⌈0.95 n⌉-th smallest value) and CVaR95 (:func:`jitsim.stats.cvar`, upper tail)
  of the lost margin and of the disrupted run's total cost.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

import numpy as np
import pandas as pd

from jitsim.errors import JitsimError, ScenarioError
from jitsim.execution.batch import (
    BatchResult,
    Execution,
    ExecutionOptions,
    replications_and_seed,
    resolve_alternatives,
    run_points,
)
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.results_dir import REPLICATIONS_FILE, json_safe, provenance, write_files
from jitsim.scenario.disruptions import named_event
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import apply_overrides
from jitsim.scenario.resolve import resolve
from jitsim.stats import cvar, km_median, var

__all__ = [
    "DEFAULT_DURATIONS",
    "EVENT",
    "StressResult",
    "check_durations",
    "check_events",
    "check_nodes",
    "stress",
]

#: Knock-out durations (days) tested by default.
DEFAULT_DURATIONS = (7, 14, 30, 60)
#: Name of the outage event added to every knock-out variant.
EVENT = "stress_knockout"
STRESS_CSV = "stress.csv"
TTS_CSV = "tts.csv"
MITIGATIONS_CSV = "mitigations.csv"
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


@dataclass(frozen=True)
class Variant:
    """One simulated scenario of the stress test (point ``point`` of the batch).

    ``node`` is the node knocked out (``"a+b"`` for a group knocked out together), or the text
    of a tested named event; None for the baseline. ``duration`` is the TTR in days (None for
    the knock-outs to the horizon, which give the TTS, and for stock losses). ``tts_end`` is
    when the TTS of the variant is censored at the latest (None: the variant gives no TTS).
    """

    point: int
    node: str | None
    node_kind: str | None
    duration: float | None
    tts_end: float | None = None


@dataclass
class StressResult(BatchResult):
    """Result of :func:`stress`.

    Attributes
    ----------
    scenario : Scenario
        The baseline scenario.
    start_day : int
        Day of the failure t0.
    durations : list of int
        Knock-out durations (days), the TTR of each row.
    nodes : dict
        Node (or ``"a+b"`` group) knocked out → ``"supplier"``, ``"plant"``,
        ``"stock_point"`` (its inbound lanes closed) or ``"group"``, in the order tested.
    alternatives : list of str
        Alternatives simulated.
    seed, replications : int
        Master seed and replications per alternative and variant.
    variants : list of Variant
        What each batch point is (point 0 is the baseline).
    frame : DataFrame
        Raw records: ``point``, ``alternative``, ``replication`` and the KPIs.
    events : list of str
        Named stress events tested (rows of kind ``"event"``).
    out_dir, backend, precision
        As in :class:`~jitsim.execution.batch.BatchResult`.
    """

    scenario: Scenario
    start_day: int
    durations: list[int]
    nodes: dict[str, str]
    alternatives: list[str]
    seed: int
    replications: int
    variants: list[Variant]
    events: list[str] = field(default_factory=list)

    @property
    def horizon_after_failure(self) -> int:
        """Days from the failure to the end of the horizon (the TTS censoring bound)."""
        return self.scenario.run.horizon_days - self.start_day

    def _rows(self, point: int, alternative: str) -> pd.DataFrame:
        frame = self.frame
        rows = frame[(frame["point"] == point) & (frame["alternative"] == alternative)]
        return rows.sort_values("replication").reset_index(drop=True)

    def replication_tts(
        self, node: str, alternative: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TTS of every replication (days), whether it is censored, and whether the baseline's
        own first shortfall censored it (see the module notes)."""
        variant = next(v for v in self.variants if v.node == node and v.tts_end is not None)
        assert variant.tts_end is not None
        column = f"{EVENT}.first_shortfall_day"
        hit = _column(self._rows(variant.point, alternative), column)
        base = _column(self._rows(0, alternative), column)
        n = min(len(hit), len(base))
        hit, base = hit[:n], base[:n]
        caused = ~np.isnan(hit) & (np.isnan(base) | (hit < base))
        by_baseline = ~caused & ~np.isnan(base) & (base < variant.tts_end)
        end = np.where(by_baseline, base, variant.tts_end)
        tts = np.floor(np.where(caused, hit, end) - self.start_day)
        return tts, ~caused, by_baseline

    def tts(self) -> pd.DataFrame:
        """Time-to-survive per node and alternative (see the module notes)."""
        rows = []
        for variant in self.variants:
            if variant.tts_end is None or variant.node is None:
                continue
            node, kind = variant.node, variant.node_kind
            for alternative in self.alternatives:
                values, censored, by_baseline = self.replication_tts(node, alternative)
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
                        variant.tts_end - self.start_day,
                        len(values),
                    )
                )
        return pd.DataFrame(rows, columns=list(TTS_COLUMNS))

    def records(self) -> pd.DataFrame:
        """Every simulated replication: the variant (``node`` and ``duration_days`` empty for the
        baseline; ``to_horizon`` true for the time-to-survive knock-outs), the alternative, the
        replication index and its KPIs."""
        labels = pd.DataFrame(
            {
                "point": [v.point for v in self.variants],
                "node": [v.node for v in self.variants],
                "node_kind": [v.node_kind for v in self.variants],
                "duration_days": [v.duration for v in self.variants],
                "to_horizon": [
                    v.node_kind != "event" and v.tts_end is not None for v in self.variants
                ],
            }
        )
        frame = labels.merge(self.frame, on="point", how="right")
        return frame.sort_values(
            ["point", "alternative", "replication"], kind="stable"
        ).reset_index(drop=True)

    def table(self) -> pd.DataFrame:
        """Weak links: one row per (node, duration, alternative), ranked by risk exposure."""
        tts = {
            (str(r["node"]), str(r["alternative"])): {str(k): v for k, v in r.items()}
            for r in self.tts().to_dict("records")
        }
        rows: list[dict[str, Any]] = []
        for variant in self.variants:
            if variant.node is None or (variant.duration is None and variant.node_kind != "event"):
                continue  # the baseline, and the knock-outs to the horizon (TTS only)
            for alternative in self.alternatives:
                base = self._rows(0, alternative)
                hit = self._rows(variant.point, alternative)
                if base.empty or hit.empty:
                    continue
                rows.append(
                    _impact_row(
                        resolve(self.scenario, alternative),  # its own prices
                        variant,
                        alternative,
                        base,
                        hit,
                        tts.get((variant.node, alternative)),
                    )
                )
        table = pd.DataFrame(rows, columns=[c for c in TABLE_COLUMNS if c != "rank"])
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

    def weak_links(self) -> list[str]:
        """Nodes ranked by their worst risk exposure index over durations and alternatives."""
        table = self.table()
        return list(dict.fromkeys(table["node"])) if not table.empty else []

    def mitigations(self, reference: str | None = None) -> pd.DataFrame:
        """What each alternative buys against each failure, next to what it costs every year.

        Parameters
        ----------
        reference : str, optional
            The alternative the others are measured against (default: the first one).

        Returns
        -------
        DataFrame
            One row per (node, duration, alternative other than the reference):
            ``impact_avoided`` and ``lost_units_avoided`` (reference's impact / lost units
            minus the alternative's, both against their own baselines), ``tts_gain_days``
            (TTS difference of the medians; NaN when either is censored), ``annual_cost`` =
            the profit the alternative gives up against the reference in the baseline (the
            scenario as given: its own random disruptions included), per year (paired mean ×
            days_per_year / measured days), ``pays_if`` and ``breakeven_failures_per_year`` =
            annual cost / impact avoided: ``"more often"`` — the alternative costs money every
            year and pays if this failure strikes more often than that many times a year;
            ``"less often"`` — it saves money every year but loses more per failure, and
            pays if the failure strikes less often; ``"always"`` (0) or ``"never"`` (NaN).
        """
        names = self.alternatives
        if reference is None:
            reference = names[0]
        if reference not in names:
            raise JitsimError(
                f"unknown reference alternative {reference!r} (simulated: {', '.join(names)})"
            )
        rows_of = {
            (str(r["node"]), float(r["duration_days"]), str(r["alternative"])): r
            for r in self.table().to_dict("records")
        }
        base = self._rows(0, reference)
        per_year = self.scenario.run.days_per_year / self.scenario.run.window_days
        rows = []
        for (node, duration, alternative), row in rows_of.items():
            ref = rows_of.get((node, duration, reference))
            if alternative == reference or ref is None:
                continue
            other = self._rows(0, alternative)
            n = min(len(base), len(other))
            given_up = (
                base["profit"].to_numpy(dtype=float)[:n] - other["profit"].to_numpy(dtype=float)[:n]
            )
            annual = float(np.mean(given_up)) * per_year if n else math.nan
            avoided = float(ref["impact"] - row["impact"])
            pays, breakeven = _pays(annual, avoided)
            censored = bool(row["tts_censored"]) or bool(ref["tts_censored"])
            rows.append(
                {
                    "node": node,
                    "duration_days": duration,
                    "alternative": alternative,
                    "reference": reference,
                    "impact_avoided": avoided,
                    "lost_units_avoided": float(ref["lost_units"] - row["lost_units"]),
                    "tts_gain_days": math.nan
                    if censored
                    else float(row["tts_days"] - ref["tts_days"]),
                    "annual_cost": annual,
                    "pays_if": pays,
                    "breakeven_failures_per_year": breakeven,
                }
            )
        return pd.DataFrame(rows, columns=list(MITIGATION_COLUMNS))


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
    # Money is valued per customer on the extra demand left unserved at the end of the run:
    # at its price (revenue at risk) and at its price − the item's unit cost (margin). Exact
    # for a knock-out (revenue at risk = baseline revenue − disrupted revenue), meaningful
    # when an event changes demand too, and blind to the stock the knock-out left unbought.
    revenue_at_risk = np.zeros(n)
    lost_margin = np.zeros(n)
    for name, customer in scenario.customers.items():
        item = scenario.items[scenario.stock_points[customer.buys_from].item]
        price = customer.price if customer.price is not None else item.price
        unserved = diff(f"{name}.demand_units") - diff(f"{name}.sold_units")
        revenue_at_risk += price * unserved
        lost_margin += (price - item.unit_cost) * unserved
    extra_cost = diff("total_cost")
    # Dearer units (a backup's or an expedite's price) count, per stock point against its own
    # baseline average price paid; buying more or fewer units at that price does not.
    purchase_premium = np.zeros(n)
    for point in scenario.stock_points:
        units = float(base[f"{point}.bought_units"].sum()) if f"{point}.bought_units" in base else 0
        paid = float(base[f"{point}.purchase_cost"].sum()) / units if units > 0 else 0.0
        purchase_premium += diff(f"{point}.purchase_cost") - paid * diff(f"{point}.bought_units")
    impact = extra_cost + lost_margin + purchase_premium
    total_cost = hit["total_cost"].to_numpy(dtype=float)
    drop = _column(hit, f"{EVENT}.service_drop_day")
    dropped = ~np.isnan(drop)
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


def _column(rows: pd.DataFrame, kpi: str) -> np.ndarray:
    """A KPI column as floats (NaN everywhere if the KPI is absent)."""
    if kpi not in rows:
        return np.full(len(rows), math.nan)
    return rows[kpi].to_numpy(dtype=float)


# --------------------------------------------------------------------------- running


def check_nodes(scenario: Scenario, nodes: Sequence[str] | None) -> dict[str, str]:
    """The nodes to knock out → ``"supplier"``, ``"plant"``, ``"stock_point"`` or ``"group"``.

    ``"a+b"`` knocks out a and b together (a common-cause failure). A stock point named here
    has its inbound lanes closed. Without ``nodes``: every supplier and plant, one at a time.
    """
    known = {name: "supplier" for name in scenario.suppliers}
    known.update({name: "plant" for name in scenario.plants})
    if not nodes:
        if not known:
            raise JitsimError("nothing to stress: the scenario has no suppliers or plants")
        return known
    known.update({name: "stock_point" for name in scenario.stock_points})
    chosen: dict[str, str] = {}
    for text in nodes:
        members = [part.strip() for part in text.split("+")]
        for name in members:
            if name not in known:
                raise JitsimError(
                    f"unknown node {name!r} to knock out (suppliers, plants and stock points "
                    f"of this scenario: {', '.join(known) or 'none'}; join several with '+')"
                )
        if len(set(members)) != len(members):
            raise JitsimError(f"node group {text!r} names a node twice")
        chosen["+".join(members)] = known[members[0]] if len(members) == 1 else "group"
    return chosen


def check_events(
    scenario: Scenario, texts: Sequence[str] | None, start: int
) -> dict[str, tuple[dict[str, Any], Scenario]]:
    """Named stress events to test, each → its long form starting at ``start`` and the
    scenario with it added (validated once, here)."""
    chosen: dict[str, tuple[dict[str, Any], Scenario]] = {}
    for text in texts or []:
        try:
            event = named_event(text, start=float(start))
        except ValueError as exc:
            raise JitsimError(f"--test-event: {exc}") from None
        begin = event["at"][0] if event["kind"] == "stock_loss" else event["windows"][0]["start"]
        if begin != start:
            raise JitsimError(
                f"--test-event {text!r} starts on day {begin:g}, the failure day is {start}: "
                "tested events start on the failure day (drop the @DAY or use --start-day)"
            )
        try:
            variant = _with_event(scenario, None, event)
        except ScenarioError as exc:  # name the option, not the knock-out's internal name
            where = f"disruptions.{EVENT}."
            details = "; ".join(
                f"{problem.path.removeprefix(where)}: {problem.message}" for problem in exc.problems
            )
            raise JitsimError(f"--test-event {text!r}: {details}") from None
        chosen[text] = (event, variant)
    return chosen


def check_durations(durations: Sequence[int]) -> list[int]:
    chosen = list(dict.fromkeys(durations))
    if not chosen:
        raise JitsimError("give at least one knock-out duration, e.g. --durations 7,30")
    for value in chosen:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise JitsimError(f"knock-out duration {value!r} must be a whole number of days >= 1")
    return chosen


def _with_event(
    scenario: Scenario, source_file: str | os.PathLike[str] | None, event: dict[str, Any]
) -> Scenario:
    return apply_overrides(scenario, source_file, {f"disruptions.{EVENT}": event})


def _knockout(start: float, days: float, node: str) -> dict[str, Any]:
    return {
        "kind": "outage",
        "nodes": node.split("+"),
        "windows": [{"start": start, "days": days}],
    }


def stress(
    scenario: Scenario,
    *,
    nodes: Sequence[str] | None = None,
    durations: Sequence[int] = DEFAULT_DURATIONS,
    start_day: int | None = None,
    events: Sequence[str] | None = None,
    source_file: str | os.PathLike[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    alternatives: Sequence[str] | None = None,
    precision: PrecisionTarget | None = None,
    reference: str | None = None,
    calm: bool = False,
    keep: Sequence[str] = (),
    **options: Unpack[ExecutionOptions],
) -> StressResult:
    """Knock out each supplier and plant in turn and measure TTS, impact and tail risk.

    Parameters
    ----------
    scenario : Scenario
        The baseline scenario (its own disruptions, if any, stay in every variant).
    nodes : sequence of str, optional
        Suppliers and plants to knock out, one at a time; ``"a+b"`` knocks out a and b
        together (a common-cause failure). Default: every supplier and plant, unless
        ``events`` are given.
    durations : sequence of int
        Knock-out durations (days); each is the TTR of its rows.
    start_day : int, optional
        Day of the failure (default: the first day after warm-up, ``run.warmup_days``).
    events : sequence of str, optional
        Named stress events to test, each paired with the baseline like a knock-out
        (``"demand-surge-50pct-28d:shop"``; see ``docs/disruptions.md``); they start on the
        failure day. Their rows have ``node_kind`` ``"event"``, the event's duration as TTR,
        and a TTS censored at the event's end.
    source_file : path, optional
        The scenario file, for FILE:LINE errors.
    replications, seed, alternatives, progress, backend, workers, scheduler, chunk_size,
    out, resume, command
        As in :func:`jitsim.run`; replications are per alternative and per variant.
    precision : PrecisionTarget, optional
        Run in rounds until the watched KPIs of every variant and alternative reach the
        relative precision (as in :func:`jitsim.run`); ``replications`` is then ignored.
    reference : str, optional
        Alternative the others are measured against in ``mitigations.csv`` (default: the
        first); see :meth:`StressResult.mitigations`.
    calm : bool
        Drop the scenario's own disruptions first, so the baseline is undisrupted and each
        knock-out strikes an otherwise calm year (default: keep them — the baseline is the
        scenario as given, its random outages included).
    keep : sequence of str
        Disruptions that ``calm`` keeps (the standing events given with ``--event``).

    Returns
    -------
    StressResult

    Notes
    -----
    The batch has 1 + len(nodes) × (len(durations) + 1) + len(events) scenario points
    (baseline, the knock-outs, one knock-out to the horizon per node for the TTS, and the
    tested events). With ``out`` the directory is written as chunks finish (resumable) and at
    the end holds ``stress.csv`` (ranked weak links), ``tts.csv``, ``mitigations.csv`` (with
    several alternatives), ``replications.csv``, ``scenario.resolved.yaml`` and
    ``summary.json``.
    """
    if calm:
        kept = {k: v for k, v in scenario.disruptions.items() if k in keep}
        scenario = scenario.model_copy(update={"disruptions": kept})
    if EVENT in scenario.disruptions:
        raise JitsimError(f"the scenario already has a disruption named {EVENT!r}; rename it")
    chosen = check_nodes(scenario, nodes) if nodes or not events else {}
    lengths = check_durations(durations)
    run = scenario.run
    t0 = run.warmup_days if start_day is None else start_day
    if (
        isinstance(t0, bool)
        or not isinstance(t0, int)
        or not run.warmup_days <= t0 < run.horizon_days
    ):
        raise JitsimError(
            f"start day {t0!r} must be a whole day after warm-up: from {run.warmup_days} to "
            f"{run.horizon_days - 1}"
        )
    names = resolve_alternatives(scenario, alternatives)
    if reference is not None and reference not in names:
        raise JitsimError(
            f"unknown reference alternative {reference!r} (simulated: {', '.join(names)})"
        )
    n, master = replications_and_seed(scenario, replications, seed)

    # The baseline carries a neutral event of the same name over [t0, horizon): it changes
    # nothing in the run (no random stream moves) but records the baseline's own first
    # shortfall and service drop from t0, and gives every point the same KPI columns.
    neutral = {
        "kind": "lead_time_shock",
        "nodes": [next(iter(scenario.stock_points))],
        "multiplier": 1.0,
        "add_days": 0.0,
        "windows": [{"start": t0, "days": run.horizon_days - t0}],
    }
    tested = check_events(scenario, events, t0)
    horizon = float(run.horizon_days)
    variants = [Variant(0, None, None, None)]
    scenarios = [_with_event(scenario, source_file, neutral)]
    for node, kind in chosen.items():
        for days in lengths:
            scenarios.append(_with_event(scenario, source_file, _knockout(t0, days, node)))
            variants.append(Variant(len(variants), node, kind, days))
        scenarios.append(_with_event(scenario, source_file, _knockout(t0, horizon - t0, node)))
        variants.append(Variant(len(variants), node, kind, None, tts_end=horizon))
    for text, (event, with_it) in tested.items():
        scenarios.append(with_it)
        if event["kind"] == "stock_loss":
            variants.append(Variant(len(variants), text, "event", None))
        else:
            span = float(event["windows"][0]["days"])
            end = min(t0 + span, horizon)
            variants.append(Variant(len(variants), text, "event", span, tts_end=end))

    execution = Execution(**options)
    plan = {
        "nodes": list(chosen),
        "durations": lengths,
        "start_day": t0,
        "events": list(tested),
        "calm": calm,
    }
    outcome = run_points(
        "stress", scenarios, names, n, master, execution, json_safe(plan), precision=precision
    )
    result = StressResult(
        scenario,
        t0,
        lengths,
        chosen,
        names,
        master,
        outcome.replications,
        variants,
        **outcome.batch_fields(),
        events=list(tested),
    )
    outcome.complete(
        lambda directory: write_stress(
            result, directory, command=execution.command, reference=reference
        )
    )
    return result


# --------------------------------------------------------------------------- files


def write_stress(
    result: StressResult,
    directory: str | os.PathLike[str],
    *,
    command: str | None = None,
    reference: str | None = None,
) -> dict[str, Path]:
    """Write ``stress.csv`` (ranked weak links), ``tts.csv``, ``mitigations.csv`` (with
    several alternatives; against ``reference``), ``replications.csv`` (every paired record),
    ``scenario.resolved.yaml`` (the baseline) and ``summary.json``."""
    table = result.table()
    tts = result.tts()
    mitigations = result.mitigations(reference) if len(result.alternatives) > 1 else None
    document = {
        "kind": "stress",
        **provenance(result.scenario, result.seed, command),
        "replications": result.replications,
        "precision": result.precision.describe() if result.precision is not None else None,
        "alternatives": result.alternatives,
        "nodes": result.nodes,
        "events": result.events,
        "durations_days": result.durations,
        "start_day": result.start_day,
        "horizon_after_failure": result.horizon_after_failure,
        "definitions": {
            "tts_days": "Kaplan-Meier median over replications of the whole days fully served "
            "after the failure with the node down to the horizon (a tested event: during the "
            "event); censored at censored_at_days or where the baseline runs short anyway",
            "ttr_days": "the knock-out duration (a tested event: its duration)",
            "recovery_days": "Kaplan-Meier median of the days from the service drop (rolling "
            "fill rate below run.service_recovery.below) until it is back at "
            "run.service_recovery.recovered",
            "impact": "extra total_cost + lost margin (extra unserved units of each customer x "
            "(price - the item's unit_cost)) + purchase premium (per stock point: extra "
            "purchase_cost - its baseline price paid x extra bought_units), mean paired "
            "difference against the baseline",
            "risk_exposure_index": "impact / largest impact",
        },
        "weak_links": table.to_dict("records"),
        "tts": tts.to_dict("records"),
        "mitigations": mitigations.to_dict("records") if mitigations is not None else None,
    }
    tables = {"stress": (STRESS_CSV, table), "tts": (TTS_CSV, tts)}
    if mitigations is not None:
        tables["mitigations"] = (MITIGATIONS_CSV, mitigations)
    tables["replications"] = (REPLICATIONS_FILE, result.records())
    return write_files(directory, result.scenario, document, tables)
