"""The one typer application, its global options and the guard that gives every command its
exit status.

User errors (:class:`~jitsim.errors.JitsimError`, bad options, missing files) print a message
to stderr and exit with status 2; anything unexpected prints a short "internal error" message
and exits with status 1 (the traceback is shown with ``--debug`` or ``JITSIM_DEBUG=1``).
The commands are registered on :data:`app` by :mod:`jitsim.cli.commands`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.text import Text

from jitsim.cli.console import stderr
from jitsim.errors import JitsimError, ScenarioError
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
#: Exit status of unexpected internal errors.
INTERNAL_ERROR = 1

_state = {"debug": False}


def _debug() -> bool:
    return _state["debug"] or os.environ.get("JITSIM_DEBUG", "") not in ("", "0")


def _fail(error: JitsimError) -> typer.Exit:
    # Scenario problems are printed as they are (FILE:LINE: path: message), one per line.
    message = str(error) if isinstance(error, ScenarioError) else f"error: {error}"
    stderr().print(Text(message))
    return typer.Exit(USER_ERROR)


def guard(func: Callable[P, R]) -> Callable[P, R]:
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
            stderr().print(Text(f"interrupted{hint}"))
            raise typer.Exit(130) from None
        except JitsimError as exc:
            raise _fail(exc) from None
        except Exception as exc:
            if _debug():
                raise
            stderr().print(
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
