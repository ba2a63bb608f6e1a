"""Cash tied up in the whole network, and its peak."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jitsim.model.plant import Plant
    from jitsim.model.stock_point import StockPoint


class CashTiedUp:
    """The peak over time of the cash tied up in the network: the stock at every stock point
    (on hand and owned in transit) plus the work in process of every plant, at unit cost.

    Stock points and plants call :meth:`note` after every change that can raise their cash.

    Parameters
    ----------
    points, plants : dict
        The network's stock points and plants by name. Both report here and are summed here,
        so the builder makes this first and fills the two dicts as it makes them.
    """

    __slots__ = ("peak", "plants", "points")

    def __init__(self, points: dict[str, StockPoint], plants: dict[str, Plant]) -> None:
        self.points = points
        self.plants = plants
        self.peak = 0.0

    def note(self, at_point: float | None = None) -> None:
        """Raise the peak to the cash tied up now if that is higher (currency).

        ``at_point``: the cash tied up now at the stock point that changed, if it is one (its
        :meth:`~jitsim.model.stock_point.StockPoint.cash`); with one stock point and no
        plants, that is the network's, and nothing needs adding up (this runs on every
        receipt)."""
        points = self.points
        if len(points) == 1:  # one stock point: sum() of one value is 0 + value (same peak)
            if at_point is not None and not self.plants:
                if at_point > self.peak:
                    self.peak = at_point
                return
            for point in points.values():
                cash = point.cash()
        else:
            cash = sum(point.cash() for point in points.values())
        if self.plants:  # called on every receipt: no empty sum without plants (adds 0)
            cash += sum(plant.cash() for plant in self.plants.values())
        if cash > self.peak:
            self.peak = cash

    def value(self) -> float:
        """The cash tied up now (currency): the inventory value of the cash ledger's working
        capital."""
        cash = sum(point.cash() for point in self.points.values())
        return cash + sum(plant.cash() for plant in self.plants.values())

    def reset(self) -> None:
        """Forget the peak so far (end of warm-up): the peak is the cash tied up now."""
        self.peak = 0.0
        self.note()
