"""One way to build a model: every bundled scenario and alternative gives the same
per-replication results through the public API, the command line and a model built by hand
from ``resolve`` and ``build`` (the only public way to a model).

Before #10, ``Network(scenario, alternative, streams)`` accepted a scenario whose alternative
had not been applied and silently ignored that alternative's ``changes``; now a model is built
only from ``resolve(scenario, alternative)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import BUNDLED, Invoke, RunModel

import jitsim
from jitsim.model.kpis import extract
from jitsim.model.network import build
from jitsim.streams import Streams

SEED = 11
REPLICATIONS = 2


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_api_cli_and_a_model_built_from_resolve_agree(
    path: Path, tmp_path: Path, invoke: Invoke, model: RunModel
) -> None:
    scenario = jitsim.load_scenario(path)
    api = jitsim.run(scenario, replications=REPLICATIONS, seed=SEED, backend="serial")
    frame = api.replications()
    assert sorted(set(frame["alternative"])) == sorted(scenario.alternative_names())

    out = tmp_path / "out"
    result = invoke("run", path, "-n", REPLICATIONS, "--seed", SEED, "-q", "-o", out)
    assert result.exit_code == 0, result.output
    on_disk = pd.read_csv(out / "replications.csv")
    pd.testing.assert_frame_equal(on_disk, frame, check_dtype=False, rtol=1e-12, atol=0)

    for row in frame.to_dict("records"):
        alternative, replication = str(row["alternative"]), int(row["replication"])
        by_hand = extract(model(scenario, alternative, replication, SEED, trace=False))
        for kpi, value in by_hand.items():
            expected = row[kpi]
            assert (math.isnan(value) and math.isnan(expected)) or math.isclose(
                value, expected, rel_tol=1e-12, abs_tol=1e-12
            ), (alternative, replication, kpi)


def test_a_model_cannot_be_built_from_an_unresolved_scenario() -> None:
    scenario = jitsim.load_scenario(next(p for p in BUNDLED if p.stem == "quickstart"))
    assert scenario.alternatives
    with pytest.raises(ValueError, match=r"resolve\(scenario, alternative\)"):
        build(scenario, Streams(1, 0))


def test_an_alternative_with_changes_is_simulated_with_them(model: RunModel) -> None:
    """The trap of #10: the failover alternative adds a backup supplier; its model has it."""
    path = next(p for p in BUNDLED if p.stem == "jit_single_source_failure")
    scenario = jitsim.load_scenario(path)
    assert scenario.stock_points["warehouse"].backup is None
    assert model(scenario, "jit_with_backup").points["warehouse"].backup is not None
    assert model(scenario, "jit_single").points["warehouse"].backup is None


def test_resolve_names_the_known_alternatives() -> None:
    scenario = jitsim.load_scenario(next(p for p in BUNDLED if p.stem == "quickstart"))
    with pytest.raises(jitsim.JitsimError, match=r"unknown alternative 'nope'.*buffered"):
        jitsim.resolve(scenario, "nope")
    resolved = jitsim.resolve(scenario, "eoq")
    assert resolved.alternatives == {}
    assert resolved.stock_points["store"].policy.kind == "eoq"
    assert jitsim.resolve(scenario, "eoq") is resolved  # built once, kept
