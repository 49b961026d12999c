"""Pages → reportlab canvas calls → raw PDF bytes. The only module that draws.

Text is written as PDF operators straight into the canvas's content (``_TextWriter``), byte for byte
what reportlab's text object writes for the same calls, without its per-run bookkeeping: font
selections, colours and numbers are formatted once per document, not once per run.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence

from reportlab.lib.colors import CMYKColor, CMYKColorSep
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from .compose import Glyph
from .draw_photos import draw_photo, raw_streams
from .fontload import variant
from .layout import Layout
from .paginate import Page, PlacedLine

# byte → its form inside a PDF literal string, as reportlab's ``escapePDF`` writes it
_ESCAPES = {b: f"\\{b:03o}" if b < 32 or b >= 127 else "\\" + chr(b) if chr(b) in "\\()" else chr(b) for b in range(256)}
# characters that reportlab's PDFDocEncoding codec ("extpdfdoc") writes as the same byte (ASCII)
_PLAIN = re.compile(r"[\t\n\r -~]*")


def _escape(data: bytes) -> str:
    """``data`` as the inside of a PDF literal string (``(…)``), the same text as reportlab's."""
    return data.decode("latin-1").translate(_ESCAPES)


def _content_as_bytes(c: rl_canvas.Canvas) -> None:
    """Hand the page just shown to reportlab with its content stream already encoded.

    On save, reportlab encodes each content stream through its Python PDFDocEncoding codec (about
    0.2 ms a page); for plain ASCII, which is all this module writes, that gives the same bytes as
    ``str.encode("ascii")``. A stream with any other character is left for reportlab to encode.
    """
    page = c._doc.Pages.pages[-1]  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
    if isinstance(page.stream, str) and _PLAIN.fullmatch(page.stream):
        page.stream = page.stream.encode("ascii")


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


def _runs(glyphs: Sequence[Glyph], drawn: list[str]) -> list[tuple[int, int, float]]:
    """Split a line into runs of one style whose glyphs are evenly spaced: (start, end, Tc).

    A run is drawn as one string with character spacing (Tc), the way PDF expresses letter-spaced
    text: fewer operators, and text extractors see one word, not characters with gaps between them.
    ``drawn`` is the text drawn for each glyph (its variant when it carries extra advance).
    """
    runs: list[tuple[int, int, float]] = []
    n = len(glyphs)
    i = 0
    while i < n:
        g = glyphs[i]
        font, size, colour, bold, prev_x = g.font, g.size, g.colour, g.fake_bold, g.x
        tc: float | None = None
        j = i + 1
        while j < n:
            nxt = glyphs[j]
            if nxt.font != font or nxt.size != size or nxt.colour != colour or nxt.fake_bold != bold:
                break
            gap = nxt.x - prev_x - _advance(font, drawn[j - 1]) * size
            if tc is None:
                tc = gap
            elif abs(gap - tc) > 0.01:
                break
            prev_x = nxt.x
            j += 1
        runs.append((i, j, tc or 0.0))
        i = j
    return runs


class _TextWriter:
    """Writes each line as one BT…ET block into the canvas's content, as reportlab's text object would.

    The operators are those of ``beginText()``, ``setFont``, ``setFillColor``, ``setCharSpace``,
    ``setTextOrigin`` and ``textOut`` (one Tj per font subset, each with its own position, since
    character spacing after a Tj's last glyph is not applied by every text extractor), with the same
    number formatting (``fp_str``) and string escaping, so the PDF is the same bytes. The font, colour
    and number texts are kept for the document.
    """

    def __init__(self, c: rl_canvas.Canvas, layout: Layout):
        self.c = c
        self.doc = c._doc  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
        self.layout = layout
        self.colours: dict[str, CMYKColor] = {}
        self.fills: dict[str, str] = {}
        self.numbers: dict[float, str] = {}
        self.fonts: dict[str, TTFont] = {}
        self.selects: dict[tuple[str, float, int], str] = {}
        self.variants: dict[tuple[str, str, float], str] = {}

    def colour(self, name: str) -> CMYKColor:
        col = self.colours.get(name)
        if col is None:
            col = self.colours[name] = _colour(self.layout, name)
        return col

    def num(self, value: float) -> str:
        """``fp_str(value)``, formatted once per value."""
        text = self.numbers.get(value)
        if text is None:
            text = self.numbers[value] = fp_str(value)
        return text

    def fill(self, name: str) -> str:
        """The fill colour operator for colour ``name`` (a spot colour is also listed for the page)."""
        col = self.colour(name)
        if isinstance(col, CMYKColorSep):
            sep = self.c._checkSeparation(col)  # type: ignore[attr-defined]  # the page's colour spaces
            return f"/{sep} cs {self.num(col.density)} scn"
        op = self.fills.get(name)
        if op is None:
            d = col.density
            op = self.fills[name] = f"{fp_str(d * col.cyan, d * col.magenta, d * col.yellow, d * col.black)} k"
        return op

    def font(self, name: str) -> TTFont:
        """The registered font ``name``: a TrueType font (fontload registers no other kind)."""
        font = self.fonts.get(name)
        if font is None:
            found = pdfmetrics.getFont(name)
            if not isinstance(found, TTFont):
                raise TypeError(f"{name}: only TrueType fonts are drawn")
            font = self.fonts[name] = found
        return font

    def select(self, name: str, size: float, subset: int) -> str:
        """The ``Tf`` (with reportlab's ``TL``, 1.2 × size) selecting one subset of a font."""
        key = (name, size, subset)
        op = self.selects.get(key)
        if op is None:
            internal = self.font(name).getSubsetInternalName(subset, self.doc)
            op = self.selects[key] = f"{internal} {fp_str(size)} Tf {fp_str(size * 1.2)} TL"
        return op

    def drawn(self, g: Glyph) -> str:
        """The text drawn for ``g``, which carries extra advance: the variant glyph's character."""
        key = (g.font, g.ch, g.extra)
        text = self.variants.get(key)
        if text is None:
            text = self.variants[key] = variant(g.font, g.ch, g.extra)
        return text

    def line(self, pl: PlacedLine) -> None:
        glyphs = pl.line.glyphs
        drawn = [self.drawn(g) if g.extra else g.ch for g in glyphs]
        y = self.num(pl.baseline)
        ops = ["BT 1 0 0 1 0 0 Tm"]
        self.doc.ensureMinPdfVersion("transparency")  # as reportlab's setFillColor (its alpha 1) does
        for start, end, tc in _runs(glyphs, drawn):
            g = glyphs[start]
            ops.append(self.fill(g.colour))
            ops.append(self.num(tc) + " Tc")
            if g.fake_bold:  # stroke settings precede the BT block, as reportlab's canvas calls do
                self.c.setStrokeColor(self.colour(g.colour))
                self.c.setLineWidth(g.fake_bold * g.size)
                ops.append("2 Tr")
            at = start
            for subset, data in self.font(g.font).splitString("".join(drawn[start:end]), self.doc):
                x = self.num(pl.x + glyphs[at].x)
                ops.append(f"1 0 0 1 {x} {y} Tm {self.select(g.font, g.size, subset)} ({_escape(data)}) Tj")
                at += len(data)
            if g.fake_bold:
                ops.append("0 Tr")
        ops.append("ET")
        self.c._code.append(" ".join(ops))  # type: ignore[attr-defined]  # the page's content, as drawText


def draw(pages: list[Page], layout: Layout) -> bytes:
    """Raw PDF (reportlab, invariant) with CMYK colours and bookmarks; finishing happens in ``pdf``."""
    with raw_streams():
        buf = io.BytesIO()
        c = rl_canvas.Canvas(buf, pagesize=(layout.page.width, layout.page.height), invariant=1, pageCompression=0)
        c.setCreator("jianbao")
        text = _TextWriter(c, layout)
        for page in pages:
            for im in page.images:
                draw_photo(c, im)
            for pl in page.lines:
                if pl.line.glyphs:
                    text.line(pl)
            for rule in page.rules:
                c.setStrokeColor(text.colour(rule.colour))
                c.setLineWidth(rule.width)
                c.line(rule.x0, rule.y, rule.x1, rule.y if rule.y1 is None else rule.y1)
            for k, mark in enumerate(page.bookmarks):
                key = f"p{page.number}-{k}"
                c.bookmarkPage(key, fit="XYZ", top=mark.y, left=0)
                c.addOutlineEntry(mark.title, key, level=mark.level)
            c.showPage()
            _content_as_bytes(c)
        c.save()
        return buf.getvalue()
