"""Set scenario fields by dotted path (``suppliers.acme.order_cost=45``), with FILE:LINE errors.

Overrides are applied to the *complete* scenario — the validated model dumped with every default
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
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import yaml
from pydantic import BaseModel

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

from jitsim.errors import (
    JitsimError,
    ProblemPath,
    ScenarioError,
    ScenarioProblem,
    format_path,
)
from jitsim.scenario.loader import validation_problems
from jitsim.scenario.paths import canonical_path, parse_path_text, set_path
from jitsim.scenario.yaml_lines import LineMap, decode_scenario_bytes, load_yaml_with_lines

__all__ = ["apply_overrides", "complete_data"]

#: Name used in messages when the scenario did not come from a file.
NO_FILE = "<scenario>"


# --------------------------------------------------------------------------- resolved data


def _plain(model: BaseModel) -> Any:
    return model.model_dump(mode="json")


def complete_data(scenario: Scenario) -> dict[str, Any]:
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
        All-digit segments index lists. A path through an entry or a field that does not exist
        (``stock_points.stor.initial``) is refused with the nearest name; a last segment that
        names no field is reported by the validation as an unknown field, with suggestions.

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
    data = complete_data(scenario)
    problems: list[ScenarioProblem] = []
    paths: dict[ProblemPath, str] = {}
    for text, value in assignments.items():
        written = parse_path_text(text)
        path = canonical_path(written, data)
        paths[path] = f"{format_path(written)}={_show(value)}"
        message = set_path(data, path, value)
        if message is not None:
            problems.append(
                ScenarioProblem(filename, _line_for(path, file_lines), format_path(path), message)
            )
    if problems:
        raise ScenarioError(problems)
    try:
        return type(scenario).model_validate(data)
    except pydantic.ValidationError as exc:
        lines = _lines_for_data(data, file_lines)
        found = validation_problems(exc, filename, lines, model_cls=type(scenario))
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
