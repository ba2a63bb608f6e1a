"""Stress test: knock out each supplier and plant in turn, paired with the undisrupted baseline.

For every node (supplier or plant) and every knock-out duration D the scenario gets one extra
scheduled ``outage`` event, :data:`EVENT`, holding the node down over ``[t0, t0 + D)`` (the
node's own ``when_down`` behaviour applies); one more variant per node holds it down from t0
to the end of the horizon, for the time-to-survive. All variants and the baseline (the scenario
as given) run every alternative in one batch under common random numbers: replication r of
every variant uses the same seed and replication index, and adding an outage does not shift
any other random stream, so every difference against the baseline is paired. (The baseline
carries a neutral event of the same name, so that it reports the same KPI columns, among them
its own first shortfall and service drop from t0: see :mod:`.variants`.)

Measures (exact definitions):

* **TTS** (time-to-survive) of a replication: with the node down from t0 for the rest of the
  horizon, the whole days fully served after the failure — the first unit of customer demand
  not met from stock on arrival falls on day ``t0 + TTS`` (KPI ``EVENT.first_shortfall_day``).
  Only shortfalls the failure causes count: the baseline of the same replication records its
  own first shortfall from t0 on (through a neutral event, below); when the baseline runs short
  at the same time or earlier, the network was short anyway and the replication's TTS is
  right-censored there (``TTS ≥ baseline's first shortfall − t0``). A replication without any
  shortfall is censored at ``horizon − t0``. Per node and alternative the table gives the
  Kaplan–Meier median over replications (``tts_days``; :func:`jitsim.stats.km_median`), with
  ``tts_censored`` true when the estimate never falls to 1/2 (``tts_days`` is then a lower
  bound), the smallest observed TTS, the share of censored replications and the share censored
  by the baseline's own shortfalls (``baseline_short_first_share``: high values mean the
  alternative does not meet demand even without a failure, and its TTS says little).
* **TTR** (time-to-recover) = the knock-out duration D (scenario-given); ``tts_lt_ttr`` flags
  ``tts_days < D`` for an uncensored median: the network runs dry before the node is back.
* **Impact** per (node, D, alternative), mean over replications of the paired difference
  disrupted − baseline of the same alternative: ``lost_units`` (extra units not met on
  arrival: backordered or lost), ``extra_cost`` (extra ``total_cost``), ``revenue_at_risk`` =
  Σ over customers of their extra demand unserved at the end of the run (``demand_units −
  sold_units``) × their price, ``lost_margin`` = the same units × (price − the item's
  ``unit_cost``), ``purchase_premium`` = Σ over stock points of extra ``purchase_cost`` − the
  stock point's baseline average price paid × extra ``bought_units`` (what dearer sources — a
  backup, an expedite — cost on top), and ``impact`` = extra cost + lost margin + purchase
  premium: the profit lost. With the same demand, revenue at risk is exactly baseline revenue −
  disrupted revenue; valuing unserved units rather than purchases keeps stock left unbought at
  the end of the run from counting as a saving, and keeps a demand surge's extra sales from
  counting as a gain. ``risk_exposure_index`` = impact / the largest impact of the table
  (0 … 1; rows with a negative impact get a negative index).
* **Service recovery** per (node, D, alternative), from the KPIs ``EVENT.service_drop_day``
  and ``EVENT.service_recovery_days`` (thresholds ``run.service_recovery``: by default the
  rolling 7-day fill rate falls below 0.90 and recovers at 0.95): ``service_drop_share`` = share
  of replications whose service dropped from t0 on (``baseline_drop_share``: the same in the
  baseline); ``recovery_days`` = Kaplan–Meier median over those replications of the days from
  the drop until recovery, censored at the end of the run (``recovery_censored``).
* **Tail risk** over replications: ``p_stockout`` = P(any stockout day) in the disrupted run;
  VaR95 (the ⌈0.95 n⌉-th smallest value) and CVaR95 (:func:`jitsim.stats.cvar`, upper tail)
  of the lost margin and of the disrupted run's total cost.

The package: :mod:`.variants` builds the simulated scenarios, :mod:`.tables` computes the
time-to-survive and the weak-link tables, :mod:`.mitigations` what each alternative buys
against a reference, :mod:`.result` holds :class:`StressResult` and writes its files, and
:mod:`.experiment` runs :func:`stress`.
"""

from jitsim.experiments.stress.experiment import stress
from jitsim.experiments.stress.result import StressResult
from jitsim.experiments.stress.variants import (
    DEFAULT_DURATIONS,
    EVENT,
    check_durations,
    check_events,
    check_nodes,
)

__all__ = [
    "DEFAULT_DURATIONS",
    "EVENT",
    "StressResult",
    "check_durations",
    "check_events",
    "check_nodes",
    "stress",
]
