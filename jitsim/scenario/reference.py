"""Generate the scenario file reference (``docs/scenario-reference.md``) from the models.

The page is built by walking the pydantic models of the scenario format: :class:`Scenario` and
the models nested in it, every distribution kind of
:data:`jitsim.distributions.DISTRIBUTION_KINDS`, every built-in policy kind of
:data:`jitsim.policies.POLICY_REGISTRY` and every forecaster kind. Each model gets a section
with a table of its fields: YAML name, type, default, constraints and a description. The
descriptions (and so the units) come from the numpydoc ``Parameters`` section of the class
docstring; types, defaults and constraints come from the field annotations.

Regenerate the committed page with::

    python -m jitsim.scenario.reference > docs/scenario-reference.md
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from jitsim.distributions import DISTRIBUTION_KINDS, BaseDistribution
from jitsim.policies import POLICY_REGISTRY, PolicySpec
from jitsim.policies.forecast import ForecastKind, ForecastSpec
from jitsim.scenario.base import NAME_PATTERN
from jitsim.scenario.limits import limits_markdown
from jitsim.scenario.models import Scenario

__all__ = [
    "NUMBER_FORMS",
    "DocParameter",
    "ModelDoc",
    "documented_models",
    "parse_docstring",
    "scenario_reference_markdown",
]

REGENERATE_COMMAND = "python -m jitsim.scenario.reference > docs/scenario-reference.md"

#: The ways of writing a number that the reference lists (YAML 1.2; tests read each one).
NUMBER_FORMS = ("8", "-3", "1_000", "2.5", ".5", "-.5", "8e0", "1e3", "2.5E-2", "-1.5e+3")

#: Placeholder written for a field whose docstring has no description (the tests forbid it).
UNDOCUMENTED = "**undocumented**"

_SECTION_UNDERLINE = re.compile(r"^-{3,}\s*$")
_PARAMETER_LINE = re.compile(
    r"^(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::\s*(?P<type>.*))?$"
)
_ROLE = re.compile(r":(?P<role>[\w:]+):`(?P<text>[^`]+)`")
_LITERAL = re.compile(r"``(?P<text>[^`]+)``")
#: Validators of :mod:`jitsim.distributions` that encode a constraint, by function name.
_VALIDATOR_CONSTRAINTS = {
    "_finite": "finite",
    "_non_negative": "≥ 0",
    "_positive": "> 0",
}


# --------------------------------------------------------------------------- docstrings


@dataclass(frozen=True)
class DocParameter:
    """One entry of a numpydoc ``Parameters`` section."""

    name: str
    type: str
    description: str


@dataclass
class ParsedDocstring:
    """A class docstring split into its parts."""

    summary: str = ""
    parameters: dict[str, DocParameter] = field(default_factory=dict)
    #: Paragraphs written after the parameter entries, inside the Parameters section.
    parameter_notes: str = ""
    #: Other numpydoc sections (``Notes``, ``See Also``, ...) by title.
    sections: dict[str, str] = field(default_factory=dict)


def _split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Split cleaned docstring lines into the leading text and ``title -> lines``."""
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    current = head
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and not line.startswith(" ") and _SECTION_UNDERLINE.match(following):
            current = sections.setdefault(line.strip(), [])
            index += 2
            continue
        current.append(line)
        index += 1
    return head, sections


def _paragraphs(lines: Iterable[str]) -> str:
    """Re-join wrapped lines: one line per paragraph, indented blocks kept as they are."""
    out: list[str] = []
    paragraph: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(" ".join(paragraph))
            paragraph.clear()
        if block:
            out.append("\n".join(block))
            block.clear()

    for line in lines:
        if not line.strip():
            flush()
        elif line.startswith(" ") and not paragraph:
            block.append(line)
        else:
            if block:
                flush()
            paragraph.append(line.strip())
    flush()
    return "\n\n".join(out)


def parse_docstring(doc: str | None) -> ParsedDocstring:
    """Parse a numpydoc class docstring.

    In the ``Parameters`` section an entry is a line ``name : type`` (or ``a, b : type`` for
    several parameters sharing one description) followed by its indented description. Text
    after the entries, not indented, is kept as :attr:`ParsedDocstring.parameter_notes`.
    """
    result = ParsedDocstring()
    if not doc:
        return result
    head, sections = _split_sections(inspect.cleandoc(doc).splitlines())
    result.summary = _paragraphs(head)
    notes: list[str] = []
    names: list[str] = []
    kind = ""
    description: list[str] = []

    def finish() -> None:
        text = " ".join(part.strip() for part in description if part.strip())
        for name in names:
            result.parameters[name] = DocParameter(name, kind, text)
        description.clear()

    for line in sections.pop("Parameters", []):
        match = _PARAMETER_LINE.match(line)
        if line.startswith(" ") and names and not notes:
            description.append(line)
        elif match and not notes:
            finish()
            names = [name.strip() for name in match["names"].split(",")]
            kind = (match["type"] or "").strip()
        elif line.strip() or notes:
            if not notes:
                finish()
                names = []
            notes.append(line)
    finish()
    result.parameter_notes = _paragraphs(notes)
    result.sections = {title: _paragraphs(body) for title, body in sections.items()}
    return result


def _markdown(text: str) -> str:
    """reStructuredText inline markup to Markdown: ``x`` and :role:`x` to `x`, math to $x$."""

    def role(match: re.Match[str]) -> str:
        if match["role"] == "math":
            return f"${match['text']}$"
        return f"`{match['text'].lstrip('~')}`"

    return _LITERAL.sub(lambda m: f"`{m['text']}`", _ROLE.sub(role, text))


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return _markdown(text).replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------- types


def _strip_annotated(tp: Any) -> tuple[Any, list[Any]]:
    metadata: list[Any] = []
    while get_origin(tp) is Annotated:
        args = get_args(tp)
        tp, metadata = args[0], [*metadata, *args[1:]]
    return tp, metadata


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _all_subclasses(members: Iterable[Any], base: type) -> bool:
    return all(isinstance(m, type) and issubclass(m, base) for m in members)


def _flatten_metadata(metadata: Iterable[Any]) -> Iterator[Any]:
    for meta in metadata:
        if isinstance(meta, FieldInfo):
            yield from meta.metadata
        else:
            yield meta


_NAME_CONSTRAINT = "a name"


def _constraints(metadata: Iterable[Any]) -> list[str]:
    """Human-readable constraints from pydantic / annotated-types metadata."""
    found: list[str] = []
    lengths: dict[str, int] = {}
    for meta in _flatten_metadata(metadata):
        for attribute, symbol in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
            value = getattr(meta, attribute, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.append(f"{symbol} {value:g}")
        for attribute in ("min_length", "max_length"):
            value = getattr(meta, attribute, None)
            if isinstance(value, int):
                lengths[attribute] = value
        if getattr(meta, "allow_inf_nan", None) is False:
            found.append("finite")
        pattern = getattr(meta, "pattern", None)
        if isinstance(pattern, str):
            if pattern == NAME_PATTERN:
                found.append(_NAME_CONSTRAINT)
            else:
                found.append(f"matches `{pattern}`")
        func = getattr(meta, "func", None)
        constraint = _VALIDATOR_CONSTRAINTS.get(getattr(func, "__name__", ""))
        if constraint is not None:
            found.append(constraint)
    low, high = lengths.get("min_length"), lengths.get("max_length")
    if low is not None and low == high:
        found.append(f"length {low}")
    else:
        if low is not None:
            found.append("non-empty" if low == 1 else f"length ≥ {low}")
        if high is not None:
            found.append(f"length ≤ {high}")
    return list(dict.fromkeys(found))


def _link(title: str, anchor: str) -> str:
    return f"[{title}](#{anchor})"


def _anchor(model: type[BaseModel]) -> str:
    if issubclass(model, BaseDistribution):
        prefix = "distribution"
    elif issubclass(model, PolicySpec):
        prefix = "policy"
    elif issubclass(model, ForecastSpec):
        prefix = "forecast"
    else:
        return model.__name__.lower()
    return f"{prefix}-{_kind_of(model)}".replace("_", "-").lower()


def _kind_of(model: type[BaseModel]) -> str:
    return str(model.model_fields["kind"].default)


def _describe_type(tp: Any, extra_metadata: Iterable[Any] = ()) -> tuple[str, list[str], bool]:
    """``(type text, constraints, optional)`` of an annotation, for the field tables.

    *extra_metadata* is metadata that applies to *tp* as if it were ``Annotated`` with it.
    """
    tp, metadata = _strip_annotated(tp)
    constraints = _constraints([*extra_metadata, *metadata])
    optional = False
    if _is_union(tp):
        members = [m for m in get_args(tp) if m is not type(None)]
        optional = len(members) < len(get_args(tp))
        if len(members) == 1:
            text, inner, _ = _describe_type(members[0])
            return text, constraints + inner, optional
        if _all_subclasses(members, BaseDistribution):
            return "[distribution](#distributions) or number", constraints, optional
        if _all_subclasses(members, PolicySpec):
            return "[policy](#policies)", constraints, optional
        if _all_subclasses(members, ForecastSpec):
            return "[forecaster](#forecasters)", constraints, optional
        texts: list[str] = []
        for member in members:
            text, inner, _ = _describe_type(member)
            texts.append(text)
            if inner:
                constraints.append(f"{text}: {', '.join(inner)}")
        return " or ".join(texts), constraints, optional
    origin = get_origin(tp)
    if origin is Literal:
        values = [f"`{value}`" for value in get_args(tp)]
        return (
            (values[0] if len(values) == 1 else "one of " + ", ".join(values)),
            constraints,
            False,
        )
    if origin in (list, tuple):
        args = [a for a in get_args(tp) if a is not Ellipsis]
        text, inner, _ = _describe_type(args[0]) if args else ("value", [], False)
        return f"list of {text}", constraints + [f"each {c}" for c in inner], False
    if origin is dict:
        key, value = get_args(tp)
        text, inner, _ = _describe_type(value)
        key_text, _, _ = _describe_type(key)
        return f"mapping {key_text} → {text}", constraints + [f"each {c}" for c in inner], False
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _link(tp.__name__, _anchor(tp)), constraints, False
    if tp is str and _NAME_CONSTRAINT in constraints:
        # Names (see the conventions at the top of the page): the pattern goes without saying.
        return "name", [c for c in constraints if c != _NAME_CONSTRAINT], False
    simple = {float: "number", int: "integer", str: "text", bool: "`true` / `false`"}
    if isinstance(tp, type) and tp in simple:
        return simple[tp], constraints, False
    return f"`{getattr(tp, '__name__', tp)}`", constraints, False


def _yaml_flow(value: Any) -> str:
    """A value written the way it would appear in a (flow-style) YAML file."""
    if isinstance(value, BaseModel):
        return _yaml_flow(_model_default(value))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return value if value and re.fullmatch(r"[\w.\-]+", value) else json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_flow(v) for v in value) + "]"
    return str(value)


def _model_default(value: BaseModel) -> dict[str, Any]:
    """The non-default fields of a model default (plus its ``kind``)."""
    dumped = value.model_dump(by_alias=True, exclude_defaults=True)
    kind = getattr(value, "kind", None)
    return {"kind": kind, **dumped} if kind is not None else dumped


def _default_text(info: FieldInfo, *, tagged: bool) -> str:
    if tagged or info.is_required():
        return "**required**"
    if info.default_factory is not None:
        factory: Any = info.default_factory
        value = factory()
    else:
        value = info.default
    if value is None or value is PydanticUndefined:
        return "—"
    return f"`{_yaml_flow(value)}`"


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class ModelDoc:
    """A model to document: its section title, anchor and class."""

    title: str
    anchor: str
    model: type[BaseModel]
    #: The YAML location(s) where the model is used, e.g. ``suppliers.<name>``.
    where: str = ""


def _nested_models(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    """``model`` and the plain models nested in it, depth first, in field order."""
    if model in seen:
        return
    seen.add(model)
    yield model

    def walk(tp: Any) -> Iterator[type[BaseModel]]:
        tp, _ = _strip_annotated(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not issubclass(tp, BaseDistribution | PolicySpec | ForecastSpec):
                yield from _nested_models(tp, seen)
            return
        for arg in get_args(tp):
            yield from walk(arg)

    for info in model.model_fields.values():
        yield from walk(info.annotation)


_WHERE = {
    "Scenario": "the top level of the file",
    "RunSettings": "`run:`",
    "ServiceRecovery": "`run.service_recovery`",
    "Item": "`items.<name>`",
    "HoldingRate": "`items.<name>.holding_rate`",
    "EndOfLife": "`items.<name>.end_of_life`",
    "Supplier": "`suppliers.<name>`",
    "StockPoint": "`stock_points.<name>`",
    "Review": "`stock_points.<name>.review`",
    "Customer": "`customers.<name>`",
    "PoissonOrders": "`customers.<name>.orders`",
    "Seasonality": "`customers.<name>.seasonality`",
    "WhenDown": "`suppliers.<name>.when_down`",
    "Outage": "`disruptions.<name>` with `kind: outage`",
    "Window": "`disruptions.<name>.windows`",
    "LeadTimeShock": "`disruptions.<name>` with `kind: lead_time_shock`",
    "QualityCrisis": "`disruptions.<name>` with `kind: quality_crisis`",
    "DemandSurge": "`disruptions.<name>` with `kind: demand_surge`",
    "StockLoss": "`disruptions.<name>` with `kind: stock_loss`",
}


def _forecast_kinds() -> list[type[BaseModel]]:
    union, _ = _strip_annotated(ForecastKind)
    return [m for m in get_args(union) if isinstance(m, type) and issubclass(m, ForecastSpec)]


def _builtin_policies() -> list[type[PolicySpec]]:
    # Plugins registered through entry points are documented by their own packages; keeping
    # them out makes the committed page independent of what happens to be installed.
    return [spec for spec in POLICY_REGISTRY.values() if spec.__module__.startswith("jitsim.")]


def documented_models() -> list[ModelDoc]:
    """Every model the reference documents, in page order."""
    docs = [
        ModelDoc(model.__name__, _anchor(model), model, _WHERE.get(model.__name__, ""))
        for model in _nested_models(Scenario, set())
    ]
    docs += [ModelDoc(f"`{kind}`", _anchor(cls), cls) for kind, cls in DISTRIBUTION_KINDS.items()]
    docs += [ModelDoc(f"`{_kind_of(cls)}`", _anchor(cls), cls) for cls in _builtin_policies()]
    docs += [ModelDoc(f"`{_kind_of(cls)}`", _anchor(cls), cls) for cls in _forecast_kinds()]
    return docs


def yaml_name(name: str, info: FieldInfo) -> str:
    """The key of a field in YAML (its alias when it has one)."""
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return alias if isinstance(alias, str) else name


def _field_rows(model: type[BaseModel], parsed: ParsedDocstring) -> list[str]:
    rows = [
        "| Field | Type | Default | Constraints | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, info in model.model_fields.items():
        key = yaml_name(name, info)
        tagged = name == "kind" and get_origin(info.annotation) is Literal
        # pydantic moved the metadata of the field's own Annotated type to info.metadata.
        type_text, constraints, optional = _describe_type(info.annotation, info.metadata)
        if optional and not info.is_required():
            type_text += ", optional"
        if tagged:
            description = f"Selects this kind: always `{info.default}`."
        else:
            entry = parsed.parameters.get(key) or parsed.parameters.get(name)
            description = entry.description if entry and entry.description else UNDOCUMENTED
        rows.append(
            f"| `{key}` | {type_text} | {_default_text(info, tagged=tagged)} "
            f"| {', '.join(dict.fromkeys(constraints)) or '—'} | {_cell(description)} |"
        )
    return rows


def _model_section(doc: ModelDoc, level: str) -> list[str]:
    parsed = parse_docstring(doc.model.__doc__)
    lines = [f'<a id="{doc.anchor}"></a>', "", f"{level} {doc.title}", ""]
    if doc.where:
        lines += [f"*Where:* {doc.where}", ""]
    if parsed.summary:
        lines += [_markdown(parsed.summary), ""]
    lines += _field_rows(doc.model, parsed)
    lines.append("")
    if parsed.parameter_notes:
        lines += [_markdown(parsed.parameter_notes), ""]
    notes = parsed.sections.get("Notes")
    if notes:
        lines += ["**Notes.** " + _markdown(notes), ""]
    return lines


_INTRO = """\
# Scenario file reference

<!-- Generated from the pydantic models by `{command}`. Do not edit by hand. -->

A scenario is one YAML file. This page lists every section and field, with its type, default,
constraints and meaning; `jitsim validate FILE` checks a file against exactly these rules and
reports every problem as `FILE:LINE: path.to.field: message`.

**Editor completion.** `jitsim schema` prints the JSON Schema of scenario files (`-o FILE`
writes it); the repository keeps it as `schema/scenario.schema.json`. Editors that use the YAML
language server (VS Code's YAML extension, Neovim, Helix, Emacs, ...) then complete fields, show
their descriptions and underline mistakes as you type, in a file whose first line names the
schema, with a path relative to the file (or a URL), as the bundled `scenarios/` do:
`# yaml-language-server: $schema=../schema/scenario.schema.json`. The schema accepts the
shorthands below (a number as a distribution, `review: continuous`, alternatives in short form,
named stress events); the checks across fields (references to nodes, ...) are
`jitsim validate`'s alone.

Conventions:

* **Units.** Time is in days, money in the scenario currency (`run.currency`), quantities in
  units of the item. Rates say what they are per (`/day`, `/year`).
* **Numbers** are read as YAML 1.2 reads them: {number_forms} are all numbers (an
  exponent needs neither a dot nor a sign). An integer field takes any of them whose value is a
  whole number: `horizon_days: 1e3` is 1000, as are `1000`, `1_000` and `1000.0`.
* **Strict types.** Numbers must be written as numbers: `"3"` (quoted) or `true` is not a
  number, and `.nan` / `.inf` are refused. An integer field does not accept `2.5`.
* **No unknown keys.** A misspelt key is an error (with a "did you mean" suggestion), never
  silently ignored.
* **Names** of items, suppliers, stock points, customers and alternatives (type *name* below)
  use only letters, digits, `_` and `-`, start with a letter or `_`, and have at most 64
  characters: they prefix KPI names such as `store.fill_rate`. Node names must be unique across
  `suppliers`, `stock_points` and `customers`.
* **Distributions** are mappings with a `kind:` key, or a plain number meaning a constant
  (`lead_time: 3` is `{{kind: constant, value: 3}}`). Their parameters are in the units of the
  quantity they describe: units/day for daily demand, days for lead times, units for order
  sizes.
* **Policies** and **forecasters** are mappings with a `kind:` key.
"""


def scenario_reference_markdown() -> str:
    """The Markdown scenario reference page (the content of ``docs/scenario-reference.md``)."""
    models = documented_models()
    plain = [
        d for d in models if not issubclass(d.model, BaseDistribution | PolicySpec | ForecastSpec)
    ]
    groups: list[tuple[str, str, str, list[ModelDoc]]] = [
        (
            "distributions",
            "Distributions",
            "Used by `suppliers.<name>.lead_time`, `stock_points.<name>.lead_time`, "
            "`customers.<name>.demand` and `customers.<name>.orders.size`. A distribution is a "
            "mapping with `kind:` plus the parameters of that kind, or a plain number meaning a "
            "constant. It describes a non-negative quantity, and its parameters are in the "
            "units of that quantity (units/day for daily demand, days for lead times, units for "
            "order sizes), except the dimensionless `cv` (coefficient of variation, sd/mean) "
            "and `weights`.",
            [d for d in models if issubclass(d.model, BaseDistribution)],
        ),
        (
            "policies",
            "Policies",
            "Used by `stock_points.<name>.policy` and `alternatives.<alternative>.<stock point>`. "
            "Every policy decides on the inventory position (on hand + on order − backorders); "
            "the stock point then applies the supplier's `min_order` and `lot_multiple`.",
            [d for d in models if issubclass(d.model, PolicySpec)],
        ),
        (
            "forecasters",
            "Forecasters",
            "Used by the `forecast` field of the `jit` policy.",
            [d for d in models if issubclass(d.model, ForecastSpec)],
        ),
    ]
    forms = ", ".join(f"`{form}`" for form in NUMBER_FORMS)
    lines = [
        _INTRO.format(command=REGENERATE_COMMAND, number_forms=forms),
        "## Contents",
        "",
    ]
    lines += [f"* [{d.title}](#{d.anchor})" for d in plain]
    for anchor, title, _, members in groups:
        kinds = ", ".join(f"[{d.title}](#{d.anchor})" for d in members)
        lines.append(f"* [{title}](#{anchor}): {kinds}")
    lines.append("* [Limits](#limits)")
    lines.append("")
    for doc in plain:
        lines += _model_section(doc, "##")
    for anchor, title, intro, members in groups:
        lines += [f'<a id="{anchor}"></a>', "", f"## {title}", "", intro, ""]
        for doc in members:
            lines += _model_section(doc, "###")
    lines += [limits_markdown(), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.write(scenario_reference_markdown())
