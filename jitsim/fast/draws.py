"""The random numbers of a block of replications, drawn exactly as the SimPy engine draws them.

Every replication keeps its own named streams (:class:`jitsim.streams.Streams`), so the fast
engine draws replication by replication and stacks the draws into arrays over replications:

* ``customer.NAME.demand``: the whole horizon at once with ``sample_scaled`` and the season ×
  trend factors (as :meth:`Builder.demand <jitsim.model.builder.Builder.demand>`);
* ``lane.POINT.lead_time``: blocks of 64 values handed out by shipment index (as
  :class:`jitsim.streams.BlockSampler`), enough blocks for one order per review.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.customer import mean_factors
from jitsim.model.planning import inbound_lead_time
from jitsim.streams import Streams

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

#: Values per block of a :class:`~jitsim.streams.BlockSampler` (its default, used by lanes).
LEAD_TIME_BLOCK = 64


def review_days(horizon: int, period: int, offset: int) -> list[int]:
    """Days ``0 … horizon − 1`` with a periodic review (first at ``offset``, every ``period``)."""
    return list(range(offset, horizon, period))


def draw_demand(resolved: Scenario, seed: int, replications: range) -> dict[str, np.ndarray]:
    """Daily demand of every customer: customer name → array (replications, horizon) (units)."""
    horizon = resolved.run.horizon_days
    days = np.arange(horizon, dtype=float)
    out: dict[str, np.ndarray] = {}
    for name, spec in resolved.customers.items():
        assert spec.demand is not None  # in scope: daily demand only
        factors = mean_factors(spec, days, resolved.run.days_per_year)
        rows = np.empty((len(replications), horizon))
        for i, replication in enumerate(replications):
            rng = Streams(seed, replication)(f"customer.{name}.demand")
            rows[i] = spec.demand.sample_scaled(rng, factors)
        out[name] = rows
    return out


def draw_lead_times(resolved: Scenario, seed: int, replications: range) -> dict[str, np.ndarray]:
    """Lead time of every shipment into every stock point: point name → array
    (replications, shipments) (days), the k-th column being the k-th shipment's."""
    horizon = resolved.run.horizon_days
    out: dict[str, np.ndarray] = {}
    for name, spec in resolved.stock_points.items():
        dist = inbound_lead_time(resolved, spec)
        reviews = len(review_days(horizon, spec.review.every_days, spec.review.offset_days))
        blocks = max(1, -(-reviews // LEAD_TIME_BLOCK))
        rows = np.empty((len(replications), blocks * LEAD_TIME_BLOCK))
        for i, replication in enumerate(replications):
            rng = Streams(seed, replication)(f"lane.{name}.lead_time")
            rows[i] = np.concatenate([dist.sample(rng, LEAD_TIME_BLOCK) for _ in range(blocks)])
        out[name] = rows
    return out
