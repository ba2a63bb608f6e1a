"""The ``jitsim`` command line: parse, call the public API, print.

:mod:`~jitsim.cli.app` holds the one typer application and the guard that turns errors into
exit statuses; each command lives in the module of its kind and is registered here, guarded,
in the order ``jitsim --help`` lists them.
"""

from jitsim.cli.app import app, guard, main
from jitsim.cli.inspect import schema, trace, validate
from jitsim.cli.run import compare, run_command
from jitsim.cli.stress import stress
from jitsim.cli.sweep import breakeven, sweep

for _name, _command in (
    ("run", run_command),
    ("compare", compare),
    ("sweep", sweep),
    ("breakeven", breakeven),
    ("validate", validate),
    ("schema", schema),
    ("trace", trace),
    ("stress", stress),
):
    app.command(_name)(guard(_command, _name))

__all__ = ["app", "main"]
