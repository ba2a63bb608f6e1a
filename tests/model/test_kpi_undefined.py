"""When a KPI is undefined (NaN: an empty cell in files), and that no KPI is ever ±inf (#11).

``docs/kpis.md`` ("undefined when") lists when each ratio is undefined; these tests
pin that list on scenarios where a denominator is zero.
"""

from __future__ import annotations

import math

import pytest
from conftest import ZERO_DEMAND, quickstart_demand

import jitsim
from jitsim.model.kpis import _ratio

WEEKLY_PATTERN = "seasonality: {weekly: [0.9, 0.9, 0.9, 1.0, 1.1, 1.5, 0.7]}"


def _record(text: str, alternative: str, replication: int = 0) -> dict[str, float]:
    scenario = jitsim.load_scenario_text(text)
    return jitsim.simulate(scenario, alternative, replication, seed=3).kpis


def _undefined(record: dict[str, float]) -> set[str]:
    assert not [k for k, v in record.items() if math.isinf(v)], "no KPI may be ±inf"
    return {k for k, v in record.items() if math.isnan(v)}


@pytest.mark.parametrize("alternative", ["buffered", "jit"])
def test_without_demand_exactly_the_ratios_over_demand_and_sales_are_undefined(
    alternative: str,
) -> None:
    record = _record(ZERO_DEMAND, alternative)
    assert _undefined(record) == {
        "fill_rate",  # no units demanded
        "order_fill_rate",  # no customer orders
        "avg_order_qty",  # no replenishment orders
        "days_of_inventory",  # no sales: inventory turns are 0
        "store.fill_rate",
        "store.order_fill_rate",
        "store.avg_order_qty",
        "store.days_of_inventory",
        "store.bullwhip_ratio",  # weekly demand does not vary
        "walk_in.fill_rate",
    }
    assert record["inventory_turns"] == 0 and record["store.demand_variance_weekly"] == 0
    assert record["cycle_service_level"] == 1 and record["stockout_days"] == 0


def test_a_constant_demand_has_no_bullwhip_ratio_instead_of_a_huge_one() -> None:
    """8.3 units a day every day: weekly demand does not vary, but float sums of 58.1 leave a
    variance of ~1e-27 units², and the ratio over it used to be ~1e26."""
    text = quickstart_demand("8.3").replace(WEEKLY_PATTERN, "")
    for alternative in ("buffered", "jit"):
        record = _record(text, alternative)
        assert record["store.demand_variance_weekly"] == 0
        assert math.isnan(record["store.bullwhip_ratio"]), alternative
        assert record["store.order_variance_weekly"] > 1  # (s,S) and JIT orders still vary


def test_free_stock_has_no_inventory_turns() -> None:
    """Stock that costs nothing ties up no cash: turns (sales ÷ cash) are undefined."""
    text = quickstart_demand("{kind: poisson, mean: 8}").replace(
        "unit_cost: 12.0", "unit_cost: 0.0"
    )
    record = _record(text, "buffered")
    assert record["avg_cash_tied_up"] == 0
    assert math.isnan(record["inventory_turns"]) and math.isnan(record["days_of_inventory"])


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(1.0, 0.0), (0.0, 0.0), (1.0, -1.0), (1e300, 1e-300), (1.0, math.nan), (math.inf, 1.0)],
)
def test_a_ratio_is_undefined_rather_than_infinite(numerator: float, denominator: float) -> None:
    assert math.isnan(_ratio(numerator, denominator))
