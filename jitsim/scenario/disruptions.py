"""Scenario models of disruptions: outages, lead-time shocks, quality crises, demand surges and
stock losses (the ``disruptions:`` section), and the supplier's behaviour while it is down.

Every event is a mapping with a ``kind:`` tag and the ``nodes`` it hits; one event naming
several nodes is a common-cause event (all of them share one timeline). ``docs/disruptions.md``
gives the exact semantics of every kind. The cross-reference checks (known node names, node
types an event can affect) live in :func:`check_disruptions`, called by the scenario root.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from jitsim.distributions import Distribution
from jitsim.errors import raise_problems
from jitsim.scenario.base import Problems, Strict, entries, unknown
from jitsim.units import Fraction, Name, NonNegative, OpenFraction, Positive

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario


class WhenDown(Strict):
    """What a supplier does while an outage holds it down (``suppliers.<name>.when_down``).

    Parameters
    ----------
    orders : {"queue", "refuse", "redirect"}
        Orders placed while the supplier is down: ``queue`` — accepted and shipped when it is
        back (through its capacity, first come first served); ``refuse`` — lost: the stock
        point's on-order stock does not grow, and its policy orders again at a later review
        (counted in ``STOCK_POINT.refused_orders``); ``redirect`` — the whole order goes to
        the ordering stock point's ``backup`` source (a stock point without a backup queues).
    in_transit : {"continue", "freeze"}
        Shipments already on their way when the supplier goes down: ``continue`` — they arrive
        as planned; ``freeze`` — their transit clock stops while the supplier is down, so
        arrival = shipment + lead time + the downtime that overlaps the transit.
    ramp_up_days : float
        After each recovery the daily capacity rises linearly from 0 to ``capacity_per_day``
        over this many days (days, ≥ 0). Needs ``capacity_per_day`` (a supplier without a
        capacity has no rate to ramp).
    """

    orders: Literal["queue", "refuse", "redirect"] = "queue"
    in_transit: Literal["continue", "freeze"] = "continue"
    ramp_up_days: NonNegative = 0.0


class Window(Strict):
    """A scheduled window of an event: ``{start: DAY, days: DURATION}``.

    Parameters
    ----------
    start : float
        Time the window opens (days since the start of the run, ≥ 0).
    days : float
        Duration of the window (days, > 0); it covers ``[start, start + days)``.
    """

    start: NonNegative
    days: Positive


Windows = Annotated[list[Window], Field(min_length=1)]


class _Event(Strict):
    nodes: Annotated[list[Name], Field(min_length=1)]


class Outage(_Event):
    """Nodes that stop: a supplier ships nothing, a plant's lines stand still, a stock point's
    inbound lanes are closed (shipments to it wait at their source until the outage ends:
    a port or road closure).

    Give exactly one timeline: ``windows`` (scheduled), ``up`` and ``down`` (random: time
    between failures and time to repair), or ``p_down`` and ``p_up`` (a two-state Markov
    chain, one step per day). Every node starts up at time 0. Random timelines are drawn before
    the run from the stream ``disruption.<name>``, so every alternative faces the same
    outages in replication r.

    Parameters
    ----------
    kind : "outage"
        Event kind.
    nodes : list of str
        Suppliers, plants and stock points hit; several nodes share one timeline (common
        cause).
    windows : list of Window, optional
        Scheduled outages (days).
    up : distribution, optional
        Time between failures: from a recovery to the next failure (days).
    down : distribution, optional
        Time to repair: duration of each outage (days).
    p_down : float, optional
        Probability that an up node goes down at the start of a day (0 < p < 1).
    p_up : float, optional
        Probability that a down node comes back at the start of a day (0 < p < 1).
    """

    kind: Literal["outage"] = "outage"
    windows: Windows | None = None
    up: Distribution | None = None
    down: Distribution | None = None
    p_down: OpenFraction | None = None
    p_up: OpenFraction | None = None

    @model_validator(mode="after")
    def _one_timeline(self) -> Self:
        timelines = {
            "windows": self.windows is not None,
            "up/down": self.up is not None or self.down is not None,
            "p_down/p_up": self.p_down is not None or self.p_up is not None,
        }
        modes = [name for name, given in timelines.items() if given]
        if len(modes) != 1:
            found = " and ".join(modes) if modes else "none"
            raise ValueError(
                "give exactly one timeline: windows, up and down (random), or p_down and p_up "
                f"(Markov); found {found}"
            )
        problems: Problems = []
        for pair in (("up", "down"), ("p_down", "p_up")):
            if modes[0] == "/".join(pair):
                problems += [
                    ((name,), f"required with {pair[0] if name == pair[1] else pair[1]}")
                    for name in pair
                    if getattr(self, name) is None
                ]
        if self.up is not None and self.up.mean <= 0:
            problems.append((("up",), f"mean(={self.up.mean:g}) must be > 0"))
        if self.down is not None and self.down.mean <= 0:
            problems.append((("down",), f"mean(={self.down.mean:g}) must be > 0"))
        raise_problems(problems)
        return self


class LeadTimeShock(_Event):
    """Longer lead times: shipments leaving inside a window take ``multiplier × L + add_days``.

    Parameters
    ----------
    kind : "lead_time_shock"
        Event kind.
    nodes : list of str
        Suppliers (all their lanes) and stock points (their inbound lanes) hit.
    multiplier : float
        Factor on the drawn lead time :math:`L` (> 0).
    add_days : float
        Days added to the lead time (days, ≥ 0).
    windows : list of Window
        When shipments are shocked (by the time they leave the source).
    """

    kind: Literal["lead_time_shock"] = "lead_time_shock"
    multiplier: Positive = 1.0
    add_days: NonNegative = 0.0
    windows: Windows


class QualityCrisis(_Event):
    """More defects: the defect rate is multiplied inside a window.

    Parameters
    ----------
    kind : "quality_crisis"
        Event kind.
    nodes : list of str
        Plants (the defect rate of batches whose processing ends inside a window) and
        suppliers with a ``defect_rate`` (units inspected inside a window).
    multiplier : float
        Factor :math:`m` on the defect rate (≥ 1); the result is capped at 1.
    windows : list of Window
        When the crisis lasts.
    """

    kind: Literal["quality_crisis"] = "quality_crisis"
    multiplier: Annotated[float, Field(ge=1, allow_inf_nan=False)]
    windows: Windows


class DemandSurge(_Event):
    """Demand multiplied inside a window (a multiplier below 1 is a drop).

    Parameters
    ----------
    kind : "demand_surge"
        Event kind.
    nodes : list of str
        Customers hit.
    multiplier : float
        Factor on mean demand (> 0).
    windows : list of Window
        When demand is changed (a day counts when its demand arrival, mid-day, is inside).
    """

    kind: Literal["demand_surge"] = "demand_surge"
    multiplier: Positive
    windows: Windows


class StockLoss(_Event):
    """A fraction of the on-hand stock is destroyed (fire, theft, spoilage).

    Parameters
    ----------
    kind : "stock_loss"
        Event kind.
    nodes : list of str
        Stock points hit.
    fraction : float
        Share of the on-hand stock destroyed each time (0 ≤ f ≤ 1).
    at : list of float
        Times of the losses (days, ≥ 0).
    """

    kind: Literal["stock_loss"] = "stock_loss"
    fraction: Fraction
    at: Annotated[list[NonNegative], Field(min_length=1)]


# --------------------------------------------------------------------------- named events

#: Day a named event starts when its text has no ``@DAY``: the end of the warm-up of the
#: scenario being validated (set by the scenario root around its validation).
NAMED_EVENT_START: ContextVar[float] = ContextVar("named_event_start", default=0.0)

_NUMBER = r"\d+(?:\.\d+)?"
_NODES = r"[A-Za-z_][A-Za-z0-9_\-]*(?:,[A-Za-z_][A-Za-z0-9_\-]*)*"

#: The library of named stress events: (pattern, meaning, example). Every pattern is followed
#: by ``:NODE[,NODE...]`` and an optional ``@DAY`` (the start; default the end of warm-up).
NAMED_EVENTS: tuple[tuple[str, str, str], ...] = (
    (
        "outage-<D>d",
        "the nodes are down for D days (kind outage, one scheduled window)",
        "outage-30d:acme",
    ),
    (
        "lead-time-x<M>-<D>d",
        "shipments leaving the nodes during D days take M × their lead time (lead_time_shock)",
        "lead-time-x2-60d:acme",
    ),
    (
        "lead-time-plus<A>d-<D>d",
        "shipments leaving the nodes during D days take A days longer (lead_time_shock)",
        "lead-time-plus10d-30d:acme",
    ),
    (
        "demand-surge-<P>pct-<D>d",
        "demand of the customers is P % higher for D days (demand_surge, multiplier 1 + P/100)",
        "demand-surge-50pct-28d:shoppers",
    ),
    (
        "demand-drop-<P>pct-<D>d",
        "demand of the customers is P % lower for D days (demand_surge, multiplier 1 − P/100)",
        "demand-drop-30pct-14d:shoppers",
    ),
    (
        "quality-crisis-x<M>-<D>d",
        "the defect rate of the nodes is M times higher for D days (quality_crisis)",
        "quality-crisis-x5-14d:assembly",
    ),
    (
        "stock-loss-<P>pct",
        "P % of the on-hand stock of the stock points is destroyed once (stock_loss)",
        "stock-loss-50pct:store",
    ),
)

_NAMED = re.compile(
    rf"^(?:(?P<outage>outage-(?P<o_days>{_NUMBER})d)"
    rf"|(?P<shock>lead-time-x(?P<s_mult>{_NUMBER})-(?P<s_days>{_NUMBER})d)"
    rf"|(?P<delay>lead-time-plus(?P<d_add>{_NUMBER})d-(?P<d_days>{_NUMBER})d)"
    rf"|(?P<surge>demand-surge-(?P<u_pct>{_NUMBER})pct-(?P<u_days>{_NUMBER})d)"
    rf"|(?P<drop>demand-drop-(?P<r_pct>{_NUMBER})pct-(?P<r_days>{_NUMBER})d)"
    rf"|(?P<crisis>quality-crisis-x(?P<q_mult>{_NUMBER})-(?P<q_days>{_NUMBER})d)"
    rf"|(?P<loss>stock-loss-(?P<l_pct>{_NUMBER})pct))"
    rf":(?P<nodes>{_NODES})(?:@(?P<start>{_NUMBER}))?$"
)


def named_event(text: str, start: float | None = None) -> dict[str, Any]:
    """The ``disruptions:`` entry meant by a named stress event such as ``outage-30d:acme``.

    Parameters
    ----------
    text : str
        ``NAME:NODE[,NODE...][@DAY]`` with NAME from :data:`NAMED_EVENTS`; several nodes make
        a common-cause event, ``@DAY`` is the start (days since the start of the run).
    start : float, optional
        Start when the text has no ``@DAY`` (default: :data:`NAMED_EVENT_START`).

    Returns
    -------
    dict
        The event in the long form, validated later like any other entry.

    Raises
    ------
    ValueError
        When ``text`` is not a named event (the message lists the library).
    """
    found = _NAMED.match(text.strip())
    if found is None:
        names = ", ".join(pattern for pattern, _, _ in NAMED_EVENTS)
        raise ValueError(
            f"{text!r} is not a named stress event; write NAME:NODE[,NODE...][@DAY] with NAME "
            f"one of {names} (e.g. outage-30d:acme@100); see docs/disruptions.md"
        )
    g = found.groupdict()
    nodes = g["nodes"].split(",")
    begin = float(g["start"]) if g["start"] is not None else start
    if begin is None:
        begin = NAMED_EVENT_START.get()

    def timed(kind: str, days: str, **fields: float) -> dict[str, Any]:
        """An event of ``kind`` on ``nodes`` during ``days`` days from ``begin``."""
        window = {"start": begin, "days": float(days)}
        return {"kind": kind, "nodes": nodes, **fields, "windows": [window]}

    if g["outage"]:
        return timed("outage", g["o_days"])
    if g["shock"]:
        return timed("lead_time_shock", g["s_days"], multiplier=float(g["s_mult"]))
    if g["delay"]:
        return timed("lead_time_shock", g["d_days"], add_days=float(g["d_add"]))
    if g["surge"] or g["drop"]:
        percent = float(g["u_pct"] or g["r_pct"]) / 100.0
        multiplier = 1.0 + percent if g["surge"] else 1.0 - percent
        return timed("demand_surge", g["u_days"] or g["r_days"], multiplier=multiplier)
    if g["crisis"]:
        return timed("quality_crisis", g["q_days"], multiplier=float(g["q_mult"]))
    return {
        "kind": "stock_loss",
        "nodes": nodes,
        "fraction": float(g["l_pct"]) / 100.0,
        "at": [begin],
    }


def event_key(text: str) -> str:
    """A ``disruptions:`` key for a named event given on the command line (a valid name)."""
    key = re.sub(r"[^A-Za-z0-9_\-]+", "-", text.strip()).strip("-")
    return key[:64] if key and (key[0].isalpha() or key[0] == "_") else f"event-{key}"[:64]


def _expand_named(value: Any) -> Any:
    """Let a ``disruptions:`` entry be a named stress event string (expanded to its long form)."""
    return named_event(value) if isinstance(value, str) else value


_Tagged = Annotated[
    Outage | LeadTimeShock | QualityCrisis | DemandSurge | StockLoss, Field(discriminator="kind")
]
#: A named stress event in a scenario file, for the JSON Schema: the pattern of
#: :func:`named_event` without Python's group names (editors read ECMAScript patterns).
_NamedEventText = Annotated[
    str,
    Field(
        pattern=re.sub(r"\(\?P<\w+>", "(?:", _NAMED.pattern),
        description="A named stress event NAME:NODE[,NODE...][@DAY], e.g. outage-30d:acme@100 "
        "(see docs/disruptions.md).",
    ),
]

Disruption = Annotated[
    _Tagged,
    BeforeValidator(_expand_named, json_schema_input_type=_NamedEventText | _Tagged),
]
"""Field type of one entry of ``disruptions:``, selected by ``kind`` (or a named event)."""

#: Node sections each kind may hit (section name → label used in messages).
_TARGETS: dict[str, tuple[str, ...]] = {
    "outage": ("suppliers", "plants", "stock_points"),
    "lead_time_shock": ("suppliers", "stock_points"),
    "quality_crisis": ("suppliers", "plants"),
    "demand_surge": ("customers",),
    "stock_loss": ("stock_points",),
}
_LABEL = {
    "suppliers": "a supplier",
    "plants": "a plant",
    "stock_points": "a stock point",
    "customers": "a customer",
}


def _listing(words: list[str], last: str) -> str:
    """``["a", "b", "c"]``, ``"or"`` → ``"a, b or c"``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def node_problems(data: Any) -> Problems:
    """Unknown node names and nodes an event kind cannot affect, in scenario data.

    Works on a validated :class:`Scenario` and on raw (possibly invalid) YAML data alike.
    """
    events = entries(data, "disruptions")
    sections = {section: entries(data, section) for section in _LABEL}
    problems: Problems = []
    for name, event in events.items():
        if isinstance(event, str):
            try:
                event = named_event(event)
            except ValueError:
                continue  # reported by field validation
        if isinstance(event, dict):
            kind, nodes = event.get("kind"), event.get("nodes")
        else:
            kind, nodes = getattr(event, "kind", None), getattr(event, "nodes", None)
        if not isinstance(kind, str) or kind not in _TARGETS or not isinstance(nodes, list):
            continue
        allowed = _TARGETS[kind]
        for index, node in enumerate(nodes):
            if not isinstance(node, str):
                continue
            path: tuple[str | int, ...] = ("disruptions", name, "nodes", index)
            found = next((s for s in _LABEL if node in sections[s]), None)
            if found is None:
                known = [n for s in allowed for n in sections[s]]
                what = _listing([_LABEL[s].removeprefix("a ") for s in allowed], "or")
                problems.append((path, unknown(what, node, known)))
            elif found not in allowed:
                targets = _listing([f"{_LABEL[s].removeprefix('a ')}s" for s in allowed], "and")
                problems.append((path, f"{kind} applies to {targets}; {node!r} is {_LABEL[found]}"))
    return problems


def check_disruptions(scenario: Scenario, problems: Problems) -> None:
    """Cross-reference checks of the ``disruptions:`` section and of ``when_down``."""
    problems += node_problems(scenario)
    for name, supplier in scenario.suppliers.items():
        if supplier.when_down.ramp_up_days > 0 and supplier.capacity_per_day is None:
            problems.append(
                (
                    ("suppliers", name, "when_down", "ramp_up_days"),
                    "a ramp-up needs capacity_per_day (the rate that ramps up); give one or "
                    "remove ramp_up_days",
                )
            )
    for name, event in scenario.disruptions.items():
        if not isinstance(event, QualityCrisis):
            continue
        for index, node in enumerate(event.nodes):
            hit = scenario.suppliers.get(node)
            if hit is not None and hit.defect_rate <= 0:
                problems.append(
                    (
                        ("disruptions", name, "nodes", index),
                        f"supplier {node!r} has defect_rate 0: a multiplier changes nothing; "
                        "give it a defect_rate",
                    )
                )


__all__ = [
    "NAMED_EVENTS",
    "NAMED_EVENT_START",
    "DemandSurge",
    "Disruption",
    "LeadTimeShock",
    "Outage",
    "QualityCrisis",
    "StockLoss",
    "WhenDown",
    "Window",
    "check_disruptions",
    "event_key",
    "named_event",
    "node_problems",
]
