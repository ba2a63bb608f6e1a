"""The result of an optimisation, its tables and the files it writes (``tuned.yaml`` among
them)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from jitsim.execution.results_claim import claim, record_files, write_atomic
from jitsim.execution.results_dir import REPLICATIONS_FILE, provenance, write_files
from jitsim.experiments.optimize.constraints import Constraint
from jitsim.experiments.optimize.selection import Selection
from jitsim.experiments.optimize.variables import Candidate, Variable, describe
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import complete_data
from jitsim.stats.intervals import t_half_width
from jitsim.version import jitsim_version

if TYPE_CHECKING:
    from jitsim.experiments.optimize.evaluate import Evaluator
    from jitsim.experiments.optimize.search import SearchOutcome

TRACE_CSV = "optimize_trace.csv"
ROUNDS_CSV = "optimize_rounds.csv"
FINALISTS_CSV = "optimize_finalists.csv"
TUNED_FILE = "tuned.yaml"


@dataclass
class OptimizeResult:
    """Result of :func:`jitsim.optimize`.

    Attributes
    ----------
    winner : tuple of float
        The values of the variables chosen (see :meth:`best`).
    feasible : bool
        Whether every constraint holds for the winner at confidence 1 − α on its selection
        replications (False: no finalist met them; the winner is the least bad).
    guaranteed : bool
        Whether the selection stopped by KN's own rule, so that its guarantee holds: the best
        finalist is picked with probability ≥ 1 − α whenever it is at least δ better than the
        others (False: the budget ran out first).
    stop_reason : str
        Why the search stopped: ``converged``, ``budget`` or ``max_rounds``.
    trace : DataFrame
        Every candidate the search simulated (:data:`TRACE_CSV`).
    rounds : DataFrame
        The centre after each round of the search (:data:`ROUNDS_CSV`).
    finalists : DataFrame
        The candidates of the selection, the winner first (:data:`FINALISTS_CSV`).
    replications : DataFrame
        Every replication simulated: ``stage``, ``candidate``, ``replication`` and the KPIs.
    tuned : str
        ``tuned.yaml``: the scenario with the winner written in as alternative ``name``.
    """

    scenario: Scenario
    start: str | None
    points: list[str]
    variables: list[Variable]
    objective: str
    constraints: list[Constraint]
    seed: int
    search_replications: int
    delta: float
    alpha: float
    winner: Candidate
    feasible: bool
    guaranteed: bool
    stop_reason: str
    replication_runs: int
    trace: pd.DataFrame
    rounds: pd.DataFrame
    finalists: pd.DataFrame
    replications: pd.DataFrame
    name: str
    out_dir: Path | None = None
    tuned: str = field(default="", repr=False)

    def best(self) -> dict[str, float | int]:
        """Variable (``point.field``) → the winner's value."""
        return describe(self.variables, self.winner)

    def at_bounds(self) -> list[str]:
        """Sentences naming each variable whose chosen value sits on a bound (the optimum
        may lie beyond it)."""
        out = []
        for v, x in zip(self.variables, self.winner, strict=True):
            if v.low < v.high and x in (v.low, v.high):
                side = "lower" if x == v.low else "upper"
                out.append(
                    f"{v.label} = {x:g} is at its {side} bound: the optimum may lie beyond; "
                    f"widen it with --bound {v.label}=LOW:HIGH"
                )
        return out

    def start_row(self) -> dict[str, Any]:
        """The starting policy's row of :attr:`trace` (its KPIs on the search's replications;
        the search simulates it in its first round), empty if it was not simulated."""
        rows = self.trace
        for v in self.variables:
            rows = rows[rows[v.label] == v.start]
        return dict(rows.iloc[0]) if len(rows) else {}

    def winner_row(self) -> dict[str, Any]:
        """The winner's row of :attr:`finalists`."""
        rows = self.finalists[self.finalists["chosen"]]
        return dict(rows.iloc[0]) if len(rows) else {}

    def describe(self) -> str:
        """The answer in one sentence."""
        values = ", ".join(f"{k} = {v:g}" for k, v in self.best().items())
        row = self.winner_row()
        mean, half = row.get(f"{self.objective}_mean"), row.get(f"{self.objective}_half_width")
        text = f"best: {values}; {self.objective} {mean:.6g} ± {half:.3g}"
        if not self.feasible:
            text += " — no finalist meets every constraint at the chosen confidence"
        if not self.guaranteed:
            text += " — the budget ran out before the selection could guarantee δ"
        return text

    def __str__(self) -> str:
        return self.describe()


# --------------------------------------------------------------------------- tables


def _stats(values: np.ndarray) -> tuple[float, float, int]:
    """Mean, 95 % CI half-width and n of a KPI's values (NaN left out)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, 0
    std = float(np.std(x, ddof=1)) if len(x) > 1 else math.nan
    return float(np.mean(x)), t_half_width(std, len(x)) if len(x) > 1 else math.nan, len(x)


def _kpi_columns(
    row: dict[str, Any],
    values: np.ndarray,
    kpis: Sequence[str],
    constraints: Sequence[Constraint],
    confidence: float,
) -> None:
    """Add the mean and half-width of each KPI, each risk constraint's estimate (column
    ``cvar95(stockout_days)``, ``P(stockout_days>0)``, ...) and each constraint's one-sided
    bound (column ``<constraint>_bound``)."""
    for j, kpi in enumerate(kpis):
        mean, half, _ = _stats(values[:, j])
        row[f"{kpi}_mean"] = mean
        row[f"{kpi}_half_width"] = half
    for c in constraints:
        if c.quantity != c.kpi:
            row[c.quantity] = c.estimate(values[:, list(kpis).index(c.kpi)])
        row[f"{c}_bound"] = c.confident_bound(values[:, list(kpis).index(c.kpi)], confidence)
    row["feasible"] = all(
        c.holds(values[:, list(kpis).index(c.kpi)], confidence) for c in constraints
    )


def _outputs(evaluator: Evaluator, stage: str) -> dict[int, np.ndarray]:
    """Candidate number → its outputs of ``stage`` (rows by replication)."""
    frame = evaluator.replications()
    frame = frame[frame["stage"] == stage].sort_values(["candidate", "replication"])
    return {
        int(str(c)): group[evaluator.kpis].to_numpy(dtype=float)
        for c, group in frame.groupby("candidate", sort=True)
    }


def trace_table(
    search: SearchOutcome,
    variables: Sequence[Variable],
    evaluator: Evaluator,
    constraints: Sequence[Constraint],
    confidence: float,
    replications: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The search's candidates (``round``, ``candidate``, the variables, each KPI's mean and
    95 % half-width, each constraint's one-sided bound, ``feasible``), in the order
    simulated; and its rounds (``round``, the centre's number and values, its objective mean,
    ``replication_runs`` spent so far)."""
    outputs = _outputs(evaluator, "search")
    rows = []
    for scored in sorted(search.scored.values(), key=lambda s: evaluator.index_of(s.candidate)):
        number = evaluator.index_of(scored.candidate)
        row: dict[str, Any] = {"round": scored.round, "candidate": number}
        row.update(describe(variables, scored.candidate))
        _kpi_columns(row, outputs[number], evaluator.kpis, constraints, confidence)
        rows.append(row)
    trace = pd.DataFrame(rows)
    objective = f"{evaluator.kpis[0]}_mean"
    per_round = trace.groupby("round").size() if len(trace) else pd.Series(dtype=int)
    rounds = []
    for round_, centre in enumerate(search.centres):
        number = evaluator.index_of(centre)
        spent = int(per_round[per_round.index <= round_].sum()) * replications
        rounds.append(
            {
                "round": round_,
                "centre": number,
                **describe(variables, centre),
                objective: float(trace.loc[trace["candidate"] == number, objective].iloc[0]),
                "feasible": bool(trace.loc[trace["candidate"] == number, "feasible"].iloc[0]),
                "replication_runs": spent,
                **{
                    f"step_{v.label}": s
                    for v, s in zip(variables, search.steps[round_], strict=True)
                },
            }
        )
    return trace, pd.DataFrame(rounds)


def finalists_table(
    selection: Selection,
    numbers: Sequence[int],
    evaluator: Evaluator,
    variables: Sequence[Variable],
    data: Mapping[int, np.ndarray],
    constraints: Sequence[Constraint],
    confidence: float,
    sign: int = 1,
) -> pd.DataFrame:
    """The finalists, the winner first then best objective mean first (``sign`` −1: the
    objective is maximised, larger first): their values, the KPIs on
    their selection replications (mean, 95 % half-width), the constraints' bounds,
    ``feasible``, ``replications`` and the KN stage at which each was ``eliminated_at``."""
    rows = []
    for number in numbers:
        values = data.get(number, np.empty((0, len(evaluator.kpis))))
        row: dict[str, Any] = {"candidate": number, "chosen": number == selection.winner}
        row.update(describe(variables, evaluator.candidates[number]))
        _kpi_columns(row, values, evaluator.kpis, constraints, confidence)
        row["replications"] = len(values)
        row["eliminated_at"] = selection.eliminated.get(number, math.nan)
        rows.append(row)
    table = pd.DataFrame(rows)
    objective = f"{evaluator.kpis[0]}_mean"
    table = table.sort_values(["chosen", objective], ascending=[False, sign > 0], kind="stable")
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- files


def tuned_yaml(result: OptimizeResult, alternative: Mapping[str, Any]) -> str:
    """The scenario (every default filled in) with the winner as the alternative
    ``result.name``, as YAML that ``jitsim run`` and ``jitsim compare`` read unchanged."""
    data = complete_data(result.scenario)
    values = ", ".join(f"{k}={v:g}" for k, v in result.best().items())
    described = f"found by jitsim optimize ({result.objective}"
    if result.constraints:
        described += " subject to " + ", ".join(str(c) for c in result.constraints)
    described += f"): {values}"
    alternatives = data.setdefault("alternatives", {})
    if result.start is None and not any(_unchanged(a) for a in alternatives.values()):
        # The policies the search started from, so that ``jitsim compare`` shows both.
        alternatives[_free(alternatives, "start")] = {
            "policies": {},
            "changes": {},
            "switching_cost": 0.0,
            "description": "the stock points' own policies, where jitsim optimize started",
        }
    alternatives[result.name] = {
        "policies": dict(alternative["policies"]),
        "changes": dict(alternative.get("changes") or {}),
        "switching_cost": 0.0,
        "description": described,
    }
    header = (
        f"# Written by jitsim {jitsim_version()} optimize: the scenario with every default filled\n"
        f"# in and the answer as alternative {result.name!r} ({values}).\n"
        f"# Compare it: jitsim compare {TUNED_FILE}\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def _unchanged(alternative: Mapping[str, Any]) -> bool:
    """Whether an alternative (plain data) keeps the stock points' own policies unchanged."""
    return not alternative.get("policies") and not alternative.get("changes")


def _free(taken: Mapping[str, Any], name: str) -> str:
    """``name``, or ``name_2``, ``name_3``, ... when ``taken`` has it."""
    if name not in taken:
        return name
    return next(f"{name}_{i}" for i in range(2, 10_000) if f"{name}_{i}" not in taken)


def write_optimize(
    result: OptimizeResult, directory: str | os.PathLike[str], *, command: str | None = None
) -> dict[str, Path]:
    """Write the tables, the replications, a summary, the scenario and ``tuned.yaml``."""
    document = {
        "kind": "optimize",
        **provenance(result.scenario, result.seed, command),
        "points": result.points,
        "start": result.start,
        "objective": result.objective,
        "constraints": [str(c) for c in result.constraints],
        "variables": [
            {"name": v.label, "low": v.low, "high": v.high, "integer": v.integer, "start": v.start}
            for v in result.variables
        ],
        "best": result.best(),
        "winner": {k: _plain(v) for k, v in result.winner_row().items()},
        "start_row": {k: _plain(v) for k, v in result.start_row().items()},
        "feasible": result.feasible,
        "guaranteed": result.guaranteed,
        "delta": result.delta,
        "alpha": result.alpha,
        "search_replications": result.search_replications,
        "replication_runs": result.replication_runs,
        "stop_reason": result.stop_reason,
        "alternative": result.name,
        "sentence": result.describe(),
        "at_bounds": result.at_bounds(),
    }
    tables = {
        "trace": (TRACE_CSV, result.trace),
        "rounds": (ROUNDS_CSV, result.rounds),
        "finalists": (FINALISTS_CSV, result.finalists),
        "replications": (REPLICATIONS_FILE, result.replications),
    }
    written = write_files(directory, result.scenario, document, tables)
    with claim(directory, resume=True) as path:
        target = path / TUNED_FILE
        text = result.tuned
        write_atomic(target, lambda temporary: temporary.write_text(text, encoding="utf-8"))
        record_files(path, [TUNED_FILE])
    written["tuned"] = target
    return written


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain number (for JSON)."""
    return value.item() if isinstance(value, np.generic) else value
