"""``jitsim plot``: one figure of a finished results directory, as PNG, SVG or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from jitsim.cli.console import stderr, stdout
from jitsim.errors import JitsimError
from jitsim.execution.results_claim import claim, record_files
from jitsim.output.figures import FIGURES, available, draw, save
from jitsim.output.results_reader import read_results


def plot(
    kind: Annotated[
        str | None,
        typer.Argument(help="Figure to draw (see --list).", show_default=False),
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Argument(help="A finished results directory.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write: .png, .svg or .pdf [default: DIR/KIND.png]."
        ),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="List the figures (those DIR supports, if given).")
    ] = False,
) -> None:
    """Draw one figure of a finished results directory (no simulation is rerun)."""
    if list_ or kind is None:
        _list(directory if directory is not None else (Path(kind) if kind else None))
        return
    if directory is None:
        raise JitsimError("give the results directory: jitsim plot KIND DIR")
    results = read_results(directory)
    figure = draw(kind, results)
    if out is not None:
        save(figure, out)
    else:  # into the results directory: held meanwhile, and listed among its files
        with claim(directory, resume=True) as path:
            out = save(figure, path / f"{kind}.png")
            record_files(path, [out.name])
    stderr().print(Text(f"{kind} figure written to {out}"))


def _list(directory: Path | None) -> None:
    shown = set(available(read_results(directory))) if directory is not None else set(FIGURES)
    for name, kind in FIGURES.items():
        if name in shown:
            stdout().print(Text(f"{name:<14} {kind.title}"))
    if directory is not None and len(shown) < len(FIGURES):
        missing = ", ".join(n for n in FIGURES if n not in shown)
        stderr().print(Text(f"not supported by {directory}: {missing}"))
