"""The claims in the header of ``scenarios/cash_terms.yaml`` hold.

Each claim is paired by replication (common random numbers): the buffer and JIT face the same
demand, lead times and late payers in replication r. The cash claims hold in every one of 20
replications; the profit ordering of the buffer and JIT, a smaller difference, is held by the
95 % confidence interval of the scenario's own 50 replications.
"""

from __future__ import annotations

import statistics
from functools import cache

import pytest
from conftest import SCENARIOS

import jitsim
from jitsim.stats.intervals import t_half_width

PATH = SCENARIOS / "cash_terms.yaml"


@cache
def runs(replications: int) -> dict[str, list[dict[str, float]]]:
    """Per alternative, the KPI records of replications 0 … n − 1 (the scenario's seed)."""
    scenario = jitsim.load_scenario(PATH)
    return {
        alternative: [jitsim.simulate(scenario, alternative, r).kpis for r in range(replications)]
        for alternative in scenario.alternative_names()
    }


def paired(kpi: str, a: str, b: str, replications: int = 20) -> list[float]:
    """``kpi`` of alternative ``a`` minus that of ``b``, replication by replication."""
    found = runs(replications)
    return [x[kpi] - y[kpi] for x, y in zip(found[a], found[b], strict=True)]


def mean(kpi: str, alternative: str, replications: int = 20) -> float:
    values = [k[kpi] for k in runs(replications)[alternative]]
    return sum(values) / len(values)


def test_taking_the_discount_the_buffer_has_the_deeper_cash_gap() -> None:
    assert max(paired("min_cash_balance", "buffer", "jit")) < -30_000
    assert min(paired("peak_working_capital", "buffer", "jit")) > 30_000
    assert min(paired("financing_cost", "buffer", "jit")) > 500
    assert min(paired("cash_to_cash_days", "buffer", "jit")) > 10
    # the header's numbers, to the precision it gives them
    assert mean("cash_to_cash_days", "buffer") == pytest.approx(43.4, abs=1.0)
    assert mean("cash_to_cash_days", "jit") == pytest.approx(26.4, abs=1.0)
    assert mean("dpo", "jit") == pytest.approx(10.0, abs=0.3)
    assert mean("dso", "jit") == pytest.approx(30 + 0.2 * 20, abs=0.5)  # terms + late share


def test_net_60_makes_the_buffer_cheap_in_cash() -> None:
    for k in runs(20)["buffer_net60"]:
        assert k["financing_cost"] == 0.0
        assert k["min_cash_balance"] > -100
        assert k["dpo"] > k["dio"]
        assert k["cash_to_cash_days"] < 0


def test_but_declining_the_discount_is_dear() -> None:
    for k in runs(20)["buffer"]:
        assert k["early_payment_discounts"] > 5 * k["financing_cost"]
    assert min(paired("profit", "buffer", "buffer_net60")) > 10_000


@pytest.mark.slow
def test_the_buffer_still_earns_more_than_jit() -> None:
    differences = paired("profit", "buffer", "jit", replications=50)
    centre = statistics.fmean(differences)
    half = t_half_width(statistics.stdev(differences), len(differences))
    assert centre - half > 0, (centre, half)  # about 3,060 ± 2,370 EUR
