"""Tests for jitsim.stats against hand computations and independent references."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from jitsim.errors import JitsimError, UnknownKpi
from jitsim.stats import (
    SUMMARY_COLUMNS,
    KpiSummary,
    PairedDifference,
    cvar,
    km_median,
    paired_difference,
    summarize,
    summarize_frame,
    t_half_width,
    unpaired_difference,
    var,
)

TEXTBOOK = [2, 4, 4, 4, 5, 5, 7, 9]


# --------------------------------------------------------------------------- t_half_width


def test_t_half_width_hand_value() -> None:
    # t_{0.975,7} = 2.364624 (table value); 2.364624 * 2 / sqrt(8) = 1.672046
    assert t_half_width(2.0, 8) == pytest.approx(2.364624 * 2.0 / math.sqrt(8), rel=1e-6)
    # t_{0.95,9} = 1.833113 for a 90 % interval
    assert t_half_width(1.0, 10, confidence=0.90) == pytest.approx(
        1.833113 / math.sqrt(10), rel=1e-6
    )


def test_t_half_width_edge_cases() -> None:
    assert math.isnan(t_half_width(1.0, 1))
    assert math.isnan(t_half_width(1.0, 0))
    assert math.isnan(t_half_width(float("nan"), 10))
    assert t_half_width(0.0, 5) == 0.0
    with pytest.raises(ValueError):
        t_half_width(1.0, 5, confidence=1.0)
    with pytest.raises(ValueError):
        t_half_width(1.0, 5, confidence=0.0)
    with pytest.raises(ValueError):
        t_half_width(1.0, -1)


# --------------------------------------------------------------------------- summarize


def test_summarize_textbook_example_by_hand() -> None:
    s = summarize(TEXTBOOK)
    # mean 40/8 = 5; sum of squared deviations 32 -> s^2 = 32/7
    sd = math.sqrt(32 / 7)  # 2.13809
    assert s.n == 8
    assert s.mean == pytest.approx(5.0)
    assert s.std == pytest.approx(sd)
    assert s.std == pytest.approx(2.13809, abs=1e-5)
    half = 2.364624 * sd / math.sqrt(8)  # t_{0.975,7} = 2.3646 -> 1.78749
    assert s.half_width == pytest.approx(half, rel=1e-6)
    assert s.half_width == pytest.approx(1.78749, abs=1e-5)
    assert s.ci95_low == pytest.approx(5.0 - half, rel=1e-6)
    assert s.ci95_high == pytest.approx(5.0 + half, rel=1e-6)
    # type-7 quantiles on sorted [2,4,4,4,5,5,7,9]: h = 7p
    assert s.p05 == pytest.approx(2.0 + 0.35 * 2.0)  # h = 0.35 -> 2.7
    assert s.p50 == pytest.approx(4.5)  # h = 3.5
    assert s.p95 == pytest.approx(7.0 + 0.65 * 2.0)  # h = 6.65 -> 8.3
    # tail mass m = 8 * 0.05 = 0.4 < 1 -> CVaR is the maximum
    assert s.cvar95 == 9.0


def test_summarize_matches_scipy_and_numpy() -> None:
    rng = np.random.default_rng(12345)
    x = rng.gamma(2.0, 3.0, size=137)
    s = summarize(x)
    lo, hi = sps.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=sps.sem(x))
    assert s.mean == pytest.approx(np.mean(x), rel=1e-12)
    assert s.std == pytest.approx(np.std(x, ddof=1), rel=1e-12)
    assert s.ci95_low == pytest.approx(lo, rel=1e-10)
    assert s.ci95_high == pytest.approx(hi, rel=1e-10)
    assert s.half_width == pytest.approx((hi - lo) / 2, rel=1e-10)
    for attr, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
        assert getattr(s, attr) == pytest.approx(np.quantile(x, p), rel=1e-12)
    assert s.n == 137


def test_summarize_ignores_nan_and_accepts_series() -> None:
    x = np.array([np.nan, 2, 4, 4, np.nan, 4, 5, 5, 7, 9, np.nan])
    s = summarize(pd.Series(x))
    assert s == summarize(TEXTBOOK)
    assert s.n == 8
    nullable = pd.array([2, 4, 4, None, 4, 5, 5, 7, 9], dtype="Int64")
    assert summarize(pd.Series(nullable)) == summarize(TEXTBOOK)


def test_summarize_empty_and_all_nan() -> None:
    for values in ([], [np.nan, np.nan]):
        s = summarize(values)
        assert s.n == 0
        for f in dataclasses.fields(s):
            if f.name != "n":
                assert math.isnan(getattr(s, f.name)), f.name


def test_summarize_single_value() -> None:
    s = summarize([np.nan, 3.5])
    assert s.n == 1
    assert s.mean == s.p05 == s.p50 == s.p95 == s.cvar95 == 3.5
    assert math.isnan(s.std)
    assert math.isnan(s.ci95_low) and math.isnan(s.ci95_high) and math.isnan(s.half_width)


def test_summarize_rejects_2d() -> None:
    with pytest.raises(ValueError):
        summarize(np.ones((3, 2)))


def test_summary_is_frozen_and_as_dict() -> None:
    s = summarize(TEXTBOOK)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.mean = 0.0  # type: ignore[misc]
    d = s.as_dict()
    assert tuple(d) == SUMMARY_COLUMNS
    assert d["mean"] == 5.0 and d["n"] == 8
    assert KpiSummary(**d) == s


# --------------------------------------------------------------------------- CVaR


def test_cvar_hand_examples() -> None:
    # n = 40: m = 2 -> mean of the two largest values
    assert cvar(np.arange(1, 41)) == pytest.approx((40 + 39) / 2)
    # n = 30: m = 1.5 -> (30 + 0.5 * 29) / 1.5
    assert cvar(np.arange(1, 31)) == pytest.approx(44.5 / 1.5)
    # n = 20: m = 1 -> the maximum (no float noise from 20 * 0.05)
    assert cvar(np.arange(1, 21)) == 20.0
    # n = 100, shuffled with NaNs: m = 5 -> mean(96..100) = 98
    rng = np.random.default_rng(7)
    x = rng.permutation(np.r_[np.arange(1.0, 101.0), [np.nan] * 3])
    assert cvar(x) == pytest.approx(98.0)
    # other level: n = 10, level 0.8 -> m = 2 -> mean(9, 10)
    assert cvar(np.arange(1, 11), level=0.8) == pytest.approx(9.5)
    assert math.isnan(cvar([np.nan]))
    with pytest.raises(ValueError):
        cvar([1.0], level=1.0)


def _rockafellar_uryasev(x: np.ndarray, level: float) -> float:
    """min_c c + E[(X - c)^+] / (1 - level); the minimum is attained at a sample point."""
    objective = [c + np.mean(np.maximum(x - c, 0.0)) / (1.0 - level) for c in x]
    return float(min(objective))


@pytest.mark.parametrize("n", [1, 7, 19, 20, 23, 30, 57, 100, 101])
def test_cvar_equals_rockafellar_uryasev_minimum(n: int) -> None:
    x = np.random.default_rng(n).lognormal(size=n)
    expected = _rockafellar_uryasev(x, 0.95)
    assert cvar(x) == pytest.approx(expected, rel=1e-10)
    assert summarize(x).cvar95 == pytest.approx(expected, rel=1e-10)


def test_cvar_is_upper_tail() -> None:
    x = np.random.default_rng(3).normal(size=500)
    s = summarize(x)
    assert s.p95 <= s.cvar95 <= x.max()
    lower_tail_mean = -cvar(-x)  # CVaR of -x is minus the mean of the lowest 5 %
    assert lower_tail_mean < s.p05 < s.p95 < cvar(x)


# --------------------------------------------------------------------------- summarize_frame


def _make_frame(seed: int = 0, reps: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alts = ["jit", "buffer", "hybrid"]
    n = reps * len(alts)
    df = pd.DataFrame(
        {
            "alternative": np.repeat(alts, reps),
            "replication": np.tile(np.arange(reps), len(alts)),
            "cost": rng.normal(100, 10, n),
            "label": ["x"] * n,
            "fill_rate": rng.uniform(0.8, 1.0, n),
            "stockouts": rng.poisson(3, n),
        }
    )
    df.loc[rng.choice(n, 10, replace=False), "cost"] = np.nan
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True)


def test_summarize_frame_shape_and_order() -> None:
    df = _make_frame()
    out = summarize_frame(df)
    assert list(out.columns) == ["alternative", "kpi", *SUMMARY_COLUMNS]
    assert len(out) == 3 * 3
    # groups sorted; KPIs in df-column order; label/replication/alternative skipped
    assert list(out["alternative"]) == ["buffer"] * 3 + ["hybrid"] * 3 + ["jit"] * 3
    assert list(out["kpi"][:3]) == ["cost", "fill_rate", "stockouts"]
    assert out["n"].dtype == np.int64


def test_summarize_frame_equals_summarize_per_group() -> None:
    df = _make_frame()
    out = summarize_frame(df)
    for row in out.itertuples(index=False):
        values = df.loc[df["alternative"] == row.alternative, str(row.kpi)]
        expected = summarize(values).as_dict()
        got = {c: getattr(row, c) for c in SUMMARY_COLUMNS}
        assert got["n"] == expected["n"]
        for c in SUMMARY_COLUMNS[:-1]:
            assert got[c] == pytest.approx(expected[c], rel=1e-12, abs=1e-12), (row, c)


def test_summarize_frame_matches_pandas_groupby() -> None:
    df = _make_frame(seed=5)
    out = summarize_frame(df, kpis=["stockouts", "cost"]).set_index(["alternative", "kpi"])
    g = df.groupby("alternative")
    for kpi in ["stockouts", "cost"]:
        sub = out.xs(kpi, level="kpi")
        np.testing.assert_allclose(sub["mean"], g[kpi].mean(), rtol=1e-12)
        np.testing.assert_allclose(sub["std"], g[kpi].std(ddof=1), rtol=1e-12)
        np.testing.assert_array_equal(sub["n"], g[kpi].count())
        np.testing.assert_allclose(sub["p05"], g[kpi].quantile(0.05), rtol=1e-12)
        np.testing.assert_allclose(sub["p95"], g[kpi].quantile(0.95), rtol=1e-12)
    # explicit KPI order is respected
    assert list(out.index.get_level_values("kpi")[:2]) == ["stockouts", "cost"]


def test_summarize_frame_multiple_by_and_edge_groups() -> None:
    df = pd.DataFrame(
        {
            "policy": ["a", "a", "a", "b", "b", "b"],
            "scenario": [1, 1, 2, 1, 1, 1],
            "x": [1.0, 3.0, np.nan, 2.0, 4.0, 6.0],
            "ok": [True, False, True, True, True, False],
        }
    )
    out = summarize_frame(df, by=["policy", "scenario"])
    assert list(out.columns) == ["policy", "scenario", "kpi", *SUMMARY_COLUMNS]
    assert len(out) == 3 * 2
    a2x = out[(out.policy == "a") & (out.scenario == 2) & (out.kpi == "x")].iloc[0]
    assert a2x["n"] == 0 and math.isnan(a2x["mean"]) and math.isnan(a2x["cvar95"])
    a2ok = out[(out.policy == "a") & (out.scenario == 2) & (out.kpi == "ok")].iloc[0]
    assert a2ok["n"] == 1 and a2ok["mean"] == 1.0 and math.isnan(a2ok["std"])
    b1x = out[(out.policy == "b") & (out.kpi == "x")].iloc[0]
    assert b1x["mean"] == 4.0 and b1x["std"] == pytest.approx(2.0) and b1x["cvar95"] == 6.0


def test_summarize_frame_errors_and_empty() -> None:
    df = _make_frame(reps=5)
    with pytest.raises(KeyError):
        summarize_frame(df, by="nope")
    with pytest.raises(KeyError):
        summarize_frame(df, kpis=["nope"])
    with pytest.raises(ValueError):
        summarize_frame(df, kpis=["label"])
    empty = summarize_frame(df.iloc[:0])
    assert list(empty.columns) == ["alternative", "kpi", *SUMMARY_COLUMNS]
    assert len(empty) == 0


def test_summarize_frame_many_groups_is_vectorised() -> None:
    # 50 KPIs x 10 groups x 2,000 rows each: must be quick
    rng = np.random.default_rng(11)
    n = 20_000
    df = pd.DataFrame(rng.normal(size=(n, 50)), columns=[f"k{i}" for i in range(50)])
    df.insert(0, "alternative", rng.integers(0, 10, n))
    out = summarize_frame(df)
    assert out.shape == (500, 12)
    assert out.groupby("alternative")["n"].first().sum() == n
    k7 = df.loc[df["alternative"] == 3, "k7"]
    row = out[(out.alternative == 3) & (out.kpi == "k7")].iloc[0]
    assert row["p50"] == pytest.approx(np.median(k7), rel=1e-12)
    assert row["cvar95"] == pytest.approx(cvar(k7), rel=1e-12)


# --------------------------------------------------------------------------- differences


def test_paired_difference_hand_example() -> None:
    a = np.array([10.0, 12.5, 9.0, 11.0, 13.0])
    b = np.array([11.0, 12.5, 10.0, 11.5, 14.0])
    r = paired_difference(a, b)
    d = a - b  # [-1, 0, -1, -0.5, -1]
    assert r.n == 5
    assert r.mean_diff == pytest.approx(-0.7)
    assert r.std_diff == pytest.approx(np.std(d, ddof=1))
    lo, hi = sps.t.interval(0.95, 4, loc=d.mean(), scale=sps.sem(d))
    assert (r.ci95_low, r.ci95_high) == pytest.approx((lo, hi), rel=1e-10)
    assert r.share_a_less == pytest.approx(0.8)  # the tie 12.5 == 12.5 is not 'less'
    assert r.mean_a == pytest.approx(11.1) and r.mean_b == pytest.approx(11.8)
    assert r.rel_change == pytest.approx(11.1 / 11.8 - 1.0)
    # delta method by hand: Var(R) = (s_a^2 - 2 R s_ab + R^2 s_b^2) / (n b_bar^2)
    ratio = 11.1 / 11.8
    cov = np.cov(a, b, ddof=1)
    var_r = (cov[0, 0] - 2 * ratio * cov[0, 1] + ratio**2 * cov[1, 1]) / (5 * 11.8**2)
    half = sps.t.ppf(0.975, 4) * math.sqrt(var_r)
    assert r.rel_half_width == pytest.approx(half, rel=1e-10)
    assert r.rel_ci95_low == pytest.approx(ratio - 1 - half, rel=1e-10)
    assert r.rel_ci95_high == pytest.approx(ratio - 1 + half, rel=1e-10)


def test_paired_difference_share_and_ties() -> None:
    r = paired_difference([1, 2, 3, 4], [2, 2, 2, 2])
    assert r.share_a_less == 0.25  # only 1 < 2; the tie 2 == 2 does not count


def test_paired_difference_matches_scipy_ttest_rel() -> None:
    rng = np.random.default_rng(99)
    b = rng.normal(50, 5, 40)
    a = b - 1.0 + rng.normal(0, 1, 40)
    r = paired_difference(a, b)
    ci = sps.ttest_rel(a, b).confidence_interval(0.95)
    assert (r.ci95_low, r.ci95_high) == pytest.approx((ci.low, ci.high), rel=1e-10)


def test_paired_difference_errors_nan_and_edges() -> None:
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])
    # pairs with a NaN on either side are dropped
    r = paired_difference([1.0, np.nan, 3.0, 5.0], [2.0, 1.0, np.nan, 4.0])
    assert r.n == 2 and r.mean_diff == pytest.approx(0.0)
    # mean(b) == 0 -> relative change undefined
    r0 = paired_difference([1.0, 2.0, 3.0], [-1.0, 0.0, 1.0])
    assert math.isnan(r0.rel_change) and math.isnan(r0.rel_ci95_low)
    assert r0.mean_diff == pytest.approx(2.0)
    # n == 1: point estimates only
    r1 = paired_difference([3.0], [2.0])
    assert r1.n == 1 and r1.mean_diff == 1.0 and r1.rel_change == pytest.approx(0.5)
    assert math.isnan(r1.std_diff) and math.isnan(r1.ci95_low) and math.isnan(r1.rel_ci95_high)
    # n == 0
    rn = paired_difference([], [])
    assert rn.n == 0 and math.isnan(rn.mean_diff) and math.isnan(rn.share_a_less)
    assert isinstance(rn, PairedDifference) and rn.as_dict()["n"] == 0


def test_unpaired_difference_matches_scipy_welch() -> None:
    rng = np.random.default_rng(2024)
    a = rng.normal(10, 2, 25)
    b = rng.normal(9, 4, 40)
    r = unpaired_difference(a, np.r_[b, np.nan])
    res = sps.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert r.n_a == 25 and r.n_b == 40
    assert r.mean_diff == pytest.approx(a.mean() - b.mean())
    assert r.df == pytest.approx(res.df, rel=1e-10)
    assert (r.ci95_low, r.ci95_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert r.as_dict()["n_b"] == 40


def test_unpaired_difference_edges() -> None:
    r = unpaired_difference([1.0], [1.0, 2.0])
    assert r.mean_diff == pytest.approx(-0.5) and math.isnan(r.ci95_low)
    z = unpaired_difference([2.0, 2.0], [1.0, 1.0, 1.0])
    assert z.half_width == 0.0 and z.ci95_low == z.ci95_high == 1.0


def test_paired_ci_narrower_than_welch_under_positive_correlation() -> None:
    rng = np.random.default_rng(42)
    a = rng.normal(100, 15, 30)
    b = a + rng.normal(0.5, 1.0, 30)  # common random numbers: strongly correlated
    paired = paired_difference(a, b)
    welch = unpaired_difference(a, b)
    assert paired.mean_diff == pytest.approx(welch.mean_diff)
    assert paired.half_width < 0.2 * welch.half_width
    assert paired.ci95_high < 0.0 < welch.ci95_high  # only the paired test detects it


# --------------------------------------------------------------------------- coverage


def test_t_interval_coverage() -> None:
    reps, n, mu = 2000, 20, 3.0
    rng = np.random.default_rng(20240601)
    x = rng.normal(mu, 2.0, size=(reps, n))
    df = pd.DataFrame({"sample": np.repeat(np.arange(reps), n), "x": x.ravel()})
    out = summarize_frame(df, by="sample")
    covered = ((out["ci95_low"] <= mu) & (mu <= out["ci95_high"])).mean()
    se = math.sqrt(0.95 * 0.05 / reps)
    assert abs(covered - 0.95) <= 3 * se
    # the frame path agrees with the scalar path
    for i in (0, 1, 1999):
        s = summarize(x[i])
        assert out.loc[i, "ci95_low"] == pytest.approx(s.ci95_low, rel=1e-12)


def test_delta_method_relative_coverage() -> None:
    reps, n = 2000, 200
    mu_a, mu_b = 90.0, 100.0
    rng = np.random.default_rng(777)
    common = rng.normal(0.0, 10.0, size=(reps, n))
    b = mu_b + common + rng.normal(0.0, 4.0, size=(reps, n))
    a = mu_a + 0.8 * common + rng.normal(0.0, 4.0, size=(reps, n))
    truth = mu_a / mu_b - 1.0
    hits = 0
    for i in range(reps):
        r = paired_difference(a[i], b[i])
        hits += r.rel_ci95_low <= truth <= r.rel_ci95_high
    assert 0.93 <= hits / reps <= 0.97


def test_km_median_by_hand() -> None:
    """Durations 1, 2, 2+, 3, 4+ (+ = censored): Ŝ(1) = 4/5 = 0.8; at 2 one event among 4 at
    risk, Ŝ = 0.8 · 3/4 = 0.6; at 3 one event among 2 at risk (3 and 4+), Ŝ = 0.3 ≤ 1/2: the
    median is 3. Without censoring it is the ordinary lower median."""
    assert km_median([1, 2, 2, 3, 4], [True, True, False, True, False]) == (3.0, False)
    assert km_median([4, 1, 3, 2], [True] * 4) == (2.0, False)
    assert km_median([5, 7, 9], [False] * 3) == (9.0, True)
    assert km_median([2, 8, 8], [True, False, False]) == (8.0, True)  # Ŝ stays at 2/3
    median, censored = km_median([], [])
    assert math.isnan(median) and censored


def test_var_is_the_cvar_minimiser() -> None:
    """VaR95 of 1…30 is the ⌈28.5⌉ = 29th smallest value; of 1…10 the 10th (the maximum).
    NaNs are ignored; CVaR is never below VaR."""
    assert var(range(1, 31)) == 29.0
    assert var([*range(1, 11), math.nan]) == 10.0
    assert var([3.0, 1.0, 2.0], level=0.5) == 2.0
    assert math.isnan(var([]))
    rng = np.random.default_rng(5)
    sample = rng.normal(size=137)
    assert cvar(sample) >= var(sample)


def test_an_unknown_kpi_is_a_user_error_and_a_key_error() -> None:
    frame = pd.DataFrame({"alternative": ["a", "a"], "cost": [1.0, 2.0]})
    with pytest.raises(UnknownKpi, match=r"unknown KPI 'nope' \(known: cost\)") as caught:
        summarize_frame(frame, by="alternative", kpis=["nope"])
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, JitsimError)
