"""A KPI that --precision cannot watch stops the run after its first round, in one line
(issue #18: a fill rate without demand ran to the cap and printed "inf%")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jitsim.errors import JitsimError
from jitsim.execution.precision import (
    PrecisionReport,
    PrecisionTarget,
    check_watchable,
    sequential,
)


def _frame(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [
        {"alternative": name, "replication": r, "k": v}
        for name, column in values.items()
        for r, v in enumerate(column)
    ]
    return pd.DataFrame(rows)


def test_undefined_in_every_replication_is_refused() -> None:
    frame = _frame({"a": [1.0, 2.0, 3.0], "b": [math.nan] * 3})
    with pytest.raises(JitsimError, match=r"^k is undefined for b in every replication: it"):
        check_watchable(frame, ["a", "b"], ["k"])


def test_reason_comes_from_the_kpi_catalogue() -> None:
    frame = _frame({"a": [math.nan] * 3}).rename(columns={"k": "store.fill_rate"})
    with pytest.raises(JitsimError, match=r"\(no units were demanded in the window\)"):
        check_watchable(frame, ["a"], ["store.fill_rate"])


def test_zero_mean_that_varies_is_refused() -> None:
    with pytest.raises(JitsimError, match="k has a mean of 0 for a while it varies"):
        check_watchable(_frame({"a": [-1.0, 1.0, 0.0]}), ["a"], ["k"])
    paired = _frame({"base": [0.0, 0.0, 0.0], "alt": [1.0, 2.0, 4.0]})
    with pytest.raises(JitsimError, match="mean of 0 for the baseline base"):
        check_watchable(paired, ["base", "alt"], ["k"], baseline="base")


def test_what_can_be_watched_passes() -> None:
    check_watchable(_frame({"a": [0.0, 0.0], "b": [1.0, math.nan]}), ["a", "b"], ["k"])
    check_watchable(_frame({"a": [1.0, 2.0], "b": [2.0, 5.0]}), ["a", "b"], ["k"], baseline="a")


def test_sequential_stops_after_the_first_round() -> None:
    rounds: list[int] = []

    def ensure(n: int) -> pd.DataFrame:
        rounds.append(n)
        return _frame({"a": list(np.arange(n, dtype=float)), "b": [math.nan] * n})

    target = PrecisionTarget(0.1, ("k",), min_replications=10, max_replications=1000)
    with pytest.raises(JitsimError, match="k is undefined for b"):
        sequential(target, ensure, ["a", "b"])
    assert rounds == [10]


def test_describe_never_prints_inf() -> None:
    report = PrecisionReport(PrecisionTarget(0.1), replications=20, rounds=[20])
    report.achieved = {("a", "total_cost"): math.inf}
    assert "inf" not in report.describe()
