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

Modules
-------
* :mod:`jitsim.stats.summary` -- :func:`summarize`, :func:`summarize_frame`;
* :mod:`jitsim.stats.intervals` -- Student-t intervals (:func:`t_half_width`);
* :mod:`jitsim.stats.differences` -- :func:`paired_difference`, :func:`unpaired_difference`;
* :mod:`jitsim.stats.tail` -- :func:`cvar`, :func:`var`;
* :mod:`jitsim.stats.survival` -- :func:`km_median` (Kaplan–Meier);
* :mod:`jitsim.stats.samples` -- NaN handling and result records shared by all.
"""

from jitsim.stats.differences import (
    PairedDifference,
    UnpairedDifference,
    paired_difference,
    unpaired_difference,
)
from jitsim.stats.intervals import t_half_width
from jitsim.stats.summary import SUMMARY_COLUMNS, KpiSummary, summarize, summarize_frame
from jitsim.stats.survival import km_median
from jitsim.stats.tail import cvar, var

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
