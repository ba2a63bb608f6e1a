"""The result of a break-even search and the files it writes."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jitsim.execution.results_dir import REPLICATIONS_FILE, provenance, write_files
from jitsim.model.kpis import direction
from jitsim.scenario.models import Scenario
from jitsim.units import plural

#: Columns of :meth:`BreakEvenResult.evaluations`.
EVALUATION_COLUMNS = (
    "evaluation",
    "x",
    "mean_diff",
    "ci95_low",
    "ci95_high",
    "n",
    "mean_a",
    "mean_b",
)
POINTS_CSV = "breakeven_points.csv"


@dataclass(frozen=True)
class Evaluation:
    """:math:`f(x)`: the paired difference A − B of the KPI at one parameter value."""

    x: float
    mean_diff: float
    ci95_low: float
    ci95_high: float
    n: int
    mean_a: float
    mean_b: float

    @property
    def sign(self) -> int:
        """Sign of the mean difference (0 when exactly zero)."""
        return (self.mean_diff > 0) - (self.mean_diff < 0)

    @property
    def side(self) -> int | None:
        """Where the whole 95 % CI lies: +1 above 0, −1 below, 0 exactly at 0 (a tie known
        without noise); None when it straddles 0 or is not available (one replication)."""
        if self.ci95_low > 0:
            return 1
        if self.ci95_high < 0:
            return -1
        if self.ci95_low == 0 == self.ci95_high:
            return 0
        return None

    @property
    def unresolved(self) -> bool:
        """Whether the 95 % CI contains 0 without being exactly 0: the sign is not known."""
        return self.ci95_low <= 0 <= self.ci95_high and self.ci95_low < self.ci95_high


@dataclass
class BreakEvenResult:
    """Result of :func:`breakeven`.

    Attributes
    ----------
    param : str
        The dotted path of the parameter searched.
    low, high : float
        The range searched.
    between : tuple of str
        The alternatives ``(A, B)``; :math:`f = A - B`.
    kpi : str
        The KPI compared.
    outcome : str
        ``"break_even"`` (f changes sign in the range), ``"whole_range"`` (the same alternative
        is significantly better at both ends), ``"no_crossing"`` (same sign at both ends but
        not significant at one of them) or ``"identical"`` (f = 0 at both ends).
    estimate : float
        Break-even value of the parameter (NaN unless ``outcome == "break_even"``).
    bracket : tuple of float, optional
        Final bracket ``(x_low, x_high)`` around the sign change.
    uncertainty : tuple of float, optional
        Where A and B cannot be told apart (see :mod:`jitsim.experiments.breakeven`).
    stop_reason : str
        ``"tolerance"``, ``"unresolved"`` (a midpoint's CI contained 0), ``"max_iterations"``,
        or ``"ends"`` (no bisection needed).
    sentence : str
        The result in one plain sentence.
    """

    param: str
    low: float
    high: float
    between: tuple[str, str]
    kpi: str
    seed: int
    replications_per_alternative: int
    tolerance: float
    outcome: str
    estimate: float
    bracket: tuple[float, float] | None
    uncertainty: tuple[float, float] | None
    stop_reason: str
    sentence: str
    evaluated: list[Evaluation] = field(default_factory=list)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenario: Scenario | None = None
    out_dir: Path | None = None

    @property
    def winner(self) -> str | None:
        """The alternative better over the whole range (``outcome == "whole_range"``)."""
        if self.outcome != "whole_range" or direction(self.kpi) == 0:
            return None
        a, b = self.between
        return a if direction(self.kpi) * self.evaluated[0].sign > 0 else b

    def evaluations(self) -> pd.DataFrame:
        """Every evaluated point in evaluation order: x, mean difference A − B, its CI, n."""
        rows = [(i, *astuple_evaluation(e)) for i, e in enumerate(self.evaluated)]
        return pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))

    def replications(self) -> pd.DataFrame:
        """Per-replication KPIs: ``evaluation``, ``x``, ``alternative``, ``replication``, KPIs."""
        return self.frame

    def describe(self) -> str:
        """The sentence, plus how the search ended."""
        how = {
            "tolerance": "the bracket is narrower than the tolerance",
            "unresolved": (
                f"the simulation cannot resolve the sign of {self.between[0]} − "
                f"{self.between[1]} any closer at "
                f"{plural(self.replications_per_alternative, 'replication')}"
            ),
            "max_iterations": "the maximum number of bisection steps was reached",
            "ends": "the two ends of the range decide it",
        }[self.stop_reason]
        return (
            f"{self.sentence}. {plural(len(self.evaluated), 'evaluation')}; stopped because {how}."
        )

    def __str__(self) -> str:
        return self.sentence


def astuple_evaluation(e: Evaluation) -> tuple[Any, ...]:
    """The fields of an :class:`Evaluation` in :data:`EVALUATION_COLUMNS` order (without index)."""
    return (e.x, e.mean_diff, e.ci95_low, e.ci95_high, e.n, e.mean_a, e.mean_b)


# --------------------------------------------------------------------------- files


def write_breakeven(
    result: BreakEvenResult, directory: str | os.PathLike[str], *, command: str | None = None
) -> dict[str, Path]:
    """Write the evaluations, replications, a summary and the base scenario to ``directory``."""
    assert result.scenario is not None
    document = {
        "kind": "breakeven",
        **provenance(result.scenario, result.seed, command),
        "replications": result.replications_per_alternative,
        "param": result.param,
        "range": [result.low, result.high],
        "between": list(result.between),
        "kpi": result.kpi,
        "tolerance": result.tolerance,
        "outcome": result.outcome,
        "estimate": result.estimate,
        "bracket": result.bracket,
        "uncertainty": result.uncertainty,
        "stop_reason": result.stop_reason,
        "sentence": result.sentence,
        "evaluations": [asdict(e) for e in result.evaluated],
    }
    tables = {
        "points": (POINTS_CSV, result.evaluations()),
        "replications": (REPLICATIONS_FILE, result.replications()),
    }
    return write_files(directory, result.scenario, document, tables)
