"""Every bundled scenario's report, in headless Chromium: each file is shortened (120 days,
3 replications), run with kept trajectories (every alternative) and compared with its first
alternative when it has several; ``jitsim report`` on each results directory must open with no
console error, no request but itself and every figure at a real size. A full-page screenshot of
each is saved (``$JITSIM_SCREENSHOTS``, else a temporary directory).

Slow (about a minute); ``.ci/run`` runs it in its browser step, where Chromium is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import BUNDLED, Invoke, open_report, shortened

import jitsim
from jitsim.execution.results_dir import resolved_scenario_yaml
from jitsim.output.figures import available
from jitsim.output.results_reader import read_results

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: The shortened horizon and warm-up (days), and the replications of each command.
HORIZON, WARMUP, REPLICATIONS = 120, 20, 3


def _commands(file: Path, scenario: jitsim.Scenario) -> dict[str, list[str | Path]]:
    common: list[str | Path] = ["-n", str(REPLICATIONS), "-q", "--backend", "serial"]
    commands: dict[str, list[str | Path]] = {
        "run": ["run", file, "--trajectories", str(REPLICATIONS), *common]
    }
    if len(scenario.alternatives) > 1:
        commands["compare"] = ["compare", file, *common]
    return commands


@pytest.mark.parametrize("bundled", BUNDLED, ids=[file.stem for file in BUNDLED])
def test_every_bundled_scenario_reports_cleanly_in_a_browser(
    chromium: Any,
    invoke: Invoke,
    tmp_path: Path,
    screenshots: Path,
    capsys: pytest.CaptureFixture[str],
    bundled: Path,
) -> None:
    scenario = jitsim.load_scenario(bundled)
    run = scenario.run
    scenario = shortened(scenario, min(run.horizon_days, HORIZON), min(run.warmup_days, WARMUP))
    file = tmp_path / bundled.name
    file.write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    for command, words in _commands(file, scenario).items():
        directory = tmp_path / command
        result = invoke(*words, "-o", directory)
        assert result.exit_code == 0, f"{command}: {result.output}"
        report = invoke("report", directory, "-o", tmp_path / f"{command}.html")
        assert report.exit_code == 0, f"report of {command}: {report.output}"
        shot = screenshots / f"report-{bundled.stem}-{command}.png"
        opened = open_report(chromium, tmp_path / f"{command}.html", shot)
        with capsys.disabled():
            print(f"\nscreenshot of {bundled.stem}'s {command} report: {shot}")
        opened.assert_clean(figures=len(available(read_results(directory))))
