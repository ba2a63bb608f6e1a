"""The results writer, and plain-text renderings of results and scenarios.

:func:`write_results` puts a :class:`~jitsim.batch.RunResult` into a results directory::

    results/quickstart/
        summary.json             # provenance + per-alternative KPI statistics
        replications.csv         # the tidy table, one row per (alternative, replication)
        scenario.resolved.yaml   # the validated scenario with every default filled in
        trajectories.csv         # end-of-day series (only when trajectories were kept)

The formatting helpers (:func:`format_estimate`, :func:`kpi_unit`, :func:`headline_rows`,
:func:`describe_scenario`) return strings, so the command line and notebooks print the same
thing and tests can check it.
"""

from __future__ import annotations

import json
import math
import os
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from jitsim.batch import scenario_hash
from jitsim.errors import JitsimError
from jitsim.kpis import HEADLINE_KPIS

if TYPE_CHECKING:
    from jitsim.batch import RunResult
    from jitsim.scenario.models import Scenario

__all__ = [
    "SUMMARY_FILE",
    "SUMMARY_STATS",
    "default_out_dir",
    "describe_scenario",
    "export_tables",
    "format_estimate",
    "headline_rows",
    "json_safe",
    "kpi_unit",
    "policy_derived_values",
    "prepare_out_dir",
    "provenance",
    "resolved_scenario_yaml",
    "summary_document",
    "write_json",
    "write_results",
    "writing",
]

SUMMARY_FILE = "summary.json"
REPLICATIONS_FILE = "replications.csv"
SCENARIO_FILE = "scenario.resolved.yaml"
TRAJECTORIES_FILE = "trajectories.csv"

#: Statistics written per KPI into ``summary.json``, in this order.
SUMMARY_STATS = ("mean", "std", "ci95_low", "ci95_high", "p05", "p50", "p95", "cvar95", "n")

_RATE_SUFFIXES = ("fill_rate", "service_level", "ready_rate")
_MONEY_NAMES = ("profit", "revenue")


def _version() -> str:
    from jitsim import __version__

    return __version__


# -- results directory ------------------------------------------------------------------------


def default_out_dir(scenario_file: str | os.PathLike[str]) -> Path:
    """``results/<scenario-file-stem>`` (relative to the working directory)."""
    return Path("results") / Path(scenario_file).stem


def prepare_out_dir(out_dir: str | os.PathLike[str]) -> Path:
    """Create the results directory (and parents) if needed.

    Raises
    ------
    JitsimError
        If the path exists and is not a directory, or cannot be created.
    """
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise JitsimError(f"--out {path}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JitsimError(f"--out {path}: cannot create directory: {exc.strerror or exc}") from None
    return path


def json_safe(value: Any) -> Any:
    """JSON-safe copy, as it reads back from a JSON file: NaN/inf become ``None``, numpy
    scalars Python numbers, tuples lists, keys strings; anything else its ``str``."""

    def clean(item: Any) -> Any:
        if isinstance(item, dict):
            return {str(k): clean(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [clean(v) for v in item]
        if hasattr(item, "item") and not isinstance(item, str):  # numpy scalar
            item = item.item()
        if isinstance(item, float) and not math.isfinite(item):
            return None
        return item

    return json.loads(json.dumps(clean(value), default=str))


@contextmanager
def writing(where: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a failed write (disk full, no permission, a directory in the way) into a user error
    naming the file."""
    try:
        yield
    except OSError as exc:
        raise JitsimError(f"cannot write {exc.filename or where}: {exc.strerror or exc}") from None


def provenance(scenario: Scenario, seed: int, command: str | None) -> dict[str, Any]:
    """Where a result came from: version, scenario name and hash, seed, command, time."""
    return {
        "jitsim_version": _version(),
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_json(path: str | os.PathLike[str], document: dict[str, Any]) -> None:
    """Write ``document`` as indented JSON (NaN as ``null``), a user error if it cannot."""
    with writing(path):
        Path(path).write_text(
            json.dumps(json_safe(document), indent=2, allow_nan=False, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )


def summary_document(
    result: RunResult,
    *,
    command: str | Sequence[str] | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The content of ``summary.json`` as a JSON-safe dict (NaN written as ``None``).

    ``alternatives`` maps alternative → KPI → statistics (:data:`SUMMARY_STATS`), with the
    statistics exactly those of :meth:`RunResult.summary`.
    """
    if command is not None and not isinstance(command, str):
        command = shlex.join(command)
    alternatives: dict[str, dict[str, dict[str, Any]]] = {a: {} for a in result.alternatives}
    if not result.replications().empty:
        for row in result.summary().to_dict("records"):
            stats = {stat: row[stat] for stat in SUMMARY_STATS}
            stats["n"] = int(stats["n"])
            alternatives.setdefault(str(row["alternative"]), {})[str(row["kpi"])] = stats
    scenario = result.scenario
    document = {
        **provenance(scenario, result.seed, command),
        "replications": result.replications_per_alternative,
        "window_days": result.window_days,
        "horizon_days": scenario.run.horizon_days,
        "warmup_days": scenario.run.warmup_days,
        "currency": scenario.run.currency,
        "alternatives": alternatives,
    }
    if created is not None:
        document["created"] = created.isoformat(timespec="seconds")
    cleaned: dict[str, Any] = json_safe(document)
    return cleaned


def resolved_scenario_yaml(scenario: Scenario) -> str:
    """The validated scenario with every default filled in, as YAML with a header comment.

    Loading the text again gives a scenario with the same :func:`~jitsim.batch.scenario_hash`.
    """
    header = (
        f"# Resolved scenario written by jitsim {_version()}: every default filled in.\n"
        f"# scenario hash (sha256): {scenario_hash(scenario)}\n"
        "# Run it again with: jitsim run scenario.resolved.yaml\n"
    )
    body = yaml.safe_dump(
        scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
    return header + body


def write_results(
    result: RunResult,
    out_dir: str | os.PathLike[str],
    *,
    command: str | Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write ``result`` into ``out_dir`` (created if needed); existing files are replaced.

    Parameters
    ----------
    result : RunResult
        What :func:`jitsim.run` returned.
    out_dir : path
        Results directory.
    command : str or sequence of str, optional
        Command line that produced the result, recorded in ``summary.json``.

    Returns
    -------
    dict
        File kind (``summary``, ``replications``, ``scenario``, ``trajectories``) → path.

    Raises
    ------
    JitsimError
        If ``out_dir`` is a file or a file cannot be written.
    """
    path = prepare_out_dir(out_dir)
    written = {
        "summary": path / SUMMARY_FILE,
        "replications": path / REPLICATIONS_FILE,
        "scenario": path / SCENARIO_FILE,
    }
    write_json(written["summary"], summary_document(result, command=command))
    with writing(path):
        result.replications().to_csv(written["replications"], index=False)
        written["scenario"].write_text(resolved_scenario_yaml(result.scenario), encoding="utf-8")
        trajectories = result.trajectories_frame()
        if not trajectories.empty:
            written["trajectories"] = path / TRAJECTORIES_FILE
            trajectories.to_csv(written["trajectories"], index=False)
    return written


# -- numbers for people -----------------------------------------------------------------------


def kpi_unit(kpi: str, currency: str) -> tuple[str, float]:
    """Unit label and display scale of a KPI: ``("EUR", 1)``, ``("%", 100)``, ``("units", 1)``."""
    base = kpi.rsplit(".", 1)[-1]
    if base.endswith(_RATE_SUFFIXES):
        return "%", 100.0
    if base.endswith("_cost") or base in _MONEY_NAMES or "cash" in base:
        return currency, 1.0
    if base.endswith("_days") or base == "window_days":
        return "days", 1.0
    if base.startswith("orders_"):
        return "orders", 1.0
    if base.endswith("_units") or base.startswith("avg_"):
        return "units", 1.0
    return "", 1.0


def _decimals(mean: float, half_width: float) -> int:
    """Show the half-width with two significant digits (0–3 decimals)."""
    if math.isfinite(half_width) and half_width > 0:
        return min(3, max(0, 1 - math.floor(math.log10(half_width))))
    magnitude = abs(mean)
    if magnitude >= 100 or float(mean).is_integer():
        return 0
    return 2 if magnitude >= 1 else 3


def format_estimate(mean: float, half_width: float = math.nan, scale: float = 1.0) -> str:
    """``"12,345 ± 310"``: a mean with its 95 % CI half-width, sensibly rounded.

    NaN means print as ``n/a``; without a finite half-width (one replication) only the mean is
    shown.
    """
    if not math.isfinite(mean):
        return "n/a"
    mean *= scale
    half_width *= scale
    digits = _decimals(mean, half_width)
    text = f"{mean:,.{digits}f}"
    if math.isfinite(half_width):
        text += f" ± {half_width:,.{digits}f}"
    return text


def headline_rows(
    result: RunResult, kpis: Sequence[str] | None = None
) -> list[tuple[str, str, list[str]]]:
    """Rows ``(kpi, unit, [cell per alternative])`` of the headline table.

    Cells are ``mean ± half_width`` of the 95 % confidence interval. By default the KPIs are
    :data:`jitsim.kpis.HEADLINE_KPIS` plus ``demand_units``, those present in the result.
    """
    frame = result.replications()
    wanted = list(kpis) if kpis is not None else [*HEADLINE_KPIS, "demand_units"]
    present = [k for k in wanted if k in frame.columns]
    if not present:
        return []
    stats = {
        (row["alternative"], row["kpi"]): row for row in result.summary(present).to_dict("records")
    }
    currency = result.scenario.run.currency
    rows = []
    for kpi in present:
        unit, scale = kpi_unit(kpi, currency)
        cells = []
        for alternative in result.alternatives:
            row = stats.get((alternative, kpi), {})
            mean, half_width = row.get("mean", math.nan), row.get("half_width", math.nan)
            cells.append(format_estimate(float(mean), float(half_width), scale))
        rows.append((kpi, unit, cells))
    return rows


# -- scenario summary (jitsim validate) -------------------------------------------------------


def policy_derived_values(scenario: Scenario) -> dict[str, dict[str, dict[str, float]]]:
    """Values each policy derives from the scenario (EOQ quantity, reorder point, ...).

    Builds the model of every alternative (no simulation) and asks its policies. Returns
    alternative → stock point → values, leaving out policies that derive nothing.

    Raises
    ------
    ValueError
        If a policy cannot be built from the scenario (e.g. the EOQ formula without costs).
    """
    from jitsim.model.network import Network
    from jitsim.streams import Streams

    derived: dict[str, dict[str, dict[str, float]]] = {}
    for alternative in scenario.alternative_names():
        built, policies = scenario.for_alternative(alternative)
        network = Network(built, policies, Streams(scenario.run.seed, 0))
        values = {name: p.policy.derived() for name, p in network.points.items()}
        derived[alternative] = {name: v for name, v in values.items() if v}
    return derived


def _g(value: float) -> str:
    return f"{value:,.6g}"


def _derived_text(values: dict[str, float]) -> str:
    return ", ".join(f"{key}={value:.4g}" for key, value in values.items())


def _event_text(event: Any) -> str:
    """One line on a disruption: what it does, to which nodes, when."""
    nodes = ", ".join(event.nodes)
    windows = getattr(event, "windows", None)
    if event.kind == "stock_loss":
        return f"stock loss of {event.fraction:.0%} at {nodes} on day(s) " + ", ".join(
            _g(t) for t in event.at
        )
    if windows is not None:
        when = ", ".join(f"[{_g(w.start)}, {_g(w.start + w.days)})" for w in windows)
    elif event.up is not None:
        when = f"random: up {event.up.describe()}, down {event.down.describe()} days"
    else:
        when = f"random: p_down {_g(event.p_down)}, p_up {_g(event.p_up)} per day"
    if event.kind == "outage":
        what = "outage of"
    elif event.kind == "lead_time_shock":
        what = f"lead time × {_g(event.multiplier)} + {_g(event.add_days)} days at"
    elif event.kind == "quality_crisis":
        what = f"defect rate × {_g(event.multiplier)} at"
    else:
        what = f"demand × {_g(event.multiplier)} at"
    return f"{what} {nodes}; {when}"


def describe_scenario(
    scenario: Scenario, derived: dict[str, dict[str, dict[str, float]]] | None = None
) -> str:
    """A short plain-text summary of a validated scenario (what ``jitsim validate`` prints)."""
    run = scenario.run
    cur = run.currency
    lines = [
        f"scenario: {scenario.name}",
        f"run: horizon {run.horizon_days} days, warm-up {run.warmup_days} days "
        f"(window {run.window_days} days), {run.replications} replications, seed {run.seed}, "
        f"currency {cur}, costs on {run.cost_basis.replace('_', '-')} levels",
        "items:",
    ]
    for name, item in scenario.items.items():
        lines.append(
            f"  {name}: unit cost {_g(item.unit_cost)} {cur}, price {_g(item.price)} {cur}, "
            f"holding {item.annual_holding_rate:.1%} per year"
        )
    lines.append("suppliers:")
    for name, supplier in scenario.suppliers.items():
        extras = [f"order cost {_g(supplier.order_cost)} {cur}"]
        if supplier.min_order:
            extras.append(f"MOQ {_g(supplier.min_order)}")
        if supplier.lot_multiple:
            extras.append(f"lot multiple {_g(supplier.lot_multiple)}")
        if supplier.capacity_per_day:
            extras.append(f"capacity {_g(supplier.capacity_per_day)}/day")
        lines.append(
            f"  {name}: supplies {', '.join(supplier.items)}; lead time "
            f"{supplier.lead_time.describe()} (mean {_g(supplier.lead_time.mean)} days); "
            + ", ".join(extras)
        )
    lines.append("stock points:")
    for name, point in scenario.stock_points.items():
        review = (
            "continuous review"
            if point.review.continuous
            else f"review every {point.review.every_days} day(s)"
        )
        text = (
            f"  {name}: {point.item} from {point.source}, initial {_g(point.initial)}, "
            f"{review}, policy {point.policy.describe()}"
        )
        if point.lead_time is not None:
            text += f", lane lead time {point.lead_time.describe()}"
        lines.append(text)
    lines.append("customers:")
    for name, customer in scenario.customers.items():
        if customer.demand is not None:
            demand = f"demand {customer.demand.describe()} units/day"
        else:
            assert customer.orders is not None
            demand = (
                f"orders at {_g(customer.orders.rate_per_day)}/day of size "
                f"{customer.orders.size.describe()}"
            )
        lines.append(f"  {name}: buys from {customer.buys_from}; {demand}; unmet: {customer.unmet}")
    if scenario.plants:
        lines.append("plants:")
    for name, plant in scenario.plants.items():
        quality = "defective units reworked" if plant.rework else "defective units scrapped"
        lines.append(f"  {name}: {plant.lines} line(s); {quality}")
        for made, product in plant.products.items():
            bom = ", ".join(f"{_g(qty)} {material}" for material, qty in product.bom.items())
            lines.append(
                f"    makes {made} from {bom}; {product.processing_time.describe()} days per "
                f"{product.per}, batches of {product.batch_size}, defect rate "
                f"{product.defect_rate.describe()}"
            )
    if scenario.disruptions:
        lines.append("disruptions:")
    for name, event in scenario.disruptions.items():
        lines.append(f"  {name}: {_event_text(event)}")
    base = {name: point.policy for name, point in scenario.stock_points.items()}
    lines.append("alternatives:" if scenario.alternatives else "alternatives: none (base only)")
    for alternative in scenario.alternative_names():
        if scenario.alternatives:
            spec_of = scenario.alternatives[alternative]
            policies = spec_of.policies
            chosen = ", ".join(f"{p}={spec.describe()}" for p, spec in policies.items())
            kept = [p for p in base if p not in policies]
            if kept:
                chosen += f"{' (others' if policies else '(policies'} as in stock_points: "
                chosen += f"{', '.join(kept)})"
            if spec_of.changes:
                chosen += "; changes " + ", ".join(
                    f"{path}={json.dumps(json_safe(value), ensure_ascii=False)}"
                    for path, value in spec_of.changes.items()
                )
            if spec_of.switching_cost:
                chosen += f"; switching cost {_g(spec_of.switching_cost)} {cur}"
            lines.append(f"  {alternative}: {chosen}")
        for where, values in (derived or {}).get(alternative, {}).items():
            lines.append(f"    derived at {where}: {_derived_text(values)}")
    return "\n".join(lines)


# -- exports ----------------------------------------------------------------------------------

#: Export formats: CSV always; Parquet with pyarrow; Excel (one sheet per table) with openpyxl.
EXPORT_FORMATS = ("csv", "parquet", "xlsx")


def export_tables(
    tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike[str], formats: Sequence[str]
) -> list[Path]:
    """Write each table as ``<name>.csv`` / ``<name>.parquet``, and all of them in one workbook.

    Parameters
    ----------
    tables : dict
        Table name → DataFrame (names become file names and Excel sheet names).
    out_dir : path
        Results directory.
    formats : sequence of {"csv", "parquet", "xlsx"}
        Formats to write; Excel puts every table in ``results.xlsx``, one sheet each.

    Raises
    ------
    JitsimError
        For an unknown format, or when the package a format needs is not installed.
    """
    path = prepare_out_dir(out_dir)
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise JitsimError(
            f"unknown export format {unknown[0]!r} (choose from {', '.join(EXPORT_FORMATS)})"
        )
    written: list[Path] = []
    with writing(path):
        if "csv" in formats:
            for name, table in tables.items():
                written.append(path / f"{name}.csv")
                table.to_csv(written[-1], index=False)
        if "parquet" in formats:
            _require("pyarrow", "parquet", "pip install 'jitsim[parquet]'")
            for name, table in tables.items():
                written.append(path / f"{name}.parquet")
                table.to_parquet(written[-1], index=False)
        if "xlsx" in formats:
            _require("openpyxl", "xlsx", "pip install 'jitsim[excel]'")
            written.append(path / "results.xlsx")
            with pd.ExcelWriter(written[-1], engine="openpyxl") as workbook:
                for name, table in tables.items():
                    table.to_excel(workbook, sheet_name=name[:31], index=False)
    return written


def _require(module: str, what: str, hint: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise JitsimError(f"the {what} export needs the {module} package: {hint}")
