"""Sweep grids as data: ``--set PATH=V1,V2`` texts, ``sweep:`` sections, and their points.

A grid maps dotted field paths to lists of values; its points are the Cartesian product of the
lists, in the order given (the last path varies fastest). Point *i* is the base scenario with
those fields set (:func:`~jitsim.scenario.overrides.apply_overrides`).
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from jitsim.errors import JitsimError, ScenarioError, ScenarioProblem, format_path
from jitsim.scenario.overrides import apply_overrides
from jitsim.scenario.paths import parse_path_text

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

__all__ = [
    "FIXED_FIELDS",
    "MAX_POINTS",
    "build_points",
    "grid_from_mapping",
    "inclusive_range",
    "normalise_grid",
    "parse_assignment",
    "sweep_grid",
    "sweep_points",
]

#: Largest grid accepted (points = product of the list lengths), and most values of one range.
MAX_POINTS = 10_000
#: Fields a sweep may not change: every point shares the seed and the replication count.
FIXED_FIELDS = {
    "run.seed": "every point uses the same seed (common random numbers); pass seed= instead",
    "run.replications": "every point runs the same replications; pass replications= instead",
}
_MAX_REPORTED = 25
_EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_RANGE = re.compile(r"^\s*([^:,\s]+)\s*:\s*([^:,\s]+)\s*:\s*([^:,\s]+)\s*$")


def inclusive_range(
    low: float, high: float, step: float, *, prefix: str, names: tuple[str, str, str]
) -> list[float | int]:
    """``low, low + step, …, high`` (both ends included), for ``--set`` and ``sweep:`` ranges.

    Whole numbers stay whole; others are rounded to 12 decimals, which removes the binary
    noise of ``low + i·step`` (0.1 + 2·0.1 = 0.30000000000000004). ``prefix`` starts every
    message (``"sweep x: the range "``) and ``names`` are the words for low, high and step.

    Raises
    ------
    JitsimError
        If the step is not positive, the range runs backwards or has over ``MAX_POINTS`` values.
    """
    start, end, step_name = names
    if step <= 0:
        raise JitsimError(f"{prefix}{step_name}(={step}) must be > 0")
    if high < low:
        raise JitsimError(f"{prefix}{end}(={high}) must be >= {start}(={low})")
    # Counted in floating point before any value is made: (high - low) / step may be 1e310.
    steps = (high - low) / step
    if not steps < MAX_POINTS:
        shown = f"{steps + 1:.3g}" if math.isfinite(steps) else "too many"
        raise JitsimError(f"{prefix}has {shown} values (the limit is {MAX_POINTS:,})")
    count = math.floor(steps + 1e-9) + 1
    if count > MAX_POINTS:
        raise JitsimError(f"{prefix}has {count:,} values (the limit is {MAX_POINTS:,})")
    if all(isinstance(v, int) for v in (low, high, step)):
        return [int(low + i * step) for i in range(count)]
    return [round(low + i * step, 12) for i in range(count)]


def _split_values(text: str) -> list[str]:
    """Split on commas that are not inside ``[...]`` or ``{...}`` or quotes."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    current: list[str] = []
    for char in text:
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _read_value(text: str) -> Any:
    """One value as YAML; ``1e-3`` (text to YAML 1.1, which wants ``1.0e-3``) is a number."""
    value = yaml.safe_load(text)
    if isinstance(value, str) and _EXPONENT.match(value.strip()):
        return float(value)
    return value


def _number(text: str, what: str, assignment: str) -> float | int:
    value = _read_value(text)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise JitsimError(
            f"--set {assignment}: the range {what} {text!r} is not a finite number "
            "(a range is written LO:HI:STEP, e.g. 0.1:0.5:0.1)"
        )
    return value


def _expand_range(text: str, assignment: str) -> list[float | int] | None:
    """``"1:3:0.5"`` → ``[1, 1.5, 2, 2.5, 3]`` (both ends included), or None if not a range."""
    match = _RANGE.match(text)
    if match is None:
        return None
    low, high, step = (
        _number(match.group(i), what, assignment)
        for i, what in ((1, "start"), (2, "end"), (3, "step"))
    )
    return inclusive_range(
        low, high, step, prefix=f"--set {assignment}: the range ", names=("start", "end", "step")
    )


def parse_assignment(text: str) -> tuple[str, list[Any]]:
    """Parse ``PATH=V1,V2,...`` into the path and the list of values.

    Each value is read as YAML (``2`` → int, ``1.5`` → float, ``true``, ``jit`` → text,
    ``[1, 2]`` → list, ``{kind: gamma, mean: 3, cv: 0.5}`` → mapping); commas inside brackets or
    quotes do not split. A single value of the form ``LO:HI:STEP`` is a numeric range with both
    ends included (``0.1:0.5:0.1`` → 0.1, 0.2, 0.3, 0.4, 0.5).

    Examples
    --------
    >>> parse_assignment("suppliers.acme.lead_time.mean=2,3,4")
    ('suppliers.acme.lead_time.mean', [2, 3, 4])
    >>> parse_assignment("run.horizon_days=100:300:100")
    ('run.horizon_days', [100, 200, 300])

    Raises
    ------
    JitsimError
        Without ``=``, with an empty path, or with an empty value.
    """
    if "=" not in text:
        raise JitsimError(
            f"--set {text!r}: expected PATH=VALUE[,VALUE...], e.g. suppliers.acme.order_cost=40,60"
        )
    raw_path, _, raw_values = text.partition("=")
    try:
        path = format_path(parse_path_text(raw_path))
    except JitsimError as exc:
        raise JitsimError(f"--set {text!r}: {exc}") from None
    if not raw_values.strip():
        raise JitsimError(f"--set {text!r}: no value after '=' (give at least one value)")
    expanded = _expand_range(raw_values, text)
    if expanded is not None:
        return path, list(expanded)
    values: list[Any] = []
    for part in _split_values(raw_values):
        if not part.strip():
            raise JitsimError(
                f"--set {text!r}: empty value in the list (two commas, or a comma at an end)"
            )
        try:
            values.append(_read_value(part))
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise JitsimError(
                f"--set {text!r}: cannot read value {part.strip()!r}: {problem}"
            ) from None
    return path, values


def _range_values(path: str, spec: Mapping[str, Any]) -> list[Any]:
    low, high, step = spec["from"], spec["to"], spec["step"]
    for name, value in (("from", low), ("to", high), ("step", step)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise JitsimError(f"sweep {path}: {name}(={value!r}) must be a finite number")
    return inclusive_range(
        low, high, step, prefix=f"sweep {path}: the range ", names=("from", "to", "step")
    )


def grid_from_mapping(mapping: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A grid from plain data, e.g. a ``sweep:`` section of a scenario file.

    Each key is a dotted field path; each value is a list of values, a range
    ``{from: LO, to: HI, step: STEP}`` (both ends included), or a single value (a one-point
    axis: the field is set at every point)::

        sweep:
          suppliers.acme.lead_time.mean: [2, 3, 4]
          items.widget.holding_rate: {from: 0.1, to: 0.3, step: 0.1}

    Raises
    ------
    JitsimError
        If the mapping is empty, a path is malformed, a list is empty or a range is invalid.
    """
    if not isinstance(mapping, Mapping):
        raise JitsimError(
            "a sweep must be a mapping of field paths to lists of values, e.g. "
            "{suppliers.acme.order_cost: [20, 40, 80]}"
        )
    grid: dict[str, list[Any]] = {}
    for key, spec in mapping.items():
        path = str(key)
        if hasattr(spec, "model_dump"):  # a range already parsed by a pydantic model
            spec = spec.model_dump(mode="json", by_alias=True)
        if isinstance(spec, Mapping) and set(spec) == {"from", "to", "step"}:
            grid[path] = _range_values(path, spec)
        elif isinstance(spec, Mapping):
            raise JitsimError(
                f"sweep {path}: expected a list of values or a range {{from:, to:, step:}}, "
                f"got a mapping with keys {', '.join(map(str, spec))} (to sweep mappings, "
                "give a list of them)"
            )
        elif isinstance(spec, list | tuple):
            grid[path] = list(spec)
        else:
            grid[path] = [spec]
    return normalise_grid(grid)


def normalise_grid(grid: Mapping[str, Iterable[Any]]) -> dict[str, list[Any]]:
    """Check a grid: well-formed paths (written canonically), non-empty lists, not too large."""
    if not grid:
        raise JitsimError(
            "a sweep needs at least one field to vary, e.g. --set run.horizon_days=100,200"
        )
    out: dict[str, list[Any]] = {}
    for key, values in grid.items():
        path = ".".join(str(s) for s in parse_path_text(str(key)))
        if path in FIXED_FIELDS:
            raise JitsimError(f"cannot sweep {path}: {FIXED_FIELDS[path]}")
        if path in out:
            raise JitsimError(f"sweep: {path} is given twice")
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
            raise JitsimError(f"sweep {path}: expected a list of values, got {values!r}")
        items = [_python_value(v) for v in values]
        if not items:
            raise JitsimError(f"sweep {path}: the list of values is empty")
        out[path] = items
    count = math.prod(len(v) for v in out.values())
    if count > MAX_POINTS:
        raise JitsimError(f"the sweep has {count:,} points; the limit is {MAX_POINTS:,}")
    return out


def _python_value(value: Any) -> Any:
    """numpy scalars (``np.linspace`` values) as Python numbers, which the scenario accepts."""
    if hasattr(value, "item") and not isinstance(value, str | bytes | list | dict):
        return value.item()
    return value


def sweep_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The Cartesian product of the grid, in order (the last path varies fastest)."""
    paths = list(grid)
    return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*grid.values())]


def build_points(
    scenario: Scenario,
    points: Sequence[Mapping[str, Any]],
    source_file: str | os.PathLike[str] | None,
) -> list[Scenario]:
    """Apply every point's overrides; report every problem of every point at once."""
    scenarios: list[Scenario] = []
    problems: list[ScenarioProblem] = []
    for values in points:
        try:
            scenarios.append(apply_overrides(scenario, source_file, values))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        unique = sorted(dict.fromkeys(problems), key=lambda p: p.line or 0)
        if len(unique) > _MAX_REPORTED:
            first = unique[0]
            more = ScenarioProblem(
                first.file, None, "", f"... and {len(unique) - _MAX_REPORTED} more problems"
            )
            unique = [*unique[:_MAX_REPORTED], more]
        raise ScenarioError(unique)
    _same_features(scenarios, points)
    return scenarios


#: How :meth:`Scenario.column_features` are named in messages.
_FEATURE_WORDS = {
    "capacity": "a capacity at stock point {!r}",
    "shelf_life": "a shelf life of item {!r}",
    "end_of_life": "an end of life of item {!r}",
    "cash_ledger": "a cash ledger",
}


def _same_features(scenarios: Sequence[Scenario], points: Sequence[Mapping[str, Any]]) -> None:
    """Refuse points that turn a feature with columns of its own on or off: their records
    would not line up (docs/waste-space-cash.md)."""
    if not scenarios:
        return
    first = scenarios[0].column_features()
    for index, scenario in enumerate(scenarios[1:], start=1):
        features = scenario.column_features()
        if features == first:
            continue
        kind, name = min(features ^ first)
        with_it, without = (index, 0) if (kind, name) in features else (0, index)

        def label(at: int) -> str:
            return ", ".join(
                f"{k}={'null' if v is None else _python_value(v)}" for k, v in points[at].items()
            )

        raise JitsimError(
            f"sweep point {with_it} ({label(with_it)}) has {_FEATURE_WORDS[kind].format(name)} "
            f"and point {without} ({label(without)}) has not: the points of a sweep need the "
            "same columns; sweep values that keep the feature (e.g. a capacity or a shelf life "
            "that is never reached instead of null)"
        )


def sweep_grid(scenario: Scenario, assignments: Sequence[str] = ()) -> dict[str, list[Any]]:
    """The grid of ``jitsim sweep``: the file's ``sweep:`` section, each ``--set`` text
    (``PATH=V1,V2`` or ``PATH=LO:HI:STEP``) replacing the axis with the same path or adding one.

    Raises
    ------
    JitsimError
        If an assignment is malformed, or there is nothing to sweep.
    """
    grid = grid_from_mapping(scenario.sweep) if scenario.sweep else {}
    for assignment in assignments:
        path, axis = parse_assignment(assignment)
        grid.pop(path, None)
        grid[path] = axis
    if not grid:
        raise JitsimError(
            "nothing to sweep: give --set PATH=V1,V2,... or a sweep: section in the file"
        )
    return grid
