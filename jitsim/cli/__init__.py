"""The ``jitsim`` command line: parse, call the public API, print.

:mod:`~jitsim.cli.app` holds the one typer application and the guard that turns errors into
exit statuses; each command lives in the module of its kind and is registered, guarded, by
:mod:`~jitsim.cli.commands`. This package itself stays light: ``jitsim --version`` answers
without importing the simulator (pandas, SciPy, SimPy take a second or two to load), and
:func:`main` and :data:`app` load the commands on first use.
"""

from __future__ import annotations

import sys
from typing import Any

from jitsim.version import __version__

__all__ = ["app", "main"]

#: Global options that may stand beside ``--version`` without naming a command.
_GLOBAL_FLAGS = {"--version", "--debug"}


def main() -> None:
    """Entry point of the ``jitsim`` console script and ``python -m jitsim``."""
    words = sys.argv[1:]
    if "--version" in words and set(words) <= _GLOBAL_FLAGS:
        sys.stdout.write(f"jitsim {__version__}\n")
        return
    # The one deliberate function-level import of the package: the commands (and through them
    # the whole simulator) load only when a command runs.
    from jitsim.cli.commands import main as run_command_line

    run_command_line()


def __getattr__(name: str) -> Any:
    """``jitsim.cli.app``: the typer application with every command, loaded on first use."""
    if name == "app":
        from jitsim.cli.commands import app  # loaded on first use, as in main()

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
