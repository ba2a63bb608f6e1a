"""Safe YAML parsing into plain data plus a map from each path to its line number.

Only plain data comes out: ``dict`` (with ``str`` keys), ``list``, ``str``, ``int``,
``float`` (including ``.nan`` / ``.inf``), ``bool`` and ``None``.  Timestamps are kept as the
text written in the file, so that models decide whether they want a date or a string.

Everything a user can get wrong becomes a :class:`~jitsim.errors.ScenarioProblem`; see
:mod:`jitsim.scenario.loader` for the public entry points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from jitsim.errors import ProblemPath, ScenarioError, ScenarioProblem, format_path

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "LineMap",
    "ParsedYaml",
    "decode_scenario_bytes",
    "load_yaml_with_lines",
    "parse_yaml",
    "show_value",
    "sort_problems",
]

#: Map from a path (keys and list indices) to the 1-based line where it is written.
LineMap = dict[ProblemPath, int]

#: Largest scenario file accepted, in bytes (and characters, for text input).
MAX_BYTES = 5_000_000
#: Most YAML nodes a document may have, counting every expansion of an alias.
MAX_NODES = 100_000
#: Deepest nesting of lists / mappings accepted.
MAX_DEPTH = 100

_TAG_PREFIX = "tag:yaml.org,2002:"
_STR = _TAG_PREFIX + "str"
_NULL = _TAG_PREFIX + "null"
_BOOL = _TAG_PREFIX + "bool"
_INT = _TAG_PREFIX + "int"
_FLOAT = _TAG_PREFIX + "float"
_TIMESTAMP = _TAG_PREFIX + "timestamp"
_MAP = _TAG_PREFIX + "map"
_SEQ = _TAG_PREFIX + "seq"
_MERGE = _TAG_PREFIX + "merge"
_VALUE = _TAG_PREFIX + "value"  # a plain '=' in YAML 1.1; kept as text

# Characters YAML refuses (same set as PyYAML's reader), and YAML's line breaks.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

_TOKEN_WORDS = {
    "'<block mapping start>'": "a new 'key: value' entry",
    "'<block sequence start>'": "a list item",
    "'<block end>'": "the end of the block",
    "'<stream end>'": "the end of the file",
    "'<document start>'": "'---'",
    "'<document end>'": "'...'",
    "'<scalar>'": "a value",
    "'<block entry>'": "'-'",
    "'<flow mapping start>'": "'{'",
    "'<flow sequence start>'": "'['",
    "'<flow mapping end>'": "'}'",
    "'<flow sequence end>'": "']'",
    "<block end>": "the end of the block",
}


class _Fatal(Exception):
    """A problem after which parsing cannot continue."""

    def __init__(self, line: int | None, message: str, path: ProblemPath = ()) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.path = path


#: A float literal of YAML 1.2 (core schema). PyYAML follows YAML 1.1, whose float needs a dot
#: and a signed exponent (``1.0e+3``), so it reads ``8e0``, ``1e3``, ``1.5e3`` and ``-.5`` as
#: text; this pattern is tried after PyYAML's int resolver, so whole numbers stay ``int``.
YAML12_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses too many nodes and too deep nesting, and that reads
    every float literal of YAML 1.2 as a number."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._jitsim_nodes = 0
        self._jitsim_depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._jitsim_nodes += 1
        if self._jitsim_nodes > MAX_NODES:
            raise _Fatal(_event_line(self), _too_many_nodes_message())
        if self._jitsim_depth >= MAX_DEPTH:
            raise _Fatal(_event_line(self), _too_deep_message())
        self._jitsim_depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._jitsim_depth -= 1


# Tried after PyYAML's own resolvers (YAML 1.1 float, int, timestamp): only the literals they
# leave as text reach it.
_LimitedLoader.add_implicit_resolver(_FLOAT, YAML12_FLOAT, list("-+.0123456789"))


def _event_line(loader: _LimitedLoader) -> int | None:
    try:
        return int(loader.peek_event().start_mark.line) + 1
    except Exception:
        return None


def _too_many_nodes_message() -> str:
    return (
        f"the document is too large: it expands to more than {MAX_NODES} values "
        "(check for aliases '*name' repeated many times)"
    )


def _too_deep_message() -> str:
    return f"nesting too deep (more than {MAX_DEPTH} levels of lists / mappings)"


@dataclass
class ParsedYaml:
    """Result of :func:`parse_yaml`."""

    data: dict[str, Any]
    lines: LineMap
    #: Problems that did not stop parsing (duplicate keys, non-text keys, bad tags, ...).
    problems: list[ScenarioProblem] = field(default_factory=list)
    #: Paths of those problems; validation errors at or below them are redundant.
    problem_paths: list[ProblemPath] = field(default_factory=list)


def _line_col(text: str, index: int) -> tuple[int, int]:
    prefix = text[:index]
    line = 1
    start = 0
    for match in _LINE_BREAK.finditer(prefix):
        line += 1
        start = match.end()
    return line, index - start + 1


def decode_scenario_bytes(data: bytes, filename: str) -> str:
    """Decode the bytes of a scenario file as UTF-8 (a leading BOM is allowed).

    Raises :class:`ScenarioError` for files that are too large, binary or not UTF-8.
    """
    if len(data) > MAX_BYTES:
        raise ScenarioError.single(
            filename, f"file is too large ({len(data)} bytes; the limit is {MAX_BYTES})"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError.single(
            filename, "not a UTF-8 text file (it looks like UTF-16); save it as UTF-8", line=1
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError.single(
            filename,
            f"not a UTF-8 text file (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line=line,
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, _ = _line_col(text, nul)
        raise ScenarioError.single(
            filename,
            f"contains a NUL character (offset {nul}); this looks like a binary file, "
            "not a YAML scenario",
            line=line,
        )
    return text


def _explain_yaml_error(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """Line and plain-words message for a PyYAML syntax error."""
    problem = str(exc.problem or "").strip()
    context = str(exc.context or "").strip()
    pmark = exc.problem_mark
    cmark = exc.context_mark
    mark = pmark or cmark
    line = int(mark.line) + 1 if mark is not None else None
    column = int(mark.column) + 1 if mark is not None else None
    context_line = int(cmark.line) + 1 if cmark is not None else None
    for token, words in _TOKEN_WORDS.items():
        problem = problem.replace(token, words)

    if problem == "mapping values are not allowed here":
        text = (
            "a ':' is not allowed here (check the indentation, or put the value in quotes "
            "if it contains ': ')"
        )
    elif "'\\t'" in problem and "cannot start any token" in problem:
        text = "tab character found; YAML indentation must use spaces, not tabs"
    elif problem.startswith("found character") and "cannot start any token" in problem:
        char = problem[len("found character ") :].split(" that", 1)[0]
        text = f"a value cannot start with {char}; put the value in quotes"
    elif problem.startswith("expected") and "the end of the block" in problem:
        found = problem.split("but found ", 1)[-1]
        what = "block"
        if "mapping" in context:
            what = "mapping"
        elif "collection" in context or "sequence" in context:
            what = "list"
        started = f" that starts on line {context_line}" if context_line else ""
        text = (
            f"bad indentation: found {found} where the {what}{started} should continue "
            "or end (check that entries at the same level line up)"
        )
    elif "quoted scalar" in context and "end of stream" in problem:
        # Report where the quote was opened: the end of the file is no help to the user.
        if cmark is not None:
            line, column = context_line, int(cmark.column) + 1
        text = "unterminated quoted string (the quote is never closed)"
    elif context in ("while parsing a flow sequence", "while parsing a flow mapping"):
        kind = "'['" if "sequence" in context else "'{'"
        opened = f" opened on line {context_line}" if context_line else ""
        text = f"{problem} (inside the {kind}{opened}; is a ',' or closing bracket missing?)"
    elif problem.startswith("found undefined alias"):
        name = problem.rsplit(" ", 1)[-1].strip("'")
        text = f"alias '*{name}' is used but no anchor '&{name}' is defined before it"
    elif context.startswith("expected a single document"):
        text = (
            "the file contains more than one YAML document ('---'); a scenario must be a "
            "single document"
        )
    elif context.startswith("found duplicate anchor"):
        name = context.split("'")[1] if "'" in context else "?"
        first = f" (first defined on line {context_line})" if context_line else ""
        text = f"anchor '&{name}' is defined twice{first}"
    else:
        text = problem or context or "syntax error"
        if context and problem:
            where = f" on line {context_line}" if context_line and context_line != line else ""
            text = f"{problem} ({context}{where})"
    if column is not None:
        return line, f"invalid YAML at column {column}: {text}"
    return line, f"invalid YAML: {text}"


def _show_tag(tag: str) -> str:
    if tag.startswith(_TAG_PREFIX):
        return "!!" + tag[len(_TAG_PREFIX) :]
    return tag


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Builder:
    """Turns a composed node tree into plain data, a line map and problems."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: LineMap = {(): 1}
        self.problems: list[ScenarioProblem] = []
        self.problem_paths: list[ProblemPath] = []
        self._count = 0
        self._active: set[int] = set()
        self._constructor = SafeConstructor()

    def problem(self, line: int | None, path: ProblemPath, message: str) -> None:
        self.problems.append(ScenarioProblem(self.filename, line, format_path(path), message))
        self.problem_paths.append(path)

    def build(self, node: Node, path: ProblemPath, depth: int) -> Any:
        self._count += 1
        line = int(node.start_mark.line) + 1
        if self._count > MAX_NODES:
            raise _Fatal(line, _too_many_nodes_message())
        if depth > MAX_DEPTH:
            raise _Fatal(line, _too_deep_message())
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self._active:
            raise _Fatal(
                line,
                "an alias '*name' is used inside the very list / mapping it refers to "
                "(a recursive structure); this is not allowed",
                path,
            )
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    self.bad_tag(node, path)
                result: list[Any] = []
                for index, item in enumerate(node.value):
                    item_path = (*path, index)
                    self.lines[item_path] = int(item.start_mark.line) + 1
                    result.append(self.build(item, item_path, depth + 1))
                return result
            if isinstance(node, MappingNode):
                if node.tag != _MAP:
                    self.bad_tag(node, path)
                return self.mapping(node, path, depth)
            raise _Fatal(line, f"unsupported YAML node {type(node).__name__}")
        finally:
            self._active.discard(id(node))

    def bad_tag(self, node: Node, path: ProblemPath) -> None:
        self.problem(
            int(node.start_mark.line) + 1,
            path,
            f"YAML tag {_show_tag(str(node.tag))!r} is not allowed; a scenario may only "
            "contain plain values (text, numbers, true/false, lists and mappings)",
        )

    def scalar(self, node: ScalarNode, path: ProblemPath) -> Any:
        tag = node.tag
        value = str(node.value)
        if tag in (_STR, _TIMESTAMP, _VALUE, _MERGE):
            return value
        if tag == _NULL:
            return None
        kind = {_BOOL: "true or false", _INT: "an integer", _FLOAT: "a number"}.get(tag)
        if kind is None:
            self.bad_tag(node, path)
            return value
        try:
            if tag == _BOOL:
                return self._constructor.construct_yaml_bool(node)
            if tag == _INT:
                return self._constructor.construct_yaml_int(node)
            return self._constructor.construct_yaml_float(node)
        except Exception:
            self.problem(
                int(node.start_mark.line) + 1, path, f"cannot read {_short(value)!r} as {kind}"
            )
            return value

    def key(self, node: Node, path: ProblemPath) -> str | None:
        """The text of a mapping key, or ``None`` (after recording a problem)."""
        line = int(node.start_mark.line) + 1
        if not isinstance(node, ScalarNode):
            self.problem(
                line,
                path,
                "a list or mapping cannot be used as a key; keys must be plain text",
            )
            return None
        raw = str(node.value)
        value = self.scalar(node, (*path, raw))
        if isinstance(value, str):
            return value
        key_path = (*path, raw)
        if value is None:
            what = "empty (null)" if raw in ("", "~") else f"{raw!r}, which YAML reads as null"
            self.problem(line, key_path, f"mapping key is {what}; keys must be text")
        elif isinstance(value, bool):
            self.problem(
                line,
                key_path,
                f"mapping key {raw!r} is read by YAML as {str(value).lower()}; "
                f"put it in quotes ('{raw}') if it is meant as text",
            )
        else:
            self.problem(
                line,
                key_path,
                f"mapping key {raw!r} is read by YAML as a number; keys must be text "
                f"(put it in quotes: '{raw}')",
            )
        return None

    def mapping(self, node: MappingNode, path: ProblemPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append((key_node, value_node))
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            key_line = int(key_node.start_mark.line) + 1
            key_path = (*path, key)
            if key in result:
                self.problem(
                    key_line, key_path, f"duplicate key (first defined on line {first_line[key]})"
                )
                continue
            first_line[key] = key_line
            self.lines[key_path] = key_line
            result[key] = self.build(value_node, key_path, depth + 1)
        for key_node, value_node in merges:
            self.merge(result, key_node, value_node, path, depth)
        return result

    def merge(
        self,
        result: dict[str, Any],
        key_node: Node,
        value_node: Node,
        path: ProblemPath,
        depth: int,
    ) -> None:
        """Apply a YAML merge key (``<<: *defaults``): keys already present win."""
        if isinstance(value_node, MappingNode):
            sources: Sequence[Node] = [value_node]
        elif isinstance(value_node, SequenceNode):
            sources = value_node.value
        else:
            sources = [value_node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problem(
                    int(key_node.start_mark.line) + 1,
                    path,
                    "'<<' (merge) needs a mapping or a list of mappings, e.g. '<<: *defaults'",
                )
                continue
            saved = self.lines
            self.lines = {}
            try:
                merged = self.build(source, path, depth)
            finally:
                source_lines, self.lines = self.lines, saved
            by_key: dict[Any, list[tuple[ProblemPath, int]]] = {}
            depth_index = len(path)
            for sub_path, line in source_lines.items():
                if len(sub_path) > depth_index:
                    by_key.setdefault(sub_path[depth_index], []).append((sub_path, line))
            for key, value in merged.items():
                if key in result:
                    continue
                result[key] = value
                for sub_path, line in by_key.get(key, []):
                    self.lines[sub_path] = line


def _describe_top(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        return f"a single value ({_short(str(node.value))!r})"
    return "something else"


def _sections_hint(sections: Sequence[str] | None) -> str:
    if sections:
        shown = ", ".join(f"{name}:" for name in list(sections)[:2])
        return f"{shown}, ..." if len(sections) > 2 else shown
    return "key: value lines"


def parse_yaml(
    text: str,
    filename: str,
    *,
    sections: Sequence[str] | None = None,
    required: Sequence[str] | None = None,
) -> ParsedYaml:
    """Parse *text*; fatal problems raise :class:`ScenarioError`, others are returned.

    *sections* / *required* name the top-level fields, only to word the messages for an
    empty file or a top level that is not a mapping.
    """

    def fatal(line: int | None, message: str, path: ProblemPath = ()) -> ScenarioError:
        return ScenarioError.single(filename, message, line=line, path=format_path(path))

    if len(text) > MAX_BYTES:
        raise fatal(None, f"file is too large ({len(text)} characters; the limit is {MAX_BYTES})")
    bad_char = _NON_PRINTABLE.search(text)
    if bad_char is not None:
        line, column = _line_col(text, bad_char.start())
        code = ord(bad_char.group())
        what = "a NUL character" if code == 0 else f"the control character U+{code:04X}"
        raise fatal(
            line,
            f"contains {what} at column {column}, which YAML does not allow "
            "(is this a binary file?)",
        )

    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(text)
        node = loader.get_single_node()
    except _Fatal as exc:
        raise fatal(exc.line, exc.message, exc.path) from None
    except RecursionError:
        raise fatal(None, _too_deep_message()) from None
    except yaml.MarkedYAMLError as exc:
        error_line, message = _explain_yaml_error(exc)
        raise fatal(error_line, message) from None
    except Exception as exc:  # ReaderError and anything unexpected inside PyYAML
        raise fatal(None, f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()

    if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL):
        needs = ", ".join(required) if required else "its required sections"
        raise fatal(None, f"the file is empty; a scenario needs at least: {needs}")
    if not isinstance(node, MappingNode):
        raise fatal(
            int(node.start_mark.line) + 1,
            f"top level must be a mapping of sections ({_sections_hint(sections)}), "
            f"got {_describe_top(node)}",
        )

    builder = _Builder(filename)
    try:
        data = builder.build(node, (), 0)
    except _Fatal as exc:
        raise fatal(exc.line, exc.message, exc.path) from None
    except RecursionError:
        raise fatal(None, _too_deep_message()) from None
    return ParsedYaml(data, builder.lines, builder.problems, builder.problem_paths)


def load_yaml_with_lines(text: str, filename: str) -> tuple[Any, LineMap]:
    """Parse scenario YAML into plain data and a ``path -> line`` map.

    The map holds, for every mapping key and list item, the 1-based line where the key (or
    the item) is written, plus the root ``()`` -> 1.  Any problem at all (syntax error,
    duplicate key, non-text key, unsupported tag, empty file, top level not a mapping,
    alias bomb, ...) raises :class:`ScenarioError` listing every problem found.
    """
    parsed = parse_yaml(text, filename)
    if parsed.problems:
        raise ScenarioError(sort_problems(parsed.problems))
    return parsed.data, parsed.lines


def sort_problems(problems: Sequence[ScenarioProblem]) -> list[ScenarioProblem]:
    """Drop exact duplicates and sort by line (whole-file problems first), stably."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda problem: problem.line or 0)


def show_value(value: Any) -> str:
    """Describe a parsed value the way the user wrote it in YAML."""
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() < 200 else "a very large number"
    if isinstance(value, str):
        return repr(_short(value))
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__
