"""The draw stage: every glyph where the composition put it, fonts embedded by jianbao, colours and tags.

Text is written as TJ arrays of character ids; read back with pdfminer, each glyph's pen position
must be the position of the page model, and each embedded font's widths those of its program.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas as rl_canvas

from conftest import SAMPLE
from pipeline.page import Colour, Document, Page
from pipeline.render.pdf import draw as draw_mod
from pipeline.typeset import build, typeset


@pytest.fixture(scope="module")
def sample() -> Document:
    return typeset(SAMPLE).document


@pytest.fixture(scope="module")
def raw(sample: Document) -> bytes:
    return draw_mod.draw(sample)


def _drawn(data: bytes) -> list[list[tuple[str, float, float]]]:
    """(char, pen x, baseline) of every glyph of every page, as pdfminer reads them."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar

    def chars(item: object) -> list[LTChar]:
        if isinstance(item, LTChar):
            return [item]
        return [c for child in getattr(item, "_objs", []) for c in chars(child)]

    pages = []
    for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
        pages.append([(c.get_text(), c.matrix[4], c.matrix[5]) for c in chars(page)])
    return pages


def test_every_glyph_is_drawn_at_its_place_in_the_page_model(sample: Document, raw: bytes) -> None:
    drawn = _drawn(raw)
    assert len(drawn) == len(sample.pages)
    for page, got in zip(sample.pages, drawn, strict=True):
        want = sorted((g.text, run.y, g.x) for line in page.lines for run in line.runs for g in run.glyphs if g.text != "\u3000")
        seen = sorted((ch, y, x) for ch, x, y in got if ch != "\u3000")
        assert len(seen) == len(want)
        for (ch, y, x), (ch2, y2, x2) in zip(seen, want, strict=True):
            assert ch == ch2 and abs(x - x2) < 0.02 and abs(y - y2) < 0.02, (ch, x, x2)


def test_a_blank_after_a_full_width_glyph_is_carried_by_its_advance_and_copies_out_as_written(raw: bytes) -> None:
    from pdfminer.high_level import extract_text

    text = extract_text(io.BytesIO(raw))
    assert "义诊进社区\u3000暖心送健康" in text  # the ideographic space as written, no gap read as a space
    assert "月25" in text  # the quarter em before a number: inside 月's advance


def test_fonts_are_type0_with_truetype_subsets_whose_tags_differ(tmp_path: Path) -> None:
    tags: dict[tuple[int, int], str] = {}
    for page in PdfReader(build(SAMPLE, tmp_path).output).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant["/Subtype"] == "/CIDFontType2" and descendant["/CIDToGIDMap"] == "/Identity"
            assert "/FontFile2" in descendant["/FontDescriptor"]
            tags[ref.idnum, ref.generation] = str(font["/BaseFont"])[1:7]
    assert len(tags) >= 4 and all(re.fullmatch(r"[A-Z]{6}", t) for t in tags.values())
    assert len(set(tags.values())) == len(tags)  # no two fonts share a subset tag


def test_the_same_pages_draw_the_same_bytes(sample: Document, raw: bytes) -> None:
    assert draw_mod.draw(sample) == raw


def test_spot_colours_are_drawn_as_separations(sample: Document) -> None:
    def spot(colour: Colour) -> Colour:
        return dataclasses.replace(colour, spot="Jianbao red") if colour.cmyk[1] > 0.5 else colour

    def recoloured(page: Page) -> Page:
        lines = tuple(
            dataclasses.replace(ln, runs=tuple(dataclasses.replace(r, colour=spot(r.colour)) for r in ln.runs))
            for ln in page.lines
        )
        rules = tuple(dataclasses.replace(r, colour=spot(r.colour)) for r in page.rules)
        return dataclasses.replace(page, lines=lines, rules=rules)

    pages = [recoloured(page) for page in sample.pages]
    data = draw_mod.draw(dataclasses.replace(sample, pages=tuple(pages)))
    assert b" scn " in data and b"/Separation" in data and b"/Jianbao#20red" in data


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
