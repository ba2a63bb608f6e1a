"""Building the parts of one replication's model from a resolved scenario.

:class:`Builder` makes every part complete, in an order where each part finds what it needs
already made:

1. the disruptions' timelines (drawn first: demand surges change the demand);
2. the suppliers, with their outages;
3. the customers and their pre-drawn demand (before the policies, which may plan with it);
4. the stock points, each with its policy (planned from the scenario's figures alone);
5. the plants, which draw their materials from stock points;
6. the lanes into every stock point, with their inspection and disruptions, and the stock
   point's backup and expediting: a lane names the stock point it delivers to, so the stock
   point is connected to its lanes once they exist (:meth:`StockPoint.connect`);
7. the items' ends of life on the calendar (:mod:`jitsim.model.end_of_life`: drawn first,
   with the disruptions, because they change the demand), the stock losses, and the order of
   the daily reviews.

Every random number comes from a stream named after what draws it (``customer.NAME.demand``,
``lane.STORE.lead_time``, ...), so the order of making changes none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from jitsim.model.cash import CashTiedUp
from jitsim.model.customer import Customer, draw_orders, mean_factors
from jitsim.model.disruptions import DisruptedCustomer, Disruptions
from jitsim.model.end_of_life import EndOfLife
from jitsim.model.expedite import Expedite
from jitsim.model.inspection import InspectingLane, Inspection
from jitsim.model.lane import Lane, OrderTerms
from jitsim.model.ledger import customer_account, ledger_for, supplier_account
from jitsim.model.planning import (
    future_demand,
    inbound_lead_time,
    inbound_order_cost,
    policy_context,
    review_depth,
)
from jitsim.model.plant import Plant, PlantLane
from jitsim.model.shelf import Shelf
from jitsim.model.sourcing import Backup
from jitsim.model.space import Space
from jitsim.model.stock_point import StockPoint
from jitsim.model.supplier import SupplierNode
from jitsim.scenario.planning import material_sources, planning_demand
from jitsim.streams import BlockSampler

if TYPE_CHECKING:
    from jitsim.distributions import BaseDistribution
    from jitsim.model.calendar import Calendar
    from jitsim.model.disruptions import LaneDisruption
    from jitsim.policies.base import Policy
    from jitsim.scenario.models import Customer as CustomerSpec
    from jitsim.scenario.models import Scenario
    from jitsim.scenario.models import StockPoint as StockPointSpec
    from jitsim.streams import Streams


@dataclass
class Parts:
    """The parts of one replication's model, ready to run."""

    suppliers: dict[str, SupplierNode]
    points: dict[str, StockPoint]
    customers: dict[str, Customer]
    plants: dict[str, Plant]
    disruptions: Disruptions | None
    #: The items' ends of life, None when no item has one.
    end_of_life: EndOfLife | None
    cash_tied_up: CashTiedUp
    #: Customers with daily demand: (customer, the stock point it buys from, units per day).
    daily_demand: list[tuple[Customer, StockPoint, list[float]]]
    #: Customers with individual orders: their arrival times (days) and sizes (units).
    order_streams: dict[Customer, tuple[np.ndarray, np.ndarray]]
    #: Stock points in the order of the daily reviews: downstream first.
    review_order: list[StockPoint]


@dataclass
class Demand:
    """The customers of one replication and their pre-drawn demand."""

    customers: dict[str, Customer]
    daily: list[tuple[Customer, str, list[float]]]
    orders: dict[Customer, tuple[np.ndarray, np.ndarray]]
    #: Units demanded per day by the customers of each stock point (the oracle's future).
    totals: dict[str, np.ndarray]


class Builder:
    """Makes the parts of one replication's model.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario (:func:`jitsim.scenario.resolve.resolve`).
    streams : Streams
        Random streams of the replication.
    calendar : Calendar
        The replication's calendar, which the parts schedule on and log to.
    trajectories : bool
        Keep the end-of-day series of every stock point.
    """

    def __init__(
        self, scenario: Scenario, streams: Streams, calendar: Calendar, trajectories: bool
    ) -> None:
        if scenario.alternatives:  # the one gate of the model: alternatives are resolved
            raise ValueError(
                "a model is built from a resolved scenario: call "
                "jitsim.resolve(scenario, alternative) first (the scenario has "
                f"alternatives {', '.join(scenario.alternatives)})"
            )
        self.scenario = scenario
        self.streams = streams
        self.calendar = calendar
        self.trajectories = trajectories
        #: The cash ledger, on the calendar where every part finds it (None: not kept).
        calendar.ledger = ledger_for(scenario, calendar, trajectories)
        run = scenario.run
        self.horizon = run.horizon_days
        self.days_per_year = run.days_per_year
        #: Mean and variance of the daily demand at every stock point, for the policies.
        self.planning_demand = scenario.derived(
            "planning_demand", lambda: planning_demand(scenario)
        )
        self.disruptions = (
            Disruptions(scenario, streams, run.horizon_days, run.warmup_days)
            if scenario.disruptions
            else None
        )
        self.end_of_life = (
            EndOfLife(scenario, streams, run.horizon_days)
            if any(item.end_of_life is not None for item in scenario.items.values())
            else None
        )
        #: Shelf lives of each perishable item, shared by its stock points.
        self.shelf_lives: dict[str, BlockSampler] = {}

    def parts(self) -> Parts:
        """Every part, made complete in the order of the module notes."""
        scenario = self.scenario
        suppliers = self.suppliers()
        demand = self.demand()
        points: dict[str, StockPoint] = {}
        plants: dict[str, Plant] = {}
        cash_tied_up = CashTiedUp(points, plants)  # filled as they are made: they report to it
        for name, spec in scenario.stock_points.items():
            points[name] = self.stock_point(name, spec, cash_tied_up, demand.totals.get(name))
        plants.update(self.plants(cash_tied_up, points))
        for name, spec in scenario.stock_points.items():
            self.connect_lanes(points[name], spec, suppliers, points, plants)
        if self.end_of_life is not None:  # first on the calendar: before any receipt of its day
            self.end_of_life.attach(self.calendar, points)
        if self.disruptions is not None:
            self.disruptions.schedule_stock_losses(self.calendar, points)
        depth = {name: review_depth(scenario, name) for name in points}
        return Parts(
            suppliers=suppliers,
            points=points,
            customers=demand.customers,
            plants=plants,
            disruptions=self.disruptions,
            end_of_life=self.end_of_life,
            cash_tied_up=cash_tied_up,
            daily_demand=[(c, points[name], days) for c, name, days in demand.daily],
            order_streams=demand.orders,
            review_order=sorted(points.values(), key=lambda p: -depth[p.name]),
        )

    # -- suppliers and customers ------------------------------------------------------------

    def suppliers(self) -> dict[str, SupplierNode]:
        """Every supplier, with its outages."""
        disruptions = self.disruptions
        return {
            name: SupplierNode(
                name,
                spec.capacity_per_day,
                disruptions.supplier_outage(name, spec.capacity_per_day)
                if disruptions is not None
                else None,
            )
            for name, spec in self.scenario.suppliers.items()
        }

    def demand(self) -> Demand:
        """Every customer and its demand over the horizon, drawn from
        ``customer.NAME.demand`` (and the surges' and the ends of life's streams)."""
        scenario, disruptions, end_of_life = self.scenario, self.disruptions, self.end_of_life
        horizon, days_per_year = self.horizon, self.days_per_year
        customers: dict[str, Customer] = {}
        daily: list[tuple[Customer, str, list[float]]] = []
        orders: dict[Customer, tuple[np.ndarray, np.ndarray]] = {}
        totals: dict[str, np.ndarray] = {}
        for name, spec in scenario.customers.items():
            customer = customers[name] = self.customer(name, spec)
            rng = self.streams(f"customer.{name}.demand")
            if spec.demand is not None:
                draws = self.demand_sampler(name, spec)(rng)
                if disruptions is not None:
                    draws = disruptions.daily_demand(name, draws)
                if end_of_life is not None:
                    draws = end_of_life.daily_demand(name, spec, draws, days_per_year)
                per_day = draws
                daily.append((customer, spec.buys_from, draws.tolist()))
            else:
                times, sizes = draw_orders(spec, rng, float(horizon), days_per_year)
                if disruptions is not None:
                    times, sizes = disruptions.orders(name, times, sizes)
                if end_of_life is not None:
                    times, sizes = end_of_life.orders(name, spec, times, sizes)
                orders[customer] = (times, sizes)
                per_day = np.bincount(times.astype(np.int64), weights=sizes, minlength=horizon)[
                    :horizon
                ].astype(float)
            previous = totals.get(spec.buys_from)
            totals[spec.buys_from] = per_day if previous is None else previous + per_day
        return Demand(customers, daily, orders, totals)

    def demand_factors(self, name: str, spec: CustomerSpec) -> np.ndarray:
        """Season × trend factor of customer ``name``'s mean demand on each day of the horizon
        (the same in every replication: worked out once per scenario, read-only)."""

        def factors() -> np.ndarray:
            days = np.arange(self.horizon, dtype=float)
            values = mean_factors(spec, days, self.days_per_year)
            values.flags.writeable = False
            return values

        return self.scenario.derived(f"demand_factors.{name}", factors)

    def demand_sampler(
        self, name: str, spec: CustomerSpec
    ) -> Callable[[np.random.Generator], np.ndarray]:
        """The daily demand of customer ``name`` over the horizon, as a function of its
        stream: ``spec.demand`` scaled by :meth:`demand_factors` (made once per scenario)."""
        assert spec.demand is not None
        demand = spec.demand
        return self.scenario.derived(
            f"demand_sampler.{name}",
            lambda: demand.scaled_sampler(self.demand_factors(name, spec)),
        )

    def customer(self, name: str, spec: CustomerSpec) -> Customer:
        """Customer ``name``, recording its service during disruptions if there are any."""
        item = self.scenario.items[self.scenario.stock_points[spec.buys_from].item]
        price = spec.price if spec.price is not None else item.price
        customer = (
            Customer(name, spec, price)
            if self.disruptions is None
            else DisruptedCustomer(name, spec, price, watch=self.disruptions.service)
        )
        ledger = self.calendar.ledger
        if ledger is not None:  # its sales are invoiced; late payers draw customer.NAME.payment
            rng = self.streams(f"customer.{name}.payment")
            customer.account = customer_account(ledger, spec.payment_terms, rng)
        return customer

    # -- stock points and plants ------------------------------------------------------------

    def stock_point(
        self,
        name: str,
        spec: StockPointSpec,
        cash_tied_up: CashTiedUp,
        totals: np.ndarray | None,
    ) -> StockPoint:
        """Stock point ``name`` with its policy (its lanes come with :meth:`connect_lanes`)."""
        item = self.scenario.items[spec.item]
        holding = item.annual_holding_rate * item.unit_cost / self.days_per_year
        point = StockPoint(
            self.calendar,
            cash_tied_up,
            name,
            unit_cost=item.unit_cost,
            holding_per_unit_day=holding,
            initial=spec.initial,
            review_period=spec.review.period,
            review_offset=spec.review.offset_days,
            policy=self.policy(name, spec, holding, totals),
            trajectory=self.trajectories,
            shelf=self.shelf(spec) if item.shelf_life is not None else None,
        )
        if spec.capacity is not None:
            point.space = self.space(name, spec)
        return point

    def shelf(self, spec: StockPointSpec) -> Shelf:
        """The shelf of a stock point of a perishable item: its issue rule, the item's shelf
        lives (stream ``item.NAME.shelf_life``) and its customers' minimum remaining lives."""
        scenario = self.scenario
        item = scenario.items[spec.item]
        assert item.shelf_life is not None
        lives = self.shelf_lives.get(spec.item)
        if lives is None:
            lives = self.shelf_lives[spec.item] = BlockSampler(
                item.shelf_life, self.streams(f"item.{spec.item}.shelf_life")
            )
        markdown = item.markdown
        return Shelf(
            spec.issue,
            lives,
            unit_cost=item.unit_cost,
            salvage_value=item.salvage_value,
            from_production=item.shelf_life_from == "production",
            markdown=(markdown.days_before_expiry, markdown.price_factor)
            if markdown is not None
            else None,
            min_left={
                name: customer.min_remaining_days
                for name, customer in scenario.customers.items()
                if customer.min_remaining_days > 0
            },
        )

    def space(self, name: str, spec: StockPointSpec) -> Space:
        """The warehouse space of stock point ``name`` (it has a ``capacity``); refused units
        are delivered again after a lead time of its regular lane drawn from
        ``lane.NAME.redelivery_lead_time``."""
        assert spec.capacity is not None
        volume = self.scenario.items[spec.item].volume if spec.capacity_unit == "m3" else 1.0
        assert volume  # validated: m3 needs the item's positive volume
        refuse = spec.overflow == "refuse"
        redelivery = (
            BlockSampler(
                inbound_lead_time(self.scenario, spec),
                self.streams(f"lane.{name}.redelivery_lead_time"),
            )
            if refuse
            else None
        )
        return Space(
            self.calendar,
            spec.capacity,
            volume,
            refuse=refuse,
            overflow_cost_per_unit_day=spec.overflow_cost_per_unit_day,
            space_cost_per_unit_day=spec.space_cost_per_unit_day,
            redelivery=redelivery,
            stored=spec.initial,
        )

    def policy(
        self, name: str, spec: StockPointSpec, holding: float, totals: np.ndarray | None
    ) -> Policy:
        """The replenishment policy of stock point ``name``, built from its planning figures
        (``holding`` in currency/unit/day, ``totals`` the true demand per day, if known)."""
        context = policy_context(
            self.scenario,
            name,
            spec,
            self.planning_demand,
            holding=holding,
            rng=self.streams,
            future=future_demand(totals) if totals is not None else None,
        )
        return spec.policy.build(context)

    def plants(self, cash_tied_up: CashTiedUp, points: dict[str, StockPoint]) -> dict[str, Plant]:
        """Every plant, drawing its materials from ``points``, with its outages and crises."""
        scenario, disruptions = self.scenario, self.disruptions
        unit_costs = {name: item.unit_cost for name, item in scenario.items.items()}
        return {
            name: Plant(
                self.calendar,
                cash_tied_up,
                name,
                spec,
                {m: points[p] for m, p in material_sources(scenario, name).items()},
                unit_costs,
                self.streams,
                outages=disruptions.plant_outages(name) if disruptions is not None else None,
                crisis=disruptions.plant_crisis(name) if disruptions is not None else None,
            )
            for name, spec in scenario.plants.items()
        }

    # -- lanes ------------------------------------------------------------------------------

    def connect_lanes(
        self,
        point: StockPoint,
        spec: StockPointSpec,
        suppliers: dict[str, SupplierNode],
        points: dict[str, StockPoint],
        plants: dict[str, Plant],
    ) -> None:
        """Make the lanes into ``point`` (regular, backup, expedite) and connect it to them."""
        name, source = point.name, spec.source
        lead = inbound_lead_time(self.scenario, spec)
        order_cost = inbound_order_cost(self.scenario, spec)
        backup = spec.backup
        failover = backup is not None and backup.split == "failover"
        max_delay = backup.failover_after_days if backup is not None and failover else 0.0
        prefix = f"lane.{name}"
        lane: Lane
        if source in suppliers:
            lane = self.supplier_lane(
                point, suppliers[source], lead, order_cost, prefix, "primary", max_delay=max_delay
            )
        else:
            lead_times = BlockSampler(lead, self.streams(f"{prefix}.lead_time"))
            hook = self.lane_disruption(name, "primary", None, None)
            if source in plants:
                lane = PlantLane(
                    self.calendar, point, plants[source], spec.item, lead_times, order_cost, hook
                )
            else:
                lane = Lane(
                    self.calendar,
                    point,
                    None,
                    points[source],
                    lead_times,
                    OrderTerms(order_cost),  # internal transfers are not purchases
                    owned_in_transit=True,
                    max_delay=max_delay,
                    disruption=hook,
                )
        second = None
        if backup is not None:  # dual sourcing: a second lane from the backup supplier
            backup_lane = self.supplier_lane(
                point,
                suppliers[backup.source],
                backup.lead_time,
                backup.order_cost,
                f"{prefix}.backup",
                "backup",
                is_backup=True,
            )
            second = Backup(backup_lane, None if failover else backup.share)
        point.connect(lane, second, self.expedite(point, spec, suppliers))

    def supplier_lane(
        self,
        point: StockPoint,
        node: SupplierNode,
        lead_time: BaseDistribution | None,
        order_cost: float | None,
        prefix: str,
        role: str,
        *,
        is_backup: bool = False,
        max_delay: float = 0.0,
    ) -> Lane:
        """A lane from supplier ``node`` into ``point`` (the ``role`` lane: ``primary``,
        ``backup`` or ``expedite``), inspecting if the supplier has a defect rate or an
        inspection cost.

        ``lead_time`` and ``order_cost`` override the supplier's when given. Random streams
        are ``{prefix}.lead_time``, ``{prefix}.quality`` and ``{prefix}.replacement_lead_time``.
        """
        supplier = self.scenario.suppliers[node.name]
        item = self.scenario.items[self.scenario.stock_points[point.name].item]
        lead = lead_time if lead_time is not None else supplier.lead_time
        terms = (
            self.calendar,
            point,
            node,
            None,
            BlockSampler(lead, self.streams(f"{prefix}.lead_time")),
            OrderTerms(
                order_cost if order_cost is not None else supplier.order_cost,
                supplier.unit_price if supplier.unit_price is not None else item.unit_cost,
                supplier.min_order,
                supplier.lot_multiple,
            ),
        )
        owned = supplier.title_transfer == "shipment"
        lane: Lane
        if not supplier.inspects:
            hook = self.lane_disruption(point.name, role, node, None)
            lane = Lane(
                *terms,
                owned_in_transit=owned,
                is_backup=is_backup,
                max_delay=max_delay,
                disruption=hook,
            )
        else:
            inspection = Inspection(
                supplier.defect_rate,
                supplier.rejects == "replace",
                supplier.inspection_cost_per_unit,
                self.streams(f"{prefix}.quality"),
            )
            lane = InspectingLane(
                *terms,
                owned_in_transit=owned,
                is_backup=is_backup,
                max_delay=max_delay,
                disruption=self.lane_disruption(point.name, role, node, inspection),
                inspection=inspection,
                replacement_lead_times=BlockSampler(
                    lead, self.streams(f"{prefix}.replacement_lead_time")
                ),
            )
        ledger = self.calendar.ledger
        if ledger is not None:  # deliveries are invoiced on arrival, paid on the terms
            lane.bill_to(supplier_account(ledger, supplier.payment_terms))
        return lane

    def lane_disruption(
        self, point: str, role: str, node: SupplierNode | None, inspection: Inspection | None
    ) -> LaneDisruption | None:
        """The disruptions of a lane into stock point ``point`` (None without any)."""
        if self.disruptions is None:
            return None
        return self.disruptions.lane_disruption(point, role, node, inspection)

    def expedite(
        self, point: StockPoint, spec: StockPointSpec, suppliers: dict[str, SupplierNode]
    ) -> Expedite | None:
        """The expediting of ``point`` with its lane (stream prefix ``lane.STORE.expedite``),
        None without ``expedite:``."""
        rule = spec.expedite
        if rule is None:
            return None
        source = rule.source if rule.source is not None else spec.source
        lane = self.supplier_lane(
            point,
            suppliers[source],
            rule.lead_time,
            0.0,  # the expedite's fixed cost is booked as expedite_cost, not ordering_cost
            f"lane.{point.name}.expedite",
            "expedite",
        )
        return Expedite(lane, rule)
