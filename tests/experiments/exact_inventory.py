"""Exact optima of textbook inventory models under jitsim's daily convention (test oracles).

The optimiser's tests compare its answers with these independently known values; nothing here
simulates. Units: demand in units per day, ``h`` per unit-day held, ``p`` per unit-day
backordered, ``K`` per order; every cost is a long-run average **per day**.

The daily convention (docs/daily-convention.md)
-----------------------------------------------
Every morning, receipts come first (a delivery ordered *L* whole days ago is put away), then the
review looks at the inventory position IP and may order, then the day's demand arrives at noon,
and the end-of-day snapshot records on-hand and backorders. An order placed at the review of day
*t* therefore arrives on the morning of day *t* + *L*, before that day's demand, and no later
order arrives by the end of day *t* + *L*. With backorders, the end-of-day net inventory of day
*t* + *L* is exactly

    IP after the review of day t  −  demand of days t, t+1, …, t+L,

a window of **L + 1 days** of demand. With ``run.cost_basis: end_of_day`` (the textbook basis)
that day's expected holding plus backorder cost is, for a post-review IP of *y*,

    G_{L+1}(y) = h·E[(y − D_{L+1})⁺] + p·E[(D_{L+1} − y)⁺],

D_k being the demand of k days. With the default ``cost_basis: continuous`` the levels are
time-weighted instead: the morning level (after receipts, before the noon demand) y − D_L holds
for half the day and the end-of-day level y − D_{L+1} for the other half, so the day costs
½·[G_L(y) + G_{L+1}(y)], with G_0(y) = h·y⁺ + p·y⁻ (this applies to ``demand:`` customers,
whose whole day's demand comes at noon, not to ``orders:`` Poisson processes).

Consequences:

* **Base stock S, review every R days** (IP = S after each review): the days after a review
  see windows of L + 1, …, L + R days, so the cost per day is
  C(S) = (1/R)·Σ_{j=1..R} G_{L+j}(S) (end of day). Its derivative is
  (1/R)·Σ_j [(h + p)·F_{L+j}(S) − p], so the optimum solves

      (1/R)·Σ_{j=1..R} F_{L+j}(S*) = p / (p + h),

  and with R = 1 this is the newsvendor **critical fractile p/(p + h) of the demand over L + 1
  days**: S* = (L+1)·μ + z·σ·√(L+1), z = Φ⁻¹(p/(p + h)), for i.i.d. normal daily demand. For
  integer (Poisson) demand S* is the smallest integer with the averaged CDF ≥ p/(p + h)
  (C(S+1) − C(S) is that same expression with F evaluated at S).
* **Periodic (s,S), L whole days** (Zheng & Federgruen 1991, with their periods as days): a cycle
  starts when IP is raised to S and lasts while IP > s; by renewal-reward

      c(s, S) = [K + Σ_{j=0}^{S−s−1} m(j)·G_{L+1}(S − j)] / M(S − s),

  where m(j) = Σ_{n≥0} P(D_n = j) is the expected number of reviews in a cycle at which the
  cumulative demand since the order is j (m(0) = 1/(1 − p₀),
  m(j) = Σ_{k=1..j} p_k·m(j − k)/(1 − p₀)) and M(n) = Σ_{j<n} m(j) is the expected cycle length.
  With time-weighted costs G_{L+1} becomes ½·[G_L + G_{L+1}] (:func:`period_loss`).

Normal demand in jitsim is truncated at 0 (docs: ``kind: normal``); the formulas below use the
untruncated normal. At μ ≥ 4σ truncation removes P(daily demand < 0) < 3.2e-5 and shifts the daily
mean by < 1.4e-4·σ; the cost then differs by about 1e-4 relative (checked by numerical
convolution in test_exact_inventory.py), far below any simulation's standard error. Use μ ≥ 4σ
in tests built on these formulas.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import optimize, stats

CostBasis = Literal["end_of_day", "continuous"]


# ------------------------------------------------------------------ demand windows and G


def demand_windows(
    lead_days: int, review: int = 1, cost_basis: CostBasis = "end_of_day"
) -> dict[int, float]:
    """Weights of the k-day demand windows in the cost of a base-stock day.

    Parameters
    ----------
    lead_days : int
        Whole-day lead time L (days), ≥ 0.
    review : int
        Review period R (days), ≥ 1.
    cost_basis : {"end_of_day", "continuous"}
        jitsim's ``run.cost_basis``.

    Returns
    -------
    dict of int to float
        ``{k: w_k}`` with Σ w_k = 1: the cost per day of base-stock level S is
        Σ_k w_k·G_k(S), G_k the expected cost of a level S facing k days of demand.
    """
    if lead_days < 0 or int(lead_days) != lead_days:
        raise ValueError(f"lead_days must be a whole number of days >= 0, got {lead_days}")
    if review < 1 or int(review) != review:
        raise ValueError(f"review must be a whole number of days >= 1, got {review}")
    weights: dict[int, float] = {}
    for j in range(1, int(review) + 1):
        # the j-th day after a review ends L + j days of demand after it
        if cost_basis == "end_of_day":
            parts = {lead_days + j: 1.0}
        else:  # half a day at the morning level, half at the end-of-day level
            parts = {lead_days + j - 1: 0.5, lead_days + j: 0.5}
        for k, w in parts.items():
            weights[k] = weights.get(k, 0.0) + w / review
    return weights


def poisson_loss(y: np.ndarray | int, lam: float, h: float, p: float) -> np.ndarray:
    """G(y) = h·E[(y − D)⁺] + p·E[(D − y)⁺] for D ~ Poisson(lam), integer levels y.

    Parameters
    ----------
    y : int or array of int
        Net inventory before the demand (units).
    lam : float
        Mean of the demand D (units), ≥ 0.
    h, p : float
        Holding and backorder cost (per unit-day).

    Returns
    -------
    ndarray of float
        The expected cost (per day), same shape as ``y``.
    """
    y = np.asarray(y, dtype=float)
    if lam == 0.0:
        return h * np.maximum(y, 0.0) + p * np.maximum(-y, 0.0)
    # E[(y − D)⁺] = Σ_{k<y} P(D ≤ k) (summation by parts), from the CDF table.
    top = int(max(np.max(y), 0.0)) + 1
    cdf = stats.poisson.cdf(np.arange(top), lam)
    partial = np.concatenate(([0.0], np.cumsum(cdf)))  # partial[n] = Σ_{k<n} P(D ≤ k)
    over = np.where(y > 0, partial[np.clip(y, 0, top).astype(int)], 0.0)
    under = over - (y - lam)  # E[(D − y)⁺] = E[(y − D)⁺] − (y − E[D])
    return h * over + p * under


def normal_loss(y: float, mean: float, sd: float, h: float, p: float) -> float:
    """G(y) = h·E[(y − D)⁺] + p·E[(D − y)⁺] for D ~ Normal(mean, sd²) (sd = 0: constant).

    Parameters
    ----------
    y : float
        Net inventory before the demand (units).
    mean, sd : float
        Mean and standard deviation of D (units).
    h, p : float
        Holding and backorder cost (per unit-day).

    Returns
    -------
    float
        The expected cost (per day).
    """
    if sd == 0.0:
        return h * max(y - mean, 0.0) + p * max(mean - y, 0.0)
    z = (y - mean) / sd
    over = sd * (z * stats.norm.cdf(z) + stats.norm.pdf(z))  # E[(y − D)⁺]
    under = over - (y - mean)
    return float(h * over + p * under)


# ------------------------------------------------------------------------ periodic (s,S)


def renewal_masses(mean: float, n: int) -> np.ndarray:
    """m(0..n−1): expected number of reviews of an (s,S) cycle with cumulative demand j.

    Parameters
    ----------
    mean : float
        Mean of the Poisson daily demand (units per day), > 0.
    n : int
        How many values (j = 0 … n − 1).

    Returns
    -------
    ndarray of float
        m(j) = Σ_{n≥0} P(D_n = j), D_n the demand of n days.
    """
    pmf = stats.poisson.pmf(np.arange(n), mean)
    m = np.zeros(n)
    for j in range(n):
        # m(j)·(1 − p₀) = [j = 0] + Σ_{k=1..j} p_k·m(j − k)
        m[j] = (float(j == 0) + float(np.dot(pmf[1 : j + 1], m[j - 1 :: -1][:j]))) / (1 - pmf[0])
    return m


def zf_average_cost(
    s: int,
    S: int,
    mean: float,
    h: float = 1.0,
    p: float = 9.0,
    K: float = 64.0,
    lead_days: int = 0,
    cost_basis: CostBasis = "end_of_day",
) -> float:
    """Exact long-run cost per day of a daily-review (s,S) policy, Poisson demand, backorders.

    At each morning review, if IP ≤ s order up to S (cost K); the order arrives ``lead_days``
    mornings later, before that day's demand; holding and backorders are charged on end-of-day
    levels (``run.cost_basis: end_of_day``, Zheng & Federgruen's model) or time-weighted
    (``continuous``). Renewal-reward over the cycles between orders (module docstring).

    Parameters
    ----------
    s, S : int
        Reorder level and order-up-to level (units), s < S.
    mean : float
        Mean of the Poisson daily demand (units per day), > 0.
    h, p : float
        Holding and backorder cost (per unit-day at the end of the day).
    K : float
        Fixed cost per order.
    lead_days : int
        Whole-day lead time L (days).
    cost_basis : {"end_of_day", "continuous"}
        jitsim's ``run.cost_basis``.

    Returns
    -------
    float
        h·E[on-hand eod] + p·E[backorders eod] + K·(orders per day) (end of day).
    """
    if not s < S:
        raise ValueError(f"need s < S, got s={s}, S={S}")
    n = int(S - s)
    m = renewal_masses(mean, n)
    levels = S - np.arange(n)
    loss = period_loss(levels, mean, h, p, lead_days, cost_basis)
    return float((K + np.dot(m, loss)) / np.sum(m))


def period_loss(
    levels: np.ndarray,
    mean: float,
    h: float,
    p: float,
    lead_days: int,
    cost_basis: CostBasis = "end_of_day",
) -> np.ndarray:
    """Expected holding plus backorder cost of the day a review leaves IP at each level.

    Parameters
    ----------
    levels : array of int
        Inventory position after the review (units).
    mean : float
        Mean of the Poisson daily demand (units per day).
    h, p : float
        Holding and backorder cost (per unit-day).
    lead_days : int
        Whole-day lead time L (days).
    cost_basis : {"end_of_day", "continuous"}
        jitsim's ``run.cost_basis``.

    Returns
    -------
    ndarray of float
        G_{L+1}(y) at the end of the day, ½·[G_L(y) + G_{L+1}(y)] time-weighted (per day).
    """
    windows = demand_windows(lead_days, 1, cost_basis)
    return sum(
        (w * poisson_loss(levels, k * mean, h, p) for k, w in windows.items()),
        start=np.zeros(np.shape(levels)),
    )


def zf_optimum(
    mean: float,
    h: float = 1.0,
    p: float = 9.0,
    K: float = 64.0,
    lead_days: int = 0,
    cost_basis: CostBasis = "end_of_day",
) -> tuple[int, int, float]:
    """Optimal daily-review (s,S) by the Zheng & Federgruen (1991) algorithm.

    Parameters
    ----------
    mean : float
        Mean of the Poisson daily demand (units per day), > 0.
    h, p, K, lead_days, cost_basis
        As in :func:`zf_average_cost`.

    Returns
    -------
    tuple of (int, int, float)
        (s*, S*, c(s*, S*)): reorder level, order-up-to level (units) and cost per day.

    Notes
    -----
    G (:func:`period_loss`) is convex with minimiser y*; ZF show s* < y* ≤ S*, find s for S = y* by
    lowering s until c(s, y*) ≤ G(s), then raise S while G(S) ≤ c (beyond, no S can help),
    and each time c(s, S) improves raise s while c(s, S) ≤ G(s + 1).
    """

    def g(y: int) -> float:
        return float(period_loss(np.array([y]), mean, h, p, lead_days, cost_basis)[0])

    def c(s: int, big_s: int) -> float:
        return zf_average_cost(s, big_s, mean, h, p, K, lead_days, cost_basis)

    # y*: the smallest minimiser of G, the best base-stock level
    y_star = poisson_base_stock(mean, lead_days, h, p, 1, cost_basis)
    s = y_star - 1
    while c(s, y_star) > g(s):
        s -= 1
    s0, big_s0 = s, y_star
    c0 = c(s0, big_s0)
    big_s = big_s0 + 1
    while g(big_s) <= c0:
        if c(s0, big_s) < c0:
            big_s0 = big_s
            while c(s0, big_s0) <= g(s0 + 1):
                s0 += 1
            c0 = c(s0, big_s0)
        big_s += 1
    return s0, big_s0, c0


# --------------------------------------------------------------------------- base stock


def base_stock_cost_normal(
    S: float,
    mu: float,
    sigma: float,
    lead_days: int,
    h: float,
    p: float,
    review: int = 1,
    cost_basis: CostBasis = "end_of_day",
) -> float:
    """Exact long-run cost per day of base stock S, i.i.d. Normal(mu, sigma²) daily demand.

    Parameters
    ----------
    S : float
        Base-stock level (units).
    mu, sigma : float
        Mean and standard deviation of the daily demand (units per day).
    lead_days : int
        Whole-day lead time L (days).
    h, p : float
        Holding and backorder cost (per unit-day).
    review : int
        Review period R (days).
    cost_basis : {"end_of_day", "continuous"}
        jitsim's ``run.cost_basis``.

    Returns
    -------
    float
        Σ_k w_k·G_k(S) (see :func:`demand_windows`), holding plus backorder cost per day.
    """
    return sum(
        w * normal_loss(S, k * mu, sigma * math.sqrt(k), h, p)
        for k, w in demand_windows(lead_days, review, cost_basis).items()
    )


def newsvendor_base_stock(
    mu: float,
    sigma: float,
    lead_days: int,
    h: float,
    p: float,
    review: int = 1,
    cost_basis: CostBasis = "end_of_day",
) -> float:
    """Optimal base-stock level for i.i.d. Normal(mu, sigma²) daily demand (units).

    With R = 1 and end-of-day costs: the critical fractile p/(p + h) of the demand over
    L + 1 days, S* = (L + 1)·mu + Φ⁻¹(p/(p + h))·sigma·√(L + 1). Otherwise the root of
    Σ_k w_k·F_k(S) = p/(p + h) (the derivative of :func:`base_stock_cost_normal`).

    Parameters
    ----------
    mu, sigma, lead_days, h, p, review, cost_basis
        As in :func:`base_stock_cost_normal`.

    Returns
    -------
    float
        S* (units).
    """
    ratio = p / (p + h)
    windows = demand_windows(lead_days, review, cost_basis)
    if windows.keys() == {lead_days + 1}:
        k = lead_days + 1
        return k * mu + float(stats.norm.ppf(ratio)) * sigma * math.sqrt(k)

    def slope(y: float) -> float:
        total = 0.0
        for k, w in windows.items():
            sd = sigma * math.sqrt(k)
            total += w * (float(y >= k * mu) if sd == 0 else float(stats.norm.cdf(y, k * mu, sd)))
        return total - ratio

    k_max = max(windows)
    spread = 12 * sigma * math.sqrt(k_max) + 1.0
    return float(optimize.brentq(slope, -spread, k_max * mu + spread, xtol=1e-12))


def base_stock_cost_poisson(
    S: int,
    mean: float,
    lead_days: int,
    h: float,
    p: float,
    review: int = 1,
    cost_basis: CostBasis = "end_of_day",
) -> float:
    """Exact long-run cost per day of base stock S, i.i.d. Poisson(mean) daily demand.

    Parameters
    ----------
    S : int
        Base-stock level (units).
    mean : float
        Mean daily demand (units per day).
    lead_days, h, p, review, cost_basis
        As in :func:`base_stock_cost_normal`.

    Returns
    -------
    float
        Holding plus backorder cost per day.
    """
    return float(
        sum(
            w * poisson_loss(np.array([S]), k * mean, h, p)[0]
            for k, w in demand_windows(lead_days, review, cost_basis).items()
        )
    )


def poisson_base_stock(
    mean: float,
    lead_days: int,
    h: float,
    p: float,
    review: int = 1,
    cost_basis: CostBasis = "end_of_day",
) -> int:
    """Optimal integer base-stock level for i.i.d. Poisson(mean) daily demand (units).

    The smallest S with Σ_k w_k·P(D_k ≤ S) ≥ p/(p + h): C(S + 1) − C(S) =
    Σ_k w_k·[(h + p)·P(D_k ≤ S) − p] changes sign there. With R = 1 and end-of-day costs,
    the critical fractile of the Poisson((L + 1)·mean) demand over L + 1 days.

    Parameters
    ----------
    mean, lead_days, h, p, review, cost_basis
        As in :func:`base_stock_cost_poisson`.

    Returns
    -------
    int
        S* (units).
    """
    ratio = p / (p + h)
    windows = demand_windows(lead_days, review, cost_basis)
    top = int(max(windows) * mean + 20 * math.sqrt(max(windows) * mean + 1) + 10)
    ys = np.arange(top + 1)
    cdf = sum(w * stats.poisson.cdf(ys, k * mean) for k, w in windows.items())
    return int(np.argmax(cdf >= ratio))
