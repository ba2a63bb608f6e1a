"""The command line recorded with a batch command's results (``command`` in ``summary.json``
and ``manifest.json``): run again, it reproduces them.

It is built from the command's parsed parameters, not from the words typed: every option that
can change the results is written out, with the defaults that a later version or another
scenario file could change resolved (``-n`` and ``--seed`` from the scenario's ``run``, the
``--precision`` KPIs and bounds, the stress durations). Options that only say how or where to
run (``--quiet``, ``--backend``, ``--workers``, ``--scheduler``, ``--resume``,
``--overwrite``, ``--format``, ``--report``, ``--engine``, ``--verbose``: both engines give
the same records)
are left out: results do not depend on them. A
number is written as ``FLAG VALUE`` (``-n 20``, ``--seed 7``), any other value as
``--flag=VALUE`` (a value starting with ``-`` stays a value; this is also the form
:func:`~jitsim.cli.settings.recorded_settings` reads ``--event`` and ``--reference`` back
from).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from jitsim.cli.options import BatchOptions
from jitsim.cli.settings import Settings

#: Options that say how or where to run, never what: not recorded.
_HOW_TO_RUN = frozenset(
    {
        "quiet",
        "backend",
        "workers",
        "scheduler",
        "resume",
        "overwrite",
        "output_format",
        "report",
        "engine",
        "verbose",
    }
)
#: Options that mean something only with ``--precision``.
_PRECISION_ONLY = frozenset({"precision", "precision_kpi", "min_replications", "max_replications"})


def reproducing_command(
    name: str, options: BatchOptions, settings: Settings, out_dir: Path, **resolved: Any
) -> str:
    """The command line that reproduces the results of a batch command.

    Parameters
    ----------
    name : str
        The command (``run``, ``compare``, ...).
    options : BatchOptions
        The command's shared options; their ``command_line`` holds every parameter as parsed.
    settings : Settings
        The command's scenario and batch settings, as given or as recorded with ``--resume``.
    out_dir : Path
        The results directory written (recorded as ``--out``).
    **resolved
        The command's own options as it uses them, by parameter name (e.g. the stress
        ``durations`` with the default filled in); those not named are recorded as parsed.

    Returns
    -------
    str
        The command line, quoted for a POSIX shell. A resumed command (``--resume``) returns
        the command recorded by the run it continues, when that run recorded one.
    """
    original = settings.recorded.get("command")
    if isinstance(original, str):
        return original
    target = settings.precision
    seed = settings.scenario.run.seed if settings.seed is None else settings.seed
    replications = settings.replications or settings.scenario.run.replications
    values: dict[str, Any] = {
        "replications": None if target is not None else replications,
        "seed": seed,
        "alternative": settings.alternatives,
        "chunk_size": settings.chunk_size,
        "event": settings.events,
        "out": out_dir,
        **resolved,
    }
    if target is not None:
        values.update(
            precision=target.relative,
            precision_kpi=list(target.kpis),
            min_replications=target.min_replications,
            max_replications=target.max_replications,
        )
    words = ["jitsim", name]
    for parsed in options.command_line:
        if parsed.name in _HOW_TO_RUN or (target is None and parsed.name in _PRECISION_ONLY):
            continue
        words += _words(parsed.flags, values.get(parsed.name, parsed.value))
    return shlex.join(words)


def _words(flags: tuple[str, ...], value: Any) -> list[str]:
    """``value`` as words of a command line (none for an option left at nothing); an argument
    has no flags."""
    if value is None or value is False or (isinstance(value, list | tuple) and not value):
        return []
    if not flags:
        return [str(value)]
    flag = max(flags, key=len)  # --replications rather than -n
    if value is True:
        return [flag]
    if isinstance(value, list | tuple):
        return [f"{flag}={item}" for item in value]
    text = str(value)
    if isinstance(value, int | float) and not text.startswith("-"):
        return [flags[0], text]  # -n 20, as typed
    return [f"{flag}={text}"]
