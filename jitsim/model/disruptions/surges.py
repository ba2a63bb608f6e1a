"""Demand surges: a customer's pre-drawn demand with the surge windows applied.

Only the days (or orders) inside a window are redrawn, from the surge's own stream
``disruption.<event>.<customer>``, so the rest of the demand path keeps the undisrupted draws
(common random numbers).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.customer import mean_factors
from jitsim.scenario.disruptions import DemandSurge

if TYPE_CHECKING:
    from jitsim.model.disruptions.timelines import Interval
    from jitsim.scenario.models import Customer as CustomerSpec
    from jitsim.scenario.models import Scenario
    from jitsim.streams import Streams

Surges = list[tuple[str, DemandSurge]]


def surges_of(scenario: Scenario, customer: str) -> Surges:
    """The demand surges that hit ``customer``, with their event names."""
    return [
        (name, e)
        for name, e in scenario.disruptions.items()
        if isinstance(e, DemandSurge) and customer in e.nodes
    ]


def surged_daily_demand(
    surges: Surges,
    windows: dict[str, list[Interval]],
    streams: Streams,
    name: str,
    spec: CustomerSpec,
    draws: np.ndarray,
    days_per_year: float,
) -> np.ndarray:
    """Daily demand ``draws`` of customer ``name`` with its ``surges`` applied.

    Day ``d`` is surged when its demand arrival ``d + 0.5`` lies in a window; those days
    are redrawn with the mean multiplied, from the stream ``disruption.<event>.<customer>``,
    so the other days keep the undisrupted draws.
    """
    if not surges:
        return draws
    assert spec.demand is not None
    days = np.arange(len(draws), dtype=float)
    factor = np.ones(len(draws))
    arrivals = days + 0.5
    for event_name, event in surges:
        inside = np.zeros(len(draws), dtype=bool)
        for start, end in windows[event_name]:
            inside |= (arrivals >= start) & (arrivals < end)
        factor[inside] *= event.multiplier
    hit = factor != 1.0
    if hit.any():
        rng = streams(f"disruption.{surges[0][0]}.{name}")
        scaled = mean_factors(spec, days[hit], days_per_year) * factor[hit]
        draws = draws.copy()
        draws[hit] = spec.demand.sample_scaled(rng, scaled)
    return draws


def surged_orders(
    surges: Surges,
    streams: Streams,
    horizon: float,
    name: str,
    spec: CustomerSpec,
    times: np.ndarray,
    sizes: np.ndarray,
    days_per_year: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Individual orders (``times``, ``sizes``) of customer ``name`` with its ``surges``
    applied over ``[0, horizon)``.

    Inside a window with multiplier :math:`m < 1` each order is kept with probability
    :math:`m`; with :math:`m > 1` extra orders arrive as a Poisson process of rate
    :math:`(m - 1)` times the customer's rate, with sizes from its size distribution.
    Both draw from the stream ``disruption.<event>.<customer>``.
    """
    assert spec.orders is not None
    for event_name, event in surges:
        rng = streams(f"disruption.{event_name}.{name}")
        m = event.multiplier
        for window in event.windows:
            lo, hi = window.start, min(window.start + window.days, horizon)
            if hi <= lo:
                continue
            inside = (times >= lo) & (times < hi)
            if m < 1.0:
                keep = ~inside | (rng.random(len(times)) < m)
                times, sizes = times[keep], sizes[keep]
            elif m > 1.0:
                grid = np.arange(math.floor(lo), math.ceil(hi) + 1, dtype=float)
                peak = spec.orders.rate_per_day * (m - 1.0)
                peak *= float(mean_factors(spec, grid, days_per_year).max(initial=1.0))
                count = rng.poisson(peak * (hi - lo))
                extra = np.sort(rng.uniform(lo, hi, count))
                rate = spec.orders.rate_per_day * (m - 1.0)
                thin = rng.random(count) * peak <= rate * mean_factors(spec, extra, days_per_year)
                extra = extra[thin]
                more = spec.orders.size.sample(rng, len(extra))
                order = np.argsort(np.concatenate([times, extra]), kind="stable")
                times = np.concatenate([times, extra])[order]
                sizes = np.concatenate([sizes, more])[order]
    return times, sizes
