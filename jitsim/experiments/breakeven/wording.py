"""The result of a break-even search in one plain sentence."""

from __future__ import annotations

import math
from collections.abc import Sequence

from jitsim.experiments.breakeven.result import BreakEvenResult
from jitsim.model.kpis import direction


def _digits(values: Sequence[float]) -> int:
    """Significant digits that keep distinct values distinct when printed (3 … 12)."""
    distinct = {v for v in values if math.isfinite(v)}
    for digits in range(3, 13):
        if len({_fmt(v, digits) for v in distinct}) == len(distinct):
            return digits
    return 12


def _fmt(value: float, digits: int) -> str:
    """``value`` with ``digits`` significant digits, without exponent or trailing zeros."""
    if not math.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude != 0 and not 1e-4 <= magnitude < 1e12:
        return f"{value:.{digits}g}".replace("-", "−")
    exponent = math.floor(math.log10(magnitude)) if magnitude else 0
    text = f"{value:.{max(0, digits - 1 - exponent)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def sentence(result: BreakEvenResult) -> str:
    """The outcome of ``result`` in one sentence, its numbers with as many digits as they need."""
    a, b = result.between
    kpi, param = result.kpi, result.param
    sign = direction(kpi)
    digits = _digits([result.low, result.high])
    span = f"{param} = {_fmt(result.low, digits)} … {_fmt(result.high, digits)}"
    first = result.evaluated[0]
    if result.outcome == "identical":
        return f"{a} and {b} give the same {kpi} at both ends of {span}: no break-even"
    if result.outcome == "whole_range":
        if sign == 0:
            side = "above" if first.sign > 0 else "below"
            return f"{kpi} of {a} stays {side} that of {b} over the whole range {span}"
        winner = result.winner
        loser = b if winner == a else a
        return f"{winner} beats {loser} on {kpi} over the whole range {span}"
    if result.outcome == "no_crossing":
        weak = next(e for e in result.evaluated[:2] if e.side != e.sign)
        d = _digits([weak.ci95_low, weak.ci95_high])
        return (
            f"no break-even of {a} vs {b} on {kpi} in {span}: {a} − {b} has the same sign at "
            f"both ends, but at {param} = {_fmt(weak.x, digits)} the difference is not "
            f"significant (95 % CI {_fmt(weak.ci95_low, d)} to {_fmt(weak.ci95_high, d)})"
        )
    assert result.uncertainty is not None
    lo, hi = result.uncertainty
    d = _digits([lo, hi, result.estimate])
    where = (
        f"at {param} ≈ {_fmt(result.estimate, d)} ({_fmt(lo, d)} to {_fmt(hi, d)})"
        if lo != hi
        else f"at {param} = {_fmt(result.estimate, d)}"
    )
    low_sign, high_sign = first.sign, result.evaluated[1].sign
    if sign == 0:
        symbol = {1: "+", -1: "−", 0: "0"}
        return f"{kpi} of {a} − {b} changes from {symbol[low_sign]} to {symbol[high_sign]} {where}"
    # Worded from A's side when A wins on one side; a tie (f = 0 exactly) is said aloud.
    better = {1: a, -1: b, 0: None}
    before, after = better[sign * low_sign], better[sign * high_sign]
    if before == a:
        tail = "; beyond it they are equal" if after is None else ""
        return f"{a} stops beating {b} on {kpi} {where}{tail}"
    if after == a:
        tail = "; below it they are equal" if before is None else ""
        return f"{a} starts beating {b} on {kpi} {where}{tail}"
    if before == b:
        return f"{b} stops beating {a} on {kpi} {where}; beyond it they are equal"
    return f"{b} starts beating {a} on {kpi} {where}; below it they are equal"
