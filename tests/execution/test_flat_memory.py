"""Records kept on disk (issue #13): a batch written to a results directory does not hold its
replications in memory, and every number it writes is the one the in-memory table gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, invoke_cli

import jitsim
from jitsim.execution import results_store
from jitsim.execution.columns import ColumnStore
from jitsim.execution.results_store import DirectorySink
from jitsim.stats import summary as summary_module


def _old_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the batch read the chunk file whole, as before the column store."""
    monkeypatch.setattr(DirectorySink, "column_store", lambda self, points, n: None)


def _document(directory: Path) -> dict[str, object]:
    document = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    for key in ("created", "command"):
        document.pop(key)
    return document


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Summaries cut the KPI columns into several blocks (as a long batch does)."""
    monkeypatch.setattr(summary_module, "_CHUNK_CELLS", 1000)


@pytest.mark.usefixtures("small_blocks")
def test_run_on_disk_writes_what_the_table_in_memory_gives(
    quickstart_short: jitsim.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {"backend": "serial", "chunk_size": 7}
    new = jitsim.run(quickstart_short, 40, out=tmp_path / "new", **options)
    assert new.store is not None and new.frame.empty  # nothing read into memory
    assert new.records_on_disk() is not None
    summary_on_disk = new.summary()
    with monkeypatch.context() as patch:
        _old_way(patch)
        old = jitsim.run(quickstart_short, 40, out=tmp_path / "old", **options)
    assert old.store is None and len(old.frame) == 40 * len(old.alternatives)
    assert _document(tmp_path / "new") == _document(tmp_path / "old")
    new_csv = (tmp_path / "new" / "replications.csv").read_bytes()
    assert new_csv == (tmp_path / "old" / "replications.csv").read_bytes()
    pd.testing.assert_frame_equal(summary_on_disk, old.summary(), check_exact=True)
    assert new.columns() == list(old.frame.columns)
    # The API may still ask for the table: read from disk, equal to the old one.
    pd.testing.assert_frame_equal(new.replications(), old.frame, check_exact=True)


@pytest.mark.usefixtures("small_blocks")
def test_compare_on_disk_gives_the_same_differences(
    quickstart_short: jitsim.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {"backend": "serial", "chunk_size": 9}
    new = jitsim.compare(quickstart_short, replications=30, out=tmp_path / "new", **options)
    assert new.result.records_on_disk() is not None
    differences, verdicts = new.differences(), new.verdicts()
    with monkeypatch.context() as patch:
        _old_way(patch)
        old = jitsim.compare(quickstart_short, replications=30, out=tmp_path / "old", **options)
    assert old.result.records_on_disk() is None
    pd.testing.assert_frame_equal(differences, old.differences(), check_exact=True)
    assert verdicts == old.verdicts()
    assert new.result.records_on_disk() is not None  # never read whole on the way


def _part_file(path: Path, rows: list[tuple[object, ...]]) -> None:
    path.write_text("".join(",".join(map(str, row)) + "\n" for row in rows), encoding="utf-8")


COLUMNS = ["point", "alternative", "replication", "units", "rate", "flag"]


def test_column_store_scatters_chunks_into_plan_order(tmp_path: Path) -> None:
    # Chunks finished out of order, both alternatives per replication, an extra replication
    # from a resumed run (2 >= n), a gap in the integer column (it becomes float, as a whole
    # read makes it) and a boolean column.
    rows = [
        (0, "b", 1, 7, 0.1, True),
        (0, "a", 1, 5, 0.30000000000000004, False),
        (0, "b", 2, 9, 1e-300, True),
        (0, "a", 2, "", 2.5, True),
        (0, "b", 0, 3, -0.0, False),
        (0, "a", 0, 4, 1 / 3, True),
    ]
    path = tmp_path / "replications.part.csv"
    _part_file(path, rows)
    store = ColumnStore.from_part_csv(path, COLUMNS, ["b", "a"], points=1, n=2, read_rows=2)
    assert store is not None
    expected = pd.read_csv(path, header=None, names=COLUMNS, low_memory=False)
    expected = expected[expected["replication"] < 2]
    order = {"b": 0, "a": 1}
    expected = expected.assign(_rank=expected["alternative"].map(order))
    expected = expected.sort_values(["_rank", "replication"]).drop(columns="_rank")
    frame = store.frame()
    pd.testing.assert_frame_equal(frame, expected.reset_index(drop=True), check_exact=True)
    assert frame["units"].dtype == np.float64 and frame["flag"].dtype == bool
    assert list(frame["alternative"]) == ["b", "b", "a", "a"]
    assert store.values("a", "rate").tolist() == [1 / 3, 0.30000000000000004]
    assert np.signbit(store.values("b", "rate")[0])  # -0.0 kept as written
    blocks = pd.concat(list(store.blocks(rows=3)))
    pd.testing.assert_frame_equal(blocks.reset_index(drop=True), frame, check_exact=True)
    directory = store.directory
    store.close()
    assert not directory.exists()


@pytest.mark.parametrize(
    "rows",
    [
        [(0, "a", 0, 1, "text", True), (0, "a", 1, 2, 0.5, True)],  # a text KPI
        [(0, "a", 0, 1, 0.5, True), (0, "a", 0, 1, 0.5, True)],  # replication 1 missing
        [(0, "a", 0, 1, 0.5, True), (0, "a", 1, 2, 0.5, "")],  # a boolean with a gap
    ],
)
def test_column_store_refuses_what_it_cannot_keep_exactly(
    tmp_path: Path, rows: list[tuple[object, ...]]
) -> None:
    path = tmp_path / "replications.part.csv"
    _part_file(path, rows)
    assert ColumnStore.from_part_csv(path, COLUMNS, ["a"], points=1, n=2) is None


def test_directory_sink_without_records_has_no_store(tmp_path: Path) -> None:
    manifest = {"kind": "run", "plan": {"alternatives": ["a"]}}
    sink = results_store.DirectorySink(tmp_path, manifest, resume=False)
    try:
        assert sink.column_store(1, 5) is None
    finally:
        sink.close()


def test_precision_rounds_read_only_the_watched_kpis(
    quickstart_short: jitsim.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jitsim.execution.precision import PrecisionTarget

    target = PrecisionTarget(0.02, kpis=("total_cost", "fill_rate"), min_replications=10)
    read: list[list[str]] = []
    whole = DirectorySink.frame

    def recording(self: DirectorySink, columns: list[str] | None = None) -> pd.DataFrame:
        frame = whole(self, columns)
        read.append(list(frame.columns))
        return frame

    monkeypatch.setattr(DirectorySink, "frame", recording)
    options = {"backend": "serial", "chunk_size": 6, "precision": target}
    new = jitsim.run(quickstart_short, out=tmp_path / "new", **options)
    assert read and all(
        columns == ["point", "alternative", "replication", "fill_rate", "total_cost"]
        for columns in read
    )
    monkeypatch.setattr(DirectorySink, "frame", lambda self, columns=None: whole(self))
    old = jitsim.run(quickstart_short, out=tmp_path / "old", **options)
    assert new.precision is not None and old.precision is not None
    assert new.precision.rounds == old.precision.rounds
    assert new.precision.achieved == old.precision.achieved
    assert _document(tmp_path / "new") == _document(tmp_path / "old")


def test_summaries_do_not_depend_on_the_block_width() -> None:
    # The column store summarises one column at a time, summarize_frame several: the numbers
    # must agree bit for bit (each column's sums run down its own sorted values).
    rng = np.random.default_rng(7)
    rows = 3000
    frame = pd.DataFrame(
        {
            "alternative": np.repeat(["b", "a", "c"], rows // 3),
            "replication": np.tile(np.arange(rows // 3), 3),
            "cost": rng.lognormal(8.0, 1.5, rows),
            "rate": np.where(rng.random(rows) < 0.1, np.nan, rng.random(rows)),
            "units": rng.poisson(3000, rows),
            "tiny": rng.normal(0.0, 1e-12, rows),
        }
    )
    wide = summary_module.summarize_frame(frame)
    keys = pd.DataFrame({"alternative": ["a", "b", "c"]})
    codes = frame["alternative"].map({"a": 0, "b": 1, "c": 2}).to_numpy()
    for cells in (1, 2 * rows, 10**9):
        narrow = summary_module.summarize_columns(
            keys,
            codes,
            ["cost", "rate", "units", "tiny"],
            lambda c: frame[c].to_numpy(dtype=np.float64),
            block_cells=cells,
        )
        stats = list(summary_module.SUMMARY_COLUMNS)
        assert np.array_equal(
            narrow[stats].to_numpy().view(np.int64), wide[stats].to_numpy().view(np.int64)
        )


def test_summaries_do_not_depend_on_the_other_groups() -> None:
    # The column store summarises one alternative at a time: each group's numbers must be
    # those of the whole table's summary, bit for bit.
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "alternative": np.repeat(["y", "x"], 500),
            "cost": rng.gamma(2.0, 1000.0, 1000),
            "rate": rng.beta(8.0, 1.0, 1000),
        }
    )
    whole = summary_module.summarize_frame(frame)
    one_by_one = pd.concat(
        [summary_module.summarize_frame(g) for _, g in frame.groupby("alternative")],
        ignore_index=True,
    )
    stats = list(summary_module.SUMMARY_COLUMNS)
    assert np.array_equal(
        whole[stats].to_numpy().view(np.int64), one_by_one[stats].to_numpy().view(np.int64)
    )


@pytest.mark.parametrize(
    ("command", "extra", "points"),
    [("run", (), 1), ("compare", (), 1), ("sweep", ("--set", "suppliers.acme.order_cost=5,20"), 2)],
)
def test_the_cli_never_reads_the_records_whole(
    command: str,
    extra: tuple[str, ...],
    points: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The CLI path of a batch must not hold every replication: neither the table built from
    # the column store nor the chunk file read whole.
    def refused(*args: object, **kwargs: object) -> pd.DataFrame:
        raise AssertionError("the records were read whole")

    monkeypatch.setattr(ColumnStore, "frame", refused)
    monkeypatch.setattr(DirectorySink, "frame", refused)
    out = tmp_path / command
    scenario = SCENARIOS / "quickstart.yaml"
    result = invoke_cli(command, scenario, *extra, "-n", 12, "--backend", "serial", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "summary.json").exists() and (out / "replications.csv").exists()
    rows = pd.read_csv(out / "replications.csv")
    assert len(rows) == 12 * 3 * points and rows["replication"].max() == 11


def test_column_store_gives_way_when_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "replications.part.csv"
    _part_file(path, [(0, "a", 0, 1, 0.5, True), (0, "a", 1, 2, 0.25, False)])

    def full(*args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("jitsim.execution.columns.os.pwrite", full)
    assert ColumnStore.from_part_csv(path, COLUMNS, ["a"], points=1, n=2) is None


@pytest.mark.usefixtures("small_blocks")
def test_sweep_on_disk_writes_what_the_table_in_memory_gives(
    quickstart_short: jitsim.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep's records stay on disk, grouped by (point, alternative): every file it writes
    and every table it returns is the one the records in memory give."""
    grid = {"suppliers.acme.order_cost": [10.0, 40.0], "stock_points.store.initial": [30, 60]}
    options = {"replications": 12, "backend": "serial", "chunk_size": 5}
    new = jitsim.sweep(quickstart_short, grid, out=tmp_path / "new", **options)
    assert new.records_on_disk() is not None and new.frame.empty
    assert new.store is not None and new.store.points == 4
    summary_on_disk = new.summary()
    columns = new.columns()
    with monkeypatch.context() as patch:
        _old_way(patch)
        old = jitsim.sweep(quickstart_short, grid, out=tmp_path / "old", **options)
    assert old.records_on_disk() is None and len(old.frame) == 4 * 12 * len(old.alternatives)
    assert _document(tmp_path / "new") == _document(tmp_path / "old")
    for name in ("sweep_summary.csv", "replications.csv"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "old" / name).read_bytes()
    pd.testing.assert_frame_equal(summary_on_disk, old.summary(), check_exact=True)
    pd.testing.assert_frame_equal(
        new.summary(["total_cost"]), old.summary(["total_cost"]), check_exact=True
    )
    assert columns == list(old.frame.columns)
    # The API may still ask for the table: read from disk, equal to the old one.
    pd.testing.assert_frame_equal(new.replications(), old.replications(), check_exact=True)


def test_sweep_summary_from_disk_reads_one_group_at_a_time(
    quickstart_short: jitsim.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Summarising a sweep on disk never builds its whole table, and fetches each KPI
    column one (point, alternative) at a time."""
    grid = {"suppliers.acme.order_cost": [10.0, 40.0, 80.0]}
    result = jitsim.sweep(
        quickstart_short, grid, replications=6, backend="serial", out=tmp_path / "run"
    )
    store = result.store
    assert store is not None
    monkeypatch.setattr(ColumnStore, "frame", lambda self: pytest.fail("table read whole"))
    lengths: list[int] = []
    values = ColumnStore.values

    def spy(self: ColumnStore, alternative: str, kpi: str, point: int = 0) -> np.ndarray:
        found = values(self, alternative, kpi, point)
        lengths.append(len(found))
        return found

    monkeypatch.setattr(ColumnStore, "values", spy)
    table = result.summary(["total_cost"])
    assert lengths == [6] * 3 * len(result.alternatives)
    assert list(table["point"]) == [p for p in range(3) for _ in result.alternatives]
    assert list(table["alternative"]) == result.alternatives * 3
