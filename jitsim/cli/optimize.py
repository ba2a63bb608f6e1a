"""``jitsim optimize``: the policy parameters that minimise a KPI subject to constraints."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.text import Text

import jitsim
from jitsim.cli.console import run_batch, stderr
from jitsim.cli.layout import Printer, ScreenTable
from jitsim.cli.options import OUT, BatchOptions, FileArg, batch_command
from jitsim.cli.recording import reproducing_command
from jitsim.cli.report import finish_batch
from jitsim.cli.settings import check_kind, results_dir, scenario_settings
from jitsim.errors import JitsimError
from jitsim.execution.results_claim import claim, record_files
from jitsim.experiments.optimize import parse_bounds, parse_constraint
from jitsim.experiments.optimize.experiment import (
    DEFAULT_ALPHA,
    DEFAULT_BUDGET,
    DEFAULT_SEARCH_REPLICATIONS,
)
from jitsim.output.figures import draw, save
from jitsim.output.report.optimize import finalist_verdict, risk_cells, risk_headers
from jitsim.output.results_reader import read_results
from jitsim.output.tables import format_estimate, kpi_unit
from jitsim.units import plural

#: The convergence figure written into the results directory.
FIGURE_FILE = "convergence.png"


@batch_command(
    "file",
    "point",
    "objective",
    "constraint",
    "bound",
    "start",
    "budget_replications",
    "search_replications",
    "delta",
    "alpha",
    "seed",
    *OUT,
    "output_format",
    "quiet",
    "backend",
    "workers",
    "scheduler",
    "resume",
    "engine_",
    "event",
    "report",
    kind="optimize",
)
def optimize(
    file: FileArg,
    point: Annotated[
        list[str],
        typer.Option(help="Stock point whose policy parameters are optimised (repeatable)."),
    ],
    objective: Annotated[
        str, typer.Option(help="KPI minimised (maximised when larger is better, e.g. profit).")
    ] = "total_cost",
    constraint: Annotated[
        list[str] | None,
        typer.Option(
            help="KPI>=V or KPI<=V (the mean), cvar95(KPI)<=V, var95(KPI)<=V or P(KPI>V)<=p, "
            "each held at confidence 1 − alpha (one-sided bound), e.g. fill_rate>=0.95, "
            "cvar95(stockout_days)<=5 (needs --replications >= 200), P(stockout_days>0)<=0.1 "
            "(repeatable)."
        ),
    ] = None,
    bound: Annotated[
        list[str] | None,
        typer.Option(
            help="POINT.FIELD=LOW:HIGH, e.g. store.s=0:200 (repeatable) [default: from demand "
            "and lead time, docs/optimize.md]."
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--alternative",
            "-a",
            help="Start from this alternative's policies and changes [default: the stock "
            "points' own policies].",
        ),
    ] = None,
    budget_replications: Annotated[
        int,
        typer.Option(
            min=1, help="Most replication-runs (one replication of one candidate = 1) in all."
        ),
    ] = DEFAULT_BUDGET,
    search_replications: Annotated[
        int, typer.Option("--replications", "-n", min=2, help="Replications per candidate.")
    ] = DEFAULT_SEARCH_REPLICATIONS,
    delta: Annotated[
        float | None,
        typer.Option(
            help="Indifference zone of the selection, in units of the objective [default: "
            "0.5 % of the best mean found]."
        ),
    ] = None,
    alpha: Annotated[
        float,
        typer.Option(
            help="The best finalist is chosen with probability ≥ 1 − alpha when it is at "
            "least delta better than the others; constraints hold at confidence 1 − alpha."
        ),
    ] = DEFAULT_ALPHA,
    engine_: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Simulation engine: auto (fast where it can run, else simpy), simpy or fast; "
            "same results (docs/performance.md).",
        ),
    ] = "auto",
    *,
    options: BatchOptions,
) -> None:
    """Find the policy parameters that minimise a KPI subject to constraints (simulation with
    common random numbers, then a ranking-and-selection guarantee)."""
    began = time.monotonic()
    options = dataclasses.replace(options, engine=engine_)
    printer = Printer(options.output_format)
    if options.resume is not None:
        check_kind(options.resume, "optimize", file)
    constraints = [parse_constraint(text) for text in constraint or []]
    bounds = parse_bounds(bound or [])
    if delta is not None and not (math.isfinite(delta) and delta > 0):
        raise JitsimError(f"--delta {delta}: give a positive number (units of the objective)")
    if not 0 < alpha < 0.5:
        raise JitsimError(f"--alpha {alpha}: give a number between 0 and 0.5, e.g. 0.05")
    settings = scenario_settings(file, options)
    out_dir = results_dir(file, options, "optimize")
    command = reproducing_command("optimize", options, settings, out_dir)
    result = run_batch(
        options,
        out_dir,
        command,
        jitsim.optimize,
        settings.scenario,
        point,
        objective=objective,
        constraints=constraints,
        alternative=start,
        bounds=bounds,
        budget_replications=budget_replications,
        replications=search_replications,
        delta=delta,
        alpha=alpha,
        seed=options.seed,
    )
    with claim(out_dir, resume=True) as path:
        save(draw("convergence", read_results(path)), path / FIGURE_FILE)
        record_files(path, [FIGURE_FILE])
    summary = {
        "objective": result.objective,
        "constraints": [str(c) for c in result.constraints],
        "variables": [
            {"name": v.label, "low": v.low, "high": v.high, "start": v.start}
            for v in result.variables
        ],
        "best": result.best(),
        "feasible": result.feasible,
        "guaranteed": result.guaranteed,
        "delta": result.delta,
        "alpha": result.alpha,
        "replication_runs": result.replication_runs,
        "stop_reason": result.stop_reason,
        "alternative": result.name,
        "search_replications": result.search_replications,
    }
    summary["start_row"] = result.start_row()
    print_optimize(printer, summary, result.finalists, settings.scenario.run.currency)
    for sentence in result.at_bounds():
        printer.note(f"note: {sentence}.")
    printer.note(f"{time.monotonic() - began:.1f} s; convergence figure: {out_dir / FIGURE_FILE}")
    printer.note(
        f"tuned scenario: {out_dir / 'tuned.yaml'} (alternative {result.name!r}); "
        f"compare it: jitsim compare {out_dir / 'tuned.yaml'}"
    )
    finish_batch(printer, out_dir, options)


def print_optimize(
    printer: Printer, summary: dict[str, Any], finalists: pd.DataFrame, currency: str
) -> None:
    """The answer (each variable: bounds, start, best), the finalists with their KPIs on the
    selection's replications (the winner first), and what the guarantee says."""
    objective = str(summary["objective"])
    kpis = [objective, *dict.fromkeys(_kpi_of(c) for c in summary.get("constraints", []))]
    answer = ScreenTable("optimised parameters")
    for header in ("variable", "bounds", "start", "best"):
        answer.add_column(header, key=header == "variable", justify="left")
    best = summary["best"]
    rows = []
    for v in summary["variables"]:
        bounds = f"{v['low']:g} … {v['high']:g}"
        answer.add_row(v["name"], bounds, f"{v['start']:g}", f"{best[v['name']]:g}")
        rows.append({**v, "best": best[v["name"]]})
    printer.table("optimized", answer, pd.DataFrame(rows))

    table = ScreenTable("finalists (selection replications; winner first)")
    names = [v["name"] for v in summary["variables"]]
    for name in names:
        table.add_column(name, key=True)
    for kpi in kpis:
        unit, _ = kpi_unit(kpi, currency)
        table.add_column(f"{kpi} ({unit})" if unit else kpi)
    for header in risk_headers(summary, currency):
        table.add_column(header)
    table.add_column("n")
    table.add_column("result", justify="left")
    for row in finalists.to_dict("records"):
        cells = [f"{row[name]:g}" for name in names]
        for kpi in kpis:
            _, scale = kpi_unit(kpi, currency)
            cells.append(format_estimate(row[f"{kpi}_mean"], row[f"{kpi}_half_width"], scale))
        cells += risk_cells(summary, row, currency)
        cells.append(str(int(row["replications"])))
        cells.append(
            finalist_verdict(
                {str(k): v for k, v in row.items()}, list(summary.get("constraints", []))
            )
        )
        table.add_row(*cells)
    printer.table("finalists", table, finalists)
    start = summary.get("start_row") or {}
    if start:
        values = ", ".join(f"{v['name']} = {v['start']:g}" for v in summary["variables"])
        shown = []
        for kpi in kpis:
            unit, scale = kpi_unit(kpi, currency)
            estimate = format_estimate(start[f"{kpi}_mean"], start[f"{kpi}_half_width"], scale)
            shown.append(f"{kpi} {estimate}{' ' + unit if unit else ''}")
        printer.note(f"start ({values}), on the search's replications: {'; '.join(shown)}.")
    printer.note(_guarantee(summary))


def _kpi_of(constraint: str) -> str:
    return parse_constraint(constraint).kpi


def _guarantee(summary: dict[str, Any]) -> str:
    """What the selection guarantees (or why not), in words."""
    confidence = f"{100 * (1 - float(summary['alpha'])):g} %"
    text = (
        f"search: {plural(int(summary['replication_runs']), 'replication-run')} in all, "
        f"{summary['search_replications']} per candidate, stopped: {summary['stop_reason']}. "
    )
    if summary["guaranteed"]:
        text += (
            f"Selection (Kim–Nelson, common random numbers): the best finalist is chosen with "
            f"probability ≥ {confidence} whenever its {summary['objective']} is at least "
            f"δ = {float(summary['delta']):.4g} better than the others' (closer ones count as "
            "equally good)"
        )
    else:
        text += (
            "The budget ran out before the selection could guarantee δ: the winner has the "
            "best mean"
        )
    if summary.get("constraints"):
        held = "holds" if summary["feasible"] else "does NOT hold"
        text += (
            f"; each constraint {held} for the winner at {confidence} confidence (one-sided bound)"
        )
    return text + "."


def show_optimize(printer: Printer, directory: Path) -> None:
    """The tables of a finished optimisation (for ``jitsim show``)."""
    results = read_results(directory)
    finalists = results.table("optimize_finalists")
    if finalists is None:
        stderr().print(Text(f"{directory}: no optimize_finalists.csv"))
        return
    print_optimize(printer, results.summary, finalists, results.currency)
