"""The draw stage writes text operators itself: the same bytes as reportlab's text objects would give.

The reference below draws each line the way draw.py did before (``canvas.beginText`` and the text
object's ``setFont``/``setFillColor``/``setCharSpace``/``setTextOrigin``/``textOut``), and leaves the
content streams for reportlab to encode; the raw PDFs must be byte for byte the same.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

from conftest import SAMPLE
from pipeline import draw as draw_mod
from pipeline import typeset
from pipeline.layout import Layout
from pipeline.paginate import Page, PlacedLine


def _reference_line(self: draw_mod._TextWriter, pl: PlacedLine) -> None:
    """One line through reportlab's own text object, as the committed draw.py drew it."""
    c = self.c
    glyphs = pl.line.glyphs
    drawn = [draw_mod.variant(g.font, g.ch, g.extra) if g.extra else g.ch for g in glyphs]
    text = c.beginText()
    for start, end, tc in draw_mod._runs(glyphs, drawn):
        g = glyphs[start]
        col = draw_mod._colour(self.layout, g.colour)
        text.setFont(g.font, g.size)
        text.setFillColor(col)
        text.setCharSpace(tc)
        if g.fake_bold:
            c.setStrokeColor(col)
            c.setLineWidth(g.fake_bold * g.size)
            text.setTextRenderMode(2)
        font = pdfmetrics.getFont(g.font)
        run, at = "".join(drawn[start:end]), 0
        for _, encoded in font.splitString(run, self.doc):  # type: ignore[attr-defined]
            text.setTextOrigin(pl.x + glyphs[start + at].x, pl.baseline)
            text.textOut(run[at : at + len(encoded)])
            at += len(encoded)
        if g.fake_bold:
            text.setTextRenderMode(0)
    c.drawText(text)


@pytest.fixture(scope="module")
def sample() -> tuple[Layout, list[Page]]:
    _, layout, pages = typeset(SAMPLE)
    return layout, pages


def _both(pages: list[Page], layout: Layout) -> Iterator[bytes]:
    """The raw PDF from draw.py, then from the reference (reportlab's text objects and encoding)."""
    yield draw_mod.draw(pages, layout)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(draw_mod._TextWriter, "line", _reference_line)
        mp.setattr(draw_mod, "_content_as_bytes", lambda c: None)
        yield draw_mod.draw(pages, layout)


def test_escape_is_reportlabs() -> None:
    every = bytes(range(256))
    assert draw_mod._escape(every) == escapePDF(every)
    for b in range(256):
        assert draw_mod._escape(bytes([b])) == escapePDF(bytes([b]))


def test_sample_draws_the_same_bytes_as_reportlabs_text_objects(sample: tuple[Layout, list[Page]]) -> None:
    layout, pages = sample
    draw_mod.draw(pages, layout)  # the glyph variants exist from here on, for both drawings
    ours, reference = _both(pages, layout)
    assert b" 2 Tr" in ours  # fake bold (the run-in heads) is among what is compared
    assert b"/F2+1 " in ours or b"/F3+1 " in ours  # and a run split at a font subset boundary
    assert ours == reference


def test_spot_colours_draw_the_same_bytes(sample: tuple[Layout, list[Page]]) -> None:
    layout, pages = sample
    spot = {name: dataclasses.replace(c, spot=f"Jianbao {name}") for name, c in layout.colours.items()}
    layout = dataclasses.replace(layout, colours=spot)
    ours, reference = _both(pages, layout)
    assert b" scn " in ours and b"/Separation" in ours
    assert ours == reference


def test_a_stream_with_other_characters_is_left_to_reportlab() -> None:
    c = rl_canvas.Canvas(io.BytesIO(), invariant=1, pageCompression=0)
    c._code.append("% \xe9")  # type: ignore[attr-defined]
    c.showPage()
    draw_mod._content_as_bytes(c)
    assert isinstance(c._doc.Pages.pages[-1].stream, str)  # type: ignore[attr-defined]
    c.drawString(10, 10, "plain")
    c.showPage()
    draw_mod._content_as_bytes(c)
    assert isinstance(c._doc.Pages.pages[-1].stream, bytes)  # type: ignore[attr-defined]
