"""The fast engine's records travel as columns (issue #13): the stores keep exactly what the
dicts of every record gave them — same table, same CSV bytes — whatever the mix of engines."""

from __future__ import annotations

import csv
import io
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MIXED_SCOPE as MIXED
from conftest import QUICKSTART, shortened
from conftest import REFERENCE_CASE as REFERENCE

import jitsim
from jitsim.execution.backends import Chunk, ChunkResult, run_chunk
from jitsim.execution.record_columns import RecordColumns, csv_lines, csv_text, key_order
from jitsim.execution.record_frame import frame_of
from jitsim.execution.results_store import MemorySink, _csv_text, _sort_in_plan_order
from jitsim.fast import run_columns, run_replications


def _reference_points() -> list[jitsim.Scenario]:
    """Two sweep points of the reference case (a different reorder point)."""
    text = REFERENCE.read_text(encoding="utf-8")
    base = jitsim.load_scenario_text(text)
    policy = base.stock_points["store"].policy.model_copy(update={"s": 40})
    store = base.stock_points["store"].model_copy(update={"policy": policy})
    other = base.model_copy(update={"stock_points": {**base.stock_points, "store": store}})
    return [base, other]


def _cases() -> dict[str, tuple[list[jitsim.Scenario], list[str], list[Chunk]]]:
    """Scenarios (points), alternatives and chunks: fast alone, several alternatives, SimPy
    for trajectories, out-of-scope alternatives, several points, chunks out of order."""
    mixed = jitsim.load_scenario_text(MIXED)
    quick = shortened(jitsim.load_scenario(QUICKSTART), 90, 10)
    points = _reference_points()

    def chunks(
        npoints: int, names: list[str], n: int, size: int, engine: str, keep: int = 0
    ) -> list[Chunk]:
        out = []
        for point in range(npoints):
            for first in range(0, n, size):
                count = min(size, n - first)
                out.append(Chunk(len(out), point, tuple(names), first, count, 5, keep, engine))
        return out[::-1]  # as a pool may finish them

    return {
        "fast": ([points[0]], ["base"], chunks(1, ["base"], 30, 11, "fast")),
        "fast_points": (points, ["base"], chunks(2, ["base"], 20, 8, "fast")),
        "alternatives": (
            [quick],
            list(quick.alternatives),
            chunks(1, list(quick.alternatives), 9, 4, "fast"),
        ),
        "trajectories": ([quick], ["jit", "eoq"], chunks(1, ["jit", "eoq"], 9, 4, "auto", keep=6)),
        "mixed": (
            [mixed],
            ["periodic", "continuous"],
            chunks(1, ["periodic", "continuous"], 8, 3, "auto", keep=2),
        ),
        "simpy": ([mixed], ["periodic"], chunks(1, ["periodic"], 4, 3, "simpy")),
    }


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[list[str], list[ChunkResult]]]:
    out = {}
    for name, (scenarios, names, chunks) in _cases().items():
        out[name] = (names, [run_chunk(scenarios, chunk) for chunk in chunks])
    return out


@pytest.mark.parametrize("case", list(_cases()))
def test_memory_table_is_the_table_of_every_record_as_a_dict(
    results: dict[str, tuple[list[str], list[ChunkResult]]], case: str
) -> None:
    names, chunks = results[case]
    sink = MemorySink(names)
    for result in chunks:
        sink.add(result)
    rows = [record for result in chunks for record in result.all_records()]
    expected = _sort_in_plan_order(pd.DataFrame.from_records(rows), names)
    pd.testing.assert_frame_equal(sink.frame(), expected, check_exact=True)


@pytest.mark.parametrize("case", list(_cases()))
def test_csv_lines_are_the_bytes_of_every_record_as_a_dict(
    results: dict[str, tuple[list[str], list[ChunkResult]]], case: str
) -> None:
    names, chunks = results[case]
    for result in chunks:
        rows = result.all_records()
        assert result.row_count() == len(rows) == result.chunk.count * len(names)
        columns = list(dict.fromkeys(k for record in rows for k in record))
        assert key_order(result.chunk.alternatives, result.columns, result.records) == columns
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for record in rows:
            writer.writerow([record.get(k, "") for k in columns])
        assert _csv_text(result, columns) == buffer.getvalue()
        wider = [*columns, "absent"]  # a header with a KPI these records lack: empty cells
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [record.get(k, "") for k in wider] for record in rows
        )
        assert _csv_text(result, wider) == buffer.getvalue()


def test_a_chunk_on_the_fast_engine_holds_columns_not_dicts(
    results: dict[str, tuple[list[str], list[ChunkResult]]],
) -> None:
    _, chunks = results["fast"]
    for result in chunks:
        assert result.records == [] and len(result.columns) == 1
        block = result.columns[0]
        assert block.replications == result.replications()
        assert all(column.dtype == np.float64 for column in block.kpis.values())
        assert pickle.loads(pickle.dumps(result)).all_records() == result.all_records()


def test_run_columns_are_the_records() -> None:
    resolved = jitsim.resolve(jitsim.load_scenario(REFERENCE), "base")
    columns = run_columns(resolved, 7, range(3, 12))
    records = run_replications(resolved, 7, range(3, 12))
    assert list(columns) == list(records[0])
    for i, record in enumerate(records):
        assert {k: float(v[i]) for k, v in columns.items()} == record
    assert run_columns(resolved, 7, range(4, 4)) == {}
    assert run_replications(resolved, 7, range(4, 4)) == []


def test_unusual_simpy_columns_fall_back_to_the_table_of_dicts() -> None:
    """A SimPy column that is not integer or float (None alone, text) is typed as
    ``from_records`` types it with the fast engine's floats beside it."""
    block = RecordColumns(0, "a", range(2, 4), {"x": np.array([1.5, 2.5]), "y": np.ones(2)})
    simulated = [
        {"point": 0, "alternative": "a", "replication": 0, "x": None, "y": 1},
        {"point": 0, "alternative": "a", "replication": 1, "x": None, "y": 2, "z": 3},
    ]
    columns = ["point", "alternative", "replication", "x", "y", "z"]
    expected = pd.DataFrame.from_records([*simulated, *block.records()])
    pd.testing.assert_frame_equal(frame_of(simulated, [block], columns), expected, check_exact=True)
    numeric = [{**record, "x": 0.5} for record in simulated]
    expected = pd.DataFrame.from_records([*numeric, *block.records()])
    pd.testing.assert_frame_equal(frame_of(numeric, [block], columns), expected, check_exact=True)


def test_the_directory_holds_the_bytes_of_the_simpy_engine(tmp_path: Path) -> None:
    """Three alternatives interleaved from the fast engine's columns, a resume on it of a run
    started on SimPy: the chunk file, then the table, byte for byte SimPy's."""
    quick = shortened(jitsim.load_scenario(QUICKSTART), 90, 10)
    options = {"backend": "serial", "chunk_size": 5}
    simpy, fast = tmp_path / "simpy", tmp_path / "fast"

    def stop(done: int, total: int) -> None:
        if done >= 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jitsim.compare(quick, "buffered", 13, out=simpy, progress=stop, **options)
    with pytest.raises(KeyboardInterrupt):
        jitsim.compare(quick, "buffered", 13, out=fast, progress=stop, engine="fast", **options)
    for name in ("replications.part.csv", "journal.jsonl"):
        assert (fast / name).read_bytes() == (simpy / name).read_bytes()
    jitsim.compare(quick, "buffered", 13, out=simpy, resume=True, engine="fast", **options)
    jitsim.compare(quick, "buffered", 13, out=fast, resume=True, **options)
    assert (fast / "replications.csv").read_bytes() == (simpy / "replications.csv").read_bytes()


@pytest.mark.parametrize("name", ["base", 'say "hi", twice', "two\nlines", "", "é x"])
def test_csv_lines_quote_the_alternative_as_the_csv_writer_does(name: str) -> None:
    kpis = {"x": np.array([1.5, np.nan, -0.0, 1e-7, np.inf]), "y": np.array([1, 2, 3, 4, 5.0])}
    block = RecordColumns(3, name, range(7, 12), kpis)
    header = ["point", "alternative", "replication", "x", "missing", "y"]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [record.get(k, "") for k in header] for record in block.records()
    )
    assert csv_text(block, header) == buffer.getvalue()
    assert "".join(csv_lines(block, header)) == buffer.getvalue()
