"""Continuous kinds: normal (truncated at 0), lognormal, gamma, exponential, uniform, triangular."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, ConfigDict, Field, PrivateAttr
from scipy import special

from jitsim.distributions.base import (
    BaseDistribution,
    Bounded,
    FloatArray,
    NonNegative,
    Positive,
    real_number,
)

#: ``normal`` is rejected when mean/sd is below this: P(X >= 0) would be < 3e-7.
MIN_NORMAL_Z = -5.0


class Normal(BaseDistribution):
    """Normal distribution truncated at 0: conditioned on X >= 0 (not clipped).

    Parameters
    ----------
    mean : float
        Mean mu of the *untruncated* normal (stored as attribute ``mu``).
    sd : float
        Standard deviation of the untruncated normal, >= 0; 0 means the
        constant ``mean`` (which must then be >= 0).  mean/sd must be >= -5,
        otherwise P(X >= 0) < 3e-7.

    Notes
    -----
    The YAML ``mean`` and ``sd`` are of the untruncated normal; when mean >= 3·sd
    truncation changes the mean by < 0.2 % and the variance by < 1.4 % (both by
    < 0.5 % when mean >= 3.5·sd).  The ``mean`` and ``variance`` properties are of
    the truncated distribution: with a = -mu/sd, lam = phi(a)/(1 - Phi(a)),

        mean = mu + sd·lam,    variance = sd²·(1 + a·lam - lam²).

    Draws use the inverse CDF.
    """

    model_config = ConfigDict(serialize_by_alias=True)  # dump ``mu`` as ``mean``
    kind: Literal["normal"] = "normal"
    mu: Annotated[float, BeforeValidator(lambda v: real_number(v, "mean"))] = Field(alias="mean")
    sd: NonNegative
    _tail: float = PrivateAttr(default=1.0)  # P(Z >= a) of the untruncated normal

    def _check(self) -> None:
        if self.sd == 0.0 and self.mu < 0:
            raise ValueError(f"mean(={self.mu:g}) must be >= 0 when sd=0")
        if self.sd > 0 and self.mu / self.sd < MIN_NORMAL_Z:
            raise ValueError(
                f"mean/sd(={self.mu / self.sd:g}) must be >= {MIN_NORMAL_Z:g}: a normal truncated "
                f"at 0 with mean={self.mu:g}, sd={self.sd:g} almost never yields a value >= 0"
            )

    def _prepare(self) -> None:
        if self.sd > 0:
            self._tail = float(special.ndtr(self.mu / self.sd))

    def _lambda(self) -> tuple[float, float]:
        a = -self.mu / self.sd
        return a, math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi) / self._tail

    @property
    def mean(self) -> float:
        if self.sd == 0.0:
            return self.mu
        return self.mu + self.sd * self._lambda()[1]

    @property
    def variance(self) -> float:
        if self.sd == 0.0:
            return 0.0
        a, lam = self._lambda()
        return self.sd**2 * max(1.0 + a * lam - lam * lam, 0.0)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        if self.sd == 0.0:
            return np.full(size, self.mu)
        # V = P(Z >= z) is uniform on (0, tail]; using the upper tail keeps precision
        # when truncation is strong (tail small).  max() only removes rounding below 0.
        v = self._tail * (1.0 - rng.random(size))
        return np.maximum(self.mu - self.sd * special.ndtri(v), 0.0)


class LogNormal(BaseDistribution):
    """Lognormal distribution parametrised by its own mean and cv.

    Parameters
    ----------
    mean : float
        Mean, > 0.
    cv : float
        Coefficient of variation, >= 0; 0 gives the constant ``mean``.

    Notes
    -----
    mean = ``mean``, variance = mean²·cv².  log X ~ N(m, s²) with
    s² = ln(1 + cv²) and m = ln(mean) - s²/2.
    """

    kind: Literal["lognormal"] = "lognormal"
    mean: Positive
    cv: NonNegative
    _sigma: float = PrivateAttr(default=0.0)

    def _prepare(self) -> None:
        self._sigma = math.sqrt(math.log1p(self.cv**2))

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        s = self._sigma
        return self.mean * rng.lognormal(-0.5 * s * s, s, size)


class Gamma(BaseDistribution):
    """Gamma distribution parametrised by mean and cv.

    Parameters
    ----------
    mean : float
        Mean, > 0.
    cv : float
        Coefficient of variation, > 0.

    Notes
    -----
    shape k = 1/cv², scale = mean/k; mean = ``mean``, variance = mean²·cv².
    """

    kind: Literal["gamma"] = "gamma"
    mean: Positive
    cv: Positive

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, size)


class Exponential(BaseDistribution):
    """Exponential durations: memoryless times between failures or to repair.

    Parameters
    ----------
    mean : float
        Mean, > 0 (the rate is 1/mean).

    Notes
    -----
    mean = ``mean``, variance = mean². The same law as ``gamma`` with ``cv: 1``.
    """

    kind: Literal["exponential"] = "exponential"
    mean: Positive

    @property
    def variance(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.exponential(self.mean, size)


class Uniform(Bounded):
    """Continuous uniform distribution on [low, high].

    Parameters
    ----------
    low, high : float
        Bounds, 0 <= low <= high.

    Notes
    -----
    mean = (low + high)/2, variance = (high - low)²/12.
    """

    kind: Literal["uniform"] = "uniform"
    low: NonNegative
    high: NonNegative

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.uniform(self.low, self.high, size)


class Triangular(BaseDistribution):
    """Triangular distribution on [low, high] with its peak at mode.

    Parameters
    ----------
    low, mode, high : float
        0 <= low <= mode <= high and low < high.

    Notes
    -----
    mean = (low + mode + high)/3,
    variance = (low² + mode² + high² - low·mode - low·high - mode·high)/18.
    """

    kind: Literal["triangular"] = "triangular"
    low: NonNegative
    mode: NonNegative
    high: NonNegative

    def _check(self) -> None:
        lo, mo, hi = self.low, self.mode, self.high
        if not lo <= mo <= hi:
            raise ValueError(f"need low(={lo:g}) <= mode(={mo:g}) <= high(={hi:g})")
        if lo == hi:
            raise ValueError(f"low(={lo:g}) must be < high(={hi:g}); use kind: constant")

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def variance(self) -> float:
        lo, mo, hi = self.low, self.mode, self.high
        return (lo * lo + mo * mo + hi * hi - lo * mo - lo * hi - mo * hi) / 18.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.triangular(self.low, self.mode, self.high, size)
