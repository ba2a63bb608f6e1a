"""Random streams (docs/architecture.md) and the policy registry / entry-point plug-ins."""

from __future__ import annotations

import subprocess
import sys
from typing import Literal

import numpy as np
import pytest

import jitsim.policies as policies
from jitsim.distributions import Poisson
from jitsim.policies.base import PolicyContext, PolicySpec
from jitsim.policies.classic import OrderUpTo
from jitsim.streams import BlockDraws, BlockSampler, Streams, stable_hash


def test_stable_hash_is_the_same_in_a_fresh_interpreter() -> None:
    # Python's own hash() of str is salted per process; ours must not be.
    code = "from jitsim.streams import stable_hash; print(stable_hash('customer.walk_in.demand'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == stable_hash("customer.walk_in.demand")


def test_streams_depend_on_seed_replication_and_name_only() -> None:
    a = Streams(7, 3)("lane.store.lead_time").random(5)
    b = Streams(7, 3)
    b("something.else").random(100)  # creating other streams first changes nothing
    assert np.array_equal(a, b("lane.store.lead_time").random(5))
    assert not np.array_equal(a, Streams(7, 4)("lane.store.lead_time").random(5))
    assert not np.array_equal(a, Streams(8, 3)("lane.store.lead_time").random(5))
    assert not np.array_equal(a, Streams(7, 3)("lane.dc.lead_time").random(5))


def test_block_sampler_hands_out_the_stream_in_order() -> None:
    dist = Poisson(mean=4)
    sampler = BlockSampler(dist, Streams(1, 0)("x"), size=8)
    values = [sampler.next() for _ in range(20)]
    rng = Streams(1, 0)("y")  # same construction, different name: independent
    assert values != [float(v) for v in rng.poisson(4, 20)]
    expected = np.concatenate([dist.sample(g, 8) for g in [Streams(1, 0)("x")] * 3])[:20]
    assert values == expected.tolist()
    assert sampler.mean == 4.0


def test_block_draws_hand_out_uniforms_and_integers_in_order() -> None:
    uniforms = BlockDraws(Streams(1, 0)("u").random, 4)
    values = [uniforms.next() for _ in range(10)]
    assert values == Streams(1, 0)("u").random(12)[:10].tolist()
    rng = Streams(1, 0)("g")
    gaps = BlockDraws(lambda size: rng.geometric(0.3, size), 4)
    drawn = [gaps.next() for _ in range(6)]
    assert drawn == Streams(1, 0)("g").geometric(0.3, 8)[:6].tolist()
    assert all(type(gap) is int for gap in drawn)


def test_block_draws_draw_nothing_until_asked() -> None:
    def refuse(size: int) -> np.ndarray:
        raise AssertionError("drew before the first call")

    BlockDraws(refuse, 64)


class _DoubleBaseStock(PolicySpec):
    """A toy third-party policy: order up to twice its level."""

    kind: Literal["double_base_stock"] = "double_base_stock"
    level: float

    def build(self, ctx: PolicyContext) -> OrderUpTo:
        return OrderUpTo(2 * self.level, 2 * self.level, always=True)


class _EntryPoint:
    name = "double_base_stock"

    def load(self) -> type[PolicySpec]:
        return _DoubleBaseStock


def test_entry_point_policies_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_entry_points(group: str) -> list[_EntryPoint]:
        return [_EntryPoint()] if group == "jitsim.policies" else []

    monkeypatch.setattr(policies, "entry_points", fake_entry_points)
    found = policies._plugin_policies()
    assert found == [_DoubleBaseStock]


def test_registry_covers_every_builtin_kind() -> None:
    assert set(policies.POLICY_REGISTRY) >= {"s_S", "base_stock", "r_Q", "eoq", "jit", "kanban"}


class _SsImpostor(PolicySpec):
    kind: Literal["s_S"] = "s_S"


class _Broken:
    name = "broken"

    def load(self) -> type[PolicySpec]:
        raise ImportError("no module named 'nothing'")


class _Impostor:
    name = "impostor"

    def load(self) -> type[PolicySpec]:
        return _SsImpostor


def test_bad_plugins_are_skipped_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_entry_points(group: str) -> list[object]:
        return [_Broken(), _Impostor(), _EntryPoint()]

    monkeypatch.setattr(policies, "entry_points", fake_entry_points)
    with pytest.warns(UserWarning) as caught:
        found = policies._plugin_policies()
    assert found == [_DoubleBaseStock]
    messages = " ".join(str(w.message) for w in caught)
    assert "failed to load" in messages and "reuses the kind 's_S'" in messages
