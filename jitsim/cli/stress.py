"""``jitsim stress``: knock out each supplier and plant in turn and print the weak links, the
time-to-survive and what each alternative buys against the failures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Protocol

import pandas as pd
import typer

import jitsim
from jitsim.cli.console import run_batch
from jitsim.cli.layout import Printer, ScreenTable
from jitsim.cli.options import (
    EXECUTION,
    OUT,
    PRECISION,
    SAMPLE,
    BatchOptions,
    FileArg,
    batch_command,
)
from jitsim.cli.recording import reproducing_command
from jitsim.cli.report import finish_batch
from jitsim.cli.settings import results_dir, resumed_settings
from jitsim.errors import JitsimError
from jitsim.experiments.stress import (
    DEFAULT_DURATIONS,
    StressResult,
    check_durations,
    check_nodes,
)
from jitsim.output.exports import export_tables
from jitsim.output.tables import (
    format_number,
    tts_flag,
    waste_extra_columns,
    waste_extra_note,
)
from jitsim.scenario.events import event_keys
from jitsim.scenario.models import Scenario
from jitsim.units import plural


class StressTables(Protocol):
    """What the stress tables are printed from: a :class:`StressResult`, or the tables of a
    finished results directory (``jitsim show``)."""

    @property
    def scenario(self) -> Scenario: ...
    @property
    def nodes(self) -> dict[str, str]: ...
    @property
    def durations(self) -> list[int]: ...
    @property
    def events(self) -> list[str]: ...
    @property
    def alternatives(self) -> list[str]: ...
    @property
    def seed(self) -> int: ...
    @property
    def replications(self) -> int: ...
    @property
    def start_day(self) -> int: ...
    @property
    def horizon_after_failure(self) -> int: ...
    def table(self) -> pd.DataFrame: ...
    def tts(self) -> pd.DataFrame: ...
    def mitigations(self, reference: str | None = None) -> pd.DataFrame: ...


# The stress command's own options, in the order --help lists them.
_OWN = ("node", "reference", "calm", "test_event", "durations", "start_day")


@batch_command(
    "file",
    *_OWN,
    *SAMPLE,
    *OUT,
    "output_format",
    *EXECUTION,
    *PRECISION,
    "export",
    "chunk_size",
    "event",
    "report",
    kind="stress",
)
def stress(
    file: FileArg,
    node: Annotated[
        list[str] | None,
        typer.Option(
            "--node",
            help="Knock out only this supplier or plant, or close this stock point's inbound "
            "lanes (repeatable); A+B knocks out A and B together (a common-cause failure).",
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="Alternative the others are measured against in the mitigation table "
            "[default: the first]."
        ),
    ] = None,
    calm: Annotated[
        bool,
        typer.Option(
            "--calm",
            help="Drop the file's own disruptions: knock-outs strike an otherwise undisrupted "
            "year (--event and --test-event still apply).",
        ),
    ] = False,
    test_event: Annotated[
        list[str] | None,
        typer.Option(
            "--test-event",
            help="Also test this named stress event from the failure day, paired with the "
            "baseline, e.g. demand-surge-50pct-28d:shop (repeatable; without --node only the "
            "events are tested).",
        ),
    ] = None,
    durations: Annotated[
        str | None,
        typer.Option(
            help="Knock-out durations in days, comma-separated (the TTR) [default: 7,14,30,60]."
        ),
    ] = None,
    start_day: Annotated[
        int | None,
        typer.Option(min=0, help="Day of the failure [default: the first day after warm-up]."),
    ] = None,
    *,
    options: BatchOptions,
) -> None:
    """Knock out each supplier and plant in turn: time-to-survive, impact, recovery, tail risk.

    Every knock-out is paired with the undisrupted baseline under common random numbers; the
    ranked weak links go to stress.csv, the time-to-survive to tts.csv. An interrupted run
    continues with FILE --resume DIR: its other options are read from the run's manifest.
    """
    printer = Printer(options.output_format)
    settings = resumed_settings(file, options)
    scenario = settings.scenario
    plan = settings.recorded.get("plan", {})
    calm = calm or bool(plan.get("calm"))
    node = node or plan.get("nodes")
    test_event = test_event or plan.get("events")
    lengths = (
        _parse_durations(durations)
        if durations is not None
        else check_durations(plan.get("durations") or list(DEFAULT_DURATIONS))
    )
    start_day = start_day if start_day is not None else plan.get("start_day")
    if node or not test_event:
        check_nodes(scenario, node)
    out_dir = results_dir(file, options, "stress")
    reference = reference or settings.recorded.get("reference")
    result = run_batch(
        options,
        out_dir,
        reproducing_command(
            "stress",
            options,
            settings,
            out_dir,
            node=node,
            reference=reference,
            calm=calm,
            test_event=test_event,
            durations=",".join(map(str, lengths)),
            start_day=start_day,
        ),
        jitsim.stress,
        scenario,
        nodes=node or None,
        durations=lengths,
        start_day=start_day,
        events=test_event or None,
        reference=reference,
        calm=calm,
        keep=[key for _, key in event_keys(settings.events or [])],  # the --event texts stay
        source_file=file,
        **settings.batch(),
    )
    if options.export:
        export_tables(_tables(result, reference), out_dir, options.export)
    print_stress(printer, result, scenario.run.currency)
    if len(result.alternatives) > 1:
        print_mitigations(printer, result, reference, scenario.run.currency)
    finish_batch(printer, out_dir, options, result.precision)


def _parse_durations(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise JitsimError(
            f"--durations {text!r}: give whole days as D1,D2,..., e.g. 7,30"
        ) from None
    return check_durations(values)


def _tables(result: StressResult, reference: str | None) -> dict[str, Any]:
    """The tables ``--export`` writes (mitigations only when there is something to compare)."""
    tables = {"stress": result.table(), "tts": result.tts()}
    if len(result.alternatives) > 1:
        tables["mitigations"] = result.mitigations(reference)
    tables["replications"] = result.records()
    return tables


def _table(title: str, columns: Iterable[str], keys: Iterable[str]) -> ScreenTable:
    """A table with columns of numbers on the right and the node and alternative names on the
    left; the columns ``keys`` name a row (repeated when the table is split to fit)."""
    table = ScreenTable(title)
    named = set(keys)
    for column in columns:
        left = column in ("node", "alternative")
        table.add_column(column, key=column in named, justify="left" if left else "right")
    return table


def print_mitigations(
    printer: Printer, result: StressTables, reference: str | None, currency: str
) -> None:
    table = result.mitigations(reference)
    if table.empty:
        return
    chosen = str(table["reference"].iloc[0])
    view = _table(
        f"what each alternative buys against {chosen} (per failure; per year)",
        (
            "node",
            "TTR days",
            "alternative",
            f"impact avoided {currency}",
            "lost units avoided",
            "TTS gain days",
            f"annual cost {currency}",
            "pays if failures/year",
        ),
        keys=("node", "TTR days", "alternative"),
    )
    for row in table.to_dict("records"):
        pays = str(row["pays_if"])
        breakeven = row["breakeven_failures_per_year"]
        if pays == "more often":
            pays = f"> {breakeven:.2g}"
        elif pays == "less often":
            pays = f"< {breakeven:.2g}"
        view.add_row(
            str(row["node"]),
            f"{row['duration_days']:g}",
            str(row["alternative"]),
            format_number(row["impact_avoided"], 0),
            format_number(row["lost_units_avoided"], 1),
            "—" if math.isnan(row["tts_gain_days"]) else f"{row['tts_gain_days']:+g}",
            format_number(row["annual_cost"], 0),
            pays,
        )
    printer.table("mitigations", view, table)
    printer.note(
        "Impact avoided: the reference's impact minus the alternative's, each against its "
        "own baseline. Annual cost: profit the alternative gives up against the reference "
        "in the baseline (the scenario as given), per year. It pays when this failure "
        "strikes more (>) or less (<) often than annual cost / impact avoided times a year; "
        "always: cheaper and safer; never: dearer and no safer."
    )


def _ttr_flag(row: Mapping[Any, Any], duration: int) -> str:
    """The TTS table's flag for duration D (— for a tested event: it has its own TTR)."""
    if row["node_kind"] == "event":
        return "—"
    return tts_flag(row["tts_days"], row["tts_censored"], duration)


def print_stress(printer: Printer, result: StressTables, currency: str) -> None:
    frame = result.table()
    printer.table("stress", _weak_links(result, frame, currency), frame)
    printer.table("tts", _time_to_survive(result), result.tts())
    run = result.scenario.run.service_recovery
    printer.note(
        f"{plural(len(result.nodes), 'node')} × {plural(len(result.durations), 'duration')}"
        + (f" + {plural(len(result.events), 'tested event')}" if result.events else "")
        + f" × {plural(len(result.alternatives), 'alternative')}"
        + f" × {plural(result.replications, 'replication')}, "
        f"seed {result.seed}, paired with the undisrupted baseline (common random numbers). "
        "Impact = extra total cost + lost margin + purchase premium (apart in stress.csv); "
        "risk index = impact / largest impact. "
        "TTS: Kaplan–Meier median of the days fully served after the failure, censored at "
        f"the horizon ({plural(result.horizon_after_failure, 'day')}; a tested event: its end) "
        "or where the baseline runs short anyway ('short anyway'). Service drop: rolling "
        f"{run.window_days}-day fill rate below {run.below:g}; recovery: back at "
        f"{run.recovered:g} (Kaplan–Meier median days). '?': the censored TTS may or may "
        "not be shorter."
        + (" " + waste_extra_note(frame.columns) if waste_extra_columns(frame.columns) else "")
    )


def _weak_links(result: StressTables, frame: pd.DataFrame, currency: str) -> ScreenTable:
    waste = waste_extra_columns(frame.columns)  # none without waste or space costs
    table = _table(
        f"{result.scenario.name}: weak links (ranked by risk exposure)",
        (
            "#",
            "node",
            "TTR days",
            "alternative",
            "lost units",
            f"impact {currency}",
            *(f"{heading} {currency}" for _, heading in waste),
            "risk index",
            "P(stock-out)",
            f"CVaR95 lost margin {currency}",
            "P(service drop)",
            "recovery days",
            "TTS<TTR",
        ),
        keys=("#", "node", "TTR days", "alternative"),
    )
    for row in frame.to_dict("records"):
        recovery = row["recovery_days"]
        recovery_text = "—" if math.isnan(recovery) else f"{recovery:g}"
        if row["recovery_censored"]:
            recovery_text = f">= {recovery_text}"
        table.add_row(
            str(row["rank"]),
            str(row["node"]),
            f"{row['duration_days']:g}",
            str(row["alternative"]),
            format_number(row["lost_units"], 1),
            format_number(row["impact"], 0),
            *(format_number(row[column], 0) for column, _ in waste),
            f"{row['risk_exposure_index']:.2f}",
            f"{row['p_stockout']:.0%}",
            format_number(row["lost_margin_cvar95"], 0),
            f"{row['service_drop_share']:.0%}",
            recovery_text,
            tts_flag(row["tts_days"], row["tts_censored"], row["duration_days"]),
        )
    return table


def _time_to_survive(result: StressTables) -> ScreenTable:
    table = ScreenTable(f"time-to-survive from day {result.start_day} (node down to the horizon)")
    for column in ("node", "kind", "alternative"):
        table.add_column(column, key=True)
    for column in (
        "TTS (days)",
        "min",
        "censored",
        "short anyway",
        *(f"TTS<TTR={d}" for d in result.durations),
    ):
        table.add_column(column)
    for row in result.tts().to_dict("records"):
        value = f"{row['tts_days']:g}"
        if row["tts_censored"]:
            value = f">= {value}"
        table.add_row(
            str(row["node"]),
            str(row["node_kind"]),
            str(row["alternative"]),
            value,
            "—" if math.isnan(row["tts_min_days"]) else f"{row['tts_min_days']:g}",
            f"{row['censored_share']:.0%}",
            f"{row['baseline_short_first_share']:.0%}",
            *(_ttr_flag(row, d) for d in result.durations),
        )
    return table
