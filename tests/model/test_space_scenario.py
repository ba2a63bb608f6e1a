"""The claims of ``scenarios/warehouse_space.yaml``, held at its own 30 replications and seed.

Each claim of the header is checked twice: the number the header prints (to its rounding:
the run is deterministic for the seed), and the sign of the paired difference with at least
three standard errors to spare, so that a change of seed would not flip it.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from conftest import ROOT

import jitsim
from jitsim.errors import JitsimWarning

PATH = ROOT / "scenarios" / "warehouse_space.yaml"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitsimWarning)  # the buffer's S is above the capacity
        scenario = jitsim.load_scenario(PATH)
    assert scenario.run.replications == 30 and scenario.run.seed == 2026
    return jitsim.run(scenario, backend="serial").replications()


def column(frame: pd.DataFrame, alternative: str, kpi: str) -> pd.Series:
    rows = frame[frame["alternative"] == alternative].sort_values("replication")
    return rows[kpi].reset_index(drop=True)


def mean(frame: pd.DataFrame, alternative: str, kpi: str) -> float:
    return float(column(frame, alternative, kpi).mean())


def paired(frame: pd.DataFrame, first: str, second: str, kpi: str) -> tuple[float, float]:
    """Mean and standard error of the paired difference first − second."""
    diff = column(frame, first, kpi) - column(frame, second, kpi)
    return float(diff.mean()), float(diff.sem())


def test_without_space_the_buffer_is_cheaper(frame: pd.DataFrame) -> None:
    frame = frame.assign(carrying=frame["holding_cost"] + frame["ordering_cost"])
    assert mean(frame, "buffer", "carrying") == pytest.approx(2660, abs=1)
    assert mean(frame, "jit", "carrying") == pytest.approx(4257, abs=1)
    diff, sem = paired(frame, "buffer", "jit", "carrying")
    assert diff == pytest.approx(-1597, abs=1)
    assert diff + 3 * sem < 0
    assert (column(frame, "buffer", "carrying") < column(frame, "jit", "carrying")).all()


def test_the_buffer_overflows_and_jit_pays(frame: pd.DataFrame) -> None:
    assert mean(frame, "buffer", "dc.peak_space_used") == pytest.approx(135, abs=0.5)
    assert mean(frame, "buffer", "dc.space_utilisation") == pytest.approx(1.08, abs=0.005)
    assert mean(frame, "buffer", "overflow_units") == pytest.approx(5054, abs=1)
    assert mean(frame, "buffer", "overflow_cost") == pytest.approx(7581, abs=1)
    assert mean(frame, "buffer", "space_cost") == pytest.approx(2190, abs=1e-6)
    assert mean(frame, "buffer", "total_cost") == pytest.approx(13015, abs=1)
    assert mean(frame, "jit", "total_cost") == pytest.approx(6893, abs=1)
    assert mean(frame, "jit", "dc.space_utilisation") == pytest.approx(0.66, abs=0.005)
    assert mean(frame, "jit", "overflow_cost") == pytest.approx(90, abs=1)
    diff, sem = paired(frame, "buffer", "jit", "total_cost")
    assert diff == pytest.approx(6121, abs=1)
    assert sem == pytest.approx(101, abs=1)
    assert diff - 3 * sem > 0
    assert (column(frame, "buffer", "total_cost") > column(frame, "jit", "total_cost")).all()


def test_sending_trucks_back_loses_sales_and_profit(frame: pd.DataFrame) -> None:
    assert mean(frame, "buffer_refused", "refused_deliveries") == pytest.approx(67.3, abs=0.05)
    assert mean(frame, "buffer_refused", "refused_units") == pytest.approx(4318, abs=1)
    assert mean(frame, "buffer_refused", "dc.peak_space_used") <= 60 + 1e-9
    assert mean(frame, "buffer_refused", "overflow_units") == 0
    assert mean(frame, "buffer_refused", "total_cost") == pytest.approx(4163, abs=1)
    assert mean(frame, "buffer_refused", "lost_sales_units") == pytest.approx(52, abs=0.5)
    assert mean(frame, "jit", "lost_sales_units") == pytest.approx(6, abs=0.5)
    diff, sem = paired(frame, "buffer_refused", "jit", "profit")
    assert (round(diff), round(sem)) == (-8424, 1762)
    assert diff + 3 * sem < 0
    diff, sem = paired(frame, "buffer", "jit", "profit")
    assert (round(diff), round(sem)) == (-15024, 1965)
    assert diff + 3 * sem < 0
