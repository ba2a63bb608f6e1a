"""The replenishment-policy protocol, the build context and the spec base class.

A policy is configured in YAML by a *spec* (a frozen pydantic model tagged by ``kind:``) and
turned into a small runtime object by :meth:`PolicySpec.build` once per replication. The
runtime object answers one question at every review: *given the inventory position, how many
units should be ordered now?* The stock point then applies the supplier's minimum order and lot
multiple, places the order and records the costs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class PolicyContext:
    """What a policy may know about its stock point when it is built.

    Parameters
    ----------
    stock_point : str
        Name of the stock point the policy controls.
    demand_mean : float
        Expected demand per day at the stock point, :math:`\\mu_D` (units/day). For a stock
        point that feeds others it includes their expected demand.
    demand_var : float
        Variance of the daily demand, :math:`\\sigma_D^2` (units²/day), assuming independent
        days.
    lead_time_mean, lead_time_var : float
        Mean :math:`E[L]` (days) and variance :math:`Var(L)` (days²) of the replenishment lead
        time on the stock point's inbound lane.
    review_period : float
        Review period :math:`R` (days); 0 under continuous review.
    holding_cost_per_unit_day : float
        Holding cost :math:`h` per unit per day (currency/unit/day).
    order_cost : float
        Fixed cost per replenishment order :math:`K` (currency/order).
    days_per_year : float
        Days in a year, used to quote annual figures.
    rng : Callable[[str], numpy.random.Generator]
        Factory of named random streams (common random numbers across alternatives).
    future_demand : Callable[[float, float], float] or None
        ``future_demand(t, d)``: the true demand that will arrive in ``[t, t+d)`` (units). Only
        available at stock points that serve customers directly (for the oracle forecaster).
    """

    stock_point: str
    demand_mean: float
    demand_var: float
    lead_time_mean: float
    lead_time_var: float
    review_period: float
    holding_cost_per_unit_day: float
    order_cost: float
    days_per_year: float
    rng: Callable[[str], np.random.Generator]
    future_demand: Callable[[float, float], float] | None = None


class Policy(Protocol):
    """Runtime policy: decides order quantities from the inventory position."""

    def order_quantity(self, position: float, now: float) -> float:
        """Units to order now (before MOQ and lot rounding); ≤ 0 means no order.

        Parameters
        ----------
        position : float
            Inventory position IP = on-hand + on-order − backorders (units).
        now : float
            Simulation time (days).
        """
        ...

    def observe_day(self, demand: float) -> None:
        """Called at the end of every day with the demand received that day (units)."""
        ...

    def derived(self) -> dict[str, float]:
        """Values the policy derived from the scenario, reported with the KPIs."""
        ...


class PolicySpec(BaseModel):
    """Base class of the ``kind:``-tagged policy specifications found in YAML."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: True when the policy only makes sense under continuous review.
    continuous_only: ClassVar[bool] = False
    #: True when the policy needs the true future demand (oracle forecast).
    needs_future_demand: ClassVar[bool] = False

    def build(self, ctx: PolicyContext) -> Policy:  # pragma: no cover - abstract
        """Create the runtime policy for one replication."""
        raise NotImplementedError

    def describe(self) -> str:
        """Short one-line description, e.g. ``s_S(s=20, S=60)``."""
        fields = ", ".join(
            f"{k}={v}" for k, v in self.model_dump(exclude={"kind"}, exclude_none=True).items()
        )
        return f"{getattr(self, 'kind', type(self).__name__)}({fields})"


class StrictPolicySpec(PolicySpec):
    """Base of the built-in specs: a number in YAML must be a number.

    ``true`` or ``"3"`` is a type error instead of silently becoming 1 or 3 (see
    :mod:`jitsim.units`). Plug-in specs derive from :class:`PolicySpec` and choose for
    themselves.
    """

    model_config = ConfigDict(strict=True)


class StatelessPolicy:
    """Mix-in for policies that need no end-of-day observations."""

    def observe_day(self, demand: float) -> None:
        """Ignore the day's demand."""

    def derived(self) -> dict[str, float]:
        """No derived values."""
        return {}
