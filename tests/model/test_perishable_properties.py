"""Hypothesis properties of random small perishable scenarios.

The random one-store and two-echelon scenarios of ``test_properties.py``, made perishable (a
constant or random shelf life, any issuing rule, sometimes a markdown and a salvage value):
every unit received is shipped, expired or still on hand; the batches on the shelf are the
on-hand stock; the KPIs agree with the trace; and profit is revenue plus salvage less all the
money spent.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY_SETTINGS, TOL, close, load, one_store, two_echelon

import jitsim
from jitsim.model.kpis import extract
from jitsim.model.network import build
from jitsim.streams import Streams

SHELF_LIVES = st.one_of(
    st.sampled_from([1, 2, 3.5, 6]),
    st.just({"kind": "discrete_uniform", "low": 1, "high": 5}),
    st.just({"kind": "uniform", "low": 0.5, "high": 4}),
)


@st.composite
def perishable(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    data = draw(base)
    item = data["items"]["w"]
    item["shelf_life"] = draw(SHELF_LIVES)
    item["salvage_value"] = draw(st.sampled_from([0, 2]))
    if draw(st.booleans()):
        item["markdown"] = {"days_before_expiry": 1, "price_factor": 0.5}
    for point in data["stock_points"].values():
        point["issue"] = draw(st.sampled_from(["fifo", "fefo", "lifo"]))
    return data


def _check(data: dict[str, Any]) -> None:
    network = build(jitsim.resolve(load(data), "base"), Streams(11, 0), trace=True)
    network.run()
    k = extract(network)
    trace = network.trace
    assert trace is not None
    expired_total = 0.0
    for name, point in network.points.items():
        shelf = point.shelf
        assert shelf is not None

        def rows(event: str, node: str = name) -> float:
            return sum(r[3] for r in trace if r[1] == node and r[2] == event)

        expired = rows("expired")
        expired_total += expired
        assert close(k[f"{name}.units_expired"], expired)
        initial = data["stock_points"][name]["initial"]
        # every unit that came in went out (to a customer or downstream), expired, or is here
        assert close(initial + rows("receipt"), point.shipped_units + expired + point.on_hand)
        assert close(shelf.units, point.on_hand)
        assert all(b[2] > 0 for b in shelf.batches)
        share = k[f"{name}.waste_share"]
        assert math.isnan(share) or -TOL <= share <= 1 + TOL
        age = k[f"{name}.avg_age_at_sale"]
        assert math.isnan(age) or age >= 0
        for r in trace:
            if r[1] == name and r[2] in ("expired", "demand", "receipt"):
                assert r[4] >= -TOL
    assert close(k["units_expired"], expired_total)
    salvage = data["items"]["w"]["salvage_value"] * k["units_expired"]
    spent = k["purchase_cost"] + k["total_cost"] - k["expiry_cost"]
    assert close(k["profit"], k["revenue"] + salvage - spent)
    assert close(k["expiry_cost"], (10 - data["items"]["w"]["salvage_value"]) * expired_total)


@PROPERTY_SETTINGS
@given(perishable(one_store()))
def test_one_perishable_store_conserves_units_and_money(data: dict[str, Any]) -> None:
    _check(data)


@PROPERTY_SETTINGS
@given(perishable(two_echelon()))
def test_two_perishable_echelons_conserve_units_and_money(data: dict[str, Any]) -> None:
    _check(data)
