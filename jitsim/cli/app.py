"""The one typer application, its global options and the guard that gives every command its
exit status.

User errors (:class:`~jitsim.errors.JitsimError`, bad options, missing files) print one line to
stderr and exit with status 2; failures of the environment (a full disk, an unreachable
cluster: :class:`~jitsim.errors.EnvironmentProblem`, memory) print one line and exit with
status 1. Anything unexpected is a bug: one line
asks for a report and names the log file that holds the traceback (in the results directory
when the command has one); ``--debug`` or ``JITSIM_DEBUG=1`` shows the traceback instead.

Ctrl-C stops a command within seconds, keeps every finished chunk and prints the command that
continues it (``--resume DIR``), exit status 130; a second Ctrl-C exits at once. The commands
are registered on :data:`app` by :mod:`jitsim.cli.commands`.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import shlex
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.text import Text

from jitsim.cli.console import stderr
from jitsim.errors import EnvironmentProblem, JitsimError, ScenarioError
from jitsim.version import __version__

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
#: Exit status of failures of the environment and of unexpected internal errors.
INTERNAL_ERROR = 1
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130
#: Name of the file that receives the traceback of an internal error.
CRASH_LOG = "jitsim-crash.log"
#: Commands whose ``--resume DIR`` reads every other setting from the run's manifest.
RESUMED_FROM_MANIFEST = frozenset({"run", "compare", "stress"})

_state: dict[str, Any] = {"debug": False, "results_dir": None, "command": None}


def _debug() -> bool:
    return bool(_state["debug"]) or os.environ.get("JITSIM_DEBUG", "") not in ("", "0")


def remember_results_dir(path: str | os.PathLike[str]) -> None:
    """Record the results directory of the running command: an interrupted command names it
    in its ``--resume`` hint, an internal error writes its log there."""
    _state["results_dir"] = Path(path)


def _fail(error: JitsimError) -> typer.Exit:
    # Scenario problems are printed as they are (FILE:LINE: path: message), one per line.
    message = str(error) if isinstance(error, ScenarioError) else f"error: {error}"
    stderr().print(Text(message))
    return typer.Exit(USER_ERROR)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Invocation:
    """The running command: its name, function and the values typer called it with."""

    def __init__(self, name: str, func: Callable[..., Any], values: dict[str, Any]) -> None:
        self.name, self.func, self.values = name, func, values

    def words(self, options: bool) -> list[str]:
        """``jitsim NAME ARGUMENTS``, and (``options``) the options whose values differ from
        their defaults, without ``--out``/``--resume``."""
        arguments: list[str] = []
        given: list[str] = []
        for parameter in inspect.signature(self.func, eval_str=True).parameters.values():
            value = self.values.get(parameter.name, parameter.default)
            values = list(value) if isinstance(value, list | tuple) else [value]
            texts = [str(getattr(v, "value", v)) for v in values if v is not None]
            info = next(
                (
                    m
                    for m in getattr(parameter.annotation, "__metadata__", ())
                    if isinstance(m, typer.models.ParameterInfo)
                ),
                None,
            )
            if isinstance(info, typer.models.ArgumentInfo) or (
                info is None and parameter.default is inspect.Parameter.empty
            ):
                arguments += texts
            elif options and parameter.name not in ("out", "resume") and value != parameter.default:
                given += _option_words(parameter.name, info, value, texts)
        return ["jitsim", self.name, *arguments, *given]

    def command_line(self, options: bool, *extra: str) -> str:
        """:meth:`words` followed by ``extra``, quoted for a shell; never fails (it is used
        while reporting a failure): at worst the command's name and ``extra``."""
        try:
            words = self.words(options)
        except Exception:  # a message must come out whatever happened
            words = ["jitsim", self.name]
        return shlex.join([*words, *extra])


def _option_words(name: str, info: Any, value: Any, texts: list[str]) -> list[str]:
    """An option as words of a command line (``--flag=value`` once per value)."""
    # In Annotated use, typer reads a first argument such as "-n" as a flag.
    declared = [info.default] if isinstance(getattr(info, "default", None), str) else []
    declared += list(getattr(info, "param_decls", None) or ())
    on = [d.split("/")[0].strip() for d in declared if d.startswith("-")]
    off = [d.split("/")[1].strip() for d in declared if d.startswith("-") and "/" in d]
    flags = on or [f"--{name.rstrip('_').replace('_', '-')}"]
    if isinstance(value, bool):
        chosen = flags if value else off
        return [max(chosen, key=len)] if chosen else []
    return [f"{max(flags, key=len)}={text}" for text in texts]


def _resume_hint() -> str:
    """What an interrupted command kept and the command that continues it."""
    directory: Path | None = _state["results_dir"]
    command: _Invocation | None = _state["command"]
    if directory is None or command is None:
        return "interrupted"
    try:
        written = any(directory.iterdir())
    except OSError:
        written = False
    if not written:
        return f"interrupted before any result was written to {directory}"
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # break-even keeps a manifest per evaluation
        manifest = {}
    if isinstance(manifest, dict) and manifest.get("complete"):
        return f"interrupted; the results in {directory} are complete"
    options = command.name not in RESUMED_FROM_MANIFEST
    return (
        f"interrupted: the finished replications are kept in {directory}; "
        f"continue with: {command.command_line(options, '--resume', str(directory))}"
    )


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """The first Ctrl-C: stop the command (the guard says how to continue); from now on a
    second one exits at once — even while the interpreter shuts down."""
    signal.signal(signal.SIGINT, _on_second_interrupt)
    raise KeyboardInterrupt


def _on_second_interrupt(signum: int, frame: FrameType | None) -> None:
    # Finished chunks are on disk and journaled as they finish, so nothing needs flushing;
    # the workers die with this process (see jitsim.execution.worker_process).
    try:
        with_hint = _resume_hint().removeprefix("interrupted")
    except Exception:  # exit now whatever happens
        with_hint = ""
    os.write(2, f"\ninterrupted again: stopped at once{with_hint}\n".encode(errors="replace"))
    os._exit(INTERRUPTED)


def _crash_log(error: BaseException) -> tuple[Path, str] | None:
    """Append the traceback of ``error`` to a log file: in the results directory, else the
    working directory, else a new file in the temporary directory. Returns the file and where
    it is (None: nowhere writable)."""
    command: _Invocation | None = _state["command"]
    text = (
        f"--- {datetime.now(UTC).isoformat(timespec='seconds')} jitsim {__version__}, "
        f"Python {sys.version.split()[0]}\n"
        f"command: {command.command_line(True) if command else '?'}\n"
        + "".join(traceback.format_exception(error))
    )
    results: Path | None = _state["results_dir"]
    places = [("in the results directory", results)] if results is not None else []
    try:
        places.append(("in the working directory", Path.cwd()))
    except OSError:  # the working directory was removed
        pass
    for where, directory in places:
        try:
            with open(directory / CRASH_LOG, "a", encoding="utf-8") as handle:
                handle.write(text)
            return directory / CRASH_LOG, where
        except OSError:
            continue
    try:
        descriptor, name = tempfile.mkstemp(prefix="jitsim-crash-", suffix=".log")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        return Path(name), "in the temporary directory"
    except OSError:
        return None


def _internal_error(error: Exception) -> typer.Exit:
    logged = _crash_log(error)
    where = (
        f"with the traceback written to {logged[0]} ({logged[1]})"
        if logged is not None
        else "(no file could take the traceback: rerun with --debug to see it)"
    )
    stderr().print(
        Text(
            f"internal error: {type(error).__name__}: {_one_line(str(error))} — this is a bug "
            f"in jitsim; please report it {where}"
        ),
        soft_wrap=True,
    )
    return typer.Exit(INTERNAL_ERROR)


def _environment_error(error: OSError | MemoryError) -> typer.Exit:
    text = _one_line(str(error)) or type(error).__name__
    if isinstance(error, MemoryError):
        text = f"out of memory ({text})"
    stderr().print(Text(f"error: {text}"))
    return typer.Exit(INTERNAL_ERROR)


def guard(func: Callable[P, R], name: str | None = None) -> Callable[P, R]:
    """Give the command ``name`` (default: the function's name) its exit status: 2 for user
    errors, 1 for the environment's failures and for bugs (logged), 130 after Ctrl-C (with
    the ``--resume`` command that continues it)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        invocation = _Invocation(name or func.__name__, func, dict(kwargs))
        _state.update(results_dir=None, command=invocation)
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
        if in_main_thread:
            signal.signal(signal.SIGINT, _on_interrupt)
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            stderr().print(Text(_resume_hint()))
            raise typer.Exit(INTERRUPTED) from None
        except EnvironmentProblem as exc:
            stderr().print(Text(f"error: {_one_line(str(exc))}"))
            raise typer.Exit(INTERNAL_ERROR) from None
        except JitsimError as exc:
            raise _fail(exc) from None
        except (OSError, MemoryError) as exc:
            if _debug():
                raise
            raise _environment_error(exc) from None
        except Exception as exc:
            if _debug():
                raise
            raise _internal_error(exc) from None
        finally:
            # After a Ctrl-C the second-stage handler stays until the process has exited.
            if in_main_thread and signal.getsignal(signal.SIGINT) is _on_interrupt:
                signal.signal(signal.SIGINT, previous)

    return wrapper


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"jitsim {__version__}")
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


def main() -> None:
    """Run the command line (what :func:`jitsim.cli.main` calls for anything but
    ``--version``)."""
    app(prog_name="jitsim")
