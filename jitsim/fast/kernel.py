"""The fast engine's day loop compiled with numba: one replication at a time, for the kernel scope.

:meth:`Engine.run <jitsim.fast.engine.Engine.run>` advances a block of replications in
lockstep with about a hundred numpy operations per simulated day, each over a few thousand
values: the loop is bound by the number of array operations, not by arithmetic. Here the same
day loop is one compiled function that walks the replications one after the other, each with
plain scalars, which is an order of magnitude faster.

It runs the *kernel scope* (:func:`jitsim.fast.scope.kernel_scope`), today the fast engine's
whole scope: networks, supplier capacity, dual sourcing, expediting, every policy and forecast.

The result is bit-identical to the numpy day loop (and so to the SimPy engine): every
floating-point operation of a replication is done in the same order as
:class:`~jitsim.fast.engine.Engine` does it for that replication — ``np.where`` becomes an
``if``, the ``- 0.0`` of the revenue stays, the 1e-9 thresholds are the same — and numba is
never asked for ``fastmath``. The random numbers are the Engine's own pre-drawn arrays and the
counters are written back into its :class:`~jitsim.fast.state.PointArrays` and
:class:`~jitsim.fast.state.CustomerArrays`, so :func:`jitsim.fast.records.records` reads them
unchanged.

This module is the glue (the Engine's arrays in and out); the compiled functions are in
:mod:`jitsim.fast.kernel_loop`. Both import numba: they are imported lazily, only when the
kernel runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from jitsim.fast.disruptions import Disruptions, shocks_of_lane
from jitsim.fast.kernel_loop import (
    ALWAYS,
    COUNTS,
    CUSTOMER_COUNT_LAYOUT,
    CUSTOMER_FLOAT_LAYOUT,
    FLOATS,
    FORECAST_SLOT,
    JIT,
    KANBAN,
    LANE_INTO,
    LANE_IS_BACKUP,
    LANE_LOT,
    LANE_MAX_DELAY,
    LANE_MEAN,
    LANE_MIN_ORDER,
    LANE_ORDER_COST,
    LANE_POLICY,
    LANE_POLICY_A,
    LANE_POLICY_B,
    LANE_SUPPLIER,
    LANE_UNIT_COST,
    LANE_UNIT_PRICE,
    LANE_UPSTREAM,
    LANE_WIDTH,
    MOVING_AVERAGE,
    NAIVE,
    ORACLE,
    R_Q,
    RULE_BACKUP,
    RULE_COST,
    RULE_EXPEDITE,
    RULE_LEVEL,
    RULE_PREMIUM,
    RULE_SHARE,
    RULE_SHIPPED,
    RULE_UP_TO,
    S_S,
    SMOOTHING,
    TERM_BACKORDER_COST,
    TERM_BACKORDERS,
    TERM_POINT,
    TERM_PRICE,
    day_loop,
)
from jitsim.policies.classic import Kanban, OrderUpTo, ReorderPointQuantity
from jitsim.policies.forecast import (
    _ERROR_BLOCK,
    ExponentialSmoothingForecaster,
    MovingAverageForecaster,
    NaiveForecaster,
    OracleForecaster,
)
from jitsim.policies.jit import JITPolicy
from jitsim.scenario.disruptions import Outage

if TYPE_CHECKING:
    from jitsim.fast.engine import Engine


def _policy_code(policy: object) -> tuple[int, float, float]:
    """The kernel's code and two parameters of a runtime policy (``order_quantity``)."""
    if isinstance(policy, OrderUpTo):
        if policy.always:
            return ALWAYS, float(policy.S), 0.0
        return S_S, float(policy.S), float(policy.s)
    if isinstance(policy, ReorderPointQuantity):  # (r,Q) and EOQ
        return R_Q, float(policy.r), float(policy.Q)
    if isinstance(policy, Kanban):  # the loop computed as lanes.order_quantities does
        return KANBAN, float(policy.cards * policy.container_size), float(policy.container_size)
    if isinstance(policy, JITPolicy):
        return JIT, float(policy.cover_days), 0.0
    raise TypeError(f"the compiled day loop has no form of {type(policy).__name__}")


def _oracles(engine: Engine, names: list[str], forecasts: np.ndarray) -> tuple[np.ndarray, ...]:
    """The cumulative demand and the errors of every oracle forecast, stacked (oracles,
    replications, ...), each oracle's slot set in ``forecasts``. An oracle draws one error
    per review, in blocks of ``_ERROR_BLOCK`` from its stream (ForecastArrays._oracle): all
    its blocks are drawn here, the same number as the numpy loop draws."""
    oracles = [
        name
        for name in names
        if isinstance(getattr(engine.policies[name], "forecaster", None), OracleForecaster)
    ]
    n, horizon = engine.n, engine.horizon
    blocks = max((-(-len(engine.reviews[name]) // _ERROR_BLOCK) for name in oracles), default=0)
    cumulative = np.zeros((max(len(oracles), 1), n, horizon + 1))
    errors = np.zeros((max(len(oracles), 1), n, max(blocks * _ERROR_BLOCK, 1)))
    for slot, name in enumerate(oracles):
        state = engine.forecasts[name]
        oracle = state.forecaster
        assert isinstance(oracle, OracleForecaster)
        cumulative[slot] = state.cumulative
        drawn = -(-len(engine.reviews[name]) // _ERROR_BLOCK)
        for i, rng in enumerate(state.rngs):
            for block in range(drawn):
                errors[slot, i, block * _ERROR_BLOCK : (block + 1) * _ERROR_BLOCK] = rng.lognormal(
                    oracle.mu, oracle.sigma, _ERROR_BLOCK
                )
        forecasts[names.index(name), FORECAST_SLOT] = slot
    return cumulative, errors


def _forecasts(engine: Engine, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each stock point's forecaster as the kernel keeps it: code, parameter and starting
    level (``forecasts``), and a moving average's starting ring of days (``forecast_ring``),
    from the runtime policy's forecaster (the same start in every replication)."""
    forecasts = np.zeros((len(names), FORECAST_SLOT + 1))
    rings: dict[int, list[float]] = {}
    for p, name in enumerate(names):
        policy = engine.policies[name]
        if not isinstance(policy, JITPolicy):
            continue
        forecaster = policy.forecaster
        if isinstance(forecaster, NaiveForecaster):
            forecasts[p, :3] = NAIVE, 0.0, float(forecaster.last)
        elif isinstance(forecaster, MovingAverageForecaster):
            forecasts[p, :3] = MOVING_AVERAGE, forecaster.window, float(forecaster.total)
            rings[p] = [float(value) for value in forecaster.values]
        elif isinstance(forecaster, ExponentialSmoothingForecaster):
            forecasts[p, :3] = SMOOTHING, forecaster.alpha, float(forecaster.level)
        elif isinstance(forecaster, OracleForecaster):  # the span as OracleForecaster.rate's
            forecasts[p, :3] = ORACLE, max(policy.protection, 1.0), 0.0
        else:
            raise TypeError(f"the compiled day loop has no form of {type(forecaster).__name__}")
    ring = np.zeros((len(names), max((len(v) for v in rings.values()), default=1)))
    for p, values in rings.items():
        ring[p, : len(values)] = values
    return forecasts, ring


def _pack(objects: list, names: tuple[str, ...], n: int, dtype: type) -> np.ndarray:
    """The attributes ``names`` of each object (arrays over ``n`` replications), stacked as
    (replications, objects, names)."""
    out: np.ndarray = np.empty((n, len(objects), len(names)), dtype=dtype)
    for i, thing in enumerate(objects):
        for f, name in enumerate(names):
            out[:, i, f] = getattr(thing, name)
    return out


def _unpack(packed: np.ndarray, objects: list, names: tuple[str, ...]) -> None:
    """Set each object's attributes ``names`` back from ``packed`` (as :func:`_pack`)."""
    for i, thing in enumerate(objects):
        for f, name in enumerate(names):
            setattr(thing, name, packed[:, i, f].copy())


class _NoDisruptions:
    """The disruption arrays of a scenario without disruptions
    (:class:`~jitsim.fast.disruptions.Disruptions`'s, one of everything: never read)."""

    def __init__(self, suppliers: int, points: int, n: int) -> None:
        self.bounds = np.zeros((2, suppliers + points, 1, 1))
        self.counts = np.zeros((suppliers + points, 1), dtype=np.int64)
        self.day_capacity = np.zeros((max(suppliers, 1), 1, 1))
        self.terms = np.zeros((max(suppliers, 1), 2), dtype=np.int64)
        self.event_bounds = np.zeros((2, 1, 1, 1))
        self.event_counts = np.zeros((1, 1), dtype=np.int64)
        self.shock_terms = np.zeros((1, 2))
        self.losses = np.zeros((0, 3))
        self.active_noon = np.zeros((1, 1), dtype=np.bool_)
        self.refused = np.zeros((max(n, 1), 1))
        self.destroyed = np.zeros((max(n, 1), 1))
        self.short_in = np.zeros((max(n, 1), 1))
        self.demand_by_day = np.zeros((max(n, 1), 1))
        self.short_by_day = np.zeros((max(n, 1), 1))


def _lane_disruptions(engine: Engine, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each lane's lead-time shocks (events, -1 padded) and whether disruptions touch it
    (the SimPy engine gives it a LaneDisruption: its supplier has outages, a shock that
    changes something hits it, or the stock point it goes to has outages)."""
    resolved = engine.scenario
    outaged = {
        node
        for event in resolved.disruptions.values()
        if isinstance(event, Outage)
        for node in event.nodes
    }
    shocks = [
        shocks_of_lane(resolved, lane.into, lane.supplier)
        for lane in (engine.lanes[key] for key in keys)
    ]
    table = np.full((len(keys), max([len(row) for row in shocks] + [1])), -1, dtype=np.int64)
    hooked = np.zeros(len(keys), dtype=np.bool_)
    for row, key in enumerate(keys):
        lane = engine.lanes[key]
        table[row, : len(shocks[row])] = shocks[row]
        hooked[row] = bool(shocks[row]) or lane.into in outaged or lane.supplier in outaged
    return table, hooked


def run_kernel(engine: Engine) -> None:
    """Simulate ``engine``'s block with the compiled day loop, leaving the same counters in
    its arrays as :meth:`Engine.run <jitsim.fast.engine.Engine.run>` would.

    Parameters
    ----------
    engine : Engine
        A fresh engine (nothing run yet) of a scenario in the kernel scope
        (:func:`jitsim.fast.scope.kernel_scope` is None).
    """
    names = list(engine.points)
    points = [engine.points[name] for name in names]
    customers = list(engine.customers.values())
    customer_names = list(engine.customers)
    n = engine.n
    horizon = engine.horizon
    pf = _pack(points, FLOATS, n, float)
    pc = _pack(points, COUNTS, n, np.int64)
    cf = _pack(customers, CUSTOMER_FLOAT_LAYOUT, n, float)
    cc = _pack(customers, CUSTOMER_COUNT_LAYOUT, n, np.int64)
    network = np.zeros((n, 3))
    network[:, 0] = engine.days
    network[:, 1] = engine.days_all_met
    network[:, 2] = engine.peak_cash
    is_review = np.zeros((len(points), max(horizon, 1)), dtype=np.bool_)
    for p, name in enumerate(names):
        is_review[p, sorted(engine.reviews[name])] = True
    # the regular lanes first, each at its stock point's row, then backups and expedites
    keys = names + [key for key in engine.lane_keys if key not in engine.points]
    lanes = np.zeros((len(keys), LANE_MEAN + 1))
    suppliers = list(engine.scenario.suppliers)
    capacity = np.array(
        [engine.scenario.suppliers[name].capacity_per_day or 0.0 for name in suppliers]
    )
    for row, key in enumerate(keys):
        lane = engine.lanes[key]
        p = engine.point_index[lane.into]
        lanes[row, LANE_UNIT_COST] = points[p].unit_cost
        lanes[row, LANE_MIN_ORDER] = lane.min_order
        lanes[row, LANE_LOT] = lane.lot_multiple or 0.0
        lanes[row, LANE_ORDER_COST] = lane.order_cost
        lanes[row, LANE_UNIT_PRICE] = lane.unit_price
        upstream = lane.upstream
        lanes[row, LANE_UPSTREAM] = -1 if upstream is None else engine.point_index[upstream]
        lanes[row, LANE_SUPPLIER] = -1 if lane.supplier is None else suppliers.index(lane.supplier)
        lanes[row, LANE_INTO] = p
        lanes[row, LANE_IS_BACKUP] = 1.0 if lane.is_backup else 0.0
        lanes[row, LANE_MAX_DELAY] = lane.max_delay
        lanes[row, LANE_MEAN] = engine.lead_times[key].mean
    rules = np.zeros((len(points), RULE_PREMIUM + 1))
    rules[:, [RULE_BACKUP, RULE_EXPEDITE]] = -1
    for p, name in enumerate(names):
        code = _policy_code(engine.policies[name])
        lanes[p, LANE_POLICY], lanes[p, LANE_POLICY_A], lanes[p, LANE_POLICY_B] = code
        spec = engine.scenario.stock_points[name]
        if spec.backup is not None:
            rules[p, RULE_BACKUP] = keys.index(f"{name}.backup")
            share = spec.backup.share
            rules[p, RULE_SHARE] = -1.0 if share is None else share
        rule = spec.expedite
        if rule is not None:
            rules[p, RULE_EXPEDITE] = keys.index(f"{name}.expedite")
            rules[p, RULE_LEVEL] = rule.level
            rules[p, RULE_UP_TO] = rule.order_up_to
            rules[p, RULE_SHIPPED] = 1.0 if rule.position == "shipped" else 0.0
            rules[p, RULE_COST] = rule.order_cost
            rules[p, RULE_PREMIUM] = rule.premium_per_unit
    owned = np.array([engine.lanes[key].owned_in_transit for key in keys], dtype=np.bool_)
    customer_terms = np.zeros((len(customers), TERM_POINT + 1))
    for c, (name, customer) in enumerate(zip(customer_names, customers, strict=True)):
        customer_terms[c, TERM_PRICE] = customer.price
        customer_terms[c, TERM_BACKORDER_COST] = customer.backorder_cost_per_unit_day
        customer_terms[c, TERM_BACKORDERS] = 1.0 if customer.backorders else 0.0
        customer_terms[c, TERM_POINT] = engine.point_index[
            engine.scenario.customers[name].buys_from
        ]
    demand = np.zeros((len(customers), n, max(horizon, 1)))
    for c, name in enumerate(customer_names):
        demand[c, :, :horizon] = engine.demand[name]
    review_order = np.array([engine.point_index[name] for name in engine.review_order])
    forecasts, forecast_ring = _forecasts(engine, names)
    cumulative, errors = _oracles(engine, names, forecasts)
    queue_size = max(point.queue_units.shape[1] for point in points)
    weeks = np.zeros((len(points), 2), dtype=np.int64)
    # without disruptions, placeholders the loop never reads (nothing is ever down)
    hit: Disruptions | _NoDisruptions = (
        engine.disruptions
        if engine.disruptions is not None
        else _NoDisruptions(len(suppliers), len(points), n)
    )
    lane_shocks, lane_hook = _lane_disruptions(engine, keys)
    # The lead times are drawn as the numpy day loop draws them: a block of 64 more for every
    # replication as soon as one replication needs it (draws.LeadTimes). The kernel stops at
    # that replication, whose counters are put back to their initial values, and resumes
    # there with the new block.
    initial = [array.copy() for array in (pf, pc, cf, cc, network)]
    overflow = np.full(1, -1, dtype=np.int64)
    start = 0
    while True:
        draws = [engine.lead_times[key].values for key in keys]
        leads = np.zeros((len(keys), n, max(d.shape[1] for d in draws)))
        for p, values in enumerate(draws):
            leads[p, :, : values.shape[1]] = values
            lanes[p, LANE_WIDTH] = values.shape[1]
        start = day_loop(
            start, horizon, engine.warmup, pf, pc, cf, cc, network, weeks, demand, leads,
            overflow, is_review, review_order, lanes, owned, customer_terms, rules, forecasts,
            forecast_ring, capacity, cumulative, errors, queue_size,
            engine.disruptions is not None, hit.bounds, hit.counts, hit.day_capacity, hit.terms,
            hit.event_bounds, hit.event_counts, hit.shock_terms, lane_shocks, lane_hook,
            hit.losses, hit.active_noon, hit.refused, hit.destroyed, hit.short_in,
            hit.demand_by_day, hit.short_by_day,
        )  # fmt: skip
        if start == n:
            break
        for array, first in zip((pf, pc, cf, cc, network), initial, strict=True):
            array[start] = first[start]
        for counted in (
            hit.refused,
            hit.destroyed,
            hit.short_in,
            hit.demand_by_day,
            hit.short_by_day,
        ):
            counted[start] = 0.0
        short = engine.lead_times[keys[int(overflow[0])]]
        short.ensure(short.values.shape[1])
        overflow[0] = -1
    _unpack(pf, points, FLOATS)
    _unpack(pc, points, COUNTS)
    _unpack(cf, customers, CUSTOMER_FLOAT_LAYOUT)
    _unpack(cc, customers, CUSTOMER_COUNT_LAYOUT)
    engine.days[:] = network[:, 0]
    engine.days_all_met[:] = network[:, 1]
    engine.peak_cash[:] = network[:, 2]
    if n:
        for p, point in enumerate(points):
            point.weeks = int(weeks[p, 0])
            point.week_days_left = int(weeks[p, 1])
    if engine.warmup <= horizon:  # Engine.reset ran
        engine.window_start = float(engine.warmup)
        for point in points:
            point.window_start = float(engine.warmup)
