"""The wording helpers of the foundations: counts with their words, and "did you mean"."""

from __future__ import annotations

import pytest

from jitsim.errors import did_you_mean, with_suggestion
from jitsim.units import plural


@pytest.mark.parametrize(
    "count, word, many, expected",
    [
        (1, "node", None, "1 node"),
        (0, "node", None, "0 nodes"),
        (2, "duration", None, "2 durations"),
        (1.0, "day", None, "1 day"),
        (2.5, "day", None, "2.5 days"),
        (1_000, "replication", None, "1,000 replications"),
        (1, "analysis", "analyses", "1 analysis"),
        (3, "analysis", "analyses", "3 analyses"),
    ],
)
def test_plural_agrees_with_the_count(
    count: float, word: str, many: str | None, expected: str
) -> None:
    assert plural(count, word, many) == expected


@pytest.mark.parametrize(
    "name, choices, expected",
    [
        ("JIT", ["s_S", "eoq", "jit"], "did you mean 'jit'?"),
        ("bufferd", ["buffered", "eoq", "jit"], "did you mean 'buffered'?"),
        ("fill_rat", ["total_cost", "fill_rate"], "did you mean 'fill_rate'?"),
        ("possion", ["normal", "poisson", "gamma"], "did you mean 'poisson'?"),
        ("zzz", ["buffered", "eoq"], ""),
        ("jit", ["jit"], ""),  # a valid name needs no hint
        (3, ["jit"], ""),
        ("jit", [], ""),
    ],
)
def test_did_you_mean_names_the_nearest_choice(
    name: object, choices: list[str], expected: str
) -> None:
    assert did_you_mean(name, choices) == expected


def test_with_suggestion_appends_the_hint_only_when_one_is_close() -> None:
    known = ["buffered", "jit"]
    message = "unknown alternative 'JIT' (this scenario has: buffered, jit)"
    assert with_suggestion(message, "JIT", known) == f"{message}; did you mean 'jit'?"
    assert with_suggestion("unknown alternative 'x'", "x", known) == "unknown alternative 'x'"
