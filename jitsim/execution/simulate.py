"""Run one replication: a pure, picklable function of (scenario, alternative, replication); and
what a scenario's models say before any run (their KPI columns, values policies derive)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from jitsim.model.kpis import extract
from jitsim.model.ledger import CASH_NODE
from jitsim.model.network import TraceRow, build
from jitsim.scenario.models import Scenario
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams


@dataclass
class ReplicationResult:
    """What one replication produced.

    Attributes
    ----------
    alternative : str
        Alternative simulated.
    replication : int
        Replication index r.
    kpis : dict
        The flat KPI record (docs/architecture.md, the KPI catalogue).
    trajectories : dict
        Per stock point, end-of-day rows ``(day, on_hand, backorders, on_order, cash)``
        (only when requested). A scenario with a cash ledger adds the pseudo-node ``"@cash"``
        (:data:`~jitsim.model.ledger.CASH_NODE`): rows ``(day, 0, 0, 0, cash balance)``.
    trace : list
        Event log rows ``(time, node, event, quantity, level, note)`` (only when requested).
    seconds : float
        Wall-clock run time.
    """

    alternative: str
    replication: int
    kpis: dict[str, float]
    trajectories: dict[str, list[tuple[float, ...]]] = field(default_factory=dict)
    trace: list[TraceRow] = field(default_factory=list)
    seconds: float = 0.0


def simulate(
    scenario: Scenario,
    alternative: str,
    replication: int,
    seed: int | None = None,
    *,
    trace: bool = False,
    trajectories: bool = False,
) -> ReplicationResult:
    """Build, run and extract one replication.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    alternative : str
        Alternative to run (``"base"`` for a scenario without alternatives).
    replication : int
        Replication index r ≥ 0; with the seed it fixes every random number.
    seed : int, optional
        Master seed; defaults to ``scenario.run.seed``.
    trace, trajectories : bool
        Keep the event log / end-of-day series.
    """
    started = time.perf_counter()
    streams = Streams(scenario.run.seed if seed is None else seed, replication)
    resolved = resolve(scenario, alternative)  # the alternative's policies and changes
    network = build(resolved, streams, trace=trace, trajectories=trajectories)
    network.run()
    result = ReplicationResult(alternative, replication, extract(network))
    if trajectories:
        result.trajectories = {
            name: point.trajectory or [] for name, point in network.points.items()
        }
        if network.ledger is not None:  # the end-of-day cash balance, as a pseudo-node
            result.trajectories[CASH_NODE] = network.ledger.trajectory or []
    if trace:
        result.trace = network.trace or []
    result.seconds = time.perf_counter() - started
    return result


def policy_derived_values(scenario: Scenario) -> dict[str, dict[str, dict[str, float]]]:
    """Values each policy derives from the scenario (EOQ quantity, reorder point, ...).

    Builds the model of every alternative (no simulation) and asks its policies. Returns
    alternative → stock point → values, leaving out policies that derive nothing.

    Raises
    ------
    ValueError
        If a policy cannot be built from the scenario (e.g. the EOQ formula without costs).
    """
    derived: dict[str, dict[str, dict[str, float]]] = {}
    for alternative in scenario.alternative_names():
        network = build(resolve(scenario, alternative), Streams(scenario.run.seed, 0))
        values = {name: p.policy.derived() for name, p in network.points.items()}
        derived[alternative] = {name: v for name, v in values.items() if v}
    return derived


def kpi_columns(scenario: Scenario, alternatives: Iterable[str] | None = None) -> set[str] | None:
    """The KPI columns the replications of ``alternatives`` (default: all) will have.

    Builds each alternative's model and reads the names of its KPI record without running it
    (a few milliseconds), so a misspelt KPI can be refused before anything is simulated.
    Returns None when a model cannot be built from the scenario (the run will say why).
    """
    names = scenario.alternative_names() if alternatives is None else list(alternatives)
    columns: set[str] = set()
    try:
        for alternative in names:
            network = build(resolve(scenario, alternative), Streams(scenario.run.seed, 0))
            columns.update(extract(network))
    except ValueError:
        return None
    return columns
