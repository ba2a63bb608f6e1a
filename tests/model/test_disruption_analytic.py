"""Analytic checks of supplier outages (issue 5): two inventory models with a closed form.

1. **EOQ with supply disruptions** (Berk & Arreola-Risa 1994): continuous review, order Q
   when the stock runs out, zero lead time, a supplier that alternates between exponential
   up and down times, demand lost while out of stock. Renewal-reward gives the long-run cost
   per day in closed form.
2. **Periodic base-stock with a two-state Markov supply**: daily order-up-to S, Poisson
   demand, backorders, a supplier that is down on a day with the daily Markov chain
   ``p_down``/``p_up`` and ships queued orders at recovery, whole-day lead time L. The
   end-of-day net inventory is S minus the demand of a random number of days whose law is
   known exactly; the same value is also obtained by solving the Markov chain of (supply
   state, demand not yet received) numerically.

Both references are derived in the docstrings below, with the simulator's semantics that
make them exact. Statistical method (as in ``tests/model/test_analytic.py``): the replications are
i.i.d. (fixed seed), each gives one long-run average over its measured window; the mean over
n replications must lie within 3 standard errors SE = sd/√n of the exact value. Warm-up and
window are chosen so that the start-up bias is many orders of magnitude below SE (argued per
model), so no bias allowance is added. Each check also asserts that a *realistic wrong*
reference (the paper's deterministic-demand formula; a supply process without persistence)
is rejected by the same data, so the tolerance is tight enough to catch modelling errors.
Heavier versions carry ``@pytest.mark.slow``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from conftest import Estimate, assert_within_3se, replications
from scipy import integrate
from scipy.stats import gamma, poisson

# ============================================================ 1. Berk & Arreola-Risa (1994)

BERK_ARREOLA_RISA = """
name: EOQ with supply disruptions
run: {{horizon_days: {horizon}, warmup_days: {warmup}}}
items: {{w: {{unit_cost: 365, holding_rate: {h}}}}}     # h per unit-day (365 days a year)
suppliers:
  acme: {{items: [w], lead_time: 0, order_cost: {K}, when_down: {{orders: queue}}}}
stock_points:
  store: {{item: w, source: acme, initial: {Q}, review: continuous,
           policy: {{kind: r_Q, r: 0, Q: {Q}}}}}
customers:
  c: {{buys_from: store, orders: {{rate_per_day: {D}, size: {{kind: constant, value: 1}}}},
       unmet: lost_sale, lost_sale_penalty: {penalty}}}
disruptions:
  breakdowns: {{kind: outage, nodes: [acme], up: {{kind: exponential, mean: {up}}},
               down: {{kind: exponential, mean: {down}}}}}
"""


@dataclass(frozen=True)
class Eoqd:
    """Parameters of the EOQ with disruptions (EOQD).

    Attributes
    ----------
    demand : float
        Demand rate D (units/day), unit orders arriving as a Poisson process.
    q : int
        Order quantity Q (units).
    fail : float
        Failure rate λ of the supplier (1/day): up times ~ Exponential, mean 1/λ days.
    repair : float
        Repair rate μ (1/day): down times ~ Exponential, mean 1/μ days.
    h : float
        Holding cost (currency/unit/day).
    k : float
        Fixed cost per order (currency/order).
    penalty : float
        Cost per lost unit π (currency/unit).
    """

    demand: float
    q: int
    fail: float
    repair: float
    h: float
    k: float
    penalty: float

    def scenario(self, horizon: int, warmup: int) -> str:
        return BERK_ARREOLA_RISA.format(
            horizon=horizon,
            warmup=warmup,
            h=self.h,
            K=self.k,
            Q=self.q,
            D=self.demand,
            penalty=self.penalty,
            up=1.0 / self.fail,
            down=1.0 / self.repair,
        )


def eoqd_poisson_exact(m: Eoqd) -> dict[str, float]:
    r"""Exact long-run rates of the EOQD with Poisson unit demand (renewal-reward).

    **The model, and how the simulator matches it.** Continuous review, (r, Q) = (0, Q),
    lead time 0, ``initial: Q``. Unit customer orders arrive as a Poisson process of rate D
    (``orders: {rate_per_day: D, size: 1}``: individual orders at random times, not the
    daily lump at noon). The supplier's outages are an alternating renewal process starting
    up at time 0 with up times ~ Exp(λ) and down times ~ Exp(μ) (``kind: exponential``),
    i.e. a two-state continuous-time Markov chain. Demand
    that finds no stock is lost (``unmet: lost_sale``) and costs π (``lost_sale_penalty``;
    the simulator puts it into ``shortage_cost`` and charges nothing per unit-day for lost
    sales).

    Unit demand never overshoots r = 0: the order is triggered by the demand that takes the
    last unit (IP = on-hand + on-order = 0 ≤ r, order n·Q with n = 1). If the supplier is
    up it ships at once and, with lead time 0, is put away at that instant. If it is down,
    ``when_down: {orders: queue}`` holds the order (it is on order, IP = Q, so no second
    order follows) and ships it at the end of the outage; demand in between is lost and
    leaves IP unchanged. So a *cycle* runs from one receipt (on-hand Q) to the next.

    **Regeneration.** At every receipt the supplier is up (the order shipped because it was
    up, or because it just recovered) and, by memorylessness, its remaining up time is Exp(λ)
    independent of the past; the demand process is Poisson. The cycles are therefore i.i.d.
    and time 0 (on-hand Q, supplier up) is a regeneration point.

    **One cycle.** Let T be the time until the Q-th demand of the cycle: T ~ Erlang(Q, D)
    (days), with Laplace transform E[e^{−sT}] = (D/(D + s))^Q. Starting up, the supplier is
    down at time t with probability λ/(λ+μ)·(1 − e^{−(λ+μ)t}) (two-state CTMC), independent
    of T, so the probability that the stock runs out during an outage is

        p₀ = λ/(λ+μ) · (1 − (D/(D + λ + μ))^Q).

    Given that, the rest of the outage W ~ Exp(μ) (memoryless): E[wait] = p₀/μ days, and the
    demand lost in it has mean D·E[W] = D·p₀/μ units (Poisson count in the wait). On-hand is
    Q, Q − 1, …, 1 during the Q exponential inter-demand gaps of mean 1/D and 0 while waiting:
    E[∫ on-hand dt] = Q(Q + 1)/(2D) unit-days. Hence

        E[cycle length] = Q/D + p₀/μ                                  (days)
        E[cycle cost]   = K + h·Q(Q + 1)/(2D) + π·D·p₀/μ              (currency)
        g = E[cycle cost] / E[cycle length]                          (currency/day)

    and by the renewal-reward theorem the rates per day are each term over E[cycle length]
    (one order per cycle). With deterministic demand (Berk & Arreola-Risa's model) the same
    argument gives their formula with e^{−(λ+μ)Q/D} for (D/(D+λ+μ))^Q and Q² for Q(Q+1); see
    :func:`eoqd_deterministic` — the Poisson version tends to it when D and Q grow together.

    Returns
    -------
    dict
        ``cost`` g (currency/day), ``holding`` (currency/day), ``orders`` (orders/day),
        ``lost`` (units/day), ``p_out`` p₀ (probability), ``cycle`` E[cycle length] (days).
    """
    d, q, lam, mu = m.demand, m.q, m.fail, m.repair
    p0 = lam / (lam + mu) * (1.0 - (d / (d + lam + mu)) ** q)
    cycle = q / d + p0 / mu
    holding = m.h * q * (q + 1) / (2.0 * d)
    lost = d * p0 / mu
    return {
        "cost": (m.k + holding + m.penalty * lost) / cycle,
        "holding": holding / cycle,
        "orders": 1.0 / cycle,
        "lost": lost / cycle,
        "p_out": p0,
        "cycle": cycle,
    }


def eoqd_deterministic(m: Eoqd) -> float:
    """Berk & Arreola-Risa (1994) cost per day (currency/day) for a *deterministic* demand
    rate D: g = (K + hQ²/(2D) + πD·p₀/μ) / (Q/D + p₀/μ), p₀ = λ/(λ+μ)·(1 − e^{−(λ+μ)Q/D}).

    Berk, E. and Arreola-Risa, A. (1994). Note on "Future supply uncertainty in EOQ models".
    Naval Research Logistics 41, 129–132 (per-unit lost-sale cost only).
    """
    d, q, lam, mu = m.demand, m.q, m.fail, m.repair
    p0 = lam / (lam + mu) * (1.0 - math.exp(-(lam + mu) * q / d))
    return (m.k + m.h * q * q / (2.0 * d) + m.penalty * d * p0 / mu) / (q / d + p0 / mu)


EOQD_BASE = Eoqd(demand=5.0, q=10, fail=0.25, repair=1.0, h=1.0, k=20.0, penalty=10.0)
# Outages long against the cycle (mean down 2 days vs Q/D = 3 days): p₀ ≈ 0.29.
EOQD_LONG = Eoqd(demand=10.0, q=30, fail=0.2, repair=0.5, h=0.5, k=50.0, penalty=4.0)


def test_eoqd_reference_by_other_routes() -> None:
    """The closed form against independent computations of its pieces (no simulation).

    * p₀ by numerical integration of P(down at t) against the Erlang(Q, D) density;
    * λ → 0 (supplier never fails): the EOQ with Poisson unit demand,
      g = K·D/Q + h·(Q + 1)/2 (average on-hand (Q + 1)/2 units);
    * D, Q → ∞ with Q/D fixed: the deterministic formula of Berk & Arreola-Risa.
    """
    m = EOQD_BASE
    exact = eoqd_poisson_exact(m)
    lam, mu, d, q = m.fail, m.repair, m.demand, m.q

    def down_at(t: float) -> float:
        return lam / (lam + mu) * (1.0 - math.exp(-(lam + mu) * t))

    numeric, _ = integrate.quad(lambda t: down_at(t) * gamma.pdf(t, q, scale=1 / d), 0, np.inf)
    assert exact["p_out"] == pytest.approx(numeric, rel=1e-9)
    # hand value: 0.25/1.25 · (1 − 0.8¹⁰) = 0.2 · (1 − 0.1073741824)
    assert exact["p_out"] == pytest.approx(0.2 * (1 - 0.8**10), rel=1e-12)

    reliable = eoqd_poisson_exact(Eoqd(d, q, 1e-12, mu, m.h, m.k, m.penalty))
    assert reliable["cost"] == pytest.approx(m.k * d / q + m.h * (q + 1) / 2, rel=1e-9)

    scale = 20000
    big = Eoqd(d * scale, q * scale, lam, mu, m.h, m.k * scale, m.penalty)
    assert eoqd_poisson_exact(big)["cost"] == pytest.approx(eoqd_deterministic(big), rel=1e-4)


def check_eoqd(m: Eoqd, reps: int, horizon: int, seed: int) -> dict[str, Estimate]:
    """Simulate the EOQD and compare every cost rate with :func:`eoqd_poisson_exact`.

    Total cost per day is the quantity of the model; holding, order and lost-unit rates are
    checked as well, since errors in two of them could cancel in the total. Start-up: time 0
    is a regeneration point (see the reference) and the warm-up of 200 days (≈ 90 cycles)
    lets the renewal process reach equilibrium — the slowest transient of the cycle-length
    renewal equation decays like e^{−1.0 t} (t in days) for EOQD_BASE — after which the
    expected cost over any window is exactly g × window. So the bias is far below SE.
    """
    exact = eoqd_poisson_exact(m)
    frame = replications(m.scenario(horizon, warmup=200), reps, seed)
    window = frame["window_days"]
    # structure: every order is Q, nothing is backordered, the penalty is the only shortage cost
    assert (frame["avg_order_qty"] == m.q).all()
    assert (frame["backordered_units"] == 0).all()
    np.testing.assert_allclose(
        frame["shortage_cost"], m.penalty * frame["lost_sales_units"], rtol=1e-12
    )
    np.testing.assert_allclose(frame["ordering_cost"], m.k * frame["orders_placed"], rtol=1e-12)
    cost = frame["total_cost"] / window
    result = {
        "cost": assert_within_3se(cost, exact["cost"], "cost per day"),
        "holding": assert_within_3se(frame["holding_cost"] / window, exact["holding"], "holding"),
        "orders": assert_within_3se(frame["orders_placed"] / window, exact["orders"], "orders"),
        "lost": assert_within_3se(frame["lost_sales_units"] / window, exact["lost"], "lost"),
    }
    # power: the deterministic-demand formula of the paper is a realistic wrong reference here
    # (≈ 2 % off); the data must reject it.
    assert result["cost"].z(eoqd_deterministic(m)) > 3.0
    return result


def test_eoqd_light() -> None:
    # 12 replications × 4000 days: SE ≈ 0.06 on g ≈ 18.33 (3 SE ≈ 1 %); ≈ 1.5 s.
    check_eoqd(EOQD_BASE, reps=12, horizon=4200, seed=1994)


@pytest.mark.slow
def test_eoqd() -> None:
    # 30 replications × 10000 days: SE ≈ 0.023 (3 SE ≈ 0.4 %).
    check_eoqd(EOQD_BASE, reps=30, horizon=10200, seed=1994)


@pytest.mark.slow
def test_eoqd_long_outages() -> None:
    check_eoqd(EOQD_LONG, reps=20, horizon=8200, seed=41)


# ================================= 2. periodic base-stock with a two-state Markov supply

MARKOV_BASE_STOCK = """
name: base stock, Markov supply
run: {{horizon_days: {horizon}, warmup_days: {warmup}, cost_basis: end_of_day}}
items: {{w: {{unit_cost: 365, holding_rate: {h}}}}}     # h per unit-day
suppliers:
  acme: {{items: [w], lead_time: {L}, order_cost: {K}, when_down: {{orders: queue}}}}
stock_points:
  store: {{item: w, source: acme, initial: {S}, review: {{every_days: 1}},
           policy: {{kind: base_stock, S: {S}}}}}
customers:
  c: {{buys_from: store, demand: {{kind: poisson, mean: {mu}}}, backorder_cost_per_unit_day: {b}}}
disruptions:
  flaky: {{kind: outage, nodes: [acme], p_down: {p_down}, p_up: {p_up}}}
"""


@dataclass(frozen=True)
class MarkovSupply:
    """Parameters of the base-stock model with a two-state Markov supply.

    Attributes
    ----------
    s : int
        Base-stock level S (units).
    lead : int
        Lead time L (whole days).
    mu : float
        Mean of the Poisson daily demand (units/day).
    p_down, p_up : float
        Daily transition probabilities up → down and down → up.
    h, b : float
        Holding and backorder cost (currency/unit/day), charged on end-of-day levels.
    k : float
        Fixed cost per order (currency/order).
    """

    s: int
    lead: int
    mu: float
    p_down: float
    p_up: float
    h: float = 1.0
    b: float = 9.0
    k: float = 2.0

    def scenario(self, horizon: int, warmup: int) -> str:
        return MARKOV_BASE_STOCK.format(
            horizon=horizon,
            warmup=warmup,
            h=self.h,
            L=self.lead,
            K=self.k,
            S=self.s,
            mu=self.mu,
            b=self.b,
            p_down=self.p_down,
            p_up=self.p_up,
        )

    def cost(self, on_hand: float, backorders: float) -> float:
        """Cost per day (currency/day) from the end-of-day means; one order per day with
        positive demand the day before (queued orders are not merged: each costs K)."""
        return self.h * on_hand + self.b * backorders + self.k * (1.0 - math.exp(-self.mu))


def run_length_pmf(p_down: float, p_up: float, kmax: int) -> tuple[np.ndarray, np.ndarray]:
    """Stationary law of M = days since the supplier's last up day, that day included.

    M = 1 if today is up; M = k + 1 if day t − k was up and days t − k + 1 … t down:
    P(M = 1) = π_up, P(M = k + 1) = π_up · p_down · (1 − p_up)^{k−1} (k ≥ 1), with
    π_up = p_up/(p_down + p_up). E[M] = 1 + π_down/p_up. Returns (k = 1…kmax, P(M = k)).
    """
    k = np.arange(1, kmax + 1)
    pi_up = p_up / (p_down + p_up)
    pmf = pi_up * p_down * (1.0 - p_up) ** np.maximum(k - 2, 0).astype(float)
    pmf[0] = pi_up
    return k, pmf


def markov_base_stock_closed_form(m: MarkovSupply, kmax: int = 400) -> dict[str, float]:
    r"""Exact end-of-day KPIs of daily base-stock S under a Markov supply (closed form).

    **Simulator semantics used** (``docs/daily-convention.md``, ``docs/disruptions.md``):
    on day t the supply state X_t ∈ {up, down} is drawn at the start of the day from
    X_{t−1} (P(up → down) = p_down, P(down → up) = p_up; up before day 0). Phase 2 puts away
    receipts due at t and ships the queued orders if X_t is up (a down supplier's order ships
    at the end of its outage — the first up day — and then takes its lead time L; orders
    queued on several days are separate orders, each with its own cost K, that ship together
    at recovery). Phase 3: the review orders S − IP. Noon: Poisson(μ) demand, backordered.
    Costs with ``cost_basis: end_of_day``: h·on-hand + b·backorders on the end-of-day
    snapshot, plus K per order placed.

    **Derivation.** Starting from ``initial: S`` with nothing on order, IP after every review
    is S, so the order of day t is the demand of day t − 1 (one order when it is positive:
    orders per day = 1 − e^{−μ}). An order placed on day s ships on the first up day ≥ s and
    arrives L days later (``in_transit: continue``). Let u be the last up day ≤ t − L. By
    the morning of day t every order placed on or before u has arrived, and none placed
    after u has (it ships after t − L). So the end-of-day net inventory is

        NI_t = S − (demand of days u … t) = S − D(N_t),   N_t = t − u + 1 = L + M_{t−L},

    with M as in :func:`run_length_pmf`, independent of the demand. Hence, with
    D(n) ~ Poisson(nμ),

        E[on-hand]    = Σ_k P(M = k) · E[(S − D(L + k))⁺]
        E[backorders] = E[on-hand] − S + μ·(L + E[M]),   E[M] = 1 + π_down/p_up
        cost per day  = h·E[on-hand] + b·E[backorders] + K·(1 − e^{−μ}).

    The series is cut at kmax; the dropped mass is π_down·(1 − p_up)^{kmax−1} and each dropped
    term is at most S, both far below 1e−15 for the parameters used.

    Returns
    -------
    dict
        ``on_hand``, ``backorders`` (units, end of day), ``orders`` (orders/day),
        ``cost`` (currency/day).
    """
    ks, pmf = run_length_pmf(m.p_down, m.p_up, kmax)
    c = np.arange(m.s)
    short_of_s = np.array(
        [np.sum((m.s - c) * poisson.pmf(c, m.mu * (m.lead + k))) for k in ks.tolist()]
    )
    on_hand = float(pmf @ short_of_s)
    pi_down = m.p_down / (m.p_down + m.p_up)
    backorders = on_hand - m.s + m.mu * (m.lead + 1.0 + pi_down / m.p_up)
    return {
        "on_hand": on_hand,
        "backorders": backorders,
        "orders": 1.0 - math.exp(-m.mu),
        "cost": m.cost(on_hand, backorders),
    }


def markov_base_stock_chain(m: MarkovSupply, top: int = 600) -> dict[str, float]:
    r"""The same KPIs from the stationary distribution of a Markov chain, solved with numpy.

    State at the end of day t: (X_t, J_t), X_t the supply state and J_t the demand since
    the start of day u_t, the last up day ≤ t (so J_t = D(M_t)). Transition to day t + 1
    with d ~ Poisson(μ) the demand of day t + 1:

        X_{t+1} = up:    J_{t+1} = d            (day t + 1 is the new last up day)
        X_{t+1} = down:  J_{t+1} = J_t + d

    With lead time L the end-of-day net inventory is NI_t = S − J_{t−L} − (demand of days
    t − L + 1 … t), the last term Poisson(Lμ) independent of J_{t−L} (derivation in
    :func:`markov_base_stock_closed_form`); its law is the stationary law of J convolved
    with Poisson(Lμ). J is truncated at ``top`` (states 0 … top, the excess lumped into
    ``top``); P(J ≥ top) needs an outage of about top/μ = 120 days, probability
    ≈ (1 − p_up)^{120} < 1e−14 here, and the function asserts that the stationary mass of
    the lumped state is below 1e−12. The balance equations π P = π, Σ π = 1 are solved by a
    dense linear solve over the 2·(top + 1) states (no simulation, no series in M: the chain
    is an independent route to the closed form).
    """
    n = top + 1
    pmf = poisson.pmf(np.arange(n), m.mu)
    tail = poisson.sf(np.arange(n) - 1, m.mu)  # P(d ≥ i)
    step = np.zeros((n, n))  # J → J + d, capped at top
    for j in range(n):
        step[j, j:top] = pmf[: top - j]
        step[j, top] = tail[top - j]
    reset = np.tile(step[0], (n, 1))  # J → d
    up, down = 0, 1
    trans = np.array([[1 - m.p_down, m.p_down], [m.p_up, 1 - m.p_up]])
    big = np.zeros((2 * n, 2 * n))
    for x in (up, down):
        rows = slice(x * n, (x + 1) * n)
        big[rows, up * n : (up + 1) * n] = trans[x, up] * reset
        big[rows, down * n : (down + 1) * n] = trans[x, down] * step
    a = big.T - np.eye(2 * n)
    a[-1, :] = 1.0
    rhs = np.zeros(2 * n)
    rhs[-1] = 1.0
    pi = np.linalg.solve(a, rhs)
    law_j = pi[:n] + pi[n:]
    assert law_j[top] < 1e-12, "truncation too tight"
    assert pi[:n].sum() == pytest.approx(m.p_up / (m.p_down + m.p_up), rel=1e-9)
    law = np.convolve(law_j, poisson.pmf(np.arange(n), m.lead * m.mu))[:n] if m.lead else law_j
    net = m.s - np.arange(n)
    on_hand = float(law @ np.maximum(net, 0))
    backorders = float(law @ np.maximum(-net, 0))
    return {
        "on_hand": on_hand,
        "backorders": backorders,
        "orders": 1.0 - math.exp(-m.mu),
        "cost": m.cost(on_hand, backorders),
        "mean_demand_since_cut": float(law_j @ np.arange(n)),
    }


def markov_base_stock_iid(m: MarkovSupply, kmax: int = 400) -> float:
    """A realistic *wrong* reference: the same down share, but supply days independent
    (no persistence of outages): P(M = k) = π_up·π_down^{k−1}. Cost per day."""
    pi_down = m.p_down / (m.p_down + m.p_up)
    ks = np.arange(1, kmax + 1)
    pmf = (1 - pi_down) * pi_down ** (ks - 1.0)
    c = np.arange(m.s)
    short = np.array([np.sum((m.s - c) * poisson.pmf(c, m.mu * (m.lead + k))) for k in ks])
    on_hand = float(pmf @ short)
    backorders = on_hand - m.s + m.mu * (m.lead + float(pmf @ ks))
    return m.cost(on_hand, backorders)


MARKOV_L1 = MarkovSupply(s=24, lead=1, mu=5.0, p_down=0.1, p_up=0.5)
MARKOV_L0 = MarkovSupply(s=18, lead=0, mu=5.0, p_down=0.1, p_up=0.5)
# Rare, long outages (mean 4 days, 1/6 of the days), two-day lead time.
MARKOV_L2_LONG = MarkovSupply(s=30, lead=2, mu=5.0, p_down=0.05, p_up=0.25)


@pytest.mark.parametrize("m", [MARKOV_L1, MARKOV_L0, MARKOV_L2_LONG])
def test_markov_supply_references_agree(m: MarkovSupply) -> None:
    """Closed form and numerically solved chain are two derivations of the same numbers."""
    closed = markov_base_stock_closed_form(m)
    chain = markov_base_stock_chain(m)
    for kpi in ("on_hand", "backorders", "cost"):
        assert chain[kpi] == pytest.approx(closed[kpi], rel=1e-9), kpi
    pi_down = m.p_down / (m.p_down + m.p_up)
    assert chain["mean_demand_since_cut"] == pytest.approx(m.mu * (1 + pi_down / m.p_up), rel=1e-9)


def test_markov_supply_reliable_limit() -> None:
    """p_down → 0: plain daily base-stock, NI = S − D(L + 1) (``tests/model/test_analytic.py``)."""
    m = MarkovSupply(s=18, lead=2, mu=5.0, p_down=1e-13, p_up=0.5)
    k = np.arange(400)
    pmf = poisson.pmf(k, 3 * 5.0)
    closed = markov_base_stock_closed_form(m)
    assert closed["on_hand"] == pytest.approx(np.sum(np.maximum(18 - k, 0) * pmf), rel=1e-9)
    assert closed["backorders"] == pytest.approx(np.sum(np.maximum(k - 18, 0) * pmf), rel=1e-9)


def check_markov_supply(m: MarkovSupply, reps: int, horizon: int, seed: int) -> None:
    """Simulate and compare with the exact values (end-of-day cost basis).

    Start-up: the supply chain forgets its state at rate |1 − p_down − p_up| per day (0.4
    or 0.7 here) and J regenerates on every up day, so after the 200-day warm-up the law of
    the state is within ~0.7²⁰⁰ ≈ 1e−31 of stationary; end-of-day averages over the window
    are then unbiased. Replications give i.i.d. window averages despite the autocorrelation
    within a run.
    """
    exact = markov_base_stock_closed_form(m)
    frame = replications(m.scenario(horizon, warmup=200), reps, seed)
    window = frame["window_days"]
    by_formula = (
        m.h * frame["avg_on_hand_eod"]
        + m.b * frame["avg_backorders_eod"]
        + m.k * frame["orders_placed"] / window
    )
    # cost_basis end_of_day: the reported total is the textbook cost, replication by replication
    np.testing.assert_allclose(frame["total_cost"] / window, by_formula, rtol=1e-9)
    cost = assert_within_3se(frame["total_cost"] / window, exact["cost"], "cost per day")
    assert_within_3se(frame["avg_on_hand_eod"], exact["on_hand"], "on-hand (end of day)")
    assert_within_3se(frame["avg_backorders_eod"], exact["backorders"], "backorders (eod)")
    assert_within_3se(frame["orders_placed"] / window, exact["orders"], "orders per day")
    # power: ignoring the persistence of outages is a realistic error; the data reject it.
    assert cost.z(markov_base_stock_iid(m)) > 3.0


def test_markov_supply_lead_1_light() -> None:
    # 20 × 5000 days: SE ≈ 0.1 on 17.40 (3 SE ≈ 1.7 %); ≈ 1 s.
    check_markov_supply(MARKOV_L1, reps=20, horizon=5200, seed=2026)


def test_markov_supply_lead_0_light() -> None:
    check_markov_supply(MARKOV_L0, reps=20, horizon=5200, seed=2027)


@pytest.mark.slow
def test_markov_supply_lead_1() -> None:
    # 30 × 15000 days: SE ≈ 0.046 (3 SE ≈ 0.8 %).
    check_markov_supply(MARKOV_L1, reps=30, horizon=15200, seed=2026)


@pytest.mark.slow
def test_markov_supply_long_outages() -> None:
    check_markov_supply(MARKOV_L2_LONG, reps=30, horizon=15200, seed=2028)
