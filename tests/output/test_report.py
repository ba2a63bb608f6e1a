"""The HTML report on a finished results directory: one self-contained file (no script, nothing
fetched, every figure embedded), every text escaped, and a footer that reproduces the results."""

from __future__ import annotations

import base64
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jitsim.execution.results_claim import read_manifest
from jitsim.output.figures import available
from jitsim.output.rebuilt import comparison_of
from jitsim.output.report import REPORT_FILE, render_report, write_report
from jitsim.output.report.html import esc
from jitsim.output.results_reader import read_results

#: An attribute that would make the browser fetch something: src/href/... to a network URL,
#: protocol-relative or not.
_EXTERNAL = re.compile(
    r"""\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:[a-z]+:)?//""", re.I
)
_VOID = {"meta", "link", "img", "br", "hr", "input", "col", "source", "wbr"}


class _Tags(HTMLParser):
    """Every tag and attribute of a document, checking that elements nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def _parsed(text: str) -> _Tags:
    tags = _Tags()
    tags.feed(text)
    tags.close()
    assert not tags.errors and not tags.stack, (tags.errors, tags.stack)
    return tags


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "stress", "breakeven"])
def test_the_report_is_one_self_contained_file(results_dirs: dict[str, Path], kind: str) -> None:
    results = read_results(results_dirs[kind])
    text = render_report(results)
    tags = _parsed(text)
    assert "<script" not in text.lower()
    assert not _EXTERNAL.search(text)
    assert not re.search(r"url\(\s*['\"]?(?:[a-z]+:)?//", text, re.I)  # nor in the stylesheet
    for tag, attributes in tags.tags:
        for name in ("src", "href"):
            if name not in attributes:
                continue
            value = attributes[name] or ""
            assert value.startswith(("data:", "#")), (tag, name, value[:60])
    # Every figure the results support is in the page, as an SVG data URI that decodes.
    images = {
        attributes["alt"]: attributes["src"] or ""
        for tag, attributes in tags.tags
        if tag == "img" and attributes.get("alt")
    }
    for name in available(results):
        assert f'id="figure-{name}"' in text
    assert len(images) == len(available(results))
    for source in images.values():
        assert source.startswith("data:image/svg+xml;base64,")
        assert b"<svg" in base64.b64decode(source.split(",", 1)[1])[:2000]


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "stress", "breakeven", "optimize"])
def test_the_footer_reproduces_the_results(results_dirs: dict[str, Path], kind: str) -> None:
    results = read_results(results_dirs[kind])
    footer = render_report(results).split('<footer id="reproduce">', 1)[1]
    summary = json.loads((results_dirs[kind] / "summary.json").read_text(encoding="utf-8"))
    assert f"jitsim version: <code>{summary['jitsim_version']}</code>" in footer
    assert f"seed: <code>{summary['seed']}</code>" in footer
    assert summary["scenario_hash"] in footer
    assert f"<code>{esc(summary['command'])}</code>" in footer
    assert summary["command"].startswith(f"jitsim {kind} ")


def test_what_each_kind_of_report_holds(results_dirs: dict[str, Path]) -> None:
    texts = {kind: render_report(read_results(path)) for kind, path in results_dirs.items()}
    for text in texts.values():
        assert "Scenario and assumptions" in text
        assert "<dt>suppliers</dt>" in text  # the assumptions in words
    assert "Headline KPIs per alternative" in texts["run"]
    assert "Headline KPIs per alternative" not in texts["stress"]  # mixes knock-outs
    compare = read_results(results_dirs["compare"])
    for line in comparison_of(compare).verdicts():  # jitsim compare's own words
        assert f"<li>{esc(line)}</li>" in texts["compare"]
    assert "Paired differences against buffered" in texts["compare"]
    assert "Every alternative at every point" in texts["sweep"]
    assert "suppliers.acme.order_cost" in texts["sweep"]
    assert "Weak links, ranked by risk exposure" in texts["stress"]
    assert "Time-to-survive from day" in texts["stress"]
    assert "What each alternative buys against" in texts["stress"]
    sentence = json.loads((results_dirs["breakeven"] / "summary.json").read_text())["sentence"]
    assert esc(sentence) in texts["breakeven"]
    optimized = json.loads((results_dirs["optimize"] / "summary.json").read_text())
    assert esc(optimized["sentence"]) in texts["optimize"]
    assert "The finalists on fresh replications" in texts["optimize"]
    assert 'id="figure-convergence"' in texts["optimize"]


def test_the_verdicts_are_those_jitsim_compare_wrote(results_dirs: dict[str, Path]) -> None:
    """Recomputed from replications.csv, the paired differences are comparison.csv exactly:
    the report's verdicts are the ones the command printed."""
    results = read_results(results_dirs["compare"])
    written = results.table("comparison")
    assert written is not None
    again = comparison_of(results).differences()
    keys = ["alternative", "kpi"]
    left = written.sort_values(keys).reset_index(drop=True)
    right = again.sort_values(keys).reset_index(drop=True)
    assert left.equals(right.astype(left.dtypes.to_dict()))


def test_a_scenario_name_with_markup_is_shown_as_text(
    results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    directory = shutil.copytree(results_dirs["compare"], tmp_path / "compare")
    resolved = directory / "scenario.resolved.yaml"
    text = resolved.read_text(encoding="utf-8")
    named = re.sub(r"(?m)^name: .*$", "name: '<b>Widgets & co</b> \"quoted\"'", text, count=1)
    assert named != text
    resolved.write_text(named, encoding="utf-8")
    page = render_report(read_results(directory))
    assert "<b>" not in page
    assert "&lt;b&gt;Widgets &amp; co&lt;/b&gt; &quot;quoted&quot;" in page
    assert "<title>&lt;b&gt;Widgets &amp; co&lt;/b&gt;" in page
    _parsed(page)


def test_the_report_is_written_into_the_results_directory(
    results_dirs: dict[str, Path], tmp_path: Path
) -> None:
    directory = shutil.copytree(results_dirs["run"], tmp_path / "run")
    path = write_report(directory)
    assert path == directory / REPORT_FILE
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert REPORT_FILE in (read_manifest(directory) or {})["files"]
    elsewhere = write_report(directory, tmp_path / "elsewhere.html")
    assert elsewhere.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_assumptions_state_the_run_as_made_not_as_the_file_says(
    results_dirs: dict[str, Path],
) -> None:
    """The fixture ran -n 6 --seed 3 on a file saying 200 replications, seed 2026: the report
    says what was run."""
    page = render_report(read_results(results_dirs["run"]))
    assert "6 replications per alternative" in page
    assert "master seed 3" in page
    assert "200 replications" not in page and "seed 2026" not in page


def test_a_switching_cost_gets_its_payback(results_dirs: dict[str, Path], tmp_path: Path) -> None:
    """eoq saves against buffered, jit does not: eoq pays back, jit never does."""
    directory = shutil.copytree(results_dirs["compare"], tmp_path / "compare")
    resolved = directory / "scenario.resolved.yaml"
    text = resolved.read_text(encoding="utf-8")
    for name, cost in (("eoq", 1500.0), ("jit", 800.0)):
        start = text.index(f"\n  {name}:\n")
        text = text[:start] + text[start:].replace(
            "switching_cost: 0.0", f"switching_cost: {cost}", 1
        )
    resolved.write_text(text, encoding="utf-8")
    results = read_results(directory)
    comparison = comparison_of(results)
    page = render_report(results)
    days = comparison.payback_days("eoq")
    assert 0 < days < float("inf")
    assert "Payback of the one-off switching cost" in page
    assert f'<td class="num">{days:,.0f}</td>' in page
    assert "never (no saving)" in page
    assert any("pays back in" in line for line in comparison.verdicts())
    for line in comparison.verdicts():
        assert f"<li>{esc(line)}</li>" in page
