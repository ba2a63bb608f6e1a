"""The ``jitsim`` command line: parse, call the public API, print."""

from jitsim.cli.commands import app, main

__all__ = ["app", "main"]
