"""jitsim — does Just-in-Time beat buffered stock? Discrete-event supply-chain simulation.

The public API mirrors the command line::

    import jitsim
    scenario = jitsim.load_scenario("scenarios/quickstart.yaml")
    result = jitsim.run(scenario, replications=100, seed=1)
    result.summary()        # pandas DataFrame: (alternative, kpi) rows × statistics
    result.replications()   # one row per (alternative, replication)

``import jitsim`` itself is quick: each name below is imported from its module on first use
(so ``jitsim --version`` does not load pandas, SciPy or SimPy).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from jitsim.errors import EnvironmentProblem, JitsimError, JitsimWarning, ScenarioError
from jitsim.version import __version__

if TYPE_CHECKING:
    from jitsim.execution.batch import run
    from jitsim.execution.batch_results import RunResult
    from jitsim.execution.precision import PrecisionTarget
    from jitsim.execution.simulate import ReplicationResult, simulate
    from jitsim.experiments.breakeven import BreakEvenResult, breakeven
    from jitsim.experiments.compare import Comparison, compare
    from jitsim.experiments.optimize import OptimizeResult, optimize
    from jitsim.experiments.stress import StressResult, stress
    from jitsim.experiments.sweep import SweepResult, sweep
    from jitsim.scenario import Scenario, load_scenario, load_scenario_text
    from jitsim.scenario.resolve import resolve

#: Public name → the module it is imported from on first use (as the block above imports it).
_LAZY = {
    "RunResult": "jitsim.execution.batch_results",
    "run": "jitsim.execution.batch",
    "PrecisionTarget": "jitsim.execution.precision",
    "ReplicationResult": "jitsim.execution.simulate",
    "simulate": "jitsim.execution.simulate",
    "BreakEvenResult": "jitsim.experiments.breakeven",
    "breakeven": "jitsim.experiments.breakeven",
    "Comparison": "jitsim.experiments.compare",
    "compare": "jitsim.experiments.compare",
    "OptimizeResult": "jitsim.experiments.optimize",
    "optimize": "jitsim.experiments.optimize",
    "StressResult": "jitsim.experiments.stress",
    "stress": "jitsim.experiments.stress",
    "SweepResult": "jitsim.experiments.sweep",
    "sweep": "jitsim.experiments.sweep",
    "Scenario": "jitsim.scenario",
    "load_scenario": "jitsim.scenario",
    "load_scenario_text": "jitsim.scenario",
    "resolve": "jitsim.scenario.resolve",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, then keep it here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jitsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "BreakEvenResult",
    "Comparison",
    "EnvironmentProblem",
    "JitsimError",
    "JitsimWarning",
    "OptimizeResult",
    "PrecisionTarget",
    "ReplicationResult",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "StressResult",
    "SweepResult",
    "__version__",
    "breakeven",
    "compare",
    "load_scenario",
    "load_scenario_text",
    "optimize",
    "resolve",
    "run",
    "simulate",
    "stress",
    "sweep",
]
