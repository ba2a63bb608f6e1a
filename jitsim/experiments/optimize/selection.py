r"""Ranking and selection: the Kim–Nelson procedure KN with common random numbers, and the
one-sided check of a constraint
(:mod:`.constraints`, re-exported here).

KN (Kim & Nelson 2001, "A fully sequential procedure for indifference-zone selection in
simulation", ACM TOMACS 11(3)) chooses, among :math:`k` systems whose outputs are normal, the
one with the smallest mean, such that

.. math:: P(\text{the system chosen has the smallest mean}) \ge 1 - \alpha
   \quad\text{whenever}\quad \mu_{[2]} - \mu_{[1]} \ge \delta ,

where :math:`\mu_{[1]} \le \mu_{[2]} \le \dots` are the sorted true means: systems closer than
:math:`\delta` to the best are treated as equally good (the indifference zone), and when the
best is within :math:`\delta` of others the procedure's formal guarantee says nothing about
which of them it picks. It allows common random numbers: it works on the *paired differences*
:math:`X_{ir} - X_{lr}` of replication :math:`r`, whose variance CRN makes small.

1. First stage: :math:`n_0` replications of every system; :math:`S^2_{il}` is the sample
   variance of :math:`X_{ir} - X_{lr}` over them.
2. :math:`\eta = \tfrac12\bigl[(2\alpha/(k-1))^{-2/(n_0-1)} - 1\bigr]`,
   :math:`h^2 = 2\eta(n_0-1)`.
3. At stage :math:`r \ge n_0`, with the means :math:`\bar X_i(r)` of the first :math:`r`
   replications, system :math:`i` stays if
   :math:`\bar X_i(r) \le \bar X_l(r) + W_{il}(r)` for every other survivor :math:`l`, where
   :math:`W_{il}(r) = \max\bigl(0, \tfrac{\delta}{2r}(h^2 S^2_{il}/\delta^2 - r)\bigr)`.
4. Stop when one system is left, or when :math:`r > N_{il} = \lfloor h^2 S^2_{il}/\delta^2
   \rfloor` for every pair of survivors (choose the smallest mean); else take one more
   replication of every survivor.

Replications are simulated in blocks (one batch per block) and the stages are then replayed
one replication at a time, so the decisions are exactly those of KN; a system eliminated
inside a block merely wastes the rest of that block. When the replication budget runs out
before KN stops, the smallest mean is chosen and the result says the guarantee was not
reached (``guaranteed`` is false).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from jitsim.errors import JitsimError
from jitsim.experiments.optimize.constraints import Constraint, parse_constraint

#: ``sample(systems, first, count)``: outputs of replications ``first … first+count−1`` of
#: each system (an array of shape ``(count, len(systems))``, smaller is better).
Sampler = Callable[[Sequence[int], int, int], np.ndarray]


@dataclass
class Selection:
    """Outcome of :func:`kn_select`.

    Attributes
    ----------
    winner : int
        The system chosen.
    guaranteed : bool
        Whether KN stopped by its own rule (the guarantee holds), not for lack of budget.
    stage : int
        The last stage :math:`r` (replications of the systems still in at the end).
    eliminated : dict
        System → stage at which it was eliminated.
    data : dict
        System → its outputs, one per replication it got (blocks included).
    """

    winner: int
    guaranteed: bool
    stage: int
    eliminated: dict[int, int] = field(default_factory=dict)
    data: dict[int, np.ndarray] = field(default_factory=dict)


def kn_constants(k: int, alpha: float, n0: int) -> float:
    """:math:`h^2 = 2\\eta(n_0-1)` of KN for ``k`` systems (see the module)."""
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    return 2 * eta * (n0 - 1)


def check_selection_options(delta: float, alpha: float, n0: int) -> None:
    """Refuse an indifference zone, error probability or first stage KN cannot use."""
    if not (math.isfinite(delta) and delta > 0):
        raise JitsimError(f"--delta(={delta}) must be a positive number (units of the objective)")
    if not 0 < alpha < 0.5:
        raise JitsimError(f"--alpha(={alpha}) must be between 0 and 0.5, e.g. 0.05")
    if n0 < 2:
        raise JitsimError(f"first-stage replications(={n0}) must be >= 2")


def kn_select(
    sample: Sampler,
    systems: Sequence[int],
    *,
    delta: float,
    alpha: float,
    n0: int,
    block: int,
    max_replications: int,
    data: dict[int, np.ndarray] | None = None,
) -> Selection:
    """The system with the smallest mean, by KN with common random numbers.

    Parameters
    ----------
    sample : callable
        ``sample(systems, first, count)`` (see :data:`Sampler`).
    systems : sequence of int
        The systems, by the numbers ``sample`` knows them by.
    delta : float
        Indifference zone :math:`\\delta` (units of the output).
    alpha : float
        Error probability :math:`\\alpha`: the probability of correct selection is at least
        :math:`1-\\alpha`.
    n0 : int
        First-stage replications (≥ 2).
    block : int
        Replications simulated per batch after the first stage (≥ 1).
    max_replications : int
        Most replication-runs (a system's replication counts one) the procedure may simulate,
        the first stage included; beyond it the guarantee is given up.
    data : dict, optional
        Outputs already simulated (system → replications ``0 … m−1``), reused before anything
        new is sampled — a second selection among fewer systems replays on the same data.

    Returns
    -------
    Selection
    """
    check_selection_options(delta, alpha, n0)
    order = list(dict.fromkeys(systems))
    have = {i: np.asarray(a, dtype=float) for i, a in (data or {}).items() if i in order}
    spent = 0

    def ensure(chosen: list[int], count: int) -> bool:
        """Make ``count`` replications of each system in ``chosen`` available; False when the
        budget does not allow it."""
        nonlocal spent
        short = [i for i in chosen if len(have.get(i, ())) < count]
        if not short:
            return True
        first = min(len(have.get(i, ())) for i in short)
        needed = count - first
        if spent + needed * len(short) > max_replications:
            return False
        # A system with fewer replications than another gets its missing ones too: a block
        # starts at the same index for every system, so that the draws stay paired.
        fresh = np.asarray(sample(short, first, needed), dtype=float)
        spent += needed * len(short)
        for column, i in enumerate(short):
            old = have.get(i, np.empty(0))
            have[i] = np.concatenate([old[:first], fresh[:, column]])
        return True

    if len(order) == 1:
        only = order[0]
        ensure(order, n0)
        return Selection(only, True, len(have.get(only, ())), {}, have)
    if not ensure(order, n0):
        raise JitsimError(
            f"the replication budget cannot pay for the first stage of the selection "
            f"({len(order)} candidates × {n0} replications); raise --budget-replications"
        )
    h2 = kn_constants(len(order), alpha, n0)
    first_stage = np.column_stack([have[i][:n0] for i in order])
    var = {
        (i, j): float(np.var(first_stage[:, a] - first_stage[:, b], ddof=1))
        for a, i in enumerate(order)
        for b, j in enumerate(order)
        if i != j
    }
    alive = list(order)
    eliminated: dict[int, int] = {}
    r = n0
    while True:
        means = {i: float(np.mean(have[i][:r])) for i in alive}
        kept = [
            i
            for i in alive
            if all(
                means[i] <= means[j] + max(0.0, delta / (2 * r) * (h2 * var[i, j] / delta**2 - r))
                for j in alive
                if j != i
            )
        ]
        eliminated.update({i: r for i in alive if i not in kept})
        alive = kept
        if len(alive) == 1:
            return Selection(alive[0], True, r, eliminated, have)
        horizon = max(math.floor(h2 * var[i, j] / delta**2) for i in alive for j in alive if i != j)
        if r > horizon:
            return Selection(_smallest(alive, means), True, r, eliminated, have)
        r += 1
        if all(len(have[i]) >= r for i in alive):
            continue
        if not ensure(alive, r - 1 + block) and not ensure(alive, r):
            means = {i: float(np.mean(have[i][: r - 1])) for i in alive}
            return Selection(_smallest(alive, means), False, r - 1, eliminated, have)


def _smallest(systems: Sequence[int], means: dict[int, float]) -> int:
    """The system with the smallest mean (the first one listed on a tie)."""
    return min(systems, key=lambda i: (means[i], systems.index(i)))


__all__ = [
    "Constraint",
    "Selection",
    "check_selection_options",
    "kn_constants",
    "kn_select",
    "parse_constraint",
]
