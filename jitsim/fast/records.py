"""The KPI records of the fast engine, computed by the SimPy engine's own formulas.

:func:`jitsim.model.kpis.extract` reads a finished :class:`~jitsim.model.network.Network`
through plain attributes (levels, integrals, end-of-day sums, counters). For each replication
the fast engine hands it light views with the same attributes, read off that replication's
index of the arrays, so every KPI formula — ratios, undefined values, cost bases, the weekly
variances' noise floor — is the one code path both engines share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

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
    days_all_met: int
    peak_cash: float
    end_of_life = None
    ledger = None
    disruptions = None

    def __init__(self, engine: Engine, points: dict[str, PointView], customers: dict[str, Any]):
        scenario = engine.scenario
        self.scenario = scenario
        self.plants: dict[str, Any] = {}
        self.horizon = engine.horizon
        self.window_start = engine.window_start
        self.points = points
        self.customers = customers
        self.customer_of_point = {c.buys_from for c in scenario.customers.values()}


def _columns(arrays: object, names: tuple[str, ...], kind: type) -> dict[str, list[Any]]:
    return {name: [kind(v) for v in getattr(arrays, name).tolist()] for name in names}


def records(engine: Engine, holding: dict[str, float]) -> list[dict[str, float]]:
    """The KPI record of every replication of a finished ``engine`` (``holding``: holding
    cost per unit-day of each stock point)."""
    scenario = engine.scenario
    point_columns = {
        name: {
            **_columns(point, POINT_FLOATS, float),
            **_columns(point, POINT_COUNTS, int),
        }
        for name, point in engine.points.items()
    }
    customer_columns = {
        name: {
            **_columns(customer, CUSTOMER_FLOATS, float),
            **_columns(customer, CUSTOMER_COUNTS, int),
        }
        for name, customer in engine.customers.items()
    }
    penalties = {
        name: (spec.backorder_cost_per_unit, spec.lost_sale_penalty)
        for name, spec in scenario.customers.items()
    }
    days = engine.days.tolist()
    days_all_met = engine.days_all_met.tolist()
    peak = engine.peak_cash.tolist()
    out = []
    for i in range(engine.n):
        points = {}
        for name, columns in point_columns.items():
            values = {key: column[i] for key, column in columns.items()}
            values["weeks"] = engine.points[name].weeks
            points[name] = PointView(
                name,
                values,
                engine.points[name].unit_cost,
                holding[name],
                engine.policies[name],
            )
        customers = {
            name: CustomerView(
                name, {key: column[i] for key, column in columns.items()}, penalties[name]
            )
            for name, columns in customer_columns.items()
        }
        network = NetworkView(engine, points, customers)
        network.days = days[i]
        network.days_all_met = days_all_met[i]
        network.peak_cash = peak[i]
        out.append(extract(cast("Network", network)))
    return out
