"""Pages → reportlab canvas calls → raw PDF bytes. The only module that draws.

Text is written as PDF operators straight into the canvas's content, one ``BT … ET`` block per line,
each run of one font, size and colour as one ``TJ`` array of two-byte character ids: the glyph
positions of the composition are the pen positions, every difference from the glyphs' advances (a
squeezed mark, an even spread, the quarter em beside a Latin run) written as a TJ adjustment. A
blank after a full-width glyph (an ideographic space, the gap before a Latin run) is carried by that
glyph's advance instead (a second character id with the same outline and the wider advance,
``pdffont``), so that text extractors see no gap there. Each line is also marked with its text as
written (``/ActualText``), which PDF viewers copy out as it is. Fonts are embedded by ``pdffont`` as
Type 0 fonts with TrueType subsets, not by reportlab.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from reportlab.lib.colors import CMYKColor, CMYKColorSep
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas as rl_canvas

from . import cjk
from .compose import Glyph
from .draw_photos import draw_photo, raw_streams
from .fontfile import FontFile
from .layout import Layout
from .paginate import Page, PlacedLine
from .pdffont import EmbeddedFont

_PLAIN = re.compile(r"[\t\n\r -~]*")
ABSORB = 0.06  # em: a blank (or an overlap) wider than this after a glyph goes into that glyph's advance
SPACE = "\u3000"  # an ideographic space: its blank is carried by the glyph before it


def _content_as_bytes(c: rl_canvas.Canvas) -> None:
    """Hand the page just shown to reportlab with its content stream already encoded (ASCII)."""
    page = c._doc.Pages.pages[-1]  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
    if isinstance(page.stream, str) and _PLAIN.fullmatch(page.stream):
        page.stream = page.stream.encode("ascii")


def _colour(layout: Layout, name: str) -> CMYKColor:
    c = layout.colour(name)
    cyan, magenta, yellow, black = (v / 100.0 for v in c.cmyk)
    if c.spot:
        return CMYKColorSep(cyan, magenta, yellow, black, spotName=c.spot)
    return CMYKColor(cyan, magenta, yellow, black)


def _encoded(glyphs: tuple[Glyph, ...]) -> list[Glyph]:
    """The line's glyphs as they are written: an ideographic space between two glyphs is drawn with no
    advance where the next glyph starts (its blank goes to the glyph before)."""
    out = list(glyphs)
    for k in range(1, len(out) - 1):
        if out[k].ch == SPACE:
            out[k] = out[k]._replace(x=out[k + 1].x, advance=0.0)
    return out


class _TextWriter:
    """Writes each line as one BT…ET block into the canvas's content, and embeds the fonts it uses."""

    def __init__(self, c: rl_canvas.Canvas, layout: Layout, files: Mapping[str, FontFile]):
        self.c = c
        self.doc = c._doc  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
        self.layout = layout
        self.files = files
        self.fonts: dict[str, EmbeddedFont] = {}
        self.colours: dict[str, CMYKColor] = {}
        self.fills: dict[str, str] = {}

    def colour(self, name: str) -> CMYKColor:
        col = self.colours.get(name)
        if col is None:
            col = self.colours[name] = _colour(self.layout, name)
        return col

    def fill(self, name: str) -> str:
        """The fill colour operator for colour ``name`` (a spot colour is also listed for the page)."""
        col = self.colour(name)
        if isinstance(col, CMYKColorSep):
            sep = self.c._checkSeparation(col)  # type: ignore[attr-defined]  # the page's colour spaces
            return f"/{sep} cs {fp_str(col.density)} scn"
        op = self.fills.get(name)
        if op is None:
            d = col.density
            op = self.fills[name] = f"{fp_str(d * col.cyan, d * col.magenta, d * col.yellow, d * col.black)} k"
        return op

    def font(self, name: str) -> EmbeddedFont:
        font = self.fonts.get(name)
        if font is None:
            font = self.fonts[name] = EmbeddedFont(self.files[name], f"J{len(self.fonts) + 1}")
        return font

    def line(self, pl: PlacedLine) -> None:
        glyphs = _encoded(pl.line.glyphs)
        text = "".join(g.ch for g in glyphs)
        # the line's text as written, for viewers that copy it; not with characters beyond the BMP,
        # which pdfium drops from an ActualText (their glyphs' ToUnicode serves them right)
        marked = all(ord(c) < 0x10000 for c in text)
        ops = [f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC BT" if marked else "BT"]
        style: tuple[str, float, str, float] | None = None
        codes: list[str] = []
        pen = 0.0
        n = len(glyphs)
        for k, g in enumerate(glyphs):
            key = (g.font, g.size, g.colour, g.fake_bold)
            if key != style:
                if codes:
                    ops.append(f"[{' '.join(codes)}] TJ")
                    codes = []
                if style is not None and style[3]:
                    ops.append("0 Tr")
                ops += self.select(g)
                ops.append(f"1 0 0 1 {fp_str(pl.x + g.x)} {fp_str(pl.baseline)} Tm")
                style, pen = key, g.x
            elif abs(g.x - pen) > 0.001:
                codes.append(fp_str(-(g.x - pen) * 1000 / g.size))
            font = self.font(g.font)
            file = font.font
            upem = file.units_per_em
            advance = g.advance if g.advance or g.ch == SPACE else file.char_advance(g.ch) * g.size
            if k + 1 < n and cjk.is_wide(g.ch):  # a blank after a full-width glyph goes into its advance
                gap = glyphs[k + 1].x - (g.x + advance)
                if gap > ABSORB * g.size:
                    advance += gap
            units = round(advance / g.size * upem)
            codes.append(f"<{font.cid(file.glyph(g.ch), units, g.ch):04X}>")
            pen = g.x + units * g.size / upem
        if codes:
            ops.append(f"[{' '.join(codes)}] TJ")
        if style is not None and style[3]:
            ops.append("0 Tr")
        ops.append("ET EMC" if marked else "ET")
        self.c._code.append(" ".join(ops))  # type: ignore[attr-defined]  # the page's content

    def select(self, g: Glyph) -> list[str]:
        """Font, size and colour operators for a run of glyphs like ``g``."""
        ops = [f"/{self.font(g.font).resource} {fp_str(g.size)} Tf", self.fill(g.colour)]
        if g.fake_bold:  # stroke settings precede the BT block, as reportlab's canvas calls do
            self.c.setStrokeColor(self.colour(g.colour))
            self.c.setLineWidth(g.fake_bold * g.size)
            ops.append("2 Tr")
        return ops

    def embed(self) -> None:
        """Add every font used to the document (before it is saved)."""
        doc = self.doc
        fonts = doc.idToObject["BasicFonts"].dict
        for font in self.fonts.values():
            if font.glyphs:
                fonts[font.resource] = _font_objects(doc, font)


def _font_objects(doc: pdfdoc.PDFDocument, font: EmbeddedFont) -> pdfdoc.PDFObjectReference:
    """The Type 0 font, its CIDFontType2 descendant, descriptor, font program and ToUnicode."""
    name = pdfdoc.PDFName(font.base_name)
    program = font.program()
    file = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Length1": len(program)}), program, filters=[])
    values = font.descriptor()
    descriptor = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": name,
            **{k: pdfdoc.PDFArray(v) if isinstance(v, list) else v for k, v in values.items()},
            "FontFile2": doc.Reference(file),
        }
    )
    widths = pdfdoc.PDFArray([pdfdoc.PDFArray(w) if isinstance(w, list) else w for w in font.widths()])
    system = pdfdoc.PDFDictionary(
        {"Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"), "Supplement": 0}
    )
    cid_font = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("CIDFontType2"),
            "BaseFont": name,
            "CIDSystemInfo": system,
            "FontDescriptor": doc.Reference(descriptor),
            "DW": 1000,
            "W": widths,
            "CIDToGIDMap": pdfdoc.PDFName("Identity"),
        }
    )
    cmap = pdfdoc.PDFStream(content=font.to_unicode(), filters=[])
    type0 = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": name,
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cid_font)]),
            "ToUnicode": doc.Reference(cmap),
        }
    )
    return doc.Reference(type0, font.resource)


def draw(pages: list[Page], layout: Layout, files: Mapping[str, FontFile]) -> bytes:
    """Raw PDF (reportlab, invariant) with CMYK colours and bookmarks; finishing happens in ``pdf``.
    ``files`` gives the font file of each font name the glyphs use."""
    with raw_streams():
        buf = io.BytesIO()
        c = rl_canvas.Canvas(buf, pagesize=(layout.page.width, layout.page.height), invariant=1, pageCompression=0)
        c.setCreator("jianbao")
        text = _TextWriter(c, layout, files)
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
        text.embed()
        c.save()
        return buf.getvalue()
