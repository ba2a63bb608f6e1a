"""The two risk scenarios teach what their header comments claim.

``scenarios/jit_single_source_failure.yaml`` (JIT from one supplier that fails about once a
year; the mitigations — a failover backup, expediting from a broker, a buffer — are
alternatives) and ``scenarios/regional_flood.yaml`` (one flood event hitting two of three
suppliers; the alternatives move the backup out of the flood plain or hold stock). Every
claim is checked as a paired statistic under common random numbers — fixed seed, 30
replications (100 for the smaller differences and the rare, large floods), the 95 %
interval of the paired difference must exclude 0 — not as a difference of means that could
come from luck. The stress tests check the headers' main stress claims qualitatively, on
fewer replications.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from typer.testing import CliRunner

import jitsim
from jitsim.cli import app
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import apply_overrides
from jitsim.scenario.resolve import resolve
from jitsim.stats import PairedDifference, paired_difference

SINGLE = SCENARIOS / "jit_single_source_failure.yaml"
FLOOD = SCENARIOS / "regional_flood.yaml"
SEED = 2026
N = 30  # replications of the single-source scenario
N_LARGE = 100  # for the smaller differences, and for the rare, large floods
N_STRESS = 20


def _values(frame: pd.DataFrame, alternative: str, kpi: str) -> Any:
    rows = frame[frame["alternative"] == alternative].sort_values("replication")
    assert len(rows) == frame.attrs["n"], (alternative, len(rows))
    return rows[kpi].to_numpy(dtype=float)


def _diff(a: Any, b: Any) -> PairedDifference:
    """Paired difference a − b, replication by replication."""
    return paired_difference(a, b)


def _run(scenario: Scenario, alternatives: list[str] | None = None, n: int = N) -> pd.DataFrame:
    result = jitsim.run(
        scenario, replications=n, seed=SEED, alternatives=alternatives, backend="serial"
    )
    frame = result.replications()
    frame.attrs["n"] = n
    return frame


def _disruptions(scenario: Scenario) -> dict[str, Any]:
    return dict(scenario.model_dump(mode="json")["disruptions"])


def _stress(
    scenario: Scenario,
    nodes: list[str],
    durations: list[int],
    alternatives: list[str] | None = None,
) -> Any:
    return jitsim.stress(
        scenario,
        nodes=nodes,
        durations=durations,
        alternatives=alternatives,
        replications=N_STRESS,
        seed=SEED,
        backend="serial",
    )


# -- both files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SINGLE, FLOOD], ids=lambda p: p.name)
def test_jitsim_validate_accepts_the_file(path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: valid" in result.output


@pytest.mark.parametrize("path", [SINGLE, FLOOD], ids=lambda p: p.name)
def test_mitigations_are_alternatives_not_a_sweep(path: Path) -> None:
    scenario = jitsim.load_scenario(path)
    assert not scenario.sweep  # the old workaround is gone
    text = path.read_text(encoding="utf-8")
    assert "cv: 1}" not in text  # times between failures are `exponential`, not gamma cv 1
    for name in scenario.alternative_names():
        assert f"  {name}:" in text and name in text.split("\nname:")[0]  # the header tells


# -- jit_single_source_failure.yaml -------------------------------------------------------------


@pytest.fixture(scope="module")
def single() -> Scenario:
    return jitsim.load_scenario(SINGLE)


@pytest.fixture(scope="module")
def single_runs(single: Scenario) -> pd.DataFrame:
    return _run(single)


@pytest.fixture(scope="module")
def single_quiet(single: Scenario) -> pd.DataFrame:
    """The same years without boardworks' outages."""
    return _run(apply_overrides(single, SINGLE, {"disruptions": {}}))


def test_single_alternatives_change_the_supply_side(single: Scenario) -> None:
    assert single.alternative_names() == [
        "jit_single",
        "jit_with_backup",
        "jit_expedite",
        "buffered",
    ]
    warehouse = single.stock_points["warehouse"]
    assert warehouse.backup is None and warehouse.expedite is None
    assert "broker" in single.suppliers  # defined in the base, unused there
    assert single.suppliers["boardworks"].when_down.orders == "queue"

    backed = resolve(single, "jit_with_backup")
    backup = backed.stock_points["warehouse"].backup
    assert backup is not None and (backup.source, backup.split) == ("broker", "failover")

    expediting = resolve(single, "jit_expedite")
    expedite = expediting.stock_points["warehouse"].expedite
    assert expedite is not None and expedite.source == "broker"
    assert expedite.position == "shipped"  # call-offs queued at boardworks do not count
    assert expedite.up_to is not None and expedite.level < expedite.up_to <= 150
    assert expediting.stock_points["warehouse"].backup is None
    assert expediting.suppliers == single.suppliers  # only the warehouse changes

    # The three JIT alternatives run the same policy.
    policies = {
        name: resolve(single, name).stock_points["warehouse"].policy
        for name in ("jit_with_backup", "jit_expedite")
    }
    assert all(policy == warehouse.policy for policy in policies.values())


def test_boardworks_fails_in_some_years_the_same_way_for_everyone(
    single: Scenario, single_runs: pd.DataFrame
) -> None:
    down = _values(single_runs, "jit_single", "boardworks.downtime_days")
    assert (down > 0).any() and (down == 0).any()  # outage years and quiet years
    assert 2 < down.mean() < 20  # 8.3 days a year in 200 replications
    demand = _values(single_runs, "jit_single", "demand_units")
    for alternative in single.alternative_names():  # common random numbers
        same = _values(single_runs, alternative, "boardworks.downtime_days")
        np.testing.assert_array_equal(same, down)
        np.testing.assert_array_equal(_values(single_runs, alternative, "demand_units"), demand)
        assert (_values(single_runs, alternative, "broker.downtime_days") == 0).all()


def test_backup_cuts_jit_lost_sales_and_pays(single_runs: pd.DataFrame) -> None:
    """jit_with_backup − jit_single: fewer lost sales, more profit, about the same cash."""

    def diff(kpi: str) -> PairedDifference:
        return _diff(
            _values(single_runs, "jit_with_backup", kpi),
            _values(single_runs, "jit_single", kpi),
        )

    lost = diff("lost_sales_units")
    assert lost.ci95_high < 0, lost
    assert lost.rel_change < -0.5, lost  # 242 → 62 in 200 replications
    assert diff("profit").ci95_low > 0
    assert abs(diff("avg_cash_tied_up").rel_change) < 0.05
    assert (_values(single_runs, "jit_single", "warehouse.orders_to_backup") == 0).all()
    assert _values(single_runs, "jit_with_backup", "warehouse.orders_to_backup").mean() > 3


def test_expedite_fires_in_outages_and_pays(
    single_runs: pd.DataFrame, single_quiet: pd.DataFrame
) -> None:
    def diff(kpi: str, other: str = "jit_single") -> PairedDifference:
        return _diff(_values(single_runs, "jit_expedite", kpi), _values(single_runs, other, kpi))

    assert diff("lost_sales_units").ci95_high < 0
    assert diff("profit").ci95_low > 0
    assert abs(diff("avg_cash_tied_up").rel_change) < 0.05
    orders = _values(single_runs, "jit_expedite", "warehouse.expedited_orders")
    down = _values(single_runs, "jit_expedite", "boardworks.downtime_days")
    assert orders.mean() > 1  # 3.6 a year in 200 replications
    assert (orders[down > 5] > 0).all()  # always in a long outage ...
    assert orders[down == 0].mean() < 0.25 * orders[down > 0].mean()  # ... rarely without
    assert _values(single_runs, "jit_expedite", "expedite_cost").mean() > 0
    assert (_values(single_runs, "jit_expedite", "warehouse.orders_to_backup") == 0).all()
    # As many sales saved as with the backup, but the backup earns more.
    lost = _values(single_runs, "jit_expedite", "lost_sales_units").mean()
    assert lost < 1.2 * _values(single_runs, "jit_with_backup", "lost_sales_units").mean()
    assert diff("profit", "jit_with_backup").ci95_high < 0
    # In a quiet year the expedite seldom fires, and costs a little (439 EUR in 200).
    quiet = _values(single_quiet, "jit_expedite", "warehouse.expedited_orders")
    assert 0 < quiet.mean() < 0.5
    idle = _diff(
        _values(single_quiet, "jit_expedite", "profit"),
        _values(single_quiet, "jit_single", "profit"),
    )
    assert idle.ci95_high < 0 and idle.mean_diff > -2000, idle


def test_expedite_must_watch_the_shipped_position(
    single: Scenario, single_runs: pd.DataFrame
) -> None:
    """On the inventory position, call-offs queued at a down boardworks count as on order:
    the expedite never fires. Refusing them instead would trigger it, at a cost of its own."""
    text = SINGLE.read_text(encoding="utf-8")
    line = next(
        x for x in text.splitlines(keepends=True) if x.lstrip().startswith("position: shipped")
    )
    inventory = jitsim.load_scenario_text(text.replace(line, ""))
    frame = _run(inventory, ["jit_single", "jit_expedite"])
    assert (_values(frame, "jit_expedite", "warehouse.expedited_orders") == 0).all()
    for kpi in ("profit", "lost_sales_units", "total_cost"):
        np.testing.assert_array_equal(
            _values(frame, "jit_expedite", kpi), _values(frame, "jit_single", kpi)
        )
    # Refusing call-offs alone costs JIT: the catch-up after a repair is one large call-off.
    refusing = apply_overrides(single, SINGLE, {"suppliers.boardworks.when_down.orders": "refuse"})
    alone = _run(refusing, ["jit_single"])
    cost = _diff(
        _values(alone, "jit_single", "profit"), _values(single_runs, "jit_single", "profit")
    )
    assert cost.ci95_high < 0, cost
    assert (_values(alone, "jit_single", "warehouse.refused_orders") > 0).any()


def test_buffer_beats_jit_single_on_profit_but_not_on_total_cost(
    single_runs: pd.DataFrame,
) -> None:
    def diff(kpi: str) -> PairedDifference:
        return _diff(_values(single_runs, "buffered", kpi), _values(single_runs, "jit_single", kpi))

    assert diff("lost_sales_units").ci95_high < 0
    assert diff("profit").ci95_low > 0  # the lost margin is in profit ...
    assert diff("total_cost").ci95_low > 0  # ... not in total_cost, which favours jit
    assert diff("avg_cash_tied_up").rel_change > 3  # five times the cash


def test_buffer_earns_a_little_more_than_jit_with_backup_for_five_times_the_cash(
    single: Scenario,
) -> None:
    frame = _run(single, ["jit_with_backup", "buffered"], n=N_LARGE)

    def diff(kpi: str) -> PairedDifference:
        return _diff(_values(frame, "buffered", kpi), _values(frame, "jit_with_backup", kpi))

    assert diff("profit").ci95_low > 0  # 2 147 EUR (757 to 3 538) in 200 replications
    assert diff("lost_sales_units").ci95_high < 0
    buffered = _values(frame, "buffered", "avg_cash_tied_up")
    backed = _values(frame, "jit_with_backup", "avg_cash_tied_up")
    assert 4 < buffered.mean() / backed.mean() < 6


def test_in_a_quiet_year_jit_earns_more_and_the_broker_idles(
    single: Scenario, single_runs: pd.DataFrame, single_quiet: pd.DataFrame
) -> None:
    assert "boardworks.downtime_days" not in single_quiet  # no disruptions at all
    profit = _diff(
        _values(single_quiet, "jit_single", "profit"),
        _values(single_quiet, "buffered", "profit"),
    )
    assert profit.ci95_low > 0, profit
    # Without outages the broker gets no order: the backup costs nothing in a quiet year.
    assert (_values(single_quiet, "jit_with_backup", "warehouse.orders_to_backup") == 0).all()
    np.testing.assert_array_equal(
        _values(single_quiet, "jit_with_backup", "profit"),
        _values(single_quiet, "jit_single", "profit"),
    )
    # What the outages cost each alternative (quiet − with outages, paired).
    cost = {
        name: _diff(_values(single_quiet, name, "profit"), _values(single_runs, name, "profit"))
        for name in single.alternative_names()
    }
    assert all(c.ci95_low > 0 for c in cost.values()), cost
    for mitigated in ("jit_with_backup", "jit_expedite", "buffered"):
        saved = _diff(
            _values(single_runs, mitigated, "profit") - _values(single_quiet, mitigated, "profit"),
            _values(single_runs, "jit_single", "profit")
            - _values(single_quiet, "jit_single", "profit"),
        )
        assert saved.ci95_low > 0, (mitigated, saved)
    assert cost["jit_with_backup"].mean_diff > cost["buffered"].mean_diff


def test_stress_boardworks_mitigations_last_longer_and_lose_less(single: Scenario) -> None:
    """The header's stress table: TTS, lost boards and impact of a boardworks knock-out."""
    result = _stress(single, ["boardworks", "broker"], [14])
    tts = result.tts().set_index(["node", "alternative"])["tts_days"]
    assert tts["boardworks", "jit_single"] <= 6  # 5 days in the header (200 replications)
    assert tts["boardworks", "buffered"] >= 10  # 14 days
    for mitigated in ("jit_with_backup", "jit_expedite", "buffered"):
        assert tts["boardworks", mitigated] > tts["boardworks", "jit_single"]
    table = result.table().set_index(["node", "duration_days", "alternative"])
    single_row = table.loc[("boardworks", 14, "jit_single")]
    assert single_row["lost_units"] > 200  # 334
    assert single_row["purchase_premium"] == pytest.approx(0, abs=1e-6)  # no broker board
    for mitigated in ("jit_with_backup", "jit_expedite"):
        row = table.loc[("boardworks", 14, mitigated)]
        assert row["lost_units"] < single_row["lost_units"] / 5, mitigated
        # Impact counts the broker's 30 EUR premium, most of what they lose: 14.5 and 17.6
        # thousand EUR against 34.9 for jit_single in the header (200 replications: 42 %, 50 %).
        assert row["purchase_premium"] > row["impact"] / 2, mitigated
        assert row["impact"] < 0.6 * single_row["impact"], mitigated
    # Two weeks down, the buffer loses least (11.0 thousand EUR in the header).
    buffered = table.loc[("boardworks", 14, "buffered"), "impact"]
    assert buffered < min(
        table.loc[("boardworks", 14, m), "impact"] for m in ("jit_with_backup", "jit_expedite")
    )
    # The broker's knock-out matters only to the alternatives that buy from it.
    for unaffected in ("jit_single", "buffered"):
        row = table.loc[("broker", 14, unaffected)]
        assert row["lost_units"] == 0 and row["impact"] == 0, unaffected


# -- regional_flood.yaml ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flood() -> Scenario:
    return jitsim.load_scenario(FLOOD)


@pytest.fixture(scope="module")
def flood_runs(flood: Scenario) -> pd.DataFrame:
    return _run(flood, n=N_LARGE)


@pytest.fixture(scope="module")
def without_floods(flood: Scenario) -> pd.DataFrame:
    """The same years without delta_flood (the local breakdowns stay), the JIT alternatives."""
    events = _disruptions(flood)
    del events["delta_flood"]
    jits = ["jit_delta_backup", "jit_no_backup", "jit_highland_backup"]
    return _run(apply_overrides(flood, FLOOD, {"disruptions": events}), jits, n=N_LARGE)


def test_flood_alternatives_move_the_backup(flood: Scenario) -> None:
    assert flood.alternative_names() == [
        "jit_delta_backup",
        "jit_no_backup",
        "jit_highland_backup",
        "buffered",
        "flood_buffer",
    ]
    assert flood.disruptions["delta_flood"].nodes == ["delta_north", "delta_south"]

    def backup(name: str) -> str | None:
        built = resolve(flood, name).stock_points["warehouse"].backup
        return None if built is None else built.source

    assert backup("jit_delta_backup") == "delta_south"  # the file as it is
    assert backup("jit_no_backup") is None
    assert backup("jit_highland_backup") == "highland"
    assert backup("buffered") == backup("flood_buffer") == "delta_south"


def test_flood_takes_both_delta_suppliers_down_at_the_same_times(
    flood: Scenario, flood_runs: pd.DataFrame
) -> None:
    only_flood = {"delta_flood": _disruptions(flood)["delta_flood"]}
    alone = _run(
        apply_overrides(flood, FLOOD, {"disruptions": only_flood}), ["jit_delta_backup"], N_LARGE
    )
    north = _values(alone, "jit_delta_backup", "delta_north.downtime_days")
    south = _values(alone, "jit_delta_backup", "delta_south.downtime_days")
    np.testing.assert_array_equal(north, south)  # one event, one timeline
    assert (south > 0).any() and (south == 0).any()
    assert (_values(alone, "jit_delta_backup", "highland.downtime_days") == 0).all()

    # In the file the primary also has its own breakdowns: it is down at least on flood days,
    # and the flood days are exactly those of the flood-only run (its own random stream).
    for alternative in flood.alternative_names():
        full_north = _values(flood_runs, alternative, "delta_north.downtime_days")
        full_south = _values(flood_runs, alternative, "delta_south.downtime_days")
        np.testing.assert_array_equal(full_south, south)
        assert (full_north >= full_south - 1e-9).all()
        assert (full_north > full_south).any()
    highland = _values(flood_runs, "jit_delta_backup", "highland.downtime_days")
    assert (highland != south).any()  # independent of the flood


def test_backup_outside_the_flood_plain_buys_protection(flood_runs: pd.DataFrame) -> None:
    """jit_highland_backup − jit_delta_backup: same policy, same floods and demand."""

    def diff(kpi: str) -> PairedDifference:
        return _diff(
            _values(flood_runs, "jit_highland_backup", kpi),
            _values(flood_runs, "jit_delta_backup", kpi),
        )

    assert diff("backordered_units").ci95_high < 0
    assert diff("profit").ci95_low > 0
    assert abs(diff("avg_cash_tied_up").rel_change) < 0.05  # no extra stock
    assert (_values(flood_runs, "jit_highland_backup", "warehouse.units_from_backup") > 0).any()


def test_same_region_backup_helps_but_not_against_the_flood(
    flood: Scenario, flood_runs: pd.DataFrame, without_floods: pd.DataFrame
) -> None:
    # Against no backup at all, the delta backup helps.
    for kpi, sign in (("backordered_units", -1), ("profit", 1)):
        gain = _diff(
            _values(flood_runs, "jit_delta_backup", kpi),
            _values(flood_runs, "jit_no_backup", kpi),
        )
        assert (gain.ci95_high < 0) if sign < 0 else (gain.ci95_low > 0), (kpi, gain)

    # What the floods cost each JIT alternative (without floods − with, paired): much more
    # with the delta backup than with the highland backup.
    def flood_cost(name: str) -> Any:
        return _values(without_floods, name, "profit") - _values(flood_runs, name, "profit")

    for name in ("jit_no_backup", "jit_delta_backup", "jit_highland_backup"):
        assert _diff(flood_cost(name), np.zeros(N_LARGE)).ci95_low > 0, name
    more = _diff(flood_cost("jit_delta_backup"), flood_cost("jit_highland_backup"))
    assert more.ci95_low > 0, more
    assert flood_cost("jit_delta_backup").mean() > 4 * flood_cost("jit_highland_backup").mean()

    # Had the two plants flooded independently, the same backup would cover most floods: the
    # common cause is what makes it fail.
    events = _disruptions(flood)
    common = events.pop("delta_flood")
    events["flood_north"] = {**common, "nodes": ["delta_north"]}
    events["flood_south"] = {**common, "nodes": ["delta_south"]}
    independent = _run(
        apply_overrides(flood, FLOOD, {"disruptions": events}), ["jit_delta_backup"], N_LARGE
    )
    extra = _diff(
        _values(flood_runs, "jit_delta_backup", "backordered_units"),
        _values(independent, "jit_delta_backup", "backordered_units"),
    )
    assert extra.ci95_low > 0, extra
    assert extra.rel_change > 1, extra  # more than twice as many (1 145 vs 297)
    overstated = _diff(
        _values(independent, "jit_delta_backup", "profit"),
        _values(flood_runs, "jit_delta_backup", "profit"),
    )
    assert overstated.ci95_low > 0, overstated


def test_highland_jit_earns_more_than_the_buffers_with_less_cash(
    flood_runs: pd.DataFrame,
) -> None:
    for buffer in ("buffered", "flood_buffer"):
        profit = _diff(
            _values(flood_runs, "jit_highland_backup", "profit"),
            _values(flood_runs, buffer, "profit"),
        )
        assert profit.ci95_low > 0, (buffer, profit)
        waits = _diff(
            _values(flood_runs, "jit_highland_backup", "backordered_units"),
            _values(flood_runs, buffer, "backordered_units"),
        )
        assert waits.ci95_low > 0, (buffer, waits)  # but integrators wait for more drives
    jit_cash = _values(flood_runs, "jit_highland_backup", "avg_cash_tied_up")
    buffer_cash = _values(flood_runs, "flood_buffer", "avg_cash_tied_up")
    assert buffer_cash.mean() > 10 * jit_cash.mean()  # 68 180 vs 5 478 EUR
    fewer = _diff(
        _values(flood_runs, "flood_buffer", "backordered_units"),
        _values(flood_runs, "buffered", "backordered_units"),
    )
    assert fewer.ci95_high < 0, fewer


def test_without_disruptions_every_day_of_stock_costs(flood: Scenario) -> None:
    quiet = _run(
        apply_overrides(flood, FLOOD, {"disruptions": {}}),
        ["jit_delta_backup", "jit_highland_backup", "buffered", "flood_buffer"],
    )
    ladder = ("jit_delta_backup", "buffered", "flood_buffer")
    for leaner, fatter in itertools.pairwise(ladder):
        profit = _diff(_values(quiet, leaner, "profit"), _values(quiet, fatter, "profit"))
        assert profit.ci95_low > 0, (leaner, fatter, profit)
    # No disruption, no failover: where the backup sits does not matter.
    np.testing.assert_array_equal(
        _values(quiet, "jit_highland_backup", "profit"),
        _values(quiet, "jit_delta_backup", "profit"),
    )


def test_stress_one_supplier_at_a_time_misses_the_flood(flood: Scenario) -> None:
    """The header's stress claim: knocking out delta_north alone ranks the delta backup first;
    knocking out delta_north+delta_south together (the flood) reverses the ranking."""
    jits = ["jit_delta_backup", "jit_no_backup", "jit_highland_backup"]
    result = _stress(flood, ["delta_north", "delta_north+delta_south"], [30], jits)
    kinds = result.table().groupby("node")["node_kind"].first()
    assert kinds.to_dict() == {"delta_north": "supplier", "delta_north+delta_south": "group"}
    table = result.table().set_index(["node", "duration_days", "alternative"])
    tts = result.tts().set_index(["node", "alternative"])["tts_days"]

    def row(node: str, alternative: str) -> Any:
        return table.loc[(node, 30, alternative)]

    north, both = "delta_north", "delta_north+delta_south"
    # One node at a time: the delta backup takes over at once, highland's 7 days leave a gap,
    # and its drives cost more: the delta backup has the smaller impact (header, 60 days:
    # 8 624 against 19 461 EUR).
    for kpi in ("lost_units", "purchase_premium", "impact"):
        assert row(north, "jit_delta_backup")[kpi] < row(north, "jit_highland_backup")[kpi], kpi
    assert tts[north, "jit_delta_backup"] > 2 * tts[north, "jit_highland_backup"]
    # The flood takes the delta backup down too: it runs dry like no backup at all.
    assert (
        row(both, "jit_delta_backup")["lost_units"]
        > 3 * row(both, "jit_highland_backup")["lost_units"]
    )
    # Nine times the highland backup's impact: 90 126 against 9 988 EUR in the header.
    assert row(both, "jit_delta_backup")["impact"] > 6 * row(both, "jit_highland_backup")["impact"]
    assert tts[both, "jit_delta_backup"] <= tts[both, "jit_highland_backup"]
    assert tts[both, "jit_delta_backup"] <= tts[north, "jit_no_backup"] + 1
    # For the alternatives that never use delta_south, the flood is delta_north's outage.
    for alternative in ("jit_no_backup", "jit_highland_backup"):
        assert row(both, alternative)["lost_units"] == pytest.approx(
            row(north, alternative)["lost_units"]
        )
