r"""Summaries of one KPI, or of every KPI column of a replication table per group.

Each summary holds the mean, the sample standard deviation (``ddof=1``), the 95 % Student-t
interval of the mean (:mod:`jitsim.stats.intervals`), the 5/50/95 % quantiles (numpy's
``'linear'`` method, Hyndman & Fan type 7), the upper-tail ``cvar95``
(:func:`jitsim.stats.tail.cvar`) and ``n``, the number of non-NaN values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pandas.api.types import is_numeric_dtype

from jitsim.errors import UnknownKpi, with_suggestion
from jitsim.stats.intervals import CONFIDENCE, half_width_array
from jitsim.stats.samples import FloatArray, Record, as_1d_float
from jitsim.stats.tail import CVAR_LEVEL, tail_mass

__all__ = [
    "SUMMARY_COLUMNS",
    "KpiSummary",
    "summarize",
    "summarize_columns",
    "summarize_frame",
    "summary_kpis",
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

_QUANTILES = (0.05, 0.50, 0.95)
# Maximum number of matrix cells processed at once by summarize_frame (bounds memory).
_CHUNK_CELLS = 2_000_000


def _lerp(a: FloatArray, b: FloatArray, t: FloatArray) -> FloatArray:
    """Linear interpolation with the same rounding behaviour as numpy's quantile."""
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1.0 - t), a + diff * t)


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
    half = half_width_array(std, n, CONFIDENCE)

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
    m = tail_mass(n_safe, CVAR_LEVEL)
    from_top = (n[row_group] - 1.0) - rank
    w = np.where(valid, np.clip(m[row_group] - from_top, 0.0, 1.0) / m[row_group], 0.0)
    del from_top
    weighted = np.where(w > 0.0, w * s0, 0.0)
    out["cvar95"] = np.where(has, np.add.reduceat(weighted, starts, axis=0), np.nan)
    out["n"] = n
    return out


@dataclass(frozen=True, slots=True)
class KpiSummary(Record):
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
        5 % of the probability mass), see :func:`~jitsim.stats.tail.cvar`.
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
        :func:`~jitsim.stats.tail.cvar`) and ``n``, the number of non-NaN values.
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
    arr = as_1d_float(values)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        nan = float("nan")
        return KpiSummary(nan, nan, nan, nan, nan, nan, nan, nan, nan, 0)
    res = _summarize_groups(arr[:, None], np.zeros(arr.size, dtype=np.intp), 1)
    fields = {k: float(v[0, 0]) for k, v in res.items() if k != "n"}
    return KpiSummary(**fields, n=int(arr.size))


def _normalise_by(by: str | Sequence[str]) -> list[str]:
    cols = [by] if isinstance(by, str) else list(by)
    if not cols:
        raise ValueError("`by` must name at least one column")
    return cols


def summary_kpis(df: pd.DataFrame, by_cols: list[str], kpis: list[str] | None) -> list[str]:
    """The KPI columns :func:`summarize_frame` summarises (``df`` may have no rows: only its
    columns and their types are read).

    Raises
    ------
    UnknownKpi
        If a requested KPI is not a column.
    ValueError
        If a requested KPI is non-numeric or a grouping column.
    """
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
            known = [c for c in df.columns if c not in by_cols and c != "replication"]
            shown = ", ".join(known[:6]) + (f", … ({len(known)} in all)" if len(known) > 6 else "")
            message = f"unknown KPI {', '.join(map(repr, absent))} (known: {shown})"
            raise UnknownKpi(with_suggestion(message, absent[0], known))
        bad = [c for c in kpi_cols if c in by_cols or not is_numeric_dtype(df[c])]
        if bad:
            raise ValueError(f"KPI column(s) are grouping or non-numeric columns: {bad}")

    return kpi_cols


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
        raise UnknownKpi(f"grouping column(s) not found: {', '.join(missing)}")

    kpi_cols = summary_kpis(df, by_cols, kpis)
    grouped = df.groupby(by_cols, sort=True, dropna=False, observed=True)
    keys = grouped.size().index.to_frame(index=False)
    keys.columns = by_cols
    codes = grouped.ngroup().to_numpy(dtype=np.intp)
    return summarize_columns(
        keys,
        codes,
        kpi_cols,
        lambda column: df[column].to_numpy(dtype=np.float64, na_value=np.nan),
    )


def summarize_columns(
    keys: pd.DataFrame,
    codes: NDArray[np.integer[Any]],
    kpis: Sequence[str],
    values: Callable[[str], FloatArray],
    *,
    block_cells: int = _CHUNK_CELLS,
) -> pd.DataFrame:
    """The table of :func:`summarize_frame` from KPI columns fetched one at a time.

    This is how a batch summarises replications kept on disk without loading the whole table:
    only the columns of one block (at most ``block_cells`` cells, or one column) are in
    memory at once, and the numbers are those of :func:`summarize_frame` on the same table,
    bit for bit (same row order, same arithmetic).

    Parameters
    ----------
    keys : pandas.DataFrame
        One row per group: the grouping columns, groups in output order.
    codes : ndarray of int, shape (N,)
        Row ``i``'s group (a row of ``keys``); every group must occur.
    kpis : sequence of str
        KPI columns to summarise, in this order (already validated).
    values : callable
        ``values(kpi)`` → float64 array of shape (N,), NaN where undefined.
    block_cells : int
        Cells summarised at once (at least one column). The numbers do not depend on it: each
        column's sums run down its sorted values whatever the block's width (tested); a
        smaller block only needs less memory (about 10 arrays of the block's size at once).

    Returns
    -------
    pandas.DataFrame
        Columns ``[*keys.columns, "kpi", *SUMMARY_COLUMNS]``, groups outer, KPIs inner.
    """
    by_cols = list(keys.columns)
    kpi_cols = list(kpis)
    n_groups = len(keys)
    n_kpis = len(kpi_cols)
    n_rows = len(codes)

    columns = [*by_cols, "kpi", *SUMMARY_COLUMNS]
    if n_groups == 0 or n_kpis == 0:
        empty = pd.DataFrame({c: keys[c].iloc[:0] for c in by_cols})
        empty["kpi"] = pd.Series(dtype=object)
        for c in SUMMARY_COLUMNS:
            empty[c] = pd.Series(dtype=np.int64 if c == "n" else np.float64)
        return empty[columns]

    stats = {c: np.empty((n_groups, n_kpis)) for c in SUMMARY_COLUMNS}
    chunk = max(1, block_cells // max(1, n_rows))
    for lo in range(0, n_kpis, chunk):
        cols = kpi_cols[lo : lo + chunk]
        block = np.column_stack([values(c) for c in cols])
        res = _summarize_groups(block, codes, n_groups)
        for name in SUMMARY_COLUMNS:
            stats[name][:, lo : lo + len(cols)] = res[name]

    out = keys.loc[keys.index.repeat(n_kpis)].reset_index(drop=True)
    out["kpi"] = np.tile(np.asarray(kpi_cols, dtype=object), n_groups)
    for name in SUMMARY_COLUMNS:
        flat = stats[name].ravel()  # row-major: group outer, KPI inner
        out[name] = flat.astype(np.int64) if name == "n" else flat
    return out[columns]
