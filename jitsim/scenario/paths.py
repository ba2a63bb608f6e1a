"""Dotted field paths into scenario data: parse them, read the short forms, set a value.

``suppliers.acme.items.0`` is ``("suppliers", "acme", "items", 0)``: mapping keys, and
all-digit segments index lists. These helpers work on plain data (the dump of a scenario),
never on the pydantic models, so every part of the scenario layer can use them.
"""

from __future__ import annotations

import re
from typing import Any

from jitsim.errors import JitsimError, ProblemPath, did_you_mean, format_path

__all__ = ["canonical_path", "parse_path_text", "set_path"]

_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")


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


#: The named sections of a scenario, and what one of their entries is called.
_ENTRY_WORDS = {
    "items": "item",
    "suppliers": "supplier",
    "stock_points": "stock point",
    "customers": "customer",
    "plants": "plant",
    "alternatives": "alternative",
    "disruptions": "disruption",
}


def _not_there(parent: ProblemPath, key: str, node: dict[str, Any]) -> str:
    """Why a path cannot go through ``key``, absent from the mapping ``node`` at ``parent``:
    ``unknown stock point 'stor'; did you mean 'store'?``."""
    names = [str(name) for name in node]
    hint = did_you_mean(key, names)
    if len(parent) == 1 and parent[0] in _ENTRY_WORDS:
        message = f"unknown {_ENTRY_WORDS[str(parent[0])]} {key!r}"
        if names and not hint:
            message += f" (this scenario has: {', '.join(names)})"
    else:
        message = f"{format_path(parent) or 'the scenario'} has no field {key!r}"
    return f"{message}; {hint}" if hint else message


def set_path(data: dict[str, Any], path: ProblemPath, value: Any) -> str | None:
    """Set ``path`` in ``data``; return a message when the path cannot be followed: through a
    list index out of range, a number or text, or an entry or field that does not exist (only
    the last segment may name a new field, which the validation then judges)."""
    node: Any = data
    for depth, segment in enumerate(path):
        last = depth == len(path) - 1
        here = format_path(path[:depth]) or "the scenario"
        if isinstance(node, dict):
            key = str(segment)
            if last:
                node[key] = value
                return None
            if key not in node:  # a misspelt entry or field: adding it by one leaf is no use
                return _not_there(path[:depth], key, node)
            if node[key] is None:  # an optional part left out: create a mapping to set into
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
