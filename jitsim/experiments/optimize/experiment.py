"""``optimize()``: the search, then the selection among its best candidates."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Unpack

import numpy as np

from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.batch import Execution, ExecutionOptions, execution_of
from jitsim.execution.results_claim import claim, read_manifest, write_manifest
from jitsim.execution.simulate import kpi_columns
from jitsim.experiments.optimize.constraints import Constraint, parse_constraint
from jitsim.experiments.optimize.evaluate import EVALUATIONS, Evaluator
from jitsim.experiments.optimize.result import (
    OptimizeResult,
    finalists_table,
    trace_table,
    tuned_yaml,
    write_optimize,
)
from jitsim.experiments.optimize.search import pattern_search
from jitsim.experiments.optimize.selection import Selection, check_selection_options, kn_select
from jitsim.experiments.optimize.variables import (
    Candidate,
    decision_variables,
    starting_policies,
)
from jitsim.model.kpis import direction
from jitsim.scenario.models import Scenario
from jitsim.scenario.resolve import BASE

#: Defaults, documented in docs/optimize.md.
DEFAULT_ALPHA = 0.05
DEFAULT_RELATIVE_DELTA = 0.005
DEFAULT_BUDGET = 20_000
DEFAULT_SEARCH_REPLICATIONS = 50
FIRST_STAGE = 20
BLOCK = 10
FINALISTS = 6
#: Share of the budget the search may spend; the selection gets the rest.
SEARCH_SHARE = 0.6


def optimize(
    scenario: Scenario,
    points: Sequence[str],
    *,
    objective: str = "total_cost",
    constraints: Sequence[str | Constraint] = (),
    alternative: str | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    budget_replications: int = DEFAULT_BUDGET,
    replications: int | None = None,
    delta: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    seed: int | None = None,
    name: str = "optimized",
    **options: Unpack[ExecutionOptions],
) -> OptimizeResult:
    """Find the policy parameters of ``points`` that minimise (or maximise) ``objective``
    subject to ``constraints``, by simulation with common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its demand, lead times and disruptions are those of every candidate.
    points : sequence of str
        The stock points whose policy parameters are the decision variables
        (:mod:`~jitsim.experiments.optimize.variables`).
    objective : str
        The KPI optimised; minimised when smaller is better (``total_cost``,
        ``avg_cash_tied_up``), maximised when larger is (``profit``, ``fill_rate``).
    constraints : sequence of str or Constraint
        ``"fill_rate>=0.95"``, ``"stockout_days<=3"`` (the mean), ``"cvar95(stockout_days)<=5"``,
        ``"var95(total_cost)<=2e5"``, ``"P(stockout_days>0)<=0.1"``: each must hold at
        confidence 1 − ``alpha`` (one-sided bound, :mod:`.constraints`) for a candidate to be
        feasible. A CVaR or VaR constraint needs ``replications`` ≥ 200.
    alternative : str, optional
        The alternative whose policies (and changes) the search starts from; default the stock
        points' own policies.
    bounds : mapping, optional
        ``"store.s"`` → ``(low, high)``; other variables get default bounds.
    budget_replications : int
        Most replication-runs (one replication of one candidate counts one), search and
        selection together.
    replications : int, optional
        Replications per candidate in the search (default 50).
    delta : float, optional
        Indifference zone δ of the selection, in units of the objective (default 0.5 % of the
        best objective mean the search found).
    alpha : float
        The selection picks the best finalist with probability ≥ 1 − α whenever it is at least
        δ better than the others; constraints are checked at confidence 1 − α.
    seed : int, optional
        Master seed (default the scenario's): same seed, same answer, on every backend.
    name : str
        The alternative that holds the answer in ``tuned.yaml`` (a free name is found when the
        scenario has one already).
    progress, backend, workers, scheduler, chunk_size, out, resume, overwrite, command, engine
        As in :func:`jitsim.run`. With ``out`` each batch writes its replications to
        ``evaluations/NNN/`` as they finish; ``resume=True`` continues an interrupted
        optimisation there (the search is deterministic, so it asks for the same batches).

    Returns
    -------
    OptimizeResult
    """
    execution = execution_of("optimize", options)
    parsed = [c if isinstance(c, Constraint) else parse_constraint(c) for c in constraints]
    _check_alternative(scenario, alternative)
    variables = decision_variables(scenario, points, alternative, bounds)
    kpis = [objective, *dict.fromkeys(c.kpi for c in parsed)]
    _check_kpis(scenario, alternative, kpis)
    sign = _sign(objective)
    if isinstance(budget_replications, bool) or budget_replications < 1:
        raise JitsimError(f"--budget-replications(={budget_replications}) must be >= 1")
    n = DEFAULT_SEARCH_REPLICATIONS if replications is None else replications
    if n < 2:
        raise JitsimError(f"--replications(={n}) must be >= 2 (the search needs a variance)")
    _check_risk_replications(parsed, n)
    check_selection_options(delta if delta is not None else 1.0, alpha, FIRST_STAGE)
    master = scenario.run.seed if seed is None else seed
    confidence = 1 - alpha
    _prepare_out(execution)
    evaluator = Evaluator(
        scenario,
        alternative,
        variables,
        starting_policies(scenario, alternative),
        kpis,
        master,
        execution,
        budget_replications,
    )
    column = {c.kpi: 1 + kpis[1:].index(c.kpi) for c in parsed}

    def arranged(values: np.ndarray) -> np.ndarray:
        """Objective (smaller is better), then one column per constraint."""
        return np.column_stack([sign * values[:, 0], *(values[:, column[c.kpi]] for c in parsed)])

    def simulate(candidates: list[Candidate]) -> dict[Candidate, np.ndarray]:
        numbers = [evaluator.index_of(c) for c in candidates]
        out = evaluator.simulate(numbers, 0, n, "search")
        return {c: arranged(out[i]) for c, i in zip(candidates, numbers, strict=True)}

    search = pattern_search(
        variables,
        simulate,
        parsed,
        confidence=confidence,
        replications=n,
        budget=int(budget_replications * SEARCH_SHARE),
    )
    ranked = search.ranked()
    finalists = [s.candidate for s in ranked[:FINALISTS]]
    if any(s.feasible for s in ranked):
        finalists = [s.candidate for s in ranked if s.feasible][:FINALISTS]
    best_mean = abs(ranked[0].objective)
    chosen_delta = delta if delta is not None else max(DEFAULT_RELATIVE_DELTA * best_mean, 1e-9)
    numbers = [evaluator.index_of(c) for c in finalists]
    selection_data: dict[int, np.ndarray] = {}

    def sample(systems: Sequence[int], first: int, count: int) -> np.ndarray:
        # Fresh replications after the search's: the selection is not biased by the
        # replications that made these candidates look best.
        out = evaluator.simulate(list(systems), n + first, count, "selection")
        for i in systems:
            old = selection_data.get(i, np.empty((0, len(kpis))))
            selection_data[i] = np.concatenate([old[:first], out[i]])
        return np.column_stack([sign * out[i][:, 0] for i in systems])

    selection, feasible = _select(
        sample,
        numbers,
        selection_data,
        parsed,
        column,
        sign,
        confidence,
        chosen_delta,
        alpha,
        lambda: budget_replications - evaluator.done,
    )
    evaluator_done = evaluator.done
    if execution.progress is not None:
        execution.progress(evaluator_done, evaluator_done)
    winner = evaluator.candidates[selection.winner]
    trace, rounds = trace_table(search, variables, evaluator, parsed, confidence, n)
    result = OptimizeResult(
        scenario=scenario,
        start=alternative,
        points=list(points),
        variables=variables,
        objective=objective,
        constraints=parsed,
        seed=master,
        search_replications=n,
        delta=chosen_delta,
        alpha=alpha,
        winner=winner,
        feasible=feasible,
        guaranteed=selection.guaranteed,
        stop_reason=search.stop_reason,
        replication_runs=evaluator_done,
        trace=trace,
        rounds=rounds,
        finalists=finalists_table(
            selection, numbers, evaluator, variables, selection_data, parsed, confidence, sign
        ),
        replications=evaluator.replications(),
        name=_free_name(scenario, name),
        out_dir=Path(execution.out) if execution.out is not None else None,
    )
    result.tuned = tuned_yaml(result, evaluator.alternative(winner))
    if execution.out is not None:
        write_optimize(result, execution.out, command=execution.command)
        _finish_out(execution.out)
    return result


def _select(
    sample: Callable[[Sequence[int], int, int], np.ndarray],
    numbers: list[int],
    data: dict[int, np.ndarray],
    constraints: Sequence[Constraint],
    column: Mapping[str, int],
    sign: int,
    confidence: float,
    delta: float,
    alpha: float,
    left: Callable[[], int],
) -> tuple[Selection, bool]:
    """KN among ``numbers`` (``data``: their selection replications, raw KPIs, filled by
    ``sample``); a winner whose constraints fail on its selection replications is set aside
    and KN replayed among the rest, on the same data (and more if needed). ``left()`` is the
    budget still unspent; the first stage is always paid for."""
    candidates = list(numbers)
    first: Selection | None = None
    while candidates:
        known = {i: sign * data[i][:, 0] for i in candidates if i in data}
        selection = kn_select(
            sample,
            candidates,
            delta=delta,
            alpha=alpha,
            n0=FIRST_STAGE,
            block=BLOCK,
            max_replications=max(left(), FIRST_STAGE * len(candidates)),
            data=known or None,
        )
        first = first or selection
        fewest = max((c.min_replications for c in constraints), default=0)
        have = len(data.get(selection.winner, ()))
        if have < fewest:
            # A tail measure needs more replications than KN may have taken: the winner gets
            # the missing ones (fresh, after those it has) before its constraints are checked.
            sample([selection.winner], have, fewest - have)
        values = data[selection.winner]
        if all(c.holds(values[:, column[c.kpi]], confidence) for c in constraints):
            return selection, True
        candidates.remove(selection.winner)
    assert first is not None
    return first, False


def _check_risk_replications(constraints: Sequence[Constraint], n: int) -> None:
    """Refuse a replication count too small for a CVaR or VaR bound (its tail would hold
    fewer than ten replications)."""
    for c in constraints:
        if n < c.min_replications:
            raise JitsimError(
                f"--constraint {str(c)!r} needs at least {c.min_replications} replications per "
                f"candidate (ten in the 5 % tail); give --replications {c.min_replications} or "
                "more"
            )


def _sign(objective: str) -> int:
    """+1 to minimise ``objective``, −1 to maximise it."""
    way = direction(objective)
    if way == 0:
        raise JitsimError(
            f"--objective {objective}: neither larger nor smaller is better for this KPI; "
            "optimise a cost, a service level, cash tied up or profit"
        )
    return -way


def _check_alternative(scenario: Scenario, alternative: str | None) -> None:
    if alternative is None:
        return
    known = scenario.alternative_names()
    if alternative not in known or (alternative == BASE and not scenario.alternatives):
        raise JitsimError(
            with_suggestion(
                f"--alternative {alternative!r}: no such alternative (this scenario has: "
                f"{', '.join(known)})",
                alternative,
                known,
            )
        )


def _check_kpis(scenario: Scenario, alternative: str | None, kpis: Sequence[str]) -> None:
    """Refuse a misspelt objective or constrained KPI before anything is simulated."""
    names = [alternative] if alternative is not None else [scenario.alternative_names()[0]]
    columns = kpi_columns(scenario, names)
    if columns is None:
        return
    for kpi in kpis:
        if kpi not in columns:
            raise JitsimError(
                with_suggestion(
                    f"unknown KPI {kpi!r} in --objective or --constraint", kpi, sorted(columns)
                )
            )


def _free_name(scenario: Scenario, name: str) -> str:
    """``name``, or ``name_2``, ``name_3``, ... when the scenario has that alternative."""
    taken = set(scenario.alternatives)
    if name not in taken:
        return name
    return next(f"{name}_{i}" for i in range(2, 10_000) if f"{name}_{i}" not in taken)


def _prepare_out(execution: Execution) -> None:
    """Check that ``out`` is free (or, to resume, holds an interrupted optimisation) and
    record in its manifest that one is under way."""
    out, resume = execution.out, execution.resume
    if out is None:
        if resume:
            raise JitsimError("resume needs the output directory of the interrupted optimisation")
        return
    with claim(out, resume=resume, overwrite=execution.overwrite) as path:
        if resume:
            if (read_manifest(path, required=False) or {}).get("complete"):
                raise JitsimError(f"{out}: this optimisation is already complete; see summary.json")
            if not (path / EVALUATIONS).is_dir():
                raise JitsimError(f"{out}: nothing to resume (no {EVALUATIONS}/ here)")
            return
        manifest = {"kind": "optimize", "complete": False, "command": execution.command}
        write_manifest(path, {**manifest, "files": []})


def _finish_out(out: str | os.PathLike[str]) -> None:
    """Drop the batches' working folders once the final files hold every replication."""
    with claim(out, resume=True) as path:
        shutil.rmtree(path / EVALUATIONS, ignore_errors=True)
        manifest = read_manifest(path) or {}
        write_manifest(path, {**manifest, "kind": "optimize", "complete": True})


__all__ = ["optimize"]
