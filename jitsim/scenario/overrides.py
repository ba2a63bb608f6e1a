"""Set scenario fields by dotted path (``suppliers.acme.order_cost=45``), with FILE:LINE errors.

Overrides are applied to the *resolved* scenario — the validated model dumped with every default
filled in — so a field the file leaves at its default (``run.horizon_days``) can be set, and
swept, like any other. Paths are dotted: mapping keys, and all-digit segments index lists
(``customers.shop.seasonality.weekly.5``). The changed scenario is validated again, completely;
every problem is reported as ``FILE:LINE: path: message`` with the line of the field in the
original file, or of its deepest ancestor written there when the field itself is not.

Typical use (what ``--set`` does)::

    path, values = parse_assignment("suppliers.acme.lead_time.mean=2,3,4")
    scenario_3 = apply_overrides(scenario, "shop.yaml", {path: values[1]})
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel

from jitsim.errors import (
    JitsimError,
    ProblemPath,
    ScenarioError,
    ScenarioProblem,
    format_path,
)
from jitsim.scenario.loader import validation_problems
from jitsim.scenario.models import Scenario
from jitsim.scenario.yaml_lines import LineMap, decode_scenario_bytes, load_yaml_with_lines

__all__ = ["apply_overrides", "parse_assignment", "parse_path_text", "resolved_data"]

#: Name used in messages when the scenario did not come from a file.
NO_FILE = "<scenario>"

_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
_EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_RANGE = re.compile(r"^\s*([^:,\s]+)\s*:\s*([^:,\s]+)\s*:\s*([^:,\s]+)\s*$")
#: Most values a ``LO:HI:STEP`` range may expand to.
MAX_RANGE_VALUES = 10_000


# --------------------------------------------------------------------------- parsing


def parse_path_text(text: str) -> ProblemPath:
    """``"suppliers.acme.items.0"`` → ``("suppliers", "acme", "items", 0)``.

    Raises
    ------
    JitsimError
        If the path is empty or has an empty or oddly written segment.
    """
    path = text.strip()
    if not path:
        raise JitsimError("empty field path; write e.g. suppliers.acme.order_cost=45")
    segments: list[str | int] = []
    for part in path.split("."):
        if not part:
            raise JitsimError(
                f"field path {path!r} has an empty segment (two dots, or a dot at an end)"
            )
        if not _SEGMENT.match(part):
            raise JitsimError(
                f"field path {path!r}: segment {part!r} may only contain letters, digits, "
                "'_' and '-'"
            )
        segments.append(int(part) if part.isdigit() else part)
    return tuple(segments)


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
    if step <= 0:
        raise JitsimError(f"--set {assignment}: the range step(={step}) must be > 0")
    if high < low:
        raise JitsimError(f"--set {assignment}: the range end(={high}) must be >= start(={low})")
    count = math.floor((high - low) / step + 1e-9) + 1
    if count > MAX_RANGE_VALUES:
        raise JitsimError(
            f"--set {assignment}: the range has {count} values (the limit is {MAX_RANGE_VALUES})"
        )
    if all(isinstance(v, int) for v in (low, high, step)):
        return [int(low + i * step) for i in range(count)]
    # Round away the binary noise of low + i·step (0.1 + 2·0.1 = 0.30000000000000004).
    return [round(low + i * step, 12) for i in range(count)]


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


# --------------------------------------------------------------------------- resolved data


def _plain(model: BaseModel) -> Any:
    return model.model_dump(mode="json")


def resolved_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data with every default filled in, ready to be changed.

    Validating it again gives back ``scenario``: every model survives its own full dump
    (tested on every bundled scenario).
    """
    data = _plain(scenario)
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------- lines


def _file_lines(source_file: str | os.PathLike[str] | None) -> tuple[str, LineMap]:
    """The name used in messages and the ``path → line`` map of the original file."""
    if source_file is None:
        return NO_FILE, {}
    filename = os.fspath(source_file)
    try:
        stat = os.stat(filename)
        return filename, _parsed_lines(filename, stat.st_mtime_ns, stat.st_size)
    except (OSError, JitsimError):
        return filename, {}  # the file changed or vanished since loading: no line numbers


@functools.lru_cache(maxsize=8)
def _parsed_lines(filename: str, _mtime_ns: int, _size: int) -> LineMap:
    """The line map of a file, parsed once per version of it (a sweep asks for every point)."""
    text = decode_scenario_bytes(Path(filename).read_bytes(), filename)
    _data, lines = load_yaml_with_lines(text, filename)
    return lines


def _line_for(path: ProblemPath, lines: LineMap) -> int | None:
    """Line of ``path`` in the file, or of its deepest part written there.

    Segments absent from the file are skipped, so a resolved path finds the field written in a
    short form: ``alternatives.jit.policies.store.S`` is at the line of
    ``alternatives.jit.store.S`` when the file uses the short form of the alternative.
    """
    found: ProblemPath = ()
    for segment in path:
        keys: list[str | int] = [segment, str(segment)] if isinstance(segment, int) else [segment]
        for key in keys:
            if (*found, key) in lines:
                found = (*found, key)
                break
    return lines.get(found)


def _all_paths(data: Any, prefix: ProblemPath = ()) -> list[ProblemPath]:
    paths = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            paths.extend(_all_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths.extend(_all_paths(value, (*prefix, index)))
    return paths


def _lines_for_data(data: Any, file_lines: LineMap) -> LineMap:
    """A line for every path of ``data``: its own in the file, else its nearest ancestor's.

    Every path being present lets :func:`validation_problems` keep the full field path in the
    message (``run.horizon_days``) even when the field is only a default; paths that no file
    line covers get 0 and are turned into "no line" afterwards.
    """
    return {path: _line_for(path, file_lines) or 0 for path in _all_paths(data)}


# --------------------------------------------------------------------------- setting


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def canonical_path(path: ProblemPath, data: dict[str, Any]) -> ProblemPath:
    """Accept paths written in the short form of the file.

    An alternative may be written ``jit: {store: {...}}`` for ``jit: {policies: {store:
    {...}}}``; in the resolved data it is always the long form, so
    ``alternatives.jit.store.safety_days`` means ``alternatives.jit.policies.store.safety_days``.
    """
    if len(path) >= 3 and path[0] == "alternatives":
        alternative = (data.get("alternatives") or {}).get(str(path[1]))
        if (
            isinstance(alternative, dict)
            and isinstance(alternative.get("policies"), dict)
            and str(path[2]) not in alternative
        ):
            return (*path[:2], "policies", *path[2:])
        if isinstance(alternative, dict) and path[2] == "changes" and len(path) > 3:
            return (*path[:3], *_into_changes(path[3:], alternative.get("changes") or {}))
    return path


def _into_changes(rest: ProblemPath, changes: dict[str, Any]) -> ProblemPath:
    """A path inside an alternative's ``changes``, whose keys are dotted paths themselves.

    ``stock_points.store.expedite.level`` reaches into the change keyed
    ``stock_points.store.expedite`` (the longest key that starts the path); without such a
    key the whole path becomes a new change.
    """
    words = [str(segment) for segment in rest]
    for length in range(len(words), 0, -1):
        key = ".".join(words[:length])
        if key in changes:
            return (key, *rest[length:])
    return (".".join(words),)


def _set(data: dict[str, Any], path: ProblemPath, value: Any) -> str | None:
    """Set ``path`` in ``data``; return a message when the path cannot be followed."""
    node: Any = data
    for depth, segment in enumerate(path):
        last = depth == len(path) - 1
        here = format_path(path[:depth]) or "the scenario"
        if isinstance(node, dict):
            key = str(segment)
            if last:
                node[key] = value
                return None
            if node.get(key) is None:  # absent or null: create a mapping to set into
                node[key] = {}
            node = node[key]
        elif isinstance(node, list):
            if not isinstance(segment, int):
                return (
                    f"{here} is a list; index it with a number 0…{len(node) - 1} (got {segment!r})"
                )
            if segment >= len(node):
                return (
                    f"index {segment} is out of range: {here} has {len(node)} "
                    f"item{'s' if len(node) != 1 else ''} (indices 0…{len(node) - 1})"
                )
            if last:
                node[segment] = value
                return None
            if node[segment] is None:
                node[segment] = {}
            node = node[segment]
        else:
            return (
                f"cannot set a field inside {here}: it is {_kind_of(node)} ({node!r}), "
                "not a mapping or a list"
            )
    return None


def apply_overrides(
    scenario: Scenario,
    source_file: str | os.PathLike[str] | None,
    assignments: Mapping[str, Any],
) -> Scenario:
    """A copy of ``scenario`` with the fields at the given dotted paths set, validated again.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    source_file : path, optional
        The file it was loaded from; errors then name this file and the line of the field (or
        of its deepest ancestor written in the file). Without it, errors carry no line.
    assignments : mapping of str to value
        Dotted path → new value (plain data: numbers, text, true/false, lists, mappings).
        All-digit segments index lists. Setting a field of a mapping that does not exist adds
        it (the validation then reports an unknown field, with suggestions).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With one ``FILE:LINE: path: message`` problem per mistake (a value out of range, an
        unknown field, a path through a number, a list index out of range, ...).
    JitsimError
        If a path is malformed.
    """
    filename, file_lines = _file_lines(source_file)
    data = resolved_data(scenario)
    problems: list[ScenarioProblem] = []
    paths: dict[ProblemPath, str] = {}
    for text, value in assignments.items():
        written = parse_path_text(text)
        path = canonical_path(written, data)
        paths[path] = f"{format_path(written)}={_show(value)}"
        message = _set(data, path, value)
        if message is not None:
            problems.append(
                ScenarioProblem(filename, _line_for(path, file_lines), format_path(path), message)
            )
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except pydantic.ValidationError as exc:
        lines = _lines_for_data(data, file_lines)
        found = validation_problems(exc, filename, lines, model_cls=Scenario)
        raise ScenarioError(_annotate(found, paths)) from None


def _show(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def _annotate(
    problems: Sequence[ScenarioProblem], paths: Mapping[ProblemPath, str]
) -> list[ScenarioProblem]:
    """Say which override caused each problem; line 0 (no file) becomes "no line"."""
    out = []
    for problem in problems:
        causes = [text for path, text in paths.items() if _related(format_path(path), problem.path)]
        # The scenario was valid before: when no override touches the problem's field, all of
        # them together caused it (e.g. a cross-reference check elsewhere).
        causes = causes or list(paths.values())
        message = problem.message
        if causes:
            message += f" (after setting {'; '.join(causes)})"
        out.append(replace(problem, line=problem.line or None, message=message))
    return sorted(out, key=lambda p: p.line or 0)


def _related(a: str, b: str) -> bool:
    """Whether one dotted path is the other, an ancestor of it, or a sibling of it.

    Siblings count because cross-field rules live on the model holding both fields
    (``warmup_days`` must be below ``horizon_days``).
    """
    if not b:
        return False
    if a == b or a.startswith(b + ".") or b.startswith(a + "."):
        return True
    return a.rpartition(".")[0] == b.rpartition(".")[0]
