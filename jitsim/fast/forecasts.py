"""The JIT policy's forecasters as arrays over replications.

A JIT policy (:mod:`jitsim.policies.jit`) keeps state — its forecaster learns each day's
demand at the end-of-day snapshot — so every replication has its own. The fast engine keeps
that state as arrays, updated with the forecaster's own operations in the same order:

* naive: the last day's demand;
* moving average: the running total over a ring of the last ``window`` days;
* exponential smoothing: ``level += alpha * (demand - level)``.

* oracle: the true demand of the coming protection interval (from each replication's
  cumulative demand at the stock point) times the k-th lognormal error of the replication's
  stream ``POINT.forecast`` at the k-th review, drawn in blocks as the forecaster draws them.
"""

from __future__ import annotations

import math

import numpy as np

from jitsim.policies.forecast import (
    _ERROR_BLOCK,
    ExponentialSmoothingForecaster,
    Forecaster,
    MovingAverageForecaster,
    NaiveForecaster,
    OracleForecaster,
)


class ForecastArrays:
    """One stock point's forecaster over ``n`` replications, started as ``forecaster`` (a
    freshly built one: the same start in every replication). An oracle also needs the demand
    per day at the stock point, ``demand`` (replications, days), and each replication's
    stream ``rngs``."""

    def __init__(
        self,
        forecaster: Forecaster,
        n: int,
        demand: np.ndarray | None = None,
        rngs: list[np.random.Generator] | None = None,
    ) -> None:
        self.forecaster = forecaster
        if isinstance(forecaster, OracleForecaster):
            assert demand is not None and rngs is not None
            days = demand.shape[1]
            self.days = days
            self.cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(demand, axis=1)], 1)
            self.rngs = rngs
            self.errors = np.empty((n, 0))
            self.used = 0
        elif isinstance(forecaster, NaiveForecaster):
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
        if isinstance(forecaster, OracleForecaster):
            return  # the oracle needs no history
        if isinstance(forecaster, NaiveForecaster):
            self.last = demand.copy()
        elif isinstance(forecaster, MovingAverageForecaster):
            self.total += demand - self.values[self.oldest]
            self.values[self.oldest] = demand
            self.oldest = (self.oldest + 1) % self.window
        else:
            self.level += self.alpha * (demand - self.level)

    def rate(self, now: float, horizon: float) -> np.ndarray:
        """The forecast demand rate (units/day) in every replication at time ``now`` for the
        next ``horizon`` days."""
        forecaster = self.forecaster
        if isinstance(forecaster, OracleForecaster):
            return self._oracle(forecaster, now, horizon)
        if isinstance(forecaster, NaiveForecaster):
            return self.last
        if isinstance(forecaster, MovingAverageForecaster):
            mean = self.total / self.window
            return np.where(0.0 > mean, 0.0, mean)  # max(mean, 0.0) as Python takes it
        return self.level

    def _oracle(self, oracle: OracleForecaster, now: float, horizon: float) -> np.ndarray:
        """OracleForecaster.rate in every replication (its ``future_demand`` on the arrays)."""
        span = max(horizon, 1.0)
        first = max(math.floor(now - 0.5) + 1, 0)
        last = math.floor(now + span - 0.5)
        days, cumulative = self.days, self.cumulative
        if first >= days or last < first:
            future = np.zeros(len(self.rngs))
        elif last >= days:  # beyond the horizon: scale what is known
            known = cumulative[:, days] - cumulative[:, first]
            future = known * (last - first + 1) / (days - first)
        else:
            future = cumulative[:, last + 1] - cumulative[:, first]
        if self.used == self.errors.shape[1]:  # the next block of errors, as the oracle's
            block = [rng.lognormal(oracle.mu, oracle.sigma, _ERROR_BLOCK) for rng in self.rngs]
            self.errors = np.array(block).reshape(len(self.rngs), _ERROR_BLOCK)
            self.used = 0
        error = self.errors[:, self.used]
        self.used += 1
        return future / span * error
