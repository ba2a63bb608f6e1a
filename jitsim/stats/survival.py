"""Survival analysis of right-censored durations (Kaplan–Meier)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from jitsim.stats.samples import as_1d_float

__all__ = ["km_median"]


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
    t = as_1d_float(times, "times")
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
