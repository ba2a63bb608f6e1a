"""The fast engine: the replications of a resolved scenario in lockstep as numpy arrays.

A second way to run the model, for the common case (:mod:`jitsim.fast.scope`), with the same
named random streams drawn by the same index and the same KPI formulas, so every
per-replication KPI equals the SimPy engine's (docs/performance.md):

* :func:`out_of_scope` — why a resolved scenario cannot run here (one line), or None;
* :func:`run_columns` — the KPI columns (KPI → float64 array) of a range of replications;
* :func:`run_replications` — the same as records (one dict per replication).

Its day loop runs compiled (numba, the optional extra ``jitsim[fast]``: :mod:`jitsim.fast.kernel`)
where :func:`jitsim.fast.scope.kernel_scope` allows, with numpy otherwise; the records are the
same either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from jitsim.fast.engine import Engine
from jitsim.fast.records import as_records, columns
from jitsim.fast.scope import out_of_scope
from jitsim.model.planning import policy_context
from jitsim.scenario.planning import planning_demand
from jitsim.streams import Streams

if TYPE_CHECKING:
    from jitsim.policies.base import Policy
    from jitsim.scenario.models import Scenario

__all__ = ["BLOCK", "out_of_scope", "run_columns", "run_replications"]

#: Replications simulated together (bounds the memory of the pre-drawn demand and pipeline).
BLOCK = 4096


def _no_future(start: float, span: float) -> float:
    """A stand-in for the true future demand when building the shared policy object."""
    raise AssertionError("the fast engine reads the future from its arrays")


def _policies(resolved: Scenario, seed: int) -> tuple[dict[str, Policy], dict[str, float]]:
    """The runtime policy and holding cost per unit-day of every stock point, built as
    :meth:`Builder.policy <jitsim.model.builder.Builder.policy>` builds them (the policies in
    scope draw nothing; a JIT policy's forecast state is kept by the engine as arrays, started
    from this object's, so one object serves every replication)."""
    planning = planning_demand(resolved)
    served = {customer.buys_from for customer in resolved.customers.values()}
    days_per_year = resolved.run.days_per_year
    policies: dict[str, Policy] = {}
    holding: dict[str, float] = {}
    for name, spec in resolved.stock_points.items():
        item = resolved.items[spec.item]
        holding[name] = item.annual_holding_rate * item.unit_cost / days_per_year
        context = policy_context(
            resolved,
            name,
            spec,
            planning,
            holding=holding[name],
            rng=Streams(seed, 0),
            # the oracle's object is only read for its parameters: its future comes from
            # each replication's demand (jitsim.fast.forecasts)
            future=_no_future if name in served else None,
        )
        policies[name] = spec.policy.build(context)
    return policies, holding


def run_columns(
    resolved: Scenario, seed: int, replications: range, kernel: bool | None = None
) -> dict[str, np.ndarray]:
    """The KPI columns of ``replications`` of ``resolved``: KPI → float64 array over the
    replications in order, the KPIs in a record's order; element ``i`` of each equals the
    SimPy engine's record of replication ``replications[i]``
    (:func:`jitsim.execution.simulate.simulate`'s ``kpis``); no replications, no columns.

    Columns, not one dict per replication: a batch carries them to its store as they are
    (building and pickling dicts cost more than the simulation itself).

    Parameters
    ----------
    resolved : Scenario
        A resolved scenario within the fast engine's scope.
    seed : int
        Master seed.
    replications : range
        Replication indices (step 1).
    kernel : bool, optional
        Force the compiled day loop (True) or the numpy one (False); by default the compiled
        loop where it can run (:meth:`Engine.run <jitsim.fast.engine.Engine.run>`). The
        records are the same either way.

    Raises
    ------
    ValueError
        If the scenario is out of scope (the message says why).
    """
    reason = out_of_scope(resolved)
    if reason is not None:
        raise ValueError(f"the fast engine cannot run this scenario: {reason}")
    policies, holding = _policies(resolved, seed)
    blocks: list[dict[str, np.ndarray]] = []
    for start in range(replications.start, replications.stop, BLOCK):
        block = range(start, min(start + BLOCK, replications.stop))
        engine = Engine(resolved, seed, block, policies)
        engine.run(kernel)
        blocks.append(columns(engine, holding))
    if len(blocks) <= 1:
        return blocks[0] if blocks else {}  # no replications: no columns
    return {kpi: np.concatenate([block[kpi] for block in blocks]) for kpi in blocks[0]}


def run_replications(
    resolved: Scenario, seed: int, replications: range, kernel: bool | None = None
) -> list[dict[str, float]]:
    """The KPI records of ``replications`` of ``resolved``, in order, equal to the SimPy
    engine's (:func:`jitsim.execution.simulate.simulate`'s ``kpis``): :func:`run_columns`
    as one dict per replication (same parameters)."""
    return as_records(run_columns(resolved, seed, replications, kernel))
