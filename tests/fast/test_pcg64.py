"""The compiled streams (jitsim.fast.pcg64) against numpy's own generators, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jitsim
from jitsim.fast import draws, pcg64
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams, stable_hash

pytestmark = pytest.mark.skipif(not pcg64.AVAILABLE, reason="numba is not installed")


def numpy_streams(seed: int, replications: range, name: str) -> list[np.random.Generator]:
    return [Streams(seed, r)(name) for r in replications]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**96),
    start=st.integers(0, 2**32 - 10),
    name=st.text(min_size=1, max_size=30),
)
def test_seeding_is_seedsequence_and_pcg64(seed: int, start: int, name: str) -> None:
    replications = range(start, start + 3)
    states = pcg64.seed_states(seed, replications, stable_hash(name))
    for row, rng in zip(states, numpy_streams(seed, replications, name), strict=True):
        inner = rng.bit_generator.state["state"]
        assert (int(row[pcg64.STATE_HI]) << 64) | int(row[pcg64.STATE_LO]) == inner["state"]
        assert (int(row[pcg64.INC_HI]) << 64) | int(row[pcg64.INC_LO]) == inner["inc"]
        raw = rng.bit_generator.random_raw(3)
        assert [int(pcg64.next64(row)) for _ in range(3)] == [int(v) for v in raw]


@pytest.mark.parametrize("mean", [0.0, 1e-3, 0.7, 8.0, 9.999, 10.0, 12.5, 40.0, 1234.5])
def test_poisson_both_methods(mean: float) -> None:
    # below 10: multiplication method; from 10: Hörmann's PTRS with numpy's log-gamma
    replications = range(5, 25)
    means = np.full(500, mean)
    states = pcg64.seed_states(7, replications, stable_hash("d"))
    got = np.empty((len(replications), len(means)), dtype=np.int64)
    pcg64.poisson_rows(states, means, got)
    want = np.array([rng.poisson(means) for rng in numpy_streams(7, replications, "d")])
    np.testing.assert_array_equal(got, want)


def test_poisson_with_a_different_rate_each_day() -> None:
    means = np.linspace(0.0, 30.0, 365)
    states = pcg64.seed_states(3, range(10), stable_hash("d"))
    got = np.empty((10, 365), dtype=np.int64)
    pcg64.poisson_rows(states, means, got)
    want = np.array([rng.poisson(means) for rng in numpy_streams(3, range(10), "d")])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rows", [1, 2, 7])
def test_poisson_below_ten_two_rows_at_a_time(rows: int) -> None:
    # rates in (0, 10): the multiplication method steps two replications together, and the
    # one that ends first leaves the other (and an odd last row) to go on alone
    means = np.concatenate([np.full(40, 9.5), 0.2 + 9.7 * np.sin(np.arange(300)) ** 2])
    states = pcg64.seed_states(5, range(rows), stable_hash("d"))
    got = np.empty((rows, len(means)), dtype=np.int64)
    pcg64.poisson_rows(states, means, got)
    for i, rng in enumerate(numpy_streams(5, range(rows), "d")):
        np.testing.assert_array_equal(got[i], rng.poisson(means))
        # and the stream stands where numpy's does, for the draws that follow
        state = (int(states[i, pcg64.STATE_HI]) << 64) | int(states[i, pcg64.STATE_LO])
        assert state == rng.bit_generator.state["state"]["state"]


@pytest.mark.parametrize(("low", "high"), [(2, 4), (0, 0), (0, 1), (3, 1000), (0, 2**31 + 5)])
def test_integers_keep_numpys_spare_half_between_calls(low: int, high: int) -> None:
    # an odd block length leaves half a 64-bit draw in the generator for the next call
    states = pcg64.seed_states(11, range(8), stable_hash("lt"))
    first = np.empty((8, 63), dtype=np.int64)
    second = np.empty((8, 64), dtype=np.int64)
    pcg64.integers_rows(states, low, high, first)
    pcg64.integers_rows(states, low, high, second)
    for i, rng in enumerate(numpy_streams(11, range(8), "lt")):
        np.testing.assert_array_equal(first[i], rng.integers(low, high, 63, endpoint=True))
        np.testing.assert_array_equal(second[i], rng.integers(low, high, 64, endpoint=True))


def test_doubles_then_integers_then_doubles() -> None:
    states = pcg64.seed_states(2, range(4), stable_hash("x"))
    u1, u2 = np.empty((4, 5)), np.empty((4, 5))
    ints = np.empty((4, 3), dtype=np.int64)
    pcg64.random_rows(states, u1)
    pcg64.integers_rows(states, 2, 9, ints)
    pcg64.random_rows(states, u2)
    for i, rng in enumerate(numpy_streams(2, range(4), "x")):
        np.testing.assert_array_equal(u1[i], rng.random(5))
        np.testing.assert_array_equal(ints[i], rng.integers(2, 9, 3, endpoint=True))
        np.testing.assert_array_equal(u2[i], rng.random(5))


LEAD_TIMES = [
    {"kind": "poisson", "mean": 3.5},
    {"kind": "discrete_uniform", "low": 2, "high": 4},
    {"kind": "uniform", "low": 0.5, "high": 4.25},
    {"kind": "constant", "value": 2},
    {"kind": "gamma", "mean": 3.0, "cv": 0.5},  # not compiled: numpy's generators
]


@pytest.mark.parametrize("lead_time", LEAD_TIMES)
def test_compiled_draws_equal_numpys(lead_time: dict[str, object]) -> None:
    text = f"""
name: draws
run: {{horizon_days: 60}}
items: {{w: {{unit_cost: 1}}}}
suppliers: {{acme: {{items: [w], lead_time: {lead_time}}}}}
stock_points:
  store: {{item: w, source: acme, initial: 10, policy: {{kind: base_stock, S: 10}}}}
customers:
  a: {{buys_from: store, demand: {{kind: poisson, mean: 4}},
       seasonality: {{weekly: [1, 1, 1, 1, 1.5, 2, 0.5]}}}}
  b: {{buys_from: store, demand: {{kind: poisson, mean: 14}}}}
"""
    resolved = resolve(jitsim.load_scenario_text(text), "base")
    replications = range(3, 40)

    def both(compiled: bool) -> tuple[dict[str, np.ndarray], np.ndarray]:
        lanes = draws.lead_times(resolved, 5, replications, compiled)
        lanes["store"].ensure(150)  # three blocks of 64
        return draws.draw_demand(resolved, 5, replications, compiled), lanes["store"].values

    demand, leads = both(compiled=True)
    demand_numpy, leads_numpy = both(compiled=False)
    assert demand.keys() == demand_numpy.keys()
    for name in demand:
        np.testing.assert_array_equal(demand[name], demand_numpy[name])
    np.testing.assert_array_equal(leads, leads_numpy)
    assert leads.shape == (len(replications), 192)


def test_when_to_draw_in_compiled_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JITSIM_COMPILED", "0")
    assert not draws.compiled_streams(10**9)
    monkeypatch.setenv("JITSIM_COMPILED", "1")
    assert draws.compiled_streams(1)
    monkeypatch.delenv("JITSIM_COMPILED")
    assert draws.compiled_streams(draws.COMPILED_FROM_WORK)
    assert draws.compiled_streams(1)  # numba is loaded in this process already
