"""The results directory: what a finished run writes, and the helpers every experiment uses.

:func:`write_results` puts a :class:`~jitsim.execution.batch_results.RunResult` into a results
directory::

    results/quickstart/
        summary.json             # provenance + per-alternative KPI statistics
        replications.csv         # the tidy table, one row per (alternative, replication)
        scenario.resolved.yaml   # the validated scenario with every default filled in
        trajectories.csv         # end-of-day series (only when trajectories were kept)
"""

from __future__ import annotations

import json
import math
import os
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from jitsim.errors import JitsimError
from jitsim.execution.results_claim import claim, record_files, write_atomic
from jitsim.execution.spreadsheet import spreadsheet_safe, write_csv
from jitsim.scenario.models import Scenario, scenario_hash
from jitsim.version import jitsim_version

if TYPE_CHECKING:  # for the annotations only: batch imports this module
    from jitsim.execution.batch_results import RunResult

__all__ = [
    "REPLICATIONS_FILE",
    "SCENARIO_FILE",
    "SUMMARY_FILE",
    "SUMMARY_STATS",
    "TRAJECTORIES_FILE",
    "default_out_dir",
    "json_safe",
    "provenance",
    "resolved_scenario_yaml",
    "summary_document",
    "write_files",
    "write_json",
    "write_results",
    "writing",
]

#: Writes one results file, given its path.
TableWriter = Callable[[Path], None]

SUMMARY_FILE = "summary.json"
REPLICATIONS_FILE = "replications.csv"
SCENARIO_FILE = "scenario.resolved.yaml"
TRAJECTORIES_FILE = "trajectories.csv"

#: Statistics written per KPI into ``summary.json``, in this order.
SUMMARY_STATS = ("mean", "std", "ci95_low", "ci95_high", "p05", "p50", "p95", "cvar95", "n")


# -- results directory ------------------------------------------------------------------------


def default_out_dir(scenario_file: str | os.PathLike[str], kind: str = "run") -> Path:
    """``results/<scenario-file-stem>`` for a run, ``results/<stem>-<kind>`` for another kind
    of experiment (``compare``, ``sweep``, ...), so each keeps its own results directory;
    relative to the working directory."""
    stem = Path(scenario_file).stem
    return Path("results") / (stem if kind == "run" else f"{stem}-{kind}")


def json_safe(value: Any) -> Any:
    """JSON-safe copy, as it reads back from a JSON file: NaN/inf become ``None``, numpy
    scalars Python numbers, tuples lists, keys strings; anything else its ``str``."""

    def clean(item: Any) -> Any:
        if isinstance(item, dict):
            return {str(k): clean(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [clean(v) for v in item]
        if hasattr(item, "item") and not isinstance(item, str):  # numpy scalar
            item = item.item()
        if isinstance(item, float) and not math.isfinite(item):
            return None
        return item

    return json.loads(json.dumps(clean(value), default=str))


@contextmanager
def writing(where: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a failed write (disk full, no permission, a directory in the way) into a user error
    naming the file."""
    try:
        yield
    except OSError as exc:
        raise JitsimError(f"cannot write {exc.filename or where}: {exc.strerror or exc}") from None


def provenance(scenario: Scenario, seed: int, command: str | None) -> dict[str, Any]:
    """Where a result came from: version, scenario name and hash, seed, command, time."""
    return {
        "jitsim_version": jitsim_version(),
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_json(path: str | os.PathLike[str], document: dict[str, Any]) -> None:
    """Write ``document`` whole as indented JSON (NaN as ``null``), a user error if it cannot."""
    text = json.dumps(json_safe(document), indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def summary_document(
    result: RunResult,
    *,
    command: str | Sequence[str] | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The content of ``summary.json`` as a JSON-safe dict (NaN written as ``None``).

    ``alternatives`` maps alternative → KPI → statistics (:data:`SUMMARY_STATS`), with the
    statistics exactly those of :meth:`RunResult.summary`.
    """
    if command is not None and not isinstance(command, str):
        command = shlex.join(command)
    alternatives: dict[str, dict[str, dict[str, Any]]] = {a: {} for a in result.alternatives}
    store = result.records_on_disk()  # records on disk: summarised column by column
    if (store is not None and store.rows) or not result.replications().empty:
        for row in result.summary().to_dict("records"):
            stats = {stat: row[stat] for stat in SUMMARY_STATS}
            stats["n"] = int(stats["n"])
            alternatives.setdefault(str(row["alternative"]), {})[str(row["kpi"])] = stats
    scenario = result.scenario
    document = {
        **provenance(scenario, result.seed, command),
        "replications": result.replications_per_alternative,
        "window_days": result.window_days,
        "horizon_days": scenario.run.horizon_days,
        "warmup_days": scenario.run.warmup_days,
        "currency": scenario.run.currency,
        "alternatives": alternatives,
    }
    if created is not None:
        document["created"] = created.isoformat(timespec="seconds")
    cleaned: dict[str, Any] = json_safe(document)
    return cleaned


def resolved_scenario_yaml(scenario: Scenario) -> str:
    """The validated scenario with every default filled in, as YAML with a header comment.

    Loading the text again gives a scenario with the same
    :func:`~jitsim.scenario.resolve.scenario_hash`.
    """
    header = (
        f"# Resolved scenario written by jitsim {jitsim_version()}: every default filled in.\n"
        f"# scenario hash (sha256): {scenario_hash(scenario)}\n"
        "# Run it again with: jitsim run scenario.resolved.yaml\n"
    )
    body = yaml.safe_dump(
        scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
    return header + body


def write_results(
    result: RunResult,
    out_dir: str | os.PathLike[str],
    *,
    command: str | Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write ``result`` into ``out_dir`` (created if needed); existing files are replaced.

    Parameters
    ----------
    result : RunResult
        What :func:`jitsim.run` returned.
    out_dir : path
        Results directory.
    command : str or sequence of str, optional
        Command line that produced the result, recorded in ``summary.json``.

    Returns
    -------
    dict
        File kind (``summary``, ``replications``, ``scenario``, ``trajectories``) → path.

    Raises
    ------
    JitsimError
        If ``out_dir`` is a file or a file cannot be written.
    """
    store = result.records_on_disk()
    records: pd.DataFrame | TableWriter = (
        result.replications() if store is None else partial(write_csv_blocks, store.blocks())
    )
    tables = {"replications": (REPLICATIONS_FILE, records)}
    trajectories = result.trajectories_frame()
    if not trajectories.empty:
        tables["trajectories"] = (TRAJECTORIES_FILE, trajectories)
    document = summary_document(result, command=command)
    return write_files(out_dir, result.scenario, document, tables)


def write_csv_blocks(blocks: Iterable[pd.DataFrame], path: Path) -> None:
    """Write a table given as consecutive blocks of rows to ``path`` as CSV, the same text as
    :func:`~jitsim.execution.spreadsheet.write_csv` of the whole table (header once), holding
    one block at a time."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for i, block in enumerate(blocks):
            spreadsheet_safe(block).to_csv(handle, index=False, header=i == 0)


def write_files(
    out_dir: str | os.PathLike[str],
    scenario: Scenario,
    document: dict[str, Any],
    tables: Mapping[str, tuple[str, pd.DataFrame | TableWriter]],
) -> dict[str, Path]:
    """Write the final files of a run or an experiment into ``out_dir`` (created if needed).

    Parameters
    ----------
    out_dir : path
        Results directory; existing files are replaced.
    scenario : Scenario
        Written with every default filled in to ``scenario.resolved.yaml``.
    document : dict
        Written to ``summary.json`` (NaN as ``null``).
    tables : mapping
        File kind → (file name, table), each table written as CSV without its index; or
        (file name, writer) with ``writer(path)`` writing the file (a table too large to hold).

    Returns
    -------
    dict
        File kind (those of ``tables``, ``scenario`` and ``summary``) → path.
    """
    with claim(out_dir, resume=True) as path:
        written = {kind: path / name for kind, (name, _) in tables.items()}
        written["scenario"] = path / SCENARIO_FILE
        written["summary"] = path / SUMMARY_FILE
        for kind, (_, table) in tables.items():
            writer = partial(write_csv, table) if isinstance(table, pd.DataFrame) else table
            write_atomic(written[kind], writer)
        text = resolved_scenario_yaml(scenario)
        write_atomic(
            written["scenario"], lambda temporary: temporary.write_text(text, encoding="utf-8")
        )
        write_json(written["summary"], document)
        record_files(path, [p.name for p in written.values()])
    return written
