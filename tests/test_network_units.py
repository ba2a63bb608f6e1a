"""Small units of the network wiring: the oracle's view of the future, time snapping."""

from __future__ import annotations

import numpy as np

from jitsim.model.network import _future_demand, _snap


def test_future_demand_counts_only_demand_still_to_come() -> None:
    future = _future_demand(np.array([1.0, 10.0, 100.0, 1000.0]))
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
    assert _snap(0.1 + 0.2 + 2.7) == 3.0
    assert _snap(2.9999999999999996) == 3.0
    assert _snap(2.5) == 2.5
    assert _snap(2.999) == 2.999
