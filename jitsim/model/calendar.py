"""The day calendar of one replication: when future actions run, and the event log.

Every future action of the model (a receipt, a shipment that waits for supplier capacity, a
stock loss) is scheduled with :meth:`Calendar.at`, which keeps two queues in one order
(docs/daily-convention.md):

* **at a whole day** ``t`` — a heap of ``(t, sequence, action)``, drained by the network's daily
  clock in phase 2 of day ``t``: after the end-of-day snapshot of ``t − 1`` and before the
  reviews of ``t``, all inside the clock's own SimPy event, in the order they were scheduled.
  SimPy runs simultaneous events one after the other in (priority, insertion) order, each to
  its end, so no SimPy event can run *inside* the clock's wake-up: one that sorts before it
  runs before the snapshot, one that sorts after it runs after the reviews (and maybe after
  other processes waking at ``t``, such as a plant's line finishing a batch). The heap is also
  cheaper than a SimPy event per receipt.
* **off the grid** (``t`` not a whole day) — a SimPy event with URGENT priority on the
  environment's own queue, so that a delivery due exactly when demand arrives (``t + 0.5``) or
  when an individual order arrives is put away first. The clock wakes only at ``t`` and
  ``t + 0.5``, so it cannot run these itself.

A time within 1e-9 days of a whole day is that day (:func:`snap`), so a lead time summed from
fractions of a day does not fall off the grid by a rounding error.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from itertools import count
from typing import TYPE_CHECKING

import simpy
from simpy.core import URGENT

if TYPE_CHECKING:
    from jitsim.model.ledger import Ledger
    from jitsim.model.shelf import Batch
    from jitsim.model.stock_point import StockPoint

#: One line of the event log: time, node, event, quantity, level, note.
TraceRow = tuple[float, str, str, float, float, str]


def snap(when: float) -> float:
    """A time within 1e-9 days of a whole day is that day (2.9999999999999996 is day 3)."""
    nearest = round(when)
    return float(nearest) if abs(when - nearest) < 1e-9 else when


class _Callback(simpy.Event):
    """An event that fires at ``now + delay`` with URGENT priority and runs ``action``."""

    def __init__(self, env: simpy.Environment, delay: float, action: Callable[[], None]) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        self.callbacks.append(lambda _event: action())
        env.schedule(self, URGENT, delay)


class Calendar:
    """The SimPy environment of one replication, its future actions and its event log.

    Parameters
    ----------
    trace : bool
        Keep the event log (slower; for ``jitsim trace`` and tests).
    """

    __slots__ = ("_sequence", "due", "env", "ledger", "trace")

    def __init__(self, trace: bool = False) -> None:
        self.env = simpy.Environment()
        #: The event log, or None when not kept.
        self.trace: list[TraceRow] | None = [] if trace else None
        #: Actions due at whole days: a heap of (time, sequence, action), drained by the
        #: network's daily clock in phase 2 of their day (see the module notes).
        self.due: list[tuple[float, int, Callable[[], None]]] = []
        self._sequence = count()
        #: The cash ledger (:mod:`jitsim.model.ledger`), None unless the scenario keeps one:
        #: every part that pays or is paid reaches it here.
        self.ledger: Ledger | None = None

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` at time ``when`` (days): in phase 2 at a whole day, else before
        anything else due then."""
        self._at_snapped(snap(when), action)

    def _at_snapped(self, when: float, action: Callable[[], None]) -> None:
        """:meth:`at` for a time already snapped (:func:`snap` is idempotent: saves a call on
        every delivery)."""
        if when == math.floor(when):
            heapq.heappush(self.due, (when, next(self._sequence), action))
        else:
            _Callback(self.env, when - self.env.now, action)

    def deliver(
        self,
        point: StockPoint,
        quantity: float,
        owned: bool,
        due: float,
        now: float,
        batches: list[Batch] | None = None,
    ) -> None:
        """Have ``quantity`` units received at ``point`` at time ``due`` (now if already due),
        perishable units as ``batches`` (None: stamped on arrival, or not perishable)."""
        due = snap(due)
        if due <= now:
            point.receive(quantity, owned, now, batches)
        else:
            self._at_snapped(due, lambda: point.receive(quantity, owned, due, batches))
