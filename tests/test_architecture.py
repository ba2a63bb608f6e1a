"""The package's shape: no import cycles, counting imports inside functions.

import-linter (run by ``.ci/run``) checks the contracts of docs/architecture.md between the
layers; this test walks every ``import`` statement in ``jitsim/`` with :mod:`ast`, including
those inside functions (only ``if TYPE_CHECKING:`` blocks are left out), and fails on any cycle,
also one between modules of the same layer, which the layers contract does not forbid.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import jitsim

PACKAGE = Path(__file__).resolve().parents[1] / "jitsim"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The package modules that ``module`` imports anywhere outside ``if TYPE_CHECKING:``."""
    found: set[str] = set()

    def add(name: str) -> None:
        # The module named; its parent packages are initialised first, but every module of the
        # package shares that, so (like import-linter) only the module named counts.
        if name in known:
            found.add(name)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            add(base)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    found.add(f"{base}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    known = set(files)
    return {
        name: imported_modules(path.read_text(), name, path.name == "__init__.py", known)
        for name, path in files.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_package_has_no_import_cycle_even_through_function_level_imports() -> None:
    graph = import_graph()
    assert len(graph) > 40  # the walk found the package
    assert cycles(graph) == []


def test_function_level_imports_count() -> None:
    """The walk sees an import inside a function, and leaves ``TYPE_CHECKING`` blocks out."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg.b import X\n"
        "def f():\n    from pkg.c import g\n"
    )
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    assert imported_modules(source, "pkg.a", False, known) == {"pkg.c"}
    graph = {"pkg.a": {"pkg.c"}, "pkg.c": {"pkg.a"}, "pkg.b": set()}
    assert cycles(graph) == [["pkg.a", "pkg.c"]]


@pytest.mark.parametrize(
    "layer, forbidden",
    [("jitsim.scenario", "simpy"), ("jitsim.model", "typer"), ("jitsim.scenario", "jitsim.model")],
)
def test_layers_do_not_reach_up(layer: str, forbidden: str) -> None:
    """Spot checks of the layer rules, counting function-level imports (import-linter checks
    them all, at module level)."""
    for path in (PACKAGE.parent / layer.replace(".", "/")).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not [n for n in names if n == forbidden or n.startswith(forbidden + ".")], path


def test_the_api_page_lists_exactly_the_public_names() -> None:
    """docs/api.md documents every name of ``jitsim.__all__`` in its tables, and no other."""
    text = (PACKAGE.parent / "docs" / "api.md").read_text()
    public = text.split("## Below the public API")[0]
    listed = set(re.findall(r"^\| `([A-Za-z_]+)[(`]", public, flags=re.MULTILINE))
    assert listed == set(jitsim.__all__)


def test_test_modules_have_unique_names() -> None:
    """The layer folders of tests/ are not packages (pytest's default import mode), so two
    test modules with one name in different folders would not both be collected."""
    names = [path.name for path in (PACKAGE.parent / "tests").rglob("test_*.py")]
    assert len(names) > 30
    assert sorted(names) == sorted(set(names))
