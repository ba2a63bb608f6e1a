"""``jitsim show``: the tables of a finished results directory, printed again as the command
that wrote them printed them (nothing is simulated again)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.text import Text

from jitsim.cli.layout import Printer
from jitsim.cli.optimize import show_optimize
from jitsim.cli.options import FormatOpt
from jitsim.cli.run import print_differences, print_headline
from jitsim.cli.stress import print_mitigations, print_stress
from jitsim.cli.sweep import default_kpis, print_breakeven, print_sweep
from jitsim.output.rebuilt import comparison_of, run_result_of, sweep_result_of
from jitsim.output.results_reader import Results, read_results
from jitsim.scenario.models import Scenario

__all__ = ["show"]


def show(
    directory: Annotated[
        Path, typer.Argument(help="A finished results directory.", show_default=False)
    ],
    output_format: FormatOpt = "table",
) -> None:
    """Print the tables of a finished results directory again (no simulation is rerun)."""
    printer = Printer(output_format)
    results = read_results(directory)
    if results.kind in ("run", "compare"):
        print_headline(printer, run_result_of(results))
    if results.kind == "compare":
        print_differences(printer, comparison_of(results))
    elif results.kind == "sweep":
        sweep = sweep_result_of(results)  # its KPIs as jitsim sweep prints them by default
        print_sweep(printer, sweep, default_kpis(sweep.frame.columns))
    elif results.kind == "breakeven":
        _print_breakeven(printer, results)
    elif results.kind == "optimize":
        show_optimize(printer, results.directory)
    elif results.kind == "stress":
        tables = _StressTables.of(results)
        print_stress(printer, tables, results.currency)
        if not tables.mitigations().empty:
            print_mitigations(printer, tables, None, results.currency)
    printer.finish()
    printer.notes.print(Text(f"results of: {results.command}"))


def _print_breakeven(printer: Printer, results: Results) -> None:
    summary = results.summary
    between = [str(name) for name in summary.get("between") or ("A", "B")]
    bracket = summary.get("bracket") or (math.nan, math.nan)
    band = summary.get("uncertainty") or (math.nan, math.nan)
    outcome = pd.DataFrame(
        [
            {
                "param": summary.get("param"),
                "a": between[0],
                "b": between[1],
                "kpi": summary.get("kpi"),
                "outcome": summary.get("outcome"),
                "estimate": _number(summary.get("estimate")),
                "bracket_low": _number(bracket[0]),
                "bracket_high": _number(bracket[1]),
                "uncertainty_low": _number(band[0]),
                "uncertainty_high": _number(band[1]),
                "stop_reason": summary.get("stop_reason"),
                "sentence": summary.get("sentence"),
            }
        ]
    )
    points = results.table("breakeven_points")
    print_breakeven(
        printer,
        points if points is not None else pd.DataFrame(columns=["x"]),
        str(summary.get("param", "")),
        (between[0], between[1]),
        str(summary.get("kpi", "")),
        str(summary.get("sentence", "")),
        outcome,
    )


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class _StressTables:
    """The stress tables of a finished directory, as the stress printing functions read them
    (:class:`~jitsim.cli.stress.StressTables`)."""

    scenario: Scenario
    nodes: dict[str, str]
    durations: list[int]
    events: list[str]
    alternatives: list[str]
    seed: int
    replications: int
    start_day: int
    horizon_after_failure: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def of(cls, results: Results) -> _StressTables:
        summary = results.summary
        return cls(
            scenario=results.scenario,
            nodes={str(k): str(v) for k, v in (summary.get("nodes") or {}).items()},
            durations=[int(d) for d in summary.get("durations_days") or []],
            events=[str(e) for e in summary.get("events") or []],
            alternatives=results.alternatives,
            seed=int(summary.get("seed", results.scenario.run.seed)),
            replications=int(summary.get("replications", 0)),
            start_day=int(summary.get("start_day", 0)),
            horizon_after_failure=int(summary.get("horizon_after_failure", 0)),
            tables=results.tables,
        )

    def _table(self, name: str) -> pd.DataFrame:
        return self.tables.get(name, pd.DataFrame())

    def table(self) -> pd.DataFrame:
        return self._table("stress")

    def tts(self) -> pd.DataFrame:
        return self._table("tts")

    def mitigations(self, reference: str | None = None) -> pd.DataFrame:
        """The mitigation table as written (against the reference the command used)."""
        return self._table("mitigations")
