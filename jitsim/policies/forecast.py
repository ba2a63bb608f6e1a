"""Forecasters used by demand-driven (JIT) policies.

A forecaster sees the demand of each finished day (:meth:`observe`) and predicts the demand
rate per day (:meth:`rate`). The ``oracle`` forecaster instead sees the true future demand,
distorted by a multiplicative error with a chosen bias and coefficient of variation, so that the
value of forecast accuracy can be studied directly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Annotated, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from jitsim.units import NonNegative, PositiveInt

_ERROR_BLOCK = 256


class Forecaster(Protocol):
    """Predicts demand per day from what it has observed."""

    def observe(self, demand: float) -> None:
        """Record the demand of the day that just ended (units)."""
        ...

    def rate(self, now: float, horizon: float) -> float:
        """Forecast demand per day (units/day) over ``[now, now + horizon)`` days."""
        ...


class ForecastSpec(BaseModel):
    """Base of the ``kind:``-tagged forecaster specifications."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    needs_future_demand: ClassVar[bool] = False

    def build(
        self,
        initial_rate: float,
        rng: np.random.Generator,
        future_demand: Callable[[float, float], float] | None,
    ) -> Forecaster:  # pragma: no cover - abstract
        """Create the runtime forecaster; ``initial_rate`` is the planning demand (units/day)."""
        raise NotImplementedError


class NaiveForecaster:
    """Tomorrow looks like yesterday: rate = last observed day's demand."""

    def __init__(self, initial_rate: float) -> None:
        self.last = initial_rate

    def observe(self, demand: float) -> None:
        self.last = demand

    def rate(self, now: float, horizon: float) -> float:
        return self.last


class NaiveSpec(ForecastSpec):
    """Naive forecast: the last day's demand."""

    kind: Literal["naive"] = "naive"

    def build(self, initial_rate, rng, future_demand) -> Forecaster:
        return NaiveForecaster(initial_rate)


class MovingAverageForecaster:
    """Mean of the last ``window`` days (the planning rate until the window has filled)."""

    def __init__(self, window: int, initial_rate: float) -> None:
        self.values: deque[float] = deque([initial_rate] * window, maxlen=window)
        self.total = initial_rate * window
        self.window = window

    def observe(self, demand: float) -> None:
        self.total += demand - self.values[0]
        self.values.append(demand)

    def rate(self, now: float, horizon: float) -> float:
        return max(self.total / self.window, 0.0)


class MovingAverageSpec(ForecastSpec):
    """Moving average of the last ``window`` days.

    Parameters
    ----------
    window : int
        Number of days :math:`p` averaged (≥ 1).
    """

    kind: Literal["moving_average"] = "moving_average"
    window: PositiveInt = 7

    def build(self, initial_rate, rng, future_demand) -> Forecaster:
        return MovingAverageForecaster(self.window, initial_rate)


class ExponentialSmoothingForecaster:
    """Simple exponential smoothing: :math:`F_{t+1} = \\alpha D_t + (1-\\alpha) F_t`."""

    def __init__(self, alpha: float, initial_rate: float) -> None:
        self.alpha = alpha
        self.level = initial_rate

    def observe(self, demand: float) -> None:
        self.level += self.alpha * (demand - self.level)

    def rate(self, now: float, horizon: float) -> float:
        return self.level


class ExponentialSmoothingSpec(ForecastSpec):
    """Simple exponential smoothing.

    Parameters
    ----------
    alpha : float
        Smoothing constant :math:`\\alpha` in (0, 1].
    initial : float, optional
        Initial level :math:`F_0` (units/day); defaults to the planning demand rate.
    """

    kind: Literal["exponential_smoothing"] = "exponential_smoothing"
    alpha: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.3
    initial: NonNegative | None = None

    def build(self, initial_rate, rng, future_demand) -> Forecaster:
        start = self.initial if self.initial is not None else initial_rate
        return ExponentialSmoothingForecaster(self.alpha, start)


class OracleForecaster:
    """True future demand times a lognormal error with mean ``1 + bias`` and given cv."""

    def __init__(
        self,
        cv: float,
        bias: float,
        rng: np.random.Generator,
        future_demand: Callable[[float, float], float],
    ) -> None:
        self.future_demand = future_demand
        self.rng = rng
        sigma2 = math.log1p(cv * cv)
        self.mu = math.log1p(bias) - 0.5 * sigma2
        self.sigma = math.sqrt(sigma2)
        self.errors = np.empty(0)
        self.used = 0

    def observe(self, demand: float) -> None:
        """The oracle needs no history."""

    def _next_error(self) -> float:
        if self.used == len(self.errors):
            self.errors = self.rng.lognormal(self.mu, self.sigma, _ERROR_BLOCK)
            self.used = 0
        value = float(self.errors[self.used])
        self.used += 1
        return value

    def rate(self, now: float, horizon: float) -> float:
        span = max(horizon, 1.0)
        # Draw the error even when cv = 0 so that the k-th forecast always uses the k-th
        # number of the stream, whatever the parameters.
        return self.future_demand(now, span) / span * self._next_error()


class OracleSpec(ForecastSpec):
    """Oracle: sees the true demand of the coming protection interval, with an error.

    The forecast rate is :math:`\\hat{\\mu} = (D_{[t,t+P)}/P)\\,\\varepsilon` with
    :math:`\\varepsilon` lognormal, :math:`E[\\varepsilon] = 1 + b` and
    :math:`CV[\\varepsilon] = c`. With ``cv: 0`` and ``bias: 0`` the policy knows the future.

    Parameters
    ----------
    cv : float
        Coefficient of variation :math:`c` of the multiplicative error (≥ 0).
    bias : float
        Relative bias :math:`b` (> −1); 0.1 over-forecasts by 10 % on average.
    """

    kind: Literal["oracle"] = "oracle"
    needs_future_demand: ClassVar[bool] = True
    cv: NonNegative = 0.0
    bias: Annotated[float, Field(gt=-1, allow_inf_nan=False)] = 0.0

    def build(self, initial_rate, rng, future_demand) -> Forecaster:
        if future_demand is None:  # guarded by scenario validation
            raise ValueError("the oracle forecaster needs a stock point that serves customers")
        return OracleForecaster(self.cv, self.bias, rng, future_demand)


ForecastKind = Annotated[
    NaiveSpec | MovingAverageSpec | ExponentialSmoothingSpec | OracleSpec,
    Field(discriminator="kind"),
]
