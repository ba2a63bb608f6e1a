"""Replenishment policies behind one protocol, registered by their YAML ``kind:`` tag.

Third-party packages add policies through the ``jitsim.policies`` entry-point group: each entry
point names a :class:`~jitsim.policies.base.PolicySpec` subclass with a ``kind`` literal field.
YAML files never import code themselves.
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points
from typing import Annotated, Any, Union

from pydantic import Field

from jitsim.policies.base import Policy, PolicyContext, PolicySpec
from jitsim.policies.classic import BaseStockSpec, KanbanSpec, RQSpec, SsSpec
from jitsim.policies.eoq import EOQSpec
from jitsim.policies.jit import JITSpec

BUILTIN_POLICIES: tuple[type[PolicySpec], ...] = (
    SsSpec,
    BaseStockSpec,
    RQSpec,
    EOQSpec,
    JITSpec,
    KanbanSpec,
)


def _kind_of(spec: type[PolicySpec]) -> str:
    return str(spec.model_fields["kind"].default)


def _plugin_policies() -> list[type[PolicySpec]]:
    """Policy specs registered by installed packages (entry-point group ``jitsim.policies``).

    A plug-in that fails to load, is not a ``PolicySpec`` with a ``kind`` field, or reuses a
    kind that is already registered is skipped with a warning: it must never change what a
    built-in kind means, nor stop jitsim from starting.
    """
    taken = {_kind_of(spec) for spec in BUILTIN_POLICIES}
    found = []
    for entry in entry_points(group="jitsim.policies"):
        try:
            spec = entry.load()
        except Exception as exc:  # a broken third-party package
            warnings.warn(
                f"jitsim policy plug-in {entry.name!r} failed to load: {exc}", stacklevel=2
            )
            continue
        if not (
            isinstance(spec, type) and issubclass(spec, PolicySpec) and "kind" in spec.model_fields
        ):
            warnings.warn(
                f"jitsim policy plug-in {entry.name!r} is not a PolicySpec with a 'kind' field",
                stacklevel=2,
            )
            continue
        kind = _kind_of(spec)
        if kind in taken:
            warnings.warn(
                f"jitsim policy plug-in {entry.name!r} reuses the kind {kind!r}; ignored",
                stacklevel=2,
            )
            continue
        taken.add(kind)
        found.append(spec)
    return found


POLICY_REGISTRY: dict[str, type[PolicySpec]] = {
    _kind_of(spec): spec for spec in (*BUILTIN_POLICIES, *_plugin_policies())
}

#: The ``policy:`` field type of scenario files: a union of every registered spec.
PolicyKind: Any = Annotated[
    Union[tuple(POLICY_REGISTRY.values())],  # noqa: UP007 - built at run time
    Field(discriminator="kind"),
]

__all__ = ["POLICY_REGISTRY", "Policy", "PolicyContext", "PolicyKind", "PolicySpec"]
