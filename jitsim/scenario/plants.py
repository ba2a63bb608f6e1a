"""Scenario models of factories: products with a bill of materials, lines, quality, rework."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from jitsim.distributions import Constant, Distribution
from jitsim.scenario.base import Strict
from jitsim.units import Fraction, Name, NonNegative, NonNegativeInt, Positive, PositiveInt


class Rework(Strict):
    """What happens to units found defective at the end of the line.

    Each defective unit gets up to ``max_attempts`` rework attempts; each succeeds with
    probability ``success``. A unit still defective after the last attempt is scrapped. In the
    long run a fraction :math:`p(1-q)^m` of the units started is scrapped, with defect
    probability :math:`p`, success probability :math:`q` and :math:`m` attempts.

    Parameters
    ----------
    time : distribution
        Duration of one rework attempt (days).
    success : float
        Probability :math:`q` that an attempt repairs the unit (fraction).
    max_attempts : int
        Attempts :math:`m` before the unit is scrapped (0: scrap at once).
    station : {"line", "separate"}
        Rework on the production line that made the unit (the line waits), or on a separate
        rework station (the line goes on).
    stations : int
        Parallel rework stations when ``station: separate``.
    cost_per_attempt : float
        Labour and handling cost of one attempt (currency).
    """

    time: Distribution = Constant(value=0)
    success: Fraction = 1.0
    max_attempts: NonNegativeInt = 1
    station: Literal["line", "separate"] = "line"
    stations: PositiveInt = 1
    cost_per_attempt: NonNegative = 0.0


class Product(Strict):
    """How a plant makes one finished item.

    Parameters
    ----------
    bom : mapping of item to float
        Bill of materials: units of each material item per finished unit.
    processing_time : distribution
        Processing time (days) per unit (``per: unit``) or per batch (``per: batch``).
    per : {"unit", "batch"}
        Whether ``processing_time`` is per unit or per batch.
    setup_time : distribution
        Setup time before each batch (days).
    batch_size : int
        Units per batch; a production order is cut into batches of this size (the last may be
        smaller). A batch starts only when the materials for all its units are on hand.
    defect_rate : distribution
        Probability :math:`p` that a unit is defective, drawn once per batch (a plain number is
        fixed; draws above 1 count as 1).
    """

    bom: Annotated[dict[Name, Positive], Field(min_length=1)]
    processing_time: Distribution
    per: Literal["unit", "batch"] = "unit"
    setup_time: Distribution = Constant(value=0)
    batch_size: PositiveInt = 1
    defect_rate: Distribution = Constant(value=0)


class Plant(Strict):
    """A factory: parallel lines turning materials into finished items.

    Finished goods go to the stock points whose ``source`` is the plant: under a
    make-to-stock policy ((s,S), base-stock, EOQ) their orders are production orders; with a
    pull policy (``base_stock`` with ``S: 0`` under continuous review, or ``kanban``) every
    customer order or emptied container triggers production of exactly what was pulled.

    Parameters
    ----------
    products : mapping of item to Product
        The finished items made here and how.
    lines : int
        Parallel production lines (capacity); batches are served first come, first served.
    materials_from : mapping of item to stock point
        The stock point each material is drawn from; by default the one stock point holding
        that item.
    rework : Rework, optional
        Rework of defective units; without it defective units are scrapped at once.
    scrap_cost_per_unit : float
        Disposal cost per scrapped unit (currency), on top of its material value.
    inspection_cost_per_unit : float
        Cost of inspecting one finished unit (currency).
    """

    products: Annotated[dict[Name, Product], Field(min_length=1)]
    lines: PositiveInt = 1
    materials_from: dict[Name, Name] = Field(default_factory=dict)
    rework: Rework | None = None
    scrap_cost_per_unit: NonNegative = 0.0
    inspection_cost_per_unit: NonNegative = 0.0
