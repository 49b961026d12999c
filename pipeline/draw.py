"""Pages → reportlab canvas calls → raw PDF bytes. The only module that draws."""

from __future__ import annotations

import functools
import io

from reportlab.lib.colors import CMYKColor, CMYKColorSep
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

from .compose import Glyph
from .draw_photos import draw_photo, raw_streams
from .fontload import variant
from .layout import Layout
from .paginate import Page, PlacedLine


def _colour(layout: Layout, name: str) -> CMYKColor:
    c = layout.colour(name)
    cyan, magenta, yellow, black = (v / 100.0 for v in c.cmyk)
    if c.spot:
        return CMYKColorSep(cyan, magenta, yellow, black, spotName=c.spot)
    return CMYKColor(cyan, magenta, yellow, black)


@functools.cache
def _advance(font: str, ch: str) -> float:
    """Advance of ``ch`` in ``font``, in em (reportlab's own widths, as the PDF will use them)."""
    return pdfmetrics.stringWidth(ch, font, 1000.0) / 1000.0


def _runs(pl: PlacedLine) -> list[tuple[Glyph, str, float]]:
    """Split a line into runs of one font whose glyphs are evenly spaced: (first glyph, text, Tc).

    A run is drawn as one string with character spacing (Tc), the way PDF expresses letter-spaced
    text: fewer operators, and text extractors see one word, not characters with gaps between them.
    """
    runs: list[tuple[Glyph, str, float]] = []
    glyphs = pl.line.glyphs
    drawn = [variant(g.font, g.ch, g.extra) if g.extra else g.ch for g in glyphs]
    i = 0
    while i < len(glyphs):
        g = glyphs[i]
        text, tc, j = drawn[i], None, i + 1
        while j < len(glyphs):
            prev, nxt = glyphs[j - 1], glyphs[j]
            if (nxt.font, nxt.size, nxt.colour, nxt.fake_bold) != (g.font, g.size, g.colour, g.fake_bold):
                break
            gap = nxt.x - prev.x - _advance(prev.font, drawn[j - 1]) * prev.size
            if tc is None:
                tc = gap
            elif abs(gap - tc) > 0.01:
                break
            text += drawn[j]
            j += 1
        runs.append((g, text, tc or 0.0))
        i = j
    return runs


def _subset_chunks(c: rl_canvas.Canvas, font_name: str, text: str) -> list[tuple[int, str]]:
    """(offset, text) pieces that reportlab draws with one subset font each (one Tj per piece).

    Character spacing after the last glyph of a Tj is not applied by every text extractor, so a run
    is started afresh (with its own position) at each subset boundary.
    """
    font = pdfmetrics.getFont(font_name)
    split = getattr(font, "splitString", None)
    if split is None:
        return [(0, text)]
    chunks, offset = [], 0
    for _, encoded in split(text, c._doc):  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
        chunks.append((offset, text[offset : offset + len(encoded)]))
        offset += len(encoded)
    return chunks


def _draw_line(c: rl_canvas.Canvas, layout: Layout, pl: PlacedLine) -> None:
    text = c.beginText()
    index = {id(g): k for k, g in enumerate(pl.line.glyphs)}
    for g, run, tc in _runs(pl):
        col = _colour(layout, g.colour)
        text.setFont(g.font, g.size)
        text.setFillColor(col)
        text.setCharSpace(tc)
        if g.fake_bold:
            c.setStrokeColor(col)
            c.setLineWidth(g.fake_bold * g.size)
            text.setTextRenderMode(2)
        first = index[id(g)]
        for offset, piece in _subset_chunks(c, g.font, run):
            text.setTextOrigin(pl.x + pl.line.glyphs[first + offset].x, pl.baseline)
            text.textOut(piece)
        if g.fake_bold:
            text.setTextRenderMode(0)
    c.drawText(text)


def draw(pages: list[Page], layout: Layout) -> bytes:
    """Raw PDF (reportlab, invariant) with CMYK colours and bookmarks; finishing happens in ``pdf``."""
    with raw_streams():
        buf = io.BytesIO()
        c = rl_canvas.Canvas(buf, pagesize=(layout.page.width, layout.page.height), invariant=1, pageCompression=0)
        c.setCreator("jianbao")
        for page in pages:
            for im in page.images:
                draw_photo(c, im)
            for pl in page.lines:
                if pl.line.glyphs:
                    _draw_line(c, layout, pl)
            for rule in page.rules:
                c.setStrokeColor(_colour(layout, rule.colour))
                c.setLineWidth(rule.width)
                c.line(rule.x0, rule.y, rule.x1, rule.y if rule.y1 is None else rule.y1)
            for k, mark in enumerate(page.bookmarks):
                key = f"p{page.number}-{k}"
                c.bookmarkPage(key, fit="XYZ", top=mark.y, left=0)
                c.addOutlineEntry(mark.title, key, level=mark.level)
            c.showPage()
        c.save()
        return buf.getvalue()
