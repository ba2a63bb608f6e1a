r"""Simulation optimisation of policy parameters: ``jitsim optimize`` and :func:`optimize`.

Which policy parameters of the chosen stock points minimise (or maximise) a KPI, subject to
constraints on other KPIs, with a statistical guarantee? Two stages, both under common random
numbers (every candidate sees the same demand paths in replication :math:`r`):

1. **Search** (:mod:`.search`): a pattern search on a local grid with a shrinking step over the
   decision variables (:mod:`.variables`), every candidate simulated with the same
   replications; a candidate is feasible when each constraint holds at confidence
   :math:`1-\alpha` (one-sided bound of a mean, ``cvar95``, ``var95`` or ``P(KPI>V)``).
2. **Selection** (:mod:`.selection`): the best feasible candidates of the search (at most six)
   are compared again on *fresh* replications by the fully sequential procedure KN of Kim &
   Nelson (2001), which picks the best of them with probability at least :math:`1-\alpha`
   whenever it is at least :math:`\delta` better than every other (the indifference zone);
   its constraints are checked again on those replications.

The package: :mod:`.variables` (decision variables, bounds), :mod:`.evaluate` (candidates
simulated in batches), :mod:`.search`, :mod:`.selection` (KN), :mod:`.constraints` (a constraint on
the mean, CVaR, VaR or an exceedance probability of a KPI and its one-sided bound),
:mod:`.result`
(:class:`OptimizeResult`, its tables and files, ``tuned.yaml``) and :mod:`.experiment`
(:func:`optimize`). The method, the guarantee and its limits: docs/optimize.md.
"""

from jitsim.experiments.optimize.constraints import Constraint, parse_constraint
from jitsim.experiments.optimize.experiment import optimize
from jitsim.experiments.optimize.result import OptimizeResult
from jitsim.experiments.optimize.selection import kn_select
from jitsim.experiments.optimize.variables import Variable, decision_variables, parse_bounds

__all__ = [
    "Constraint",
    "OptimizeResult",
    "Variable",
    "decision_variables",
    "kn_select",
    "optimize",
    "parse_bounds",
    "parse_constraint",
]
