"""A stable text dump of the page model, for golden tests and debugging.

One line per printed line: page, grid line (or ``--`` off the grid), kind, where the line starts and
ends in cells of the body grid from the block's left edge, the cells of glyphs that are off the grid
(``~``), and the text. A composition change shows up as a readable diff.
"""

from __future__ import annotations

from pipeline import cjk
from pipeline.compose.lines import Glyph
from pipeline.layout.templates import Layout
from pipeline.paginate.pages import Page


def _cells(x: float, pitch: float) -> str:
    return f"{x / pitch:.2f}"


def _off_grid(x: float, pitch: float) -> bool:
    return abs(x / pitch - round(x / pitch)) > 0.02


def _box(g: Glyph) -> float:
    """Where a glyph's box starts: a full-width glyph is centred in the cell it advances by."""
    return g.x - (g.advance - g.size) / 2 if cjk.is_wide(g.ch) and g.advance else g.x


def _text(glyphs: tuple[Glyph, ...]) -> str:
    return "".join(g.ch for g in glyphs)


def trace(pages: list[Page], layout: Layout) -> str:
    pitch = layout.pitch
    out = [
        f"# layout {layout.name}: {layout.grid.chars_per_line} x {layout.grid.lines_per_page}, "
        f"pitch {pitch:.3f} pt, style {layout.grid.style}"
    ]
    for page in pages:
        out.append(f"page {page.number}")
        left = min((pl.x for pl in page.lines), default=0.0)
        for pl in sorted(page.lines, key=lambda p: (-round(p.baseline, 2), p.x)):
            glyphs = pl.line.glyphs
            if not glyphs:
                continue
            start = pl.x - left + _box(glyphs[0])
            end = pl.x - left + _box(glyphs[-1])
            grid = f"{pl.grid_index:02d}" if pl.grid_index >= 0 else "--"
            off = ""
            if pl.line.kind in ("body", "heading", "note", "toc", "section") and layout.grid.style == "grid":
                bad = [g for g in glyphs if _off_grid(_box(g), pitch) and g.ch.isalpha() and not g.ch.isascii()]
                off = f" ~{len(bad)}" if bad else ""
            out.append(f"  {grid} {pl.line.kind:<8} {_cells(start, pitch):>6}..{_cells(end, pitch):>6}{off} {_text(glyphs)}")
    return "\n".join(out) + "\n"
