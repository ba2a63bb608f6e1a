"""docs/gallery.md shows every figure kind, each image exists, and every command it quotes is
one that docs/gallery/make_gallery.sh runs (so the page cannot drift from the script)."""

from __future__ import annotations

import re

from conftest import ROOT

from jitsim.output.figures import FIGURES

PAGE = ROOT / "docs" / "gallery.md"
SCRIPT = ROOT / "docs" / "gallery" / "make_gallery.sh"


def _commands(text: str) -> list[str]:
    """Each command (continuation lines joined) of the ``bash`` blocks of a Markdown page."""
    blocks = re.findall(r"^```bash\n(.*?)^```$", text, flags=re.M | re.S)
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]


def _script_commands() -> set[str]:
    text = SCRIPT.read_text(encoding="utf-8").replace("\\\n", " ")
    return {" ".join(line.split()) for line in text.splitlines()}


def test_the_gallery_shows_every_figure_kind_with_an_existing_image() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for name in FIGURES:
        assert f"![{name}](gallery/{name}.png)" in page, name
        assert (ROOT / "docs" / "gallery" / f"{name}.png").is_file(), name
        assert f'jitsim plot {name} "$R/' in page, name
    assert (ROOT / "docs" / "gallery" / "report-first-screen.png").is_file()


def test_every_command_of_the_gallery_is_run_by_its_script() -> None:
    script = _script_commands()
    commands = _commands(PAGE.read_text(encoding="utf-8"))
    assert len(commands) >= len(FIGURES)
    for command in commands:
        assert " ".join(command.split()) in script, command


def test_the_gallery_images_stay_small() -> None:
    images = list((ROOT / "docs" / "gallery").glob("*.png"))
    assert sum(image.stat().st_size for image in images) < 3_000_000
