"""Named random streams: one numpy Generator per (replication, random source).

Replication ``r`` of a run with seed ``σ`` draws source ``name`` from
``SeedSequence(σ, spawn_key=(r, stable_hash(name)))``. Sources are keyed by name, never by the
order in which they are created, so adding a supplier or switching a policy does not shift the
demand stream: all alternatives see the same demand path in replication ``r`` (common random
numbers, design.md §4).
"""

from __future__ import annotations

import hashlib

import numpy as np

from jitsim.distributions import BaseDistribution


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


class BlockSampler:
    """Draws from a distribution in blocks and hands the values out one by one.

    The k-th call always returns the k-th draw of the stream, whatever happened in between,
    which keeps lead times aligned by order index across alternatives.
    """

    __slots__ = ("_block", "_dist", "_rng", "_size", "_used")

    def __init__(self, dist: BaseDistribution, rng: np.random.Generator, size: int = 64) -> None:
        self._dist = dist
        self._rng = rng
        self._size = size
        self._block: list[float] = []
        self._used = 0

    @property
    def mean(self) -> float:
        """Mean of the sampled distribution."""
        return float(self._dist.mean)

    def next(self) -> float:
        """The next draw."""
        if self._used == len(self._block):
            self._block = self._dist.sample(self._rng, self._size).tolist()
            self._used = 0
        value = self._block[self._used]
        self._used += 1
        return value
