"""Fields that name an entry of another section, and the check that the name exists.

One table, :data:`REFERENCES`, says which field names what. It serves twice: the typed
cross-reference checks of a valid scenario (:mod:`jitsim.scenario.checks`) report an unknown
name with it, and when some field of the file is invalid (so that no typed check runs),
:func:`raw_reference_problems` runs the same rows on the raw data, so that one pass still
reports every dangling name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitsim.scenario.alternatives import ALTERNATIVE_KEYS
from jitsim.scenario.base import Problems, entries, unknown
from jitsim.scenario.disruptions import node_problems

__all__ = [
    "BACKUP_SOURCE",
    "BUYS_FROM",
    "EXPEDITE_SOURCE",
    "POINT_ITEM",
    "POINT_SOURCE",
    "REFERENCES",
    "SUPPLIED_ITEMS",
    "Reference",
    "model_field",
    "raw_reference_problems",
]

#: Reads one field of an entry (a model or raw data); None when it is absent.
FieldOf = Callable[[Any, str], Any]


def model_field(entry: Any, key: str) -> Any:
    """A field of a validated model (None when absent)."""
    return getattr(entry, key, None)


def _data_field(entry: Any, key: str) -> Any:
    """A key of raw data; only mappings are looked into."""
    return entry.get(key) if isinstance(entry, dict) else None


@dataclass(frozen=True)
class Reference:
    """A field of the entries of one section that names an entry of other sections.

    Attributes
    ----------
    section : str
        The section whose entries hold the field.
    field : tuple of str
        Path of the field inside an entry.
    targets : tuple of str
        Sections the name may come from.
    what : str
        How the message calls those entries.
    listed : bool
        The field is a list of names.
    elsewhere : tuple of str
        Sections whose names are wrong here for a reason of their own (a backup source that is
        a stock point): the typed checks word that; they are not unknown.
    """

    section: str
    field: tuple[str, ...]
    targets: tuple[str, ...]
    what: str
    listed: bool = False
    elsewhere: tuple[str, ...] = ()

    def problems(self, data: Any, name: str, entry: Any, field_of: FieldOf) -> Problems:
        """Unknown names in this field of the entry ``name`` of a scenario or of raw data."""
        value = entry
        for key in self.field:
            value = field_of(value, key)
        path: tuple[str | int, ...] = (self.section, name, *self.field)
        if not self.listed:
            named = [(path, value)]
        elif isinstance(value, list):
            named = [((*path, index), element) for index, element in enumerate(value)]
        else:
            return []
        known = [n for section in self.targets for n in entries(data, section)]
        return [
            (where, unknown(self.what, value, known))
            for where, value in named
            if isinstance(value, str)
            and known
            and value not in known
            and not any(value in entries(data, section) for section in self.elsewhere)
        ]


SUPPLIED_ITEMS = Reference("suppliers", ("items",), ("items",), "item", listed=True)
POINT_ITEM = Reference("stock_points", ("item",), ("items",), "item")
POINT_SOURCE = Reference(
    "stock_points",
    ("source",),
    ("suppliers", "stock_points", "plants"),
    "supplier, stock point or plant",
)
BACKUP_SOURCE = Reference(
    "stock_points", ("backup", "source"), ("suppliers",), "supplier", elsewhere=("stock_points",)
)
EXPEDITE_SOURCE = Reference(
    "stock_points",
    ("expedite", "source"),
    ("suppliers",),
    "supplier",
    elsewhere=("stock_points", "plants"),
)
BUYS_FROM = Reference("customers", ("buys_from",), ("stock_points",), "stock point")

#: Every plain name reference, section by section and, within an entry, in the order the
#: problems are reported.
REFERENCES = (SUPPLIED_ITEMS, POINT_ITEM, POINT_SOURCE, BACKUP_SOURCE, EXPEDITE_SOURCE, BUYS_FROM)


def raw_reference_problems(data: Any) -> Problems:
    """Dangling names in raw (possibly invalid) scenario data; only plain names are checked."""
    if not isinstance(data, dict):
        return []
    problems: Problems = []
    for section in dict.fromkeys(reference.section for reference in REFERENCES):
        for name, entry in entries(data, section).items():
            for reference in REFERENCES:
                if reference.section == section:
                    problems += reference.problems(data, name, entry, _data_field)
    points = entries(data, "stock_points")
    for name, alternative in entries(data, "alternatives").items():
        if isinstance(alternative, dict):
            chosen = alternative.get("policies", alternative)
            for point in chosen if isinstance(chosen, dict) else {}:
                if isinstance(point, str) and point not in (*ALTERNATIVE_KEYS, *points) and points:
                    path = ("alternatives", name, point)
                    problems.append((path, unknown("stock point", point, points)))
    problems += node_problems(data)
    return problems
