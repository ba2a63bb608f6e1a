"""Disruptions in the model: pre-drawn timelines and the hooks that apply them.

Every event's timeline is drawn when the network is built, before the run, from its own
stream ``disruption.<event name>`` (random outages) or taken from the scenario (windows), so
all alternatives face the very same events in replication r (common random numbers). With the
windows known in advance, most effects are computed where they happen, without extra SimPy
events:

* a down supplier's ship time is the end of its outage (``queue``), capacity is bucketed by day
  with each day's capacity scaled by the time the supplier is up and ramped up that day;
* a frozen shipment arrives when its lead time's worth of *up* time has passed
  (:meth:`Timeline.finish`); a lead-time shock scales the lead time of shipments leaving inside
  its window;
* a plant's line works only while the plant is up (:meth:`Timeline.finish` again);
* demand surges redraw the days inside their windows from their own stream (the rest of the
  demand path is untouched); stock losses are scheduled receipts of negative stock.

The hooks on the hot path are single ``is None`` checks (``SupplierNode.disruption``,
``Lane.disruption``, ``Plant.outages``), so a scenario without disruptions runs as before.
See ``docs/disruptions.md`` for the user-facing semantics.

Modules: :mod:`~jitsim.model.disruptions.timelines` (windows, drawing them, daily capacity),
:mod:`~jitsim.model.disruptions.surges` (surged demand),
:mod:`~jitsim.model.disruptions.effects` (the hooks on suppliers, lanes, plants, customers),
:mod:`~jitsim.model.disruptions.events` (:class:`Disruptions`: all events of a replication)
and :mod:`~jitsim.model.disruptions.recovery` (KPIs and service recovery).
"""

from jitsim.model.disruptions.effects import (
    DisruptedCustomer,
    LaneDisruption,
    QualityFactor,
    ServiceWatch,
    SupplierOutage,
)
from jitsim.model.disruptions.events import Disruptions
from jitsim.model.disruptions.recovery import (
    disruption_kpis,
    rolling_fill_rate,
    service_recovery,
)
from jitsim.model.disruptions.timelines import (
    Interval,
    Timeline,
    daily_capacity,
    draw_outage,
    merge,
)

__all__ = [
    "DisruptedCustomer",
    "Disruptions",
    "Interval",
    "LaneDisruption",
    "QualityFactor",
    "ServiceWatch",
    "SupplierOutage",
    "Timeline",
    "daily_capacity",
    "disruption_kpis",
    "draw_outage",
    "merge",
    "rolling_fill_rate",
    "service_recovery",
]
