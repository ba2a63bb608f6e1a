"""Small units of the network wiring: the oracle's view of the future, time snapping."""

from __future__ import annotations

import numpy as np
import pytest

import jitsim
from jitsim.model.calendar import snap
from jitsim.model.planning import future_demand


def test_future_demand_counts_only_demand_still_to_come() -> None:
    future = future_demand(np.array([1.0, 10.0, 100.0, 1000.0]))
    # A review at day 1 (before that day's demand at 1.5): days 1 and 2.
    assert future(1.0, 2.0) == 110.0
    # A continuous review right after day 1's demand (t = 1.5): days 2 and 3.
    assert future(1.5, 2.0) == 1100.0
    # Fractional spans count whole demand instants: (1, 3.5] holds days 1, 2, 3.
    assert future(1.0, 2.5) == 1110.0
    # Past the horizon the known part is scaled to the span: day 3 stands for 2 days.
    assert future(3.0, 2.0) == 2000.0
    assert future(4.0, 2.0) == 0.0


def test_times_a_hair_from_a_whole_day_are_that_day() -> None:
    assert snap(0.1 + 0.2 + 2.7) == 3.0
    assert snap(2.9999999999999996) == 3.0
    assert snap(2.5) == 2.5
    assert snap(2.999) == 2.999


def test_time_weighted_on_order_by_hand() -> None:
    """Constant demand 2/day, lead time 3, daily (s,S) = (10, 20), initial 20, 30 days: orders
    of 10 on days 5, 10, 15, 20, 25 arrive 3 days later, so 10 units are on order for 15 of
    the 30 days: avg_on_order = 150 / 30 = 5 (and so is its end-of-day twin). An order placed
    at a periodic review must close the on-order area at the old level first."""
    text = """
name: shop
run: {horizon_days: 30, warmup_days: 0, seed: 7}
items:
  widget: {unit_cost: 10.0, price: 20.0}
suppliers:
  acme: {items: [widget], lead_time: 3}
stock_points:
  store: {item: widget, source: acme, initial: 20, policy: {kind: s_S, s: 10, S: 20}}
customers:
  walk_in: {buys_from: store, demand: 2}
"""
    kpis = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0).kpis
    assert kpis["store.avg_on_order"] == pytest.approx(5.0, abs=1e-12)
    assert kpis["store.avg_on_order_eod"] == pytest.approx(5.0, abs=1e-12)
