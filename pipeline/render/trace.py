"""A text writer of the page model, for golden tests and debugging: a composition change is a readable diff.

One line per printed line: the body grid line it sits on (``--`` off the grid), its kind, where it
starts and ends in cells of the body grid from the block's left edge, how many of its Han characters
are off the character grid (``~``), and its text; then the page's rules, images and bookmarks.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import cjk
from pipeline.layout.templates import Layout
from pipeline.page import Document, Glyph, Page, TextLine

GRID_KINDS = ("body", "heading", "note", "toc", "section")


def _box(g: Glyph, size: float) -> float:
    """Where a glyph's box starts: a full-width glyph is centred in the cell it advances by."""
    return g.x - (g.advance - size) / 2 if cjk.is_wide(g.text) else g.x


def _grid_line(line: TextLine, top: float, layout: Layout) -> str:
    """The body grid line a line is centred on, or ``--``."""
    size = line.runs[0].size
    lp = layout.line_pitch
    k = (top - line.runs[0].y - (lp - size) / 2 - layout.grid.em_ascent * size) / lp
    return f"{round(k):02d}" if abs(k - round(k)) < 0.01 and k > -0.5 else "--"


def _line(line: TextLine, left: float, top: float, layout: Layout) -> str:
    pitch = layout.pitch
    placed = [(g, run.size) for run in line.runs for g in run.glyphs]
    start, end = (_box(g, size) - left for g, size in (placed[0], placed[-1]))
    off = ""
    if line.kind in GRID_KINDS and layout.grid.style == "grid":
        bad = [g for g, size in placed if g.text.isalpha() and not g.text.isascii() and _off(_box(g, size) - left, pitch)]
        off = f" ~{len(bad)}" if bad else ""
    grid = _grid_line(line, top, layout)
    return f"  {grid} {line.kind:<8} {start / pitch:>6.2f}..{end / pitch:>6.2f}{off} {line.text}"


def _off(x: float, pitch: float) -> bool:
    return abs(x / pitch - round(x / pitch)) > 0.02


def _page(page: Page, layout: Layout) -> list[str]:
    p = layout.page
    left = p.width - p.inner - p.block_width if p.mirror and page.number % 2 == 0 else p.inner
    top = page.height - p.top
    out = [f"page {page.number}"]
    for line in sorted(page.lines, key=lambda ln: (-round(ln.runs[0].y, 2), ln.runs[0].glyphs[0].x)):
        out.append(_line(line, left, top, layout))
    for r in page.rules:
        out.append(
            f"  rule     {(r.x0 - left) / layout.pitch:.2f}..{(r.x1 - left) / layout.pitch:.2f} at {r.y0:.1f} pt, {r.width:g} pt"
        )
    for im in page.images:
        out.append(
            f"  image    {Path(im.path).name} {im.width:.0f}×{im.height:.0f} pt at {(im.x - left) / layout.pitch:.2f} cells"
        )
    for b in page.bookmarks:
        out.append(f"  mark {b.level}   {b.title}")
    return out


def trace(document: Document, layout: Layout) -> str:
    g = layout.grid
    out = [f"# layout {layout.name}: {g.chars_per_line} x {g.lines_per_page}, pitch {layout.pitch:.3f} pt, style {g.style}"]
    for page in document.pages:
        out += _page(page, layout)
    return "\n".join(out) + "\n"
