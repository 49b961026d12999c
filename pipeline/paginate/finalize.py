"""Paginated pages → the page model: fonts resolved to files and glyph ids, colours to values.

The last step before the writers: everything a writer needs is in the ``page.Document`` it returns,
and nothing in it refers to the composer, the layout or the font set.
"""

from __future__ import annotations

from pipeline.compose.lines import Glyph as SetGlyph
from pipeline.fonts.roles import FontSet
from pipeline.layout.templates import Layout
from pipeline.page import Colour, Document, FontRef, Glyph, GlyphRun, Info, Page, Rule, TextLine
from pipeline.paginate.pages import Page as PaginatedPage
from pipeline.paginate.pages import PlacedLine


class _Resolver:
    """Font names and colour names of the composition as page-model values, each made once."""

    def __init__(self, layout: Layout, fonts: FontSet):
        self.layout = layout
        self.fonts = fonts
        self.colours: dict[str, Colour] = {}
        self.refs: dict[str, FontRef] = {}

    def colour(self, name: str) -> Colour:
        found = self.colours.get(name)
        if found is None:
            c = self.layout.colour(name)
            cmyk = (c.cmyk[0] / 100, c.cmyk[1] / 100, c.cmyk[2] / 100, c.cmyk[3] / 100)
            found = self.colours[name] = Colour(cmyk, c.spot)
        return found

    def font(self, name: str) -> FontRef:
        found = self.refs.get(name)
        if found is None:
            file = self.fonts.files[name]
            found = self.refs[name] = FontRef(str(file.path), file.index)
        return found

    def glyph(self, g: SetGlyph, dx: float) -> Glyph:
        file = self.fonts.files[g.font]
        advance = g.advance or file.char_advance(g.ch) * g.size
        return Glyph(file.glyph(g.ch), dx + g.x, advance, g.ch)

    def line(self, pl: PlacedLine) -> TextLine:
        runs: list[GlyphRun] = []
        current: list[SetGlyph] = []
        for g in pl.line.glyphs:
            if current and (g.font, g.size, g.colour, g.fake_bold) != (
                current[0].font,
                current[0].size,
                current[0].colour,
                current[0].fake_bold,
            ):
                runs.append(self.run(current, pl))
                current = []
            current.append(g)
        if current:
            runs.append(self.run(current, pl))
        return TextLine(tuple(runs), pl.line.text, pl.line.kind)

    def run(self, glyphs: list[SetGlyph], pl: PlacedLine) -> GlyphRun:
        first = glyphs[0]
        placed = tuple(self.glyph(g, pl.x) for g in glyphs)
        return GlyphRun(self.font(first.font), first.size, self.colour(first.colour), first.fake_bold, pl.baseline, placed)


def _style(g: SetGlyph) -> tuple[str, float, str, float]:
    return g.font, g.size, g.colour, g.fake_bold


def page_model(pages: list[PaginatedPage], layout: Layout, fonts: FontSet, info: Info) -> Document:
    """The document as the writers see it."""
    r = _Resolver(layout, fonts)
    out = []
    for p in pages:
        lines = tuple(r.line(pl) for pl in p.lines if pl.line.glyphs)
        rules = tuple(Rule(u.x0, u.y, u.x1, u.y if u.y1 is None else u.y1, u.width, r.colour(u.colour)) for u in p.rules)
        out.append(Page(p.number, layout.page.width, layout.page.height, lines, rules, p.images, p.bookmarks))
    return Document(tuple(out), info)
