"""Stress test (issue 5): knock-outs paired with the baseline, time-to-survive, weak links."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import invoke_cli as invoke

import jitsim
from jitsim.errors import JitsimError
from jitsim.experiments.stress import EVENT

# Constant demand 2/day (arriving at d + 0.5), lead time 3, daily (s,S) = (10, 20), initial 20.
# Days 0…4 use 10 → day-5 review: IP 10 ≤ s, order 10 (arrives 8); days 5…7 → on hand 4, +10
# at 8 → 14; days 8, 9 → 10; day-10 review orders 10 (arrives 13); day 10 → 8 on hand.
SHOP = """
name: shop
run: {horizon_days: 60, warmup_days: 11, seed: 7}
items:
  widget: {unit_cost: 10.0, price: 20.0}
suppliers:
  acme: {items: [widget], lead_time: 3, when_down: {orders: queue}}
stock_points:
  store: {item: widget, source: acme, initial: 20, policy: {kind: s_S, s: 10, S: 20}}
customers:
  walk_in: {buys_from: store, demand: 2}
"""

TWO_SUPPLIERS = """
name: two_suppliers
run: {horizon_days: 150, warmup_days: 20, seed: 3}
items:
  gear: {unit_cost: 10.0, price: 30.0}
  bolt: {unit_cost: 1.0, price: 3.0}
suppliers:
  fragile: {items: [gear], lead_time: 2}
  sturdy: {items: [bolt], lead_time: 2}
stock_points:
  gear_store: {item: gear, source: fragile, initial: 12,
               policy: {kind: s_S, s: 6, S: 12}}
  bolt_store: {item: bolt, source: sturdy, initial: 400,
               policy: {kind: s_S, s: 300, S: 400}}
customers:
  gear_buyer: {buys_from: gear_store, demand: {kind: poisson, mean: 3},
               unmet: lost_sale, lost_sale_penalty: 5.0}
  bolt_buyer: {buys_from: bolt_store, demand: {kind: poisson, mean: 3},
               unmet: lost_sale, lost_sale_penalty: 5.0}
alternatives:
  lean: {}
  buffered: {gear_store: {kind: s_S, s: 60, S: 90}}
"""


def test_time_to_survive_by_hand() -> None:
    """Failure at day 11 (the first day after warm-up), orders queued until recovery, which
    never comes: on hand 8 at the start of day 11, plus the 10 units ordered on day 10 and in
    transit (arriving 13, ``in_transit: continue``); the day-15 order is queued for ever. 18
    units at 2/day serve days 11…19 in full; day 20 is short: TTS = 9 days. So a 10-day
    outage outlasts it (TTS < TTR) and a 5-day one does not."""
    scenario = jitsim.load_scenario_text(SHOP)
    result = jitsim.stress(scenario, durations=[5, 10], replications=2, seed=1, backend="serial")
    assert result.start_day == 11
    tts = result.tts()
    assert tts["tts_days"].tolist() == [9.0]
    assert tts["tts_min_days"].tolist() == [9.0]
    assert not tts["tts_censored"].any()
    table = result.table().set_index("duration_days")
    assert not table.loc[5, "tts_lt_ttr"] and table.loc[10, "tts_lt_ttr"]
    # The 10-day outage: recovery at 21, the queued orders arrive at 24 — days 20…23 are
    # short by 2 each (backordered): 8 extra units, a stockout in every replication.
    assert table.loc[10, "lost_units"] == pytest.approx(8.0)
    assert table.loc[10, "p_stockout"] == 1.0 and table.loc[5, "lost_units"] == 0.0


def test_service_recovery_by_hand() -> None:
    """The 10-day outage of the hand case above: days 20…23 are short by their whole demand
    of 2. Rolling 7-day fill rate on day 20 (days 14…20): 1 − 2/14 = 0.857 < 0.90, the drop;
    it stays below 0.95 while a short day is in the window, i.e. up to day 29 (days 23…29),
    and is 1 on day 30: recovery after 30 − 20 = 10 days. The 5-day outage never drops; nor
    does the baseline."""
    scenario = jitsim.load_scenario_text(SHOP)
    result = jitsim.stress(scenario, durations=[5, 10], replications=2, seed=1, backend="serial")
    table = result.table().set_index("duration_days")
    assert table.loc[10, "service_drop_share"] == 1.0
    assert table.loc[10, "recovery_days"] == 10.0 and not table.loc[10, "recovery_censored"]
    assert table.loc[5, "service_drop_share"] == 0.0 and np.isnan(table.loc[5, "recovery_days"])
    assert (table["baseline_drop_share"] == 0.0).all()
    hit = result.rows(2, "base")  # the 10-day knock-out
    assert hit[f"{EVENT}.service_drop_day"].tolist() == [20.0, 20.0]
    # a stricter recovery threshold of 1.0 changes nothing here; a looser drop one (0.8) does
    looser = SHOP.replace("seed: 7}", "seed: 7, service_recovery: {below: 0.8}}")
    loose = jitsim.stress(
        jitsim.load_scenario_text(looser), durations=[10], replications=1, backend="serial"
    )
    # day 21 (days 15…21): 1 − 4/14 = 0.714 < 0.8 is the first drop; back at 30: 9 days
    assert loose.rows(1, "base")[f"{EVENT}.service_drop_day"].tolist() == [21.0]
    assert loose.table().iloc[0]["recovery_days"] == 9.0


def test_tts_counts_only_shortfalls_the_failure_causes() -> None:
    """A starved alternative, (s,S) = (1, 3) with lead time 3, runs short without any failure:
    its first shortfall after the failure happens in the baseline too, so its TTS is censored
    there in every replication instead of looking like a quick collapse."""
    text = SHOP + "alternatives:\n  fine: {}\n  starved: {store: {kind: s_S, s: 1, S: 3}}\n"
    result = jitsim.stress(
        jitsim.load_scenario_text(text), durations=[7], replications=2, backend="serial"
    )
    tts = result.tts().set_index("alternative")
    assert tts.loc["fine", "tts_days"] == 9.0 and not tts.loc["fine", "tts_censored"]
    assert tts.loc["starved", "baseline_short_first_share"] == 1.0
    assert tts.loc["starved", "censored_share"] == 1.0 and tts.loc["starved", "tts_censored"]
    base = result.rows(0, "starved")[f"{EVENT}.first_shortfall_day"].to_numpy()
    assert tts.loc["starved", "tts_days"] == np.floor(base - result.start_day).max()


def test_start_day_shifts_the_failure() -> None:
    """Failure at day 10: the day-10 order is placed while the supplier is down (queued for
    ever), so only the 10 on hand remain: days 10…14 are served, TTS = 5."""
    scenario = jitsim.load_scenario_text(SHOP.replace("warmup_days: 11", "warmup_days: 10"))
    result = jitsim.stress(scenario, durations=[7], replications=1, seed=1, backend="serial")
    assert result.tts()["tts_days"].tolist() == [5.0]


def test_tts_is_censored_when_the_stock_outlasts_the_horizon() -> None:
    text = SHOP.replace("initial: 20", "initial: 500").replace("s: 10, S: 20", "s: 10, S: 500")
    result = jitsim.stress(
        jitsim.load_scenario_text(text), durations=[7], replications=1, backend="serial"
    )
    row = result.tts().iloc[0]
    assert row["tts_censored"] and row["tts_days"] == result.horizon_after_failure == 49
    assert row["censored_share"] == 1.0


def test_knockouts_share_the_demand_path_with_the_baseline() -> None:
    scenario = jitsim.load_scenario_text(TWO_SUPPLIERS)
    result = jitsim.stress(scenario, durations=[14], replications=4, seed=5, backend="serial")
    frame = result.frame
    assert len(result.variants) == 1 + 2 * 2  # baseline + (14 days, to horizon) per node
    for alternative in result.alternatives:
        base = result.rows(0, alternative)["demand_units"].to_numpy()
        assert len(base) == 4 and len(set(base)) > 1  # the replications differ
        for variant in result.variants[1:]:
            hit = result.rows(variant.point, alternative)["demand_units"].to_numpy()
            np.testing.assert_array_equal(hit, base)
    knocked = frame[frame["point"] == 1]
    assert (knocked["fragile.downtime_days"] == 14.0).all()
    assert f"{EVENT}.first_shortfall_day" in frame.columns


def test_the_critical_supplier_ranks_first() -> None:
    scenario = jitsim.load_scenario_text(TWO_SUPPLIERS)
    result = jitsim.stress(scenario, durations=[7, 30], replications=5, seed=2, backend="serial")
    table = result.table()
    assert table.iloc[0]["node"] == "fragile"
    assert table.iloc[0]["risk_exposure_index"] == 1.0
    assert result.weak_links()[0] == "fragile"
    sturdy = table[table["node"] == "sturdy"]
    assert (sturdy["lost_units"] == 0).all() and (sturdy["risk_exposure_index"] <= 0.01).all()
    # a longer outage hurts the lean gear store more; the buffered one survives longer
    lean = table[(table["node"] == "fragile") & (table["alternative"] == "lean")]
    by_days = lean.set_index("duration_days")
    assert by_days.loc[30, "impact"] > by_days.loc[7, "impact"] > 0
    tts = result.tts().set_index(["node", "alternative"])
    assert tts.loc[("fragile", "buffered"), "tts_days"] > tts.loc[("fragile", "lean"), "tts_days"]
    assert tts.loc[("sturdy", "lean"), "tts_days"] > tts.loc[("fragile", "lean"), "tts_days"]
    # tail risk: CVaR95 is at least VaR95, and both are in the table
    assert (table["lost_margin_cvar95"] >= table["lost_margin_var95"] - 1e-9).all()
    assert (table["total_cost_cvar95"] >= table["total_cost_var95"] - 1e-9).all()


def test_bad_arguments() -> None:
    scenario = jitsim.load_scenario_text(SHOP)
    with pytest.raises(JitsimError, match="unknown node 'nope'"):
        jitsim.stress(scenario, nodes=["nope"], backend="serial")
    with pytest.raises(JitsimError, match="start day 5"):
        jitsim.stress(scenario, start_day=5, backend="serial")
    with pytest.raises(JitsimError, match="duration 0"):
        jitsim.stress(scenario, durations=[0], backend="serial")


def test_stress_command(tmp_path: Path) -> None:
    file = tmp_path / "two.yaml"
    file.write_text(TWO_SUPPLIERS, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(
        "stress", file, "-n", "3", "--seed", "1", "--durations", "7,30",
        "--out", out, "--quiet", "--backend", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    stdout = result.stdout  # type: ignore[attr-defined]
    assert "weak links" in stdout and "time-to-survive" in stdout and "TTS<TTR" in stdout
    table = pd.read_csv(out / "stress.csv")
    assert len(table) == 2 * 2 * 2  # nodes × durations × alternatives
    assert table.iloc[0]["node"] == "fragile" and list(table["rank"]) == list(range(1, 9))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kind"] == "stress" and summary["durations_days"] == [7, 30]
    assert (out / "tts.csv").exists()
    assert "what each alternative buys against lean" in stdout
    mitigations = pd.read_csv(out / "mitigations.csv")
    assert set(mitigations["alternative"]) == {"buffered"} and len(mitigations) == 2 * 2

    only = invoke(
        "stress", file, "-n", "2", "--node", "sturdy", "--durations", "7",
        "--out", tmp_path / "only", "--quiet", "--backend", "serial",
    )  # fmt: skip
    assert only.exit_code == 0, only.output  # type: ignore[attr-defined]
    assert set(pd.read_csv(tmp_path / "only" / "stress.csv")["node"]) == {"sturdy"}


def test_stress_command_rejects_an_unknown_node(tmp_path: Path) -> None:
    file = tmp_path / "two.yaml"
    file.write_text(TWO_SUPPLIERS, encoding="utf-8")
    result = invoke("stress", file, "--node", "nope", "--out", tmp_path / "o", "--quiet")
    assert result.exit_code == 2
    message = result.output  # type: ignore[attr-defined]
    assert "unknown node 'nope'" in message and "fragile, sturdy" in message
    assert not (tmp_path / "o").exists()
    bad = invoke("stress", file, "--durations", "7,x", "--out", tmp_path / "o2", "--quiet")
    assert bad.exit_code == 2 and "--durations" in bad.output  # type: ignore[attr-defined]


def test_the_baseline_simulates_like_the_scenario_as_given() -> None:
    """The baseline point carries a neutral event (a lead-time shock × 1 + 0 days): every KPI
    of the plain scenario is unchanged, replication by replication."""
    scenario = jitsim.load_scenario_text(TWO_SUPPLIERS)
    plain = jitsim.run(scenario, replications=3, seed=4, backend="serial").replications()
    result = jitsim.stress(scenario, durations=[7], replications=3, seed=4, backend="serial")
    base = result.frame[result.frame["point"] == 0].drop(columns="point")
    base = base.sort_values(["alternative", "replication"]).reset_index(drop=True)
    plain = plain.sort_values(["alternative", "replication"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(base[list(plain.columns)], plain)
    assert (base["fragile.downtime_days"] == 0).all()


def test_stress_command_precision_export_chunks_and_events(tmp_path: Path) -> None:
    """--precision runs rounds until total_cost of every variant is within ±5 %; --export
    writes a workbook of the tables; --chunk-size is recorded; --event adds a standing
    disruption to every variant (here a demand surge, visible in the baseline's demand)."""
    pytest.importorskip("openpyxl")
    file = tmp_path / "two.yaml"
    file.write_text(TWO_SUPPLIERS, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(
        "stress", file, "--durations", "7", "--precision", "0.05", "--min-replications", "10",
        "--max-replications", "40", "--chunk-size", "5", "--export", "xlsx",
        "--event", "demand-surge-100pct-10d:gear_buyer@30",
        "--out", out, "--quiet", "--backend", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "precision target ±5.00% on total_cost" in result.stdout  # type: ignore[attr-defined]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["precision"].startswith("precision target")
    assert 10 <= summary["replications"] <= 40
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plan"]["chunk_size"] == 5
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"stress", "tts", "replications"} <= set(sheets)
    frame = sheets["replications"]
    assert "demand-surge-100pct-10d-gear_buyer-30.first_shortfall_day" in frame.columns
    assert "--event=demand-surge-100pct-10d:gear_buyer@30" in summary["command"]


def test_a_tested_event_by_hand() -> None:
    """--test-event demand-surge-100pct-5d:walk_in from day 11: demand 4/day on days 11…15.
    On hand 8 and 10 arriving at 13: day 11 → 4, day 12 → 0, day 13: +10, the review sees
    IP 10 ≤ s and orders 10 (arrives 16), demand → 6; day 14 → 2; day 15: 2 on hand for 4
    demanded, short at 15.5: TTS = ⌊15.5 − 11⌋ = 4 days < the event's 5 days. The baseline is
    never short. Days 15 (2 short) … the surge ends; the day-16 receipt serves the backlog."""
    scenario = jitsim.load_scenario_text(SHOP)
    result = jitsim.stress(
        scenario, events=["demand-surge-100pct-5d:walk_in"], replications=1, backend="serial"
    )
    assert result.nodes == {} and result.events == ["demand-surge-100pct-5d:walk_in"]
    tts = result.tts().iloc[0]
    assert tts["node_kind"] == "event" and tts["tts_days"] == 4.0 and not tts["tts_censored"]
    assert tts["censored_at_days"] == 5.0
    row = result.table().iloc[0]
    assert row["duration_days"] == 5.0 and row["tts_lt_ttr"]
    assert row["lost_units"] == pytest.approx(2.0)
    # demand grew by 10 units and all of it was sold by the end: nothing unserved, no revenue
    # at risk (a surge's extra sales are not a "gain" either)
    assert row["revenue_at_risk"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(JitsimError, match="starts on day 30, the failure day is 11"):
        jitsim.stress(scenario, events=["outage-5d:acme@30"], backend="serial")
    with pytest.raises(JitsimError, match="--test-event: 'outage-5:acme' is not a named"):
        jitsim.stress(scenario, events=["outage-5:acme"], backend="serial")


def test_a_group_knock_out_is_one_common_cause_failure() -> None:
    scenario = jitsim.load_scenario_text(TWO_SUPPLIERS)
    result = jitsim.stress(
        scenario,
        nodes=["fragile+sturdy", "fragile"],
        durations=[14],
        replications=3,
        seed=5,
        backend="serial",
    )
    assert result.nodes == {"fragile+sturdy": "group", "fragile": "supplier"}
    group = result.frame[result.frame["point"] == 1]
    assert (group["fragile.downtime_days"] == 14.0).all()
    assert (group["sturdy.downtime_days"] == 14.0).all()
    table = result.table().set_index(["node", "alternative"])
    for alternative in result.alternatives:
        both = table.loc[("fragile+sturdy", alternative), "lost_units"]
        assert both >= table.loc[("fragile", alternative), "lost_units"]
    closed = jitsim.stress(
        scenario, nodes=["gear_store"], durations=[14], replications=2, backend="serial"
    )
    assert closed.nodes == {"gear_store": "stock_point"}
    assert (closed.frame[closed.frame["point"] == 1]["gear_store.downtime_days"] == 14.0).all()
    with pytest.raises(JitsimError, match="names a node twice"):
        jitsim.stress(scenario, nodes=["fragile+fragile"], backend="serial")
    with pytest.raises(JitsimError, match="unknown node 'nope'"):
        jitsim.stress(scenario, nodes=["fragile+nope"], backend="serial")


def test_stress_command_groups_and_tested_events(tmp_path: Path) -> None:
    file = tmp_path / "two.yaml"
    file.write_text(TWO_SUPPLIERS, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(
        "stress", file, "-n", "2", "--durations", "7", "--node", "fragile+sturdy",
        "--test-event", "demand-surge-50pct-10d:gear_buyer", "--test-event",
        "stock-loss-50pct:bolt_store", "--out", out, "--quiet", "--backend", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    table = pd.read_csv(out / "stress.csv")
    assert set(table["node"]) == {
        "fragile+sturdy",
        "demand-surge-50pct-10d:gear_buyer",
        "stock-loss-50pct:bolt_store",
    }
    assert set(table["node_kind"]) == {"group", "event"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["events"] == ["demand-surge-50pct-10d:gear_buyer", "stock-loss-50pct:bolt_store"]
    assert "--test-event=stock-loss-50pct:bolt_store" in summary["command"]
    bad = invoke(
        "stress", file, "--test-event", "surge:gear_buyer", "--out", tmp_path / "o", "--quiet"
    )
    assert bad.exit_code == 2 and "not a named stress event" in bad.output  # type: ignore[attr-defined]


def test_what_each_mitigation_buys() -> None:
    """mitigations(): impact avoided = the reference's impact − the alternative's (same node
    and duration); annual cost = the paired baseline profit given up × 365 / 130 measured
    days; break-even failures per year = annual cost / impact avoided."""
    scenario = jitsim.load_scenario_text(TWO_SUPPLIERS)
    result = jitsim.stress(
        scenario, nodes=["fragile"], durations=[30], replications=6, seed=2, backend="serial"
    )
    table = result.table().set_index("alternative")
    (row,) = result.mitigations("lean").to_dict("records")
    assert (row["alternative"], row["reference"], row["node"]) == ("buffered", "lean", "fragile")
    avoided = table.loc["lean", "impact"] - table.loc["buffered", "impact"]
    assert row["impact_avoided"] == pytest.approx(avoided) and avoided > 0
    lean, buffered = result.rows(0, "lean"), result.rows(0, "buffered")
    annual = (lean["profit"] - buffered["profit"]).mean() * 365 / 130
    assert row["annual_cost"] == pytest.approx(annual)
    expected = annual / avoided if annual > 0 else 0.0
    assert row["breakeven_failures_per_year"] == pytest.approx(expected)
    assert row["pays_if"] == ("more often" if annual > 0 else "always")
    assert row["tts_gain_days"] == table.loc["buffered", "tts_days"] - table.loc["lean", "tts_days"]
    # against buffered, lean avoids a negative impact: it never pays for this failure
    (back,) = result.mitigations("buffered").to_dict("records")
    assert back["impact_avoided"] == pytest.approx(-avoided)
    with pytest.raises(JitsimError, match="unknown reference alternative 'nope'"):
        result.mitigations("nope")
    with pytest.raises(JitsimError, match="unknown reference alternative 'nope'"):
        jitsim.stress(scenario, reference="nope", backend="serial")


@pytest.mark.parametrize(
    ("annual", "avoided", "pays", "breakeven"),
    [
        (1000.0, 4000.0, "more often", 0.25),  # costs 1000 a year, saves 4000 a failure
        (-1000.0, -4000.0, "less often", 0.25),  # saves 1000 a year, loses 4000 a failure
        (-1000.0, 4000.0, "always", 0.0),
        (0.0, 0.0, "always", 0.0),
        (1000.0, -5.0, "never", math.nan),
        (1000.0, 0.0, "never", math.nan),
        (0.0, -5.0, "never", math.nan),  # costs nothing a year, but loses per failure
    ],
)
def test_when_a_mitigation_pays(annual: float, avoided: float, pays: str, breakeven: float) -> None:
    """With f failures a year the alternative gains f × avoided − annual."""
    from jitsim.experiments.stress.mitigations import _pays

    got, value = _pays(annual, avoided)
    assert got == pays
    assert value == pytest.approx(breakeven, nan_ok=True)


TWO_ITEMS = """
name: two items
run: {horizon_days: 120, warmup_days: 20, seed: 4}
items:
  cheap: {unit_cost: 2.0, price: 3.0}
  dear: {unit_cost: 200.0, price: 260.0}
suppliers:
  small_co: {items: [cheap], lead_time: 2}
  big_co: {items: [dear], lead_time: 2}
stock_points:
  cheap_store: {item: cheap, source: small_co, initial: 40, policy: {kind: s_S, s: 10, S: 40}}
  dear_store: {item: dear, source: big_co, initial: 20, policy: {kind: s_S, s: 6, S: 20}}
customers:
  cheap_buyer: {buys_from: cheap_store, demand: {kind: poisson, mean: 10}, unmet: lost_sale}
  dear_buyer: {buys_from: dear_store, demand: {kind: poisson, mean: 2}, unmet: lost_sale}
"""


def test_impact_values_each_item_at_its_own_price() -> None:
    """Knocking out the dear item's supplier: revenue at risk is exactly the paired revenue
    lost (demand is unchanged), the lost margin values each lost unit at 260 − 200, and with
    one source per stock point nothing was bought dearer (premium 0), however the knock-out
    shifts the mix of items bought."""
    result = jitsim.stress(
        jitsim.load_scenario_text(TWO_ITEMS),
        nodes=["big_co"],
        durations=[30],
        replications=5,
        seed=1,
        backend="serial",
    )
    row = result.table().iloc[0]
    base, hit = result.rows(0, "base"), result.rows(1, "base")
    lost = (base["dear_buyer.sold_units"] - hit["dear_buyer.sold_units"]).mean()
    assert lost > 10
    assert row["revenue_at_risk"] == pytest.approx((base["revenue"] - hit["revenue"]).mean())
    cheap_lost = (base["cheap_buyer.sold_units"] - hit["cheap_buyer.sold_units"]).mean()
    assert row["lost_margin"] == pytest.approx(lost * 60 + cheap_lost * 1)
    assert row["purchase_premium"] == pytest.approx(0.0, abs=1e-9)


def test_rejected_units_lost_leave_bought_units_too() -> None:
    """With ``rejects: lose`` a rejected unit is neither paid for nor bought: the average price
    paid stays the unit price."""
    text = TWO_ITEMS.replace(
        "small_co: {items: [cheap], lead_time: 2}",
        "small_co: {items: [cheap], lead_time: 2, defect_rate: 0.2, rejects: lose}",
    )
    kpis = jitsim.simulate(jitsim.load_scenario_text(text), "base", 0).kpis
    assert kpis["cheap_store.units_rejected"] > 0
    price = kpis["cheap_store.purchase_cost"] / kpis["cheap_store.bought_units"]
    assert price == pytest.approx(2.0)


def test_calm_drops_the_scenarios_own_disruptions(tmp_path: Path) -> None:
    """With a random outage in the file, the baseline is disrupted; --calm drops it (but keeps
    a standing --event), so the baseline's supplier is never down apart from that event."""
    text = TWO_SUPPLIERS + (
        "disruptions:\n  breakdowns: {kind: outage, nodes: [fragile], p_down: 0.05, p_up: 0.3}\n"
    )
    scenario = jitsim.load_scenario_text(text)
    rough = jitsim.stress(scenario, nodes=["sturdy"], durations=[7], replications=3,
                          backend="serial")  # fmt: skip
    assert (rough.rows(0, "lean")["fragile.downtime_days"] > 0).all()
    calm = jitsim.stress(scenario, nodes=["sturdy"], durations=[7], replications=3,
                         backend="serial", calm=True)  # fmt: skip
    assert (calm.rows(0, "lean")["fragile.downtime_days"] == 0).all()
    assert "breakdowns.first_shortfall_day" not in calm.frame.columns
    file = tmp_path / "rough.yaml"
    file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(
        "stress", file, "-n", "2", "--node", "sturdy", "--durations", "7", "--calm",
        "--event", "outage-5d:fragile@40", "--out", out, "--quiet", "--backend", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    frame = pd.read_csv(out / "replications.csv")
    assert (frame["fragile.downtime_days"] == 5.0).all()  # the standing event only
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "--calm" in summary["command"]


def test_each_alternative_is_valued_at_its_own_prices() -> None:
    """An alternative that changes the item's price: its lost demand is valued at that price,
    so revenue at risk is still exactly its paired revenue lost."""
    text = TWO_ITEMS + (
        "alternatives:\n  usual: {}\n  premium: {changes: {items.dear.price: 300.0}}\n"
    )
    result = jitsim.stress(
        jitsim.load_scenario_text(text), nodes=["big_co"], durations=[30], replications=4,
        seed=1, backend="serial",
    )  # fmt: skip
    table = result.table().set_index("alternative")
    for alternative in ("usual", "premium"):
        base, hit = result.rows(0, alternative), result.rows(1, alternative)
        paired = (base["revenue"] - hit["revenue"]).mean()
        assert table.loc[alternative, "revenue_at_risk"] == pytest.approx(paired)
