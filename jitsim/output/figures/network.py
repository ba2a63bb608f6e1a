"""The network as a diagram: suppliers, plants, stock points and customers as labelled boxes,
goods flowing left to right.

Each node is placed in a tier — the length of the longest path of supply edges reaching it from
a node nothing supplies (so suppliers are leftmost and customers rightmost) — and, within a
tier, near the nodes that supply it, so few edges cross. Edges: a stock point's ``source``,
its backup source (dashed) and a separate expedite source (dotted), the stock points a plant
draws its materials from, and the stock point each customer buys from. Drawn with matplotlib
text boxes and arrows only.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from jitsim.output.figures.kind import FigureKind
from jitsim.output.figures.style import GREY, new_figure
from jitsim.output.results_reader import Results
from jitsim.scenario.models import Scenario
from jitsim.scenario.planning import material_sources
from jitsim.scenario.resolve import resolve

__all__ = ["KINDS", "Edge", "network_edges", "network_figure", "network_nodes", "tiers"]

#: Box fill of each kind of node (light, so the black names stay readable in print).
KIND_FILLS = {
    "supplier": "#d6e6f4",
    "plant": "#f6dfc0",
    "stock point": "#d4ede3",
    "customer": "#efd9e8",
}
#: Line style of each kind of edge.
EDGE_STYLES: dict[str, Any] = {"supply": "-", "backup": "--", "expedite": ":"}
_EDGE_WORDS = {
    "supply": "supplies",
    "backup": "backup source",
    "expedite": "expedite source",
}


@dataclass(frozen=True)
class Edge:
    """Goods flow from ``source`` to ``target``; ``kind`` is ``supply``, ``backup`` or
    ``expedite``; ``only_in`` names the alternatives that have the edge when not all do
    (empty: every alternative has it)."""

    source: str
    target: str
    kind: str = "supply"
    only_in: tuple[str, ...] = ()


def network_nodes(scenario: Scenario) -> dict[str, str]:
    """Every node of the scenario and its kind (``supplier``, ``plant``, ``stock point``,
    ``customer``), in the scenario's order."""
    nodes: dict[str, str] = {}
    nodes.update(dict.fromkeys(scenario.suppliers, "supplier"))
    nodes.update(dict.fromkeys(scenario.plants, "plant"))
    nodes.update(dict.fromkeys(scenario.stock_points, "stock point"))
    nodes.update(dict.fromkeys(scenario.customers, "customer"))
    return nodes


def network_edges(scenario: Scenario) -> list[Edge]:
    """Every edge of the network, in any alternative (an alternative's ``changes`` may add a
    backup or an expedite source), between nodes the scenario has."""
    names = scenario.alternative_names()
    found: dict[tuple[str, str, str], list[str]] = {}
    for name in names:
        for source, target, kind in _edges_of(resolve(scenario, name)):
            found.setdefault((source, target, kind), []).append(name)
    nodes = network_nodes(scenario)
    return [
        Edge(source, target, kind, () if len(having) == len(names) else tuple(having))
        for (source, target, kind), having in found.items()
        if source in nodes and target in nodes and source != target
    ]


def _edges_of(scenario: Scenario) -> list[tuple[str, str, str]]:
    """The edges ``(source, target, kind)`` of a resolved scenario (one alternative)."""
    edges: list[tuple[str, str, str]] = []
    for name, point in scenario.stock_points.items():
        edges.append((point.source, name, "supply"))
        if point.backup is not None:
            edges.append((point.backup.source, name, "backup"))
        expedite = point.expedite.source if point.expedite is not None else None
        if expedite is not None and expedite != point.source:
            edges.append((expedite, name, "expedite"))
    for plant in scenario.plants:
        for stock_point in material_sources(scenario, plant).values():
            edges.append((stock_point, plant, "supply"))
    for name, customer in scenario.customers.items():
        edges.append((customer.buys_from, name, "supply"))
    return edges


def tiers(scenario: Scenario) -> dict[str, int]:
    """Each node's tier: the number of edges on the longest path reaching it from a node that
    nothing supplies (0: suppliers and other sources). Customers are put in the last tier."""
    nodes = network_nodes(scenario)
    incoming: dict[str, list[str]] = {name: [] for name in nodes}
    for edge in network_edges(scenario):
        incoming[edge.target].append(edge.source)
    memo: dict[str, int] = {}

    def depth(name: str, path: frozenset[str]) -> int:
        if name in memo:
            return memo[name]
        if name in path:  # a cycle (validation reports it): stop here
            return 0
        inner = path | {name}
        value = max((depth(s, inner) + 1 for s in incoming[name]), default=0)
        memo[name] = value
        return value

    out = {name: depth(name, frozenset()) for name in nodes}
    last = max(out.values(), default=0)
    for name, kind in nodes.items():
        if kind == "customer":
            out[name] = last
    return out


def _rows(scenario: Scenario, tier_of: dict[str, int]) -> dict[str, float]:
    """Each node's vertical place within its tier (0 at the top): tiers after the first are
    ordered by the mean place of their suppliers, then the first by the mean place of the
    nodes it supplies, so that few edges cross."""
    edges = network_edges(scenario)
    by_tier: dict[int, list[str]] = {}
    for name, tier in tier_of.items():
        by_tier.setdefault(tier, []).append(name)
    place: dict[str, float] = {}

    def centred(names: list[str]) -> None:
        offset = (len(names) - 1) / 2
        for i, name in enumerate(names):
            place[name] = i - offset

    def mean_of(name: str, neighbours: dict[str, list[str]]) -> float:
        known = [place[n] for n in neighbours.get(name, []) if n in place]
        return sum(known) / len(known) if known else 0.0

    sources: dict[str, list[str]] = {}
    targets: dict[str, list[str]] = {}
    for edge in edges:
        sources.setdefault(edge.target, []).append(edge.source)
        targets.setdefault(edge.source, []).append(edge.target)
    ordered_tiers = sorted(by_tier)
    centred(by_tier[ordered_tiers[0]])
    for tier in ordered_tiers[1:]:
        names = by_tier[tier]
        centred(sorted(names, key=lambda n: (mean_of(n, sources), names.index(n))))
    first = by_tier[ordered_tiers[0]]
    centred(sorted(first, key=lambda n: (mean_of(n, targets), first.index(n))))
    return place


def _label(name: str, kind: str, scenario: Scenario) -> str:
    if kind == "stock point":
        return f"{name}\nstock point · {scenario.stock_points[name].item}"
    if kind == "plant":
        return f"{name}\nplant · makes {', '.join(scenario.plants[name].products)}"
    return f"{name}\n{kind}"


def network_figure(scenario: Scenario) -> Figure:
    """The network of ``scenario`` as a diagram, left to right by tier."""
    nodes = network_nodes(scenario)
    tier_of = tiers(scenario)
    place = _rows(scenario, tier_of)
    columns = max(tier_of.values(), default=0) + 1
    per_tier = max(
        (sum(1 for t in tier_of.values() if t == tier) for tier in range(columns)), default=1
    )
    figure, (axes,) = new_figure(
        f"{scenario.name}\nthe network",
        size=(max(6.0, 3.2 * columns + 0.6), max(3.2, 0.95 * per_tier + 1.6)),
    )
    axes.set_axis_off()
    axes.set_xlim(-0.55, columns - 0.45)
    half = max(per_tier - 1, 1) / 2
    axes.set_ylim(-half - 0.6, half + 0.6)
    boxes: dict[str, Any] = {}
    for name, kind in nodes.items():
        text = axes.text(
            tier_of[name], -place[name], _label(name, kind, scenario), ha="center", va="center",
            fontsize=9, zorder=3,
            bbox={"boxstyle": "round,pad=0.45", "facecolor": KIND_FILLS[kind],
                  "edgecolor": "#4d4d4d", "linewidth": 1.0},
        )  # fmt: skip
        boxes[name] = text
    drawn: dict[tuple[str, str], int] = {}
    for edge in network_edges(scenario):
        source, target = boxes[edge.source], boxes[edge.target]
        # Edges between the same two nodes (a backup and an expedite source) bend apart.
        twin = drawn.get((edge.source, edge.target), 0)
        drawn[(edge.source, edge.target)] = twin + 1
        skips = tier_of[edge.target] - tier_of[edge.source] > 1 or edge.kind != "supply"
        rad = (0.2 if skips or twin else 0.0) * (-1 if twin % 2 else 1) * (1 + twin // 2)
        axes.annotate(
            "", xy=target.get_position(), xytext=source.get_position(), zorder=2,
            arrowprops={
                "arrowstyle": "-|>", "color": "#333333" if edge.kind == "supply" else GREY,
                "linestyle": EDGE_STYLES[edge.kind], "linewidth": 1.2, "mutation_scale": 12,
                "patchA": source.get_bbox_patch(), "patchB": target.get_bbox_patch(),
                "shrinkA": 2, "shrinkB": 2,
                "connectionstyle": f"arc3,rad={rad}",
            },
        )  # fmt: skip
        if edge.only_in:
            (x1, y1), (x2, y2) = source.get_position(), target.get_position()
            # The middle of the arc3 curve: the chord's middle moved rad/2 across it.
            middle = ((x1 + x2) / 2 + rad / 2 * (y2 - y1), (y1 + y2) / 2 - rad / 2 * (x2 - x1))
            axes.text(
                *middle, _edge_words(edge), ha="center", va="center", fontsize=8,
                color="#333333", style="italic", zorder=2.5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )  # fmt: skip
    kinds_drawn = {edge.kind for edge in network_edges(scenario)}
    handles = [
        Line2D([], [], color="#333333", linestyle=EDGE_STYLES[kind], label=_EDGE_WORDS[kind])
        for kind in EDGE_STYLES
        if kind in kinds_drawn
    ]
    if len(handles) > 1:
        figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    return figure


def _edge_words(edge: Edge) -> str:
    """``"backup in jit_with_backup"``: an edge that only some alternatives have."""
    kind = "" if edge.kind == "supply" else f"{edge.kind} "
    return "\n".join(textwrap.wrap(f"{kind}in {', '.join(edge.only_in)}", width=26))


def _draw(results: Results) -> Figure:
    return network_figure(results.scenario)


KINDS = (
    FigureKind(
        "network",
        "The network: suppliers, plants, stock points and customers, left to right by tier",
        _draw,
        lambda results: True,
        "any results directory",
    ),
)
