"""Numbers for people: KPI units, rounded estimates and the headline table.

The helpers return strings, so the command line and notebooks print the same thing and tests
can check it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from jitsim.model.kpis import HEADLINE_KPIS, WASTE_SPACE_COSTS

if TYPE_CHECKING:
    from jitsim.execution.batch_results import RunResult

__all__ = [
    "ROUNDING_NOISE",
    "format_estimate",
    "format_general",
    "format_number",
    "headline_rows",
    "kpi_unit",
    "snap_zero",
    "tts_flag",
    "waste_extra_columns",
    "waste_extra_note",
]

_RATE_SUFFIXES = ("fill_rate", "service_level", "ready_rate", "waste_share")
_MONEY_NAMES = (
    "profit",
    "revenue",
    "avg_receivables",
    "avg_payables",
    "early_payment_discounts",
)
#: Units of the waste, space and cash KPIs (docs/waste-space-cash.md) whose names the rules
#: below would label wrongly or not at all (``cash_to_cash_days`` is days, not money; a share is
#: shown in %). ``currency`` stands for the scenario's money unit.
_NAMED_UNITS: dict[str, tuple[str, float]] = {
    "waste_share": ("%", 100.0),
    "space_utilisation": ("%", 100.0),
    "units_expired": ("units", 1.0),
    "units_written_off": ("units", 1.0),
    "units_marked_down": ("units", 1.0),
    "obsolescence_write_off": ("currency", 1.0),
    "markdown_revenue_lost": ("currency", 1.0),
    "peak_working_capital": ("currency", 1.0),
    "avg_age_at_sale": ("days", 1.0),
    "dio": ("days", 1.0),
    "dso": ("days", 1.0),
    "dpo": ("days", 1.0),
    "cash_to_cash_days": ("days", 1.0),
    "overflow_units": ("unit-days", 1.0),
    "refused_deliveries": ("deliveries", 1.0),
}


def kpi_unit(kpi: str, currency: str) -> tuple[str, float]:
    """Unit label and display scale of a KPI: ``("EUR", 1)``, ``("%", 100)``, ``("units", 1)``."""
    base = kpi.rsplit(".", 1)[-1]
    named = _NAMED_UNITS.get(base)
    if named is not None:
        unit, scale = named
        return (currency if unit == "currency" else unit), scale
    if base.endswith(_RATE_SUFFIXES):
        return "%", 100.0
    if base.endswith(("_cost", "_value")) or base in _MONEY_NAMES or "cash" in base:
        return currency, 1.0
    if base.endswith("_days") or base in ("window_days", "avg_age_at_sale"):
        return "days", 1.0
    if base.startswith("orders_"):
        return "orders", 1.0
    if base.endswith("_units") or base.startswith("avg_"):
        return "units", 1.0
    return "", 1.0


def _decimals(mean: float, half_width: float) -> int:
    """Show the half-width with two significant digits (0–3 decimals)."""
    if math.isfinite(half_width) and half_width > 0:
        return min(3, max(0, 1 - math.floor(math.log10(half_width))))
    magnitude = abs(mean)
    if magnitude >= 100 or float(mean).is_integer():
        return 0
    return 2 if magnitude >= 1 else 3


#: Relative size under which a number computed from others is rounding noise around 0: sums of
#: thousands of terms, each rounded to a few ulps (1 ulp ≈ 2.2e-16 relative), stay far below it.
ROUNDING_NOISE = 1e-12


def snap_zero(value: float, reference: float) -> float:
    """``0.0`` for a *value* that is rounding noise around 0 (a difference of two equal means
    printed as ``1.07e-10``); *value* itself otherwise.

    Parameters
    ----------
    value : float
        A number computed from others (a difference, a CI bound), in any unit.
    reference : float
        The magnitude of the numbers it was computed from (the two means), same unit; 0 leaves
        every value as it is.
    """
    if math.isfinite(value) and abs(value) <= ROUNDING_NOISE * abs(reference):
        return 0.0
    return value


def format_number(value: float, digits: int) -> str:
    """``f"{value:,.{digits}f}"`` without a minus sign on a number that rounds to 0 (``-0``)."""
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def format_general(value: float, reference: float = 0.0) -> str:
    """``f"{value:.4g}"`` of a number computed from others, 0 when it is rounding noise relative
    to *reference* (see :func:`snap_zero`), never ``-0``."""
    value = snap_zero(value, reference)
    return f"{value + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def format_estimate(
    mean: float, half_width: float = math.nan, scale: float = 1.0, reference: float = 0.0
) -> str:
    """``"12,345 ± 310"``: a mean with its 95 % CI half-width, sensibly rounded.

    NaN means print as ``n/a``; without a finite half-width (one replication) only the mean is
    shown. For a difference, *reference* is the magnitude of the means it was computed from
    (before *scale*): a difference or half-width within rounding noise of 0 relative to it is
    shown as 0 (see :func:`snap_zero`).
    """
    if not math.isfinite(mean):
        return "n/a"
    mean = snap_zero(mean, reference) * scale
    half_width = snap_zero(half_width, reference) * scale
    digits = _decimals(mean, half_width)
    text = format_number(mean, digits)
    if math.isfinite(half_width):
        text += f" ± {format_number(half_width, digits)}"
    return text


def headline_rows(
    result: RunResult, kpis: Sequence[str] | None = None
) -> list[tuple[str, str, list[str]]]:
    """Rows ``(kpi, unit, [cell per alternative])`` of the headline table.

    Cells are ``mean ± half_width`` of the 95 % confidence interval. By default the KPIs are
    :data:`jitsim.model.kpis.HEADLINE_KPIS` plus ``demand_units``, those present in the result.
    """
    columns = result.columns()  # not the records: they may be on disk
    wanted = list(kpis) if kpis is not None else [*HEADLINE_KPIS, "demand_units"]
    present = [k for k in wanted if k in columns]
    if not present:
        return []
    stats = {
        (row["alternative"], row["kpi"]): row for row in result.summary(present).to_dict("records")
    }
    currency = result.scenario.run.currency
    rows = []
    for kpi in present:
        unit, scale = kpi_unit(kpi, currency)
        cells = []
        for alternative in result.alternatives:
            row = stats.get((alternative, kpi), {})
            mean, half_width = row.get("mean", math.nan), row.get("half_width", math.nan)
            cells.append(format_estimate(float(mean), float(half_width), scale))
        rows.append((kpi, unit, cells))
    return rows


#: Short names of the waste and space costs, for column headings.
WASTE_LABELS = {
    "expiry_cost": "expiry",
    "obsolescence_write_off": "write-off",
    "space_cost": "space",
    "overflow_cost": "overflow",
}


def waste_extra_columns(columns: Iterable[str]) -> list[tuple[str, str]]:
    """``(column, heading)`` of the ``extra_KPI`` columns of a stress table that has them: the
    extra cost of waste and space a failure causes (``("extra_obsolescence_write_off",
    "extra write-off")``), in the order of
    :data:`~jitsim.model.kpis.WASTE_SPACE_COSTS`; none for results without those KPIs."""
    present = set(columns)
    return [
        (f"extra_{kpi}", f"extra {WASTE_LABELS[kpi]}")
        for kpi in WASTE_SPACE_COSTS
        if f"extra_{kpi}" in present
    ]


def waste_extra_note(columns: Iterable[str]) -> str:
    """The sentence that says what a stress table's ``extra_KPI`` columns are ("" without)."""
    headings = [heading for _, heading in waste_extra_columns(columns)]
    if not headings:
        return ""
    return (
        f"{', '.join(headings).capitalize()}: the part of the extra total cost that is stock "
        "thrown away or space paid for (disrupted − baseline, mean per failure)."
    )


def tts_flag(tts_days: float, censored: bool, duration: float) -> str:
    """Whether a stock point runs dry before a knocked-out node is back (TTS < TTR): ``YES``,
    ``no``, ``?`` (a censored TTS below the TTR: it may or may not be shorter) or ``—`` (no TTS)."""
    if math.isnan(tts_days):
        return "—"
    if tts_days >= duration:
        return "no"
    return "?" if censored else "YES"
