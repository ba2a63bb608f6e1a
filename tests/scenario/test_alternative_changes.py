"""Alternatives that change the supply side (``changes:``): mitigations such as a backup source.

* A change is applied to the base scenario and simulated under common random numbers: the
  demand path is the same for every alternative, and a "change" to the same value gives
  exactly the base results.
* Only items, suppliers, stock points and plants may change; mistakes are FILE:LINE errors.
* Every backend gives the same numbers (the built scenarios travel to the workers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jitsim
from jitsim.errors import ScenarioError
from jitsim.execution.simulate import simulate
from jitsim.scenario.resolve import resolve

SHOP = """
name: shop
run: {horizon_days: 200, warmup_days: 20, seed: 5}
items:
  widget: {unit_cost: 10.0, price: 20.0}
suppliers:
  acme: {items: [widget], lead_time: 3}
  bolt: {items: [widget], lead_time: 6, unit_price: 12}
stock_points:
  store: {item: widget, source: acme, initial: 40, policy: {kind: s_S, s: 15, S: 40}}
customers:
  walk_in: {buys_from: store, demand: {kind: poisson, mean: 4}, unmet: lost_sale}
disruptions:
  strike: outage-40d:acme@60
alternatives:
  single: {}
  same_as_single:
    changes: {suppliers.acme.order_cost: 0.0}
  with_backup:
    changes:
      stock_points.store.backup: {source: bolt}
    switching_cost: 500
  jit_backup:
    store: {kind: jit, safety_days: 1}
    changes: {stock_points.store.backup: {source: bolt}}
"""


@pytest.fixture(scope="module")
def scenario() -> jitsim.Scenario:
    return jitsim.load_scenario_text(SHOP)


def test_each_changed_alternative_gets_its_own_scenario(scenario: jitsim.Scenario) -> None:
    built = resolve(scenario, "with_backup")
    assert not built.alternatives
    backup = built.stock_points["store"].backup
    assert backup is not None and backup.source == "bolt"
    assert scenario.stock_points["store"].backup is None  # the base is untouched
    assert resolve(scenario, "with_backup") is built  # built once
    jit = resolve(scenario, "jit_backup")
    assert jit.stock_points["store"].policy.kind == "jit"
    single = resolve(scenario, "single")  # policies only: the base with them written in
    assert not single.alternatives and single.suppliers == scenario.suppliers


def test_a_change_to_the_same_value_gives_the_base_results(scenario: jitsim.Scenario) -> None:
    for r in range(3):
        assert simulate(scenario, "same_as_single", r).kpis == simulate(scenario, "single", r).kpis


def test_the_backup_buys_service_under_the_same_demand(scenario: jitsim.Scenario) -> None:
    """Paired over 20 replications: identical demand; the backup source cuts lost sales during
    the 40-day strike in every replication."""
    frame = jitsim.run(scenario, replications=20, seed=3, backend="serial").replications()
    by = {a: g.sort_values("replication") for a, g in frame.groupby("alternative")}
    demand = by["single"]["demand_units"].to_numpy()
    for alternative in ("with_backup", "jit_backup"):
        np.testing.assert_array_equal(by[alternative]["demand_units"].to_numpy(), demand)
        saved = (
            by["single"]["lost_sales_units"].to_numpy()
            - by[alternative]["lost_sales_units"].to_numpy()
        )
        assert (saved > 0).all()
    assert (by["with_backup"]["store.orders_to_backup"] > 0).all()
    assert (by["single"]["store.orders_to_backup"] == 0).all()


def test_backends_agree(scenario: jitsim.Scenario) -> None:
    serial = jitsim.run(scenario, replications=4, seed=8, backend="serial").replications()
    pool = jitsim.run(
        scenario, replications=4, seed=8, backend="processes", workers=2
    ).replications()
    key = ["alternative", "replication"]
    pd.testing.assert_frame_equal(
        serial.sort_values(key).reset_index(drop=True),
        pool.sort_values(key).reset_index(drop=True),
    )


@pytest.mark.parametrize(
    ("change", "line", "fragment"),
    [
        (
            "customers.walk_in.demand: 3",
            18,
            "alternatives.single.changes.customers.walk_in.demand: an alternative may change "
            "fields under items, suppliers, stock_points, plants",
        ),
        (
            "stock_points.store.backup: {source: nope}",
            18,
            "alternatives.single.changes.stock_points.store.backup: stock_points.store.backup."
            "source: unknown supplier 'nope' (known: acme, bolt)",
        ),
        (
            "stock_points.store.bakup: {source: bolt}",
            18,
            "unknown field 'bakup' (did you mean 'backup'?)",
        ),
        ("disruptions: {}", 18, "demand, run settings and disruptions are shared"),
    ],
)
def test_mistakes_name_file_line_and_field(
    tmp_path: Path, change: str, line: int, fragment: str
) -> None:
    text = SHOP.replace("  single: {}", "  single:\n    changes:\n      " + change)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario(path)
    message = str(caught.value)
    assert f"{path}:{line}: " in message, message
    assert fragment in message, message


def test_a_copy_rebuilds_the_changed_alternatives(scenario: jitsim.Scenario) -> None:
    """``model_copy(update=...)`` (how ``jitsim trace --days`` shortens a run) must not reuse
    the alternatives' scenarios built for the original."""
    resolve(scenario, "with_backup")  # fill the original's cache
    run = scenario.run.model_copy(update={"horizon_days": 60, "warmup_days": 10})
    short = scenario.model_copy(update={"run": run})
    built = resolve(short, "with_backup")
    assert built.run.horizon_days == 60
    assert resolve(scenario, "with_backup").run.horizon_days == 200
    kpis = simulate(short, "with_backup", 0).kpis
    assert kpis["window_days"] == 50


def test_sweep_paths_reach_into_an_alternatives_changes(scenario: jitsim.Scenario) -> None:
    """``alternatives.ALT.changes.stock_points.store.backup.lead_time`` sets a field inside
    the change keyed ``stock_points.store.backup``; a path no change starts adds a new one."""
    from jitsim.scenario.overrides import apply_overrides

    slower = apply_overrides(
        scenario,
        None,
        {
            "alternatives.with_backup.changes.stock_points.store.backup.lead_time": 12,
            "alternatives.single.changes.suppliers.acme.order_cost": 5,
        },
    )
    changes = slower.alternatives["with_backup"].changes
    assert changes["stock_points.store.backup"] == {"source": "bolt", "lead_time": 12}
    assert slower.alternatives["single"].changes == {"suppliers.acme.order_cost": 5}
    backup = resolve(slower, "with_backup").stock_points["store"].backup
    assert backup is not None and backup.lead_time is not None and backup.lead_time.mean == 12
    # a 12-day backup helps less than the 6-day supplier itself: more sales lost, paired
    fast = jitsim.run(scenario, replications=8, seed=2, alternatives=["with_backup"])
    slow = jitsim.run(slower, replications=8, seed=2, alternatives=["with_backup"])
    lost = [r.replications()["lost_sales_units"].sum() for r in (fast, slow)]
    assert lost[1] > lost[0]


def test_breakeven_finds_the_current_value_inside_a_change() -> None:
    """Break-even decides whether to search whole numbers from the field's current value: a
    field inside a change must be found (here 3), not read as missing."""
    from jitsim.experiments.breakeven.search import _value_at
    from jitsim.scenario.overrides import complete_data
    from jitsim.scenario.paths import canonical_path, parse_path_text

    text = SHOP.replace(
        "stock_points.store.backup: {source: bolt}\n    switching_cost: 500",
        "stock_points.store.backup: {source: bolt}\n"
        "      stock_points.store.review: {every_days: 3}\n    switching_cost: 500",
    )
    data = complete_data(jitsim.load_scenario_text(text))
    path = parse_path_text("alternatives.with_backup.changes.stock_points.store.review.every_days")
    assert _value_at(data, canonical_path(path, data)) == 3
