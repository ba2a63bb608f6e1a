"""Sequential precision: add replications until confidence intervals are tight enough.

The rule (Law 2015, §9.4.1, the relative-precision procedure): after each round, compute for
every watched statistic the relative half-width :math:`\\delta = h / |\\bar x|` of its 95 %
confidence interval, where :math:`h = t_{0.975,n-1} s / \\sqrt n`. If every :math:`\\delta` is
within the target :math:`\\gamma`, run a look-ahead round of extra replications and check again
on the enlarged sample; stop only if the target still holds, so that a lucky round (a small
sample standard deviation by chance) does not end the run. Otherwise plan the next round from
:math:`n_{next} = \\lceil 1.1\\, n (\\delta_{max}/\\gamma)^2 \\rceil`, at least 10 % more,
at most ``max_replications``.

For paired comparisons the watched statistics are the differences alternative − baseline, and
:math:`\\bar x` in :math:`\\delta` is the baseline mean (the difference itself may be zero).

A KPI without a relative precision to reach — undefined in every replication of an alternative
(a fill rate without demand), or varying around a mean of exactly 0 — is refused after the
first round (:func:`check_watchable`) instead of running to the cap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jitsim.errors import JitsimError, with_suggestion
from jitsim.model.kpi_catalogue import KPI_DEFINITIONS
from jitsim.stats import paired_difference, summarize
from jitsim.units import plural


@dataclass(frozen=True)
class PrecisionTarget:
    """What "precise enough" means.

    Parameters
    ----------
    relative : float
        Target relative half-width :math:`\\gamma` of the 95 % CI, e.g. 0.01 for ±1 %.
    kpis : tuple of str
        KPIs watched (default ``total_cost``).
    min_replications : int
        Replications of the first round (at least 10 so the t-interval is meaningful).
    max_replications : int
        Cap; the run stops there even if the target is not met (and says so).
    look_ahead : float
        Extra replications of the confirming round, as a fraction of the current count.
    """

    relative: float
    kpis: tuple[str, ...] = ("total_cost",)
    min_replications: int = 20
    max_replications: int = 5000
    look_ahead: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.relative < 1:
            raise JitsimError(f"precision(={self.relative}) must be in (0, 1), e.g. 0.01")
        if self.min_replications < 10:
            raise JitsimError(f"min_replications(={self.min_replications}) must be >= 10")
        if self.max_replications < self.min_replications:
            raise JitsimError(
                f"max_replications(={self.max_replications}) must be >= "
                f"min_replications(={self.min_replications})"
            )
        if not self.kpis:
            raise JitsimError("precision needs at least one KPI to watch")


@dataclass
class PrecisionReport:
    """Outcome of a sequential run.

    Attributes
    ----------
    target : PrecisionTarget
    replications : int
        Replications per alternative actually run.
    met : bool
        Whether every watched statistic reached the target (confirmed by the look-ahead).
    achieved : dict
        ``(label, kpi) → relative half-width`` at the end; label is the alternative, or
        ``"alt − baseline"`` for paired differences.
    rounds : list of int
        Replication count after each round.
    """

    target: PrecisionTarget
    replications: int = 0
    met: bool = False
    achieved: dict[tuple[str, str], float] = field(default_factory=dict)
    rounds: list[int] = field(default_factory=list)

    def describe(self) -> str:
        """One line for people."""
        worst = max(self.achieved.values(), default=math.nan)
        state = "met" if self.met else "NOT met"
        return (
            f"precision target ±{self.target.relative:.2%} on {', '.join(self.target.kpis)}: "
            f"{state} after {plural(self.replications, 'replication')} per alternative "
            f"({plural(len(self.rounds), 'round')}; worst relative half-width "
            f"{f'{worst:.3%}' if math.isfinite(worst) else 'n/a: too few defined values'})"
        )


#: Columns of a replication table that are not KPIs.
_NOT_KPIS = ("point", "alternative", "replication")


def check_kpi_names(kpis: Iterable[str], columns: Iterable[str], option: str = "--kpi") -> None:
    """Refuse the first of ``kpis`` that is not one of ``columns`` (the KPI columns of the
    replications, e.g. from :func:`jitsim.execution.simulate.kpi_columns`), suggesting the
    nearest name.

    Raises
    ------
    JitsimError
        ``unknown KPI 'total_cots' for --kpi (...); did you mean 'total_cost'?``
    """
    known = [c for c in columns if c not in _NOT_KPIS]
    missing = [k for k in kpis if k not in known]
    if missing:
        message = (
            f"unknown KPI {missing[0]!r} for {option} (e.g. total_cost, fill_rate, "
            "avg_cash_tied_up, or a node KPI like store.fill_rate)"
        )
        raise JitsimError(with_suggestion(message, missing[0], sorted(known)))


def relative_half_widths(
    frame: pd.DataFrame,
    alternatives: Sequence[str],
    kpis: Sequence[str],
    baseline: str | None = None,
) -> dict[tuple[str, str], float]:
    """Relative CI half-widths of each KPI per alternative, or of paired differences."""
    check_kpi_names(kpis, frame.columns)
    by_alt = {
        name: group.sort_values("replication") for name, group in frame.groupby("alternative")
    }
    achieved: dict[tuple[str, str], float] = {}
    for kpi in kpis:
        if baseline is None:
            for name in alternatives:
                summary = summarize(by_alt[name][kpi].to_numpy(float))
                achieved[(name, kpi)] = _relative(summary.half_width, summary.mean)
        else:
            base = by_alt[baseline][kpi].to_numpy(float)
            for name in alternatives:
                if name == baseline:
                    continue
                diff = paired_difference(by_alt[name][kpi].to_numpy(float), base)
                achieved[(f"{name} − {baseline}", kpi)] = _relative(diff.half_width, diff.mean_b)
    return achieved


def check_watchable(
    frame: pd.DataFrame,
    alternatives: Sequence[str],
    kpis: Sequence[str],
    baseline: str | None = None,
) -> None:
    """Refuse, after the first round, a watched KPI that has no relative precision to reach: one
    undefined in every replication of an alternative (a fill rate without demand), or whose
    mean (of the baseline, for paired differences) is 0 while it varies. More replications would
    not help: without this check the run went on to its cap.

    Raises
    ------
    JitsimError
        One line naming the KPI, the alternative and why.
    """
    by_alt = {str(name): group for name, group in frame.groupby("alternative")}
    for kpi in kpis:
        for name in alternatives:
            values = by_alt[name][kpi].to_numpy(float) if name in by_alt else np.array([])
            if np.isnan(values).all():
                why = _undefined_when(kpi)
                raise JitsimError(
                    f"{kpi} is undefined for {name} in every replication"
                    f"{f' ({why})' if why else ''}: it cannot be watched by --precision"
                )
        zero = _zero_mean(by_alt, alternatives, kpi, baseline)
        if zero is not None:
            raise JitsimError(
                f"{kpi} has a mean of 0 for {zero} while it varies, so no relative precision "
                "exists: it cannot be watched by --precision"
            )


def _zero_mean(
    by_alt: dict[str, pd.DataFrame], alternatives: Sequence[str], kpi: str, baseline: str | None
) -> str | None:
    """The alternative (or ``the baseline NAME``) whose zero mean leaves a varying statistic
    without a relative half-width, as :func:`relative_half_widths` computes it; None if none."""
    if baseline is None:
        for name in alternatives:
            summary = summarize(by_alt[name][kpi].to_numpy(float))
            if summary.mean == 0 and summary.half_width > 0:
                return name
        return None
    base = by_alt[baseline][kpi].to_numpy(float)
    for name in alternatives:
        if name != baseline:
            diff = paired_difference(by_alt[name][kpi].to_numpy(float), base)
            if diff.mean_b == 0 and diff.half_width > 0:
                return f"the baseline {baseline}"
    return None


def _undefined_when(kpi: str) -> str:
    """When the catalogue says ``kpi`` is undefined ("" if it does not say)."""
    name = kpi.rsplit(".", 1)[-1]
    return next((d.undefined for d in KPI_DEFINITIONS if d.name == name and d.undefined), "")


def _relative(half_width: float, mean: float) -> float:
    if not math.isfinite(half_width):
        return math.inf
    if mean == 0:
        return 0.0 if half_width == 0 else math.inf
    return half_width / abs(mean)


def sequential(
    target: PrecisionTarget,
    ensure: Callable[[int], pd.DataFrame],
    alternatives: Sequence[str],
    baseline: str | None = None,
) -> PrecisionReport:
    """Run rounds until the target is met (and confirmed) or the cap is reached.

    The sequence of replication counts depends only on the data, never on how the work is
    chunked or where it runs, so the outcome is the same on every backend.

    Parameters
    ----------
    target : PrecisionTarget
    ensure : callable
        ``ensure(n)`` makes sure replications ``0 … n−1`` of every alternative are done and
        returns the table of exactly those replications.
    alternatives : sequence of str
    baseline : str, optional
        Watch paired differences against this alternative instead of the means.
    """
    cap = target.max_replications
    report = PrecisionReport(target)
    n = target.min_replications
    confirming = False
    while True:
        frame = ensure(n)
        report.rounds.append(n)
        report.replications = n
        report.achieved = relative_half_widths(frame, alternatives, target.kpis, baseline)
        if len(report.rounds) == 1:
            check_watchable(frame, alternatives, target.kpis, baseline)
        worst = max(report.achieved.values())
        if worst <= target.relative:
            if confirming or n >= cap:
                report.met = True
                return report
            confirming = True
            next_n = n + max(math.ceil(target.look_ahead * n), 1)
        else:
            confirming = False
            wanted = (
                math.ceil(1.1 * n * (worst / target.relative) ** 2)
                if math.isfinite(worst)
                else 2 * n
            )
            next_n = max(wanted, n + max(math.ceil(0.1 * n), 1))
        if n >= cap:
            return report
        n = min(next_n, cap)
