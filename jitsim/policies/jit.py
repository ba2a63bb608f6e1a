"""Just-in-Time, demand-driven replenishment.

At each review the policy orders what the forecast says will be consumed until the *next*
order can arrive, plus a small buffer, minus what is already on hand or on its way:

.. math:: q_t = \\hat{\\mu}_t\\,(E[L] + R + b) - IP_t,

with :math:`\\hat{\\mu}_t` the forecast demand rate (units/day), :math:`E[L]` the mean lead time,
:math:`R` the review period and :math:`b` the safety buffer, all in days. It is an order-up-to
policy whose level follows the forecast: with a perfect forecast and :math:`b = 0` it holds
almost no stock, which is what JIT promises and what makes it fragile.
"""

from __future__ import annotations

from typing import Literal

from jitsim.policies.base import PolicyContext, StrictPolicySpec
from jitsim.policies.forecast import ExponentialSmoothingSpec, Forecaster, ForecastKind
from jitsim.units import NonNegative


class JITPolicy:
    """Forecast-driven order-up-to policy."""

    def __init__(self, forecaster: Forecaster, protection: float, safety_days: float) -> None:
        self.forecaster = forecaster
        self.protection = protection
        self.cover_days = protection + safety_days
        self.safety_days = safety_days

    def order_quantity(self, position: float, now: float) -> float:
        rate = self.forecaster.rate(now, self.protection)
        return rate * self.cover_days - position

    def observe_day(self, demand: float) -> None:
        self.forecaster.observe(demand)

    def derived(self) -> dict[str, float]:
        return {"jit_cover_days": self.cover_days}


class JITSpec(StrictPolicySpec):
    """Demand-driven JIT replenishment.

    Parameters
    ----------
    forecast : forecaster spec
        How demand is forecast: ``naive``, ``moving_average``, ``exponential_smoothing``
        (default, α = 0.3) or ``oracle`` (true future demand with an error of chosen cv/bias).
    safety_days : float
        Safety buffer :math:`b` in days of forecast demand (≥ 0, default 0).
    """

    kind: Literal["jit"] = "jit"
    forecast: ForecastKind = ExponentialSmoothingSpec()
    safety_days: NonNegative = 0.0

    @property
    def needs_future_demand(self) -> bool:  # type: ignore[override]
        return self.forecast.needs_future_demand

    def build(self, ctx: PolicyContext) -> JITPolicy:
        protection = ctx.lead_time_mean + ctx.review_period
        forecaster = self.forecast.build(
            ctx.demand_mean, ctx.rng(f"{ctx.stock_point}.forecast"), ctx.future_demand
        )
        return JITPolicy(forecaster, protection, self.safety_days)
