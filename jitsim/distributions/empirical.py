"""Distributions given by values rather than parameters: constant and empirical."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import PrivateAttr

from jitsim.distributions.base import BaseDistribution, FloatArray, NonNegative


class Constant(BaseDistribution):
    """Degenerate distribution that always yields ``value``.

    Parameters
    ----------
    value : float
        The value, >= 0.  Discrete iff it is an integer.

    Notes
    -----
    mean = value, variance = 0; scaled draws are value·f.
    """

    kind: Literal["constant"] = "constant"
    value: NonNegative

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.full(size, self.value)


class Empirical(BaseDistribution):
    """Draws with replacement from observed values, optionally weighted.

    Parameters
    ----------
    values : list of float
        Non-empty, each >= 0.
    weights : list of float, optional
        Same length as ``values``, each >= 0, sum > 0; normalised to p_i.
        Equal weights if omitted.

    Notes
    -----
    mean = sum p_i·v_i, variance = sum p_i·(v_i - mean)².  Discrete iff every
    value with p_i > 0 is an integer; then scaled draws are rint(draw·f).
    """

    kind: Literal["empirical"] = "empirical"
    _round_scaled = True
    values: tuple[NonNegative, ...]
    weights: tuple[NonNegative, ...] | None = None
    _values: FloatArray = PrivateAttr()
    _probs: FloatArray = PrivateAttr()
    _cdf: FloatArray = PrivateAttr()

    def _check(self) -> None:
        if not self.values:
            raise ValueError("values must contain at least one number")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights (length {len(self.weights)}) must have the same length "
                    f"as values (length {len(self.values)})"
                )
            if sum(self.weights) <= 0:
                raise ValueError(f"weights(sum={sum(self.weights):g}) must sum to > 0")

    def _prepare(self) -> None:
        self._values = np.array(self.values, dtype=np.float64)
        w = np.ones(len(self.values)) if self.weights is None else np.array(self.weights)
        cum = np.cumsum(w)
        self._cdf = cum / cum[-1]  # exactly 1.0 from the last positive weight on
        self._probs = w / cum[-1]

    @property
    def mean(self) -> float:
        return float(self._probs @ self._values)

    @property
    def variance(self) -> float:
        return float(self._probs @ (self._values - self.mean) ** 2)

    @property
    def is_discrete(self) -> bool:
        used = self._values[self._probs > 0]
        return bool(np.all(used == np.rint(used)))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return self._values[np.searchsorted(self._cdf, rng.random(size), side="right")]

    def describe(self) -> str:
        return f"empirical({len(self.values)} values, mean={self.mean:g})"
