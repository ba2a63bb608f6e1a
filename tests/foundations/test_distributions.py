"""Tests for jitsim.distributions: moments, support, scaling, validation, registry."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from jitsim.distributions import (
    DISTRIBUTION_KINDS,
    BaseDistribution,
    Constant,
    Distribution,
    Empirical,
    NegativeBinomial,
    Normal,
    Poisson,
)

ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)
N = 200_000
SEED = 12345


def parse(spec: Any) -> BaseDistribution:
    result: BaseDistribution = ADAPTER.validate_python(spec)
    return result


def phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def big_phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def truncnorm_moments(mu: float, sd: float) -> tuple[float, float]:
    """Textbook moments of N(mu, sd²) conditioned on X >= 0."""
    a = -mu / sd
    lam = phi(a) / (1.0 - big_phi(a))
    return mu + sd * lam, sd * sd * (1.0 + a * lam - lam * lam)


def empirical_moments(values: list[float], weights: list[float]) -> tuple[float, float]:
    total = sum(weights)
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total
    var = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)) / total
    return mean, var


# (spec, independently computed mean, variance, is_discrete)
CASES: list[tuple[Any, float, float, bool]] = [
    (3, 3.0, 0.0, True),
    ({"kind": "constant", "value": 2.5}, 2.5, 0.0, False),
    ({"kind": "poisson", "mean": 8}, 8.0, 8.0, True),
    ({"kind": "poisson", "mean": 0.3}, 0.3, 0.3, True),
    ({"kind": "poisson", "mean": 0}, 0.0, 0.0, True),
    ({"kind": "normal", "mean": 10, "sd": 2}, *truncnorm_moments(10, 2), False),
    ({"kind": "normal", "mean": 0.5, "sd": 1}, *truncnorm_moments(0.5, 1), False),
    # half-normal: mean sd·sqrt(2/pi), variance sd²·(1 - 2/pi)
    (
        {"kind": "normal", "mean": 0, "sd": 3},
        3 * math.sqrt(2 / math.pi),
        9 * (1 - 2 / math.pi),
        False,
    ),
    ({"kind": "normal", "mean": -4, "sd": 1}, *truncnorm_moments(-4, 1), False),
    ({"kind": "normal", "mean": 4, "sd": 0}, 4.0, 0.0, True),
    ({"kind": "lognormal", "mean": 5, "cv": 0.5}, 5.0, 6.25, False),
    ({"kind": "lognormal", "mean": 2, "cv": 1}, 2.0, 4.0, False),
    ({"kind": "lognormal", "mean": 7, "cv": 0}, 7.0, 0.0, True),
    ({"kind": "gamma", "mean": 4, "cv": 0.5}, 4.0, 4.0, False),
    ({"kind": "gamma", "mean": 3, "cv": 2}, 3.0, 36.0, False),
    ({"kind": "exponential", "mean": 7}, 7.0, 49.0, False),
    ({"kind": "negative_binomial", "mean": 5, "cv": 1}, 5.0, 25.0, True),
    ({"kind": "negative_binomial", "mean": 20, "cv": 0.3}, 20.0, 36.0, True),
    ({"kind": "uniform", "low": 1, "high": 3}, 2.0, 4 / 12, False),
    ({"kind": "uniform", "low": 2, "high": 2}, 2.0, 0.0, True),
    ({"kind": "discrete_uniform", "low": 0, "high": 9}, 4.5, 8.25, True),
    ({"kind": "discrete_uniform", "low": 3, "high": 3}, 3.0, 0.0, True),
    ({"kind": "triangular", "low": 0, "mode": 1, "high": 4}, 5 / 3, (1 + 16 - 4) / 18, False),
    (
        {"kind": "triangular", "low": 2, "mode": 2, "high": 5},
        3.0,
        (4 + 4 + 25 - 4 - 10 - 10) / 18,
        False,
    ),
    (
        {"kind": "empirical", "values": [1, 2, 5], "weights": [1, 0, 2]},
        *empirical_moments([1, 2, 5], [1, 0, 2]),
        True,
    ),
    (
        {"kind": "empirical", "values": [0.5, 1.5, 4]},
        *empirical_moments([0.5, 1.5, 4], [1, 1, 1]),
        False,
    ),
    ({"kind": "empirical", "values": [1.5, 2], "weights": [0, 3]}, 2.0, 0.0, True),
]
IDS = [ADAPTER.validate_python(c[0]).describe() for c in CASES]


def assert_moments(draws: np.ndarray, mean: float, var: float) -> None:
    """Sample mean within 4 SE, sample variance within 5 SE (SE from the 4th moment)."""
    n = draws.size
    tiny = 1e-12 * max(1.0, abs(mean))
    assert abs(draws.mean() - mean) <= 4.0 * math.sqrt(var / n) + tiny
    centred = draws - draws.mean()
    s2 = float(np.mean(centred**2))
    m4 = float(np.mean(centred**4))
    se_var = math.sqrt(max(m4 - s2 * s2, 0.0) / n)
    assert abs(s2 - var) <= 5.0 * se_var + tiny * max(1.0, abs(mean))


@pytest.mark.parametrize(("spec", "mean", "var", "discrete"), CASES, ids=IDS)
def test_analytic_moments_match_textbook(
    spec: Any, mean: float, var: float, discrete: bool
) -> None:
    dist = parse(spec)
    assert dist.mean == pytest.approx(mean, rel=1e-9, abs=1e-12)
    assert dist.variance == pytest.approx(var, rel=1e-9, abs=1e-12)
    assert dist.is_discrete is discrete


@pytest.mark.parametrize(("spec", "mean", "var", "discrete"), CASES, ids=IDS)
def test_sample_moments_support_and_integrality(
    spec: Any, mean: float, var: float, discrete: bool
) -> None:
    dist = parse(spec)
    draws = dist.sample(np.random.default_rng(SEED), N)
    assert draws.shape == (N,)
    assert draws.dtype == np.float64
    assert np.isfinite(draws).all()
    assert (draws >= 0).all()
    if discrete:
        assert np.array_equal(draws, np.rint(draws))
    assert_moments(draws, dist.mean, dist.variance)


@pytest.mark.parametrize(("spec", "mean", "var", "discrete"), CASES, ids=IDS)
def test_same_seed_same_draws(spec: Any, mean: float, var: float, discrete: bool) -> None:
    dist = parse(spec)
    a = dist.sample(np.random.default_rng(7), 500)
    b = dist.sample(np.random.default_rng(7), 500)
    np.testing.assert_array_equal(a, b)
    fa = dist.sample_scaled(np.random.default_rng(7), np.linspace(0, 3, 50))
    fb = dist.sample_scaled(np.random.default_rng(7), np.linspace(0, 3, 50))
    np.testing.assert_array_equal(fa, fb)


# --- sample_scaled ------------------------------------------------------------------------------


def test_poisson_scaled_is_exact_poisson() -> None:
    draws = Poisson(mean=3).sample_scaled(np.random.default_rng(SEED), np.full(N, 2.0))
    assert np.array_equal(draws, np.rint(draws))
    assert_moments(draws, 6.0, 6.0)


def test_negative_binomial_scaled_keeps_shape() -> None:
    dist = NegativeBinomial(mean=5, cv=1)  # var 25 -> n = 25/20
    n_shape = 5.0**2 / (25.0 - 5.0)
    scaled_mean = 2.0 * 5.0
    draws = dist.sample_scaled(np.random.default_rng(SEED), np.full(N, 2.0))
    assert np.array_equal(draws, np.rint(draws))
    assert_moments(draws, scaled_mean, scaled_mean + scaled_mean**2 / n_shape)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "gamma", "mean": 4, "cv": 0.5},
        {"kind": "exponential", "mean": 4},
        {"kind": "lognormal", "mean": 4, "cv": 0.5},
        {"kind": "normal", "mean": 1, "sd": 1},
        {"kind": "uniform", "low": 1, "high": 5},
        {"kind": "triangular", "low": 0, "mode": 1, "high": 4},
    ],
)
def test_continuous_scaled_keeps_cv(spec: dict[str, Any]) -> None:
    dist = parse(spec)
    draws = dist.sample_scaled(np.random.default_rng(SEED), np.full(N, 3.0))
    assert_moments(draws, 3.0 * dist.mean, 9.0 * dist.variance)


def test_scaled_rounds_integer_kinds_only() -> None:
    """Integer kinds round the scaled draw stochastically: integers, mean scaled exactly."""
    rng = np.random.default_rng(SEED)
    factors = np.full(N, 1.3)
    for spec in (
        {"kind": "discrete_uniform", "low": 0, "high": 9},
        {"kind": "empirical", "values": [1, 2, 5]},
    ):
        dist = parse(spec)
        draws = dist.sample_scaled(rng, factors)
        assert np.all(draws == np.floor(draws))
        # E[round(1.3 X)] = 1.3 E[X]; Var = 1.69 Var(X) + E[frac(1.3X)(1 - frac(1.3X))].
        scaled = 1.3 * np.asarray(spec.get("values", np.arange(10.0)), dtype=float)
        frac = scaled - np.floor(scaled)
        variance = 1.69 * dist.variance + float(np.mean(frac * (1 - frac)))
        assert_moments(draws, 1.3 * dist.mean, variance)
    draws = parse({"kind": "empirical", "values": [0.5, 1.5]}).sample_scaled(rng, factors)
    np.testing.assert_allclose(np.unique(draws), [0.65, 1.95])  # not rounded


def test_scaled_per_factor_and_constant() -> None:
    factors = np.array([0.0, 1.0, 2.5])
    np.testing.assert_array_equal(
        Constant(value=4).sample_scaled(np.random.default_rng(1), factors), [0, 4, 10]
    )
    draws = parse({"kind": "negative_binomial", "mean": 5, "cv": 1}).sample_scaled(
        np.random.default_rng(1), np.zeros(100)
    )
    assert (draws == 0).all()


@pytest.mark.parametrize("factors", [[-1.0, 1.0], [math.nan], [math.inf], [[1.0]]])
def test_scaled_rejects_bad_factors(factors: Any) -> None:
    with pytest.raises(ValueError, match="factors"):
        Poisson(mean=1).sample_scaled(np.random.default_rng(1), factors)


# --- validation ---------------------------------------------------------------------------------

REJECTED: list[tuple[Any, str]] = [
    ({"kind": "gamma", "mean": 2, "cv": -0.2}, "cv(=-0.2) must be > 0"),
    ({"kind": "gamma", "mean": 2, "cv": 0}, "cv(=0) must be > 0"),
    ({"kind": "lognormal", "mean": 2, "cv": -0.2}, "cv(=-0.2) must be >= 0"),
    ({"kind": "lognormal", "mean": 0, "cv": 1}, "mean(=0) must be > 0"),
    ({"kind": "poisson", "mean": -1}, "mean(=-1) must be >= 0"),
    ({"kind": "constant", "value": -3}, "value(=-3) must be >= 0"),
    ({"kind": "poisson", "mean": math.nan}, "mean(=nan) must be a finite number"),
    ({"kind": "gamma", "mean": math.inf, "cv": 1}, "mean(=inf) must be a finite number"),
    ({"kind": "normal", "mean": -math.inf, "sd": 1}, "mean(=-inf) must be a finite number"),
    ({"kind": "poisson", "mean": True}, "mean(=True) must be a number, not bool"),
    ({"kind": "discrete_uniform", "low": False, "high": 2}, "low(=False) must be a number"),
    ({"kind": "poisson", "mean": "3"}, "mean(='3') must be a number, not str"),
    ({"kind": "normal", "mean": 1, "sd": -1}, "sd(=-1) must be >= 0"),
    ({"kind": "normal", "mean": -6, "sd": 1}, "mean/sd(=-6) must be >= -5"),
    ({"kind": "normal", "mean": -1, "sd": 0}, "mean(=-1) must be >= 0 when sd=0"),
    ({"kind": "uniform", "low": 3, "high": 1}, "high(=1) must be >= low(=3)"),
    ({"kind": "uniform", "low": -1, "high": 1}, "low(=-1) must be >= 0"),
    ({"kind": "discrete_uniform", "low": 4, "high": 2}, "high(=2) must be >= low(=4)"),
    ({"kind": "discrete_uniform", "low": 1.5, "high": 2}, "low(=1.5) must be an integer"),
    (
        {"kind": "triangular", "low": 1, "mode": 0.5, "high": 2},
        "need low(=1) <= mode(=0.5) <= high(=2)",
    ),
    (
        {"kind": "triangular", "low": 1, "mode": 3, "high": 2},
        "need low(=1) <= mode(=3) <= high(=2)",
    ),
    ({"kind": "triangular", "low": 1, "mode": 1, "high": 1}, "low(=1) must be < high(=1)"),
    ({"kind": "negative_binomial", "mean": 5, "cv": 0.2}, "use kind: poisson"),
    ({"kind": "empirical", "values": []}, "values must contain at least one number"),
    ({"kind": "empirical", "values": [1, -2]}, "values(=-2) must be >= 0"),
    (
        {"kind": "empirical", "values": [1, 2], "weights": [1]},
        "must have the same length as values",
    ),
    ({"kind": "empirical", "values": [1, 2], "weights": [0, 0]}, "must sum to > 0"),
    ({"kind": "empirical", "values": [1, 2], "weights": [1, -1]}, "weights(=-1) must be >= 0"),
    ({"kind": "empirical", "values": [1, math.nan]}, "values(=nan) must be a finite number"),
    ({"kind": "weibull", "mean": 1}, "does not match any of the expected tags"),
    ({"mean": 1}, "Unable to extract tag using discriminator 'kind'"),
    ({"kind": "poisson", "mean": 1, "sd": 2}, "Extra inputs are not permitted"),
    ({"kind": "normal", "mu": 1, "sd": 2}, "Extra inputs are not permitted"),
    (True, "must be a number or a mapping with 'kind'"),
    (math.nan, "value(=nan) must be a finite number"),
    (-2, "value(=-2) must be >= 0"),
    ("3", "valid dictionary"),
]


@pytest.mark.parametrize(("spec", "message"), REJECTED, ids=[m for _, m in REJECTED])
def test_rejects_impossible_parameters(spec: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        parse(spec)


def test_frozen() -> None:
    dist = Poisson(mean=2)
    with pytest.raises(ValidationError):
        dist.mean = 3  # type: ignore[misc]


# --- conversion, registry, description ----------------------------------------------------------


def test_plain_number_is_constant() -> None:
    assert parse(3) == Constant(value=3)
    assert parse(np.float64(2.5)) == Constant(value=2.5)
    assert parse(3).is_discrete and not parse(2.5).is_discrete

    class Item(BaseModel):
        lead_time: Distribution

    assert Item(lead_time=3).lead_time == Constant(value=3)
    item = Item.model_validate({"lead_time": {"kind": "poisson", "mean": 2}})
    assert item.lead_time == Poisson(mean=2)


def test_registry_round_trip_and_equality() -> None:
    assert set(DISTRIBUTION_KINDS) == {parse(c[0]).model_dump()["kind"] for c in CASES}
    for spec, *_ in CASES:
        dist = parse(spec)
        assert isinstance(dist, DISTRIBUTION_KINDS[dist.model_dump()["kind"]])
        again = parse(dist.model_dump())
        assert again == dist and hash(again) == hash(dist)
    assert Empirical(values=(1, 2)) != Empirical(values=(1, 3))
    assert Constant(value=1) != Poisson(mean=1)


def test_describe() -> None:
    assert Poisson(mean=8).describe() == "poisson(mean=8)"
    assert parse({"kind": "normal", "mean": 1, "sd": 0.5}).describe() == "normal(mean=1, sd=0.5)"
    assert parse(3).describe() == "constant(value=3)"
    assert parse({"kind": "discrete_uniform", "low": 1, "high": 4}).describe() == (
        "discrete_uniform(low=1, high=4)"
    )
    assert Empirical(values=(1, 2, 6)).describe() == "empirical(3 values, mean=3)"


def test_normal_yaml_mean_is_untruncated_and_docstring_claim() -> None:
    dist = Normal(mean=1, sd=1)
    assert dist.mean == pytest.approx(truncnorm_moments(1, 1)[0])
    assert dist.model_dump() == {"kind": "normal", "mean": 1.0, "sd": 1.0}
    assert dist.mu == 1.0
    for z, mean_tol, var_tol in ((3.0, 0.002, 0.014), (3.5, 0.005, 0.005)):
        trunc = Normal(mean=z, sd=1)
        assert abs(trunc.mean / z - 1) < mean_tol
        assert abs(trunc.variance - 1) < var_tol


# --- property-based -----------------------------------------------------------------------------

means = st.floats(min_value=1e-3, max_value=1e6)


@st.composite
def valid_specs(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["gamma", "lognormal", "uniform", "normal"]))
    if kind == "gamma":
        return {"kind": kind, "mean": draw(means), "cv": draw(st.floats(1e-3, 5))}
    if kind == "lognormal":
        return {"kind": kind, "mean": draw(means), "cv": draw(st.floats(0, 5))}
    if kind == "normal":
        sd = draw(st.floats(1e-3, 1e5))
        return {"kind": kind, "mean": draw(st.floats(-5, 50)) * sd, "sd": sd}
    low = draw(st.floats(0, 1e6))
    return {"kind": kind, "low": low, "high": low + draw(st.floats(0, 1e6))}


@settings(max_examples=60, deadline=None)
@given(spec=valid_specs(), seed=st.integers(0, 2**32 - 1))
def test_random_valid_parameters_give_finite_non_negative_draws(
    spec: dict[str, Any], seed: int
) -> None:
    dist = parse(spec)
    rng = np.random.default_rng(seed)
    for draws in (dist.sample(rng, 256), dist.sample_scaled(rng, np.linspace(0, 2, 64))):
        assert np.isfinite(draws).all()
        assert (draws >= 0).all()
    assert math.isfinite(dist.mean) and dist.mean >= 0
    assert math.isfinite(dist.variance) and dist.variance >= 0
