"""The EOQ policy: economic order quantity with a reorder point.

Orders the economic order quantity (Harris 1913)

.. math:: Q^* = \\sqrt{2 K \\mu_D / h}

whenever the inventory position falls to the reorder point

.. math:: r = \\mu_D P + SS, \\qquad P = E[L] + R,

where :math:`\\mu_D` is mean demand (units/day), :math:`K` the fixed order cost, :math:`h` the
holding cost per unit-day, :math:`P` the protection interval (mean lead time plus review
period, days) and :math:`SS` the safety stock. With a target cycle service level :math:`\\alpha`
the safety stock is :math:`SS = z_\\alpha \\sigma_P`, with
:math:`\\sigma_P^2 = P\\,\\sigma_D^2 + \\mu_D^2 Var(L)` (Silver, Pyke & Peterson 1998, §7.5).
"""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import model_validator
from scipy.stats import norm

from jitsim.policies.base import PolicyContext, StrictPolicySpec
from jitsim.policies.classic import ReorderPointQuantity
from jitsim.units import NonNegative, OpenFraction, Positive, Real


class EOQPolicy(ReorderPointQuantity):
    """(r, Q) with the EOQ quantity; reports how Q and r were derived."""

    def __init__(self, r: float, Q: float, safety_stock: float) -> None:
        super().__init__(r, Q)
        self.safety_stock = safety_stock

    def derived(self) -> dict[str, float]:
        return {
            "eoq_order_quantity": self.Q,
            "eoq_reorder_point": self.r,
            "eoq_safety_stock": self.safety_stock,
        }


class EOQSpec(StrictPolicySpec):
    """EOQ order quantity and a reorder point from lead-time demand plus safety stock.

    Parameters
    ----------
    order_quantity : float, optional
        Use this :math:`Q` (units) instead of the EOQ formula.
    cycle_service_level : float, optional
        Target probability :math:`\\alpha` of no stockout per replenishment cycle, in (0, 1);
        sets :math:`SS = \\Phi^{-1}(\\alpha)\\,\\sigma_P`.
    safety_stock : float, optional
        Safety stock :math:`SS` in units (instead of a service level).
    reorder_point : float, optional
        Use this reorder point :math:`r` (units) directly.
    demand_per_day : float, optional
        Demand rate :math:`\\mu_D` (units/day) to plan with; defaults to the scenario's expected
        demand at the stock point (seasonality averaged, trend ignored).

    At most one of ``cycle_service_level``, ``safety_stock`` and ``reorder_point`` may be
    given; with none, the safety stock is 0.
    """

    kind: Literal["eoq"] = "eoq"
    order_quantity: Positive | None = None
    cycle_service_level: OpenFraction | None = None
    safety_stock: NonNegative | None = None
    reorder_point: Real | None = None
    demand_per_day: Positive | None = None

    @model_validator(mode="after")
    def _one_safety_rule(self) -> Self:
        given = [
            name
            for name in ("cycle_service_level", "safety_stock", "reorder_point")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(f"give at most one of {', '.join(given)}")
        return self

    def economic_order_quantity(self, ctx: PolicyContext) -> float:
        """:math:`Q^* = \\sqrt{2K\\mu_D/h}` (units)."""
        if self.order_quantity is not None:
            return self.order_quantity
        demand = self.demand_per_day if self.demand_per_day is not None else ctx.demand_mean
        if ctx.holding_cost_per_unit_day <= 0 or demand <= 0 or ctx.order_cost <= 0:
            raise ValueError(
                f"stock point {ctx.stock_point!r}: the EOQ formula needs positive demand "
                f"(={demand}), order cost (={ctx.order_cost}) and holding cost "
                f"(={ctx.holding_cost_per_unit_day}/unit/day); give order_quantity instead"
            )
        return math.sqrt(2.0 * ctx.order_cost * demand / ctx.holding_cost_per_unit_day)

    def reorder_level(self, ctx: PolicyContext) -> tuple[float, float]:
        """Reorder point :math:`r` and safety stock :math:`SS` (units)."""
        demand = self.demand_per_day if self.demand_per_day is not None else ctx.demand_mean
        protection = ctx.lead_time_mean + ctx.review_period
        if self.reorder_point is not None:
            return self.reorder_point, self.reorder_point - demand * protection
        if self.safety_stock is not None:
            safety = self.safety_stock
        elif self.cycle_service_level is not None:
            sigma = math.sqrt(protection * ctx.demand_var + demand**2 * ctx.lead_time_var)
            safety = float(norm.ppf(self.cycle_service_level)) * sigma
        else:
            safety = 0.0
        return demand * protection + safety, safety

    def build(self, ctx: PolicyContext) -> EOQPolicy:
        r, safety = self.reorder_level(ctx)
        return EOQPolicy(r, self.economic_order_quantity(ctx), safety)
