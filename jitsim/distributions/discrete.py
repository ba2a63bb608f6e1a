"""Integer-valued distributions: poisson, negative_binomial, discrete_uniform."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import PrivateAttr

from jitsim.distributions.base import (
    BaseDistribution,
    Bounded,
    FloatArray,
    NonNegative,
    NonNegativeInt,
    Positive,
    as_factors,
)


class Poisson(BaseDistribution):
    """Poisson counts.

    Parameters
    ----------
    mean : float
        Rate, >= 0.

    Notes
    -----
    mean = variance = ``mean``; scaled draws are exactly Poisson(mean·f).
    """

    kind: Literal["poisson"] = "poisson"
    _integer_valued = True
    mean: NonNegative

    @property
    def variance(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.poisson(self.mean, size).astype(np.float64)

    def sample_scaled(self, rng: np.random.Generator, factors: npt.ArrayLike) -> FloatArray:
        return self.scaled_sampler(factors)(rng)

    def scaled_sampler(self, factors: npt.ArrayLike) -> Callable[[np.random.Generator], FloatArray]:
        rates = self.scaled_means(factors)
        if rates.size and (rates == rates[0]).all():
            # One rate (no seasonality or trend, the common case): numpy draws the same
            # numbers from a scalar rate as from an array of it, in half the time. Looking
            # for it takes a few µs: done here once, not in every replication.
            return partial(_poisson, rates[0], rates.size)
        return partial(_poisson, rates, None)

    def scaled_means(self, factors: npt.ArrayLike) -> FloatArray:
        """The Poisson rate of each scaled draw: ``mean · factor``."""
        return self.mean * as_factors(factors)


def _poisson(rates: float | FloatArray, size: int | None, rng: np.random.Generator) -> FloatArray:
    """Poisson draws as floats: ``size`` of one rate, or one per rate (``size`` None)."""
    return rng.poisson(rates, size).astype(np.float64)


class NegativeBinomial(BaseDistribution):
    """Negative binomial (overdispersed) counts parametrised by mean and cv.

    Parameters
    ----------
    mean : float
        Mean, > 0.
    cv : float
        Coefficient of variation, > 0, with mean²·cv² > mean (else use poisson).

    Notes
    -----
    mean = ``mean``, variance = mean²·cv².  numpy's parametrisation:
    n = mean²/(variance - mean) (real, > 0), p = n/(n + mean).  Scaled draws are
    Poisson(Gamma(shape=n, scale=mean·f/n)): mean·f with the same shape n.
    """

    kind: Literal["negative_binomial"] = "negative_binomial"
    _integer_valued = True
    mean: Positive
    cv: Positive
    _n: float = PrivateAttr(default=1.0)

    def _check(self) -> None:
        if self.variance <= self.mean:
            raise ValueError(
                f"variance mean²·cv²(={self.variance:g}) must be > mean(={self.mean:g}) for "
                f"negative_binomial (overdispersion); use kind: poisson when variance == mean"
            )

    def _prepare(self) -> None:
        self._n = self.mean**2 / (self.variance - self.mean)

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        n = self._n
        return rng.negative_binomial(n, n / (n + self.mean), size).astype(np.float64)

    def sample_scaled(self, rng: np.random.Generator, factors: npt.ArrayLike) -> FloatArray:
        rates = rng.gamma(self._n, self.mean * as_factors(factors) / self._n)
        return rng.poisson(rates).astype(np.float64)


class DiscreteUniform(Bounded):
    """Integers low..high (both inclusive), equally likely.

    Parameters
    ----------
    low, high : int
        Bounds, 0 <= low <= high.

    Notes
    -----
    mean = (low + high)/2, variance = ((high - low + 1)² - 1)/12.
    Scaled draws are rint(draw·f).
    """

    kind: Literal["discrete_uniform"] = "discrete_uniform"
    _integer_valued = _round_scaled = True
    low: NonNegativeInt
    high: NonNegativeInt

    @property
    def variance(self) -> float:
        return ((self.high - self.low + 1) ** 2 - 1) / 12.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.integers(self.low, self.high, size, endpoint=True).astype(np.float64)
