"""The break-even search: evaluate both ends of the range, then bisect on the sign of f."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Unpack

import pandas as pd

from jitsim.errors import JitsimError, unknown_kpi, with_suggestion
from jitsim.execution.batch import (
    Execution,
    ExecutionOptions,
    default_chunk_size,
    execution_of,
    replications_and_seed,
    run_points,
)
from jitsim.execution.results_claim import claim, read_manifest, write_manifest
from jitsim.experiments.breakeven.result import BreakEvenResult, Evaluation, write_breakeven
from jitsim.experiments.breakeven.wording import sentence
from jitsim.scenario.grid import FIXED_FIELDS
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import apply_overrides, complete_data
from jitsim.scenario.paths import canonical_path, parse_path_text
from jitsim.stats import paired_difference


def breakeven(
    scenario: Scenario,
    param: str,
    low: float,
    high: float,
    between: tuple[str, str],
    *,
    kpi: str = "total_cost",
    source_file: str | os.PathLike[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    tolerance: float | None = None,
    max_iterations: int = 12,
    **options: Unpack[ExecutionOptions],
) -> BreakEvenResult:
    """Find the value of ``param`` in ``[low, high]`` where alternative A stops beating B.

    Parameters
    ----------
    scenario : Scenario
        The base scenario; it must define both alternatives.
    param : str
        Dotted path of a numeric field, e.g. ``suppliers.acme.order_cost`` or
        ``suppliers.acme.lead_time.cv``. A field holding a whole number (``run.horizon_days``,
        ``cards``) is searched over whole numbers.
    low, high : float
        The range searched, ``low < high``; the scenario must be valid at both ends.
    between : (str, str)
        The alternatives ``(A, B)``; the search follows :math:`f = \\mathrm{KPI}(A) -
        \\mathrm{KPI}(B)`.
    kpi : str
        The KPI compared (default ``total_cost``); :func:`jitsim.model.kpis.direction` says which
        way is better.
    source_file : path, optional
        The scenario file, so that a bad parameter is reported with its FILE:LINE.
    replications, seed : int, optional
        Replications per evaluation and master seed (defaults: the scenario's ``run``). With
        one replication there is no confidence interval: the search follows the sign of the
        mean and the uncertainty interval is the whole range. A deterministic scenario needs
        two (their zero-width interval resolves every sign).
    tolerance : float, optional
        Stop when the bracket is narrower than this (parameter units); default
        ``(high − low) / 1000``.
    max_iterations : int
        Most bisection steps (midpoint evaluations) after the two ends.
    progress, backend, workers, scheduler, chunk_size, command
        As in :func:`jitsim.run`. Progress counts replication-runs against the most the search
        can need.
    out : path, optional
        Directory for the results: each evaluation's replications go to
        ``evaluations/NNN/`` as they finish, and at the end ``breakeven_points.csv``,
        ``replications.csv``, ``summary.json`` and ``scenario.resolved.yaml`` are written.
    resume : bool
        Continue an interrupted search in ``out``: the bisection is deterministic, so it
        revisits the same points and reuses every replication already on disk.

    Returns
    -------
    BreakEvenResult

    Raises
    ------
    JitsimError
        For a bad range, unknown or equal alternatives, an unknown KPI, bad options.
    ScenarioError
        When the parameter path or its value at an end of the range is invalid (FILE:LINE).
    """
    execution = execution_of("breakeven", options)
    a, b = _check_between(scenario, between)
    path = parse_path_text(param)
    param = ".".join(str(s) for s in path)
    if param in FIXED_FIELDS:
        raise JitsimError(f"cannot search {param}: {FIXED_FIELDS[param]}")
    _check_range(low, high)
    n, master = replications_and_seed(scenario, replications, seed)
    if max_iterations < 0:
        raise JitsimError(f"max_iterations(={max_iterations}) must be >= 0")
    low, high, whole, tol = _search_range(scenario, path, low, high, tolerance)
    ends = [apply_overrides(scenario, source_file, {param: x}) for x in (low, high)]

    _prepare_out(execution)
    size = execution.chunk_size or default_chunk_size(n)
    if size < 1:
        raise JitsimError(f"chunk_size(={size}) must be >= 1")
    steps = min(max_iterations, max(0, math.ceil(math.log2((high - low) / tol))))
    evaluate = _Evaluations(
        scenario,
        source_file,
        param,
        (a, b),
        kpi,
        n,
        master,
        replace(execution, chunk_size=size),
        planned=(2 + steps) * 2 * n,
    )
    try:
        first = evaluate(low, ends[0])
        last = evaluate(high, ends[1])
        outcome, estimate, bracket, reason = _search(
            first, last, evaluate, whole, tol, max_iterations
        )
    except JitsimError:
        _abandon_out(execution)  # the search cannot go on: nothing to resume, nothing to keep
        raise
    evaluated = evaluate.evaluated
    uncertainty = (
        _uncertainty(evaluated, first, last, low, high) if outcome == "break_even" else None
    )
    result = BreakEvenResult(
        param=param,
        low=low,
        high=high,
        between=(a, b),
        kpi=kpi,
        seed=master,
        replications_per_alternative=n,
        tolerance=tol,
        outcome=outcome,
        estimate=estimate,
        bracket=bracket,
        uncertainty=uncertainty,
        stop_reason=reason,
        sentence="",
        evaluated=evaluated,
        frame=pd.concat(evaluate.frames, ignore_index=True),
        scenario=scenario,
        out_dir=Path(execution.out) if execution.out is not None else None,
    )
    result.sentence = sentence(result)
    evaluate.finish()
    if execution.out is not None:
        write_breakeven(result, execution.out, command=execution.command)
        _finish_out(execution.out)
    return result


def _check_between(scenario: Scenario, between: Sequence[str]) -> tuple[str, str]:
    if isinstance(between, str) or len(between) != 2:
        raise JitsimError(f"between must name two alternatives (A, B), got {between!r}")
    a, b = str(between[0]), str(between[1])
    if a == b:
        raise JitsimError(f"a break-even needs two different alternatives, got {a!r} twice")
    known = scenario.alternative_names()
    for name in (a, b):
        if name not in known:
            raise JitsimError(
                with_suggestion(
                    f"unknown alternative {name!r} (this scenario has: {', '.join(known)})",
                    name,
                    known,
                )
            )
    return a, b


def _check_range(low: float, high: float) -> None:
    for name, value in (("low", low), ("high", high)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise JitsimError(f"{name}(={value!r}) must be a finite number")
    if not low < high:
        raise JitsimError(f"low(={low}) must be < high(={high})")


def _search_range(
    scenario: Scenario,
    path: tuple[str | int, ...],
    low: float,
    high: float,
    tolerance: float | None,
) -> tuple[float, float, bool, float]:
    """The range, whether it is searched over whole numbers (the field holds one and both ends
    are whole), and the tolerance (default: a thousandth of the range; at least 1 when whole)."""
    data = complete_data(scenario)
    current = _value_at(data, canonical_path(path, data))  # short forms and changes too
    whole = (
        isinstance(current, int)
        and not isinstance(current, bool)
        and float(low).is_integer()
        and float(high).is_integer()
    )
    if whole:
        low, high = int(low), int(high)
    tol = (high - low) / 1000 if tolerance is None else tolerance
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise JitsimError(f"tolerance(={tolerance}) must be a positive number")
    if whole:
        tol = max(tol, 1)
    return low, high, whole, tol


def _value_at(data: Any, path: Sequence[str | int]) -> Any:
    for segment in path:
        if isinstance(data, dict):
            data = data.get(str(segment))
        elif isinstance(data, list) and isinstance(segment, int) and segment < len(data):
            data = data[segment]
        else:
            return None
    return data


def _prepare_out(execution: Execution) -> None:
    """Check that ``out`` is free (or, to resume, holds an interrupted search) and record in
    its manifest that a search is under way."""
    out, resume = execution.out, execution.resume
    if out is None:
        if resume:
            raise JitsimError("resume needs the output directory of the interrupted search")
        return
    with claim(out, resume=resume, overwrite=execution.overwrite) as path:
        if resume:
            if (read_manifest(path, required=False) or {}).get("complete"):
                raise JitsimError(f"{out}: this search is already complete; see summary.json")
            if not (path / "evaluations").is_dir():
                raise JitsimError(f"{out}: nothing to resume (no evaluations/ here)")
            return
        manifest = {"kind": "breakeven", "complete": False, "command": execution.command}
        write_manifest(path, {**manifest, "files": []})


def _abandon_out(execution: Execution) -> None:
    """Remove what a search that failed (not one interrupted) wrote into a fresh ``out``."""
    if execution.out is None or execution.resume:
        return
    with claim(execution.out, resume=True) as path:
        shutil.rmtree(path / "evaluations", ignore_errors=True)
        (path / "manifest.json").unlink(missing_ok=True)


def _finish_out(out: str | os.PathLike[str]) -> None:
    """Drop the evaluations' working folders once the final files hold every replication."""
    with claim(out, resume=True) as path:
        shutil.rmtree(path / "evaluations", ignore_errors=True)
        manifest = read_manifest(path) or {}
        write_manifest(path, {**manifest, "kind": "breakeven", "complete": True})


@dataclass
class _Evaluations:
    """:math:`f(x)` at successive parameter values, numbered in the order evaluated.

    Each evaluation simulates replications 0 … n−1 of both alternatives at its point (one
    backend per point). With an output directory, evaluation ``i`` writes its replications
    to ``evaluations/iii/`` as they finish, and a folder left by an interrupted search is
    picked up where it stopped: the bisection is deterministic, so a resumed search visits the
    same points in the same order. Progress counts replication-runs against ``planned``.
    """

    scenario: Scenario
    source_file: str | os.PathLike[str] | None
    param: str
    between: tuple[str, str]
    kpi: str
    n: int
    seed: int
    execution: Execution
    planned: int = 0
    evaluated: list[Evaluation] = field(default_factory=list)
    frames: list[pd.DataFrame] = field(default_factory=list)

    @property
    def per_evaluation(self) -> int:
        """Replication-runs of one evaluation (both alternatives)."""
        return 2 * self.n

    def __call__(self, x: float, point: Scenario | None = None) -> Evaluation:
        """Evaluate :math:`f(x)` (``point``: the scenario at ``x``, if already built)."""
        index = len(self.evaluated)
        if point is None:
            point = apply_overrides(self.scenario, self.source_file, {self.param: x})
        frame = self._simulate(index, point)
        kpi, (a, b) = self.kpi, self.between
        if kpi not in frame.columns:
            raise unknown_kpi(kpi, list(frame.columns))
        frame.insert(0, "x", x)
        frame.insert(0, "evaluation", index)
        self.frames.append(frame.drop(columns=["point"], errors="ignore"))
        values = {
            name: group.sort_values("replication")[kpi].to_numpy(dtype=float)
            for name, group in frame.groupby("alternative")
        }
        diff = paired_difference(values[a], values[b])
        if diff.n == 0:
            raise JitsimError(
                f"{kpi} is undefined at {self.param} = {x:g}: no replication gives it a value for "
                f"both {a} and {b} (e.g. a fill rate without demand); choose another KPI"
            )
        result = Evaluation(
            x, diff.mean_diff, diff.ci95_low, diff.ci95_high, diff.n, diff.mean_a, diff.mean_b
        )
        self.evaluated.append(result)
        return result

    def _simulate(self, index: int, point: Scenario) -> pd.DataFrame:
        execution, per_evaluation = self.execution, self.per_evaluation
        before = index * per_evaluation

        def report(done: int, _total: int) -> None:
            if execution.progress is not None:
                execution.progress(before + done, max(self.planned, before + per_evaluation))

        out = execution.out
        folder = None if out is None else Path(out) / "evaluations" / f"{index:03d}"
        here = replace(
            execution,
            out=folder,
            resume=folder is not None and folder.is_dir(),
            progress=report,
        )
        return run_points("breakeven", [point], self.between, self.n, self.seed, here, {}).frame

    def finish(self) -> None:
        """Report everything evaluated as done (the search may stop before ``planned``)."""
        if self.execution.progress is not None:
            done = len(self.evaluated) * self.per_evaluation
            self.execution.progress(done, done)


def _search(
    first: Evaluation,
    last: Evaluation,
    evaluate: Callable[[float], Evaluation],
    whole: bool,
    tol: float,
    max_iterations: int,
) -> tuple[str, float, tuple[float, float] | None, str]:
    """Outcome, estimate, final bracket and stop reason (bisection when the ends differ).

    The bracket ``[lo, hi]`` always has ``lo`` in the low end's region (the sign of f at
    ``low``) and ``hi`` outside it. A difference of exactly 0 is a region of its own (a tie),
    so the search finds where the low end's region ends even when f is 0 beyond it.
    """
    if first.sign == 0 and last.sign == 0:
        return "identical", math.nan, None, "ends"
    if first.sign == last.sign:
        significant = first.side == first.sign and last.side == last.sign
        return ("whole_range" if significant else "no_crossing"), math.nan, None, "ends"

    def in_low_region(e: Evaluation) -> bool:
        return e.sign == first.sign if first.sign != 0 else e.sign != last.sign

    lo, hi = first, last
    steps = 0
    while True:
        if hi.x - lo.x <= tol or (whole and hi.x - lo.x <= 1):
            reason = "tolerance"
            break
        if steps >= max_iterations:
            reason = "max_iterations"
            break
        middle = evaluate((lo.x + hi.x) // 2 if whole else (lo.x + hi.x) / 2)
        steps += 1
        if in_low_region(middle):
            lo = middle
        else:
            hi = middle
        if middle.unresolved:
            reason = "unresolved"
            break
    slope = hi.mean_diff - lo.mean_diff
    estimate = lo.x - lo.mean_diff * (hi.x - lo.x) / slope if slope != 0 else (lo.x + hi.x) / 2
    return "break_even", float(estimate), (lo.x, hi.x), reason


def _uncertainty(
    evaluated: Sequence[Evaluation], first: Evaluation, last: Evaluation, low: float, high: float
) -> tuple[float, float]:
    """[largest x surely in the low end's region, smallest x surely in the high end's]."""
    below = [e.x for e in evaluated if e.side is not None and e.side == first.sign]
    above = [e.x for e in evaluated if e.side is not None and e.side == last.sign]
    return (max(below, default=low), min(above, default=high))
