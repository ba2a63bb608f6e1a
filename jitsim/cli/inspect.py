"""``jitsim validate``, ``jitsim schema`` and ``jitsim trace``: a scenario file checked,
described, or followed day by day through one replication."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

import jitsim
from jitsim.cli.console import stderr, stdout
from jitsim.cli.layout import screen_width, wrap_text
from jitsim.cli.options import EventOpt, FileArg, SeedOpt
from jitsim.cli.settings import load_with_events, print_event_warnings
from jitsim.errors import JitsimError, format_path, with_suggestion
from jitsim.execution.results_dir import writing
from jitsim.execution.simulate import policy_derived_values
from jitsim.output import trace as trace_format
from jitsim.output.describe import describe_scenario
from jitsim.scenario.limits import MAX_HORIZON_DAYS, size_problems
from jitsim.scenario.models import Scenario, json_schema
from jitsim.units import plural


def _traced_days(scenario: Scenario, days: int) -> Scenario:
    """``scenario`` over ``days`` days without warm-up, within the limits of a horizon (checked
    before anything is allocated: the copy is not validated again)."""
    if days > MAX_HORIZON_DAYS:
        raise JitsimError(
            f"--days {days:,} is over the limit of {MAX_HORIZON_DAYS:,} days (the longest "
            "horizon; see Limits in docs/scenario-reference.md)"
        )
    settings = scenario.run.model_copy(update={"horizon_days": days, "warmup_days": 0})
    traced = scenario.model_copy(update={"run": settings})
    for path, message in size_problems(traced):  # node-days: the network times the days
        raise JitsimError(f"--days {days:,}: {format_path(path)}: {message}")
    return traced


def validate(file: FileArg) -> None:
    """Check a scenario file and print a summary; every problem is listed as FILE:LINE."""
    scenario = load_with_events(file, None)
    derived = policy_derived_values(scenario)
    console, width = stdout(), screen_width()
    console.print(Text(wrap_text(f"{file}: valid", width), style="green"))
    console.print(Text(wrap_text(describe_scenario(scenario, derived), width)))


def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editors and validators).

    Editors complete and check a scenario file that starts with this line (PATH relative to
    the file, or a URL; the bundled scenarios point at schema/scenario.schema.json):

    \b
      # yaml-language-server: $schema=PATH
    """
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    with writing(out):
        out.write_text(text, encoding="utf-8")
    stderr().print(Text(f"schema written to {out}"))


def trace(
    file: FileArg,
    alternative: Annotated[
        str | None,
        typer.Option("--alternative", "-a", help="Alternative [default: the first]."),
    ] = None,
    replication: Annotated[
        int, typer.Option("--replication", "-r", min=0, help="Replication index.")
    ] = 0,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Simulate only N days, no warm-up.")
    ] = None,
    seed: SeedOpt = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the events to this CSV file.")
    ] = None,
    event: EventOpt = None,
) -> None:
    """Run one replication and print its day-by-day event log."""
    scenario = load_with_events(file, event, warn=days is None)
    known = scenario.alternative_names()
    chosen = alternative if alternative is not None else known[0]
    if chosen not in known:
        raise JitsimError(
            with_suggestion(
                f"unknown alternative {chosen!r} (this scenario has: {', '.join(known)})",
                chosen,
                known,
            )
        )
    if days is not None:
        scenario = _traced_days(scenario, days)
        print_event_warnings(scenario)  # against the days traced
    master = scenario.run.seed if seed is None else seed
    outcome = jitsim.simulate(scenario, chosen, replication, master, trace=True)
    console, width = stdout(), screen_width()
    header = (
        f"trace of {scenario.name!r}: alternative {chosen}, replication {replication}, "
        f"seed {master}, {plural(scenario.run.horizon_days, 'day')} "
        f"(warm-up {scenario.run.warmup_days})"
    )
    events = trace_format.format_trace(outcome.trace, warmup_days=scenario.run.warmup_days)
    console.print(Text(wrap_text(header, width)))
    console.print(Text(wrap_text(events, width)))
    if csv is not None:
        with writing(csv):
            trace_format.trace_frame(outcome.trace).to_csv(csv, index=False)
        stderr().print(Text(f"{plural(len(outcome.trace), 'event')} written to {csv}"))
