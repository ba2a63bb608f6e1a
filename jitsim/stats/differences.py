r"""Differences between two alternatives' KPI samples: paired (common random numbers) and Welch.

Under common random numbers replication ``i`` of every alternative sees the same demand and
disruptions, so :func:`paired_difference` compares pair by pair and removes the shared noise;
:func:`unpaired_difference` is the Welch interval for independent samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from jitsim.stats.intervals import CONFIDENCE, half_width_array, t_quantile
from jitsim.stats.samples import Record, as_1d_float

__all__ = ["PairedDifference", "UnpairedDifference", "paired_difference", "unpaired_difference"]


@dataclass(frozen=True, slots=True)
class PairedDifference(Record):
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
    a_arr = as_1d_float(a, "a")
    b_arr = as_1d_float(b, "b")
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
    half = float(half_width_array(std_d, n, CONFIDENCE))

    if mean_b == 0.0:
        rel = rel_half = nan
    else:
        ratio = mean_a / mean_b
        rel = ratio - 1.0
        if n >= 2:
            resid_var = float(np.var(a_arr - ratio * b_arr, ddof=1))
            se_ratio = math.sqrt(resid_var / n) / abs(mean_b)
            rel_half = float(t_quantile(CONFIDENCE, n)) * se_ratio
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
class UnpairedDifference(Record):
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
    a_arr = as_1d_float(a, "a")
    b_arr = as_1d_float(b, "b")
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
        half = float(sps.t.ppf(0.5 + CONFIDENCE / 2.0, dof)) * se
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
