"""Run a stress test: the variants of a scenario in one paired batch."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Unpack

from jitsim.errors import JitsimError, with_suggestion
from jitsim.execution.batch import (
    ExecutionOptions,
    chosen_alternatives,
    execution_of,
    replications_and_seed,
    run_points,
)
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.results_dir import json_safe
from jitsim.experiments.stress.result import StressResult, write_stress
from jitsim.experiments.stress.variants import (
    DEFAULT_DURATIONS,
    EVENT,
    build_variants,
    check_durations,
    check_events,
    check_nodes,
    check_start_day,
)
from jitsim.scenario.models import Scenario


def stress(
    scenario: Scenario,
    *,
    nodes: Sequence[str] | None = None,
    durations: Sequence[int] = DEFAULT_DURATIONS,
    start_day: int | None = None,
    events: Sequence[str] | None = None,
    source_file: str | os.PathLike[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    alternatives: Sequence[str] | None = None,
    precision: PrecisionTarget | None = None,
    reference: str | None = None,
    calm: bool = False,
    keep: Sequence[str] = (),
    **options: Unpack[ExecutionOptions],
) -> StressResult:
    """Knock out each supplier and plant in turn and measure TTS, impact and tail risk.

    Parameters
    ----------
    scenario : Scenario
        The baseline scenario (its own disruptions, if any, stay in every variant).
    nodes : sequence of str, optional
        Suppliers and plants to knock out, one at a time; ``"a+b"`` knocks out a and b
        together (a common-cause failure). Default: every supplier and plant, unless
        ``events`` are given.
    durations : sequence of int
        Knock-out durations (days); each is the TTR of its rows.
    start_day : int, optional
        Day of the failure (default: the first day after warm-up, ``run.warmup_days``).
    events : sequence of str, optional
        Named stress events to test, each paired with the baseline like a knock-out
        (``"demand-surge-50pct-28d:shop"``; see ``docs/disruptions.md``); they start on the
        failure day. Their rows have ``node_kind`` ``"event"``, the event's duration as TTR,
        and a TTS censored at the event's end.
    source_file : path, optional
        The scenario file, for FILE:LINE errors.
    replications, seed, alternatives, progress, backend, workers, scheduler, chunk_size,
    out, resume, command
        As in :func:`jitsim.run`; replications are per alternative and per variant.
    precision : PrecisionTarget, optional
        Run in rounds until the watched KPIs of every variant and alternative reach the
        relative precision (as in :func:`jitsim.run`); ``replications`` is then ignored.
    reference : str, optional
        Alternative the others are measured against in ``mitigations.csv`` (default: the
        first); see :meth:`StressResult.mitigations`.
    calm : bool
        Drop the scenario's own disruptions first, so the baseline is undisrupted and each
        knock-out strikes an otherwise calm year (default: keep them — the baseline is the
        scenario as given, its random outages included).
    keep : sequence of str
        Disruptions that ``calm`` keeps (the standing events given with ``--event``).

    Returns
    -------
    StressResult

    Notes
    -----
    The batch has 1 + len(nodes) × (len(durations) + 1) + len(events) scenario points
    (baseline, the knock-outs, one knock-out to the horizon per node for the TTS, and the
    tested events). With ``out`` the directory is written as chunks finish (resumable) and at
    the end holds ``stress.csv`` (ranked weak links), ``tts.csv``, ``mitigations.csv`` (with
    several alternatives), ``replications.csv``, ``scenario.resolved.yaml`` and
    ``summary.json``.
    """
    execution = execution_of("stress", options)
    if calm:
        kept = {k: v for k, v in scenario.disruptions.items() if k in keep}
        scenario = scenario.model_copy(update={"disruptions": kept})
    if EVENT in scenario.disruptions:
        raise JitsimError(f"the scenario already has a disruption named {EVENT!r}; rename it")
    chosen = check_nodes(scenario, nodes) if nodes or not events else {}
    lengths = check_durations(durations)
    t0 = check_start_day(scenario, start_day)
    names = chosen_alternatives(scenario, alternatives)
    if reference is not None and reference not in names:
        raise JitsimError(
            with_suggestion(
                f"unknown reference alternative {reference!r} (simulated: {', '.join(names)})",
                reference,
                names,
            )
        )
    n, master = replications_and_seed(scenario, replications, seed)
    tested = check_events(scenario, events, t0)
    variants, scenarios = build_variants(scenario, source_file, t0, chosen, lengths, tested)

    plan = {
        "nodes": list(chosen),
        "durations": lengths,
        "start_day": t0,
        "events": list(tested),
        "calm": calm,
    }
    outcome = run_points(
        "stress", scenarios, names, n, master, execution, json_safe(plan), precision=precision
    )
    result = StressResult(
        scenario,
        t0,
        lengths,
        chosen,
        names,
        master,
        outcome.replications,
        variants,
        events=list(tested),
        **outcome.batch_fields(),
    )
    outcome.complete(
        lambda directory: write_stress(
            result, directory, command=execution.command, reference=reference
        )
    )
    return result
