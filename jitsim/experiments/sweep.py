"""Parameter sweeps: every alternative at every point of a grid of scenario changes.

A grid maps dotted field paths to lists of values (``--set suppliers.acme.lead_time.mean=2,3,4``);
its points are the Cartesian product of the lists, in the order given (the last path varies
fastest). Point *i* is the base scenario with those fields set
(:func:`~jitsim.scenario.overrides.apply_overrides`); all points are built and validated before
anything is simulated, so a bad value is reported at once with the file and line of the field.

All points run in one batch under common random numbers: replication *r* of every point and
every alternative uses the same seed and replication index, and every random source has its own
stream keyed by its name, so two points that differ only in, say, an order cost see exactly the
same demand path. Differences between points are therefore paired, like differences between
alternatives.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Unpack

import pandas as pd

from jitsim.errors import JitsimError
from jitsim.execution.batch import (
    ExecutionOptions,
    chosen_alternatives,
    execution_of,
    replications_and_seed,
    run_points,
)
from jitsim.execution.batch_results import BatchResult, summarize_store
from jitsim.execution.columns import ColumnStore
from jitsim.execution.precision import PrecisionTarget
from jitsim.execution.results_dir import (
    REPLICATIONS_FILE,
    TableWriter,
    json_safe,
    provenance,
    write_csv_blocks,
    write_files,
)
from jitsim.scenario.grid import (
    MAX_POINTS,
    build_points,
    grid_from_mapping,
    normalise_grid,
    sweep_points,
)
from jitsim.scenario.models import Scenario, scenario_hash
from jitsim.stats import SUMMARY_COLUMNS, summarize_frame

__all__ = [
    "MAX_POINTS",
    "SweepResult",
    "grid_from_mapping",
    "normalise_grid",
    "sweep",
    "sweep_points",
]

SUMMARY_CSV = "sweep_summary.csv"


# --------------------------------------------------------------------------- result


@dataclass
class SweepResult(BatchResult):
    """Result of :func:`sweep`: every alternative at every grid point, paired replications.

    Attributes
    ----------
    scenario : Scenario
        The base scenario.
    grid : dict
        Field path → values swept, in the order given.
    values : list of dict
        Field path → value of each point (point *i* is ``values[i]``).
    scenarios : list of Scenario
        The scenario of each point.
    seed : int
        Master seed shared by all points.
    replications_per_point : int
        Replications of every alternative at every point.
    alternatives : list of str
        Alternatives simulated, in plan order.
    frame : DataFrame
        Raw records: ``point``, ``alternative``, ``replication`` and one column per KPI.
    out_dir, backend, precision
        As in :class:`~jitsim.execution.batch_results.BatchResult`.
    """

    scenario: Scenario
    grid: dict[str, list[Any]]
    values: list[dict[str, Any]]
    scenarios: list[Scenario]
    seed: int
    replications_per_point: int
    alternatives: list[str]

    @property
    def parameters(self) -> list[str]:
        """The swept field paths (one column each in the tables)."""
        return list(self.grid)

    def points(self) -> pd.DataFrame:
        """One row per point: ``point`` and one column per swept path with its value."""
        table = pd.DataFrame({"point": range(len(self.values))})
        for path in self.parameters:
            table[path] = pd.Series([v[path] for v in self.values], dtype=object)
            table[path] = _tidy_column(table[path])
        return table

    def _with_parameters(self, table: pd.DataFrame) -> pd.DataFrame:
        points = self.points().set_index("point")
        out = table.copy()
        for position, path in enumerate(self.parameters, start=1):
            out.insert(position, path, out["point"].map(points[path]).to_numpy())
        return out

    def records_on_disk(self) -> ColumnStore | None:
        """The column store while the records have not been read into memory."""
        return self.store if self.store is not None and self.frame.empty else None

    def columns(self) -> list[str]:
        """The columns of the raw records (``frame``), without reading them."""
        store = self.records_on_disk()
        return store.table_columns() if store is not None else list(self.frame.columns)

    def replications(self) -> pd.DataFrame:
        """Tidy table: ``point``, the swept paths, ``alternative``, ``replication``, KPIs.

        Records kept on disk (``store``) are read into ``frame`` on the first call, and kept.
        """
        if self.store is not None and self.frame.empty:
            self.frame = self.store.frame()
        if self.frame.empty:
            return self.frame
        return self._with_parameters(self.frame.reset_index(drop=True))

    def replication_blocks(self) -> Iterator[pd.DataFrame]:
        """:meth:`replications` a block of rows at a time (from disk when the records are
        there, else the whole table as one block)."""
        store = self.records_on_disk()
        if store is None:
            yield self.replications()
            return
        for block in store.blocks():
            yield self._with_parameters(block)

    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy table point × alternative × KPI with the swept values as columns.

        Columns: ``point``, one per swept path, ``alternative``, ``kpi``, then ``mean``,
        ``std``, ``ci95_low``, ``ci95_high``, ``half_width``, ``p05``, ``p50``, ``p95``,
        ``cvar95``, ``n`` (as :meth:`jitsim.RunResult.summary`).
        """
        store = self.records_on_disk()
        if (store is None and self.frame.empty) or (store is not None and not store.rows):
            return pd.DataFrame(
                columns=["point", *self.parameters, "alternative", "kpi", *SUMMARY_COLUMNS]
            )
        chosen = list(kpis) if kpis else None
        if store is not None:  # column by column, the same numbers bit for bit
            table = summarize_store(store, chosen, by_point=True)
        else:
            table = summarize_frame(self.frame, by=["point", "alternative"], kpis=chosen)
        order = {name: i for i, name in enumerate(self.alternatives)}
        table = (
            table.assign(_alt=table["alternative"].map(order))
            .sort_values(["point", "_alt"], kind="stable")
            .drop(columns="_alt")
            .reset_index(drop=True)
        )
        return self._with_parameters(table)

    def scenario_at(self, point: int) -> Scenario:
        """The scenario simulated at ``point``."""
        return self.scenarios[point]


def _tidy_column(column: pd.Series) -> pd.Series:
    """Numbers as a numeric column, anything else (text, lists, mappings) as objects."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in column):
        return pd.to_numeric(column)
    if all(isinstance(v, bool) for v in column):
        return column.astype(bool)
    return column


# --------------------------------------------------------------------------- running


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Iterable[Any]],
    *,
    source_file: str | os.PathLike[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    alternatives: Sequence[str] | None = None,
    precision: PrecisionTarget | None = None,
    **options: Unpack[ExecutionOptions],
) -> SweepResult:
    """Simulate every alternative at every point of a grid, under common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    grid : mapping of str to list
        Dotted field path → values (``{"suppliers.acme.order_cost": [20, 40, 80]}``); the
        points are the Cartesian product in the order given. Use :func:`grid_from_mapping` for
        ranges and a ``sweep:`` section read from YAML.
    source_file : path, optional
        The scenario file, so that a bad value is reported with its FILE:LINE.
    replications, seed, alternatives, progress, backend, workers, scheduler, chunk_size,
    out, resume, command
        As in :func:`jitsim.run`; replications are per alternative and per point.
    precision : PrecisionTarget, optional
        Add replications (to every point alike) until the 95 % CI of each watched KPI is
        within the relative target at every point and for every alternative.

    Returns
    -------
    SweepResult

    Notes
    -----
    With ``out`` the directory is written as chunks finish and can be resumed
    (``resume=True``) after an interruption; at the end it holds ``sweep_summary.csv``,
    ``replications.csv``, ``summary.json`` and ``scenario.resolved.yaml`` (the base scenario).
    """
    execution = execution_of("sweep", options)
    checked = normalise_grid(grid)
    names = chosen_alternatives(scenario, alternatives)
    n, master = replications_and_seed(scenario, replications, seed)
    values = sweep_points(checked)
    scenarios = build_points(scenario, values, source_file)
    for index, point in enumerate(scenarios):
        missing = [a for a in names if a not in point.alternative_names()]
        if missing:
            raise JitsimError(f"point {index} of the sweep has no alternative {missing[0]!r}")

    outcome = run_points(
        "sweep",
        scenarios,
        names,
        n,
        master,
        execution,
        {"grid": json_safe(checked)},
        precision=precision,
        on_disk=True,
    )
    result = SweepResult(
        scenario,
        checked,
        values,
        scenarios,
        master,
        outcome.replications,
        names,
        **outcome.batch_fields(),
    )
    outcome.complete(lambda directory: write_sweep(result, directory, command=execution.command))
    return result


# --------------------------------------------------------------------------- files


def write_sweep(
    result: SweepResult, directory: str | os.PathLike[str], *, command: str | None = None
) -> dict[str, Path]:
    """Write the final files of a sweep into ``directory``; returns kind → path."""

    document = {
        "kind": "sweep",
        **provenance(result.scenario, result.seed, command),
        "point_hashes": [scenario_hash(s) for s in result.scenarios],
        "replications": result.replications_per_point,
        "alternatives": result.alternatives,
        "grid": result.grid,
        "points": result.values,
        "precision": result.precision.describe() if result.precision else None,
    }
    tables: dict[str, tuple[str, pd.DataFrame | TableWriter]] = {
        "summary_csv": (SUMMARY_CSV, result.summary()),
        "replications": (
            REPLICATIONS_FILE,
            partial(write_csv_blocks, result.replication_blocks()),
        ),
    }
    return write_files(directory, result.scenario, document, tables)
