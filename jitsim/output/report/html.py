"""The pieces of the report's HTML: escaped text, tables, sections and the page around them.

Every piece of text that comes from a scenario or a results directory goes through
:func:`esc`: a scenario named ``<b>Widgets & co</b>`` is shown as written, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from jitsim.output.report.style import STYLESHEET

__all__ = ["esc", "figure", "notes", "page", "paragraph", "section", "table"]


def esc(text: object) -> str:
    """``text`` as HTML text (quotes escaped too, so it is safe in an attribute)."""
    return html.escape(str(text), quote=True)


def paragraph(text: str, css: str = "") -> str:
    """One paragraph of plain text."""
    attribute = f' class="{esc(css)}"' if css else ""
    return f"<p{attribute}>{esc(text)}</p>"


def notes(lines: Iterable[str]) -> str:
    """Notes under a table, one paragraph each."""
    return "".join(paragraph(line, "note") for line in lines)


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str = "",
    keys: int = 1,
) -> str:
    """A table whose first ``keys`` columns name a row (left-aligned text) and whose other
    columns hold numbers (right-aligned, tabular figures)."""
    head = "".join(
        f'<th scope="col" class="{"key" if i < keys else "num"}">{esc(c)}</th>'
        for i, c in enumerate(columns)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<th scope="row" class="key">{esc(v)}</th>'
            if i == 0 and keys
            else f'<td class="{"key" if i < keys else "num"}">{esc(v)}</td>'
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    caption_html = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table>{caption_html}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def figure(image: str, caption: str, name: str) -> str:
    """A figure: ``image`` (already HTML: an ``<img>`` with a data URI) with its caption."""
    return (
        f'<figure class="figure" id="figure-{esc(name)}">{image}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def section(anchor: str, title: str, body: str, *, new_page: bool = False) -> str:
    """A section with a heading; ``new_page`` starts it on a new page when printed."""
    css = ' class="new-page"' if new_page else ""
    return f'<section id="{esc(anchor)}"{css}><h2>{esc(title)}</h2>{body}</section>'


def page(title: str, subtitle: str, contents: Sequence[tuple[str, str]], body: str) -> str:
    """The whole document: inline stylesheet, no script, nothing fetched from anywhere.

    ``contents`` lists ``(anchor, title)`` of the sections, for the table of contents.
    """
    toc = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in contents)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No request leaves the page: not even the browser's default favicon.ico.
        '<link rel="icon" href="data:,">'
        f"<title>{esc(title)}</title><style>{STYLESHEET}</style></head>"
        f'<body><header><h1>{esc(title)}</h1><p class="subtitle">{esc(subtitle)}</p>'
        f'<nav><ol class="toc">{toc}</ol></nav></header><main>{body}</main></body></html>\n'
    )
