"""The search: a pattern search on a local grid with a shrinking step, under common random
numbers.

Every candidate is simulated with the same replications ``0 … n−1`` (same seed, same indices),
so two candidates are compared on the same demand paths and a candidate's outputs never change
once simulated: it is simulated once and remembered.

1. The centre starts at the starting policy's values (clipped into the bounds); each variable's
   step starts at an eighth of its range (at least 1 for a whole number).
2. Each round simulates, in one batch, the not yet simulated points of the local grid around
   the centre: every combination of −step, 0, +step per variable with one or two variables,
   and the 2d points one step along each axis with more (the grid would grow as 3^d).
3. The best point simulated so far becomes the centre (:func:`rank_key`: a feasible point
   beats an infeasible one; among feasible points the smaller objective mean wins; among
   infeasible ones the smaller violation of the constraints). When the centre does not move,
   every step is halved (to 1 for whole numbers, to 1/256 of the range for continuous ones);
   the search stops when a round at the smallest steps finds nothing better, or when the next
   round would exceed the search budget or ``max_rounds``.

A point is *feasible* in the search when every constraint holds at the chosen confidence with
its n replications (one-sided bound, :meth:`~.constraints.Constraint.holds`). This is a local
search: on a cost that is not unimodal along the grid it may stop at a local optimum (see
docs/optimize.md).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from jitsim.experiments.optimize.constraints import Constraint
from jitsim.experiments.optimize.variables import Candidate, Variable, repaired

#: ``simulate(candidates)``: outputs of the search's replications of new candidates, each an
#: array ``(n, 1 + constraints)``: the objective (smaller is better), then constrained KPIs.
Simulate = Callable[[list[Candidate]], dict[Candidate, np.ndarray]]


@dataclass(frozen=True)
class Scored:
    """A candidate as the search sees it."""

    candidate: Candidate
    round: int
    objective: float
    feasible: bool
    violation: float


def rank_key(s: Scored) -> tuple[float, float, Candidate]:
    """Feasible first, then the smaller objective (or violation); ties by the values."""
    if s.feasible:
        return (0.0, s.objective, s.candidate)
    return (1.0, s.violation, s.candidate)


def score(
    candidate: Candidate,
    values: np.ndarray,
    round_: int,
    constraints: Sequence[Constraint],
    confidence: float,
) -> Scored:
    """The objective mean, feasibility and violation of one candidate's outputs."""
    objective = float(np.nanmean(values[:, 0])) if np.isfinite(values[:, 0]).any() else math.inf
    feasible = all(c.holds(values[:, 1 + j], confidence) for j, c in enumerate(constraints))
    violation = sum(c.violation(values[:, 1 + j]) for j, c in enumerate(constraints))
    return Scored(candidate, round_, objective, feasible, violation)


def initial_steps(variables: Sequence[Variable]) -> list[float]:
    """An eighth of each range (at least 1 for a whole number)."""
    return [
        max(1.0, float(round((v.high - v.low) / 8))) if v.integer else (v.high - v.low) / 8
        for v in variables
    ]


def smallest_steps(variables: Sequence[Variable]) -> list[float]:
    """1 for a whole number, 1/256 of the range for a continuous variable."""
    return [1.0 if v.integer else (v.high - v.low) / 256 for v in variables]


def neighbours(
    variables: Sequence[Variable], centre: Candidate, steps: Sequence[float]
) -> list[Candidate]:
    """The local grid around ``centre`` (see the module), repaired into the bounds, in a fixed
    order, without repeats."""
    d = len(variables)
    if d <= 2:
        moves = list(itertools.product((-1, 0, 1), repeat=d))
    else:
        moves = [tuple(0 for _ in range(d))]
        for i in range(d):
            for sign in (-1, 1):
                moves.append(tuple(sign if j == i else 0 for j in range(d)))
    points = [
        repaired(variables, [x + m * s for x, m, s in zip(centre, move, steps, strict=True)])
        for move in moves
    ]
    return list(dict.fromkeys(points))


@dataclass
class SearchOutcome:
    """What the search found: every candidate scored, the centre after each round, and why it
    stopped (``converged``, ``budget`` or ``max_rounds``)."""

    scored: dict[Candidate, Scored]
    centres: list[Candidate]
    steps: list[list[float]]
    stop_reason: str

    def ranked(self) -> list[Scored]:
        """Every candidate, best first (:func:`rank_key`)."""
        return sorted(self.scored.values(), key=rank_key)


def pattern_search(
    variables: Sequence[Variable],
    simulate: Simulate,
    constraints: Sequence[Constraint],
    *,
    confidence: float,
    replications: int,
    budget: int,
    max_rounds: int = 60,
) -> SearchOutcome:
    """Run the search (see the module); ``budget`` is in replication-runs (a candidate's
    replication counts one) and always pays for the first round."""
    centre = repaired(variables, [v.start for v in variables])
    steps = initial_steps(variables)
    floor = smallest_steps(variables)
    scored: dict[Candidate, Scored] = {}
    centres: list[Candidate] = []
    history: list[list[float]] = []
    spent = 0
    reason = "max_rounds"
    for round_ in range(max_rounds):
        new = [c for c in neighbours(variables, centre, steps) if c not in scored]
        if round_ > 0 and spent + len(new) * replications > budget:
            reason = "budget"
            break
        if new:
            outputs = simulate(new)
            spent += len(new) * replications
            for c in new:
                scored[c] = score(c, outputs[c], round_, constraints, confidence)
        best = min(scored.values(), key=rank_key).candidate
        at_floor = all(s <= f for s, f in zip(steps, floor, strict=True))
        if best == centre:
            if at_floor:
                centres.append(centre)
                history.append(list(steps))
                reason = "converged"
                break
            steps = [
                max(f, math.floor(s / 2)) if v.integer else max(f, s / 2)
                for v, s, f in zip(variables, steps, floor, strict=True)
            ]
        centre = best
        centres.append(centre)
        history.append(list(steps))
    return SearchOutcome(scored, centres, history, reason)
