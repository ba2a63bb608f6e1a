"""Customers: pre-drawn demand and the service they receive."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from jitsim.model.ledger import CustomerAccount
    from jitsim.scenario.models import Customer as CustomerSpec


def mean_factors(spec: CustomerSpec, times: np.ndarray, days_per_year: float) -> np.ndarray:
    """Multiplicative factor on mean demand at ``times`` (days): season × trend."""
    factors = np.ones_like(times, dtype=float)
    season = spec.seasonality
    if season is not None:
        if season.weekly is not None:
            factors *= np.asarray(season.weekly)[np.floor(times).astype(np.int64) % 7]
        if season.annual is not None:
            month = np.floor((times % days_per_year) / (days_per_year / 12.0)).astype(np.int64)
            factors *= np.asarray(season.annual)[np.minimum(month, 11)]
    if spec.trend_per_year:
        factors *= np.maximum(1.0 + spec.trend_per_year * times / days_per_year, 0.0)
    return factors


def draw_orders(
    spec: CustomerSpec, rng: np.random.Generator, horizon: float, days_per_year: float
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times (days) and sizes (units) of individual orders over ``[0, horizon)``.

    A non-homogeneous Poisson process by thinning: candidates at the peak rate are kept with
    probability (rate at that time) / (peak rate).
    """
    assert spec.orders is not None
    base = spec.orders.rate_per_day
    grid = np.arange(0.0, horizon + 1.0)
    peak = base * float(mean_factors(spec, grid, days_per_year).max(initial=1.0))
    expected = peak * horizon
    count = int(expected + 6.0 * math.sqrt(expected) + 16.0)
    gaps = rng.exponential(1.0 / peak, count)
    times = np.cumsum(gaps)
    while times[-1] < horizon:  # rare: extend the block
        more = np.cumsum(rng.exponential(1.0 / peak, count)) + times[-1]
        times = np.concatenate([times, more])
    times = times[times < horizon]
    keep_draws = rng.random(len(times))
    keep = keep_draws * peak <= base * mean_factors(spec, times, days_per_year)
    times = times[keep]
    sizes = spec.orders.size.sample(rng, len(times))
    return times, sizes


class Customer:
    """A customer of one stock point and the record of its service.

    Parameters
    ----------
    name : str
        Node name.
    spec : jitsim.scenario.models.Customer
        The validated customer: what happens to unmet demand and what it costs.
    price : float
        Selling price (currency/unit): the customer's own, else the item's.
    """

    __slots__ = (
        "account",
        "backorder_cost_per_unit",
        "backorder_cost_per_unit_day",
        "backordered_units",
        "backorders",
        "day_short",
        "demand_orders",
        "demand_units",
        "filled_on_arrival",
        "late_units",
        "lost_sale_penalty",
        "lost_units",
        "markdown_due",
        "name",
        "orders_complete",
        "price",
        "revenue",
    )

    #: Whether :meth:`record` is this class's own, which
    #: :meth:`StockPoint.demand <jitsim.model.stock_point.StockPoint.demand>` inlines; a
    #: subclass that records more sets it False.
    plain_record: ClassVar[bool] = True

    def __init__(self, name: str, spec: CustomerSpec, price: float) -> None:
        self.name = name
        self.price = price
        #: True if unmet demand is backordered, False if it is lost.
        self.backorders = spec.unmet == "backorder"
        #: Shortage cost rates (currency/unit/day, currency/unit, currency/unit).
        self.backorder_cost_per_unit_day = spec.backorder_cost_per_unit_day
        self.backorder_cost_per_unit = spec.backorder_cost_per_unit
        self.lost_sale_penalty = spec.lost_sale_penalty
        #: Where its sales are invoiced when the scenario keeps a cash ledger, else None.
        self.account: CustomerAccount | None = None
        self.reset_statistics()

    def reset_statistics(self) -> None:
        """Forget everything measured so far (end of warm-up)."""
        self.demand_units = self.filled_on_arrival = self.late_units = 0.0
        self.backordered_units = self.lost_units = self.revenue = 0.0
        self.demand_orders = self.orders_complete = 0
        #: Whether some of today's demand was not met from stock (reset every end of day).
        self.day_short = False
        #: Markdown (currency) off the units being booked now: set by the shelf of a
        #: perishable item just before :meth:`record` or :meth:`backorder_filled`.
        self.markdown_due = 0.0

    def record(self, quantity: float, filled: float, short: float, now: float) -> None:
        """Book an order of ``quantity`` units of which ``filled`` shipped at once
        (:meth:`StockPoint.demand <jitsim.model.stock_point.StockPoint.demand>` inlines this
        when :attr:`plain_record`: keep the two equal)."""
        self.demand_units += quantity
        self.demand_orders += 1
        self.filled_on_arrival += filled
        amount = self.price * filled
        if self.markdown_due:  # perishables only (x - 0.0 is x: skipped on the common path)
            amount -= self.markdown_due
            self.markdown_due = 0.0
        self.revenue += amount
        if self.account is not None:
            self.account.invoice(amount, now)
        if short > 0.0:
            self.day_short = True
            if self.backorders:
                self.backordered_units += short
            else:
                self.lost_units += short
        else:
            self.orders_complete += 1

    def backorder_filled(self, quantity: float, now: float) -> None:
        """``quantity`` backordered units are shipped late."""
        self.late_units += quantity
        amount = self.price * quantity - self.markdown_due
        self.markdown_due = 0.0
        self.revenue += amount
        if self.account is not None:
            self.account.invoice(amount, now)

    def end_of_day(self) -> bool:
        """Close the day's service record: whether some of the day's demand was not met from
        stock (the network's daily clock inlines this: keep the two equal)."""
        short = self.day_short
        self.day_short = False
        return short

    @property
    def shortage_penalties(self) -> float:
        """One-off shortage penalties: per backordered unit and per lost unit (currency)."""
        return (
            self.backordered_units * self.backorder_cost_per_unit
            + self.lost_units * self.lost_sale_penalty
        )
