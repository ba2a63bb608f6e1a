"""jitsim — does Just-in-Time beat buffered stock? Discrete-event supply-chain simulation.

The public API mirrors the command line::

    import jitsim
    scenario = jitsim.load_scenario("scenarios/quickstart.yaml")
    result = jitsim.run(scenario, replications=100, seed=1)
    result.summary()        # pandas DataFrame: alternative × KPI statistics
    result.replications()   # one row per (alternative, replication)
"""

from jitsim.errors import JitsimError, JitsimWarning, ScenarioError
from jitsim.execution.batch import RunResult, run
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.simulate import ReplicationResult, simulate
from jitsim.experiments.breakeven import BreakEvenResult, breakeven
from jitsim.experiments.compare import Comparison, compare
from jitsim.experiments.stress import StressResult, stress
from jitsim.experiments.sweep import SweepResult, sweep
from jitsim.scenario import Scenario, load_scenario, load_scenario_text
from jitsim.scenario.resolve import resolve
from jitsim.version import __version__

__all__ = [
    "BreakEvenResult",
    "Comparison",
    "JitsimError",
    "JitsimWarning",
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
    "resolve",
    "run",
    "simulate",
    "stress",
    "sweep",
]
