"""``jitsim report``: the HTML report on a finished results directory, and its PDF printed by
headless Chromium; ``--report`` on the batch commands writes it after their results."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from jitsim.cli.console import engines_note, stderr, written
from jitsim.cli.layout import Printer
from jitsim.cli.options import BatchOptions
from jitsim.errors import JitsimError
from jitsim.execution.precision import PrecisionReport
from jitsim.output.report import REPORT_FILE, write_report

__all__ = ["CHROMIUM_NAMES", "find_chromium", "print_to_pdf", "report", "write_report_into"]

#: Names under which a Chromium-based browser is looked for on PATH, in this order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds the browser gets to print the report.
PDF_TIMEOUT = 120


class MissingBrowser(OSError):
    """No Chromium to print the PDF with: the environment's failure (exit status 1)."""


def _no_browser() -> MissingBrowser:
    return MissingBrowser(
        f"--pdf needs Chromium, and none of {', '.join(CHROMIUM_NAMES)} is on PATH "
        "(install it, e.g. apt-get install chromium)"
    )


def find_chromium() -> str | None:
    """The first Chromium-based browser on PATH (see :data:`CHROMIUM_NAMES`), or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_to_pdf(html_file: Path, pdf_file: Path) -> Path:
    """Print ``html_file`` to ``pdf_file`` with headless Chromium (its print stylesheet: A4,
    no figure split across pages).

    Raises
    ------
    MissingBrowser
        When no Chromium is installed.
    OSError
        When the browser fails or writes no PDF.
    """
    browser = find_chromium()
    if browser is None:
        raise _no_browser()
    target = pdf_file.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="jitsim-chromium-") as profile:
        words = [
            browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
            "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={partial}", html_file.resolve().as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                words, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise OSError(f"{browser} did not print {html_file} within {PDF_TIMEOUT} s") from None
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise OSError(f"{browser} could not print {html_file} to PDF: {last}")
    partial.replace(target)
    return target


def finish_batch(
    printer: Printer,
    out_dir: Path,
    options: BatchOptions,
    precision: PrecisionReport | None = None,
) -> None:
    """The end of every batch command: the tables printed, the report written (``--report``),
    then the precision reached and the files written."""
    printer.finish()
    if options.report:
        write_report_into(out_dir, printer.notes)
    if options.verbose:
        for line in engines_note(out_dir):
            printer.notes.print(Text(line))
    written(out_dir, precision, printer.notes)


def write_report_into(directory: Path, console: Console) -> Path:
    """Write ``DIR/report.html`` after a batch command's results (``--report``)."""
    path = write_report(directory)
    console.print(Text(f"report written to {path}"))
    return path


def report(
    directory: Annotated[
        Path, typer.Argument(help="A finished results directory.", show_default=False)
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=f"HTML file to write [default: DIR/{REPORT_FILE}]."),
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf", help="Also print the report to this PDF file (needs Chromium installed)."
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML report on a finished results directory: the scenario in
    words, KPI tables with confidence intervals, verdicts, figures and how to reproduce them.

    The file opens offline (no script, nothing fetched); no simulation is rerun.
    """
    if pdf is not None and pdf.suffix.lower() != ".pdf":
        raise JitsimError(f"--pdf {pdf}: give a file name ending in .pdf")
    if pdf is not None and find_chromium() is None:  # before writing anything
        raise _no_browser()
    path = write_report(directory, out)
    stderr().print(Text(f"report written to {path}"))
    if pdf is not None:
        stderr().print(Text(f"PDF written to {print_to_pdf(path, pdf)}"))
