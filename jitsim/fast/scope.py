"""What the fast engine can run: :func:`out_of_scope` names the first feature it cannot.

The fast engine reproduces the SimPy engine's numbers exactly, so its scope is the part of the
model it reimplements, feature by feature; anything else is refused with a one-line reason and
runs on the SimPy engine (``engine="auto"``). Today's scope:

* stock points replenished by suppliers or by other stock points (serial and distribution
  networks), each with one regular lane with any lead-time distribution, MOQ, lot multiple,
  order cost, unit price, either title transfer and the suppliers' daily capacity; dual
  sourcing and expediting;
* periodic review (every R days from an offset) with a built-in policy: (s,S), base stock,
  (r,Q), EOQ, kanban, and JIT with any built-in forecast;
* customers with daily demand (any distribution, seasonality, trend), backordered or lost;
* disruptions but quality crises and plant outages: outages of suppliers (scheduled,
  random or Markov windows; orders queued, refused or redirected while down; transit
  continuing or frozen; capacity ramp-ups) and of stock points (inbound lanes closed),
  lead-time shocks, demand surges and stock losses, with the disruption KPIs;
* warm-up, both cost bases, any horizon.

:func:`numpy_scope` names what keeps a scenario in scope off the numpy day loop (disruptions,
lead times that are not whole days), which then runs on the compiled day loop
(:mod:`jitsim.fast.kernel`) only: without numba such a scenario is out of scope.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from jitsim.fast.disruptions import unsupported_disruptions
from jitsim.fast.draws import numba_installed
from jitsim.model.planning import inbound_lead_time

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
    from jitsim.scenario.models import Scenario

#: Policy kinds the fast engine runs (their runtime objects decide on IP alone, no state).
FAST_POLICY_KINDS = frozenset({"s_S", "base_stock", "r_Q", "eoq", "kanban", "jit"})
#: Forecasters of the JIT policy the fast engine runs (:mod:`jitsim.fast.forecasts`).
FAST_FORECAST_KINDS = frozenset({"naive", "moving_average", "exponential_smoothing", "oracle"})

_SIMPY_ONLY = ": simulated by the SimPy engine only"


def out_of_scope(resolved: Scenario) -> str | None:
    """Why the fast engine cannot run ``resolved`` (one line), or None if it can.

    Parameters
    ----------
    resolved : Scenario
        A resolved scenario (one alternative, :func:`jitsim.scenario.resolve.resolve`).
    """
    if resolved.alternatives:
        return "the fast engine runs resolved scenarios (one alternative at a time)"
    if resolved.plants:
        return f"plants (factories){_SIMPY_ONLY}"
    if resolved.disruptions:
        reason = unsupported_disruptions(resolved)
        if reason is not None:
            return f"{reason}{_SIMPY_ONLY}"
    if resolved.keeps_cash_ledger:
        return f"the cash ledger (finance, payment_terms){_SIMPY_ONLY}"
    for name, item in resolved.items.items():
        if item.shelf_life is not None:
            return f"perishable items (items.{name}.shelf_life){_SIMPY_ONLY}"
        if item.end_of_life is not None:
            return f"an item's end of life (items.{name}.end_of_life){_SIMPY_ONLY}"
    for name, supplier in resolved.suppliers.items():
        if supplier.inspects:
            return f"incoming inspection and defects (suppliers.{name}){_SIMPY_ONLY}"
    for name, customer in resolved.customers.items():
        if customer.demand is None:
            return f"individual customer orders (customers.{name}.orders){_SIMPY_ONLY}"
    for name, point in resolved.stock_points.items():
        if point.review.continuous:
            return f"continuous review (stock_points.{name}.review){_SIMPY_ONLY}"
        if point.capacity is not None:
            return f"warehouse capacity (stock_points.{name}.capacity){_SIMPY_ONLY}"
        kind = getattr(point.policy, "kind", type(point.policy).__name__)
        if kind not in FAST_POLICY_KINDS:
            return f"the {kind!r} policy (stock_points.{name}.policy){_SIMPY_ONLY}"
        forecast = getattr(getattr(point.policy, "forecast", None), "kind", None)
        if kind == "jit" and forecast not in FAST_FORECAST_KINDS:
            return f"the {forecast!r} forecast (stock_points.{name}.policy.forecast){_SIMPY_ONLY}"
    if numpy_scope(resolved) is not None and not kernel_available():
        return (
            f"{numpy_scope(resolved)}: install numba (pip install 'jitsim[fast]') and leave "
            f"{KERNEL_SWITCH} and JITSIM_COMPILED unset"
        )
    return None


def kernel_scope(resolved: Scenario) -> str | None:
    """Why the compiled day loop (:mod:`jitsim.fast.kernel`) cannot run ``resolved`` (one
    line), or None if it can: today the fast engine's whole scope.

    Parameters
    ----------
    resolved : Scenario
        A resolved scenario.
    """
    return out_of_scope(resolved)


def numpy_scope(resolved: Scenario) -> str | None:
    """Why the numpy day loop cannot run ``resolved``, in the fast engine's scope (one line),
    or None if it can: disruptions and lead times that are not whole days run on the
    compiled day loop only (their shipments leave or arrive off the whole days, which the
    compiled loop orders one replication at a time as the SimPy engine's urgent events).

    Parameters
    ----------
    resolved : Scenario
        A resolved scenario in the fast engine's scope.
    """
    if resolved.disruptions:
        return "disruptions run on the compiled day loop only"
    for name, point in resolved.stock_points.items():
        leads: list[tuple[str, BaseDistribution]] = [("", inbound_lead_time(resolved, point))]
        backup = point.backup
        if backup is not None:
            leads.append(
                (".backup", backup.lead_time or resolved.suppliers[backup.source].lead_time)
            )
        if point.expedite is not None:
            leads.append((".expedite", point.expedite.lead_time))
        for where, lead_time in leads:
            if not lead_time.is_discrete:
                return (
                    f"lead times that are not whole days (stock_points.{name}{where}) run on "
                    "the compiled day loop only"
                )
    return None


#: Environment variable that forces the numpy day loop when set to ``0`` (tests, benchmarks),
#: whatever the streams (``JITSIM_COMPILED=0`` forces numpy for both).
KERNEL_SWITCH = "JITSIM_FAST_KERNEL"


def kernel_available() -> bool:
    """Whether the compiled day loop can run here: numba installed, and neither
    :data:`KERNEL_SWITCH` nor ``JITSIM_COMPILED`` set to ``0``."""
    for switch in (KERNEL_SWITCH, "JITSIM_COMPILED"):
        if os.environ.get(switch, "").strip() == "0":
            return False
    return numba_installed()
