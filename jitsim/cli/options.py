"""Options of the command line, each declared once: its type, flags, help and default.

The batch commands (run, compare, sweep, breakeven, stress) share most of their options; a
command names the shared ones it takes with :func:`batch_command` and reads them from one
:class:`BatchOptions` argument.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from jitsim.cli.scope import command_scope
from jitsim.errors import JitsimError
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.results_dir import default_out_dir


def _out_help(kind: str) -> str:
    """Help of ``--out`` for an experiment of ``kind`` (``run``, ``compare``, ...)."""
    return f"Results directory [default: {default_out_dir('<file stem>', kind).as_posix()}]."


FileArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Master seed.")]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="How to print the tables: table (laid out for the terminal's width), csv or "
        "json (for programs: data on stdout, notes on stderr).",
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


@dataclasses.dataclass(frozen=True)
class Parsed:
    """One parameter of a command line as parsed: its name, flags (none for an argument) and
    value."""

    name: str
    flags: tuple[str, ...]
    value: Any


@dataclasses.dataclass(frozen=True)
class BatchOptions:
    """The options the batch commands share; a command leaves those it does not take at their
    defaults."""

    replications: Annotated[
        int | None,
        typer.Option("-n", "--replications", min=1, help="Replications per alternative."),
    ] = None
    seed: SeedOpt = None
    alternative: Annotated[
        list[str] | None,
        typer.Option("--alternative", "-a", help="Run only this alternative (repeatable)."),
    ] = None
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=_out_help("run")),
    ] = None
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace the results of an earlier command in the results directory (only "
            "the files jitsim wrote there).",
        ),
    ] = False
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False
    output_format: FormatOpt = "table"
    backend: Annotated[
        str, typer.Option(help="Where to run: processes, serial or dask (same results).")
    ] = "processes"
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes [default: all cores].")
    ] = None
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (with --backend dask) [default: local cluster]."),
    ] = None
    resume: Annotated[
        Path | None,
        typer.Option(help="Continue the interrupted run whose results directory is DIR."),
    ] = None
    engine: Annotated[
        str,
        typer.Option(
            help="Simulation engine: simpy, fast (replications in lockstep, compiled with "
            "numba when installed; refused outside its scope) or auto (fast where it can run, "
            "else simpy); same results (docs/performance.md)."
        ),
    ] = "simpy"
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="Also say which engine simulated each alternative, and why not the fast one.",
        ),
    ] = False
    precision: Annotated[
        float | None,
        typer.Option(
            help="Run in rounds until each --kpi's 95 % CI half-width is within this relative "
            "target (e.g. 0.01 = ±1 %)."
        ),
    ] = None
    precision_kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi", help="KPI watched by --precision (repeatable) [default: total_cost]."
        ),
    ] = None
    min_replications: Annotated[
        int, typer.Option(min=10, help="First round of --precision (replications).")
    ] = 20
    max_replications: Annotated[
        int, typer.Option(min=10, help="Cap of --precision (replications).")
    ] = 5000
    export: Annotated[
        list[str] | None,
        typer.Option(
            "--export",
            help="Also write tables as parquet or xlsx (one sheet per table); repeatable.",
        ),
    ] = None
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size", min=1, help="Replications per chunk of work (default: automatic)."
        ),
    ] = None
    event: EventOpt = None
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="Also write DIR/report.html: one self-contained HTML report on the results "
            "(as jitsim report DIR).",
        ),
    ] = False
    #: Every parameter of the command line as parsed, the command's own too, in ``--help``
    #: order: what was asked, for the record (not an option itself).
    command_line: tuple[Parsed, ...] = dataclasses.field(
        default=(), metadata={"option": False}, repr=False
    )

    def precision_target(self) -> PrecisionTarget | None:
        """``--precision`` with its ``--kpi`` and bounds (None without ``--precision``)."""
        if self.precision is None:
            if self.precision_kpi:
                raise JitsimError("--kpi only makes sense with --precision")
            return None
        return PrecisionTarget(
            self.precision,
            tuple(self.precision_kpi or ("total_cost",)),
            min_replications=self.min_replications,
            max_replications=self.max_replications,
        )


def _shared_parameters() -> dict[str, inspect.Parameter]:
    """The fields of :class:`BatchOptions` as parameters of a command line (typer reads the
    option from the annotation, the default from the parameter)."""
    declared = typing.get_type_hints(BatchOptions, include_extras=True)
    return {
        field.name: inspect.Parameter(
            field.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=field.default,
            annotation=declared[field.name],
        )
        for field in dataclasses.fields(BatchOptions)
        if field.metadata.get("option", True)
    }


_SHARED = _shared_parameters()


def _out_parameter(kind: str) -> inspect.Parameter:
    """The shared ``--out`` parameter, its help naming the default directory of ``kind``."""
    option = typer.Option("--out", "-o", help=_out_help(kind))
    return _SHARED["out"].replace(annotation=Annotated[Path | None, option])


#: Groups of shared options that stand together on every command taking them.
SAMPLE = ("replications", "seed", "alternative")
OUT = ("out", "overwrite")
EXECUTION = ("quiet", "backend", "workers", "scheduler", "resume", "engine", "verbose")
PRECISION = ("precision", "precision_kpi", "min_replications", "max_replications")


def batch_command(
    *help_order: str, kind: str = "run"
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the shared options named in ``help_order`` as one ``options`` argument.

    ``kind`` is the kind of experiment whose default results directory ``--help`` names for
    ``--out`` (as :func:`~jitsim.execution.results_dir.default_out_dir` makes it).

    ``help_order`` names every parameter of the command line in the order ``--help`` lists
    them: the command's own (those of the function but ``options``) and shared ones, fields of
    :class:`BatchOptions`. Typer reads the command line's parameters from the signature of the
    function returned; the command itself is called with its own values and a
    :class:`BatchOptions` holding the shared ones. For example::

        @batch_command("file", *SAMPLE, "out", *EXECUTION)
        def run_command(file: FileArg, *, options: BatchOptions) -> None: ...

    gives ``jitsim run FILE -n … --seed … -a … -o … -q --backend … --workers …``.
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = dict(inspect.signature(command, eval_str=True).parameters)
        del own["options"]
        unknown = [name for name in help_order if name not in own and name not in _SHARED]
        left_out = [name for name in own if name not in help_order]
        if unknown or left_out:  # a slip in a command's definition, seen on import
            raise TypeError(f"{command.__name__}: help order {unknown=} {left_out=}")
        shared = {**_SHARED, "out": _out_parameter(kind)}
        parameters = [
            own[name].replace(kind=inspect.Parameter.KEYWORD_ONLY) if name in own else shared[name]
            for name in help_order
        ]
        _check_flags_unique(command.__name__, parameters)
        flags = {parameter.name: _flags(parameter) for parameter in parameters}

        @functools.wraps(command)
        def from_command_line(**values: Any) -> None:
            parsed = tuple(Parsed(name, flags[name], values[name]) for name in help_order)
            shared = {name: values.pop(name) for name in help_order if name not in own}
            with command_scope():
                command(**values, options=BatchOptions(**shared, command_line=parsed))

        from_command_line.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        return from_command_line

    return decorate


def _flags(parameter: inspect.Parameter) -> tuple[str, ...]:
    """The flags of a parameter of a command line, as declared (none for an argument)."""
    for info in getattr(parameter.annotation, "__metadata__", ()):
        if isinstance(info, typer.models.OptionInfo):
            # In Annotated use, typer reads a first argument such as "--kpi" as a flag.
            first = [info.default] if isinstance(info.default, str) else []
            flags = [f for f in (*first, *(info.param_decls or ())) if f.startswith("-")]
            return tuple(flags or [f"--{parameter.name.replace('_', '-')}"])
    return ()


def _check_flags_unique(command: str, parameters: list[inspect.Parameter]) -> None:
    """Two parameters with the same flag (``--kpi``) would shadow each other silently."""
    seen: dict[str, str] = {}
    for parameter in parameters:
        for flag in _flags(parameter):
            if flag in seen:
                raise TypeError(f"{command}: {flag} is both {seen[flag]!r} and {parameter.name!r}")
            seen[flag] = parameter.name
