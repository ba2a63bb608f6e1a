"""The JIT policy's forecasters as arrays over replications.

A JIT policy (:mod:`jitsim.policies.jit`) keeps state — its forecaster learns each day's
demand at the end-of-day snapshot — so every replication has its own. The fast engine keeps
that state as arrays, updated with the forecaster's own operations in the same order:

* naive: the last day's demand;
* moving average: the running total over a ring of the last ``window`` days;
* exponential smoothing: ``level += alpha * (demand - level)``.

The oracle forecaster (true future demand with a random error) is not in the fast engine's
scope.
"""

from __future__ import annotations

import numpy as np

from jitsim.policies.forecast import (
    ExponentialSmoothingForecaster,
    Forecaster,
    MovingAverageForecaster,
    NaiveForecaster,
)

#: Forecasters the fast engine runs.
FAST_FORECASTERS = (NaiveForecaster, MovingAverageForecaster, ExponentialSmoothingForecaster)


class ForecastArrays:
    """One stock point's forecaster over ``n`` replications, started as ``forecaster`` (a
    freshly built one: the same start in every replication)."""

    def __init__(self, forecaster: Forecaster, n: int) -> None:
        self.forecaster = forecaster
        if isinstance(forecaster, NaiveForecaster):
            self.last = np.full(n, float(forecaster.last))
        elif isinstance(forecaster, MovingAverageForecaster):
            self.window = forecaster.window
            self.values = np.array([np.full(n, float(v)) for v in forecaster.values])
            self.total = np.full(n, float(forecaster.total))
            self.oldest = 0
        elif isinstance(forecaster, ExponentialSmoothingForecaster):
            self.alpha = forecaster.alpha
            self.level = np.full(n, float(forecaster.level))
        else:
            raise TypeError(f"the fast engine has no array form of {type(forecaster).__name__}")

    def observe(self, demand: np.ndarray) -> None:
        """Learn the demand of the day that ends now (units), in every replication."""
        forecaster = self.forecaster
        if isinstance(forecaster, NaiveForecaster):
            self.last = demand.copy()
        elif isinstance(forecaster, MovingAverageForecaster):
            self.total += demand - self.values[self.oldest]
            self.values[self.oldest] = demand
            self.oldest = (self.oldest + 1) % self.window
        else:
            self.level += self.alpha * (demand - self.level)

    def rate(self) -> np.ndarray:
        """The forecast demand rate (units/day) in every replication."""
        forecaster = self.forecaster
        if isinstance(forecaster, NaiveForecaster):
            return self.last
        if isinstance(forecaster, MovingAverageForecaster):
            mean = self.total / self.window
            return np.where(0.0 > mean, 0.0, mean)  # max(mean, 0.0) as Python takes it
        return self.level
