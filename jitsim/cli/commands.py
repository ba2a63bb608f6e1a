"""Every command of ``jitsim``, registered on the typer application, guarded, in the order
``jitsim --help`` lists them (:mod:`jitsim.cli` loads this module when a command runs)."""

import sys

from jitsim.cli.app import app, guard, main
from jitsim.cli.inspect import schema, trace, validate
from jitsim.cli.optimize import optimize
from jitsim.cli.plot import plot
from jitsim.cli.report import report
from jitsim.cli.run import compare, run_command
from jitsim.cli.show import show
from jitsim.cli.stress import stress
from jitsim.cli.sweep import breakeven, sweep

for _name, _command in (
    ("run", run_command),
    ("compare", compare),
    ("sweep", sweep),
    ("breakeven", breakeven),
    ("optimize", optimize),
    ("validate", validate),
    ("schema", schema),
    ("trace", trace),
    ("stress", stress),
    ("plot", plot),
    ("report", report),
    ("show", show),
):
    app.command(_name)(guard(_command, _name))

# ``jitsim.cli.app`` names the application, as it did before the package loaded its commands
# lazily: importing the module jitsim.cli.app has just bound that name to the module.
setattr(sys.modules["jitsim.cli"], "app", app)  # noqa: B010

__all__ = ["app", "main"]
