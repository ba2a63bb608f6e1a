"""The random numbers of a block of replications, drawn exactly as the SimPy engine draws them.

Every replication keeps its own named streams (:class:`jitsim.streams.Streams`), so the fast
engine draws replication by replication and stacks the draws into arrays over replications:

* ``customer.NAME.demand``: the whole horizon at once with ``sample_scaled`` and the season ×
  trend factors (as :meth:`Builder.demand <jitsim.model.builder.Builder.demand>`);
* ``lane.POINT.lead_time``: blocks of 64 values handed out by shipment index (as
  :class:`jitsim.streams.BlockSampler`), drawn as the shipments need them.

With numba installed (``jitsim[fast]``), the streams of the common distributions (Poisson,
discrete uniform, uniform) are seeded and drawn for the whole block in compiled code
(:mod:`jitsim.fast.pcg64`, the same numbers bit for bit); ``JITSIM_COMPILED=0`` in the
environment draws through numpy's generators instead. Constant lead times open no stream.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from jitsim.distributions import Constant, DiscreteUniform, Poisson, Uniform
from jitsim.model.customer import mean_factors
from jitsim.model.planning import inbound_lead_time
from jitsim.streams import Streams, stable_hash

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
    from jitsim.scenario.models import Scenario

#: Values per block of a :class:`~jitsim.streams.BlockSampler` (its default, used by lanes).
LEAD_TIME_BLOCK = 64


def review_days(horizon: int, period: int, offset: int) -> list[int]:
    """Days ``0 … horizon − 1`` with a periodic review (first at ``offset``, every ``period``)."""
    return list(range(offset, horizon, period))


#: Replication-days from which a block is worth numba's start-up in a process that has not
#: loaded it yet (about 0.6 s: importing numba and loading the cached machine code), given
#: that compiled draws save about 90 µs per replication of a year.
COMPILED_FROM_WORK = 1_000_000


def compiled_streams(work: int = COMPILED_FROM_WORK) -> bool:
    """Whether to draw a block of ``work`` replication-days in compiled code.

    Never without numba or with ``JITSIM_COMPILED=0`` in the environment, always with
    ``JITSIM_COMPILED=1``; otherwise when numba is loaded already or the block is large
    (:data:`COMPILED_FROM_WORK`). Both ways give the same numbers.
    """
    switch = os.environ.get("JITSIM_COMPILED", "")
    if switch == "0" or not numba_installed():
        return False
    return switch == "1" or "numba" in sys.modules or work >= COMPILED_FROM_WORK


@functools.cache
def numba_installed() -> bool:
    """Whether numba can be imported (without importing it: that takes 0.3 s)."""
    return importlib.util.find_spec("numba") is not None


def _pcg64() -> ModuleType:
    """:mod:`jitsim.fast.pcg64`, imported (and numba with it) only when first drawn from."""
    import jitsim.fast.pcg64

    return jitsim.fast.pcg64


def draw_demand(
    resolved: Scenario, seed: int, replications: range, compiled: bool = False
) -> dict[str, np.ndarray]:
    """Daily demand of every customer: customer name → array (replications, horizon) (units);
    Poisson demand drawn in compiled code with ``compiled`` (:func:`compiled_streams`)."""
    horizon = resolved.run.horizon_days
    days = np.arange(horizon, dtype=float)
    out: dict[str, np.ndarray] = {}
    for name, spec in resolved.customers.items():
        assert spec.demand is not None  # in scope: daily demand only
        factors = mean_factors(spec, days, resolved.run.days_per_year)
        stream = f"customer.{name}.demand"
        if compiled and isinstance(spec.demand, Poisson):
            states = _pcg64().seed_states(seed, replications, stable_hash(stream))
            counts = np.empty((len(replications), horizon))  # whole numbers, as float64
            _pcg64().poisson_rows(states, spec.demand.scaled_means(factors), counts)
            out[name] = counts
            continue
        rows = np.empty((len(replications), horizon))
        for i, replication in enumerate(replications):
            rows[i] = spec.demand.sample_scaled(Streams(seed, replication)(stream), factors)
        out[name] = rows
    return out


def _compiled_block(dist: BaseDistribution) -> Callable[[np.ndarray], np.ndarray] | None:
    """The next :data:`LEAD_TIME_BLOCK` values of ``dist.sample`` in every replication's
    stream from their PCG64 states (replications, 6), or None if not compiled for ``dist``."""
    if isinstance(dist, Poisson):
        means = np.full(LEAD_TIME_BLOCK, float(dist.mean))

        def poisson_block(states: np.ndarray) -> np.ndarray:
            counts = np.empty((len(states), LEAD_TIME_BLOCK))  # whole numbers, as float64
            _pcg64().poisson_rows(states, means, counts)
            return counts

        return poisson_block
    if isinstance(dist, DiscreteUniform) and dist.high - dist.low < 0xFFFFFFFF:

        def integers_block(states: np.ndarray) -> np.ndarray:
            values = np.empty((len(states), LEAD_TIME_BLOCK), dtype=np.int64)
            _pcg64().integers_rows(states, dist.low, dist.high, values)
            return values.astype(np.float64)

        return integers_block
    if isinstance(dist, Uniform):

        def uniform_block(states: np.ndarray) -> np.ndarray:
            values = np.empty((len(states), LEAD_TIME_BLOCK))
            _pcg64().random_rows(states, values)
            # Generator.uniform: low + (high − low)·U, as numpy's random_uniform
            return float(dist.low) + (float(dist.high) - float(dist.low)) * values

        return uniform_block
    return None


class LeadTimes:
    """Lead times of every shipment into one stock point, for a block of replications.

    :attr:`values` has one row per replication, the k-th column being the k-th shipment's lead
    time (days). Blocks of :data:`LEAD_TIME_BLOCK` values are drawn as a
    :class:`~jitsim.streams.BlockSampler` draws them, one more for every replication as soon as
    one replication needs it (:meth:`ensure`): a replication only ever uses its stream's values
    in order, so drawing ahead changes none of them.
    """

    def __init__(
        self,
        dist: BaseDistribution,
        seed: int,
        replications: range,
        stream: str,
        compiled: bool = False,
    ) -> None:
        self.dist = dist
        #: Mean lead time (days), as :attr:`BlockSampler.mean <jitsim.streams.BlockSampler>`.
        self.mean = float(dist.mean)
        n = len(replications)
        self.values = np.empty((n, 0))
        block = _compiled_block(dist) if compiled else None
        if isinstance(dist, Constant):  # draws nothing: no stream to open
            self._block: Callable[[], np.ndarray] = lambda: np.full(
                (n, LEAD_TIME_BLOCK), float(dist.value)
            )
        elif block is not None:
            states = _pcg64().seed_states(seed, replications, stable_hash(stream))
            self._block = lambda: block(states)
        else:
            rngs = [Streams(seed, r)(stream) for r in replications]
            self._block = lambda: np.array(
                [dist.sample(rng, LEAD_TIME_BLOCK) for rng in rngs]
            ).reshape(n, LEAD_TIME_BLOCK)
        self.ensure(0)

    def ensure(self, shipment: int) -> None:
        """Make sure the ``shipment``-th value (from 0) is drawn for every replication."""
        while shipment >= self.values.shape[1]:
            self.values = np.concatenate([self.values, self._block()], axis=1)


def lead_times(
    resolved: Scenario, seed: int, replications: range, compiled: bool = False
) -> dict[str, LeadTimes]:
    """The lead times of every lane, keyed as the lanes of :class:`jitsim.fast.engine.Engine`:
    the regular lane into stock point ``POINT`` (key ``POINT``, stream
    ``lane.POINT.lead_time``), its backup and its expedite lane (keys and stream prefixes
    ``POINT.backup``, ``POINT.expedite``); drawn in compiled code where possible with
    ``compiled``."""
    out = {}
    for name, spec in resolved.stock_points.items():
        out[name] = LeadTimes(
            inbound_lead_time(resolved, spec),
            seed,
            replications,
            f"lane.{name}.lead_time",
            compiled,
        )
        backup = spec.backup
        if backup is not None:
            supplier = resolved.suppliers[backup.source]
            out[f"{name}.backup"] = LeadTimes(
                backup.lead_time if backup.lead_time is not None else supplier.lead_time,
                seed,
                replications,
                f"lane.{name}.backup.lead_time",
                compiled,
            )
        if spec.expedite is not None:
            out[f"{name}.expedite"] = LeadTimes(
                spec.expedite.lead_time,
                seed,
                replications,
                f"lane.{name}.expedite.lead_time",
                compiled,
            )
    return out
