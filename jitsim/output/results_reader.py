"""A finished results directory read back: what figures, reports and ``jitsim show`` work from.

Figures and reports never build a model or rerun anything: they read what a command wrote
(``summary.json``, ``replications.csv``, ``scenario.resolved.yaml``, the tables of its kind and,
when kept, ``trajectories.csv``)::

    results = read_results("results/quickstart-compare")
    results.kind                      # "compare"
    results.table("comparison")       # comparison.csv as a DataFrame (None if absent)
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jitsim.errors import JitsimError, JitsimWarning
from jitsim.execution.results_claim import read_manifest
from jitsim.scenario import load_scenario
from jitsim.scenario.models import Scenario

__all__ = ["CASH_NODE", "KINDS", "PSEUDO_NODE_PREFIX", "Results", "read_results"]

#: The kinds of results directory, as recorded in ``manifest.json``.
KINDS = ("run", "compare", "sweep", "breakeven", "stress", "optimize")

#: Kept trajectory rows whose ``stock_point`` starts with this are no stock point but a series
#: of the whole network kept alongside them (never drawn as stock).
PSEUDO_NODE_PREFIX = "@"
#: The pseudo-node of the cash ledger (scenarios with payment terms or ``finance:``): its rows
#: hold the end-of-day cash balance (currency) in ``cash_tied_up``, 0 in the stock columns.
CASH_NODE = "@cash"


@dataclass(frozen=True)
class Results:
    """A finished results directory, read once.

    Attributes
    ----------
    directory : Path
        Where it was read from.
    kind : str
        The command that wrote it: ``run``, ``compare``, ``sweep``, ``breakeven`` or ``stress``.
    manifest, summary : dict
        ``manifest.json`` and ``summary.json``.
    scenario : Scenario
        ``scenario.resolved.yaml``: the scenario as run (for a sweep: its base).
    replications : DataFrame
        ``replications.csv``: one row per (point,) alternative and replication.
    tables : dict of str to DataFrame
        Every other CSV file the command listed in its manifest, by file stem
        (``comparison``, ``sweep_summary``, ``stress``, ``tts``, ``mitigations``,
        ``breakeven_points``, ``trajectories``).
    """

    directory: Path
    kind: str
    manifest: dict[str, Any]
    summary: dict[str, Any]
    scenario: Scenario
    replications: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` (file stem), or None if this directory has none."""
        return self.tables.get(name)

    def stock_trajectories(self) -> pd.DataFrame | None:
        """The kept trajectories of the stock points (pseudo-nodes such as :data:`CASH_NODE`
        left out), or None if none were kept."""
        frame = self.tables.get("trajectories")
        if frame is None or frame.empty:
            return None
        pseudo = frame["stock_point"].astype(str).str.startswith(PSEUDO_NODE_PREFIX)
        return frame[~pseudo] if pseudo.any() else frame

    def network_series(self, node: str) -> pd.DataFrame | None:
        """The kept trajectory rows of the pseudo-node ``node`` (e.g. :data:`CASH_NODE`), or
        None if there are none."""
        frame = self.tables.get("trajectories")
        if frame is None or frame.empty:
            return None
        rows = frame[frame["stock_point"].astype(str) == node]
        return rows if len(rows) else None

    @property
    def alternatives(self) -> list[str]:
        """The alternatives in the results, in the scenario's order."""
        present = (
            set(self.replications["alternative"].astype(str)) if len(self.replications) else set()
        )
        ordered = [a for a in self.scenario.alternative_names() if a in present]
        return ordered + sorted(present - set(ordered))

    @property
    def currency(self) -> str:
        """The scenario's money unit."""
        return self.scenario.run.currency

    @property
    def command(self) -> str:
        """The command line that reproduces these results."""
        return str(self.summary.get("command") or self.manifest.get("command") or "")


def read_results(directory: str | os.PathLike[str]) -> Results:
    """Read the finished results directory ``directory``.

    Raises
    ------
    JitsimError
        If it is not a results directory, is unfinished (resume it first) or is missing a file.
    """
    path = Path(directory)
    if not path.is_dir():
        raise JitsimError(f"{path}: no such results directory")
    manifest = read_manifest(path) or {}
    if not manifest.get("complete"):
        raise JitsimError(
            f"{path} holds an unfinished run: finish it with --resume {path}, then try again"
        )
    kind = str(manifest.get("kind") or "run")
    summary = _json(path / "summary.json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitsimWarning)  # said when the command ran
        scenario = load_scenario(_existing(path / "scenario.resolved.yaml"))
    replications = pd.read_csv(_existing(path / "replications.csv"), low_memory=False)
    tables = {
        Path(name).stem: pd.read_csv(path / name, low_memory=False)
        for name in sorted(manifest.get("files", []))
        if name.endswith(".csv") and name != "replications.csv" and (path / name).is_file()
    }
    if "trajectories" in tables:
        tables["trajectories"] = _pseudo_nodes_unescaped(tables["trajectories"])
    return Results(path, kind, manifest, summary, scenario, replications, tables)


def _pseudo_nodes_unescaped(frame: pd.DataFrame) -> pd.DataFrame:
    """The trajectories with their pseudo-nodes named as in memory (``@cash``, the cash
    ledger's balance): the CSV writer wrote ``'@cash`` so that no spreadsheet reads a formula.
    A node name never starts with a quote, so the quote can only be that escape."""
    if "stock_point" not in frame.columns:
        return frame
    names = frame["stock_point"].astype(str)
    escaped = names.str.startswith("'@")
    if escaped.any():
        frame = frame.assign(stock_point=names.where(~escaped, names.str[1:]))
    return frame


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise JitsimError(
            f"{path.parent}: {path.name} is missing; this is not a whole results directory"
        )
    return path


def _json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(_existing(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise JitsimError(f"{path}: unreadable ({exc})") from None
    if not isinstance(document, dict):
        raise JitsimError(f"{path}: not a JSON object")
    return document
