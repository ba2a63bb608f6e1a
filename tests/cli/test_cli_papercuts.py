"""Papercuts of the command line (#11, #18): count words that agree with their numbers,
"did you mean" for misspelt names, warnings about events outside the measured window, and a
``--version`` that does not load the simulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import QUICKSTART, Invoke

#: A count followed by a plural where the count is 1 ("1 nodes", "1 alternatives"), or "(s)".
WRONG_PLURAL = re.compile(r"(?<![\d.,])1 (?:tested )?[a-z]+s\b|\w\(s\)")


@pytest.fixture(scope="module")
def short_quickstart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quickstart over 31 days with 1 day of warm-up (one of everything counted)."""
    text = QUICKSTART.read_text(encoding="utf-8")
    text = text.replace("horizon_days: 395", "horizon_days: 31")
    text = text.replace("warmup_days: 30", "warmup_days: 1")
    path = tmp_path_factory.mktemp("short") / "short.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_wrong_plural_pattern_finds_wrong_forms() -> None:
    assert WRONG_PLURAL.search("1 nodes × 1 durations")
    assert WRONG_PLURAL.search("+ 1 tested events")
    assert WRONG_PLURAL.search("review every 1 day(s)")
    assert not WRONG_PLURAL.search("1 node × 1 duration × 21 replications, 0.1 days")


@pytest.mark.parametrize(
    "command",
    [
        ["run", "-a", "jit", "-n", "1"],
        ["run", "-a", "jit", "-n", "2", "--precision", "0.5"],
        ["sweep", "-a", "jit", "--set", "suppliers.acme.order_cost=5", "-n", "1"],
        ["stress", "-a", "jit", "--node", "acme", "--durations", "7", "-n", "1"],
        ["stress", "-a", "jit", "--node", "acme", "--durations", "7", "-n", "1",
         "--test-event", "outage-5d:acme"],
        ["validate"],
        ["trace", "--days", "1"],
    ],
)  # fmt: skip
def test_one_of_everything_is_worded_in_the_singular(
    invoke: Invoke, short_quickstart: Path, tmp_path: Path, command: list[str]
) -> None:
    name, *options = command
    out = ["-o", tmp_path / "out"] if name not in ("validate", "trace") else []
    result = invoke(name, short_quickstart, *options, *out)
    assert result.exit_code == 0, result.output
    assert not WRONG_PLURAL.findall(result.output), result.output
