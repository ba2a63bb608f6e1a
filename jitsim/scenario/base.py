"""What every scenario model shares: the strict base class, the form of the problems the
cross-reference checks report, and the wording of an unknown name (with the nearest known one).
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

from jitsim.errors import with_suggestion
from jitsim.units import Name

__all__ = ["NAME_PATTERN", "Problems", "Strict", "entries", "unknown"]


class Strict(BaseModel):
    """Base: frozen, unknown keys rejected, strict types."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


#: Problems found by a check: ``(path inside the scenario, message)`` pairs.
Problems = list[tuple[tuple[str | int, ...], str]]


def unknown(what: str, name: str, known: Any) -> str:
    """The message for a name that names nothing: ``unknown item 'x' (known: a, b)``."""
    names = ", ".join(sorted(known)) or "none"
    return with_suggestion(f"unknown {what} {name!r} (known: {names})", name, known)


def entries(data: Any, section: str) -> dict[str, Any]:
    """The named entries of ``section`` in a :class:`Scenario` or in raw (possibly invalid)
    scenario data; ``{}`` when the section is missing or not a mapping.
    """
    value = data.get(section) if isinstance(data, dict) else getattr(data, section, None)
    return value if isinstance(value, dict) else {}


def _name_pattern() -> str:
    for info in get_args(Name)[1:]:
        for meta in info.metadata if isinstance(info, FieldInfo) else ():
            pattern = getattr(meta, "pattern", None)
            if isinstance(pattern, str):
                return pattern
    raise AssertionError("jitsim.units.Name has no pattern")  # pragma: no cover


#: The regular expression of :data:`jitsim.units.Name` (node, item and alternative names),
#: which messages and the generated reference replace by plain words.
NAME_PATTERN = _name_pattern()
