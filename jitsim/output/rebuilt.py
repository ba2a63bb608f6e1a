"""The result objects of the experiments, rebuilt from a finished results directory.

``jitsim show`` prints a directory's tables with the same functions the commands use, and the
report words its verdicts as ``jitsim compare`` does: both need the objects those functions take.
They are rebuilt from the replications the command wrote (``replications.csv`` keeps every float
exactly), so their statistics are the command's own; nothing is simulated again.
"""

from __future__ import annotations

from jitsim.execution.batch_results import RunResult
from jitsim.experiments.compare import Comparison
from jitsim.experiments.sweep import SweepResult
from jitsim.output.results_reader import Results

__all__ = ["baseline_of", "comparison_of", "run_result_of", "sweep_result_of"]


def run_result_of(results: Results) -> RunResult:
    """The :class:`~jitsim.execution.batch_results.RunResult` of a ``run`` or ``compare``
    directory."""
    frame = results.replications
    per_alternative = int(frame.groupby("alternative").size().max()) if len(frame) else 0
    return RunResult(
        scenario=results.scenario,
        seed=int(results.summary.get("seed", results.scenario.run.seed)),
        replications_per_alternative=per_alternative,
        alternatives=results.alternatives,
        frame=frame,
        out_dir=results.directory,
    )


def baseline_of(results: Results) -> str:
    """The baseline of a ``compare`` directory: as recorded in its manifest, else in
    ``comparison.csv``, else the first alternative."""
    recorded = results.manifest.get("plan", {}).get("baseline")
    table = results.table("comparison")
    if not recorded and table is not None and len(table):
        recorded = str(table["baseline"].iloc[0])
    return str(recorded or results.alternatives[0])


def comparison_of(results: Results) -> Comparison:
    """The :class:`~jitsim.experiments.compare.Comparison` of a ``compare`` directory, with the
    scenario's switching costs (what ``jitsim compare`` uses)."""
    costs = {name: cost for name, cost in results.scenario.switching_costs().items() if cost}
    return Comparison(run_result_of(results), baseline_of(results), costs)


def sweep_result_of(results: Results) -> SweepResult:
    """The :class:`~jitsim.experiments.sweep.SweepResult` of a ``sweep`` directory (without the
    scenario of each point, which only a rerun would need)."""
    grid = {str(k): list(v) for k, v in (results.summary.get("grid") or {}).items()}
    values = [dict(point) for point in results.summary.get("points") or []]
    frame = results.replications.drop(columns=[p for p in grid if p in results.replications])
    per_point = int(frame.groupby(["point", "alternative"]).size().max()) if len(frame) else 0
    return SweepResult(
        scenario=results.scenario,
        grid=grid,
        values=values,
        scenarios=[],
        seed=int(results.summary.get("seed", results.scenario.run.seed)),
        replications_per_point=per_point,
        alternatives=results.alternatives,
        frame=frame,
        out_dir=results.directory,
    )
