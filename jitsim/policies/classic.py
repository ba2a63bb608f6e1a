"""Classic inventory policies: (s,S), base-stock, (r,Q) and kanban.

All decide on the inventory position IP = on-hand + on-order − backorders, which makes them
correct with backorders, crossing orders and any lead time (Zipkin 2000, ch. 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Self

from pydantic import model_validator

from jitsim.policies.base import PolicyContext, StatelessPolicy, StrictPolicySpec
from jitsim.units import NonNegative, Positive, PositiveInt, Real


@dataclass
class OrderUpTo(StatelessPolicy):
    """Order up to ``S`` when IP ≤ ``s`` (``s = S`` gives base-stock)."""

    s: float
    S: float
    always: bool = False

    def order_quantity(self, position: float, now: float) -> float:
        if self.always or position <= self.s:
            return self.S - position
        return 0.0


class SsSpec(StrictPolicySpec):
    """(s,S) policy: when IP ≤ s, order up to S.

    Parameters
    ----------
    s : float
        Reorder level :math:`s` (units); may be negative when backorders are cheap.
    S : float
        Order-up-to level :math:`S` (units), :math:`S > s`.

    Notes
    -----
    Under periodic review with integer lead time :math:`L` this is the textbook model of
    Zheng & Federgruen (1991): every order covers :math:`L+1` days of demand risk.
    """

    kind: Literal["s_S"] = "s_S"
    s: Real
    S: Real

    @model_validator(mode="after")
    def _s_below_S(self) -> Self:
        if not self.s < self.S:
            raise ValueError(f"s(={self.s}) must be < S(={self.S})")
        return self

    def build(self, ctx: PolicyContext) -> OrderUpTo:
        return OrderUpTo(self.s, self.S)


class BaseStockSpec(StrictPolicySpec):
    """Base-stock (order-up-to) policy: at every review order up to ``S``.

    Parameters
    ----------
    S : float
        Base-stock level :math:`S` (units).
    """

    kind: Literal["base_stock"] = "base_stock"
    S: NonNegative

    def build(self, ctx: PolicyContext) -> OrderUpTo:
        return OrderUpTo(self.S, self.S, always=True)


@dataclass
class ReorderPointQuantity(StatelessPolicy):
    """When IP ≤ r, order the smallest multiple of Q that lifts IP above r."""

    r: float
    Q: float

    def order_quantity(self, position: float, now: float) -> float:
        if position > self.r:
            return 0.0
        batches = math.floor((self.r - position) / self.Q) + 1
        return batches * self.Q


class RQSpec(StrictPolicySpec):
    """(r,Q) policy: when IP ≤ r, order n·Q with the smallest n that makes IP > r.

    Parameters
    ----------
    r : float
        Reorder point :math:`r` (units).
    Q : float
        Order quantity :math:`Q` (units), > 0.
    """

    kind: Literal["r_Q"] = "r_Q"
    r: Real
    Q: Positive

    def build(self, ctx: PolicyContext) -> ReorderPointQuantity:
        return ReorderPointQuantity(self.r, self.Q)


@dataclass
class Kanban(StatelessPolicy):
    """Card loop: each emptied container sends one card (one container) upstream."""

    cards: int
    container_size: float

    def order_quantity(self, position: float, now: float) -> float:
        # Cards at the kanban post = containers consumed and not yet re-ordered. With IP
        # counting backorders, the loop keeps IP in ((N−1)·c, N·c].
        free_cards = math.floor((self.cards * self.container_size - position) / self.container_size)
        return max(free_cards, 0) * self.container_size

    def derived(self) -> dict[str, float]:
        return {"kanban_loop_units": self.cards * self.container_size}


class KanbanSpec(StrictPolicySpec):
    """Kanban: ``cards`` × ``container_size`` units circulate between this point and its source.

    Each time a container is emptied its card goes upstream and comes back with one full
    container. Demand that finds no stock (a backorder) also frees a card, so the loop is the
    (r,Q) policy with :math:`Q = c` and :math:`r = (N-1)c` on the inventory position; under
    periodic review the cards collected since the last review are sent together.

    Parameters
    ----------
    cards : int
        Number of kanban cards :math:`N` (≥ 1).
    container_size : float
        Units per container :math:`c` (> 0).
    """

    kind: Literal["kanban"] = "kanban"
    cards: PositiveInt
    container_size: Positive

    def build(self, ctx: PolicyContext) -> Kanban:
        return Kanban(self.cards, self.container_size)
