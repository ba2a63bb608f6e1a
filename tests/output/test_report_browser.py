"""The report as a client sees it: opened from disk in headless Chromium, it logs no error,
requests nothing but itself, shows every figure at a real size and fits the window; a
full-page screenshot of each kind is saved (``$JITSIM_SCREENSHOTS``, else a temporary
directory; the paths are printed). ``jitsim report --pdf`` prints it through the same browser.

Skipped when Chromium or Playwright is missing, unless ``JITSIM_REQUIRE_BROWSER=1`` (as in
``.ci/run``), which makes their absence a failure (the ``chromium`` fixture, tests/conftest.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, open_report

from jitsim.output.figures import available
from jitsim.output.report import write_report
from jitsim.output.results_reader import read_results

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "stress", "breakeven"])
def test_the_report_opens_cleanly_in_a_browser(
    chromium: Any,
    results_dirs: dict[str, Path],
    tmp_path: Path,
    screenshots: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    results = read_results(results_dirs[kind])
    html = write_report(results_dirs[kind], tmp_path / f"{kind}.html")
    shot = screenshots / f"report-{kind}.png"
    opened = open_report(chromium, html, shot)
    with capsys.disabled():
        print(f"\nscreenshot of the {kind} report: {shot}")
    opened.assert_clean(figures=len(available(results)))


def test_the_report_prints_to_pdf(
    chromium: Any,
    invoke: Invoke,
    results_dirs: dict[str, Path],
    tmp_path: Path,
    screenshots: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory = shutil.copytree(results_dirs["compare"], tmp_path / "compare")
    pdf = screenshots / "report-compare.pdf"
    result = invoke("report", directory, "--pdf", pdf)
    assert result.exit_code == 0, result.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 20_000  # text, tables and a figure, not an empty page
    assert not list(pdf.parent.glob(f".{pdf.name}.partial"))
    with capsys.disabled():
        print(f"\nPDF of the compare report: {pdf}")
