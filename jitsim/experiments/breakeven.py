r"""Break-even search: where along one scenario parameter does alternative A stop beating B?

For a parameter value :math:`x` let

.. math:: f(x) = \frac1n \sum_{r=1}^{n} \bigl(\mathrm{KPI}_r(A; x) - \mathrm{KPI}_r(B; x)\bigr),

the mean paired difference over replications :math:`r = 1 … n`, with its 95 % paired-t
confidence interval. Every evaluation uses the same seed and the same replication indices, for
both alternatives and for every :math:`x` (common random numbers), so :math:`f` is a smooth
function of :math:`x` with the noise of the *difference*, not of each KPI.

The search evaluates both ends of ``[low, high]`` first. If :math:`f` has the same sign at both
and the confidence intervals exclude 0, one alternative wins over the whole range (a result,
not an error). Otherwise it bisects on the sign of :math:`f` until the bracket is narrower than
``tolerance``, or a midpoint's interval contains 0 (the simulation cannot resolve the sign at
this :math:`n`), or ``max_iterations`` midpoints were evaluated. The estimate is the linear
interpolation of :math:`f` between the ends of the final bracket; the uncertainty interval runs
from the largest evaluated :math:`x` whose interval lies entirely on the low end's side of 0 to
the smallest whose interval lies entirely on the high end's side — between them A and B cannot
be told apart.
"""

from __future__ import annotations

import difflib
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Unpack

import pandas as pd

from jitsim.errors import JitsimError
from jitsim.execution.batch import (
    Execution,
    ExecutionOptions,
    Progress,
    default_chunk_size,
    replications_and_seed,
    run_points,
)
from jitsim.execution.results_dir import REPLICATIONS_FILE, provenance, write_files
from jitsim.model.kpis import direction
from jitsim.scenario.grid import FIXED_FIELDS
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import apply_overrides, resolved_data
from jitsim.scenario.paths import canonical_path, parse_path_text
from jitsim.stats import paired_difference

__all__ = ["BreakEvenResult", "Evaluation", "breakeven"]

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
        Where A and B cannot be told apart (see the module notes).
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
                f"{self.between[1]} any closer at {self.replications_per_alternative} replications"
            ),
            "max_iterations": "the maximum number of bisection steps was reached",
            "ends": "the two ends of the range decide it",
        }[self.stop_reason]
        return f"{self.sentence}. {len(self.evaluated)} evaluations; stopped because {how}."

    def __str__(self) -> str:
        return self.sentence


def astuple_evaluation(e: Evaluation) -> tuple[Any, ...]:
    """The fields of an :class:`Evaluation` in :data:`EVALUATION_COLUMNS` order (without index)."""
    return (e.x, e.mean_diff, e.ci95_low, e.ci95_high, e.n, e.mean_a, e.mean_b)


# --------------------------------------------------------------------------- wording


def _digits(values: Sequence[float]) -> int:
    """Significant digits that keep distinct values distinct when printed (3 … 12)."""
    distinct = {v for v in values if math.isfinite(v)}
    for digits in range(3, 13):
        if len({_fmt(v, digits) for v in distinct}) == len(distinct):
            return digits
    return 12


def _fmt(value: float, digits: int) -> str:
    """``value`` with ``digits`` significant digits, without exponent or trailing zeros."""
    if not math.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude != 0 and not 1e-4 <= magnitude < 1e12:
        return f"{value:.{digits}g}".replace("-", "−")
    exponent = math.floor(math.log10(magnitude)) if magnitude else 0
    text = f"{value:.{max(0, digits - 1 - exponent)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def _sentence(result: BreakEvenResult) -> str:
    a, b = result.between
    kpi, param = result.kpi, result.param
    sign = direction(kpi)
    digits = _digits([result.low, result.high])
    span = f"{param} = {_fmt(result.low, digits)} … {_fmt(result.high, digits)}"
    first = result.evaluated[0]
    if result.outcome == "identical":
        return f"{a} and {b} give the same {kpi} at both ends of {span}: no break-even"
    if result.outcome == "whole_range":
        if sign == 0:
            side = "above" if first.sign > 0 else "below"
            return f"{kpi} of {a} stays {side} that of {b} over the whole range {span}"
        winner = result.winner
        loser = b if winner == a else a
        return f"{winner} beats {loser} on {kpi} over the whole range {span}"
    if result.outcome == "no_crossing":
        weak = next(e for e in result.evaluated[:2] if e.side != e.sign)
        d = _digits([weak.ci95_low, weak.ci95_high])
        return (
            f"no break-even of {a} vs {b} on {kpi} in {span}: {a} − {b} has the same sign at "
            f"both ends, but at {param} = {_fmt(weak.x, digits)} the difference is not "
            f"significant (95 % CI {_fmt(weak.ci95_low, d)} to {_fmt(weak.ci95_high, d)})"
        )
    assert result.uncertainty is not None
    lo, hi = result.uncertainty
    d = _digits([lo, hi, result.estimate])
    where = (
        f"at {param} ≈ {_fmt(result.estimate, d)} ({_fmt(lo, d)} to {_fmt(hi, d)})"
        if lo != hi
        else f"at {param} = {_fmt(result.estimate, d)}"
    )
    low_sign, high_sign = first.sign, result.evaluated[1].sign
    if sign == 0:
        symbol = {1: "+", -1: "−", 0: "0"}
        return f"{kpi} of {a} − {b} changes from {symbol[low_sign]} to {symbol[high_sign]} {where}"
    # Worded from A's side when A wins on one side; a tie (f = 0 exactly) is said aloud.
    better = {1: a, -1: b, 0: None}
    before, after = better[sign * low_sign], better[sign * high_sign]
    if before == a:
        tail = "; beyond it they are equal" if after is None else ""
        return f"{a} stops beating {b} on {kpi} {where}{tail}"
    if after == a:
        tail = "; below it they are equal" if before is None else ""
        return f"{a} starts beating {b} on {kpi} {where}{tail}"
    if before == b:
        return f"{b} stops beating {a} on {kpi} {where}; beyond it they are equal"
    return f"{b} starts beating {a} on {kpi} {where}; below it they are equal"


# --------------------------------------------------------------------------- search


def _value_at(data: Any, path: Sequence[str | int]) -> Any:
    for segment in path:
        if isinstance(data, dict):
            data = data.get(str(segment))
        elif isinstance(data, list) and isinstance(segment, int) and segment < len(data):
            data = data[segment]
        else:
            return None
    return data


def _unknown_kpi(kpi: str, columns: Sequence[str]) -> JitsimError:
    skip = {"point", "alternative", "replication"}
    known = [c for c in columns if c not in skip]
    close = difflib.get_close_matches(kpi, known, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    shown: list[str] = [
        k for k in ("total_cost", "fill_rate", "avg_cash_tied_up", "profit") if k in known
    ]
    shown += [k for k in known if k not in shown][: 8 - len(shown)]
    return JitsimError(
        f"unknown KPI {kpi!r}{hint}; KPIs of this scenario include: {', '.join(shown)}, ..."
    )


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
        The KPI compared (default ``total_cost``); :func:`jitsim.kpis.direction` says which
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
    a, b = _check_between(scenario, between)
    path = parse_path_text(param)
    param = ".".join(str(s) for s in path)
    if param in FIXED_FIELDS:
        raise JitsimError(f"cannot search {param}: {FIXED_FIELDS[param]}")
    for name, value in (("low", low), ("high", high)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise JitsimError(f"{name}(={value!r}) must be a finite number")
    if not low < high:
        raise JitsimError(f"low(={low}) must be < high(={high})")
    n, master = replications_and_seed(scenario, replications, seed)
    if max_iterations < 0:
        raise JitsimError(f"max_iterations(={max_iterations}) must be >= 0")
    data = resolved_data(scenario)
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
    ends = [apply_overrides(scenario, source_file, {param: x}) for x in (low, high)]

    execution = Execution(**options)
    out, resume, progress = execution.out, execution.resume, execution.progress
    if out is not None:
        evaluations = Path(out) / "evaluations"
        if resume and not evaluations.is_dir():
            raise JitsimError(f"{out}: nothing to resume (no evaluations/ here)")
        if not resume and evaluations.exists():
            shutil.rmtree(evaluations)
    elif resume:
        raise JitsimError("resume needs the output directory of the interrupted search")
    size = execution.chunk_size or default_chunk_size(n)
    if size < 1:
        raise JitsimError(f"chunk_size(={size}) must be >= 1")
    steps = min(max_iterations, max(0, math.ceil(math.log2((high - low) / tol))))
    per_evaluation = 2 * n
    planned = (2 + steps) * per_evaluation
    frames: list[pd.DataFrame] = []
    evaluated: list[Evaluation] = []

    def evaluate(x: float, point: Scenario | None = None) -> Evaluation:
        index = len(evaluated)
        point = point if point is not None else apply_overrides(scenario, source_file, {param: x})
        before = index * per_evaluation

        def report(done: int, _total: int) -> None:
            if progress is not None:
                progress(before + done, max(planned, before + per_evaluation))

        folder = None if out is None else Path(out) / "evaluations" / f"{index:03d}"
        frame = _simulate(point, (a, b), n, master, size, execution, report, folder)
        if kpi not in frame.columns:
            raise _unknown_kpi(kpi, list(frame.columns))
        frame.insert(0, "x", x)
        frame.insert(0, "evaluation", index)
        frames.append(frame.drop(columns=["point"], errors="ignore"))
        values = {
            name: group.sort_values("replication")[kpi].to_numpy(dtype=float)
            for name, group in frame.groupby("alternative")
        }
        diff = paired_difference(values[a], values[b])
        if diff.n == 0:
            raise JitsimError(f"{kpi} is not available for {a} and {b} (no values to compare)")
        result = Evaluation(
            x, diff.mean_diff, diff.ci95_low, diff.ci95_high, diff.n, diff.mean_a, diff.mean_b
        )
        evaluated.append(result)
        return result

    first = evaluate(low, ends[0])
    last = evaluate(high, ends[1])
    outcome, estimate, bracket, reason = _search(first, last, evaluate, whole, tol, max_iterations)
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
        frame=pd.concat(frames, ignore_index=True),
        scenario=scenario,
        out_dir=Path(out) if out is not None else None,
    )
    result.sentence = _sentence(result)
    if progress is not None:
        done = len(evaluated) * per_evaluation
        progress(done, done)
    if out is not None:
        write_breakeven(result, out, command=execution.command)
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
                f"unknown alternative {name!r} (this scenario has: {', '.join(known)})"
            )
    return a, b


def _simulate(
    point: Scenario,
    names: tuple[str, str],
    n: int,
    seed: int,
    size: int,
    execution: Execution,
    progress: Progress,
    folder: Path | None = None,
) -> pd.DataFrame:
    """Replications 0 … n−1 of both alternatives at one point (one backend per point).

    With ``folder`` the replications are written there as they finish, and a folder left by
    an interrupted search is picked up where it stopped: the bisection is deterministic, so
    a resumed search visits the same points in the same order.
    """
    here = replace(
        execution,
        out=folder,
        resume=folder is not None and folder.is_dir(),
        chunk_size=size,
        progress=progress,
    )
    return run_points("breakeven", [point], names, n, seed, here, {}).frame


def _search(
    first: Evaluation,
    last: Evaluation,
    evaluate: Any,
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
