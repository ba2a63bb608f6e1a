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

The package: :mod:`.search` runs :func:`breakeven`, :mod:`.result` holds
:class:`BreakEvenResult` and writes its files, :mod:`.wording` puts the outcome in words.
"""

from jitsim.experiments.breakeven.result import EVALUATION_COLUMNS, BreakEvenResult, Evaluation
from jitsim.experiments.breakeven.search import breakeven

__all__ = ["EVALUATION_COLUMNS", "BreakEvenResult", "Evaluation", "breakeven"]
