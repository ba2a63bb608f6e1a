"""The report's stress tables: weak links, time-to-survive and what each alternative buys
against each failure (``stress.csv``, ``tts.csv``, ``mitigations.csv``), labelled as
``jitsim stress`` prints them."""

from __future__ import annotations

import math
from typing import Any

from jitsim.output.report.html import esc, notes, paragraph, table
from jitsim.output.results_reader import Results
from jitsim.output.tables import format_number, tts_flag, waste_extra_columns, waste_extra_note

__all__ = ["stress_html"]


def _rate(per_year: float) -> str:
    """A number of failures a year, without scientific notation: 290, 3.4, 0.012."""
    return f"{per_year:,.0f}" if per_year >= 100 else f"{per_year:.2g}"


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1")


def stress_html(results: Results) -> str:
    """Every stress table the directory holds, with the definitions of its columns."""
    currency = results.currency
    parts = [paragraph(_plan(results), "lead")]
    weak = results.table("stress")
    if weak is not None and not weak.empty:
        waste = waste_extra_columns(weak.columns)  # none without waste or space costs
        rows: list[tuple[str, ...]] = []
        for row in weak.to_dict("records"):
            recovery = float(row["recovery_days"])
            recovery_text = "—" if math.isnan(recovery) else f"{recovery:g}"
            if _bool(row["recovery_censored"]):
                recovery_text = f">= {recovery_text}"
            rows.append(
                (
                    str(row["rank"]),
                    str(row["node"]),
                    f"{float(row['duration_days']):g}",
                    str(row["alternative"]),
                    format_number(float(row["lost_units"]), 1),
                    format_number(float(row["impact"]), 0),
                    *(format_number(float(row[column]), 0) for column, _ in waste),
                    f"{float(row['risk_exposure_index']):.2f}",
                    f"{float(row['p_stockout']):.0%}",
                    format_number(float(row["lost_margin_cvar95"]), 0),
                    f"{float(row['service_drop_share']):.0%}",
                    recovery_text,
                    tts_flag(
                        float(row["tts_days"]),
                        _bool(row["tts_censored"]),
                        float(row["duration_days"]),
                    ),
                )
            )
        parts.append(
            table(
                [
                    "#",
                    "node",
                    "TTR (days)",
                    "alternative",
                    "lost units",
                    f"impact ({currency})",
                    *(f"{heading} ({currency})" for _, heading in waste),
                    "risk index",
                    "P(stock-out)",
                    f"CVaR95 lost margin ({currency})",
                    "P(service drop)",
                    "recovery (days)",
                    "TTS < TTR",
                ],
                rows,
                keys=4,
                caption="Weak links, ranked by risk exposure",
            )
        )
    tts = results.table("tts")
    if tts is not None and not tts.empty:
        durations = [int(d) for d in results.summary.get("durations_days") or []]
        rows = []
        for row in tts.to_dict("records"):
            value = f"{float(row['tts_days']):g}"
            if _bool(row["tts_censored"]):
                value = f">= {value}"
            minimum = float(row["tts_min_days"])
            flags = [
                "—"
                if row["node_kind"] == "event"
                else tts_flag(float(row["tts_days"]), _bool(row["tts_censored"]), d)
                for d in durations
            ]
            rows.append(
                (
                    str(row["node"]),
                    str(row["node_kind"]),
                    str(row["alternative"]),
                    value,
                    "—" if math.isnan(minimum) else f"{minimum:g}",
                    f"{float(row['censored_share']):.0%}",
                    f"{float(row['baseline_short_first_share']):.0%}",
                    *flags,
                )
            )
        start = results.summary.get("start_day")
        parts.append(
            table(
                [
                    "node",
                    "kind",
                    "alternative",
                    "TTS (days)",
                    "min (days)",
                    "censored",
                    "short anyway",
                    *(f"TTS < TTR = {d} days" for d in durations),
                ],
                rows,
                keys=3,
                caption=f"Time-to-survive from day {start} (node down to the horizon)",
            )
        )
    parts.append(_mitigations(results))
    parts.append(_definitions(results))
    return "".join(parts)


def _plan(results: Results) -> str:
    """What was knocked out, for how long and from when, in one paragraph."""
    summary = results.summary
    nodes = summary.get("nodes") or {}
    durations = [f"{d:g}" for d in summary.get("durations_days") or []]
    events = summary.get("events") or []
    tested = ", ".join(f"{name} ({kind})" for name, kind in nodes.items()) or "none"
    text = (
        f"Knocked out in turn: {tested}, each for {' or '.join(durations) or '—'} days (the "
        f"time to recover, TTR) from day {summary.get('start_day')}"
    )
    if events:
        text += f"; events tested: {', '.join(map(str, events))}"
    return text + (
        ". Every knock-out is paired with the undisrupted baseline under common random "
        "numbers. Impact = extra total cost + lost margin + purchase premium; risk index = "
        "impact / largest impact. TTS (time-to-survive): the days fully served after the "
        "failure; TTS < TTR means the customers see the failure." + _waste_sentence(results)
    )


def _waste_sentence(results: Results) -> str:
    """What the extra waste and space columns are, when the stress table has them."""
    weak = results.table("stress")
    note = waste_extra_note(weak.columns) if weak is not None else ""
    return f" {note}" if note else ""


def _mitigations(results: Results) -> str:
    frame = results.table("mitigations")
    if frame is None or frame.empty:
        return ""
    currency = results.currency
    rows = []
    for row in frame.to_dict("records"):
        pays = str(row["pays_if"])
        breakeven = float(row["breakeven_failures_per_year"])
        if pays == "more often":
            pays = f"more than {_rate(breakeven)} times a year"
        elif pays == "less often":
            pays = f"less than {_rate(breakeven)} times a year"
        gain = float(row["tts_gain_days"])
        rows.append(
            (
                str(row["node"]),
                f"{float(row['duration_days']):g}",
                str(row["alternative"]),
                format_number(float(row["impact_avoided"]), 0),
                format_number(float(row["lost_units_avoided"]), 1),
                "—" if math.isnan(gain) else f"{gain:+g}",
                format_number(float(row["annual_cost"]), 0),
                pays,
            )
        )
    reference = str(frame["reference"].iloc[0])
    return table(
        [
            "node",
            "TTR (days)",
            "alternative",
            f"impact avoided ({currency})",
            "lost units avoided",
            "TTS gain (days)",
            f"annual cost ({currency})",
            "pays if failures strike",
        ],
        rows,
        keys=3,
        caption=f"What each alternative buys against {reference} (per failure; per year)",
    ) + notes(
        [
            "Impact avoided: the reference's impact minus the alternative's, each against its own "
            "baseline. Annual cost: profit the alternative gives up against the reference in the "
            "baseline (the scenario as given), per year. It pays when this failure strikes more "
            "(>) or less (<) often than annual cost / impact avoided times a year; always: cheaper "
            "and safer; never: dearer and no safer.",
        ]
    )


def _definitions(results: Results) -> str:
    definitions = results.summary.get("definitions") or {}
    if not definitions:
        return ""
    items = "".join(
        f"<dt>{esc(name)}</dt><dd>{esc(text)}</dd>" for name, text in definitions.items()
    )
    return f'<h3>Definitions</h3><dl class="scenario">{items}</dl>'
