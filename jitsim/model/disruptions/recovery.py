"""What disruptions did to the network: downtime, losses, refusals and service recovery.

:func:`disruption_kpis` is the disruption part of the KPI record; the service-recovery
measures follow the rolling fill rate of all customers from each event's onset.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.disruptions.effects import DisruptedCustomer

if TYPE_CHECKING:
    from jitsim.model.disruptions.events import Disruptions
    from jitsim.model.network import Network


def rolling_fill_rate(demand: np.ndarray, short: np.ndarray, days: int) -> np.ndarray:
    """Fill rate on arrival over the ``days`` days ending with each day (1 when no demand).

    Element ``d`` is ``1 − Σ short / Σ demand`` over days ``max(0, d − days + 1) … d``.
    """
    demand_sum = np.cumsum(demand)
    short_sum = np.cumsum(short)
    demand_sum[days:] = demand_sum[days:] - demand_sum[:-days]
    short_sum[days:] = short_sum[days:] - short_sum[:-days]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1.0 - short_sum / demand_sum
    return np.where(demand_sum > 1e-12, rate, 1.0)


def service_recovery(
    fill: np.ndarray, onset: int, below: float, recovered: float
) -> tuple[float, float, float]:
    """When service drops after ``onset`` and how long it takes to recover.

    Parameters
    ----------
    fill : ndarray
        Rolling fill rate of every day of the run (:func:`rolling_fill_rate`).
    onset : int
        First day looked at.
    below, recovered : float
        The drop is the first day ``d ≥ onset`` with ``fill[d] < below``; recovery is the
        first later day with ``fill ≥ recovered``.

    Returns
    -------
    (drop_day, recovery_days, recovered)
        ``recovery_days`` = recovery day − drop day, or days from the drop to the end of the
        run if service never recovered (``recovered`` = 0, right-censored); all NaN without a
        drop.
    """
    after = fill[onset:]
    dropped = np.flatnonzero(after < below)
    if dropped.size == 0:
        return math.nan, math.nan, math.nan
    drop = onset + int(dropped[0])
    back = np.flatnonzero(fill[drop + 1 :] >= recovered)
    if back.size == 0:
        return float(drop), float(len(fill) - drop), 0.0
    return float(drop), float(back[0] + 1), 1.0


def disruption_kpis(disruptions: Disruptions, network: Network) -> dict[str, float]:
    """Disruption KPIs over the measured window (flat; node KPIs prefixed ``NODE.``).

    ``NODE.downtime_days`` for every supplier, plant and stock point (a stock point is
    down while its inbound lanes are closed); ``STOCK_POINT.units_destroyed``
    and ``STOCK_POINT.refused_orders`` for every stock point, and their network totals;
    ``lost_sales_in_disruption``: customer units not met from stock on arrival
    (backordered or lost) that arrived while any disruption window was active;
    ``disrupted_days``: days of the window with some disruption active;
    ``EVENT.first_shortfall_day`` for every event with windows (all kinds but stock
    losses): time (days since the start of the run) of the first customer unit not met
    from stock on arrival while the event was active, NaN if none.
    ``EVENT.service_drop_day``, ``EVENT.service_recovery_days``, ``EVENT.service_recovered``
    for every event: from the event's onset (its first window or loss after warm-up) the
    first day the rolling fill rate of all customers (``run.service_recovery``) falls below
    ``below``, the days until it is back at ``recovered`` or above (to the end of the run
    if never: ``service_recovered`` 0, right-censored), NaN when it never drops.
    """
    start, end = network.window_start, float(network.horizon)
    record: dict[str, float] = {}
    for name in (*network.suppliers, *network.plants, *network.points):
        timeline = disruptions.down.get(name)
        record[f"{name}.downtime_days"] = (
            timeline.downtime(start, end) if timeline is not None else 0.0
        )
    refused = dict.fromkeys(network.points, 0.0)
    for hook in disruptions.lanes:
        refused[disruptions.lane_owner[id(hook)]] += hook.refused
    for name in network.points:
        record[f"{name}.units_destroyed"] = disruptions.destroyed.get(name, 0.0)
        record[f"{name}.refused_orders"] = refused[name]
    record["units_destroyed"] = sum(disruptions.destroyed.values(), 0.0)  # a float when none
    record["refused_orders"] = sum(refused.values())
    customers = [c for c in network.customers.values() if isinstance(c, DisruptedCustomer)]
    record["lost_sales_in_disruption"] = sum(c.short_in_disruption for c in customers)
    record["disrupted_days"] = disruptions.service.active.downtime(start, end)
    for name, _ in disruptions.service.watched:
        times = [c.first_short[name] for c in customers if name in c.first_short]
        record[f"{name}.first_shortfall_day"] = min(times) if times else math.nan
    record.update(_recovery_kpis(disruptions))
    return record


def _recovery_kpis(disruptions: Disruptions) -> dict[str, float]:
    """``EVENT.service_drop_day``, ``…service_recovery_days``, ``…service_recovered``."""
    settings = disruptions.scenario.run.service_recovery
    warmup, horizon = disruptions.warmup, disruptions.horizon
    fill = rolling_fill_rate(
        np.asarray(disruptions.service.demand_by_day),
        np.asarray(disruptions.service.short_by_day),
        settings.window_days,
    )
    record: dict[str, float] = {}
    for name, windows in disruptions.windows.items():
        starts = [a for a, b in windows if b > warmup or (a == b and a >= warmup)]
        drop, days, back = (
            service_recovery(
                fill, max(math.floor(starts[0]), warmup), settings.below, settings.recovered
            )
            if starts and starts[0] < horizon
            else (math.nan, math.nan, math.nan)
        )
        record[f"{name}.service_drop_day"] = drop
        record[f"{name}.service_recovery_days"] = days
        record[f"{name}.service_recovered"] = back
    return record
