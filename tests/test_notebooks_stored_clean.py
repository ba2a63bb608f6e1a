"""The notebooks are stored without outputs (CI executes them with nbmake, see .ci/run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_are_there() -> None:
    names = {path.stem for path in NOTEBOOKS}
    assert {"student_tour", "consultant_study", "risk_study"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} cell {number} has outputs"
            assert cell["execution_count"] is None, f"{path.name} cell {number} was executed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_the_public_api_and_the_quick_switch(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    source = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    assert "import jitsim" in source
    assert 'os.environ.get("JITSIM_QUICK")' in source
    markdown = [cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    assert len(markdown) >= 5, f"{path.name}: explain each step in prose"
