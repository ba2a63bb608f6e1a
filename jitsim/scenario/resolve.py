"""Resolve an alternative: the one place where its policies and changes are applied.

A scenario file names several alternatives; the model of one replication simulates exactly one
of them. :func:`resolve` turns ``(scenario, alternative)`` into the scenario to simulate: the
alternative's ``changes`` applied (validated again), its policies written into the stock points,
and no alternatives left. The model layer accepts only such resolved scenarios, so a model cannot
be built with an alternative's policies but without its changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jitsim.errors import UnknownAlternative, with_suggestion
from jitsim.scenario.overrides import apply_overrides

if TYPE_CHECKING:
    from jitsim.scenario.models import Scenario

__all__ = ["BASE", "resolve"]

#: The name of the only alternative of a scenario that defines none.
BASE = "base"


def resolve(scenario: Scenario, alternative: str) -> Scenario:
    """The scenario that simulates ``alternative``: no alternatives, its policies and changes in.

    A scenario without alternatives resolves to itself under :data:`BASE`. The resolved
    scenario of each alternative is built once and kept with ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    alternative : str
        One of ``scenario.alternative_names()``.

    Returns
    -------
    Scenario
        Validated, with ``alternatives == {}``: ready for :func:`jitsim.model.network.build`.

    Raises
    ------
    UnknownAlternative
        If ``scenario`` has no such alternative (a ``JitsimError`` and a ``KeyError``).
    ScenarioError
        If the alternative's changes give an invalid scenario (reported when the file is
        loaded, so only for scenarios built by hand).
    """
    known = scenario.alternative_names()
    if alternative not in known:
        raise UnknownAlternative(
            with_suggestion(
                f"unknown alternative {alternative!r} (this scenario has: {', '.join(known)})",
                alternative,
                known,
            )
        )
    if not scenario.alternatives:
        return scenario
    spec = scenario.alternatives[alternative]
    cache = scenario._resolved_cache()
    resolved = cache.get(alternative)
    if resolved is not None:
        return resolved
    alone = scenario.model_copy(update={"alternatives": {}, "sweep": {}})
    if spec.changes:  # the supply side changes: validate the changed scenario as a whole
        assignments: dict[str, Any] = dict(spec.changes)
        for point, policy in spec.policies.items():
            assignments[f"stock_points.{point}.policy"] = policy.model_dump(mode="python")
        resolved = apply_overrides(alone, None, assignments)
    else:  # policies only, each already checked against its stock point
        points = {
            name: point.model_copy(update={"policy": spec.policies[name]})
            if name in spec.policies
            else point
            for name, point in scenario.stock_points.items()
        }
        resolved = alone.model_copy(update={"stock_points": points})
    # setdefault: two threads resolving at once still share one scenario
    return cache.setdefault(alternative, resolved)
