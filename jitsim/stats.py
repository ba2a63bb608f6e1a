r"""Summary statistics for Monte Carlo replications.

All functions are pure: they take arrays (or a :class:`pandas.DataFrame`) of
per-replication KPI values and return immutable result objects or new frames.
Nothing is printed and nothing is written to disk.

Conventions used throughout
---------------------------
* ``NaN`` values are treated as *missing* and ignored; ``n`` always counts the
  non-missing values that entered a statistic.
* The sample standard deviation uses Bessel's correction (``ddof=1``):

  .. math:: s = \sqrt{\frac{1}{n-1}\sum_{i=1}^{n}(x_i-\bar x)^2}.

* Confidence intervals for a mean are two-sided Student-t intervals

  .. math:: \bar x \pm t_{(1+c)/2,\,n-1}\,\frac{s}{\sqrt n},

  with ``c = 0.95`` unless stated otherwise.  They need ``n >= 2``; with fewer
  values the interval (and ``s``) is ``NaN``.
* Percentiles use numpy's default ``'linear'`` method (Hyndman & Fan type 7):
  with the sorted sample :math:`x_{(0)} \le \dots \le x_{(n-1)}` and
  :math:`h = (n-1)p`, :math:`Q(p) = x_{(\lfloor h\rfloor)} + (h-\lfloor h\rfloor)
  (x_{(\lfloor h\rfloor+1)} - x_{(\lfloor h\rfloor)})`.
* ``cvar95`` is the conditional value at risk of the **upper** tail (KPIs are
  costs / shortfalls: large is bad); see :func:`cvar` for the exact definition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pandas.api.types import is_numeric_dtype
from scipy import stats as sps

__all__ = [
    "SUMMARY_COLUMNS",
    "KpiSummary",
    "PairedDifference",
    "UnpairedDifference",
    "cvar",
    "km_median",
    "paired_difference",
    "summarize",
    "summarize_frame",
    "t_half_width",
    "unpaired_difference",
    "var",
]

#: Statistic columns produced by :func:`summarize_frame` (after the group and ``kpi`` columns).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "mean",
    "std",
    "ci95_low",
    "ci95_high",
    "half_width",
    "p05",
    "p50",
    "p95",
    "cvar95",
    "n",
)

_CONFIDENCE = 0.95
_CVAR_LEVEL = 0.95
_QUANTILES = (0.05, 0.50, 0.95)
# Maximum number of matrix cells processed at once by summarize_frame (bounds memory).
_CHUNK_CELLS = 2_000_000

FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------- helpers


def _check_level(level: float, name: str) -> None:
    if not 0.0 < level < 1.0:  # also rejects NaN
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {level!r}")


def _as_1d_float(values: ArrayLike, name: str = "values") -> FloatArray:
    """Convert *values* to a 1-D float64 array (``None``/``pd.NA`` become NaN)."""
    if isinstance(values, pd.Series | pd.Index):
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _t_quantile(confidence: float, n: ArrayLike) -> FloatArray:
    """Two-sided Student-t critical value ``t_{(1+c)/2, n-1}``; NaN where ``n < 2``."""
    n_arr = np.asarray(n, dtype=np.float64)
    dof = np.where(n_arr >= 2, n_arr - 1.0, np.nan)
    return np.asarray(sps.t.ppf(0.5 + confidence / 2.0, dof), dtype=np.float64)


def _half_width_array(std: ArrayLike, n: ArrayLike, confidence: float) -> FloatArray:
    """Vectorised ``t_{(1+c)/2,n-1} * std / sqrt(n)``; NaN where ``n < 2`` or std is NaN."""
    std_arr = np.asarray(std, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    tq = _t_quantile(confidence, n_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = tq * std_arr / np.sqrt(n_arr)
    return np.asarray(np.where(n_arr >= 2, out, np.nan), dtype=np.float64)


def t_half_width(std: float, n: int, confidence: float = 0.95) -> float:
    r"""Half-width of a two-sided Student-t confidence interval for a mean.

    .. math:: h = t_{(1+c)/2,\,n-1}\;\frac{s}{\sqrt n}

    Parameters
    ----------
    std : float
        Sample standard deviation :math:`s` (``ddof=1``).
    n : int
        Sample size.
    confidence : float, default 0.95
        Two-sided confidence level :math:`c`, strictly between 0 and 1.

    Returns
    -------
    float
        The half-width :math:`h`; ``NaN`` when ``n < 2`` or ``std`` is NaN.

    Raises
    ------
    ValueError
        If *confidence* is not in ``(0, 1)`` or *n* is negative.

    Examples
    --------
    >>> round(t_half_width(2.0, 8), 4)  # t_{0.975,7} = 2.3646; 2.3646 * 2 / sqrt(8)
    1.672
    """
    _check_level(confidence, "confidence")
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    return float(_half_width_array(std, n, confidence))


def _lerp(a: FloatArray, b: FloatArray, t: FloatArray) -> FloatArray:
    """Linear interpolation with the same rounding behaviour as numpy's quantile."""
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1.0 - t), a + diff * t)


def _tail_mass(n: ArrayLike, level: float) -> FloatArray:
    """``n * (1 - level)`` rounded to kill binary-representation noise (e.g. 20*0.05)."""
    raw = np.asarray(n, dtype=np.float64) * round(1.0 - level, 12)
    rounded = np.round(raw, 9)
    return np.asarray(np.where(rounded > 0.0, rounded, raw), dtype=np.float64)


def _summarize_groups(
    x: FloatArray, codes: NDArray[np.integer[Any]], n_groups: int
) -> dict[str, FloatArray]:
    """Vectorised statistics for every (group, column) cell of a value matrix.

    Parameters
    ----------
    x : ndarray, shape (N, K)
        Values; NaN marks missing.
    codes : ndarray of int, shape (N,)
        Group code in ``range(n_groups)`` of every row; every group must occur.
    n_groups : int
        Number of groups ``G``.

    Returns
    -------
    dict of str to ndarray, each of shape (G, K)
        One entry per name in :data:`SUMMARY_COLUMNS` (``n`` as float).
    """
    n_rows = x.shape[0]
    sizes = np.bincount(codes, minlength=n_groups)
    if np.any(sizes == 0):  # pragma: no cover - guarded by callers
        raise ValueError("every group must contain at least one row")
    starts = np.cumsum(sizes) - sizes
    ends = starts + sizes

    # Make each group a contiguous block of rows, then sort every column inside each
    # block (NaN last): the non-missing values of a group come first, ascending.
    # One np.sort call per group (not per value); np.sort is much faster than argsort.
    s = x[np.argsort(codes, kind="stable")]
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        s[lo:hi].sort(axis=0)
    row_group = np.repeat(np.arange(n_groups), sizes)
    rank = (np.arange(n_rows) - starts[row_group])[:, None]  # position inside the group

    valid = ~np.isnan(s)
    n = np.add.reduceat(valid, starts, axis=0).astype(np.float64)  # (G, K)
    s0 = np.where(valid, s, 0.0)
    has = n > 0

    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.add.reduceat(s0, starts, axis=0) / n
        mean = np.where(has, mean, np.nan)
        dev = np.where(valid, s - mean[row_group], 0.0)
        ss = np.add.reduceat(dev * dev, starts, axis=0)
        del dev
        std = np.where(n >= 2, np.sqrt(ss / (n - 1.0)), np.nan)
    half = _half_width_array(std, n, _CONFIDENCE)

    out: dict[str, FloatArray] = {
        "mean": mean,
        "std": std,
        "ci95_low": mean - half,
        "ci95_high": mean + half,
        "half_width": half,
    }

    # Linear (type 7) quantiles, read directly from the sorted blocks.
    n_safe = np.where(has, n, 1.0)
    for p, name in zip(_QUANTILES, ("p05", "p50", "p95"), strict=True):
        h = (n_safe - 1.0) * p
        lo = np.floor(h)
        frac = h - lo
        lo_i = lo.astype(np.intp)
        hi_i = np.minimum(lo_i + 1, n_safe.astype(np.intp) - 1)
        a = np.take_along_axis(s, starts[:, None] + lo_i, axis=0)
        b = np.take_along_axis(s, starts[:, None] + hi_i, axis=0)
        out[name] = np.where(has, _lerp(a, b, frac), np.nan)

    # Upper-tail CVaR with fractional weights: the j-th largest value (j = 0, 1, ...)
    # gets weight clip(m - j, 0, 1) / m where m = n (1 - level) is the tail mass counted
    # in values.  Normalising before multiplying makes e.g. the CVaR of a single value
    # exactly that value.
    m = _tail_mass(n_safe, _CVAR_LEVEL)
    from_top = (n[row_group] - 1.0) - rank
    w = np.where(valid, np.clip(m[row_group] - from_top, 0.0, 1.0) / m[row_group], 0.0)
    del from_top
    weighted = np.where(w > 0.0, w * s0, 0.0)
    out["cvar95"] = np.where(has, np.add.reduceat(weighted, starts, axis=0), np.nan)
    out["n"] = n
    return out


# --------------------------------------------------------------------------- summarize


@dataclass(frozen=True, slots=True)
class KpiSummary:
    r"""Summary of one KPI over Monte Carlo replications.

    Attributes
    ----------
    mean : float
        Sample mean :math:`\bar x`.
    std : float
        Sample standard deviation :math:`s` (``ddof=1``); NaN if ``n < 2``.
    ci95_low, ci95_high : float
        :math:`\bar x \mp t_{0.975,n-1}\, s/\sqrt n`; NaN if ``n < 2``.
    half_width : float
        :math:`t_{0.975,n-1}\, s/\sqrt n`; NaN if ``n < 2``.
    p05, p50, p95 : float
        5 %, 50 % and 95 % quantiles (numpy ``'linear'`` method).
    cvar95 : float
        Upper-tail conditional value at risk at level 0.95 (mean of the worst
        5 % of the probability mass), see :func:`cvar`.
    n : int
        Number of non-NaN values used.
    """

    mean: float
    std: float
    ci95_low: float
    ci95_high: float
    half_width: float
    p05: float
    p50: float
    p95: float
    cvar95: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain ``dict`` (in :data:`SUMMARY_COLUMNS` order)."""
        return asdict(self)


def summarize(values: ArrayLike) -> KpiSummary:
    r"""Summarise the replication values of one KPI.

    Parameters
    ----------
    values : array_like, 1-D
        One value per replication. NaN (and ``None``/``pd.NA``) entries are
        ignored.

    Returns
    -------
    KpiSummary
        ``mean``, ``std`` (``ddof=1``), 95 % Student-t interval
        :math:`\bar x \pm t_{0.975,n-1}\,s/\sqrt n`, its ``half_width``,
        the 5/50/95 % linear quantiles, the upper-tail ``cvar95`` (see
        :func:`cvar`) and ``n``, the number of non-NaN values.
        With ``n == 0`` every statistic is NaN; with ``n == 1`` the mean,
        quantiles and CVaR equal the single value while ``std`` and the
        interval are NaN.

    Raises
    ------
    ValueError
        If *values* is not one-dimensional.

    Examples
    --------
    >>> s = summarize([2, 4, 4, 4, 5, 5, 7, 9])
    >>> s.mean, round(s.std, 4), round(s.half_width, 4), s.n
    (5.0, 2.1381, 1.7875, 8)
    """
    arr = _as_1d_float(values)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        nan = float("nan")
        return KpiSummary(nan, nan, nan, nan, nan, nan, nan, nan, nan, 0)
    res = _summarize_groups(arr[:, None], np.zeros(arr.size, dtype=np.intp), 1)
    fields = {k: float(v[0, 0]) for k, v in res.items() if k != "n"}
    return KpiSummary(**fields, n=int(arr.size))


def cvar(values: ArrayLike, level: float = 0.95) -> float:
    r"""Upper-tail conditional value at risk (expected shortfall) of a sample.

    The sample is treated as the empirical distribution putting mass
    :math:`1/n` on each (non-NaN) value.  CVaR at level :math:`\alpha` is the
    mean of the worst (largest) :math:`1-\alpha` share of that probability mass
    (Acerbi & Tasche 2002), which for the empirical distribution equals the
    Rockafellar–Uryasev (2002) minimum

    .. math::

        \mathrm{CVaR}_\alpha = \min_c \Big\{ c + \frac{1}{n(1-\alpha)}
        \sum_{i=1}^n (x_i - c)^+ \Big\}
        = \frac{1}{m}\Big(\sum_{j=1}^{\lfloor m\rfloor} x_{[j]}
        + (m - \lfloor m\rfloor)\, x_{[\lfloor m\rfloor + 1]}\Big),
        \qquad m = n(1-\alpha),

    where :math:`x_{[1]} \ge x_{[2]} \ge \dots` are the values in descending
    order.  A minimiser is the lower :math:`\alpha`-quantile (VaR), the
    :math:`\lceil n\alpha\rceil`-th smallest value.  Each of the largest
    :math:`\lfloor m\rfloor` values gets full weight and the next one the
    fractional weight :math:`m-\lfloor m\rfloor`.  When :math:`m` is an
    integer this is simply the mean of the :math:`m` largest values; when
    :math:`m < 1` (``n < 20`` for :math:`\alpha = 0.95`) it is the maximum.
    Example: ``n = 30``, :math:`\alpha=0.95` gives :math:`m = 1.5` and
    :math:`(x_{[1]} + 0.5\,x_{[2]})/1.5`.

    Parameters
    ----------
    values : array_like, 1-D
        Sample; NaN entries are ignored.
    level : float, default 0.95
        Confidence level :math:`\alpha` in ``(0, 1)``.

    Returns
    -------
    float
        The CVaR; NaN for an empty (or all-NaN) sample.

    Examples
    --------
    >>> round(cvar(range(1, 31)), 4)  # (30 + 0.5 * 29) / 1.5
    29.6667
    """
    _check_level(level, "level")
    arr = _as_1d_float(values)
    arr = np.sort(arr[~np.isnan(arr)])[::-1]
    if arr.size == 0:
        return float("nan")
    m = float(_tail_mass(arr.size, level))
    w = np.clip(m - np.arange(arr.size), 0.0, 1.0) / m
    keep = w > 0.0
    return float(np.sum(w[keep] * arr[keep]))


def var(values: ArrayLike, level: float = 0.95) -> float:
    r"""Value at risk of a sample: the lower :math:`\alpha`-quantile, the
    :math:`\lceil n\alpha\rceil`-th smallest (non-NaN) value — the minimiser in the
    Rockafellar–Uryasev form of :func:`cvar`, so ``cvar ≥ var`` always.

    Examples
    --------
    >>> var(range(1, 31))  # the 29th smallest of 30 values
    29.0
    """
    _check_level(level, "level")
    arr = _as_1d_float(values)
    clean = np.sort(arr[~np.isnan(arr)])
    if clean.size == 0:
        return float("nan")
    return float(clean[max(math.ceil(clean.size * level) - 1, 0)])


# --------------------------------------------------------------------------- frames


def km_median(times: ArrayLike, observed: ArrayLike) -> tuple[float, bool]:
    r"""Kaplan–Meier median of right-censored durations.

    The product-limit estimate :math:`\hat S(t) = \prod_{t_i \le t} (1 - d_i / n_i)` (``d_i``
    events at time :math:`t_i`, ``n_i`` durations still at risk just before it; censored
    durations leave the risk set after the events of their own time) is a step function; the
    median is the smallest event time with :math:`\hat S \le 1/2`.

    Parameters
    ----------
    times : array_like
        Observed durations (events) or censoring times (≥ 0), NaN entries ignored.
    observed : array_like of bool
        True where the duration ended with the event, False where it was censored.

    Returns
    -------
    (median, censored)
        The median and False; or, when :math:`\hat S` stays above 1/2, the largest duration
        (a lower bound of the median) and True. NaN and True for an empty sample.
    """
    t = _as_1d_float(times, "times")
    seen = np.asarray(observed, dtype=bool)
    if seen.shape != t.shape:
        raise ValueError("times and observed must have the same length")
    keep = ~np.isnan(t)
    t, seen = t[keep], seen[keep]
    if t.size == 0:
        return math.nan, True
    survival = 1.0
    for value in np.unique(t[seen]):
        at_risk = int(np.count_nonzero(t >= value))
        events = int(np.count_nonzero((t == value) & seen))
        survival *= 1.0 - events / at_risk
        if survival <= 0.5 + 1e-12:
            return float(value), False
    return float(t.max()), True


def _normalise_by(by: str | Sequence[str]) -> list[str]:
    cols = [by] if isinstance(by, str) else list(by)
    if not cols:
        raise ValueError("`by` must name at least one column")
    return cols


def summarize_frame(
    df: pd.DataFrame,
    by: str | list[str] = "alternative",
    kpis: list[str] | None = None,
) -> pd.DataFrame:
    """Summarise every numeric KPI column of a replication table per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Wide table, one row per replication (and group), one column per KPI.
    by : str or list of str, default ``"alternative"``
        Grouping column(s). Groups are sorted; rows with a missing key form their
        own group.
    kpis : list of str, optional
        KPI columns to summarise, in this order. By default every numeric
        (including boolean) column except the ``by`` columns and ``replication``,
        in the order of ``df.columns``.

    Returns
    -------
    pandas.DataFrame
        Tidy long table with columns ``[*by, "kpi", "mean", "std", "ci95_low",
        "ci95_high", "half_width", "p05", "p50", "p95", "cvar95", "n"]`` and one
        row per group × KPI (groups outer, KPIs inner). The statistics are exactly
        those of :func:`summarize` applied to each group's column (NaN ignored).

    Raises
    ------
    KeyError
        If a ``by`` or ``kpis`` column is missing.
    ValueError
        If an explicitly requested KPI is non-numeric or is a ``by`` column.

    Notes
    -----
    The computation is vectorised: rows are reordered so that each group is a
    contiguous block, each block is sorted column-wise with one ``numpy.sort``
    call, and all statistics (means, variances, quantiles, CVaR) are read off with
    segment reductions (``numpy.add.reduceat``) and fancy indexing, so the cost is
    essentially one sort of the data. Columns are processed in chunks to bound
    memory.
    """
    by_cols = _normalise_by(by)
    missing = [c for c in by_cols if c not in df.columns]
    if missing:
        raise KeyError(f"grouping column(s) not found: {missing}")

    if kpis is None:
        kpi_cols = [
            c
            for c in df.columns
            if c not in by_cols and c != "replication" and is_numeric_dtype(df[c])
        ]
    else:
        kpi_cols = list(kpis)
        absent = [c for c in kpi_cols if c not in df.columns]
        if absent:
            raise KeyError(f"KPI column(s) not found: {absent}")
        bad = [c for c in kpi_cols if c in by_cols or not is_numeric_dtype(df[c])]
        if bad:
            raise ValueError(f"KPI column(s) are grouping or non-numeric columns: {bad}")

    grouped = df.groupby(by_cols, sort=True, dropna=False, observed=True)
    keys = grouped.size().index.to_frame(index=False)
    keys.columns = by_cols
    n_groups = len(keys)
    n_kpis = len(kpi_cols)

    columns = [*by_cols, "kpi", *SUMMARY_COLUMNS]
    if n_groups == 0 or n_kpis == 0:
        empty = pd.DataFrame({c: keys[c].iloc[:0] for c in by_cols})
        empty["kpi"] = pd.Series(dtype=object)
        for c in SUMMARY_COLUMNS:
            empty[c] = pd.Series(dtype=np.int64 if c == "n" else np.float64)
        return empty[columns]

    codes = grouped.ngroup().to_numpy(dtype=np.intp)
    stats = {c: np.empty((n_groups, n_kpis)) for c in SUMMARY_COLUMNS}
    chunk = max(1, _CHUNK_CELLS // max(1, len(df)))
    for lo in range(0, n_kpis, chunk):
        cols = kpi_cols[lo : lo + chunk]
        block = np.column_stack([df[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in cols])
        res = _summarize_groups(block, codes, n_groups)
        for name in SUMMARY_COLUMNS:
            stats[name][:, lo : lo + len(cols)] = res[name]

    out = keys.loc[keys.index.repeat(n_kpis)].reset_index(drop=True)
    out["kpi"] = np.tile(np.asarray(kpi_cols, dtype=object), n_groups)
    for name in SUMMARY_COLUMNS:
        flat = stats[name].ravel()  # row-major: group outer, KPI inner
        out[name] = flat.astype(np.int64) if name == "n" else flat
    return out[columns]


# --------------------------------------------------------------------------- differences


@dataclass(frozen=True, slots=True)
class PairedDifference:
    r"""Comparison of two alternatives evaluated on the same replications (CRN).

    Attributes
    ----------
    mean_a, mean_b : float
        Means :math:`\bar a`, :math:`\bar b` over the retained pairs.
    mean_diff : float
        :math:`\bar d = \bar a - \bar b` with :math:`d_i = a_i - b_i`.
    std_diff : float
        Sample standard deviation :math:`s_d` of the differences (``ddof=1``).
    ci95_low, ci95_high, half_width : float
        Paired-t interval :math:`\bar d \pm t_{0.975,n-1}\, s_d/\sqrt n`.
    rel_change : float
        :math:`\bar a/\bar b - 1`; NaN if :math:`\bar b = 0`.
    rel_ci95_low, rel_ci95_high, rel_half_width : float
        Delta-method 95 % interval for ``rel_change`` (see
        :func:`paired_difference`).
    share_a_less : float
        Fraction of pairs with :math:`a_i < b_i` (ties count as not less).
    n : int
        Number of pairs used.
    """

    mean_a: float
    mean_b: float
    mean_diff: float
    std_diff: float
    ci95_low: float
    ci95_high: float
    half_width: float
    rel_change: float
    rel_ci95_low: float
    rel_ci95_high: float
    rel_half_width: float
    share_a_less: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain ``dict``."""
        return asdict(self)


def paired_difference(a: ArrayLike, b: ArrayLike) -> PairedDifference:
    r"""Paired comparison of alternative *a* against baseline *b*.

    ``a[i]`` and ``b[i]`` must come from the same replication ``i`` (common random
    numbers), so the pairing removes the shared noise from the comparison.

    Absolute difference: with :math:`d_i = a_i - b_i`,

    .. math:: \bar d \pm t_{0.975,n-1}\,\frac{s_d}{\sqrt n}.

    Relative change (ratio estimator and delta method): with
    :math:`R = \bar a / \bar b`, sample variances :math:`s_a^2, s_b^2` and sample
    covariance :math:`s_{ab}` (all ``ddof=1``),

    .. math::

        \widehat{\mathrm{Var}}(R) \approx \frac{1}{n}\,
        \frac{s_a^2 - 2R\,s_{ab} + R^2 s_b^2}{\bar b^{\,2}}, \qquad
        \text{rel\_change} = R - 1 \pm t_{0.975,n-1}\sqrt{\widehat{\mathrm{Var}}(R)}.

    The numerator equals the sample variance of :math:`a_i - R\,b_i`, which is how
    it is computed (numerically stable, never negative). The relative fields are
    NaN when :math:`\bar b = 0`.

    Parameters
    ----------
    a, b : array_like, 1-D, same length
        KPI values of the alternative and of the baseline per replication. Pairs in
        which either value is NaN are dropped.

    Returns
    -------
    PairedDifference
        With ``n == 0`` everything is NaN; with ``n == 1`` spreads and intervals are
        NaN.

    Raises
    ------
    ValueError
        If *a* and *b* differ in length or are not one-dimensional.
    """
    a_arr = _as_1d_float(a, "a")
    b_arr = _as_1d_float(b, "b")
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"a and b must have the same length, got {a_arr.size} and {b_arr.size}")
    keep = ~(np.isnan(a_arr) | np.isnan(b_arr))
    a_arr, b_arr = a_arr[keep], b_arr[keep]
    n = int(a_arr.size)
    nan = float("nan")
    if n == 0:
        return PairedDifference(nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, 0)

    mean_a = float(np.mean(a_arr))
    mean_b = float(np.mean(b_arr))
    d = a_arr - b_arr
    mean_d = float(np.mean(d))
    std_d = float(np.std(d, ddof=1)) if n >= 2 else nan
    half = float(_half_width_array(std_d, n, _CONFIDENCE))

    if mean_b == 0.0:
        rel = rel_half = nan
    else:
        ratio = mean_a / mean_b
        rel = ratio - 1.0
        if n >= 2:
            resid_var = float(np.var(a_arr - ratio * b_arr, ddof=1))
            se_ratio = math.sqrt(resid_var / n) / abs(mean_b)
            rel_half = float(_t_quantile(_CONFIDENCE, n)) * se_ratio
        else:
            rel_half = nan

    return PairedDifference(
        mean_a=mean_a,
        mean_b=mean_b,
        mean_diff=mean_d,
        std_diff=std_d,
        ci95_low=mean_d - half,
        ci95_high=mean_d + half,
        half_width=half,
        rel_change=rel,
        rel_ci95_low=rel - rel_half,
        rel_ci95_high=rel + rel_half,
        rel_half_width=rel_half,
        share_a_less=float(np.mean(a_arr < b_arr)),
        n=n,
    )


@dataclass(frozen=True, slots=True)
class UnpairedDifference:
    r"""Welch comparison of two independent samples.

    Attributes
    ----------
    mean_a, mean_b : float
        Sample means.
    mean_diff : float
        :math:`\bar a - \bar b`.
    se : float
        :math:`\sqrt{s_a^2/n_a + s_b^2/n_b}`.
    df : float
        Welch–Satterthwaite degrees of freedom.
    ci95_low, ci95_high, half_width : float
        :math:`(\bar a - \bar b) \pm t_{0.975,\nu}\,\mathrm{se}`.
    n_a, n_b : int
        Non-NaN sample sizes.
    """

    mean_a: float
    mean_b: float
    mean_diff: float
    se: float
    df: float
    ci95_low: float
    ci95_high: float
    half_width: float
    n_a: int
    n_b: int

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain ``dict``."""
        return asdict(self)


def unpaired_difference(a: ArrayLike, b: ArrayLike) -> UnpairedDifference:
    r"""Welch t-interval for :math:`\mu_a - \mu_b` from independent samples.

    .. math::

        \mathrm{se} = \sqrt{\frac{s_a^2}{n_a} + \frac{s_b^2}{n_b}}, \qquad
        \nu = \frac{\mathrm{se}^4}{\frac{(s_a^2/n_a)^2}{n_a-1}
                                    + \frac{(s_b^2/n_b)^2}{n_b-1}}, \qquad
        (\bar a - \bar b) \pm t_{0.975,\nu}\,\mathrm{se}.

    This ignores any pairing between the samples; under common random numbers use
    :func:`paired_difference`, whose interval is narrower when *a* and *b* are
    positively correlated (the variance-reduction effect).

    Parameters
    ----------
    a, b : array_like, 1-D
        The two samples (lengths may differ). NaN entries are ignored.

    Returns
    -------
    UnpairedDifference
        Intervals, ``se`` and ``df`` are NaN unless both samples have at least two
        values. If both sample variances are zero the interval collapses to the
        point difference (``half_width == 0``, ``df`` NaN).
    """
    a_arr = _as_1d_float(a, "a")
    b_arr = _as_1d_float(b, "b")
    a_arr = a_arr[~np.isnan(a_arr)]
    b_arr = b_arr[~np.isnan(b_arr)]
    n_a, n_b = int(a_arr.size), int(b_arr.size)
    nan = float("nan")
    mean_a = float(np.mean(a_arr)) if n_a else nan
    mean_b = float(np.mean(b_arr)) if n_b else nan
    diff = mean_a - mean_b
    if n_a < 2 or n_b < 2:
        return UnpairedDifference(mean_a, mean_b, diff, nan, nan, nan, nan, nan, n_a, n_b)

    va = float(np.var(a_arr, ddof=1)) / n_a
    vb = float(np.var(b_arr, ddof=1)) / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        dof, half = nan, 0.0
    else:
        dof = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
        half = float(sps.t.ppf(0.5 + _CONFIDENCE / 2.0, dof)) * se
    return UnpairedDifference(
        mean_a=mean_a,
        mean_b=mean_b,
        mean_diff=diff,
        se=se,
        df=dof,
        ci95_low=diff - half,
        ci95_high=diff + half,
        half_width=half,
        n_a=n_a,
        n_b=n_b,
    )
