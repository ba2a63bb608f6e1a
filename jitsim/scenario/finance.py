"""Scenario models of cash flow: payment terms of suppliers and customers, and the finance
settings of the scenario (interest on a negative cash balance, opening cash).

A scenario that gives ``finance:`` or any ``payment_terms`` keeps a daily cash ledger
(:mod:`jitsim.model.ledger`, docs/waste-space-cash.md); one that gives neither has no ledger
and no cash-flow KPIs.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from jitsim.distributions import Distribution
from jitsim.errors import raise_problems
from jitsim.scenario.base import Strict
from jitsim.units import Fraction, NonNegative, Real

__all__ = ["CustomerPaymentTerms", "Finance", "SupplierPaymentTerms"]

#: Longest payment term accepted (days): ten years. A longer one is a typing mistake.
MAX_PAYMENT_DAYS = 3650.0

#: Days to pay (0 = on receipt or at the sale, at most :data:`MAX_PAYMENT_DAYS`).
PaymentDays = Annotated[float, Field(ge=0, le=MAX_PAYMENT_DAYS, allow_inf_nan=False)]


class SupplierPaymentTerms(Strict):
    """When a supplier is paid, e.g. ``{days: 30, early_discount: 0.02, early_days: 10}``
    ("2/10 net 30").

    The supplier invoices each delivery when it arrives (the good units of it, at the lane's
    purchase price). The invoice is paid ``days`` after the arrival; when an
    ``early_discount`` is offered it is always taken: the invoice is paid ``early_days``
    after the arrival, less the discount (the rule "pay early when the discount is
    offered").

    Parameters
    ----------
    days : float
        Days from the arrival of a delivery to its payment (0 ≤ days ≤ 3650; 0: on receipt).
    early_discount : float
        Fraction of the invoice taken off when it is paid by ``early_days`` (0 ≤ d < 1; 0: no
        discount offered).
    early_days : float
        Days from the arrival to the discounted payment (0 ≤ early_days ≤ days).
    """

    days: PaymentDays = 0.0
    early_discount: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    early_days: NonNegative = 0.0

    @model_validator(mode="after")
    def _early_before_due(self) -> Self:
        if self.early_days > self.days:
            raise_problems(
                [
                    (
                        ("early_days",),
                        f"early_days(={self.early_days:g}) must be ≤ days(={self.days:g}): the "
                        "discount is for paying before the invoice is due",
                    )
                ]
            )
        return self

    @property
    def pay_after(self) -> float:
        """Days from arrival to payment under the rule above (days)."""
        return self.early_days if self.early_discount > 0 else self.days


class CustomerPaymentTerms(Strict):
    """When a customer pays, e.g. ``{days: 30, late_share: 0.2, late_days: {kind: uniform,
    low: 5, high: 25}}``.

    Every sale (a unit shipped at once or a backorder filled late) is invoiced when it ships
    and paid ``days`` later; a fixed share ``late_share`` of every invoice is paid
    ``late_days`` later still, one draw per invoice from the stream
    ``customer.NAME.payment``.

    Parameters
    ----------
    days : float
        Days from the sale to the payment (0 ≤ days ≤ 3650; 0: cash at the sale).
    late_share : float
        Share of every invoice paid late (0 ≤ s ≤ 1).
    late_days : distribution, optional
        Extra days the late share waits (any non-negative distribution; a number is
        constant). Required when ``late_share`` > 0.
    """

    days: PaymentDays = 0.0
    late_share: Fraction = 0.0
    late_days: Distribution | None = None

    @model_validator(mode="after")
    def _late_share_has_days(self) -> Self:
        if self.late_share > 0 and self.late_days is None:
            raise_problems(
                [
                    (
                        ("late_days",),
                        f"required with late_share(={self.late_share:g}) > 0: how many days "
                        "later the late share is paid (a number or a distribution)",
                    )
                ]
            )
        return self


class Finance(Strict):
    """The scenario's cash account: opening balance and the interest on a negative balance.

    Parameters
    ----------
    interest_rate_per_year : float
        Interest charged on a negative cash balance (1/year, a fraction: 0.05 is 5 %; 0 ≤ r
        ≤ 1). Charged daily at the end-of-day snapshot at ``r / days_per_year`` of the
        overdraft; a positive balance earns nothing.
    opening_cash : float
        Cash balance at time 0 (currency; may be negative).
    """

    # The bounds are checked by the validator below, with a message that names the likely
    # mistake (5 for 5 %); the schema states them for editors.
    interest_rate_per_year: Annotated[
        float, Field(json_schema_extra={"minimum": 0, "maximum": 1})
    ] = 0.0
    opening_cash: Real = 0.0

    @field_validator("interest_rate_per_year")
    @classmethod
    def _a_fraction_per_year(cls, value: float) -> float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number (a fraction per year: 0.05 for 5 %)")
        if value < 0:
            raise ValueError(f"must be ≥ 0 (got {value:g}); interest is charged on overdrafts")
        if value > 1:
            raise ValueError(
                f"must be ≤ 1 per year (got {value:g}): it is a fraction, "
                f"did you mean {value / 100:g} for {value:g} %?"
            )
        return value
