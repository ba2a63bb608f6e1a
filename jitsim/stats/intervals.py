r"""Two-sided Student-t confidence intervals for a mean.

.. math:: \bar x \pm t_{(1+c)/2,\,n-1}\,\frac{s}{\sqrt n},

with ``c = 0.95`` unless stated otherwise. They need ``n >= 2``; with fewer values the
interval is ``NaN``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from jitsim.stats.samples import FloatArray, check_level

__all__ = ["t_half_width"]

#: Confidence level of every interval that :mod:`jitsim.stats` reports (``ci95_*``).
CONFIDENCE = 0.95


def t_quantile(confidence: float, n: ArrayLike) -> FloatArray:
    """Two-sided Student-t critical value ``t_{(1+c)/2, n-1}``; NaN where ``n < 2``."""
    n_arr = np.asarray(n, dtype=np.float64)
    dof = np.where(n_arr >= 2, n_arr - 1.0, np.nan)
    return np.asarray(sps.t.ppf(0.5 + confidence / 2.0, dof), dtype=np.float64)


def half_width_array(std: ArrayLike, n: ArrayLike, confidence: float) -> FloatArray:
    """Vectorised ``t_{(1+c)/2,n-1} * std / sqrt(n)``; NaN where ``n < 2`` or std is NaN."""
    std_arr = np.asarray(std, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    tq = t_quantile(confidence, n_arr)
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
    check_level(confidence, "confidence")
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    return float(half_width_array(std, n, confidence))
