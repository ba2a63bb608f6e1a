"""The KPI records of the fast engine, computed by the SimPy engine's own formulas.

:func:`jitsim.model.kpis.extract` reads a finished :class:`~jitsim.model.network.Network`
through plain attributes (levels, integrals, end-of-day sums, counters). The fast engine
hands it light views with the same attributes, holding arrays over the replications (the
ratios of :mod:`jitsim.model.kpis` are element-wise on arrays), so every KPI formula —
ratios, undefined values, cost bases, the weekly variances' noise floor — is the one code
path both engines share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from jitsim.fast.state import CUSTOMER_COUNTS, CUSTOMER_FLOATS, POINT_COUNTS, POINT_FLOATS
from jitsim.model.kpis import extract
from jitsim.model.stock_point import WeeklyVariances

if TYPE_CHECKING:
    from jitsim.fast.engine import Engine
    from jitsim.model.network import Network
    from jitsim.policies.base import Policy


class PointView:
    """A stock point of one replication, as :func:`~jitsim.model.kpis.extract` reads it."""

    space = None
    shelf = None
    expedite = None
    backup = None
    end_of_life = None
    orders_to_backup = 0
    units_from_backup = 0.0
    units_inspected = 0.0
    units_rejected = 0.0
    inspection_cost = 0.0

    def __init__(
        self,
        name: str,
        values: dict[str, Any],
        unit_cost: float,
        holding_per_unit_day: float,
        policy: Policy,
    ) -> None:
        self.name = name
        self.unit_cost = unit_cost
        self.holding_per_unit_day = holding_per_unit_day
        self.policy = policy
        self.__dict__.update(values)
        weekly = WeeklyVariances()
        weekly.weeks = values["weeks"]
        weekly.order_mean = values["order_mean"]
        weekly.order_m2 = values["order_m2"]
        weekly.demand_mean = values["demand_mean"]
        weekly.demand_m2 = values["demand_m2"]
        self.weekly = weekly


class ExpediteView:
    """A stock point's emergency orders, as :func:`~jitsim.model.kpis.extract` reads them."""

    def __init__(self, orders: np.ndarray, units: np.ndarray, cost: np.ndarray) -> None:
        self.orders = orders
        self.units = units
        self.cost = cost


class CustomerView:
    """A customer of one replication, as :func:`~jitsim.model.kpis.extract` reads it."""

    backordered_units: float
    lost_units: float

    def __init__(self, name: str, values: dict[str, Any], penalties: tuple[float, float]) -> None:
        self.name = name
        self.__dict__.update(values)
        self._penalties = penalties

    @property
    def shortage_penalties(self) -> float:
        """As :attr:`Customer.shortage_penalties <jitsim.model.customer.Customer>`."""
        per_backorder, per_lost = self._penalties
        return self.backordered_units * per_backorder + self.lost_units * per_lost


class NetworkView:
    """A finished replication, as :func:`~jitsim.model.kpis.extract` reads it."""

    days: int
    days_all_met: np.ndarray
    peak_cash: np.ndarray
    end_of_life = None
    ledger = None

    def __init__(self, engine: Engine, points: dict[str, PointView], customers: dict[str, Any]):
        scenario = engine.scenario
        self.scenario = scenario
        self.plants: dict[str, Any] = {}
        #: The disruptions (their KPIs, as columns), None without.
        self.disruptions = engine.disruptions
        self.horizon = engine.horizon
        self.window_start = engine.window_start
        self.points = points
        self.customers = customers
        self.customer_of_point = list(
            dict.fromkeys(c.buys_from for c in scenario.customers.values())
        )


def _column(value: Any, n: int) -> np.ndarray:
    """One KPI's values in the ``n`` replications as float64 (a constant repeated): each
    element is the ``float(v)`` the records always held, without a Python float per value."""
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()


def columns(engine: Engine, holding: dict[str, float]) -> dict[str, np.ndarray]:
    """The KPI columns of every replication of a finished ``engine`` (``holding``: holding
    cost per unit-day of each stock point): KPI → float64 array over the replications, in the
    order of the KPIs of a SimPy record.

    :func:`~jitsim.model.kpis.extract` runs once, on views whose attributes are the arrays over
    replications (its ratios are element-wise then); counts of days are the same in every
    replication and stay plain numbers, as the SimPy engine's are.
    """
    scenario = engine.scenario
    n = engine.n
    points = {}
    for name, point in engine.points.items():
        values: dict[str, Any] = {key: getattr(point, key) for key in POINT_FLOATS}
        values.update({key: getattr(point, key) for key in POINT_COUNTS})
        days = point.days
        assert not n or days.min() == days.max()  # every replication counts the same days
        values["days"] = int(days[0]) if n else 0
        values["weeks"] = point.weeks
        if name in engine.expediting:  # read by extract as point.expedite
            values["expedite"] = ExpediteView(
                point.expedited_orders, point.expedited_units, point.expedite_cost
            )
        points[name] = PointView(
            name, values, point.unit_cost, holding[name], engine.policies[name]
        )
    customers: dict[str, Any] = {}
    for name, customer in engine.customers.items():
        values = {key: getattr(customer, key) for key in (*CUSTOMER_FLOATS, *CUSTOMER_COUNTS)}
        spec = scenario.customers[name]
        customers[name] = CustomerView(
            name, values, (spec.backorder_cost_per_unit, spec.lost_sale_penalty)
        )
    network = NetworkView(engine, points, customers)
    network.days = int(engine.days[0]) if n else 0
    network.days_all_met = engine.days_all_met
    network.peak_cash = engine.peak_cash
    record = extract(cast("Network", network))
    return {kpi: _column(value, n) for kpi, value in record.items()}


def as_records(kpis: dict[str, np.ndarray]) -> list[dict[str, float]]:
    """The KPI record (a dict of Python floats) of every replication of ``kpis``' columns —
    for callers that want rows; the batch keeps the columns."""
    keys = list(kpis)
    rows = zip(*(column.tolist() for column in kpis.values()), strict=True)
    return [dict(zip(keys, row, strict=True)) for row in rows]


def records(engine: Engine, holding: dict[str, float]) -> list[dict[str, float]]:
    """The KPI record of every replication of a finished ``engine`` (:func:`columns`, as
    rows)."""
    return as_records(columns(engine, holding))
