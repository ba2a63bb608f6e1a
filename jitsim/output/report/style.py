"""The report's stylesheet, inline in the page: readable on a screen, and printed without a
figure or a table row split across pages."""

from __future__ import annotations

__all__ = ["STYLESHEET"]

STYLESHEET = """
:root { --ink: #1f2328; --muted: #57606a; --rule: #d0d7de; --band: #f6f8fa; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 70rem; padding: 1.5rem 2rem 3rem; color: var(--ink);
  font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.toc { columns: 2; margin: 0; padding-left: 1.2rem; }
.toc a { color: var(--accent); text-decoration: none; }
.verdicts li { margin: .3rem 0; }
dl.scenario { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.scenario dt { font-weight: 600; }
dl.scenario dd { margin: 0; }
dl.scenario ul { margin: 0; padding-left: 1.1rem; }
.table-wrap { overflow-x: auto; margin: .6rem 0 .4rem; }
table { border-collapse: collapse; font-size: .88rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0 .4rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { background: var(--band); border-bottom: 2px solid var(--rule); }
.key { text-align: left; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
/* Headers wrap (a column is as wide as its numbers, not its title): wide tables still fit. */
thead th.key, thead th.num { white-space: normal; min-width: 3.5em; }
tbody th { font-weight: 600; }
.note { color: var(--muted); font-size: .85rem; margin: .3rem 0; max-width: 60rem; }
.figure { margin: 1rem 0 1.6rem; }
.figure img { display: block; max-width: 100%; height: auto; }
.figure figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
footer h2 { color: var(--ink); }
footer code { word-break: break-all; color: var(--ink); }
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2, h3, caption { break-after: avoid; }
  section.new-page { break-before: page; }
  .figure, tr, .verdicts li, dl.scenario { break-inside: avoid; }
  .figure img { max-height: 120mm; width: auto; max-width: 100%; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""
