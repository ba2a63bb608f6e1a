"""Simulating candidates: each batch of candidates is one scenario whose alternatives are the
candidates, run in one batch under common random numbers.

Candidate *c* becomes the alternative ``c<c>``: the starting alternative's policies with the
candidate's values written into the chosen stock points, and its other changes kept. Every
alternative of a batch, and every batch, uses the same master seed and the same replication
indices, so candidate *c* and candidate *d* see the same demand, lead times and disruptions in
replication *r* wherever they were simulated: their outputs are paired.

With an output directory, batch *i* writes its replications to ``evaluations/iii/`` as they
finish. The search and the selection are deterministic functions of these outputs, so a
resumed optimisation asks for the same batches in the same order and finds them on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jitsim.errors import unknown_kpi
from jitsim.execution.batch import Execution, run_points
from jitsim.experiments.optimize.variables import Candidate, Variable, policies_of
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import complete_data

#: Folder of the batches' replications inside the output directory.
EVALUATIONS = "evaluations"


def candidate_name(index: int) -> str:
    """The alternative that simulates candidate ``index``."""
    return f"c{index:04d}"


@dataclass
class Evaluator:
    """Simulates candidates in batches; remembers every output it was given.

    Parameters
    ----------
    scenario : Scenario
        The scenario optimised.
    start : str or None
        The alternative the candidates start from (None: the stock points' own policies).
    variables : list of Variable
        The decision variables.
    policies : dict
        Stock point → starting policy (plain data).
    kpis : list of str
        The KPIs kept (objective first, then the constrained ones).
    seed : int
        Master seed of every batch.
    execution : Execution
        How to run a batch (its ``out`` is the optimisation's directory; ``progress`` counts
        replication-runs against ``planned``).
    planned : int
        Replication-runs the progress bar counts against (the budget).
    """

    scenario: Scenario
    start: str | None
    variables: list[Variable]
    policies: dict[str, dict[str, Any]]
    kpis: list[str]
    seed: int
    execution: Execution
    planned: int
    candidates: list[Candidate] = field(default_factory=list)
    batches: int = 0
    done: int = 0
    records: list[pd.DataFrame] = field(default_factory=list)

    def index_of(self, candidate: Candidate) -> int:
        """The number of ``candidate`` (numbered in the order first seen)."""
        if candidate not in self.candidates:
            self.candidates.append(candidate)
        return self.candidates.index(candidate)

    def alternative(self, candidate: Candidate) -> dict[str, Any]:
        """The alternative (plain data, long form) that simulates ``candidate``."""
        base: dict[str, Any] = {"policies": {}, "changes": {}}
        if self.start is not None:
            data = complete_data(self.scenario)["alternatives"][self.start]
            base = {"policies": dict(data.get("policies") or {}), "changes": data["changes"]}
        chosen = policies_of(self.variables, candidate, self.policies)
        return {"policies": {**base["policies"], **chosen}, "changes": base["changes"]}

    def simulate(
        self, candidates: Sequence[int], first: int, count: int, stage: str
    ) -> dict[int, np.ndarray]:
        """Replications ``first … first+count−1`` of candidates (by number), in one batch.

        Returns candidate → array of shape ``(count, len(kpis))``, rows by replication.
        """
        names = [candidate_name(c) for c in candidates]
        data = complete_data(self.scenario)
        data["alternatives"] = {
            name: self.alternative(self.candidates[c])
            for name, c in zip(names, candidates, strict=True)
        }
        batch = type(self.scenario).model_validate(data)
        frame = self._run(batch, names, first, count)
        missing = [k for k in self.kpis if k not in frame.columns]
        if missing:
            raise unknown_kpi(missing[0], list(frame.columns))
        frame = frame.sort_values(["alternative", "replication"], kind="stable")
        out = {}
        for name, c in zip(names, candidates, strict=True):
            rows = frame[frame["alternative"] == name]
            out[c] = rows[self.kpis].to_numpy(dtype=float)
            kept = rows[["replication", *self.kpis]].copy()
            kept.insert(0, "alternative", name)
            kept.insert(0, "candidate", c)
            kept.insert(0, "stage", stage)
            self.records.append(kept)
        return out

    def _run(self, batch: Scenario, names: list[str], first: int, count: int) -> pd.DataFrame:
        execution, before = self.execution, self.done
        work = count * len(names)

        def report(done: int, _total: int) -> None:
            if execution.progress is not None:
                execution.progress(before + done, max(self.planned, before + work))

        folder = None
        if execution.out is not None:
            folder = Path(execution.out) / EVALUATIONS / f"{self.batches:03d}"
        here = replace(
            execution,
            # One chunk per candidate: the fast engine's cost per simulated day hardly depends
            # on how many replications it steps together, and a batch has several candidates
            # to spread over the workers anyway.
            chunk_size=execution.chunk_size or count,
            out=folder,
            resume=folder is not None and folder.is_dir(),
            overwrite=False,
            progress=report,
        )
        self.batches += 1
        frame = run_points("optimize", [batch], names, count, self.seed, here, {}, first=first)
        self.done += work
        return frame.frame

    def replications(self) -> pd.DataFrame:
        """Every output simulated: ``stage`` (search or selection), ``candidate``, the
        ``alternative`` that simulated it (``c0012``), ``replication`` and the KPIs kept."""
        if not self.records:
            columns = ["stage", "candidate", "alternative", "replication", *self.kpis]
            return pd.DataFrame(columns=columns)
        return pd.concat(self.records, ignore_index=True)
