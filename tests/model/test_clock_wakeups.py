"""The daily clock skips its own SimPy wake-ups when nothing else is due (issue #13).

Skipping them must change nothing: the same KPIs, and the environment's time at every
customer demand is still t + 0.5. A ticker process that wakes at every quarter day forces
every wake-up to happen as a real SimPy event, which is how the clock ran before.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy
from conftest import ROOT

import jitsim
from jitsim.model.kpis import extract
from jitsim.model.network import Network, build
from jitsim.model.stock_point import StockPoint
from jitsim.scenario.resolve import resolve
from jitsim.streams import Streams

CASES = [
    ROOT / "benchmarks" / "reference_case.yaml",  # no other SimPy event: every wake-up skipped
    ROOT / "scenarios" / "assembly_plant.yaml",  # plants: their processes need env.now
    ROOT / "scenarios" / "jit_single_source_failure.yaml",  # outages and a backup
]


def _ticker(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
    while True:  # wakes at t + 0.25 and t + 0.75: the clock can never skip a wake-up
        yield env.timeout(0.25 if env.now == 0 else 0.5)


def _run(
    path: Path, replication: int, ticker: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, float], list[tuple[float, float]], int]:
    scenario = jitsim.load_scenario(path)
    resolved = resolve(scenario, scenario.alternative_names()[0])
    network: Network = build(resolved, Streams(scenario.run.seed, replication))
    seen: list[tuple[float, float]] = []
    demand = StockPoint.demand

    def watched(point: StockPoint, quantity: float, customer: Any, now: float) -> float:
        seen.append((now, network.env.now))
        return demand(point, quantity, customer, now)

    monkeypatch.setattr(StockPoint, "demand", watched)
    if ticker:
        network.env.process(_ticker(network.env))
    steps = 0
    step = network.env.step

    def counted() -> None:
        nonlocal steps
        steps += 1
        step()

    monkeypatch.setattr(network.env, "step", counted)
    network.run()
    monkeypatch.setattr(StockPoint, "demand", demand)
    return extract(network), seen, steps


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_skipped_wakeups_change_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lazy, lazy_seen, _ = _run(path, 1, False, monkeypatch)
    forced, forced_seen, _ = _run(path, 1, True, monkeypatch)
    assert lazy.keys() == forced.keys()
    for name, value in forced.items():
        assert lazy[name] == value or (value != value and lazy[name] != lazy[name]), name
    assert lazy_seen == forced_seen
    assert all(env_now == now for now, env_now in lazy_seen)  # env.now is right at demand
    assert lazy_seen  # there was demand to watch


def test_reference_case_runs_without_a_clock_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing but the clock: it starts, runs the 365 days in one step and ends (SimPy's
    initialisation of the process, and the process's end)."""
    _, seen, steps = _run(CASES[0], 0, False, monkeypatch)
    assert len(seen) == 365
    assert steps == 2
