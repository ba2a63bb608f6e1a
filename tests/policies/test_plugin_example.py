"""The example plug-in package ``examples/jitsim-plugin-minmax`` (docs/plugins.md).

Its policy logic is tested from the source file on every run; the tests of the installed
plug-in (entry point found, scenario validated and run) skip unless it is installed, as CI does
(``pip install examples/jitsim-plugin-minmax``, see .ci/run).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Invoke
from pydantic import ValidationError

import jitsim
from jitsim.policies import POLICY_REGISTRY

EXAMPLE = ROOT / "examples" / "jitsim-plugin-minmax"
SCENARIO = EXAMPLE / "minmax_store.yaml"

_spec = importlib.util.spec_from_file_location(
    "jitsim_minmax_source", EXAMPLE / "src" / "jitsim_minmax" / "__init__.py"
)
assert _spec is not None and _spec.loader is not None
minmax = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = minmax  # pydantic resolves the annotations through sys.modules
_spec.loader.exec_module(minmax)

installed = pytest.mark.skipif(
    "min_max" not in POLICY_REGISTRY,
    reason="the example plug-in is not installed (pip install examples/jitsim-plugin-minmax)",
)


def test_orders_whole_packs_up_to_max() -> None:
    policy = minmax.MinMax(40.0, 100.0, 12.0)
    assert policy.order_quantity(41.0, 0.0) == 0  # above min: nothing
    assert policy.order_quantity(40.0, 0.0) == 60  # exactly 5 packs reach max
    assert policy.order_quantity(39.0, 0.0) == 72  # 61 units → 6 packs
    assert policy.order_quantity(-5.0, 0.0) == 108  # backorders count in the position
    assert minmax.MinMax(40.0, 100.0, 1.0).order_quantity(33.0, 0.0) == 67  # (s,S)
    assert policy.derived() == {"min_max_pack_units": 12.0}


def test_spec_checks_its_fields() -> None:
    spec = minmax.MinMaxSpec(min=40, max=100, pack=12)
    assert spec.kind == "min_max"
    with pytest.raises(ValidationError, match="greater than min"):
        minmax.MinMaxSpec(min=100, max=40)
    with pytest.raises(ValidationError):
        minmax.MinMaxSpec(min=10, max=40, pack=0)


@installed
def test_installed_plugin_runs_its_scenario() -> None:
    scenario = jitsim.load_scenario(SCENARIO)
    result = jitsim.run(scenario, replications=4, seed=1, backend="serial")
    frame = result.replications()
    packs = frame[frame["alternative"] == "packs_of_12"]
    assert (packs["store.min_max_pack_units"] == 12).all()
    for _, row in packs.iterrows():
        ordered = row["store.avg_order_qty"] * row["store.orders_placed"]
        assert math.isclose(ordered / 12, round(ordered / 12), abs_tol=1e-6)
    plain = frame[frame["alternative"] == "s_S"]
    assert plain["store.min_max_pack_units"].isna().all()


@installed
def test_installed_plugin_errors_name_file_and_line(invoke: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SCENARIO.read_text().replace("min: 40, max: 100, pack: 12}    #", "min: 40, max: 30}    #")
    )
    result = invoke("validate", bad)
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "greater than min" in result.output


@installed
def test_installed_plugin_from_the_command_line(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("compare", SCENARIO, "--baseline", "s_S", "-n", "4", "-q", "--backend",
                    "serial", "-o", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "comparison.csv").exists()


@installed
def test_installed_plugin_with_packs_of_one_is_the_s_S_policy() -> None:
    text = SCENARIO.read_text(encoding="utf-8").replace("pack: 12}", "pack: 1}")
    scenario = jitsim.load_scenario_text(text)
    frame = jitsim.run(scenario, replications=3, seed=5, backend="serial").replications()
    kpis = ["total_cost", "fill_rate", "orders_placed", "avg_on_hand"]
    ours = frame[frame["alternative"] == "packs_of_12"][kpis].reset_index(drop=True)
    theirs = frame[frame["alternative"] == "s_S"][kpis].reset_index(drop=True)
    assert ours.equals(theirs)
