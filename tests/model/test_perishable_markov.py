"""Perishable stock against independently known values.

* A shelf life longer than any unit can stay gives exactly the non-perishable numbers (same
  streams), at one store and in two echelons.
* A fixed lifetime of m days, zero lead time, Poisson demand, lost sales, order-up-to S
  reviewed daily, FIFO: the long-run outdating and lost-sales rates per day are those of a small
  Markov chain over the age profile of the stock, solved here with numpy (Nahmias 1975's
  model), within 4 standard errors of the simulation.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from conftest import QUICKSTART, SCENARIOS, run_model, shortened
from scipy.stats import poisson

import jitsim
from jitsim.distributions import Constant, Uniform
from jitsim.model.kpis import extract

# -- (a) a shelf life nobody reaches changes nothing ------------------------------------------


def _never_expiring(scenario: jitsim.Scenario) -> jitsim.Scenario:
    """``scenario`` with every item perishable after a million days."""
    items = {
        name: item.model_copy(update={"shelf_life": Constant(value=1e6)})
        for name, item in scenario.items.items()
    }
    return scenario.model_copy(update={"items": items})


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize(
    ("path", "alternatives"),
    [
        (QUICKSTART, ("buffered", "eoq", "jit")),
        (SCENARIOS / "two_echelon.yaml", ("buffered", "jit")),
        (SCENARIOS / "lost_sales_kiosk.yaml", None),
    ],
)
def test_a_shelf_life_nobody_reaches_reproduces_the_non_perishable_model(
    path: object, alternatives: tuple[str, ...] | None
) -> None:
    plain = shortened(jitsim.load_scenario(path), 150, 20)
    perishable = _never_expiring(plain)
    for alternative in alternatives or tuple(plain.alternatives) or ("base",):
        for replication in (0, 1):
            before = extract(run_model(plain, alternative, replication))
            network = run_model(perishable, alternative, replication)
            after = extract(network)
            assert after["units_expired"] == 0.0
            assert after["avg_age_at_sale"] > 0.0
            differing = {k: (v, after[k]) for k, v in before.items() if not _same(v, after[k])}
            assert not differing, f"{path} {alternative} r={replication}: {differing}"
            assert not set(before) - set(after)
            for point in network.points.values():  # the batches are the on-hand stock
                assert point.shelf is not None
                assert point.shelf.units == pytest.approx(point.on_hand, abs=1e-6)


# -- (c) fixed lifetime against the Markov chain of the age profile ---------------------------


def markov_rates(m: int, S: int, mean: float) -> tuple[float, float]:
    """Exact long-run outdated and lost units per day of FIFO order-up-to-S with lifetime m
    days, zero lead time and Poisson(mean) demand per day (lost sales).

    The state is the stock at the start of a day after expiry, by days of life left:
    (x_1, ..., x_{m−1}), x_k units expiring at the start of day t + k. The review raises the
    stock to S with S − Σx new units of m days; the day's demand D takes the oldest first;
    the x_1 units left over expire the next morning, the rest age by a day.
    """
    states = [s for s in product(range(S + 1), repeat=m - 1) if sum(s) <= S]
    index = {s: i for i, s in enumerate(states)}
    pmf = poisson.pmf(np.arange(S), mean)
    probabilities = [*pmf, 1.0 - pmf.sum()]  # the last: D ≥ S, all stock sold
    transition = np.zeros((len(states), len(states)))
    outdated = np.zeros(len(states))
    for state in states:
        stock = [*state, S - sum(state)]  # oldest first
        for demand, p in enumerate(probabilities):
            left, rest = [], demand
            for units in stock:
                sold = min(units, rest)
                rest -= sold
                left.append(units - sold)
            transition[index[state], index[tuple(left[1:])]] += p
            outdated[index[state]] += p * left[0]
    # stationary distribution: π (P − I) = 0, Σ π = 1
    system = np.vstack([(transition - np.eye(len(states))).T, np.ones(len(states))])
    rhs = np.zeros(len(states) + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(system, rhs, rcond=None)[0]
    shortage = mean - sum(min(d, S) * p for d, p in zip(range(S + 1), probabilities, strict=True))
    return float(pi @ outdated), float(shortage)


def _fixed_life(m: int, S: int, mean: float, horizon: int) -> str:
    return f"""\
name: fixed lifetime {m}
run: {{horizon_days: {horizon}, warmup_days: 50, replications: 2, seed: 17}}
items:
  milk: {{unit_cost: 1.0, price: 2.0, shelf_life: {m}}}
suppliers:
  dairy: {{items: [milk], lead_time: 0}}
stock_points:
  shop:
    item: milk
    source: dairy
    initial: {S}
    issue: fifo
    policy: {{kind: base_stock, S: {S}}}
customers:
  shoppers:
    buys_from: shop
    demand: {{kind: poisson, mean: {mean}}}
    unmet: lost_sale
"""


def test_the_markov_chain_of_lifetime_one_is_the_newsvendor() -> None:
    """Check of the chain itself: with m = 1 every unit left over outdates."""
    outdated, short = markov_rates(1, 6, 4.0)
    d = np.arange(6)
    assert outdated == pytest.approx(float(((6 - d) * poisson.pmf(d, 4.0)).sum()))
    assert short == pytest.approx(4.0 - 6 + outdated)


def _check_against_chain(m: int, S: int, mean: float, horizon: int, n: int) -> None:
    exact_outdated, exact_short = markov_rates(m, S, mean)
    frame = jitsim.run(
        jitsim.load_scenario_text(_fixed_life(m, S, mean, horizon)), replications=n, seed=17
    ).replications()
    window = frame["window_days"]
    for column, exact in (("units_expired", exact_outdated), ("lost_sales_units", exact_short)):
        rate = frame[column] / window
        se = float(rate.std(ddof=1)) / math.sqrt(n)
        assert abs(rate.mean() - exact) <= 4 * se, (
            f"m={m} S={S}: {column} per day {rate.mean():.5f} vs exact {exact:.5f} (SE {se:.5f})"
        )


@pytest.mark.parametrize(("m", "S", "mean"), [(2, 9, 5.0), (3, 9, 3.0)])
def test_fixed_lifetime_matches_the_markov_chain_fast(m: int, S: int, mean: float) -> None:
    _check_against_chain(m, S, mean, 2050, 8)


@pytest.mark.slow
@pytest.mark.parametrize(("m", "S", "mean"), [(2, 12, 5.0), (3, 10, 4.0), (3, 9, 2.5)])
def test_fixed_lifetime_matches_the_markov_chain(m: int, S: int, mean: float) -> None:
    _check_against_chain(m, S, mean, 20050, 20)


# -- conservation of units --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "alternatives"),
    [(SCENARIOS / "two_echelon.yaml", ("buffered", "jit")), (QUICKSTART, ("buffered", "jit"))],
)
def test_every_unit_is_sold_shipped_expired_or_still_there(
    path: object, alternatives: tuple[str, ...]
) -> None:
    """With shelf lives of 2 to 6 days (many expire, batches move between echelons): at every
    stock point, stock at the start of the window + units received = units shipped (to
    customers or downstream) + units expired + stock at the end."""
    plain = shortened(jitsim.load_scenario(path), 120, 20)
    items = {
        name: item.model_copy(update={"shelf_life": Uniform(low=2.0, high=6.0)})
        for name, item in plain.items.items()
    }
    scenario = plain.model_copy(update={"items": items})
    for alternative in alternatives:
        network = run_model(scenario, alternative, 3, trace=False)
        k = extract(network)
        assert k["units_expired"] > 0
        for point in network.points.values():
            shelf = point.shelf
            assert shelf is not None
            assert shelf.units_at_start + shelf.units_received == pytest.approx(
                point.shipped_units + shelf.units_expired + point.on_hand, abs=1e-6
            )
            assert shelf.units == pytest.approx(point.on_hand, abs=1e-6)
