"""The report as a client sees it: opened from disk in headless Chromium, it logs no error,
requests nothing but itself, shows every figure at a real size and fits the window; a
full-page screenshot of each kind is saved (``$JITSIM_SCREENSHOTS``, else a temporary
directory; the paths are printed). ``jitsim report --pdf`` prints it through the same browser.

Skipped when Chromium or Playwright is missing, unless ``JITSIM_REQUIRE_BROWSER=1`` (as in
``.ci/run``), which makes their absence a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke

from jitsim.cli.report import find_chromium
from jitsim.output.figures import available
from jitsim.output.report import write_report
from jitsim.output.results_reader import read_results

pytestmark = pytest.mark.browser

#: The window the report is opened in (CSS pixels): a laptop screen.
WINDOW = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    if os.environ.get("JITSIM_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"JITSIM_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (the system's browser: Playwright's own
    download is not needed)."""
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium is installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable('Playwright is not installed (pip install ".[browser]")')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("JITSIM_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


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
    url = html.resolve().as_uri()
    page = chromium.new_page(viewport=WINDOW)
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure img, figure svg')).map(e => {
            const box = e.getBoundingClientRect();
            return {width: box.width, height: box.height, right: box.right,
                    decoded: e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0)};
        })"""
    )
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    shot = screenshots / f"report-{kind}.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    with capsys.disabled():
        print(f"\nscreenshot of the {kind} report: {shot}")
    assert errors == [] and failed == []
    assert requests == [url]  # the file itself, nothing else (data URIs are not requests)
    assert len(sizes) == len(available(results))
    for size in sizes:
        assert size["decoded"] and size["width"] > 100 and size["height"] > 100, size
        assert size["right"] <= WINDOW["width"], size  # no figure wider than the window
    assert page_width <= WINDOW["width"]  # wide tables scroll inside their box, not the page


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
