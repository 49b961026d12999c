"""Pages → reportlab canvas calls → raw PDF bytes. The only module that draws."""

from __future__ import annotations

import io
from itertools import groupby

from reportlab.lib.colors import CMYKColor, CMYKColorSep
from reportlab.pdfgen import canvas as rl_canvas

from .layout import Layout
from .paginate import Page, PlacedLine


def _colour(layout: Layout, name: str) -> CMYKColor:
    c = layout.colour(name)
    cyan, magenta, yellow, black = (v / 100.0 for v in c.cmyk)
    if c.spot:
        return CMYKColorSep(cyan, magenta, yellow, black, spotName=c.spot)
    return CMYKColor(cyan, magenta, yellow, black)


def _draw_line(c: rl_canvas.Canvas, layout: Layout, pl: PlacedLine) -> None:
    text = c.beginText()
    key = lambda g: (g.font, g.size, g.colour, g.fake_bold)  # noqa: E731
    for (font, size, colour, bold), run in groupby(pl.line.glyphs, key=key):
        col = _colour(layout, colour)
        text.setFont(font, size)
        text.setFillColor(col)
        if bold:
            c.setStrokeColor(col)
            c.setLineWidth(bold * size)
            text.setTextRenderMode(2)
        for g in run:
            text.setTextOrigin(pl.x + g.x, pl.baseline)
            text.textOut(g.ch)
        if bold:
            text.setTextRenderMode(0)
    c.drawText(text)


def draw(pages: list[Page], layout: Layout) -> bytes:
    """Raw PDF (reportlab, invariant) with CMYK colours and bookmarks; finishing happens in ``pdf``."""
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=(layout.page.width, layout.page.height), invariant=1, pageCompression=1)
    c.setCreator("jianbao")
    for page in pages:
        for pl in page.lines:
            if pl.line.glyphs:
                _draw_line(c, layout, pl)
        for rule in page.rules:
            c.setStrokeColor(_colour(layout, rule.colour))
            c.setLineWidth(rule.width)
            c.line(rule.x0, rule.y, rule.x1, rule.y)
        for k, mark in enumerate(page.bookmarks):
            key = f"p{page.number}-{k}"
            c.bookmarkPage(key, fit="XYZ", top=mark.y, left=0)
            c.addOutlineEntry(mark.title, key, level=mark.level)
        c.showPage()
    c.save()
    return buf.getvalue()
