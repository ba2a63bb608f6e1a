"""What a batch returns: the records of every replication, where they are kept, and their
summary.

A batch written to an output directory keeps its records on disk column by column
(:class:`~jitsim.execution.columns.ColumnStore`) and summarises them a column at a time
(:func:`summarize_store`), so the main process's memory does not grow with the replications;
a batch kept in memory holds them as one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jitsim.execution.columns import ColumnStore
from jitsim.execution.precision import PrecisionReport
from jitsim.scenario.models import Scenario
from jitsim.stats import summarize_frame
from jitsim.stats.summary import summarize_columns, summary_kpis


@dataclass(kw_only=True)
class BatchResult:
    """What the result of every batch keeps besides its own settings (keyword-only fields).

    Attributes
    ----------
    frame : DataFrame
        Raw records: ``alternative``, ``replication`` (``point`` with several points) and
        one column per KPI.
    out_dir : Path, optional
        The output directory the batch was written to (None: kept in memory only).
    backend : str
        The backend that ran it.
    precision : PrecisionReport, optional
        The outcome of a run to a precision target.
    store : ColumnStore, optional
        The raw records on disk, column by column, when the batch wrote to an output directory
        and was asked not to hold them (``frame`` is then empty until asked for).
    """

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    out_dir: Path | None = None
    backend: str = "serial"
    precision: PrecisionReport | None = None
    store: ColumnStore | None = None


@dataclass
class RunResult(BatchResult):
    """Results of :func:`run`: one KPI record per (alternative, replication).

    Use :meth:`replications` for the tidy per-replication table and :meth:`summary` for the
    per-alternative statistics (mean, std, 95 % CI, quantiles, CVaR₉₅).
    """

    scenario: Scenario
    seed: int
    replications_per_alternative: int
    alternatives: list[str]
    trajectory_frame: pd.DataFrame = field(default_factory=pd.DataFrame, kw_only=True)

    def replications(self) -> pd.DataFrame:
        """One row per (alternative, replication), one column per KPI.

        A batch written to an output directory keeps its records on disk (``store``): the
        table is read into memory on the first call, and kept.
        """
        if self.store is not None and self.frame.empty:
            self.frame = self.store.frame()
        return self.frame

    def records_on_disk(self) -> ColumnStore | None:
        """The column store while the table has not been read into memory."""
        return self.store if self.store is not None and self.frame.empty else None

    def columns(self) -> list[str]:
        """The columns of :meth:`replications` (without reading the records)."""
        store = self.records_on_disk()
        return store.table_columns() if store is not None else list(self.frame.columns)

    def schema(self) -> pd.DataFrame:
        """An empty table with the columns and column types of :meth:`replications`."""
        store = self.records_on_disk()
        return store.schema() if store is not None else self.frame.iloc[:0]

    def kpi_values(self, alternative: str, kpi: str) -> np.ndarray:
        """Float64 values of ``kpi`` for ``alternative``, by replication (NaN: undefined),
        read from disk one column at a time when the records are there."""
        store = self.records_on_disk()
        if store is not None:
            return store.values(alternative, kpi)
        frame = self.frame
        rows = frame[frame["alternative"] == alternative].sort_values("replication")
        return rows[kpi].to_numpy(dtype=float)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The per-replication records as dictionaries."""
        return [
            {str(k): v for k, v in row.items()} for row in self.replications().to_dict("records")
        ]

    @property
    def trajectories(self) -> bool:
        """Whether end-of-day series were kept."""
        return not self.trajectory_frame.empty

    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy table ``alternative × kpi`` with mean, std, ci95_low/high, p05/p50/p95, n.

        Records kept on disk are summarised column by column (the same numbers, bit for bit,
        as the table in memory gives)."""
        store = self.records_on_disk()
        if store is None:
            table = summarize_frame(
                self.replications(), by="alternative", kpis=list(kpis) if kpis else None
            )
        else:
            table = summarize_store(store, list(kpis) if kpis else None)
        order = {name: i for i, name in enumerate(self.alternatives)}
        return (
            table.assign(_alt=table["alternative"].map(order))
            .sort_values("_alt", kind="stable")
            .drop(columns="_alt")
            .reset_index(drop=True)
        )

    def trajectories_frame(self) -> pd.DataFrame:
        """End-of-day series of the kept replications, one row per (rep, point, day)."""
        return self.trajectory_frame.drop(columns=["point"], errors="ignore")

    @property
    def window_days(self) -> int:
        """Days measured after warm-up."""
        return self.scenario.run.window_days


def summarize_store(
    store: ColumnStore, kpis: list[str] | None, *, by_point: bool = False
) -> pd.DataFrame:
    """:func:`~jitsim.stats.summarize_frame` by alternative (``by_point``: by point and
    alternative, as a sweep groups) of a store's table, reading one KPI column of one group
    at a time.

    Each group's statistics depend only on its own values, so summarising the groups one by
    one gives the same numbers bit for bit (tested), with about ten arrays of one group's
    replications in memory instead of ten of the whole table. Groups come in
    ``groupby(sort=True)`` order: point, then alternative by name.
    """
    by = ["point", "alternative"] if by_point else ["alternative"]
    chosen = summary_kpis(store.schema(), by, kpis)
    tables = []
    codes = np.zeros(store.n, dtype=np.intp)
    for point in range(store.points if by_point else 1):
        for name in sorted(store.alternatives):
            keys = pd.DataFrame({"alternative": pd.Series([name], dtype=store.text)})
            if by_point:
                keys.insert(0, "point", np.array([point], dtype=np.int64))
            tables.append(
                summarize_columns(
                    keys,
                    codes,
                    chosen,
                    partial(_group_column, store, name, point),
                    block_cells=1,
                )
            )
    return pd.concat(tables, ignore_index=True)


def _group_column(store: ColumnStore, alternative: str, point: int, kpi: str) -> np.ndarray:
    return store.values(alternative, kpi, point)
