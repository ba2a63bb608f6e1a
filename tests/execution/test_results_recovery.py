"""``resume`` verifies what it finds: every finished chunk is checked against the range, row
count and checksum recorded in the journal; damaged chunks are recomputed (and named), and the
resumed results equal an uninterrupted run's byte for byte."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import jitsim
from jitsim.errors import JitsimError, JitsimWarning
from jitsim.execution.results_store import JOURNAL, RECORDS, read_journal

N, SEED, CHUNK = 12, 5, 2
ALTERNATIVES = ["jit", "eoq"]


class _Stop(Exception):
    pass


def _stop_after(done_at_least: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if done >= done_at_least:
            raise _Stop

    return progress


def _interrupted(scenario: jitsim.Scenario, out: Path) -> None:
    """A run stopped after 4 of its 6 chunks."""
    with pytest.raises(_Stop):
        jitsim.run(
            scenario,
            N,
            SEED,
            alternatives=ALTERNATIVES,
            backend="serial",
            out=out,
            chunk_size=CHUNK,
            trajectories=3,
            progress=_stop_after(8 * len(ALTERNATIVES)),
        )


def _resumed(scenario: jitsim.Scenario, out: Path) -> tuple[jitsim.RunResult, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = jitsim.run(
            scenario,
            N,
            SEED,
            alternatives=ALTERNATIVES,
            backend="serial",
            out=out,
            chunk_size=CHUNK,
            trajectories=3,
            resume=True,
        )
    return result, [str(w.message) for w in caught if issubclass(w.category, JitsimWarning)]


@pytest.fixture(scope="module")
def uninterrupted(
    quickstart_short: jitsim.Scenario, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("whole") / "run"
    jitsim.run(
        quickstart_short,
        N,
        SEED,
        alternatives=ALTERNATIVES,
        backend="serial",
        out=out,
        chunk_size=CHUNK,
        trajectories=3,
    )
    return out


def _same_files(resumed: Path, whole: Path) -> None:
    for name in ("replications.csv", "trajectories.csv"):
        assert (resumed / name).read_bytes() == (whole / name).read_bytes(), name
    summary = json.loads((resumed / "summary.json").read_text())
    assert summary["replications"] == N
    rows = pd.read_csv(resumed / "replications.csv")
    assert len(rows) == N * len(ALTERNATIVES)


def _edit_one_value(out: Path) -> None:
    path = out / RECORDS
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    cells = lines[3].split(",")
    cells[-1] = "12345.678\n"
    lines[3] = ",".join(cells)
    path.write_text("".join(lines))


def _absurd_size(out: Path) -> None:
    path = out / JOURNAL
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    last = entries[-1]
    last["records"][1] = 100 * 2**30  # 100 GiB
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def _wrong_range(out: Path) -> None:
    path = out / JOURNAL
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    chunk = next(e for e in entries if "chunk" in e)
    chunk["first"] += 1
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def _edit_columns(edit: Callable[[list[object]], list[object]]) -> Callable[[Path], None]:
    def spoil(out: Path) -> None:
        path = out / JOURNAL
        lines = path.read_text().splitlines()
        header = json.loads(lines[0])
        header["columns"] = edit(header["columns"])
        path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")

    return spoil


def _garbage_in_the_middle(out: Path) -> None:
    path = out / JOURNAL
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:2], "{not json", *lines[2:]]) + "\n")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "a column added to the header": (
        _edit_columns(lambda c: [*c[:3], "zzz", *c[3:]]),
        "other settings or column names",
    ),
    "a column removed from the header": (
        _edit_columns(lambda c: c[:3] + c[4:]),
        "other settings or column names",
    ),
    "column names that are not text": (_edit_columns(lambda c: [1, 2]), "column names"),
    "a garbled line in the middle": (_garbage_in_the_middle, "line 3: damaged"),
    "deleted partial file": (lambda out: (out / RECORDS).unlink(), "missing"),
    "edited value": (_edit_one_value, "checksum"),
    "truncated file": (
        lambda out: (out / RECORDS).write_bytes((out / RECORDS).read_bytes()[:-100]),
        "short",
    ),
    "absurd size in the journal": (_absurd_size, "short"),
    "torn journal": (
        lambda out: (out / JOURNAL).write_bytes((out / JOURNAL).read_bytes()[:-7]),
        "",
    ),
    "range that is not the plan's": (_wrong_range, "range"),
    "garbage journal": (lambda out: (out / JOURNAL).write_bytes(b"\x00{]\xff" * 50), ""),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_run_resumes_to_the_uninterrupted_results(
    damage: str, quickstart_short: jitsim.Scenario, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    _interrupted(quickstart_short, out)
    spoil, said = DAMAGE[damage]
    spoil(out)
    result, notes = _resumed(quickstart_short, out)
    _same_files(out, uninterrupted)
    assert result.replications_per_alternative == N
    if said:
        assert any(said in note and ("chunk" in note or "line" in note) for note in notes), notes


def test_chunks_of_another_seed_are_never_kept(
    quickstart_short: jitsim.Scenario, tmp_path: Path
) -> None:
    """The manifest's seed edited by hand: chunks simulated with the old seed are not mixed in."""
    out = tmp_path / "run"
    _interrupted(quickstart_short, out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["seed"] = SEED + 1
    (out / "manifest.json").write_text(json.dumps(manifest))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = jitsim.run(
            quickstart_short, N, SEED + 1, alternatives=ALTERNATIVES, backend="serial",
            out=out, chunk_size=CHUNK, trajectories=3, resume=True,
        )  # fmt: skip
    assert sum("other settings" in str(w.message) for w in caught) == 4
    whole = jitsim.run(
        quickstart_short, N, SEED + 1, alternatives=ALTERNATIVES, backend="serial", chunk_size=CHUNK
    )
    pd.testing.assert_frame_equal(resumed.replications(), whole.replications(), check_exact=True)


def test_an_intact_run_resumes_without_recomputing(
    quickstart_short: jitsim.Scenario, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    _interrupted(quickstart_short, out)
    finished = {e["chunk"] for e in read_journal(out / JOURNAL) if "chunk" in e}
    assert len(finished) == 4
    _, notes = _resumed(quickstart_short, out)
    assert notes == []
    _same_files(out, uninterrupted)


def test_the_journal_records_range_rows_and_checksum(
    quickstart_short: jitsim.Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    _interrupted(quickstart_short, out)
    chunks = [e for e in read_journal(out / JOURNAL) if "chunk" in e]
    for entry in chunks:
        assert entry["count"] == CHUNK and entry["rows"] == CHUNK * len(ALTERNATIVES)
        start, end, digest = entry["records"]
        assert 0 <= start < end and len(digest) == 64
    assert sorted(e["first"] for e in chunks) == [0, 2, 4, 6]


def test_resume_of_another_scenario_names_the_mismatch(
    quickstart_short: jitsim.Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    _interrupted(quickstart_short, out)
    other = quickstart_short.model_copy(update={"name": "someone else"})
    with pytest.raises(JitsimError, match="cannot resume — it was started with another scenario"):
        jitsim.run(other, N, SEED, alternatives=ALTERNATIVES, out=out, resume=True)


def test_resume_refuses_a_file(quickstart_short: jitsim.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "results.txt"
    path.write_text("not a directory")
    with pytest.raises(JitsimError, match="is a file, not a results directory"):
        jitsim.run(quickstart_short, N, SEED, out=path, resume=True)
