"""Load a scenario file into a pydantic model, turning every user mistake into a clear message.

Every problem becomes a :class:`~jitsim.errors.ScenarioProblem` printed as
``FILE:LINE: path.to.field: message``; all problems found are reported together in one
:class:`~jitsim.errors.ScenarioError` (sorted by line).  No other exception escapes from
the loading functions, whatever the input bytes.

Public API
----------
* :func:`load_model` -- read a file, parse, validate; returns ``(model, line_map)``.
* :func:`load_model_from_text` / :func:`load_model_from_bytes` -- the same for in-memory input.
* :func:`load_yaml_with_lines` -- parse only: plain data and a ``path -> line`` map.
* :func:`validation_problems` -- convert a ``pydantic.ValidationError`` into problems.

Reporting problems from model validators
----------------------------------------
Field constraints (``Field(gt=0)``, ``Literal``, ``extra="forbid"``, ...) need nothing special.
A validator that finds a problem elsewhere than at its own location (typically a
cross-reference checked by a ``model_validator(mode="after")`` on the scenario root) names
the offending field in one of two ways:

1. One problem: raise ``ValueError`` whose message starts with ``@path.to.field: ``::

       raise ValueError("@stock_points.store.source: unknown supplier 'y' (known: acme)")

   The path is dotted; all-digit segments are list indices (``@alternatives.jit.0``);
   ``@: message`` designates the validated value itself.

2. Several problems at once: call :func:`jitsim.errors.raise_problems` (re-exported here)
   with ``(path, message)`` pairs; it raises :class:`~jitsim.errors.ModelProblems` (a
   ``ValueError``) when the list is non-empty and does nothing otherwise::

       problems = [(("stock_points", name, "source"), f"unknown supplier {p.source!r}")
                   for name, p in self.stock_points.items() if p.source not in self.suppliers]
       raise_problems(problems)

   Paths are tuples of keys / list indices, or dotted strings.

In both cases the path is **relative to the value being validated**: for a validator of the
top-level scenario model that is the root of the file; for a validator of a nested model
(e.g. a supplier) it is that model's own location.  The reported line is that of the
deepest part of the path that exists in the file (a missing field points at its parent).
A plain ``ValueError("message")`` is reported at the validator's own location.
"""

from __future__ import annotations

import collections.abc
import os
import re
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel

from jitsim.errors import (
    ModelProblems,
    ProblemPath,
    ScenarioError,
    ScenarioProblem,
    did_you_mean,
    format_path,
    parse_path,
    raise_problems,
)
from jitsim.scenario.base import NAME_PATTERN
from jitsim.scenario.yaml_lines import (
    MAX_BYTES,
    LineMap,
    decode_scenario_bytes,
    load_yaml_with_lines,
    parse_yaml,
    show_value,
    sort_problems,
)

__all__ = [
    "LineMap",
    "ModelProblems",
    "load_model",
    "load_model_from_bytes",
    "load_model_from_text",
    "load_yaml_with_lines",
    "raise_problems",
    "validation_problems",
]

M = TypeVar("M", bound=BaseModel)

# pydantic error type -> what was expected, for "expected X, got Y" messages.
_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number of reasonable size",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "dict_type": "a mapping (key: value lines)",
    "mapping_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "dataclass_type": "a mapping (key: value lines)",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "iterable_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (YYYY-MM-DD HH:MM:SS)",
    "datetime_parsing": "a date and time (YYYY-MM-DD HH:MM:SS)",
    "datetime_from_date_parsing": "a date and time (YYYY-MM-DD HH:MM:SS)",
}
_SHOULD = re.compile(
    r"^(?:Input|Value|List|String|Dictionary|Tuple|Set|Data|Decimal|Frozenset|Bytes) "
    r"should (be|have) "
)
_AT_PATH = re.compile(r"^@([^:\n]*): (.*)$", re.DOTALL)
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


_NAME_RULE = (
    "names may only contain letters, digits, '_' and '-', and must start with a letter or '_' "
    "(they prefix KPI names such as 'store.fill_rate')"
)


# --------------------------------------------------------------------------- type walking


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _strip_annotated(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` (a union with a single non-None member)."""
    while True:
        tp = _strip_annotated(tp)
        if _is_union(tp):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model_field(model: type[BaseModel], name: Any) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias, info.validation_alias):
            return info
    return None


def _literal_values(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    return []


def _tag_values(model: type[BaseModel], discriminator: str | None = None) -> list[Any]:
    values: list[Any] = []
    for field_name, info in model.model_fields.items():
        if discriminator is None or discriminator in (field_name, info.alias):
            values.extend(_literal_values(info.annotation))
    return values


def _step(tp: Any, segment: Any) -> Any:
    """The type found at *segment* inside a value of type *tp* (``None`` if unknown)."""
    tp = _unwrap(tp)
    if _is_model(tp):
        info = _model_field(tp, segment)
        return None if info is None else info.annotation
    if _is_union(tp):
        for member in get_args(tp):
            inner = _unwrap(member)
            if getattr(inner, "__name__", None) == segment:
                return member
            if _is_model(inner) and segment in _tag_values(inner):
                return member
        return None
    origin = get_origin(tp)
    args = get_args(tp)
    if not isinstance(origin, type):
        return None
    if issubclass(origin, collections.abc.Mapping):
        if len(args) != 2:
            return Any
        return args[0] if segment == "[key]" else args[1]
    if issubclass(origin, tuple) and isinstance(segment, int):
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        return args[segment] if 0 <= segment < len(args) else None
    if issubclass(origin, collections.abc.Iterable) and isinstance(segment, int):
        return args[0] if args else Any
    return None


def _type_at(model_cls: type[BaseModel] | None, loc: Sequence[Any]) -> Any:
    tp: Any = model_cls
    for segment in loc:
        if tp is None:
            return None
        tp = _step(tp, segment)
    return tp


def _field_names(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if not _is_model(tp):
        return []
    names = []
    for field_name, info in tp.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        names.append(alias if isinstance(alias, str) else field_name)
    return names


def _union_tags(tp: Any, discriminator: str) -> list[str]:
    tp = _unwrap(tp)
    if not _is_union(tp):
        return []
    tags: list[str] = []
    for member in get_args(tp):
        inner = _unwrap(member)
        if _is_model(inner):
            tags.extend(str(value) for value in _tag_values(inner, discriminator))
    return tags


# --------------------------------------------------------------------------- message helpers


def _quoted_list(values: Sequence[Any]) -> str:
    return ", ".join(repr(value) for value in values)


def _did_you_mean(word: Any, choices: Sequence[str]) -> str:
    hint = did_you_mean(word, choices)
    return f" ({hint})" if hint else ""


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _plain_message(error: Mapping[str, Any]) -> str:
    """pydantic's message reworded for a scenario author (no path handling here)."""
    etype = str(error.get("type", ""))
    msg = str(error.get("msg", ""))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if etype in _EXPECTED:
        text = f"expected {_EXPECTED[etype]}, got {show_value(value)}"
        if etype == "string_type" and isinstance(value, bool):
            text += (
                " (YAML reads unquoted yes/no/on/off/true/false as true or false; "
                "put the value in quotes)"
            )
        elif etype == "string_type" and isinstance(value, int | float):
            text += " (put the value in quotes to make it text)"
        return text
    if etype in ("literal_error", "enum"):
        allowed = _QUOTED.findall(str(ctx.get("expected", "")))
        if allowed:
            return (
                f"invalid value {show_value(value)}; allowed: {_quoted_list(allowed)}"
                f"{_did_you_mean(value, allowed)}"
            )
    if etype == "string_pattern_mismatch":
        pattern = ctx.get("pattern") if isinstance(ctx, Mapping) else None
        if pattern is not None and pattern == NAME_PATTERN:
            return f"invalid name {show_value(value)}: {_NAME_RULE}"
        if pattern is not None:
            return f"{show_value(value)} does not match the required pattern {pattern}"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    match = _SHOULD.match(msg)
    if match:
        msg = "must " + match.group(1) + " " + msg[match.end() :]
        msg = msg.replace(" after validation", "")
        if _is_scalar(value) and "got" not in msg:
            msg += f", got {show_value(value)}"
    return msg


# --------------------------------------------------------------------------- ValidationError


def _data_path(loc: Sequence[Any], lines: LineMap, *, missing: bool) -> tuple[ProblemPath, bool]:
    """Keep the segments of *loc* that exist in the data (as recorded in *lines*).

    pydantic inserts segments of its own (discriminator tags, union member names,
    ``function-after[...]``); they are dropped.  For a ``missing`` error the last segment
    (the absent field) is kept.  Also returns whether a ``[key]`` segment was seen.
    """
    path: list[str | int] = []
    key_error = False
    for index, segment in enumerate(loc):
        candidate = (*path, segment)
        if candidate in lines:
            path.append(segment)
        elif segment == "[key]":
            key_error = True
        elif missing and index == len(loc) - 1 and isinstance(segment, str | int):
            path.append(segment)
    return tuple(path), key_error


def _resolve_relative(base: ProblemPath, relative: ProblemPath, lines: LineMap) -> ProblemPath:
    """Append *relative* to *base*, matching digit segments to keys or indices in the file.

    A segment that the file does not have, but whose next segment it does, is a level the
    model adds to a shorthand (``alternatives.jit.policies.store`` for
    ``alternatives.jit.store``): it is dropped so the path reads as the user wrote it.
    """
    path = list(base)
    for index, segment in enumerate(relative):
        if isinstance(segment, int) and (*path, segment) not in lines:
            if (*path, str(segment)) in lines:
                segment = str(segment)
        following = relative[index + 1] if index + 1 < len(relative) else None
        if (*path, segment) not in lines and following is not None and (*path, following) in lines:
            continue
        path.append(segment)
    return tuple(path)


def _line_for(path: ProblemPath, lines: LineMap) -> int | None:
    for length in range(len(path), -1, -1):
        line = lines.get(path[:length])
        if line is not None:
            return line
    return None


def _decode_at_messages(error: Mapping[str, Any]) -> list[tuple[ProblemPath, str]] | None:
    """Problems encoded by :class:`ModelProblems` or an ``@path: message`` ValueError."""
    ctx = error.get("ctx") or {}
    original = ctx.get("error") if isinstance(ctx, Mapping) else None
    if isinstance(original, ModelProblems):
        return list(original.problems)
    msg = _plain_message(error)
    match = _AT_PATH.match(msg)
    if match and error.get("type") in ("value_error", "assertion_error"):
        return [(parse_path(match.group(1).strip()), match.group(2))]
    return None


def validation_problems(
    exc: pydantic.ValidationError,
    filename: str,
    lines: LineMap,
    *,
    model_cls: type[BaseModel] | None = None,
) -> list[ScenarioProblem]:
    """Turn every error of *exc* into a :class:`ScenarioProblem` (in pydantic's order).

    *lines* is the map from :func:`load_yaml_with_lines`.  With *model_cls* (the model that
    was validated) unknown fields get a "did you mean" suggestion and unknown discriminator
    values list the allowed ones.
    """
    # Each record: (path, message, expected-what or None, given value) -- the last two let
    # errors of several union members at the same place merge into one message.
    records: list[tuple[ProblemPath, str, str | None, Any]] = []
    for error in exc.errors(include_url=False):
        try:
            records.extend(_records_for(error, lines, model_cls))
        except Exception:  # never let a reporting bug hide the user's problem
            path, _ = _data_path(tuple(error.get("loc", ())), lines, missing=False)
            records.append((path, str(error.get("msg", "invalid value")), None, None))

    # A type mismatch of one union member ("expected a number, got a mapping") is noise when
    # another member accepted the shape of the value and found problems inside it.
    has_inner = {path[:length] for path, *_ in records for length in range(len(path))}
    records = [record for record in records if record[2] is None or record[0] not in has_inner]

    merged: list[tuple[ProblemPath, str]] = []
    index = 0
    while index < len(records):
        path, message, expected, value = records[index]
        if expected is not None:
            alternatives = [expected]
            while (
                index + 1 < len(records)
                and records[index + 1][0] == path
                and records[index + 1][2] is not None
            ):
                index += 1
                other = records[index][2]
                if other not in alternatives:
                    alternatives.append(str(other))
            if len(alternatives) > 1:
                message = f"expected {' or '.join(alternatives)}, got {show_value(value)}"
        merged.append((path, message))
        index += 1

    problems = [
        ScenarioProblem(filename, _line_for(path, lines), format_path(path), message)
        for path, message in merged
    ]
    return list(dict.fromkeys(problems))


def _records_for(
    error: Mapping[str, Any], lines: LineMap, model_cls: type[BaseModel] | None
) -> list[tuple[ProblemPath, str, str | None, Any]]:
    loc = tuple(error.get("loc", ()))
    etype = str(error.get("type", ""))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    path, key_error = _data_path(loc, lines, missing=etype == "missing")

    at_messages = _decode_at_messages(error)
    if at_messages is not None:
        return [
            (_resolve_relative(path, relative, lines), message, None, None)
            for relative, message in at_messages
        ]

    if etype == "missing":
        return [(path, "required field missing", None, None)]

    if etype == "extra_forbidden":
        name = loc[-1] if loc else ""
        allowed = _field_names(_type_at(model_cls, loc[:-1])) if model_cls else []
        hint = _did_you_mean(name, allowed)
        if not hint and allowed and len(allowed) <= 12:
            hint = f" (allowed: {', '.join(allowed)})"
        return [(path, f"unknown field {name!r}{hint}", None, None)]

    if etype in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str(ctx.get("discriminator", "")).strip("'\"")
        if etype == "union_tag_invalid":
            allowed = _QUOTED.findall(str(ctx.get("expected_tags", "")))
        else:
            allowed = _union_tags(_type_at(model_cls, loc), discriminator) if model_cls else []
        if _IDENTIFIER.match(discriminator):
            path = (*path, discriminator)
        choices = f"; allowed: {_quoted_list(allowed)}" if allowed else ""
        if etype == "union_tag_not_found":
            return [(path, f"required field missing{choices}", None, None)]
        tag = ctx.get("tag")
        return [
            (
                path,
                f"unknown {discriminator or 'kind'} {tag!r}{choices}{_did_you_mean(tag, allowed)}",
                None,
                None,
            )
        ]

    message = _plain_message(error)
    if key_error:
        prefix = "" if message.startswith("invalid name") else "invalid key: "
        return [(path, f"{prefix}{message}", None, None)]
    return [(path, message, _EXPECTED.get(etype), value)]


# --------------------------------------------------------------------------- loading


def _top_level_names(model_cls: type[BaseModel]) -> tuple[list[str], list[str]]:
    try:
        fields = model_cls.model_fields
        names = [info.alias or name for name, info in fields.items()]
        required = [info.alias or name for name, info in fields.items() if info.is_required()]
        return names, required
    except Exception:
        return [], []


def _validate(text: str, filename: str, model_cls: type[M]) -> tuple[M, LineMap]:
    sections, required = _top_level_names(model_cls)
    parsed = parse_yaml(text, filename, sections=sections, required=required)
    problems = list(parsed.problems)
    model: M | None = None
    try:
        model = model_cls.model_validate(parsed.data)
    except pydantic.ValidationError as exc:
        bad = [format_path(path) for path in parsed.problem_paths if path]
        for problem in validation_problems(exc, filename, parsed.lines, model_cls=model_cls):
            if any(problem.path == b or problem.path.startswith(b + ".") for b in bad):
                continue  # already reported by the parser (duplicate key, bad tag, ...)
            problems.append(problem)
    if problems or model is None:
        if not problems:
            problems.append(ScenarioProblem(filename, None, "", "invalid scenario"))
        raise ScenarioError(sort_problems(problems))
    return model, parsed.lines


def load_model_from_text(text: str, filename: str, model_cls: type[M]) -> tuple[M, LineMap]:
    """Parse and validate scenario *text*; *filename* is only used in messages.

    Returns ``(model, line_map)``; raises :class:`ScenarioError` (and nothing else) listing
    all problems, sorted by line.
    """
    try:
        return _validate(text, filename, model_cls)
    except ScenarioError:
        raise
    except RecursionError:
        raise ScenarioError.single(filename, "nesting too deep") from None
    except Exception as exc:
        raise ScenarioError.single(
            filename,
            f"internal error while checking the scenario ({type(exc).__name__}: {exc}); "
            "this is a bug in jitsim, please report it",
        ) from exc


def load_model_from_bytes(data: bytes, filename: str, model_cls: type[M]) -> tuple[M, LineMap]:
    """Like :func:`load_model_from_text` for raw file contents (must be UTF-8)."""
    text = decode_scenario_bytes(data, filename)
    return load_model_from_text(text, filename, model_cls)


def load_model(path: str | os.PathLike[str], model_cls: type[M]) -> tuple[M, LineMap]:
    """Read, parse and validate the scenario file at *path*.

    Returns ``(model, line_map)``; raises :class:`ScenarioError` listing all problems
    (including an unreadable or missing file), sorted by line.
    """
    filename = os.fspath(path)
    try:
        if os.path.isdir(filename):
            raise ScenarioError.single(filename, "is a directory, not a scenario file")
        with open(filename, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError.single(filename, "file not found") from None
    except IsADirectoryError:
        raise ScenarioError.single(filename, "is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError.single(filename, "permission denied (cannot read the file)") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError.single(filename, f"cannot read the file: {reason}") from None
    return load_model_from_bytes(data, filename, model_cls)
