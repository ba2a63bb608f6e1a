"""Scenario models of demand: the customers of the stock points and how they order."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from jitsim.distributions import Constant, Distribution
from jitsim.scenario.base import Strict
from jitsim.scenario.finance import CustomerPaymentTerms
from jitsim.units import Name, NonNegative, Positive

__all__ = ["Customer", "PoissonOrders", "Seasonality"]


class PoissonOrders(Strict):
    """Individual customer orders arriving as a Poisson process.

    Parameters
    ----------
    rate_per_day : float
        Arrival rate :math:`\\lambda` (orders/day).
    size : distribution
        Units per order.
    """

    rate_per_day: Positive
    size: Distribution = Constant(value=1)


class Seasonality(Strict):
    """Multiplicative demand factors.

    ``weekly``: seven factors, day 0 of the simulation is the first. ``annual``: twelve monthly
    factors of ``days_per_year / 12`` days each.

    Parameters
    ----------
    weekly : list of float, optional
        Seven factors (dimensionless, ≥ 0), one per day of the week; day 0 of the simulation
        uses the first.
    annual : list of float, optional
        Twelve monthly factors (dimensionless, ≥ 0), each applying to ``days_per_year / 12``
        days.
    """

    weekly: Annotated[list[NonNegative], Field(min_length=7, max_length=7)] | None = None
    annual: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = None


class Customer(Strict):
    """A source of demand at one stock point.

    Parameters
    ----------
    buys_from : str
        The stock point that serves it.
    demand : distribution, optional
        Units demanded per day, arriving as one daily order at mid-day (``t + 0.5``).
    orders : PoissonOrders, optional
        Individual orders as a Poisson process (give ``demand`` or ``orders``).
    seasonality : Seasonality, optional
        Weekly and/or monthly multiplicative factors on the mean.
    trend_per_year : float
        Linear trend: the mean is multiplied by ``1 + trend_per_year · t / days_per_year``.
    unmet : {"backorder", "lost_sale"}
        Fate of demand that finds no stock.
    backorder_cost_per_unit_day : float
        Shortage cost :math:`p` per backordered unit per day (currency/unit/day).
    backorder_cost_per_unit : float
        One-off cost per unit backordered (currency/unit).
    lost_sale_penalty : float
        Cost per unit of lost sale beyond the lost margin (currency/unit).
    price : float, optional
        Selling price (currency/unit); defaults to the item's ``price``.
    payment_terms : CustomerPaymentTerms, optional
        When the customer pays: ``{days: 30}``, optionally with a share paid late
        (default: cash at the sale). Turns on the cash ledger (docs/waste-space-cash.md).
    min_remaining_days : float
        Perishable items: only units with at least this many days of shelf life left are
        sold to this customer (days, ≥ 0); the others stay for other customers or expire.
    """

    buys_from: Name
    demand: Distribution | None = None
    orders: PoissonOrders | None = None
    seasonality: Seasonality | None = None
    trend_per_year: Annotated[float, Field(ge=-1, allow_inf_nan=False)] = 0.0
    unmet: Literal["backorder", "lost_sale"] = "backorder"
    backorder_cost_per_unit_day: NonNegative = 0.0
    backorder_cost_per_unit: NonNegative = 0.0
    lost_sale_penalty: NonNegative = 0.0
    price: NonNegative | None = None
    payment_terms: CustomerPaymentTerms | None = None
    min_remaining_days: NonNegative = 0.0

    @model_validator(mode="after")
    def _one_demand_model(self) -> Self:
        if (self.demand is None) == (self.orders is None):
            raise ValueError("give exactly one of 'demand' (units per day) or 'orders'")
        return self
