"""jitsim — does Just-in-Time beat buffered stock? Discrete-event supply-chain simulation.

The public API mirrors the command line::

    import jitsim
    scenario = jitsim.load_scenario("scenarios/quickstart.yaml")
    result = jitsim.run(scenario, replications=100, seed=1)
    result.summary()        # pandas DataFrame: alternative × KPI statistics
    result.replications()   # one row per (alternative, replication)
"""

from importlib.metadata import PackageNotFoundError, version

from jitsim.batch import RunResult, run
from jitsim.errors import JitsimError, ScenarioError
from jitsim.experiments.breakeven import BreakEvenResult, breakeven
from jitsim.experiments.compare import Comparison, compare
from jitsim.experiments.stress import StressResult, stress
from jitsim.experiments.sweep import SweepResult, sweep
from jitsim.precision import PrecisionTarget
from jitsim.run import ReplicationResult, simulate
from jitsim.scenario import Scenario, load_scenario, load_scenario_text

try:
    __version__ = version("jitsim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "BreakEvenResult",
    "Comparison",
    "JitsimError",
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
    "run",
    "simulate",
    "stress",
    "sweep",
]
