"""The result of a stress test and the files it writes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jitsim.execution.batch_results import BatchResult
from jitsim.execution.results_dir import REPLICATIONS_FILE, provenance, write_files
from jitsim.experiments.stress.mitigations import mitigation_table
from jitsim.experiments.stress.tables import (
    impact_table,
    point_rows,
    replication_tts,
    tts_table,
)
from jitsim.experiments.stress.variants import Variant
from jitsim.scenario.models import Scenario

STRESS_CSV = "stress.csv"
TTS_CSV = "tts.csv"
MITIGATIONS_CSV = "mitigations.csv"

#: The measures in words, for ``summary.json``.
DEFINITIONS = {
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
}


@dataclass
class StressResult(BatchResult):
    """Result of :func:`~jitsim.experiments.stress.stress`.

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
        As in :class:`~jitsim.execution.batch_results.BatchResult`.
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

    def rows(self, point: int, alternative: str) -> pd.DataFrame:
        """The records of one batch point (``variants[point]``) and alternative, in
        replication order."""
        return point_rows(self.frame, point, alternative)

    def replication_tts(
        self, node: str, alternative: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TTS of every replication (days), whether it is censored, and whether the baseline's
        own first shortfall censored it (see :mod:`jitsim.experiments.stress`)."""
        return replication_tts(self.frame, self.variants, node, alternative, self.start_day)

    def tts(self) -> pd.DataFrame:
        """Time-to-survive per node and alternative (see :mod:`jitsim.experiments.stress`)."""
        return tts_table(self.frame, self.variants, self.alternatives, self.start_day)

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
        return impact_table(self.scenario, self.frame, self.variants, self.alternatives, self.tts())

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
        return mitigation_table(
            self.scenario, self.frame, self.table(), self.alternatives, reference
        )


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
        "definitions": DEFINITIONS,
        "weak_links": table.to_dict("records"),
        "tts": tts.to_dict("records"),
        "mitigations": mitigations.to_dict("records") if mitigations is not None else None,
    }
    tables = {"stress": (STRESS_CSV, table), "tts": (TTS_CSV, tts)}
    if mitigations is not None:
        tables["mitigations"] = (MITIGATIONS_CSV, mitigations)
    tables["replications"] = (REPLICATIONS_FILE, result.records())
    return write_files(directory, result.scenario, document, tables)
