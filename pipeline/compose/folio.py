"""Page numbers ("— 3 —") composed in the layout's folio style."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.compose.lines import Glyph, Metrics
from pipeline.layout.templates import Layout

FolioLine = Callable[[str], tuple[tuple[Glyph, ...], float]]  # folio text → (glyphs, width)


def folio_composer(layout: Layout, fonts: Metrics) -> FolioLine:
    """A function text → (glyphs, width) for page numbers in the layout's folio style."""
    style = layout.style("folio")

    def compose_folio(text: str) -> tuple[tuple[Glyph, ...], float]:
        glyphs: list[Glyph] = []
        x = 0.0
        for ch in text:
            if ch == " ":
                x += style.size / 4
                continue
            font = fonts.font_for(style.font, ch)
            advance = fonts.advance(font, ch) * style.size
            glyphs.append(Glyph(ch, x, font, style.size, style.colour, 0.0, advance))
            x += advance
        return tuple(glyphs), x

    return compose_folio
