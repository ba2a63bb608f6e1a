"""Pydantic models of the scenario file format: :class:`Scenario`, the root, and every model
nested in it (re-exported here from the modules that define them).

A scenario is validated once, completely, when it is loaded; everything downstream trusts it.
All models are frozen and reject unknown keys. Numbers are strict (``true`` or ``"3"`` is not a
number) and finite. Time is in days, money in the scenario currency.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Self, TypeVar, cast

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails

from jitsim.errors import JitsimError, ModelProblems, ScenarioError, raise_problems
from jitsim.scenario.alternatives import Alternative, AlternativeField
from jitsim.scenario.base import Problems, Strict
from jitsim.scenario.checks import reference_problems
from jitsim.scenario.demand import Customer, PoissonOrders, Seasonality
from jitsim.scenario.disruptions import NAMED_EVENT_START, Disruption
from jitsim.scenario.finance import CustomerPaymentTerms, Finance, SupplierPaymentTerms
from jitsim.scenario.grid import grid_from_mapping
from jitsim.scenario.limits import size_problems
from jitsim.scenario.name_refs import raw_reference_problems
from jitsim.scenario.plants import Plant
from jitsim.scenario.resolve import resolve
from jitsim.scenario.run import RunSettings, ServiceRecovery
from jitsim.scenario.supply import (
    Backup,
    Expedite,
    HoldingRate,
    Item,
    Review,
    StockPoint,
    Supplier,
)
from jitsim.units import Name

__all__ = [
    "Alternative",
    "Backup",
    "Customer",
    "CustomerPaymentTerms",
    "Expedite",
    "Finance",
    "HoldingRate",
    "Item",
    "PoissonOrders",
    "Review",
    "RunSettings",
    "Scenario",
    "Seasonality",
    "ServiceRecovery",
    "StockPoint",
    "Supplier",
    "SupplierPaymentTerms",
    "json_schema",
    "scenario_hash",
]

_T = TypeVar("_T")


class Scenario(Strict):
    """A whole scenario file. See ``docs/scenario-reference.md`` for every field.

    Parameters
    ----------
    name : str
        Title of the scenario, shown in reports.
    description : str
        Free text describing the scenario.
    run : RunSettings
        Horizon, warm-up, replications, seed and cost conventions.
    items : mapping of name to Item
        The stocked items, by name.
    suppliers : mapping of name to Supplier
        External sources, by name.
    stock_points : mapping of name to StockPoint
        Places holding stock, by name; each replenishes from a supplier or another stock point.
    customers : mapping of name to Customer
        Sources of demand, by name; each buys from one stock point.
    plants : mapping of name to Plant
        Factories, by name; a stock point whose ``source`` is a plant holds its finished goods.
    alternatives : mapping of name to Alternative
        Named what-if alternatives: each replaces the policy of some stock points; all are
        compared under common random numbers. Without any, the single alternative ``base``
        uses the policies given in ``stock_points``.
    sweep : mapping of field path to values
        Default grid of ``jitsim sweep``: each key a dotted field path
        (``suppliers.acme.lead_time.mean``), each value a list, a single value, or a range
        ``{from: LO, to: HI, step: STEP}`` (both ends included). ``--set`` on the command line
        replaces an axis with the same path.
    disruptions : mapping of name to disruption
        Events that hit named nodes (``kind: outage | lead_time_shock | quality_crisis |
        demand_surge | stock_loss``), or a named stress event such as
        ``"outage-30d:acme"`` (see ``docs/disruptions.md``). Their timelines are drawn
        before the run, so every alternative faces the same events in replication r.
    finance : Finance, optional
        The cash account: ``{interest_rate_per_year: 0.08, opening_cash: 50000}``. With it, or
        with any ``payment_terms``, a daily cash ledger is kept (docs/waste-space-cash.md).

    Node names (suppliers, stock points, customers) must be unique across sections; names may
    only use letters, digits, ``_`` and ``-`` because they prefix KPI names
    (``store.fill_rate``).
    """

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    run: RunSettings = RunSettings()
    items: Annotated[dict[Name, Item], Field(min_length=1)]
    suppliers: Annotated[dict[Name, Supplier], Field(min_length=1)]
    stock_points: Annotated[dict[Name, StockPoint], Field(min_length=1)]
    customers: Annotated[dict[Name, Customer], Field(min_length=1)]
    plants: dict[Name, Plant] = Field(default_factory=dict)
    alternatives: dict[Name, AlternativeField] = Field(default_factory=dict)
    sweep: dict[str, Any] = Field(default_factory=dict)
    disruptions: dict[Name, Disruption] = Field(default_factory=dict)
    finance: Finance | None = None
    #: Resolved scenario of each alternative (see :func:`jitsim.scenario.resolve.resolve`).
    _resolved: dict[str, Scenario] = PrivateAttr(default_factory=dict)
    #: Figures derived from this scenario alone, by name (see :meth:`derived`).
    _derived: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _sweep_axes(self) -> Self:
        problems: Problems = []
        for key, spec in self.sweep.items():
            try:
                grid_from_mapping({key: spec})
            except JitsimError as exc:
                problems.append((("sweep", key), str(exc).removeprefix(f"sweep {key}: ")))
        raise_problems(problems)
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _report_everything(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Scenario:
        """Add broken cross-references to field errors, so one pass reports every problem.

        The typed reference checks only run once every field is valid; when some field is
        not, the same references are checked on the raw data (names only) and their findings
        are appended to the field errors.
        """
        token = NAMED_EVENT_START.set(_warmup_days(data))
        try:
            return handler(data)
        except ValidationError as exc:
            found = raw_reference_problems(data)
            if not found:
                raise
            details: list[InitErrorDetails] = [
                {"type": e["type"], "loc": e["loc"], "input": e["input"], "ctx": e.get("ctx", {})}
                for e in exc.errors()
            ]
            details.append(
                {
                    "type": "value_error",
                    "loc": (),
                    "input": data,
                    "ctx": {"error": ModelProblems(found)},
                }
            )
            raise ValidationError.from_exception_data(exc.title, details) from None
        finally:
            NAMED_EVENT_START.reset(token)

    @model_validator(mode="after")
    def _sizes(self) -> Self:
        """Sizes over the documented limits, refused before a model allocates anything."""
        raise_problems(size_problems(self))
        return self

    @model_validator(mode="after")
    def _references(self) -> Self:
        raise_problems(reference_problems(self))
        return self

    @model_validator(mode="after")
    def _alternative_changes(self) -> Self:
        """Every alternative with ``changes`` must give a valid scenario (built once, kept)."""
        problems: Problems = []
        for name, alternative in self.alternatives.items():
            if not alternative.changes:
                continue
            where: tuple[str | int, ...] = ("alternatives", name, "changes")
            try:
                resolve(self, name)
            except ScenarioError as exc:
                for problem in exc.problems:
                    key = next((k for k in alternative.changes if problem.path.startswith(k)), None)
                    problems.append(
                        ((*where, key) if key else where, f"{problem.path}: {problem.message}")
                    )
            except JitsimError as exc:
                problems.append((where, str(exc)))
        raise_problems(problems)
        return self

    @model_validator(mode="after")
    def _ledger_in_every_alternative(self) -> Self:
        """Payment terms given only in an alternative would give it cash-flow columns the
        others lack; the scenario must keep the ledger for all (``finance:``)."""
        if self.keeps_cash_ledger:
            return self
        raise_problems(
            [
                (
                    ("alternatives", name, "changes", path),
                    "payment terms in an alternative need the cash ledger in every "
                    "alternative: add 'finance: {}' (or payment_terms) to the scenario",
                )
                for name, alternative in self.alternatives.items()
                for path in alternative.changes
                if "payment_terms" in path
            ]
        )
        return self

    @model_validator(mode="after")
    def _same_features_in_every_alternative(self) -> Self:
        """A capacity or a shelf life added or removed by an alternative's ``changes``, or the
        cash ledger removed with the only payment terms, would give it columns the others
        lack ("n/a" where they have 0): the alternatives of a scenario line up column by
        column (docs/architecture.md)."""
        base = self.column_features()
        problems: Problems = []
        for name, alternative in self.alternatives.items():
            if not alternative.changes:
                continue
            try:
                features = resolve(self, name).column_features()
            except JitsimError:  # reported by _alternative_changes
                continue
            where: tuple[str | int, ...] = ("alternatives", name, "changes")
            if ("cash_ledger", "") in base - features:  # (added: _ledger_in_every_alternative)
                problems.append(
                    (
                        where,
                        "removes the scenario's only payment terms, and with them the cash "
                        "ledger: every alternative needs the same cash columns; add "
                        "'finance: {}' to the scenario",
                    )
                )
            # (an end of life has its own check, with its own advice)
            capacities, base_capacities = _named("capacity", features), _named("capacity", base)
            perishables = _named("shelf_life", features)
            base_perishables = _named("shelf_life", base)
            for point in sorted(capacities ^ base_capacities):
                what = "adds a capacity to" if point in capacities else "removes the capacity of"
                problems.append(
                    (
                        _changed_at(
                            where, alternative.changes, ("stock_points", point, "capacity")
                        ),
                        f"{what} stock point {point!r}: every alternative needs the same space "
                        "columns; give the stock point a capacity in the scenario (one no "
                        "policy reaches stands for unlimited space) and change its value here",
                    )
                )
            for item in sorted(perishables ^ base_perishables):
                what = (
                    f"makes item {item!r} perishable"
                    if item in perishables
                    else f"takes the shelf life of item {item!r}"
                )
                problems.append(
                    (
                        _changed_at(where, alternative.changes, ("items", item, "shelf_life")),
                        f"{what}: every alternative needs the same waste columns; "
                        "give the item a shelf_life in the scenario (one no unit reaches stands "
                        "for none) and change its value here",
                    )
                )
        raise_problems(problems)
        return self

    # -- conveniences -----------------------------------------------------------------------

    @property
    def keeps_cash_ledger(self) -> bool:
        """Whether the model keeps a cash ledger: ``finance`` or any ``payment_terms`` given."""
        return (
            self.finance is not None
            or any(s.payment_terms is not None for s in self.suppliers.values())
            or any(c.payment_terms is not None for c in self.customers.values())
        )

    def column_features(self) -> frozenset[tuple[str, str]]:
        """The features that give a KPI record columns of their own, as ``(feature, name)``:
        ``("capacity", STOCK_POINT)``, ``("shelf_life", ITEM)``, ``("end_of_life", ITEM)`` and
        ``("cash_ledger", "")``. Scenarios run together (alternatives, sweep points) must
        have the same, so that their records line up column by column."""
        features = {("capacity", n) for n, p in self.stock_points.items() if p.capacity is not None}
        for name, item in self.items.items():
            if item.shelf_life is not None:
                features.add(("shelf_life", name))
            if item.end_of_life is not None:
                features.add(("end_of_life", name))
        if self.keeps_cash_ledger:
            features.add(("cash_ledger", ""))
        return frozenset(features)

    def alternative_names(self) -> list[str]:
        """Names of the alternatives; ``["base"]`` when the file defines none."""
        return list(self.alternatives) or ["base"]

    def switching_costs(self) -> dict[str, float]:
        """One-off switching cost of each alternative (currency)."""
        return {name: alt.switching_cost for name, alt in self.alternatives.items()}

    def __eq__(self, other: object) -> bool:
        """Equal fields (the cache of built alternatives does not count)."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable dict fields: not hashable anyway

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic); the alternatives' scenarios are built afresh for it."""
        copy = super().model_copy(update=update, deep=deep)
        copy._resolved = {}
        copy._derived = {}
        return copy

    def derived(self, name: str, make: Callable[[], _T]) -> _T:
        """``make()``, worked out once and kept with the scenario under ``name``.

        For figures that depend on the scenario alone (its planning demand, its customers'
        seasonal factors) and that every replication would otherwise work out again: a
        scenario is frozen, and :meth:`model_copy` starts the copy without them.
        """
        cache: dict[str, Any] = self._private()["_derived"]
        if name not in cache:
            cache[name] = make()
        return cast(_T, cache[name])

    def _resolved_cache(self) -> dict[str, Scenario]:
        """Resolved scenario of each alternative (filled by :func:`~jitsim.scenario.resolve`)."""
        resolved: dict[str, Scenario] = self._private()["_resolved"]
        return resolved

    def _private(self) -> dict[str, Any]:
        """The store of the private attributes, read directly: ``self._derived`` goes through
        pydantic's ``__getattr__``, which raises and catches two exceptions on every read
        (a few µs, twice in every replication's build)."""
        private = self.__pydantic_private__
        assert private is not None  # a model with private attributes always has the store
        return private


def _warmup_days(data: Any) -> float:
    """Warm-up of the scenario being validated (days; 0 when not valid yet): named stress
    events without ``@DAY`` start at its end.
    """
    run = data.get("run") if isinstance(data, dict) else None
    warmup = (
        run.get("warmup_days", 0)
        if isinstance(run, dict)
        else run.warmup_days
        if isinstance(run, RunSettings)
        else 0
    )
    return float(warmup) if isinstance(warmup, int) and not isinstance(warmup, bool) else 0.0


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files, for editors and validators.

    It describes what :func:`jitsim.load_scenario` accepts, shorthands included (a number as a
    distribution, ``review: continuous``, alternatives in short form, named stress events);
    the checks across fields (references between nodes, ...) are the loader's alone.
    """
    document: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **_names_only(Scenario.model_json_schema()),
    }
    document["title"] = "jitsim scenario"
    return document


def _names_only(schema: Any) -> Any:
    """``schema`` with every mapping keyed by names closed to other keys.

    Pydantic writes ``dict[Name, X]`` as ``patternProperties`` (the name pattern → X), which
    lets a key that is not a name (``walk in``) through; the loader refuses it, and so does the
    schema with ``additionalProperties: false``.
    """
    if isinstance(schema, list):
        return [_names_only(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _names_only(value) for key, value in schema.items()}
    if "patternProperties" in closed and "additionalProperties" not in closed:
        closed["additionalProperties"] = False
    return closed


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario with every default filled in, as hex (a results directory's
    identity: a resumed run must have the same)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _changed_at(
    where: tuple[str | int, ...], changes: Mapping[str, Any], field: tuple[str, ...]
) -> tuple[str | int, ...]:
    """The path of the entry of ``changes`` that sets ``field`` (or one of its parents)."""
    dotted = ".".join(field)
    key = next((k for k in changes if dotted == k or dotted.startswith(k + ".")), None)
    return (*where, key) if key else where


def _named(feature: str, features: frozenset[tuple[str, str]]) -> set[str]:
    """The names that have ``feature`` in :meth:`Scenario.column_features`."""
    return {name for kind, name in features if kind == feature}
