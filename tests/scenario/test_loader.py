"""Tests for the scenario loader: YAML with line numbers, and user-facing problems."""

from __future__ import annotations

import math
import os
import pickle
import time
from pathlib import Path
from typing import Annotated, Literal

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jitsim.errors import (
    JitsimError,
    ModelProblems,
    ScenarioError,
    ScenarioProblem,
    raise_problems,
)
from jitsim.scenario.loader import (
    load_model,
    load_model_from_bytes,
    load_model_from_text,
    load_yaml_with_lines,
    validation_problems,
)

# --------------------------------------------------------------------------- toy model


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fixed(_Frozen):
    kind: Literal["fixed"]
    days: float = Field(gt=0)


class Gamma(_Frozen):
    kind: Literal["gamma"]
    mean: float = Field(gt=0)
    cv: float = Field(gt=0)

    @model_validator(mode="after")
    def _cv_sane(self) -> Gamma:
        if self.cv > 10:
            # Relative to this (nested) model.
            raise ValueError(f"@cv: implausibly large ({self.cv})")
        return self


LeadTime = Annotated[Fixed | Gamma, Field(discriminator="kind")]


class Supplier(_Frozen):
    lead_time: LeadTime
    capacity: float = Field(default=1.0, gt=0)


class StockPoint(_Frozen):
    source: str
    reorder_point: int = 0


class Alternative(_Frozen):
    name: str
    points: list[str] = []


class Toy(_Frozen):
    name: str
    horizon: float = Field(gt=0)
    suppliers: dict[str, Supplier]
    stock_points: dict[str, StockPoint] = {}
    alternatives: list[Alternative] = []

    @model_validator(mode="after")
    def _cross_references(self) -> Toy:
        for name, point in self.stock_points.items():
            if point.source not in self.suppliers:
                known = ", ".join(sorted(self.suppliers))
                raise ValueError(
                    f"@stock_points.{name}.source: unknown supplier {point.source!r} "
                    f"(known: {known})"
                )
        problems = []
        for i, alternative in enumerate(self.alternatives):
            for j, point_name in enumerate(alternative.points):
                if point_name not in self.stock_points:
                    problems.append(
                        (("alternatives", i, "points", j), f"unknown stock point {point_name!r}")
                    )
        raise_problems(problems)
        return self


VALID = """\
# A toy scenario
name: demo
horizon: 365
suppliers:
  acme:
    lead_time:
      kind: gamma
      mean: 5
      cv: 0.3
  bolt:
    lead_time: {kind: fixed, days: 2}
stock_points:
  store:
    source: acme
alternatives:
  - name: jit
    points: [store]
  - name: buffered
    points:
      - store
"""


def problems_of(text: str) -> list[ScenarioProblem]:
    with pytest.raises(ScenarioError) as info:
        load_model_from_text(text, "s.yaml", Toy)
    return info.value.problems


def only_problem(text: str) -> ScenarioProblem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


# --------------------------------------------------------------------------- happy path


def test_valid_scenario_loads_with_line_map() -> None:
    model, lines = load_model_from_text(VALID, "s.yaml", Toy)
    assert isinstance(model, Toy)
    assert isinstance(model.suppliers["acme"].lead_time, Gamma)
    assert lines[()] == 1
    assert lines[("name",)] == 2
    assert lines[("suppliers", "acme")] == 5
    assert lines[("suppliers", "acme", "lead_time", "cv")] == 9
    assert lines[("suppliers", "bolt", "lead_time", "days")] == 11
    assert lines[("alternatives", 0)] == 16
    assert lines[("alternatives", 1, "points", 0)] == 20


def test_load_yaml_with_lines_plain_data_and_special_floats() -> None:
    data, lines = load_yaml_with_lines(
        "a: .nan\nb: -.inf\nc: 2024-01-01\nd: [1, 2.5, true, ~, x]\ne: =\n", "f.yaml"
    )
    assert math.isnan(data["a"])
    assert data["b"] == -math.inf
    assert data["c"] == "2024-01-01"  # timestamps stay text
    assert data["d"] == [1, 2.5, True, None, "x"]
    assert data["e"] == "="
    assert lines == {
        (): 1,
        ("a",): 1,
        ("b",): 2,
        ("c",): 3,
        ("d",): 4,
        ("d", 0): 4,
        ("d", 1): 4,
        ("d", 2): 4,
        ("d", 3): 4,
        ("d", 4): 4,
        ("e",): 5,
    }


def test_key_line_is_recorded_not_value_line() -> None:
    _, lines = load_yaml_with_lines("a:\n  b:\n\n    - 1\n", "f.yaml")
    assert lines[("a", "b")] == 2
    assert lines[("a", "b", 0)] == 4


def test_merge_keys_are_supported() -> None:
    text = "base: &base {x: 1, y: 2}\nother:\n  <<: *base\n  y: 3\n"
    data, lines = load_yaml_with_lines(text, "f.yaml")
    assert data["other"] == {"x": 1, "y": 3}
    assert lines[("other", "y")] == 4
    assert lines[("other", "x")] == 1


# --------------------------------------------------------------------------- validation problems


def test_nested_field_error_has_its_line_and_no_union_tag_in_path() -> None:
    problem = only_problem(replace_line(VALID, "cv: 0.3", "cv: -1"))
    assert (problem.line, problem.path) == (9, "suppliers.acme.lead_time.cv")
    assert "greater than 0" in problem.message
    assert "-1" in problem.message


def test_list_item_error_line() -> None:
    problem = only_problem(replace_line(VALID, "- name: buffered", "- name: [1]"))
    assert (problem.line, problem.path) == (18, "alternatives.1.name")
    assert problem.message == "expected text, got a list"


def test_missing_field_points_at_parent() -> None:
    problem = only_problem(replace_line(VALID, "      mean: 5\n", ""))
    assert problem.path == "suppliers.acme.lead_time.mean"
    assert problem.line == 6  # the 'lead_time:' line
    assert problem.message == "required field missing"

    top = only_problem(replace_line(VALID, "horizon: 365\n", ""))
    assert (top.line, top.path, top.message) == (1, "horizon", "required field missing")


def test_unknown_field_suggests_close_name() -> None:
    missing, problem = problems_of(replace_line(VALID, "    source: acme", "    sourse: acme"))
    assert (missing.line, missing.path) == (13, "stock_points.store.source")
    assert problem.path == "stock_points.store.sourse"
    assert problem.line == 14
    assert "unknown field 'sourse'" in problem.message
    assert "did you mean 'source'?" in problem.message

    top = only_problem(replace_line(VALID, "horizon: 365", "horizon: 365\nhorizn: 3"))
    assert "did you mean 'horizon'?" in top.message
    assert top.line == 4


def test_unknown_kind_lists_allowed_values() -> None:
    problem = only_problem(replace_line(VALID, "kind: gamma", "kind: gama"))
    assert problem.path == "suppliers.acme.lead_time.kind"
    assert problem.line == 7
    assert "'fixed'" in problem.message and "'gamma'" in problem.message
    assert "did you mean 'gamma'?" in problem.message


def test_missing_kind_lists_allowed_values() -> None:
    problem = only_problem(replace_line(VALID, "{kind: fixed, days: 2}", "{days: 2}"))
    assert problem.path == "suppliers.bolt.lead_time.kind"
    assert problem.line == 11
    assert "required field missing" in problem.message
    assert "'fixed', 'gamma'" in problem.message


def test_type_error_includes_given_value() -> None:
    problem = only_problem(replace_line(VALID, "horizon: 365", "horizon: abc"))
    assert str(problem) == "s.yaml:3: horizon: expected a number, got 'abc'"


def test_yaml_boolean_given_for_text_gets_hint() -> None:
    problem = only_problem(replace_line(VALID, "name: demo", "name: yes"))
    assert "got true" in problem.message and "quotes" in problem.message


def test_nan_survives_to_model() -> None:
    model, _ = load_model_from_text(replace_line(VALID, "horizon: 365", "horizon: .inf"), "s", Toy)
    assert model.horizon == math.inf


def test_at_path_convention_single_problem() -> None:
    problem = only_problem(replace_line(VALID, "    source: acme", "    source: nobody"))
    assert problem.path == "stock_points.store.source"
    assert problem.line == 14
    assert problem.message == "unknown supplier 'nobody' (known: acme, bolt)"


def test_at_path_relative_to_nested_model() -> None:
    problem = only_problem(replace_line(VALID, "cv: 0.3", "cv: 50"))
    assert (problem.line, problem.path) == (9, "suppliers.acme.lead_time.cv")
    assert problem.message == "implausibly large (50.0)"


def test_multiple_problems_from_one_validator() -> None:
    text = replace_line(VALID, "points: [store]", "points: [store, nowhere, elsewhere]")
    text = replace_line(text, "      - store", "      - store\n      - gone")
    problems = problems_of(text)
    assert [(p.line, p.path, p.message) for p in problems] == [
        (17, "alternatives.0.points.1", "unknown stock point 'nowhere'"),
        (17, "alternatives.0.points.2", "unknown stock point 'elsewhere'"),
        (21, "alternatives.1.points.1", "unknown stock point 'gone'"),
    ]


def test_all_problems_reported_at_once_sorted_by_line() -> None:
    text = VALID
    text = replace_line(text, "days: 2", "days: 0")  # line 11
    text = replace_line(text, "horizon: 365", "horizon: -5")  # line 3
    text = replace_line(text, "  - name: jit", "  - name: jit\n    colour: red")  # line 17
    text = replace_line(text, "      mean: 5\n", "")  # line 6 (parent of missing mean)
    problems = problems_of(text)
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    assert [p.path for p in problems] == [
        "horizon",
        "suppliers.acme.lead_time.mean",
        "suppliers.bolt.lead_time.days",
        "alternatives.0.colour",
    ]
    message = str(ScenarioError(problems))
    assert message.splitlines()[0] == "s.yaml:3: horizon: must be greater than 0, got -5"
    assert len(message.splitlines()) == 4


def test_smart_union_errors_are_merged() -> None:
    class U(_Frozen):
        x: int | str

    with pytest.raises(ScenarioError) as info:
        load_model_from_text("x: [1]\n", "u.yaml", U)
    assert str(info.value) == "u.yaml:1: x: expected a whole number or text, got a list"


def test_validation_problems_direct_use() -> None:
    data, lines = load_yaml_with_lines("name: demo\nhorizon: 0\nsuppliers: {}\n", "d.yaml")
    with pytest.raises(pydantic.ValidationError) as info:
        Toy.model_validate(data)
    problems = validation_problems(info.value, "d.yaml", lines)
    assert [str(p) for p in problems] == ["d.yaml:2: horizon: must be greater than 0, got 0"]


# --------------------------------------------------------------------------- YAML-level problems


def test_duplicate_keys() -> None:
    text = replace_line(VALID, "      cv: 0.3", "      cv: 0.3\n      mean: 6")
    problem = only_problem(text)
    assert str(problem) == (
        "s.yaml:10: suppliers.acme.lead_time.mean: duplicate key (first defined on line 8)"
    )


def test_yaml_syntax_error_line() -> None:
    problem = only_problem(replace_line(VALID, "  bolt:", "  bolt: x: y"))
    assert problem.line == 10
    assert problem.path == ""
    assert problem.message.startswith("invalid YAML at column")


def test_tab_indentation_explained() -> None:
    problem = only_problem("name: x\nsuppliers:\n\tacme: 1\n")
    assert problem.line == 3
    assert "tab" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(text: str) -> None:
    problem = only_problem(text)
    assert problem.message.startswith("the file is empty; a scenario needs at least")
    assert "name" in problem.message and "suppliers" in problem.message


def test_top_level_not_a_mapping() -> None:
    problem = only_problem("- name: demo\n- horizon: 3\n")
    assert problem.message.startswith("top level must be a mapping of sections (name:,")
    assert problem.message.endswith("got a list")
    assert "got a single value" in only_problem("just text\n").message


def test_python_tags_and_non_text_keys_rejected() -> None:
    text = replace_line(VALID, "name: demo", "name: !!python/object/apply:os.system [ls]")
    problem = only_problem(text)
    assert problem.path == "name"
    assert "!!python/object/apply:os.system" in problem.message

    problems = problems_of(replace_line(VALID, "  acme:", "  1: {}\n  ? [x]\n  : 2\n  acme:"))
    assert [(p.line, p.path) for p in problems] == [(5, "suppliers.1"), (6, "suppliers")]
    assert "put it in quotes" in problems[0].message


def test_deep_nesting_is_rejected() -> None:
    problem = only_problem("name: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nesting too deep" in problem.message


def test_billion_laughs_rejected_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    start = time.perf_counter()
    problem = only_problem("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 3
    assert "too large" in problem.message


def test_recursive_alias_rejected() -> None:
    assert "recursive" in only_problem("name: &a [*a]\n").message


# --------------------------------------------------------------------------- bytes and files


def bytes_problem(data: bytes) -> ScenarioProblem:
    with pytest.raises(ScenarioError) as info:
        load_model_from_bytes(data, "b.yaml", Toy)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


def test_binary_junk() -> None:
    problem = bytes_problem(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problem.file == "b.yaml"
    assert problem.message == "not a UTF-8 text file (byte 0x89 at offset 0)"


def test_non_utf8() -> None:
    problem = bytes_problem("name: café\n".encode("latin-1"))
    assert problem.message == "not a UTF-8 text file (byte 0xe9 at offset 9)"
    assert problem.line == 1


def test_nul_bytes_and_control_characters() -> None:
    assert "NUL" in bytes_problem(b"name: demo\nhorizon: 1\x00\n").message
    assert bytes_problem(b"name: demo\nhorizon: 1\x00\n").line == 2
    problem = only_problem("name: demo\x07\n")
    assert (problem.line, "U+0007" in problem.message) == (1, True)


def test_utf8_bom_accepted() -> None:
    model, _ = load_model_from_bytes(b"\xef\xbb\xbf" + VALID.encode(), "b.yaml", Toy)
    assert model.name == "demo"


def test_load_model_from_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(VALID, encoding="utf-8")
    model, lines = load_model(path, Toy)
    assert model.name == "demo"
    assert lines[("horizon",)] == 3


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_model(path, Toy)
    assert str(info.value) == f"{path}: file not found"


def test_directory_given(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_model(str(tmp_path), Toy)
    assert str(info.value) == f"{tmp_path}: is a directory, not a scenario file"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads all")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(VALID, encoding="utf-8")
    path.chmod(0)
    with pytest.raises(ScenarioError) as info:
        load_model(path, Toy)
    assert "permission denied" in str(info.value)


def test_problems_in_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(replace_line(VALID, "horizon: 365", "horizon: 0").encode())
    with pytest.raises(JitsimError) as info:
        load_model(path, Toy)
    assert str(info.value).startswith(f"{path}:3: horizon: ")


# --------------------------------------------------------------------------- error types


def test_problem_str_formats() -> None:
    assert str(ScenarioProblem("f.yaml", 3, "a.b", "bad")) == "f.yaml:3: a.b: bad"
    assert str(ScenarioProblem("f.yaml", None, "a.b", "bad")) == "f.yaml: a.b: bad"
    assert str(ScenarioProblem("f.yaml", 3, "", "bad")) == "f.yaml:3: bad"
    assert str(ScenarioProblem("f.yaml", None, "", "bad")) == "f.yaml: bad"


def test_errors_pickle() -> None:
    error = ScenarioError([ScenarioProblem("f", 1, "a", "m"), ScenarioProblem("f", 2, "", "n")])
    clone = pickle.loads(pickle.dumps(error))
    assert clone.problems == error.problems
    assert str(clone) == "f:1: a: m\nf:2: n"
    problems = ModelProblems([("a.b.0", "x"), (("c", 1), "y")])
    assert problems.problems == [(("a", "b", 0), "x"), (("c", 1), "y")]
    assert pickle.loads(pickle.dumps(problems)).problems == problems.problems
    assert str(problems) == "@a.b.0: x\n@c.1: y"


def test_raise_problems_empty_is_noop() -> None:
    raise_problems([])
    with pytest.raises(ModelProblems):
        raise_problems([("a", "b")])


# --------------------------------------------------------------------------- fuzzing

_YAMLISH = st.lists(
    st.sampled_from(
        [
            *" \n\t:-[]{},#&*!|>'\"%@`?~.0123456789abcxyz_<=\\\r\x00é",
            "kind",
            "name",
            "suppliers",
            "lead_time",
            "gamma",
            "!!",
            "<<",
            ".nan",
            "\n  ",
        ]
    ),
    max_size=120,
).map("".join)

_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.binary(max_size=300))
def test_fuzz_bytes_only_scenario_error(data: bytes) -> None:
    try:
        load_model_from_bytes(data, "fuzz.yaml", Toy)
    except ScenarioError as exc:
        assert exc.problems
        assert all(p.file == "fuzz.yaml" for p in exc.problems)
        str(exc)


@_FUZZ
@given(_YAMLISH)
def test_fuzz_yamlish_text_only_scenario_error(text: str) -> None:
    try:
        load_model_from_text(text, "fuzz.yaml", Toy)
    except ScenarioError as exc:
        assert exc.problems
        str(exc)
    try:
        load_yaml_with_lines(text, "fuzz.yaml")
    except ScenarioError:
        pass


@_FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["name", "horizon", "suppliers", "kind", "acme", "cv", "x"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_fuzz_structured_documents(value: object) -> None:
    import json

    text = json.dumps({"name": "n", "horizon": 1, "suppliers": value}, allow_nan=True)
    text = text.replace("NaN", ".nan").replace("-Infinity", "-.inf").replace("Infinity", ".inf")
    try:
        load_model_from_text(text, "fuzz.yaml", Toy)
    except ScenarioError as exc:
        assert exc.problems
        assert all(p.line is not None for p in exc.problems)
