"""The base class of every distribution and the validated parameter types they share.

Parameters are finite numbers (``NonNegative``, ``Positive``, ``NonNegativeInt``) no larger
than :data:`MAX_PARAMETER`: bools, strings, NaN, inf and sizes no sampler handles are refused
with a message naming the parameter.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    model_validator,
)

FloatArray = npt.NDArray[np.float64]

#: Largest size of any parameter (units/day, days, units; cv and weights too). numpy's Poisson
#: sampler refuses a mean above about 9.2e18; this leaves room for seasonal factors and makes
#: every draw an exact float.
MAX_PARAMETER = 1e9


def real_number(value: Any, name: str) -> float:
    """Return ``value`` as a finite float; reject bools, strings, NaN and inf."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}(={value!r}) must be a number, not {type(value).__name__}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name}(={out}) must be a finite number")
    if abs(out) > MAX_PARAMETER:
        raise ValueError(f"{name}(={out:g}) is over the limit of {MAX_PARAMETER:,.0f} in size")
    return out


def _finite(value: Any, info: ValidationInfo) -> float:
    return real_number(value, info.field_name or "value")


def _integer(value: Any, info: ValidationInfo) -> int:
    name = info.field_name or "value"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
        if abs(value) > MAX_PARAMETER:
            raise ValueError(f"{name}(={value}) is over the limit of {MAX_PARAMETER:,.0f} in size")
        return value
    out = real_number(value, name)
    if not out.is_integer():
        raise ValueError(f"{name}(={value!r}) must be an integer")
    return int(out)


def _non_negative(value: float, info: ValidationInfo) -> float:
    if value < 0:
        raise ValueError(f"{info.field_name}(={value:g}) must be >= 0")
    return value


def _positive(value: float, info: ValidationInfo) -> float:
    if value <= 0:
        raise ValueError(f"{info.field_name}(={value:g}) must be > 0")
    return value


NonNegative = Annotated[float, BeforeValidator(_finite), AfterValidator(_non_negative)]
Positive = Annotated[float, BeforeValidator(_finite), AfterValidator(_positive)]
NonNegativeInt = Annotated[int, BeforeValidator(_integer), AfterValidator(_non_negative)]


def as_factors(factors: Any) -> FloatArray:
    f = np.asarray(factors, dtype=np.float64)
    if f.ndim != 1 or not (np.isfinite(f).all() and (f >= 0).all()):
        raise ValueError("factors must be a 1-D array of finite numbers >= 0")
    return f


def fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class BaseDistribution(BaseModel):
    """Common machinery of all distributions (config, checks, ``describe``, scaling).

    Subclasses define the ``kind`` literal, their parameters, ``sample``, ``mean``
    and ``variance``; they may override ``_check`` (cross-parameter rules, raise
    ``ValueError``) and ``_prepare`` (cache derived constants in private attributes).
    Equality and hashing use the parameters only, never the caches.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    #: every draw is an integer, whatever the parameters
    _integer_valued: ClassVar[bool] = False
    #: ``sample_scaled`` rounds with ``np.rint`` when the kind is discrete
    _round_scaled: ClassVar[bool] = False

    if TYPE_CHECKING:  # provided by every subclass, as a field or a property

        @property
        def mean(self) -> float: ...

        @property
        def variance(self) -> float: ...

    @model_validator(mode="after")
    def _check_and_prepare(self) -> BaseDistribution:
        self._check()
        self._prepare()
        return self

    def _check(self) -> None:
        """Raise ``ValueError`` if the parameters are jointly impossible."""

    def _prepare(self) -> None:
        """Cache constants derived from the (validated) parameters."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw independent values with one vectorised numpy call.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        size : int
            Number of draws.

        Returns
        -------
        numpy.ndarray
            float64 array of shape (size,); integer-valued for discrete kinds.
        """
        raise NotImplementedError

    def sample_scaled(self, rng: np.random.Generator, factors: npt.ArrayLike) -> FloatArray:
        """One draw per factor, the factor multiplying the mean (seasonality).

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        factors : array_like
            1-D, finite, >= 0.

        Returns
        -------
        numpy.ndarray
            float64 array, one draw per factor.  By default ``sample * factors``
            (same cv).  Integer kinds keep integer output: poisson and negative_binomial
            scale their mean exactly; the others round the scaled draw up with probability
            equal to its fractional part (unbiased: the mean is scaled exactly).
        """
        f = as_factors(factors)
        scaled = self.sample(rng, f.size) * f
        if self._round_scaled and self.is_discrete:
            floor = np.floor(scaled)
            return floor + (rng.random(f.size) < scaled - floor)
        return scaled

    def scaled_sampler(self, factors: npt.ArrayLike) -> Callable[[np.random.Generator], FloatArray]:
        """:meth:`sample_scaled` with the factors fixed: ``scaled_sampler(f)(rng)`` draws
        exactly what ``sample_scaled(rng, f)`` draws.

        Made once per scenario and customer, so that a kind can work out once what depends on
        the factors alone (see :meth:`Poisson.scaled_sampler
        <jitsim.distributions.discrete.Poisson.scaled_sampler>`). Picklable: it is kept with
        the scenario, which is sent to worker processes.
        """
        return partial(self.sample_scaled, factors=factors)

    @property
    def is_discrete(self) -> bool:
        """True when every draw is an integer (integer kind or degenerate integer value)."""
        return self._integer_valued or (self.variance == 0 and float(self.mean).is_integer())

    def describe(self) -> str:
        """Short human-readable form, e.g. ``"gamma(mean=5, cv=0.3)"``."""
        params = self.model_dump(exclude_none=True)
        kind = params.pop("kind")
        return f"{kind}({', '.join(f'{k}={fmt(v)}' for k, v in params.items())})"


class Bounded(BaseDistribution):
    """A distribution on ``low..high`` (``uniform``, ``discrete_uniform``): mean (low + high)/2.

    Subclasses declare the ``low`` and ``high`` fields with their own number type.
    """

    if TYPE_CHECKING:
        low: float
        high: float

    def _check(self) -> None:
        if self.high < self.low:
            raise ValueError(f"high(={fmt(self.high)}) must be >= low(={fmt(self.low)})")

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)
