"""Planning figures of a model: what a stock point's lanes and policy are built with.

Pure functions of a resolved scenario, used by :mod:`jitsim.model.builder`; the planning
demand itself is :func:`jitsim.scenario.planning.planning_demand`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from jitsim.distributions import Constant
from jitsim.policies.base import PolicyContext
from jitsim.scenario.planning import material_sources

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
    from jitsim.scenario.models import Scenario
    from jitsim.scenario.models import StockPoint as StockPointSpec


def inbound_lead_time(scenario: Scenario, spec: StockPointSpec) -> BaseDistribution:
    """Lead time of a stock point's regular lane (days): its own, else its supplier's; a
    plant's transit time is 0 unless given."""
    if spec.lead_time is not None:
        return spec.lead_time
    if spec.source in scenario.suppliers:
        return scenario.suppliers[spec.source].lead_time
    assert spec.source in scenario.plants  # an internal lane has a lead time (validated)
    return Constant(value=0)


def inbound_order_cost(scenario: Scenario, spec: StockPointSpec) -> float:
    """Fixed cost per order :math:`K` of a stock point's regular lane (currency)."""
    if spec.source in scenario.suppliers:
        supplier = scenario.suppliers[spec.source]
        return spec.order_cost if spec.order_cost is not None else supplier.order_cost
    return spec.order_cost or 0.0


def planned_lead_time(scenario: Scenario, spec: StockPointSpec) -> tuple[float, float]:
    """Mean and variance of the replenishment time a stock point's policy plans with (days).

    The regular lane's lead time; from a plant, plus the nominal time to make one batch (no
    queueing); with ``split: shares``, the lead time of a random unit (a two-lane mixture).
    """
    lead = inbound_lead_time(scenario, spec)
    making_mean = making_var = 0.0
    if spec.source in scenario.plants:
        product = scenario.plants[spec.source].products[spec.item]
        units = product.batch_size if product.per == "unit" else 1
        making_mean = product.setup_time.mean + units * product.processing_time.mean
        making_var = product.setup_time.variance + units**2 * product.processing_time.variance
    mean, var = lead.mean + making_mean, lead.variance + making_var
    backup = spec.backup
    if backup is not None and backup.split == "shares":
        share = backup.share
        assert share is not None
        supplier = scenario.suppliers[backup.source]
        backup_lead = backup.lead_time if backup.lead_time is not None else supplier.lead_time
        gap = backup_lead.mean - mean
        var = (1 - share) * var + share * backup_lead.variance + share * (1 - share) * gap * gap
        mean += share * gap
    return mean, var


def review_depth(scenario: Scenario, name: str) -> int:
    """Echelons between a stock point and the outside suppliers (reviews go deepest first,
    so a source sees today's orders of the points it feeds)."""
    source = scenario.stock_points[name].source
    if source in scenario.suppliers:
        return 0
    if source in scenario.plants:
        feeding = material_sources(scenario, source).values()
        return 1 + max((review_depth(scenario, point) for point in feeding), default=0)
    return 1 + review_depth(scenario, source)


def future_demand(per_day: np.ndarray) -> Callable[[float, float], float]:
    """``f(t, P)``: the true demand still to come in the next ``P`` days after time ``t``.

    Day ``d``'s demand arrives at ``d + 0.5``; ``f`` sums the days with ``t < d + 0.5 ≤ t + P``,
    so a review at an integer time sees days ``t … t+P−1`` and a continuous review right after
    the demand of day ``t`` sees days ``t+1 … t+P`` (today's demand has already happened).
    Beyond the horizon the known part is scaled up to the full span.
    """
    cumulative: list[float] = []  # made on the first call: most policies never ask
    days = len(per_day)

    def future(start: float, span: float) -> float:
        if not cumulative:
            cumulative.extend(np.concatenate([[0.0], np.cumsum(per_day)]).tolist())
        first = max(math.floor(start - 0.5) + 1, 0)  # smallest d with d + 0.5 > start
        last = math.floor(start + span - 0.5)  # largest d with d + 0.5 <= start + span
        if first >= days or last < first:
            return 0.0
        if last >= days:  # beyond the horizon: scale what is known
            known = cumulative[days] - cumulative[first]
            return known * (last - first + 1) / (days - first)
        return cumulative[last + 1] - cumulative[first]

    return future


def policy_context(
    scenario: Scenario,
    name: str,
    spec: StockPointSpec,
    planning: tuple[dict[str, float], dict[str, float]],
    *,
    holding: float,
    rng: Callable[[str], np.random.Generator],
    future: Callable[[float, float], float] | None,
) -> PolicyContext:
    """What the policy of stock point ``name`` is built with: the planning demand's mean and
    variance (``planning``, units/day and units²/day), the planned lead time, the review
    period, ``holding`` (currency/unit/day), the inbound order cost, the random streams
    ``rng`` and the true future demand ``future`` (the oracle's; None when unknown)."""
    demand_mean, demand_var = planning
    lead_mean, lead_var = planned_lead_time(scenario, spec)
    return PolicyContext(
        stock_point=name,
        demand_mean=demand_mean[name],
        demand_var=demand_var[name],
        lead_time_mean=lead_mean,
        lead_time_var=lead_var,
        review_period=spec.review.period,
        holding_cost_per_unit_day=holding,
        order_cost=inbound_order_cost(scenario, spec),
        days_per_year=scenario.run.days_per_year,
        rng=rng,
        future_demand=future,
    )
