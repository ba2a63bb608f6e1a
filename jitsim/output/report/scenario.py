"""The report's opening and closing: what was simulated, in words, and how to reproduce it."""

from __future__ import annotations

from jitsim.output.describe import describe_scenario
from jitsim.output.report.html import esc, paragraph
from jitsim.output.results_reader import Results
from jitsim.units import plural

__all__ = ["assumptions", "footer", "run_sentence"]

#: What each kind of results directory holds, for the subtitle and the opening sentence.
KIND_WORDS = {
    "run": "every alternative simulated",
    "compare": "every alternative compared with a baseline, paired (common random numbers)",
    "sweep": "every alternative at every point of a grid over scenario fields",
    "breakeven": "where one alternative stops beating another",
    "stress": "each supplier or plant knocked out in turn",
    "optimize": "the policy parameters that optimise a KPI subject to constraints",
}


def run_sentence(results: Results) -> str:
    """One sentence on how the results were obtained: replications, window, seed."""
    summary = results.summary
    run = results.scenario.run
    replications = summary.get("replications")
    window = summary.get("window_days", run.window_days)
    horizon = summary.get("horizon_days", run.horizon_days)
    warmup = summary.get("warmup_days", run.warmup_days)
    sample = (
        f"{plural(int(replications), 'replication')} per alternative"
        if isinstance(replications, int)
        else "replications as recorded"
    )
    alternatives = f"Alternatives: {', '.join(results.alternatives)}. "
    if results.kind == "optimize":  # every candidate is an alternative of its batch
        runs = int(summary.get("replication_runs", 0))
        alternatives = f"{plural(len(results.alternatives), 'candidate')} simulated. "
        sample = f"{plural(runs, 'replication-run')} in all"
    return (
        f"What this report shows: {KIND_WORDS.get(results.kind, results.kind)}. "
        f"{alternatives}{sample[0].upper()}{sample[1:]}, "
        f"each over {plural(horizon, 'day')} of which the first {plural(warmup, 'day')} are a "
        f"warm-up left out of the KPIs (measured window: {plural(window, 'day')}); "
        f"master seed {summary.get('seed', run.seed)}; money in {results.currency}; costs "
        f"charged on {run.cost_basis.replace('_', '-')} stock levels. "
        "Every estimate is the mean over replications ± the half-width of its 95 % "
        "confidence interval."
    )


def assumptions(results: Results) -> str:
    """The scenario's assumptions in words (``jitsim validate``'s summary), as a definition
    list: one entry per part of the network, one item per element."""
    lines = describe_scenario(results.scenario).splitlines()
    entries: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith(" ") and entries:
            entries[-1][1].append(line.strip())
        else:
            head, _, rest = line.partition(": ")
            head = head.rstrip(":")
            entries.append((head, [rest] if rest else []))
    items = []
    for head, values in entries:
        if head in ("scenario", "run"):
            continue  # the page's title; the run as it was made (not as the file says): above
        if len(values) == 1 and not values[0].startswith(tuple(f"{h}:" for h, _ in entries)):
            body = esc(values[0])
        else:
            body = "<ul>" + "".join(f"<li>{esc(v)}</li>" for v in values) + "</ul>"
        items.append(f"<dt>{esc(head)}</dt><dd>{body}</dd>")
    return f'<dl class="scenario">{"".join(items)}</dl>'


def footer(results: Results) -> str:
    """Everything needed to reproduce the results: version, seed, scenario hash, command."""
    summary, manifest = results.summary, results.manifest
    facts = [
        ("jitsim version", summary.get("jitsim_version") or manifest.get("jitsim_version")),
        ("seed", summary.get("seed", manifest.get("seed"))),
        ("scenario hash (SHA-256)", summary.get("scenario_hash")),
        ("results written", summary.get("created") or manifest.get("created")),
        ("results directory", str(results.directory)),
    ]
    items = "".join(
        f"<li>{esc(name)}: <code>{esc(value)}</code></li>"
        for name, value in facts
        if value not in (None, "")
    )
    return (
        '<footer id="reproduce"><h2>Reproducibility</h2>'
        + paragraph(
            "The same command with the same jitsim version and scenario file gives the same "
            "numbers, on any machine and with any number of workers."
        )
        + f"<ul>{items}</ul>"
        + f"<p>Command: <code>{esc(results.command)}</code></p></footer>"
    )
