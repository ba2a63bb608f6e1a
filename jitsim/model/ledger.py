"""The daily cash ledger of one replication: when money changes hands, and what it costs.

A scenario with ``finance:`` or any ``payment_terms`` (see
:attr:`Scenario.keeps_cash_ledger <jitsim.scenario.models.Scenario.keeps_cash_ledger>`) gets
one :class:`Ledger` in :attr:`Calendar.ledger <jitsim.model.calendar.Calendar.ledger>`, so
every part that pays or is paid reaches it without new plumbing; other scenarios have None
there and pay one ``is None`` check where money would move.

What moves the balance (docs/waste-space-cash.md):

* **money in** — every sale to a customer (a unit shipped at once, or a backorder filled
  later) is invoiced when it ships and paid ``days`` later through the customer's
  :class:`CustomerAccount`; a fixed share of each invoice is paid later still;
* **money out** — every delivery from a supplier is invoiced when its good units arrive and
  paid ``days`` later (``early_days`` later, less the discount, when a discount is offered)
  through the lane's :class:`SupplierAccount`; ordering costs when an order is placed;
  expediting premiums and fixed costs when the emergency order is placed; incoming inspection
  when a delivery is inspected; any other cost through :meth:`Ledger.pay`;
* **interest** — at every end-of-day snapshot, a negative balance is charged
  ``interest_rate_per_year / days_per_year`` of itself (``financing_cost``).

Payments due later are put on the calendar (:meth:`Calendar.at
<jitsim.model.calendar.Calendar.at>`): those due at a whole day run in phase 2 of that day with
the receipts, those due off the grid at their own time. Payments due at or after the horizon
are never made: they stay in the receivables and payables.

The ledger runs from time 0 with ``opening_cash``; at the end of the warm-up its counters are
reset and the balance then is the opening balance of the measured window
(``start_cash_balance``). The receivables and payables are levels (kept through the reset),
integrated over time like the stock of a stock point, for DSO and DPO.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from jitsim.streams import BlockSampler

if TYPE_CHECKING:
    import numpy as np

    from jitsim.model.calendar import Calendar
    from jitsim.scenario.models import CustomerPaymentTerms, Scenario, SupplierPaymentTerms

__all__ = [
    "CASH_NODE",
    "CustomerAccount",
    "Ledger",
    "SupplierAccount",
    "cash_kpis",
    "customer_account",
    "ledger_for",
    "supplier_account",
]

#: The pseudo-node under which the end-of-day cash balance joins the trajectories (not a valid
#: node name, so it never clashes with a stock point).
CASH_NODE = "@cash"


class Ledger:
    """The cash account of one replication.

    Parameters
    ----------
    calendar : Calendar
        Where payments due later are scheduled.
    opening_cash : float
        Balance at time 0 (currency).
    interest_per_day : float
        Interest on a negative balance per day (1/day): ``interest_rate_per_year /
        days_per_year``.
    trajectory : bool
        Keep the end-of-day balance (:attr:`trajectory`).
    """

    __slots__ = (
        "area_payables",
        "area_receivables",
        "balance",
        "calendar",
        "discounts",
        "financing_cost",
        "from_customers",
        "interest_per_day",
        "last_time",
        "min_balance",
        "paid",
        "payables",
        "peak_working_capital",
        "purchases_invoiced",
        "receivables",
        "sales_invoiced",
        "salvage",
        "start_balance",
        "start_payables",
        "start_receivables",
        "to_suppliers",
        "trajectory",
    )

    def __init__(
        self, calendar: Calendar, opening_cash: float, interest_per_day: float, trajectory: bool
    ) -> None:
        self.calendar = calendar
        self.interest_per_day = interest_per_day
        #: Cash now (currency); money owed to us by customers and by us to suppliers.
        self.balance = float(opening_cash)
        self.receivables = self.payables = 0.0
        self.last_time = 0.0
        #: End-of-day rows ``(day, 0, 0, 0, balance)`` in the trajectory format, or None.
        self.trajectory: list[tuple[float, ...]] | None = [] if trajectory else None
        self.reset(0.0, 0.0)

    # -- the measured window ---------------------------------------------------------------

    def reset(self, now: float, inventory_value: float) -> None:
        """Start the measured window at ``now`` (end of warm-up): forget the counters, keep
        the balance and the levels. ``inventory_value`` is the stock's value now (currency)."""
        self.advance(now)
        self.area_receivables = self.area_payables = 0.0
        self.start_balance = self.min_balance = self.balance
        self.start_receivables, self.start_payables = self.receivables, self.payables
        self.peak_working_capital = inventory_value + self.receivables - self.payables
        self.from_customers = self.to_suppliers = self.discounts = 0.0
        self.sales_invoiced = self.purchases_invoiced = self.financing_cost = 0.0
        #: Money recovered by selling expired or written-off units for salvage (currency).
        self.salvage = 0.0
        #: Money paid for costs other than suppliers' invoices, by kind (currency).
        self.paid: dict[str, float] = {}

    def advance(self, now: float) -> None:
        """Integrate the receivables and payables from the last change up to ``now``."""
        elapsed = now - self.last_time
        if elapsed > 0.0:
            self.area_receivables += self.receivables * elapsed
            self.area_payables += self.payables * elapsed
            self.last_time = now

    def end_of_day(self, now: float, inventory_value: float) -> None:
        """The snapshot of the day that ends at ``now``: charge interest on a negative
        balance, then note the lowest balance and the peak working capital.

        Parameters
        ----------
        now : float
            The snapshot time (days, a whole day).
        inventory_value : float
            The value of the stock now: on hand and owned in transit at every stock point and
            work in process at plants, at unit cost (currency).
        """
        self.advance(now)
        balance = self.balance
        if balance < 0.0:
            interest = -balance * self.interest_per_day
            balance -= interest
            self.financing_cost += interest
            self.balance = balance
        if balance < self.min_balance:
            self.min_balance = balance
        working = inventory_value + self.receivables - self.payables
        if working > self.peak_working_capital:
            self.peak_working_capital = working
        if self.trajectory is not None:
            self.trajectory.append((now - 1.0, 0.0, 0.0, 0.0, balance))

    # -- money out -------------------------------------------------------------------------

    def pay(self, now: float, amount: float, kind: str) -> None:
        """Pay ``amount`` (currency) now for a cost of ``kind`` (``"ordering"``,
        ``"expedite"``, ``"inspection"``, ``"space"``, ``"overflow"``, ...)."""
        if amount == 0.0:
            return
        self.balance -= amount
        self.paid[kind] = self.paid.get(kind, 0.0) + amount

    def sell_for_salvage(self, now: float, amount: float) -> None:
        """Expired or written-off units are sold for their salvage value now: ``amount``
        (currency) comes in at once."""
        if amount > 0.0:
            self.balance += amount
            self.salvage += amount

    def purchase(self, amount: float, now: float, pay_after: float, discount: float) -> None:
        """A supplier's invoice of ``amount`` (currency) for goods that arrived ``now``: owed
        at once, paid ``pay_after`` days later less the fraction ``discount``."""
        if amount <= 0.0:
            return
        self.advance(now)
        self.payables += amount
        self.purchases_invoiced += amount
        if pay_after <= 0.0:
            self._settle(amount, discount, now)
        else:
            self.calendar.at(now + pay_after, lambda: self._settle(amount, discount, None))

    def _settle(self, amount: float, discount: float, now: float | None) -> None:
        """Pay a supplier's invoice of ``amount`` less the fraction ``discount``."""
        self.advance(self.calendar.env.now if now is None else now)
        self.payables -= amount
        cash = amount * (1.0 - discount)
        self.balance -= cash
        self.to_suppliers += cash
        self.discounts += amount - cash

    # -- money in --------------------------------------------------------------------------

    def sale(self, amount: float, now: float) -> None:
        """A customer owes ``amount`` (currency) for a sale made ``now``."""
        self.advance(now)
        self.receivables += amount
        self.sales_invoiced += amount

    def collect_at(self, when: float, amount: float, now: float) -> None:
        """A customer pays ``amount`` (currency) at time ``when`` (now if due already)."""
        if when <= now:
            self._collect(amount, now)
        else:
            self.calendar.at(when, lambda: self._collect(amount, None))

    def _collect(self, amount: float, now: float | None) -> None:
        self.advance(self.calendar.env.now if now is None else now)
        self.receivables -= amount
        self.balance += amount
        self.from_customers += amount

    @property
    def paid_for_costs(self) -> float:
        """Money paid in the window for costs other than suppliers' invoices (currency)."""
        return sum(self.paid.values())


class SupplierAccount:
    """How one supplier lane's deliveries are paid (see :class:`SupplierPaymentTerms
    <jitsim.scenario.finance.SupplierPaymentTerms>`).

    Parameters
    ----------
    ledger : Ledger
        The replication's ledger.
    pay_after : float
        Days from the arrival of a delivery to its payment (``early_days`` when a discount is
        offered, else ``days``).
    discount : float
        Fraction of the invoice taken off at payment (0 without an early discount).
    """

    __slots__ = ("discount", "ledger", "pay_after")

    def __init__(self, ledger: Ledger, pay_after: float, discount: float) -> None:
        self.ledger = ledger
        self.pay_after = pay_after
        self.discount = discount

    def invoice(self, amount: float, now: float) -> None:
        """Goods worth ``amount`` (currency, at the purchase price) arrived ``now``."""
        self.ledger.purchase(amount, now, self.pay_after, self.discount)


class CustomerAccount:
    """How one customer pays its invoices (see :class:`CustomerPaymentTerms
    <jitsim.scenario.finance.CustomerPaymentTerms>`).

    Parameters
    ----------
    ledger : Ledger
        The replication's ledger.
    days : float
        Days from a sale to its payment.
    late_share : float
        Share of every invoice paid late.
    late_days : BlockSampler or None
        Extra days of the late share, one draw per invoice (stream ``customer.NAME.payment``);
        None when nothing is paid late.
    """

    __slots__ = ("days", "late_days", "late_share", "ledger")

    def __init__(
        self, ledger: Ledger, days: float, late_share: float, late_days: BlockSampler | None
    ) -> None:
        self.ledger = ledger
        self.days = days
        self.late_share = late_share if late_days is not None else 0.0
        self.late_days = late_days

    def invoice(self, amount: float, now: float) -> None:
        """The customer bought goods worth ``amount`` (currency) ``now``."""
        if amount <= 0.0:
            return
        ledger = self.ledger
        ledger.sale(amount, now)
        late = amount * self.late_share
        due = now + self.days
        if late > 0.0:
            assert self.late_days is not None
            ledger.collect_at(due + self.late_days.next(), late, now)
        if amount - late > 0.0:
            ledger.collect_at(due, amount - late, now)


def ledger_for(scenario: Scenario, calendar: Calendar, trajectory: bool) -> Ledger | None:
    """The ledger of a replication of ``scenario``; None unless it keeps one (``finance:`` or
    any ``payment_terms``)."""
    if not scenario.keeps_cash_ledger:
        return None
    finance = scenario.finance
    rate = finance.interest_rate_per_year if finance is not None else 0.0
    opening = finance.opening_cash if finance is not None else 0.0
    return Ledger(calendar, opening, rate / scenario.run.days_per_year, trajectory)


def supplier_account(ledger: Ledger, terms: SupplierPaymentTerms | None) -> SupplierAccount:
    """The account of a supplier lane under ``terms`` (None: paid on receipt)."""
    if terms is None:
        return SupplierAccount(ledger, 0.0, 0.0)
    return SupplierAccount(ledger, terms.pay_after, terms.early_discount)


def customer_account(
    ledger: Ledger, terms: CustomerPaymentTerms | None, rng: np.random.Generator
) -> CustomerAccount:
    """The account of a customer under ``terms`` (None: cash at the sale); ``rng`` is the
    customer's payment stream, drawn only when a share is paid late."""
    if terms is None:
        return CustomerAccount(ledger, 0.0, 0.0, None)
    late = (
        BlockSampler(terms.late_days, rng)
        if terms.late_share > 0 and terms.late_days is not None
        else None
    )
    return CustomerAccount(ledger, terms.days, terms.late_share, late)


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN when the denominator is not positive (as in
    :mod:`jitsim.model.kpis`)."""
    if not denominator > 0:
        return math.nan
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else math.nan


def cash_kpis(
    ledger: Ledger,
    *,
    window: float,
    inventory_value: float,
    cogs: float,
    revenue: float,
) -> dict[str, float]:
    """The cash-flow KPIs of the network (docs/kpis.md, group "Cash flow and payment terms").

    Parameters
    ----------
    ledger : Ledger
        The finished replication's ledger (advanced to the horizon by its last snapshot).
    window : float
        Length of the measured window (days).
    inventory_value : float
        Average value of the stock over the window (``avg_cash_tied_up``, currency).
    cogs : float
        Cost of the goods sold to customers in the window (currency).
    revenue : float
        Revenue of the window (currency).
    """
    avg_receivables = ledger.area_receivables / window
    avg_payables = ledger.area_payables / window
    dio = _ratio(inventory_value * window, cogs)
    dso = _ratio(avg_receivables * window, revenue)
    dpo = _ratio(avg_payables * window, ledger.purchases_invoiced)
    return {
        "start_cash_balance": ledger.start_balance,
        "min_cash_balance": ledger.min_balance,
        "end_cash_balance": ledger.balance,
        "financing_cost": ledger.financing_cost,
        "cash_from_customers": ledger.from_customers,
        "cash_paid_to_suppliers": ledger.to_suppliers,
        "cash_paid_for_costs": ledger.paid_for_costs,
        "cash_from_salvage": ledger.salvage,
        "early_payment_discounts": ledger.discounts,
        "avg_receivables": avg_receivables,
        "avg_payables": avg_payables,
        "peak_working_capital": ledger.peak_working_capital,
        "dio": dio,
        "dso": dso,
        "dpo": dpo,
        "cash_to_cash_days": dio + dso - dpo,
    }
