"""Probability distributions for scenario inputs, tagged by ``kind``.

Every distribution describes a non-negative quantity and all its parameters
(except the dimensionless ``cv`` and ``weights``) are in the units of the
quantity it describes: units/day for demand, days for lead times, units for
order sizes.  In YAML a distribution is a mapping with a ``kind`` key plus that
kind's parameters, or a plain number, which means a constant::

    demand_per_day: {kind: poisson, mean: 8}
    lead_time: 3                      # == {kind: constant, value: 3}

Each model is frozen and offers

* ``sample(rng, size)`` -- ``size`` float64 draws in one vectorised numpy call;
* ``sample_scaled(rng, factors)`` -- one draw per factor, the factor multiplying
  the *mean* (seasonality).  Continuous kinds keep their coefficient of
  variation; discrete kinds keep integer output;
* ``mean`` and ``variance`` -- analytic moments of the distribution sampled;
* ``is_discrete`` -- True when every draw of ``sample`` is an integer;
* ``describe()`` -- a short string such as ``"poisson(mean=8)"``.

See Also
--------
Distribution : field type for scenario models (discriminated union on ``kind``).
DISTRIBUTION_KINDS : registry ``kind`` -> class.

Notes
-----
cv denotes the coefficient of variation sd/mean of the distribution itself.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args

import numpy as np
import numpy.typing as npt
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)
from scipy import special

FloatArray = npt.NDArray[np.float64]

#: ``normal`` is rejected when mean/sd is below this: P(X >= 0) would be < 3e-7.
MIN_NORMAL_Z = -5.0


def _real(value: Any, name: str) -> float:
    """Return ``value`` as a finite float; reject bools, strings, NaN and inf."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}(={value!r}) must be a number, not {type(value).__name__}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name}(={out}) must be a finite number")
    return out


def _finite(value: Any, info: ValidationInfo) -> float:
    return _real(value, info.field_name or "value")


def _integer(value: Any, info: ValidationInfo) -> int:
    name = info.field_name or "value"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    out = _real(value, name)
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


def _as_factors(factors: Any) -> FloatArray:
    f = np.asarray(factors, dtype=np.float64)
    if f.ndim != 1 or not (np.isfinite(f).all() and (f >= 0).all()):
        raise ValueError("factors must be a 1-D array of finite numbers >= 0")
    return f


def _fmt(value: Any) -> str:
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
        f = _as_factors(factors)
        scaled = self.sample(rng, f.size) * f
        if self._round_scaled and self.is_discrete:
            floor = np.floor(scaled)
            return floor + (rng.random(f.size) < scaled - floor)
        return scaled

    @property
    def is_discrete(self) -> bool:
        """True when every draw is an integer (integer kind or degenerate integer value)."""
        return self._integer_valued or (self.variance == 0 and float(self.mean).is_integer())

    def describe(self) -> str:
        """Short human-readable form, e.g. ``"gamma(mean=5, cv=0.3)"``."""
        params = self.model_dump(exclude_none=True)
        kind = params.pop("kind")
        return f"{kind}({', '.join(f'{k}={_fmt(v)}' for k, v in params.items())})"


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
        return rng.poisson(self.mean * _as_factors(factors)).astype(np.float64)


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
    mu: Annotated[float, BeforeValidator(lambda v: _real(v, "mean"))] = Field(alias="mean")
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
        rates = rng.gamma(self._n, self.mean * _as_factors(factors) / self._n)
        return rng.poisson(rates).astype(np.float64)


class Uniform(BaseDistribution):
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

    def _check(self) -> None:
        if self.high < self.low:
            raise ValueError(f"high(={self.high:g}) must be >= low(={self.low:g})")

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.uniform(self.low, self.high, size)


class DiscreteUniform(BaseDistribution):
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

    def _check(self) -> None:
        if self.high < self.low:
            raise ValueError(f"high(={self.high}) must be >= low(={self.low})")

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def variance(self) -> float:
        return ((self.high - self.low + 1) ** 2 - 1) / 12.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.integers(self.low, self.high, size, endpoint=True).astype(np.float64)


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


_Kinds = (
    Constant
    | Poisson
    | Normal
    | LogNormal
    | Gamma
    | Exponential
    | NegativeBinomial
    | Uniform
    | DiscreteUniform
    | Triangular
    | Empirical
)


def _number_to_constant(value: Any) -> Any:
    """A plain number ``x`` means ``{kind: constant, value: x}``; bools are refused."""
    if isinstance(value, bool):
        raise ValueError(f"a distribution must be a number or a mapping with 'kind', not {value}")
    if isinstance(value, numbers.Real):
        return {"kind": "constant", "value": value}
    return value


Distribution = Annotated[
    _Kinds,
    Field(discriminator="kind"),
    BeforeValidator(_number_to_constant),
]
"""Field type for scenario models: any distribution, selected by ``kind``, or a number."""

DISTRIBUTION_KINDS: dict[str, type[BaseDistribution]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(_Kinds)
}
"""Registry ``kind`` -> distribution class, built from the members of :data:`Distribution`."""
