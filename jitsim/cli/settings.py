"""What a command runs: the scenario with its ``--event`` texts, the batch settings and the
results directory, each as given on the command line, else as recorded by the run that
``--resume DIR`` continues."""

from __future__ import annotations

import dataclasses
import shlex
import warnings
from pathlib import Path
from typing import Any

from rich.text import Text

import jitsim
from jitsim.cli.app import remember_results_dir
from jitsim.cli.console import stderr
from jitsim.cli.options import BatchOptions
from jitsim.cli.scope import hold, made_here, removed_if_left_empty
from jitsim.errors import JitsimError, JitsimWarning
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.results_claim import claim
from jitsim.execution.results_dir import default_out_dir
from jitsim.execution.results_store import resumable_manifest
from jitsim.scenario.event_warnings import scenario_warnings
from jitsim.scenario.events import with_events
from jitsim.scenario.models import Scenario


def load_with_events(file: Path, events: list[str] | None, *, warn: bool = True) -> Scenario:
    """The scenario in ``file`` with the named stress events given by ``--event`` added.

    With ``warn``, scheduled events outside the measured window (those of the file and of
    ``--event``) are reported on stderr, one ``warning:`` line each (see
    :func:`print_event_warnings`).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitsimWarning)  # printed below, in the CLI's form
        scenario = with_events(jitsim.load_scenario(file), events or [], where=f"{file} --event")
    if warn:
        print_event_warnings(scenario)
    return scenario


def print_event_warnings(scenario: Scenario) -> None:
    """Print ``warning: ...`` on stderr for each scheduled event outside the measured window."""
    for message in scenario_warnings(scenario):
        stderr().print(Text(f"warning: {message}"))


def event_args(events: list[str] | None) -> list[str]:
    """The ``--event`` texts as words of a recorded command line (as
    :func:`recorded_settings` reads them back)."""
    return [f"--event={text}" for text in events or []]


def results_dir(file: Path, options: BatchOptions, kind: str = "run") -> Path:
    """The results directory of a command: ``--out``, ``--resume`` or the default, held by
    this command until it ends (see :func:`~jitsim.execution.results_claim.claim`): checked
    before anything is simulated. When the command created it and fails before writing
    anything there, it is removed again."""
    out, resume = options.out, options.resume
    if resume is not None and out is not None and Path(out) != Path(resume):
        raise JitsimError("give either --out or --resume, not both")
    if resume is not None and options.overwrite:
        raise JitsimError("give either --overwrite or --resume, not both")
    chosen = resume if resume is not None else out
    path = chosen if chosen is not None else default_out_dir(file, kind)
    if resume is not None:
        check_kind(resume, kind, file)
    removed_if_left_empty(Path(path), made_here(Path(path)))  # released after the claim
    hold(claim(path, resume=resume is not None, overwrite=options.overwrite))
    remember_results_dir(Path(path))  # for the --resume hint after Ctrl-C and the crash log
    return Path(path)


def check_kind(resume: Path, kind: str, file: Path) -> None:
    recorded = resumable_manifest(resume).get("kind")
    if recorded != kind:
        raise JitsimError(
            f"{resume} holds the results of a {recorded or 'different'} command, not of a "
            f"{kind}: continue it with jitsim {recorded or 'COMMAND'} {file} --resume {resume}"
        )


def recorded_settings(resume: Path | None) -> dict[str, Any]:
    """Settings of the interrupted run in ``resume`` (empty without --resume).

    A resumed command takes -n, --seed, --alternative and --precision from the manifest
    unless they are given again, so ``FILE --resume DIR`` is enough.
    """
    if resume is None:
        return {}
    manifest = resumable_manifest(resume)
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
        "command": manifest.get("command"),
        "events": _options_of(manifest.get("command"), "--event"),
        "reference": next(iter(_options_of(manifest.get("command"), "--reference")), None),
    }


def _options_of(command: Any, option: str) -> list[str]:
    """The ``OPTION=VALUE`` values of a recorded command line, in order (``--event=…``, as
    :func:`event_args` writes them); none when the command is not one of ours."""
    if not isinstance(command, str):
        return []
    try:
        words = shlex.split(command)
    except ValueError:  # set by an API caller to free text: the hash check will say more
        return []
    return [w.removeprefix(f"{option}=") for w in words if w.startswith(f"{option}=")]


@dataclasses.dataclass(frozen=True)
class Settings:
    """Scenario and batch settings of a command (see :func:`scenario_settings` and
    :func:`resumed_settings` for where each comes from)."""

    scenario: Scenario
    events: list[str] | None
    replications: int | None
    seed: int | None
    alternatives: list[str] | None
    chunk_size: int | None
    precision: PrecisionTarget | None
    recorded: dict[str, Any]

    def batch(self) -> dict[str, Any]:
        """Keyword arguments of the API's batch functions: how many replications of what."""
        return {
            "replications": self.replications,
            "seed": self.seed,
            "alternatives": self.alternatives or None,
            "chunk_size": self.chunk_size,
            "precision": self.precision,
        }


def scenario_settings(
    file: Path, options: BatchOptions, precision: PrecisionTarget | None = None
) -> Settings:
    """The scenario with the ``--event`` texts as given, else as recorded (with --resume); the
    batch settings as given."""
    recorded = recorded_settings(options.resume)
    events = options.event or recorded.get("events")
    return Settings(
        load_with_events(file, events),
        events,
        options.replications,
        options.seed,
        options.alternative,
        options.chunk_size,
        precision,
        recorded,
    )


def resumed_settings(file: Path, options: BatchOptions) -> Settings:
    """As :func:`scenario_settings`, with the batch settings too as given, else as recorded."""
    given = scenario_settings(file, options, options.precision_target())
    recorded = given.recorded
    return dataclasses.replace(
        given,
        replications=given.replications or recorded.get("replications"),
        seed=given.seed if given.seed is not None else recorded.get("seed"),
        alternatives=given.alternatives or recorded.get("alternatives"),
        chunk_size=given.chunk_size or recorded.get("chunk_size"),
        precision=_resumed_precision(given.precision, recorded),
    )


def _resumed_precision(
    target: PrecisionTarget | None, recorded: dict[str, Any]
) -> PrecisionTarget | None:
    if target is not None or not recorded.get("precision"):
        return target
    settings = dict(recorded["precision"])
    settings["kpis"] = tuple(settings.get("kpis", ("total_cost",)))
    return PrecisionTarget(**settings)
