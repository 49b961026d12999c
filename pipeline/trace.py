"""A stable text dump of the page model, for golden tests and debugging.

One line per printed line: page, grid line (or ``--`` off the grid), kind, where the line starts and
ends in cells of the body grid from the block's left edge, the cells of glyphs that are off the grid
(``~``), and the text, with ``_`` for each empty cell that a glyph's advance carries (a blank after a
mark, an ideographic space). A composition change shows up as a readable diff.
"""

from __future__ import annotations

from .compose import Glyph
from .layout import Layout
from .paginate import Page


def _cells(x: float, pitch: float) -> str:
    return f"{x / pitch:.2f}"


def _off_grid(x: float, pitch: float) -> bool:
    return abs(x / pitch - round(x / pitch)) > 0.02


def _text(glyphs: tuple[Glyph, ...], pitch: float) -> str:
    out = []
    for g in glyphs:
        out.append(g.ch)
        if g.extra > 0:
            out.append("_" * int(g.extra * g.size / pitch + 1e-6))  # whole empty cells
    return "".join(out).replace("_\u3000", "\u3000")


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
            start = pl.x - left + glyphs[0].x
            end = pl.x - left + glyphs[-1].x
            grid = f"{pl.grid_index:02d}" if pl.grid_index >= 0 else "--"
            off = ""
            if pl.line.kind in ("body", "heading", "note", "toc", "section") and layout.grid.style == "grid":
                bad = [g for g in glyphs if _off_grid(g.x, pitch) and g.ch.isalpha() and not g.ch.isascii()]
                off = f" ~{len(bad)}" if bad else ""
            out.append(
                f"  {grid} {pl.line.kind:<8} {_cells(start, pitch):>6}..{_cells(end, pitch):>6}{off} {_text(glyphs, pitch)}"
            )
    return "\n".join(out) + "\n"
