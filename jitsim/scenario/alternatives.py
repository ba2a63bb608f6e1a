"""Scenario model of an alternative: a named what-if on the supply side."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator

from jitsim.errors import raise_problems
from jitsim.policies import PolicyKind
from jitsim.scenario.base import Problems, Strict
from jitsim.units import Name, NonNegative

__all__ = ["ALTERNATIVE_KEYS", "CHANGEABLE_SECTIONS", "Alternative", "AlternativeField"]


#: Keys of the long form of an alternative; any other key is a stock point.
ALTERNATIVE_KEYS = ("policies", "changes", "switching_cost", "description")
#: Sections an alternative's ``changes`` may touch: the supply side, never demand, the run or
#: the disruptions, so that every alternative still faces the same demand and events.
CHANGEABLE_SECTIONS = ("items", "suppliers", "stock_points", "plants")


def _alternative_shorthand(value: Any) -> Any:
    """``jit: {store: {...}}`` means ``jit: {policies: {store: {...}}}``."""
    if isinstance(value, dict) and "policies" not in value:
        return {
            "policies": {k: v for k, v in value.items() if k not in ALTERNATIVE_KEYS},
            **{k: v for k, v in value.items() if k in ALTERNATIVE_KEYS},
        }
    return value


class Alternative(Strict):
    """A named what-if: policies that replace those of some stock points, and other changes
    to the supply side (a backup source, expediting, a faster supplier).

    Written either as a mapping of stock point → policy (``jit: {store: {kind: jit}}``) or in
    full (``jit: {policies: {store: {kind: jit}}, switching_cost: 25000}``); ``changes``,
    ``switching_cost`` and ``description`` may also sit beside the stock points of the short
    form.

    Parameters
    ----------
    policies : mapping of stock point to policy spec
        The policy of each stock point that differs from the base scenario.
    changes : mapping of field path to value
        Other fields that differ, as dotted paths into the scenario (the syntax of
        ``jitsim sweep --set``), e.g. ``stock_points.store.backup: {source: bolt}`` or
        ``suppliers.acme.lead_time: 2``. Only ``items``, ``suppliers``, ``stock_points`` and
        ``plants`` may change — demand, the run and the disruptions stay those of the scenario,
        so alternatives remain paired under common random numbers.
    switching_cost : float
        One-off cost of switching to this alternative (currency): new contracts, training,
        systems. The comparison turns it into a payback period.
    description : str
        Free text shown in reports.
    """

    policies: dict[Name, PolicyKind] = Field(default_factory=dict)
    changes: dict[str, Any] = Field(default_factory=dict)
    switching_cost: NonNegative = 0.0
    description: str = ""

    @model_validator(mode="after")
    def _changes_on_the_supply_side(self) -> Self:
        problems: Problems = []
        for path in self.changes:
            section = path.split(".", 1)[0]
            if section not in CHANGEABLE_SECTIONS or "." not in path:
                problems.append(
                    (
                        ("changes", path),
                        f"an alternative may change fields under {', '.join(CHANGEABLE_SECTIONS)} "
                        "(e.g. stock_points.store.backup); demand, run settings and disruptions "
                        "are shared by every alternative",
                    )
                )
        raise_problems(problems)
        return self


# Only the JSON Schema uses this model (its docstring is the description editors show):
# validation turns the short form into an Alternative.
class AlternativeShortForm(BaseModel):
    """An alternative in short form: each stock point whose policy differs, mapped to its
    policy (jit: {store: {kind: jit}}); changes, switching_cost and description may sit beside
    them."""

    model_config = ConfigDict(
        extra="allow",
        title="Alternative (short form: stock point → policy)",
        json_schema_extra={"propertyNames": TypeAdapter(Name).json_schema()},
    )
    __pydantic_extra__: dict[str, PolicyKind] = Field(init=False)

    changes: dict[str, Any] = Field(default_factory=dict)
    switching_cost: NonNegative = 0.0
    description: str = ""


AlternativeField = Annotated[
    Alternative,
    BeforeValidator(
        _alternative_shorthand, json_schema_input_type=AlternativeShortForm | Alternative
    ),
]
