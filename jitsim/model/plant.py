"""The plant: production orders, batches, lines, material allocation, defects and rework.

A production order (from a finished-goods stock point's policy, over a :class:`PlantLane`) is
cut into batches and queued first come, first served. A free line takes the next batch
(*release*), asks the material stock points for the batch's bill of materials — a request
like any other demand there, backordered when short — and waits until every material is on
hand (the wait is *material shortage* time). It then sets up, processes, and inspects every
unit: a unit is defective with the batch's defect probability; a defective unit is reworked
(on the line, or on a separate station) until an attempt succeeds or the attempts run out and
it is scrapped. Good units travel to the finished-goods stock point; every scrapped unit is
replaced by a new batch of one, so an order always ends with the good units it asked for.

Random numbers are drawn by entity index from the plant's own streams (the k-th batch's
times, the j-th unit's defect draw, the i-th attempt's outcome), so alternatives that release
the same batches see the same quality.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from jitsim.model.lane import Lane, OrderTerms
from jitsim.streams import BlockDraws, BlockSampler, Streams

if TYPE_CHECKING:
    from jitsim.model.calendar import Calendar
    from jitsim.model.cash import CashTiedUp
    from jitsim.model.disruptions import LaneDisruption, QualityFactor, Timeline
    from jitsim.model.shelf import Batch as ShelfBatch
    from jitsim.model.stock_point import StockPoint
    from jitsim.scenario.plants import Plant as PlantSpec
    from jitsim.scenario.plants import Product


@dataclass
class ProductLine:
    """Runtime data of one product: its spec, samplers and material value per unit."""

    item: str
    spec: Product
    processing: BlockSampler
    setup: BlockSampler
    defect_rate: BlockSampler
    material_value: float  # currency per finished unit (BOM at material unit costs)


@dataclass
class Batch:
    """Units of one product released together."""

    product: ProductLine
    units: int
    lane: PlantLane
    released: float = 0.0
    missing: int = 0
    ready: simpy.Event | None = None


class MaterialIntake:
    """Where a material stock point sends the units a batch asked for (no transit time).

    A :class:`~jitsim.model.stock_point.Receiver`: the stock point fills it from stock or
    backorders the rest, and ships later units here when they come in.
    """

    __slots__ = ("batch", "material", "needed", "owner", "plant")

    def __init__(self, plant: Plant, batch: Batch, material: str, needed: float) -> None:
        self.plant = plant
        self.owner = plant  # the receiving node, named in trace notes
        self.batch = batch
        self.material = material
        self.needed = needed

    def ship(self, quantity: float, now: float, batches: list[ShelfBatch] | None = None) -> None:
        """Materials reach the plant: they are now work in process (a perishable material's
        ``batches`` are consumed with them)."""
        self.plant.add_material(quantity, self, now)


class PlantLane(Lane):
    """The lane from a plant to a finished-goods stock point: orders are production orders.

    Parameters
    ----------
    calendar : Calendar
        Receipt scheduling.
    owner : StockPoint
        The finished-goods stock point.
    plant : Plant
        The plant that makes the item.
    item : str
        The finished item.
    lead_times : BlockSampler
        Transit time from the plant (days).
    order_cost : float
        Fixed cost per production order (currency).
    disruption : LaneDisruption or None
        Closures and lead-time shocks on this lane.
    """

    __slots__ = ("owner_item", "plant")

    def __init__(
        self,
        calendar: Calendar,
        owner: StockPoint,
        plant: Plant,
        item: str,
        lead_times: BlockSampler,
        order_cost: float,
        disruption: LaneDisruption | None = None,
    ) -> None:
        super().__init__(
            calendar,
            owner,
            None,
            None,
            lead_times,
            # made, not bought (materials are purchased upstream), in whole units
            OrderTerms(order_cost, lot_multiple=1.0),
            owned_in_transit=True,
            disruption=disruption,
        )
        self.plant = plant
        self.owner_item = item
        self.source_name = plant.name

    def send(self, quantity: float, now: float) -> None:
        """A production order of ``quantity`` units."""
        self.plant.order(quantity, self, now)

    def ship(self, quantity: float, now: float, batches: list[ShelfBatch] | None = None) -> None:
        """Finished units leave for the stock point; with ``shelf_life_from: production``
        their shelf life starts now, when they are finished."""
        shelf = self.owner.shelf
        if batches is None and shelf is not None and shelf.from_production:
            batches = shelf.stamp(quantity, now)
        super().ship(quantity, now, batches)


class Plant:
    """A factory with parallel lines.

    Parameters
    ----------
    calendar : Calendar
        Clock and event log.
    cash_tied_up : CashTiedUp
        The network's cash tied up, told when materials arrive.
    name : str
        Node name (prefix of its KPIs).
    spec : jitsim.scenario.plants.Plant
        Validated plant specification.
    materials : dict
        Material item → the stock point it is drawn from.
    unit_costs : dict
        Item → unit cost (currency), to value materials and work in process.
    streams : Streams
        Random streams of the replication.
    outages : Timeline or None
        When the plant is down (its lines stand still).
    crisis : QualityFactor or None
        Quality crises: a multiplier on the defect rate while they last.
    """

    def __init__(
        self,
        calendar: Calendar,
        cash_tied_up: CashTiedUp,
        name: str,
        spec: PlantSpec,
        materials: dict[str, StockPoint],
        unit_costs: dict[str, float],
        streams: Streams,
        *,
        outages: Timeline | None = None,
        crisis: QualityFactor | None = None,
    ) -> None:
        self.calendar = calendar
        self.cash_tied_up = cash_tied_up
        self.env = calendar.env
        self.name = name
        self.spec = spec
        self.materials = materials
        #: Unit cost of each material (currency/unit), to value work in process.
        self.material_cost = unit_costs
        self.products = {
            item: ProductLine(
                item,
                product,
                BlockSampler(product.processing_time, streams(f"plant.{name}.{item}.processing")),
                BlockSampler(product.setup_time, streams(f"plant.{name}.{item}.setup")),
                BlockSampler(product.defect_rate, streams(f"plant.{name}.{item}.defect_rate")),
                sum(qty * unit_costs[material] for material, qty in product.bom.items()),
            )
            for item, product in spec.products.items()
        }
        self.defects = BlockDraws(streams(f"plant.{name}.defects").random, 256)
        self.rework_outcomes = BlockDraws(streams(f"plant.{name}.rework").random, 256)
        rework = spec.rework
        self.rework_time = (
            BlockSampler(rework.time, streams(f"plant.{name}.rework_time")) if rework else None
        )
        self.rework_station = (
            simpy.Resource(self.env, rework.stations)
            if rework is not None and rework.station == "separate"
            else None
        )
        #: Batches waiting for a free line, first come first served.
        self.waiting: deque[Batch] = deque()
        self.idle_lines = spec.lines
        self.last_time = 0.0
        self.wip_units = 0.0
        self.wip_value = 0.0
        self.outages = outages
        self.crisis = crisis
        self.reset_statistics(0.0)

    # -- statistics -------------------------------------------------------------------------

    def reset_statistics(self, now: float) -> None:
        """Forget everything measured so far (end of warm-up)."""
        self.advance(now)
        self.window_start = now
        self.area_wip_units = self.area_wip_value = 0.0
        self.busy_time = self.shortage_time = 0.0
        self.orders = 0
        self.units_ordered = 0.0
        self.units_started = self.units_produced = self.units_scrapped = 0
        self.units_inspected = self.units_defective = self.units_reworked = 0
        self.rework_attempts = 0
        self.units_finished = 0
        self.lead_time_total = 0.0
        self.scrapped_value = 0.0
        self.materials_received = 0.0

    def advance(self, now: float) -> None:
        """Integrate work in process up to ``now``."""
        elapsed = now - self.last_time
        if elapsed > 0.0:
            self.area_wip_units += self.wip_units * elapsed
            self.area_wip_value += self.wip_value * elapsed
            self.last_time = now

    def cash(self) -> float:
        """Work in process at material cost (currency)."""
        return self.wip_value

    # -- orders and materials ---------------------------------------------------------------

    def order(self, quantity: float, lane: PlantLane, now: float) -> None:
        """A production order of ``quantity`` good units for ``lane``'s stock point."""
        product = self.products[lane.owner_item]
        units = round(quantity)
        self.orders += 1
        self.units_ordered += units
        trace = self.calendar.trace
        if trace is not None:
            trace.append((now, self.name, "production order", float(units), 0.0, lane.owner.name))
        size = product.spec.batch_size
        while units > 0:
            batch = min(size, units)
            self.waiting.append(Batch(product, batch, lane))
            units -= batch
        self._dispatch(now)

    def _dispatch(self, now: float) -> None:
        """Release waiting batches to free lines.

        Release happens at once, inside the event that freed the line or brought the order, so
        the material requests reach the stock points before their own reviews of the day.
        """
        while self.idle_lines > 0 and self.waiting:
            self.idle_lines -= 1
            batch = self.waiting.popleft()
            self._release(batch, now)
            self.env.process(self.make(batch))

    def add_material(self, quantity: float, intake: MaterialIntake, now: float) -> None:
        """Materials for a waiting batch arrive from a stock point."""
        self.advance(now)
        self.materials_received += quantity
        material = intake.material
        self.wip_value += quantity * self.material_cost[material]
        intake.needed -= quantity
        batch = intake.batch
        if intake.needed <= 1e-9:
            batch.missing -= 1
            if batch.missing == 0 and batch.ready is not None and not batch.ready.triggered:
                batch.ready.succeed()
        self.cash_tied_up.note()

    # -- the line ---------------------------------------------------------------------------

    def make(self, batch: Batch) -> Generator[simpy.Event, Any, None]:
        """One batch on one line: wait for materials, make, inspect, rework, free the line."""
        env = self.env
        if batch.missing > 0:
            waited_from = env.now
            assert batch.ready is not None
            yield batch.ready
            self.shortage_time += env.now - waited_from
        started = env.now
        product = batch.product
        per_unit = product.spec.per == "unit"
        duration = product.setup.next() + product.processing.next() * (
            batch.units if per_unit else 1
        )
        self.units_started += batch.units
        if self.outages is not None:  # the line stands still while the plant is down
            duration = self.outages.finish(started, duration) - started
        if duration > 0:
            yield env.timeout(duration)
        good, defective = self._inspect(batch)
        self._finish(batch, good, env.now)
        for _ in range(defective):
            if self.rework_station is None:
                yield from self._rework(batch)
            else:
                env.process(self._rework_at_station(batch))
        self.busy_time += env.now - started
        self.idle_lines += 1
        self._dispatch(env.now)

    def _release(self, batch: Batch, now: float) -> None:
        """A line takes the batch: it becomes work in process and asks for its materials."""
        batch.released = now
        self.advance(now)
        self.wip_units += batch.units
        bom = batch.product.spec.bom
        batch.missing = len(bom)
        batch.ready = self.env.event()
        for material, per_unit in bom.items():
            intake = MaterialIntake(self, batch, material, per_unit * batch.units)
            self.materials[material].request(intake.needed, intake, now)

    def _inspect(self, batch: Batch) -> tuple[int, int]:
        """Good and defective units of a finished batch."""
        rate = min(max(batch.product.defect_rate.next(), 0.0), 1.0)
        if self.crisis is not None:
            rate = min(rate * self.crisis.factor(self.env.now), 1.0)
        defective = 0
        for _ in range(batch.units):
            if self.defects.next() < rate:
                defective += 1
        self.units_inspected += batch.units
        self.units_defective += defective
        return batch.units - defective, defective

    def _rework(self, batch: Batch) -> Generator[simpy.Event, Any, None]:
        """Rework one defective unit until it is good or scrapped."""
        rework = self.spec.rework
        attempts = rework.max_attempts if rework is not None else 0
        for _ in range(attempts):
            assert self.rework_time is not None and rework is not None
            duration = self.rework_time.next()
            if self.outages is not None:
                duration = self.outages.finish(self.env.now, duration) - self.env.now
            if duration > 0:
                yield self.env.timeout(duration)
            self.rework_attempts += 1
            if self.rework_outcomes.next() < rework.success:
                self.units_reworked += 1
                self._finish(batch, 1, self.env.now, reworked=True)
                return
        self._scrap(batch, self.env.now)

    def _rework_at_station(self, batch: Batch) -> Generator[simpy.Event, Any, None]:
        assert self.rework_station is not None
        with self.rework_station.request() as turn:
            yield turn
            yield from self._rework(batch)

    def _finish(self, batch: Batch, good: int, now: float, reworked: bool = False) -> None:
        """``good`` units leave the plant for the finished-goods stock point."""
        if good <= 0:
            return
        self._leave(batch, good, now)
        self.units_produced += good
        batch.lane.ship(float(good), now)
        trace = self.calendar.trace
        if trace is not None:
            what = "reworked" if reworked else "produced"
            trace.append((now, self.name, what, float(good), 0.0, batch.lane.owner.name))

    def _scrap(self, batch: Batch, now: float) -> None:
        """A unit is scrapped and replaced by a new batch of one."""
        self._leave(batch, 1, now)
        self.units_scrapped += 1
        self.scrapped_value += batch.product.material_value
        self.waiting.append(Batch(batch.product, 1, batch.lane))
        self._dispatch(now)
        trace = self.calendar.trace
        if trace is not None:
            trace.append((now, self.name, "scrapped", 1.0, 0.0, batch.lane.owner.name))

    def _leave(self, batch: Batch, units: int, now: float) -> None:
        self.advance(now)
        self.wip_units -= units
        self.wip_value -= units * batch.product.material_value
        if abs(self.wip_value) < 1e-9:
            self.wip_value = 0.0
        self.units_finished += units
        self.lead_time_total += units * (now - batch.released)

    # -- KPIs -------------------------------------------------------------------------------

    def kpis(self, now: float) -> dict[str, float]:
        """The plant's KPIs over the window ending at ``now`` (unprefixed names).

        ``first_pass_yield`` = units good at first inspection / units inspected;
        ``production_lead_time`` = mean days from release (a line takes the batch and asks for
        its materials) to leaving the plant, over units that left (good or scrapped);
        ``throughput_per_day`` counts those units per day, so Little's law reads
        ``avg_wip_units ≈ throughput_per_day × production_lead_time``. ``scrap_cost`` is the
        disposal cost plus the material value of scrapped units (``scrapped_material_value``);
        ``quality_cost`` = rework + scrap + inspection costs.
        """
        self.advance(now)
        window = now - self.window_start
        rework = self.spec.rework
        rework_cost = self.rework_attempts * (rework.cost_per_attempt if rework else 0.0)
        scrap_cost = self.units_scrapped * self.spec.scrap_cost_per_unit + self.scrapped_value
        inspection_cost = self.units_inspected * self.spec.inspection_cost_per_unit
        inspected = self.units_inspected
        nan = float("nan")
        return {
            "production_orders": float(self.orders),
            "units_started": float(self.units_started),
            "units_produced": float(self.units_produced),
            "units_defective": float(self.units_defective),
            "rework_attempts": float(self.rework_attempts),
            "units_reworked": float(self.units_reworked),
            "units_scrapped": float(self.units_scrapped),
            "first_pass_yield": (inspected - self.units_defective) / inspected
            if inspected
            else nan,
            "avg_wip_units": self.area_wip_units / window,
            "avg_wip_value": self.area_wip_value / window,
            "production_lead_time": self.lead_time_total / self.units_finished
            if self.units_finished
            else nan,
            "throughput_per_day": self.units_finished / window,
            "line_utilization": self.busy_time / (self.spec.lines * window),
            "material_shortage_hours": 24.0 * self.shortage_time,
            "rework_cost": rework_cost,
            "scrap_cost": scrap_cost,
            "scrapped_material_value": self.scrapped_value,
            "inspection_cost": inspection_cost,
            "quality_cost": rework_cost + scrap_cost + inspection_cost,
        }
