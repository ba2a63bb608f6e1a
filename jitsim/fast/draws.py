"""The random numbers of a block of replications, drawn exactly as the SimPy engine draws them.

Every replication keeps its own named streams (:class:`jitsim.streams.Streams`), so the fast
engine draws replication by replication and stacks the draws into arrays over replications:

* ``customer.NAME.demand``: the whole horizon at once with ``sample_scaled`` and the season ×
  trend factors (as :meth:`Builder.demand <jitsim.model.builder.Builder.demand>`);
* ``lane.POINT.lead_time``: blocks of 64 values handed out by shipment index (as
  :class:`jitsim.streams.BlockSampler`), drawn as the shipments need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.customer import mean_factors
from jitsim.model.planning import inbound_lead_time
from jitsim.streams import Streams

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
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


class LeadTimes:
    """Lead times of every shipment into one stock point, for a block of replications.

    :attr:`values` has one row per replication, the k-th column being the k-th shipment's lead
    time (days). Blocks of :data:`LEAD_TIME_BLOCK` values are drawn as a
    :class:`~jitsim.streams.BlockSampler` draws them, one more for every replication as soon as
    one replication needs it (:meth:`ensure`): a replication only ever uses its stream's values
    in order, so drawing ahead changes none of them.
    """

    def __init__(self, dist: BaseDistribution, rngs: list[np.random.Generator]) -> None:
        self.dist = dist
        #: Mean lead time (days), as :attr:`BlockSampler.mean <jitsim.streams.BlockSampler>`.
        self.mean = float(dist.mean)
        self.rngs = rngs
        self.values = np.empty((len(rngs), 0))
        self.ensure(0)

    def ensure(self, shipment: int) -> None:
        """Make sure the ``shipment``-th value (from 0) is drawn for every replication."""
        while shipment >= self.values.shape[1]:
            block = np.array([self.dist.sample(rng, LEAD_TIME_BLOCK) for rng in self.rngs])
            block = block.reshape(len(self.rngs), LEAD_TIME_BLOCK)
            self.values = np.concatenate([self.values, block], axis=1)


def lead_times(resolved: Scenario, seed: int, replications: range) -> dict[str, LeadTimes]:
    """The lead times of every lane, keyed as the lanes of :class:`jitsim.fast.engine.Engine`:
    the regular lane into stock point ``POINT`` (key ``POINT``, stream
    ``lane.POINT.lead_time``), its backup and its expedite lane (keys and stream prefixes
    ``POINT.backup``, ``POINT.expedite``)."""
    out = {}
    for name, spec in resolved.stock_points.items():
        out[name] = LeadTimes(
            inbound_lead_time(resolved, spec),
            [Streams(seed, r)(f"lane.{name}.lead_time") for r in replications],
        )
        backup = spec.backup
        if backup is not None:
            supplier = resolved.suppliers[backup.source]
            out[f"{name}.backup"] = LeadTimes(
                backup.lead_time if backup.lead_time is not None else supplier.lead_time,
                [Streams(seed, r)(f"lane.{name}.backup.lead_time") for r in replications],
            )
        if spec.expedite is not None:
            out[f"{name}.expedite"] = LeadTimes(
                spec.expedite.lead_time,
                [Streams(seed, r)(f"lane.{name}.expedite.lead_time") for r in replications],
            )
    return out
