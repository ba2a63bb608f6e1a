"""Scenario models of the run: horizon, warm-up, replications, seed and cost conventions
(the ``run:`` section).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from jitsim.errors import raise_problems
from jitsim.scenario.base import Strict
from jitsim.scenario.limits import MAX_HORIZON_DAYS, MAX_REPLICATIONS
from jitsim.units import WHOLE_FLOATS, NonNegativeInt, Positive, PositiveInt

__all__ = ["RunSettings", "ServiceRecovery"]


class ServiceRecovery(Strict):
    """When service counts as dropped and as recovered after a disruption
    (``run.service_recovery``; KPIs ``EVENT.service_drop_day`` and
    ``EVENT.service_recovery_days``, and the recovery columns of ``jitsim stress``).

    Parameters
    ----------
    window_days : int
        Length of the rolling window of the fill rate (days, ≥ 1): units of all customers met
        from stock on arrival / units demanded, over the last ``window_days`` days.
    below : float
        Service has dropped on the first day the rolling fill rate is below this (0 < x ≤ 1).
    recovered : float
        ... and has recovered on the first later day it is at or above this
        (``below`` ≤ x ≤ 1).
    """

    window_days: PositiveInt = 7
    below: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.90
    recovered: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.95

    @model_validator(mode="after")
    def _recovered_above_below(self) -> Self:
        if self.recovered < self.below:
            raise_problems(
                [
                    (
                        ("recovered",),
                        f"recovered(={self.recovered:g}) must be >= below(={self.below:g})",
                    )
                ]
            )
        return self


class RunSettings(Strict):
    """How long and how often to simulate.

    Parameters
    ----------
    horizon_days : int
        Simulated days, warm-up included (≥ 1; see Limits).
    warmup_days : int
        Days at the start whose statistics are discarded (≥ 0, < horizon_days).
    replications : int
        Independent Monte Carlo replications per alternative (see Limits).
    seed : int
        Master seed; replication r uses ``SeedSequence(seed, spawn_key=(r,))``.
    currency : str
        Label of the money unit, e.g. ``EUR``.
    days_per_year : float
        Days per year, to turn annual holding rates into daily ones (default 365).
    cost_basis : {"continuous", "end_of_day"}
        Charge holding and backorder costs on the time-weighted levels (``continuous``) or on
        end-of-day snapshots (``end_of_day``, the textbook periodic-review convention).
    service_recovery : ServiceRecovery
        Thresholds of the rolling fill rate that define a service drop and its recovery after
        a disruption.
    """

    horizon_days: Annotated[int, Field(ge=1, le=MAX_HORIZON_DAYS), WHOLE_FLOATS] = 365
    warmup_days: NonNegativeInt = 0
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS), WHOLE_FLOATS] = 30
    seed: NonNegativeInt = 2026
    currency: Annotated[str, Field(min_length=1, max_length=8)] = "EUR"
    days_per_year: Positive = 365.0
    cost_basis: Literal["continuous", "end_of_day"] = "continuous"
    service_recovery: ServiceRecovery = ServiceRecovery()

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> Self:
        if self.warmup_days >= self.horizon_days:
            raise_problems(
                [
                    (
                        ("warmup_days",),
                        f"warmup_days(={self.warmup_days}) must be < "
                        f"horizon_days(={self.horizon_days})",
                    )
                ]
            )
        return self

    @property
    def window_days(self) -> int:
        """Days measured after warm-up."""
        return self.horizon_days - self.warmup_days
