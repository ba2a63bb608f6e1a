r"""Tail risk of a sample: value at risk (VaR) and conditional value at risk (CVaR).

KPIs are costs and shortfalls, so large is bad and both measures look at the **upper** tail.
The sample is the empirical distribution putting mass :math:`1/n` on each non-NaN value.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from jitsim.stats.samples import FloatArray, as_1d_float, check_level

__all__ = ["cvar", "var"]

#: Level of the ``cvar95`` column that :mod:`jitsim.stats` reports.
CVAR_LEVEL = 0.95


def tail_mass(n: ArrayLike, level: float) -> FloatArray:
    """``n * (1 - level)`` rounded to kill binary-representation noise (e.g. 20*0.05)."""
    raw = np.asarray(n, dtype=np.float64) * round(1.0 - level, 12)
    rounded = np.round(raw, 9)
    return np.asarray(np.where(rounded > 0.0, rounded, raw), dtype=np.float64)


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
    check_level(level, "level")
    arr = as_1d_float(values)
    arr = np.sort(arr[~np.isnan(arr)])[::-1]
    if arr.size == 0:
        return float("nan")
    m = float(tail_mass(arr.size, level))
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
    check_level(level, "level")
    arr = as_1d_float(values)
    clean = np.sort(arr[~np.isnan(arr)])
    if clean.size == 0:
        return float("nan")
    return float(clean[max(math.ceil(clean.size * level) - 1, 0)])
