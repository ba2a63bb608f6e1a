"""A min-max policy that orders whole packs: an example of a jitsim policy plug-in.

At every review, when the inventory position IP (on hand + on order − backorders) is at or
below ``min``, order ``max − IP`` units rounded **up** to a whole number of packs of ``pack``
units; otherwise order nothing. With ``pack: 1`` it is the (s,S) policy with s = min, S = max.

jitsim finds :class:`MinMaxSpec` through the entry point declared in this package's
``pyproject.toml`` (group ``jitsim.policies``); after ``pip install`` a scenario may say::

    policy: {kind: min_max, min: 40, max: 100, pack: 12}
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import model_validator

from jitsim.policies.base import PolicyContext, PolicySpec, StatelessPolicy
from jitsim.units import NonNegative, Positive

__all__ = ["MinMax", "MinMaxSpec"]


class MinMax(StatelessPolicy):
    """Runtime policy, built once per replication: decides each review's order.

    Parameters
    ----------
    low, high : float
        Reorder level and order-up-to level (units).
    pack : float
        Units per pack: every order is a whole number of packs (units).
    """

    def __init__(self, low: float, high: float, pack: float) -> None:
        self.low = low
        self.high = high
        self.pack = pack

    def order_quantity(self, position: float, now: float) -> float:
        """Units to order now: whole packs up to at least ``high``, or 0 above ``low``."""
        if position > self.low:
            return 0.0
        packs = math.ceil((self.high - position) / self.pack - 1e-9)  # 1e-9: float noise
        return packs * self.pack

    def derived(self) -> dict[str, float]:
        """Reported as the KPI ``<stock point>.min_max_pack_units``."""
        return {"min_max_pack_units": self.pack}


class MinMaxSpec(PolicySpec):
    """Min-max in whole packs: when IP ≤ ``min``, order up to ``max``, rounded up to packs.

    Parameters
    ----------
    min : float
        Reorder level (units, ≥ 0).
    max : float
        Order-up-to level (units, > ``min``).
    pack : float
        Units per pack (> 0, default 1).
    """

    kind: Literal["min_max"] = "min_max"
    min: NonNegative
    max: NonNegative
    pack: Positive = 1.0

    @model_validator(mode="after")
    def _max_above_min(self) -> MinMaxSpec:
        # A ValueError here is reported by jitsim as FILE:LINE: field: message.
        if self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be greater than min ({self.min:g})")
        return self

    def build(self, ctx: PolicyContext) -> MinMax:
        """The runtime policy of one replication (``ctx`` describes the stock point)."""
        return MinMax(self.min, self.max, self.pack)
