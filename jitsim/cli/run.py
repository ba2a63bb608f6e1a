"""``jitsim run`` and ``jitsim compare``: every alternative, its headline KPIs and the paired
differences against a baseline."""

from __future__ import annotations

import math
from typing import Annotated

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
from jitsim.execution.batch_results import RunResult
from jitsim.experiments.compare import Comparison
from jitsim.model.kpis import HEADLINE_KPIS, direction
from jitsim.output.exports import export_tables
from jitsim.output.tables import format_estimate, headline_rows, kpi_unit
from jitsim.units import plural


@batch_command(
    "file",
    *SAMPLE,
    *OUT,
    "output_format",
    "trajectories",
    *EXECUTION,
    *PRECISION,
    "export",
    "chunk_size",
    "event",
    "report",
)
def run_command(
    file: FileArg,
    trajectories: Annotated[
        int,
        typer.Option(min=0, help="Keep end-of-day series of the first K replications."),
    ] = 0,
    *,
    options: BatchOptions,
) -> None:
    """Simulate every alternative, print the headline KPIs and write the results directory.

    Finished replications are written to the results directory as they complete; if the run
    is interrupted, ``--resume DIR`` continues it without recomputing them.
    """
    printer = Printer(options.output_format)
    settings = resumed_settings(file, options)
    scenario = settings.scenario
    trajectories = trajectories or settings.recorded.get("trajectories", 0)
    out_dir = results_dir(file, options)
    command = reproducing_command("run", options, settings, out_dir, trajectories=trajectories)
    result = run_batch(
        options,
        out_dir,
        command,
        jitsim.run,
        scenario,
        trajectories=trajectories,
        **settings.batch(),
    )
    if options.export:
        export_tables(
            {"summary": result.summary(), "replications": result.replications()},
            out_dir,
            options.export,
        )
    print_headline(printer, result)
    finish_batch(printer, out_dir, options, result.precision)


def print_headline(printer: Printer, result: RunResult) -> None:
    """The headline KPIs of every alternative, mean ± 95 % CI half-width (data: the summary
    of those KPIs, one row per alternative and KPI)."""
    run = result.scenario.run
    table = ScreenTable(result.scenario.name)
    table.add_column("KPI", key=True, justify="left")
    table.add_column("unit", key=True, justify="left")
    for alternative in result.alternatives:
        table.add_column(alternative)
    rows = headline_rows(result)
    for kpi, unit, cells in rows:
        table.add_row(kpi, unit, *cells)
    shown = [kpi for kpi, _, _ in rows]
    printer.table("summary", table, result.summary(shown) if shown else result.summary()[:0])
    printer.note(
        f"{plural(result.replications_per_alternative, 'replication')} per alternative, "
        f"seed {result.seed}, window {plural(result.window_days, 'day')} "
        f"(horizon {run.horizon_days}, warm-up {run.warmup_days}); "
        "mean ± half-width of the 95 % confidence interval."
    )


@batch_command(
    "file",
    "baseline",
    *SAMPLE,
    *OUT,
    "output_format",
    *EXECUTION,
    *PRECISION,
    "export",
    "chunk_size",
    "event",
    "report",
    kind="compare",
)
def compare(
    file: FileArg,
    baseline: Annotated[
        str | None, typer.Option(help="Alternative to compare against [default: the first].")
    ] = None,
    *,
    options: BatchOptions,
) -> None:
    """Compare every alternative with a baseline under common random numbers (paired)."""
    printer = Printer(options.output_format)
    settings = resumed_settings(file, options)
    baseline = baseline or settings.recorded.get("baseline")
    out_dir = results_dir(file, options, "compare")
    command = reproducing_command("compare", options, settings, out_dir, baseline=baseline)
    comparison = run_batch(
        options, out_dir, command, jitsim.compare, settings.scenario, baseline, **settings.batch()
    )
    differences = comparison.differences()
    export_tables({"comparison": differences}, out_dir, ["csv"])
    if options.export:
        export_tables(
            {
                "summary": comparison.result.summary(),
                "comparison": differences,
                "replications": comparison.result.replications(),
            },
            out_dir,
            options.export,
        )
    print_headline(printer, comparison.result)
    print_differences(printer, comparison)
    finish_batch(printer, out_dir, options, comparison.result.precision)


def print_differences(printer: Printer, comparison: Comparison) -> None:
    """The paired differences of the headline KPIs against the baseline, and the verdicts."""
    currency = comparison.result.scenario.run.currency
    table = ScreenTable(
        f"paired differences vs {comparison.baseline} (95 % CI)", group="alternative"
    )
    for column in ("alternative", "KPI", "unit"):
        table.add_column(column, key=True, justify="left")
    for column in ("difference", "relative", "better in"):
        table.add_column(column)
    measured = comparison.result.columns()
    rows = comparison.differences([k for k in (*HEADLINE_KPIS, "demand_units") if k in measured])
    for row in rows.to_dict("records"):
        unit, scale = kpi_unit(str(row["kpi"]), currency)
        half = (float(row["ci95_high"]) - float(row["ci95_low"])) / 2
        better = float(row["share_better"])
        table.add_row(
            str(row["alternative"]),
            str(row["kpi"]),
            "pp" if unit == "%" else unit,
            format_estimate(
                float(row["difference"]),
                half,
                scale,
                reference=max(abs(float(row["mean"])), abs(float(row["baseline_mean"]))),
            ),
            _relative_text(float(row["relative_change"])),
            _better_text(better, int(row["n"]), str(row["kpi"])),
        )
    printer.table("comparison", table, rows)
    for line in comparison.verdicts():
        printer.note(line)


def _better_text(share: float, pairs: int, kpi: str) -> str:
    """Share of replications in which the alternative did better: "n/a" without a single pair
    of defined values, "–" for a KPI that is neither better larger nor smaller (demand)."""
    if pairs == 0:
        return "n/a"
    return "–" if direction(kpi) == 0 or math.isnan(share) else f"{share:.0%}"


def _relative_text(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:+.1%}"
