"""Named random streams: one numpy Generator per (replication, random source).

Replication ``r`` of a run with seed ``σ`` draws source ``name`` from
``SeedSequence(σ, spawn_key=(r, stable_hash(name)))``. Sources are keyed by name, never by the
order in which they are created, so adding a supplier or switching a policy does not shift the
demand stream: all alternatives see the same demand path in replication ``r`` (common random
numbers).

Entities that need one random value at a time (the k-th order's lead time, the j-th unit's
inspection) take it from a :class:`BlockDraws`, which draws a block of values with one
vectorised numpy call and hands them out in order: the k-th call returns the k-th value of the
stream, whatever happened in between.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache, partial
from typing import Any

import numpy as np
import numpy.typing as npt

from jitsim.distributions import BaseDistribution


@cache  # the same few names in every replication
def stable_hash(name: str) -> int:
    """A 32-bit hash of ``name`` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest(), "big")


class Streams:
    """Factory of independent, reproducible random generators for one replication.

    Parameters
    ----------
    seed : int
        Master seed of the run (≥ 0).
    replication : int
        Replication index r (≥ 0).
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._made: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """The generator of source ``name`` (the same object on repeated calls)."""
        generator = self._made.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(
                self.seed, spawn_key=(self.replication, stable_hash(name))
            )
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._made[name] = generator
        return generator


class BlockDraws:
    """Values drawn ``size`` at a time by ``draw(size)`` and handed out one by one, in order.

    Parameters
    ----------
    draw : Callable[[int], numpy.ndarray]
        Draws that many values from one generator, e.g. ``rng.random`` (uniform on [0, 1)) or
        ``lambda size: rng.geometric(p, size)`` (integers, handed out as Python ints).
    size : int
        Values per block. Part of the stream's definition: numpy does not promise that blocks
        of another size give the same sequence for every distribution, so keep it fixed.

    Notes
    -----
    The k-th call of :meth:`next` always returns the k-th value of the stream, which keeps
    draws aligned by entity index (order, batch, unit) across alternatives. Nothing is drawn
    until the first call.
    """

    __slots__ = ("_block", "_draw", "_size", "_used")

    def __init__(self, draw: Callable[[int], npt.NDArray[Any]], size: int) -> None:
        self._draw = draw
        self._size = size
        self._block: list[float] = []
        self._used = 0

    def next(self) -> float:
        """The next value of the stream."""
        if self._used == len(self._block):
            self._block = self._draw(self._size).tolist()
            self._used = 0
        value = self._block[self._used]
        self._used += 1
        return value


class BlockSampler(BlockDraws):
    """Draws from a distribution in blocks (of 64 by default) and hands the values out in order.

    The k-th call always returns the k-th draw of the stream, whatever happened in between,
    which keeps lead times aligned by order index across alternatives.
    """

    __slots__ = ("_dist",)

    def __init__(self, dist: BaseDistribution, rng: np.random.Generator, size: int = 64) -> None:
        super().__init__(partial(dist.sample, rng), size)
        self._dist = dist

    @property
    def mean(self) -> float:
        """Mean of the sampled distribution."""
        return float(self._dist.mean)
