"""``jitsim sweep`` and ``jitsim breakeven``: the alternatives across values of scenario
fields, and the value at which one stops beating another."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

import jitsim
from jitsim.cli.console import run_batch
from jitsim.cli.layout import Printer, ScreenTable
from jitsim.cli.options import EXECUTION, OUT, SAMPLE, BatchOptions, FileArg, batch_command
from jitsim.cli.recording import reproducing_command
from jitsim.cli.report import finish_batch
from jitsim.cli.settings import check_kind, results_dir, scenario_settings
from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.batch import chosen_alternatives
from jitsim.execution.precision import check_kpi_names
from jitsim.execution.simulate import kpi_columns
from jitsim.experiments.breakeven import BreakEvenResult
from jitsim.experiments.sweep import SweepResult
from jitsim.model.kpis import WASTE_SPACE_COSTS
from jitsim.output.exports import export_tables
from jitsim.output.tables import format_estimate, format_general, kpi_unit
from jitsim.scenario.grid import build_points, sweep_grid, sweep_points
from jitsim.scenario.models import Scenario
from jitsim.units import plural


@batch_command(
    "file",
    "set_",
    *SAMPLE,
    "kpi",
    *OUT,
    "output_format",
    *EXECUTION,
    "export",
    "event",
    "report",
    kind="sweep",
)
def sweep(
    file: FileArg,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Axis PATH=V1,V2,... or PATH=LO:HI:STEP (repeatable); replaces the file's "
            "sweep: axis with the same path.",
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi",
            help="KPI to print (repeatable) [default: total_cost, its waste and space costs "
            "when present, fill_rate].",
        ),
    ] = None,
    *,
    options: BatchOptions,
) -> None:
    """Run every alternative at every point of a grid over scenario fields (paired)."""
    printer = Printer(options.output_format)
    if options.resume is not None:  # before the grid: name the mismatch, not a missing --set
        check_kind(options.resume, "sweep", file)
    settings = scenario_settings(file, options)
    scenario = settings.scenario
    grid = sweep_grid(scenario, set_ or [])
    if kpi:
        _check_shown_kpis(scenario, grid, kpi, options.alternative, file)
    out_dir = results_dir(file, options, "sweep")
    command = reproducing_command("sweep", options, settings, out_dir)
    result = run_batch(
        options,
        out_dir,
        command,
        jitsim.sweep,
        scenario,
        grid,
        source_file=file,
        replications=options.replications,
        seed=options.seed,
        alternatives=options.alternative or None,
    )
    if options.export:
        export_tables(
            {"sweep_summary": result.summary(), "replications": result.replications()},
            out_dir,
            options.export,
        )
    print_sweep(printer, result, kpi or default_kpis(result.columns()))
    finish_batch(printer, out_dir, options)


def default_kpis(columns: Iterable[str]) -> list[str]:
    """What the sweep table shows without ``--kpi``: ``total_cost``, the waste and space costs
    in it that the results hold (perishables, an end of life, capacity), and ``fill_rate``."""
    present = set(columns)
    return ["total_cost", *(k for k in WASTE_SPACE_COSTS if k in present), "fill_rate"]


def _check_shown_kpis(
    scenario: Scenario,
    grid: dict[str, list[Any]],
    shown: list[str],
    alternatives: list[str] | None,
    file: Path,
) -> None:
    """Refuse a misspelt ``--kpi`` before anything is simulated or written: the KPI columns
    come from the models, built but not run; those of every point are looked at only when a
    name is not one of the scenario's own (a point may change a policy, and its KPIs)."""
    names = chosen_alternatives(scenario, alternatives)
    columns = kpi_columns(scenario, names)
    if columns is None or all(name in columns for name in shown):
        return
    for point in build_points(scenario, sweep_points(grid), file):
        found = kpi_columns(point, names)
        if found is None:
            return  # a model that cannot be built: the sweep says why
        columns |= found
    check_kpi_names(shown, columns)


def print_sweep(printer: Printer, result: SweepResult, shown: list[str]) -> None:
    """The KPIs ``shown`` of every alternative at every point, mean ± 95 % CI half-width."""
    summary = result.summary(shown)
    scenario = result.scenario
    currency = scenario.run.currency
    table = ScreenTable(f"{scenario.name}: sweep")
    for name in result.parameters:
        table.add_column(name, key=True)
    table.add_column("alternative", key=True, justify="left")
    for name in shown:
        unit, _ = kpi_unit(name, currency)
        table.add_column(f"{name} ({unit})" if unit else name)
    rows = {
        (int(r["point"]), str(r["alternative"]), str(r["kpi"])): r
        for r in summary.to_dict("records")
    }
    for point, setting in enumerate(result.values):
        for name in result.alternatives:
            cells = []
            for kpi_name in shown:
                row = rows.get((point, name, kpi_name))
                if row is None:
                    known = summary["kpi"].unique()
                    raise JitsimError(
                        with_suggestion(f"unknown KPI {kpi_name!r} for --kpi", kpi_name, known)
                    )
                _, scale = kpi_unit(kpi_name, currency)
                cells.append(format_estimate(float(row["mean"]), float(row["half_width"]), scale))
            table.add_row(*(str(setting[p]) for p in result.parameters), name, *cells)
    printer.table("sweep_summary", table, summary)
    printer.note(
        f"{plural(len(result.values), 'point')} × "
        f"{plural(len(result.alternatives), 'alternative')} × "
        f"{plural(result.replications_per_point, 'replication')}, seed {result.seed}, "
        "common random numbers across points; mean ± 95 % CI half-width."
    )


@batch_command(
    "file",
    "param",
    "range_",
    "between",
    "kpi",
    "replications",
    "seed",
    "tolerance",
    "max_iterations",
    *OUT,
    "output_format",
    *EXECUTION,
    "event",
    "report",
    kind="breakeven",
)
def breakeven(
    file: FileArg,
    param: Annotated[str, typer.Option(help="Dotted path of a numeric scenario field.")],
    range_: Annotated[str, typer.Option("--range", help="Search interval LO:HI.")],
    between: Annotated[
        str, typer.Option(help="The two alternatives A,B: where does A stop beating B?")
    ],
    kpi: Annotated[str, typer.Option(help="KPI compared.")] = "total_cost",
    tolerance: Annotated[
        float | None, typer.Option(help="Stop when the bracket is this narrow.")
    ] = None,
    max_iterations: Annotated[int, typer.Option(min=1, help="Bisection steps at most.")] = 12,
    *,
    options: BatchOptions,
) -> None:
    """Find the parameter value at which alternative A stops beating B (paired bisection)."""
    printer = Printer(options.output_format)
    settings = scenario_settings(file, options)
    low, high = _parse_range(range_)
    pair = [name.strip() for name in between.split(",")]
    if len(pair) != 2 or not all(pair):
        raise JitsimError(f"--between {between!r}: give two alternatives as A,B")
    out_dir = results_dir(file, options, "breakeven")
    command = reproducing_command("breakeven", options, settings, out_dir)
    result = run_batch(
        options,
        out_dir,
        command,
        jitsim.breakeven,
        settings.scenario,
        param,
        low,
        high,
        (pair[0], pair[1]),
        kpi=kpi,
        source_file=file,
        replications=options.replications,
        seed=options.seed,
        tolerance=tolerance,
        max_iterations=max_iterations,
    )
    print_breakeven(
        printer,
        result.evaluations(),
        param,
        (pair[0], pair[1]),
        kpi,
        result.sentence,
        _outcome(result),
    )
    finish_batch(printer, out_dir, options)


def print_breakeven(
    printer: Printer,
    evaluations: pd.DataFrame,
    param: str,
    pair: tuple[str, str],
    kpi: str,
    sentence: str,
    outcome: pd.DataFrame,
) -> None:
    """The values a break-even search evaluated (``breakeven_points.csv``) and its outcome:
    a sentence on the screen, the row ``outcome`` for csv and json."""
    table = ScreenTable(f"{pair[0]} − {pair[1]}: {kpi}")
    table.add_column(param, key=True)
    for column in ("difference", "95 % CI", "n"):
        table.add_column(column)
    points = evaluations.sort_values("x")
    for row in points.to_dict("records"):
        half = (float(row["ci95_high"]) - float(row["ci95_low"])) / 2
        size = max(abs(float(row["mean_a"])), abs(float(row["mean_b"])))  # noise is relative
        table.add_row(
            f"{float(row['x']):.6g}",
            format_estimate(float(row["mean_diff"]), half, reference=size),
            _interval_text(float(row["ci95_low"]), float(row["ci95_high"]), size),
            str(int(row["n"])),
        )
    printer.data("breakeven", outcome)  # on the screen: the sentence below
    printer.table("breakeven_points", table, points)
    printer.note(sentence)


def _outcome(result: BreakEvenResult) -> pd.DataFrame:
    """The search's outcome as one row: the break-even value, its bracket and the band where
    A and B cannot be told apart (empty when there is none)."""
    bracket = result.bracket or (math.nan, math.nan)
    band = result.uncertainty or (math.nan, math.nan)
    return pd.DataFrame(
        [
            {
                "param": result.param,
                "a": result.between[0],
                "b": result.between[1],
                "kpi": result.kpi,
                "outcome": result.outcome,
                "estimate": result.estimate,
                "bracket_low": bracket[0],
                "bracket_high": bracket[1],
                "uncertainty_low": band[0],
                "uncertainty_high": band[1],
                "stop_reason": result.stop_reason,
                "sentence": result.sentence,
            }
        ]
    )


def _interval_text(low: float, high: float, size: float) -> str:
    """``[low, high]`` of a 95 % CI (noise within rounding of ``size`` printed as 0), "n/a"
    when it cannot be computed (one replication)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "n/a"
    return f"[{format_general(low, size)}, {format_general(high, size)}]"


def _parse_range(text: str) -> tuple[float, float]:
    parts = text.split(":")
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise JitsimError(f"--range {text!r}: give LO:HI, e.g. 0.1:0.6") from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise JitsimError(f"--range {text!r}: LO must be < HI")
    return low, high
