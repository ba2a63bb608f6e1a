"""The ``jitsim`` command line: a thin layer over the public API.

Each command parses its options, calls the API, prints and writes. User errors
(:class:`~jitsim.errors.JitsimError`, bad options, missing files) print a message to stderr
and exit with status 2; anything unexpected prints a short "internal error" message and exits
with status 1 (the traceback is shown with ``--debug`` or ``JITSIM_DEBUG=1``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

import jitsim
from jitsim.errors import JitsimError, ScenarioError
from jitsim.execution.batch import RunResult
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.results_dir import default_out_dir, prepare_out_dir, writing
from jitsim.execution.simulate import policy_derived_values
from jitsim.experiments.compare import Comparison
from jitsim.experiments.stress import (
    DEFAULT_DURATIONS,
    StressResult,
    check_durations,
    check_nodes,
)
from jitsim.model.kpis import HEADLINE_KPIS
from jitsim.output import trace as trace_format
from jitsim.output.describe import describe_scenario
from jitsim.output.exports import export_tables
from jitsim.output.tables import format_estimate, headline_rows, kpi_unit
from jitsim.scenario.disruptions import event_key, named_event
from jitsim.scenario.grid import grid_from_mapping, parse_assignment
from jitsim.scenario.models import Scenario
from jitsim.scenario.overrides import apply_overrides

app = typer.Typer(
    name="jitsim",
    help="Does Just-in-Time beat buffered stock? Simulate supply-chain scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # help texts contain [brackets] that are not markup
)

P = ParamSpec("P")
R = TypeVar("R")

#: Exit status of user errors (bad scenario, bad option, ...).
USER_ERROR = 2
#: Exit status of unexpected internal errors.
INTERNAL_ERROR = 1

_state = {"debug": False}


def _stdout() -> Console:
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 120)  # do not squeeze tables written to files/pipes
    return console


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _debug() -> bool:
    return _state["debug"] or os.environ.get("JITSIM_DEBUG", "") not in ("", "0")


def _fail(error: JitsimError) -> typer.Exit:
    # Scenario problems are printed as they are (FILE:LINE: path: message), one per line.
    message = str(error) if isinstance(error, ScenarioError) else f"error: {error}"
    _stderr().print(Text(message))
    return typer.Exit(USER_ERROR)


def _guard(func: Callable[P, R]) -> Callable[P, R]:
    """Turn user errors into exit status 2 and unexpected errors into status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            out = kwargs.get("resume") or kwargs.get("out")
            hint = (
                f"; finished replications are kept: continue with --resume {out}"
                if out is not None
                else "; finished replications are kept in the results directory: continue "
                "with --resume DIR"
            )
            _stderr().print(Text(f"interrupted{hint}"))
            raise typer.Exit(130) from None
        except JitsimError as exc:
            raise _fail(exc) from None
        except Exception as exc:
            if _debug():
                raise
            _stderr().print(
                Text(
                    f"internal error: {type(exc).__name__}: {exc}\n"
                    "This is a bug in jitsim; rerun with --debug (or JITSIM_DEBUG=1) for the "
                    "traceback and please report it."
                )
            )
            raise typer.Exit(INTERNAL_ERROR) from None

    return wrapper


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"jitsim {jitsim.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    """Does Just-in-Time beat buffered stock? Simulate supply-chain scenarios."""
    _state["debug"] = debug


FileArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
ReplicationsOpt = Annotated[
    int | None, typer.Option("-n", "--replications", min=1, help="Replications per alternative.")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Master seed.")]
AlternativeOpt = Annotated[
    list[str] | None,
    typer.Option("--alternative", "-a", help="Run only this alternative (repeatable)."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Results directory [default: results/<file stem>]."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
BackendOpt = Annotated[
    str, typer.Option(help="Where to run: processes, serial or dask (same results).")
]
WorkersOpt = Annotated[
    int | None, typer.Option(min=1, help="Worker processes [default: all cores].")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (with --backend dask) [default: local cluster]."),
]
ResumeOpt = Annotated[
    Path | None,
    typer.Option(help="Continue the interrupted run whose results directory is DIR."),
]
PrecisionOpt = Annotated[
    float | None,
    typer.Option(
        help="Run in rounds until each --kpi's 95 % CI half-width is within this relative "
        "target (e.g. 0.01 = ±1 %)."
    ),
]
KpiOpt = Annotated[
    list[str] | None,
    typer.Option("--kpi", help="KPI watched by --precision (repeatable) [default: total_cost]."),
]
MinRepsOpt = Annotated[int, typer.Option(min=10, help="First round of --precision (replications).")]
MaxRepsOpt = Annotated[int, typer.Option(min=10, help="Cap of --precision (replications).")]
ChunkOpt = Annotated[
    int | None,
    typer.Option(
        "--chunk-size", min=1, help="Replications per chunk of work (default: automatic)."
    ),
]
EventOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--event",
        help="Add a named stress event, e.g. outage-30d:acme or demand-surge-50pct-28d:shop@120 "
        "(repeatable; see docs/disruptions.md).",
    ),
]
ExportOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--export", help="Also write tables as parquet or xlsx (one sheet per table); repeatable."
    ),
]


def _load(file: Path, events: list[str] | None) -> Scenario:
    """The scenario in ``file`` with the named stress events given by ``--event`` added."""
    scenario = jitsim.load_scenario(file)
    if not events:
        return scenario
    for text in events:
        try:
            named_event(text)
        except ValueError as exc:
            raise JitsimError(f"--event: {exc}") from None
    added = {f"disruptions.{key}": text for text, key in _event_keys(events)}
    clash = [key for key in added if key.removeprefix("disruptions.") in scenario.disruptions]
    if clash:
        raise JitsimError(f"--event: the scenario already has a disruption named {clash[0]!r}")
    try:
        return apply_overrides(scenario, None, added)
    except ScenarioError as exc:  # name the option, not a line of the file
        raise ScenarioError(
            dataclasses.replace(problem, file=f"{file} --event") for problem in exc.problems
        ) from None


def _event_keys(events: list[str]) -> list[tuple[str, str]]:
    """Each ``--event`` text and its key in ``disruptions:`` (equal keys numbered -2, -3 …)."""
    keys: list[tuple[str, str]] = []
    for text in events:
        key, extra = event_key(text), 1
        while any(key == taken for _, taken in keys):
            extra += 1
            key = f"{event_key(text)[:60]}-{extra}"
        keys.append((text, key))
    return keys


def _event_args(events: list[str] | None) -> list[str]:
    return [f"--event={text}" for text in events or []]


def _precision(
    precision: float | None, kpis: list[str] | None, minimum: int, maximum: int
) -> PrecisionTarget | None:
    if precision is None:
        if kpis:
            raise JitsimError("--kpi only makes sense with --precision")
        return None
    return PrecisionTarget(
        precision,
        tuple(kpis or ("total_cost",)),
        min_replications=minimum,
        max_replications=maximum,
    )


def _out_dir(file: Path, out: Path | None, resume: Path | None, command: str = "run") -> Path:
    if resume is not None and out is not None and Path(out) != Path(resume):
        raise JitsimError("give either --out or --resume, not both")
    chosen = resume if resume is not None else out
    default = default_out_dir(file)
    if command != "run":  # each kind of experiment keeps its own results directory
        default = default.with_name(f"{default.name}-{command}")
    path = chosen if chosen is not None else default
    prepare_out_dir(path)  # fail before simulating, not after
    return path


def _recorded(resume: Path | None) -> dict[str, Any]:
    """Settings of the interrupted run in ``resume`` (empty without --resume).

    A resumed command takes -n, --seed, --alternative and --precision from the manifest
    unless they are given again, so ``--resume DIR`` alone is enough.
    """
    if resume is None:
        return {}
    path = Path(resume) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JitsimError(f"{resume}: nothing to resume (no manifest.json here)") from None
    except (OSError, ValueError) as exc:
        raise JitsimError(f"{path}: unreadable manifest ({exc})") from None
    plan = manifest.get("plan") or {}
    return {
        "replications": plan.get("replications"),
        "seed": manifest.get("seed"),
        "alternatives": plan.get("alternatives"),
        "precision": plan.get("precision"),
        "trajectories": plan.get("trajectories") or 0,
        "baseline": plan.get("baseline"),
        "chunk_size": plan.get("chunk_size"),
        "plan": plan,
        "events": _options_of(manifest.get("command"), "--event"),
        "reference": next(iter(_options_of(manifest.get("command"), "--reference")), None),
    }


def _options_of(command: Any, option: str) -> list[str]:
    """The ``OPTION=VALUE`` values of a recorded command line, in order (``--event=…``, as
    :func:`_event_args` writes them); none when the command is not one of ours."""
    if not isinstance(command, str):
        return []
    try:
        words = shlex.split(command)
    except ValueError:  # set by an API caller to free text: the hash check will say more
        return []
    return [w.removeprefix(f"{option}=") for w in words if w.startswith(f"{option}=")]


@dataclasses.dataclass
class _Settings:
    """Scenario and batch settings of a command: as given, else as recorded by the run being
    resumed (its ``--event`` texts included)."""

    scenario: Scenario
    events: list[str] | None
    replications: int | None
    seed: int | None
    alternatives: list[str] | None
    chunk_size: int | None
    precision: PrecisionTarget | None
    recorded: dict[str, Any]


def _settings(
    file: Path,
    events: list[str] | None,
    resume: Path | None,
    replications: int | None = None,
    seed: int | None = None,
    alternatives: list[str] | None = None,
    chunk_size: int | None = None,
    precision: PrecisionTarget | None = None,
) -> _Settings:
    recorded = _recorded(resume)
    events = events or recorded.get("events")
    return _Settings(
        _load(file, events),
        events,
        replications or recorded.get("replications"),
        seed if seed is not None else recorded.get("seed"),
        alternatives or recorded.get("alternatives"),
        chunk_size or recorded.get("chunk_size"),
        _resumed_precision(precision, recorded),
        recorded,
    )


def _resumed_precision(
    target: PrecisionTarget | None, recorded: dict[str, Any]
) -> PrecisionTarget | None:
    if target is not None or not recorded.get("precision"):
        return target
    settings = dict(recorded["precision"])
    settings["kpis"] = tuple(settings.get("kpis", ("total_cost",)))
    return PrecisionTarget(**settings)


def _written(out_dir: Path) -> None:
    names = ", ".join(sorted(p.name for p in Path(out_dir).iterdir() if p.is_file()))
    _stdout().print(Text(f"results written to {out_dir}{os.sep}: {names}"))


# -- run ------------------------------------------------------------------------------------


class _RateColumn(ProgressColumn):
    """Replications per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–  rep/s" if speed is None else f"{speed:.1f} rep/s", style="cyan")


def _with_progress(quiet: bool, call: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call an API function with a progress bar on stderr (unless quiet or not a terminal)."""
    err = _stderr()
    if quiet or not err.is_terminal:
        return call(*args, **kwargs)
    with Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("run", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return call(*args, progress=report, **kwargs)


def _command_line(
    file: Path,
    replications: int,
    seed: int,
    alternatives: list[str] | None,
    out: Path,
    trajectories: int,
    events: list[str] | None = None,
) -> str:
    """The command that reproduces a run (options resolved)."""
    parts = ["jitsim", "run", str(file), "-n", str(replications), "--seed", str(seed)]
    parts += _event_args(events)
    for alternative in alternatives or []:
        parts += ["--alternative", alternative]
    parts += ["--out", str(out)]
    if trajectories:
        parts += ["--trajectories", str(trajectories)]
    return shlex.join(parts)


def _print_headline(result: RunResult) -> None:
    console = _stdout()
    run = result.scenario.run
    table = Table(title=escape(result.scenario.name), title_justify="left")
    table.add_column("KPI", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    for alternative in result.alternatives:
        table.add_column(escape(alternative), justify="right", no_wrap=True)
    for kpi, unit, cells in headline_rows(result):
        table.add_row(kpi, unit, *cells)
    console.print(table)
    console.print(
        f"{result.replications_per_alternative} replications per alternative, "
        f"seed {result.seed}, window {result.window_days} days "
        f"(horizon {run.horizon_days}, warm-up {run.warmup_days}); "
        "mean ± half-width of the 95 % confidence interval."
    )


@app.command("run")
@_guard
def run_command(
    file: FileArg,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    alternative: AlternativeOpt = None,
    out: OutOpt = None,
    trajectories: Annotated[
        int,
        typer.Option(min=0, help="Keep end-of-day series of the first K replications."),
    ] = 0,
    quiet: QuietOpt = False,
    backend: BackendOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = None,
    precision: PrecisionOpt = None,
    kpi: KpiOpt = None,
    min_replications: MinRepsOpt = 20,
    max_replications: MaxRepsOpt = 5000,
    export: ExportOpt = None,
    chunk_size: ChunkOpt = None,
    event: EventOpt = None,
) -> None:
    """Simulate every alternative, print the headline KPIs and write the results directory.

    Finished replications are written to the results directory as they complete; if the run
    is interrupted, ``--resume DIR`` continues it without recomputing them.
    """
    settings = _settings(
        file,
        event,
        resume,
        replications,
        seed,
        alternative,
        chunk_size,
        _precision(precision, kpi, min_replications, max_replications),
    )
    scenario, event = settings.scenario, settings.events
    replications, seed, alternative = settings.replications, settings.seed, settings.alternatives
    chunk_size, target = settings.chunk_size, settings.precision
    trajectories = trajectories or settings.recorded.get("trajectories", 0)
    out_dir = _out_dir(file, out, resume)
    command = _command_line(
        file,
        replications or scenario.run.replications,
        scenario.run.seed if seed is None else seed,
        alternative,
        Path(out_dir),
        trajectories,
        event,
    )
    result = _with_progress(
        quiet,
        jitsim.run,
        scenario,
        replications=replications,
        seed=seed,
        alternatives=alternative or None,
        trajectories=trajectories,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        out=out_dir,
        resume=resume is not None,
        command=command,
        precision=target,
        chunk_size=chunk_size,
    )
    if export:
        export_tables(
            {"summary": result.summary(), "replications": result.replications()},
            out_dir,
            export,
        )
    _print_headline(result)
    if result.precision is not None:
        _stdout().print(Text(result.precision.describe()))
    _written(out_dir)


# -- compare --------------------------------------------------------------------------------


@app.command()
@_guard
def compare(
    file: FileArg,
    baseline: Annotated[
        str | None, typer.Option(help="Alternative to compare against [default: the first].")
    ] = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    alternative: AlternativeOpt = None,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    backend: BackendOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = None,
    precision: PrecisionOpt = None,
    kpi: KpiOpt = None,
    min_replications: MinRepsOpt = 20,
    max_replications: MaxRepsOpt = 5000,
    export: ExportOpt = None,
    chunk_size: ChunkOpt = None,
    event: EventOpt = None,
) -> None:
    """Compare every alternative with a baseline under common random numbers (paired)."""
    settings = _settings(
        file,
        event,
        resume,
        replications,
        seed,
        alternative,
        chunk_size,
        _precision(precision, kpi, min_replications, max_replications),
    )
    scenario, event = settings.scenario, settings.events
    replications, seed, alternative = settings.replications, settings.seed, settings.alternatives
    chunk_size, target = settings.chunk_size, settings.precision
    baseline = baseline or settings.recorded.get("baseline")
    out_dir = _out_dir(file, out, resume, "compare")
    comparison = _with_progress(
        quiet,
        jitsim.compare,
        scenario,
        baseline,
        replications=replications,
        seed=seed,
        alternatives=alternative or None,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        out=out_dir,
        resume=resume is not None,
        command=shlex.join(["jitsim", "compare", str(file), *_event_args(event)]),
        precision=target,
        chunk_size=chunk_size,
    )
    differences = comparison.differences()
    export_tables({"comparison": differences}, out_dir, ["csv"])
    if export:
        export_tables(
            {
                "summary": comparison.result.summary(),
                "comparison": differences,
                "replications": comparison.result.replications(),
            },
            out_dir,
            export,
        )
    _print_headline(comparison.result)
    _print_differences(comparison)
    if comparison.result.precision is not None:
        _stdout().print(Text(comparison.result.precision.describe()))
    _written(out_dir)


def _print_differences(comparison: Comparison) -> None:
    console = _stdout()
    currency = comparison.result.scenario.run.currency
    table = Table(
        title=f"paired differences vs {escape(comparison.baseline)} (95 % CI)",
        title_justify="left",
    )
    for column, justify in (
        ("alternative", "left"),
        ("KPI", "left"),
        ("unit", "left"),
        ("difference", "right"),
        ("relative", "right"),
        ("better in", "right"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    wanted = [k for k in (*HEADLINE_KPIS, "demand_units")]
    rows = comparison.differences(
        [k for k in wanted if k in comparison.result.replications().columns]
    )
    for row in rows.to_dict("records"):
        unit, scale = kpi_unit(str(row["kpi"]), currency)
        half = (float(row["ci95_high"]) - float(row["ci95_low"])) / 2
        better = float(row["share_better"])
        table.add_row(
            escape(str(row["alternative"])),
            str(row["kpi"]),
            "pp" if unit == "%" else unit,
            format_estimate(float(row["difference"]), half, scale),
            _relative_text(float(row["relative_change"])),
            "–" if math.isnan(better) else f"{better:.0%}",
        )
    console.print(table)
    for line in comparison.verdicts():
        console.print(Text(line))


def _relative_text(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:+.1%}"


# -- sweep ----------------------------------------------------------------------------------


@app.command()
@_guard
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
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    alternative: AlternativeOpt = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="KPI to print (repeatable) [default: total_cost, fill_rate]."),
    ] = None,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    backend: BackendOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = None,
    export: ExportOpt = None,
    event: EventOpt = None,
) -> None:
    """Run every alternative at every point of a grid over scenario fields (paired)."""
    settings = _settings(file, event, resume)
    scenario, event = settings.scenario, settings.events
    grid = grid_from_mapping(scenario.sweep) if scenario.sweep else {}
    for assignment in set_ or []:
        path, axis = parse_assignment(assignment)
        grid.pop(path, None)
        grid[path] = axis
    if not grid:
        raise JitsimError(
            "nothing to sweep: give --set PATH=V1,V2,... or a sweep: section in the file"
        )
    out_dir = _out_dir(file, out, resume, "sweep")
    result = _with_progress(
        quiet,
        jitsim.sweep,
        scenario,
        grid,
        source_file=file,
        replications=replications,
        seed=seed,
        alternatives=alternative or None,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        out=out_dir,
        resume=resume is not None,
        command=shlex.join(
            ["jitsim", "sweep", str(file), *(f"--set={a}" for a in set_ or []), *_event_args(event)]
        ),
    )
    if export:
        export_tables(
            {"sweep_summary": result.summary(), "replications": result.replications()},
            out_dir,
            export,
        )
    shown = kpi or ["total_cost", "fill_rate"]
    summary = result.summary(shown)
    currency = scenario.run.currency
    table = Table(title=escape(f"{scenario.name}: sweep"), title_justify="left")
    for name in result.parameters:
        table.add_column(escape(name), justify="right", overflow="fold")
    table.add_column("alternative", no_wrap=True)
    for name in shown:
        unit, _ = kpi_unit(name, currency)
        table.add_column(
            escape(f"{name} ({unit})" if unit else name), justify="right", no_wrap=True
        )
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
                    raise JitsimError(f"unknown KPI {kpi_name!r} for --kpi")
                _, scale = kpi_unit(kpi_name, currency)
                cells.append(format_estimate(float(row["mean"]), float(row["half_width"]), scale))
            table.add_row(*(str(setting[p]) for p in result.parameters), escape(name), *cells)
    _stdout().print(table)
    _stdout().print(
        Text(
            f"{len(result.values)} points × {len(result.alternatives)} alternatives × "
            f"{result.replications_per_point} replications, seed {result.seed}, "
            "common random numbers across points; mean ± 95 % CI half-width."
        )
    )
    _written(out_dir)


# -- breakeven ------------------------------------------------------------------------------


@app.command()
@_guard
def breakeven(
    file: FileArg,
    param: Annotated[str, typer.Option(help="Dotted path of a numeric scenario field.")],
    range_: Annotated[str, typer.Option("--range", help="Search interval LO:HI.")],
    between: Annotated[
        str, typer.Option(help="The two alternatives A,B: where does A stop beating B?")
    ],
    kpi: Annotated[str, typer.Option(help="KPI compared.")] = "total_cost",
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    tolerance: Annotated[
        float | None, typer.Option(help="Stop when the bracket is this narrow.")
    ] = None,
    max_iterations: Annotated[int, typer.Option(min=1, help="Bisection steps at most.")] = 12,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    backend: BackendOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = None,
    event: EventOpt = None,
) -> None:
    """Find the parameter value at which alternative A stops beating B (paired bisection)."""
    settings = _settings(file, event, resume)
    scenario, event = settings.scenario, settings.events
    low, high = _parse_range(range_)
    pair = [name.strip() for name in between.split(",")]
    if len(pair) != 2 or not all(pair):
        raise JitsimError(f"--between {between!r}: give two alternatives as A,B")
    out_dir = _out_dir(file, out, resume, "breakeven")
    result = _with_progress(
        quiet,
        jitsim.breakeven,
        scenario,
        param,
        low,
        high,
        (pair[0], pair[1]),
        kpi=kpi,
        source_file=file,
        replications=replications,
        seed=seed,
        tolerance=tolerance,
        max_iterations=max_iterations,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        out=out_dir,
        resume=resume is not None,
        command=shlex.join(
            ["jitsim", "breakeven", str(file), "--param", param, *_event_args(event)]
        ),
    )
    table = Table(title=f"{escape(pair[0])} − {escape(pair[1])}: {kpi}", title_justify="left")
    for column in (param, "difference", "95 % CI", "n"):
        table.add_column(escape(column), justify="right", no_wrap=True)
    for row in result.evaluations().sort_values("x").to_dict("records"):
        half = (float(row["ci95_high"]) - float(row["ci95_low"])) / 2
        table.add_row(
            f"{float(row['x']):.6g}",
            format_estimate(float(row["mean_diff"]), half),
            f"[{float(row['ci95_low']):.4g}, {float(row['ci95_high']):.4g}]",
            str(int(row["n"])),
        )
    _stdout().print(table)
    _stdout().print(Text(result.sentence))
    _written(out_dir)


def _parse_range(text: str) -> tuple[float, float]:
    parts = text.split(":")
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise JitsimError(f"--range {text!r}: give LO:HI, e.g. 0.1:0.6") from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise JitsimError(f"--range {text!r}: LO must be < HI")
    return low, high


# -- validate -------------------------------------------------------------------------------


@app.command()
@_guard
def validate(file: FileArg) -> None:
    """Check a scenario file and print a summary; every problem is listed as FILE:LINE."""
    scenario = jitsim.load_scenario(file)
    derived = policy_derived_values(scenario)
    console = _stdout()
    console.print(Text(f"{file}: valid", style="green"))
    console.print(Text(describe_scenario(scenario, derived)))


# -- schema ---------------------------------------------------------------------------------


@app.command()
@_guard
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Scenario.model_json_schema(),
    }
    document["title"] = "jitsim scenario"
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    with writing(out):
        out.write_text(text, encoding="utf-8")
    _stderr().print(Text(f"schema written to {out}"))


# -- trace ----------------------------------------------------------------------------------


@app.command()
@_guard
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
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Master seed.")] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the events to this CSV file.")
    ] = None,
    event: EventOpt = None,
) -> None:
    """Run one replication and print its day-by-day event log."""
    scenario = _load(file, event)
    known = scenario.alternative_names()
    chosen = alternative if alternative is not None else known[0]
    if chosen not in known:
        raise JitsimError(f"unknown alternative {chosen!r} (this scenario has: {', '.join(known)})")
    if days is not None:
        settings = scenario.run.model_copy(update={"horizon_days": days, "warmup_days": 0})
        scenario = scenario.model_copy(update={"run": settings})
    master = scenario.run.seed if seed is None else seed
    outcome = jitsim.simulate(scenario, chosen, replication, master, trace=True)
    console = _stdout()
    console.print(
        Text(
            f"trace of {scenario.name!r}: alternative {chosen}, replication {replication}, "
            f"seed {master}, {scenario.run.horizon_days} days "
            f"(warm-up {scenario.run.warmup_days})"
        )
    )
    console.print(
        Text(trace_format.format_trace(outcome.trace, warmup_days=scenario.run.warmup_days))
    )
    if csv is not None:
        with writing(csv):
            trace_format.trace_frame(outcome.trace).to_csv(csv, index=False)
        _stderr().print(Text(f"{len(outcome.trace)} events written to {csv}"))


# -- stress ---------------------------------------------------------------------------------


def _parse_durations(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise JitsimError(
            f"--durations {text!r}: give whole days as D1,D2,..., e.g. 7,30"
        ) from None
    return check_durations(values)


@app.command()
@_guard
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
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    alternative: AlternativeOpt = None,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    backend: BackendOpt = "processes",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = None,
    precision: PrecisionOpt = None,
    kpi: KpiOpt = None,
    min_replications: MinRepsOpt = 20,
    max_replications: MaxRepsOpt = 5000,
    export: ExportOpt = None,
    chunk_size: ChunkOpt = None,
    event: EventOpt = None,
) -> None:
    """Knock out each supplier and plant in turn: time-to-survive, impact, recovery, tail risk.

    Every knock-out is paired with the undisrupted baseline under common random numbers; the
    ranked weak links go to stress.csv, the time-to-survive to tts.csv. An interrupted run
    continues with ``--resume DIR`` alone.
    """
    settings = _settings(
        file,
        event,
        resume,
        replications,
        seed,
        alternative,
        chunk_size,
        _precision(precision, kpi, min_replications, max_replications),
    )
    scenario, event = settings.scenario, settings.events
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
    out_dir = _out_dir(file, out, resume, "stress")
    parts = ["jitsim", "stress", str(file), "--durations", ",".join(map(str, lengths))]
    for name in node or []:
        parts += ["--node", name]
    for text in test_event or []:
        parts += ["--test-event", text]
    if calm:
        parts.append("--calm")
    reference = reference or settings.recorded.get("reference")
    if reference:  # not part of the run's identity: a resumed run may change it
        parts.append(f"--reference={reference}")
    result = _with_progress(
        quiet,
        jitsim.stress,
        scenario,
        nodes=node or None,
        durations=lengths,
        start_day=start_day,
        events=test_event or None,
        reference=reference,
        calm=calm,
        keep=[key for _, key in _event_keys(event or [])],  # the --event texts stay
        source_file=file,
        replications=settings.replications,
        seed=settings.seed,
        alternatives=settings.alternatives or None,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        chunk_size=settings.chunk_size,
        out=out_dir,
        resume=resume is not None,
        command=shlex.join([*parts, *_event_args(event)]),
        precision=settings.precision,
    )
    if export:
        export_tables(
            {
                "stress": result.table(),
                "tts": result.tts(),
                **(
                    {"mitigations": result.mitigations(reference)}
                    if len(result.alternatives) > 1
                    else {}
                ),
                "replications": result.records(),
            },
            out_dir,
            export,
        )
    _print_stress(result, scenario.run.currency)
    if len(result.alternatives) > 1:
        _print_mitigations(result, reference, scenario.run.currency)
    if result.precision is not None:
        _stdout().print(Text(result.precision.describe()))
    _written(out_dir)


def _print_mitigations(result: StressResult, reference: str | None, currency: str) -> None:
    table = result.mitigations(reference)
    if table.empty:
        return
    chosen = str(table["reference"].iloc[0])
    view = Table(
        title=escape(f"what each alternative buys against {chosen} (per failure; per year)"),
        title_justify="left",
    )
    for column in (
        "node",
        "TTR days",
        "alternative",
        f"impact avoided {currency}",
        "lost units avoided",
        "TTS gain days",
        f"annual cost {currency}",
        "pays if failures/year",
    ):
        named = column in ("node", "alternative")
        view.add_column(
            escape(column),
            justify="left" if named else "right",
            no_wrap=named,
            overflow="ellipsis" if named else "fold",
        )
    for row in table.to_dict("records"):
        pays = str(row["pays_if"])
        breakeven = row["breakeven_failures_per_year"]
        if pays == "more often":
            pays = f"> {breakeven:.2g}"
        elif pays == "less often":
            pays = f"< {breakeven:.2g}"
        view.add_row(
            escape(str(row["node"])),
            f"{row['duration_days']:g}",
            escape(str(row["alternative"])),
            f"{row['impact_avoided']:,.0f}",
            f"{row['lost_units_avoided']:,.1f}",
            "—" if math.isnan(row["tts_gain_days"]) else f"{row['tts_gain_days']:+g}",
            f"{row['annual_cost']:,.0f}",
            pays,
        )
    _stdout().print(view)
    _stdout().print(
        Text(
            "Impact avoided: the reference's impact minus the alternative's, each against its "
            "own baseline. Annual cost: profit the alternative gives up against the reference "
            "in the baseline (the scenario as given), per year. It pays when this failure "
            "strikes more (>) or less (<) often than annual cost / impact avoided times a year; "
            "always: cheaper and safer; never: dearer and no safer."
        )
    )


def _flag(tts_days: float, censored: bool, duration: float) -> str:
    """TTS < TTR on screen: YES, no, ? (a censored TTS below the TTR), — (no TTS)."""
    if math.isnan(tts_days):
        return "—"
    if tts_days >= duration:
        return "no"
    return "?" if censored else "YES"


def _ttr_flag(row: Mapping[Any, Any], duration: int) -> str:
    """The TTS table's flag for duration D (— for a tested event: it has its own TTR)."""
    if row["node_kind"] == "event":
        return "—"
    return _flag(row["tts_days"], row["tts_censored"], duration)


def _print_stress(result: StressResult, currency: str) -> None:
    console = _stdout()
    table = Table(
        title=escape(f"{result.scenario.name}: weak links (ranked by risk exposure)"),
        title_justify="left",
    )
    for column in (
        "#",
        "node",
        "TTR days",
        "alternative",
        "lost units",
        f"impact {currency}",
        "risk index",
        "P(stock-out)",
        f"CVaR95 lost margin {currency}",
        "P(service drop)",
        "recovery days",
        "TTS<TTR",
    ):
        # Names never wrap; the long numeric headers fold instead.
        named = column in ("node", "alternative")
        table.add_column(
            escape(column),
            justify="left" if named else "right",
            no_wrap=named,
            overflow="ellipsis" if named else "fold",
        )
    for row in result.table().to_dict("records"):
        recovery = row["recovery_days"]
        recovery_text = "—" if math.isnan(recovery) else f"{recovery:g}"
        if row["recovery_censored"]:
            recovery_text = f">= {recovery_text}"
        table.add_row(
            str(row["rank"]),
            escape(str(row["node"])),
            f"{row['duration_days']:g}",
            escape(str(row["alternative"])),
            f"{row['lost_units']:,.1f}",
            f"{row['impact']:,.0f}",
            f"{row['risk_exposure_index']:.2f}",
            f"{row['p_stockout']:.0%}",
            f"{row['lost_margin_cvar95']:,.0f}",
            f"{row['service_drop_share']:.0%}",
            recovery_text,
            _flag(row["tts_days"], row["tts_censored"], row["duration_days"]),
        )
    console.print(table)
    tts = Table(
        title=escape(f"time-to-survive from day {result.start_day} (node down to the horizon)"),
        title_justify="left",
    )
    for column in (
        "node",
        "kind",
        "alternative",
        "TTS (days)",
        "min",
        "censored",
        "short anyway",
        *(f"TTS<TTR={d}" for d in result.durations),
    ):
        tts.add_column(escape(column), justify="right", no_wrap=True)
    for row in result.tts().to_dict("records"):
        value = f"{row['tts_days']:g}"
        if row["tts_censored"]:
            value = f">= {value}"
        tts.add_row(
            escape(str(row["node"])),
            str(row["node_kind"]),
            escape(str(row["alternative"])),
            value,
            "—" if math.isnan(row["tts_min_days"]) else f"{row['tts_min_days']:g}",
            f"{row['censored_share']:.0%}",
            f"{row['baseline_short_first_share']:.0%}",
            *(_ttr_flag(row, d) for d in result.durations),
        )
    console.print(tts)
    run = result.scenario.run.service_recovery
    console.print(
        Text(
            f"{len(result.nodes)} nodes × {len(result.durations)} durations"
            + (f" + {len(result.events)} tested events" if result.events else "")
            + f" × {len(result.alternatives)} alternatives × {result.replications} replications, "
            f"seed {result.seed}, paired with the undisrupted baseline (common random numbers). "
            "Impact = extra total cost + lost margin + purchase premium (apart in stress.csv); "
            "risk index = impact / largest impact. "
            "TTS: Kaplan–Meier median of the days fully served after the failure, censored at "
            f"the horizon ({result.horizon_after_failure} days; a tested event: its end) or "
            "where the baseline runs short anyway ('short anyway'). Service drop: rolling "
            f"{run.window_days}-day fill rate below {run.below:g}; recovery: back at "
            f"{run.recovered:g} (Kaplan–Meier median days). '?': the censored TTS may or may "
            "not be shorter."
        )
    )


def main() -> None:
    """Entry point of the ``jitsim`` console script and ``python -m jitsim``."""
    app(prog_name="jitsim")
