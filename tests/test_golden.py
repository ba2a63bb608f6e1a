"""The safety net of every reorganisation: today's results equal the recorded goldens.

``tests/golden/record.py`` wrote, before any code was moved, the KPI record of three
replications (seed 7) of every bundled scenario and alternative, and replication 0's
end-of-day trajectories. Any difference beyond 1e-12 relative is a changed result: either a
regression or a deliberate, documented bug fix that re-records the goldens with its own test.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import BUNDLED, ROOT, Invoke

GOLDEN = Path(__file__).resolve().parent / "golden"

_spec = importlib.util.spec_from_file_location("golden_record", GOLDEN / "record.py")
assert _spec is not None and _spec.loader is not None
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


def _same(expected: float, actual: float) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_results_equal_the_goldens(path: Path) -> None:
    golden = json.loads((GOLDEN / f"{path.stem}.json").read_text())
    today = json.loads(json.dumps(record.golden_results(path)))  # the same JSON round trip
    assert list(today["alternatives"]) == list(golden["alternatives"])
    for alternative, expected in golden["alternatives"].items():
        actual = today["alternatives"][alternative]
        for replication, (want, got) in enumerate(
            zip(expected["kpis"], actual["kpis"], strict=True)
        ):
            assert list(got) == list(want), f"{alternative} r{replication}: KPI columns differ"
            changed = {k: (want[k], got[k]) for k in want if not _same(want[k], got[k])}
            assert not changed, f"{alternative} r{replication}: {changed}"
        assert actual["trajectories"].keys() == expected["trajectories"].keys()
        for point, rows in expected["trajectories"].items():
            got_rows = actual["trajectories"][point]
            assert len(got_rows) == len(rows), f"{alternative} {point}: trajectory length"
            for want_row, got_row in zip(rows, got_rows, strict=True):
                assert all(map(_same, want_row, got_row)), f"{alternative} {point}: {want_row}"


_commands_spec = importlib.util.spec_from_file_location("golden_commands", GOLDEN / "commands.py")
assert _commands_spec is not None and _commands_spec.loader is not None
commands = importlib.util.module_from_spec(_commands_spec)
_commands_spec.loader.exec_module(commands)


@pytest.mark.parametrize("name", list(commands.COMMANDS))
def test_command_outputs_equal_the_goldens(
    name: str, tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Experiments and traces print and write what they did before the reorganisation."""
    monkeypatch.chdir(ROOT)  # the commands name the bundled scenarios relative to the root
    out = tmp_path / "out"
    result = invoke(*commands.arguments(name, out))
    assert result.exit_code == 0, result.output
    for file in commands.COMMANDS[name][1]:
        if file == "stdout":
            expected = (commands.GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
            assert result.stdout == expected
        else:
            pd.testing.assert_frame_equal(
                pd.read_csv(out / file),
                pd.read_csv(commands.GOLDEN / f"{name}.{file}"),
                check_exact=False,
                rtol=1e-12,
                atol=1e-12,
            )
