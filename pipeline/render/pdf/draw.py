"""The page model → reportlab canvas calls → raw PDF bytes. The only module that draws.

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

from reportlab.lib.colors import CMYKColor, CMYKColorSep
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas as rl_canvas

from pipeline import cjk
from pipeline.fonts.files import open_font
from pipeline.page import Colour, Document, FontRef, Glyph, GlyphRun, TextLine
from pipeline.render.pdf.embed import EmbeddedFont
from pipeline.render.pdf.photos import draw_photo, raw_streams

_PLAIN = re.compile(r"[\t\n\r -~]*")
ABSORB = 0.06  # em: a blank wider than this after a full-width glyph goes into that glyph's advance
SPACE = "\u3000"  # an ideographic space: its blank is carried by the glyph before it


def _content_as_bytes(c: rl_canvas.Canvas) -> None:
    """Hand the page just shown to reportlab with its content stream already encoded (ASCII)."""
    page = c._doc.Pages.pages[-1]  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
    if isinstance(page.stream, str) and _PLAIN.fullmatch(page.stream):
        page.stream = page.stream.encode("ascii")


def _rl_colour(colour: Colour) -> CMYKColor:
    if colour.spot:
        return CMYKColorSep(*colour.cmyk, spotName=colour.spot)
    return CMYKColor(*colour.cmyk)


def _encoded(glyphs: list[Glyph]) -> list[Glyph]:
    """The glyphs as they are written: an ideographic space between two glyphs is drawn with no
    advance where the next glyph starts (its blank goes to the glyph before)."""
    out = list(glyphs)
    for k in range(1, len(out) - 1):
        if out[k].text == SPACE:
            out[k] = out[k]._replace(x=out[k + 1].x, advance=0.0)
    return out


class _TextWriter:
    """Writes each line as one BT…ET block into the canvas's content, and embeds the fonts it uses."""

    def __init__(self, c: rl_canvas.Canvas):
        self.c = c
        self.doc = c._doc  # type: ignore[attr-defined]  # reportlab's stubs omit Canvas._doc
        self.fonts: dict[FontRef, EmbeddedFont] = {}
        self.fills: dict[Colour, str] = {}

    def fill(self, colour: Colour) -> str:
        """The fill colour operator (a spot colour is also listed for the page)."""
        if colour.spot:
            sep = self.c._checkSeparation(_rl_colour(colour))  # type: ignore[attr-defined]  # the page's colour spaces
            return f"/{sep} cs 1 scn"
        op = self.fills.get(colour)
        if op is None:
            op = self.fills[colour] = f"{fp_str(*colour.cmyk)} k"
        return op

    def font(self, ref: FontRef) -> EmbeddedFont:
        font = self.fonts.get(ref)
        if font is None:
            font = self.fonts[ref] = EmbeddedFont(open_font(ref.path, ref.index), f"J{len(self.fonts) + 1}")
        return font

    def line(self, line: TextLine) -> None:
        runs = [(run, g) for run in line.runs for g in run.glyphs]
        glyphs = _encoded([g for _, g in runs])
        # the line's text as written, for viewers that copy it; not with characters beyond the BMP,
        # which pdfium drops from an ActualText (their glyphs' ToUnicode serves them right)
        marked = all(ord(c) < 0x10000 for c in line.text)
        ops = [f"/Span <</ActualText <FEFF{line.text.encode('utf-16-be').hex().upper()}>>> BDC BT" if marked else "BT"]
        current: GlyphRun | None = None
        codes: list[str] = []
        pen = 0.0
        for k, ((run, _), g) in enumerate(zip(runs, glyphs, strict=True)):
            if run is not current:
                if codes:
                    ops.append(f"[{' '.join(codes)}] TJ")
                    codes = []
                if current is not None and current.fake_bold:
                    ops.append("0 Tr")
                ops += self.select(run)
                ops.append(f"1 0 0 1 {fp_str(g.x)} {fp_str(run.y)} Tm")
                current, pen = run, g.x
            elif abs(g.x - pen) > 0.001:
                codes.append(fp_str(-(g.x - pen) * 1000 / run.size))
            font = self.font(run.font)
            upem = font.font.units_per_em
            advance = g.advance
            if k + 1 < len(glyphs) and cjk.is_wide(g.text):  # a blank after a full-width glyph goes into its advance
                gap = glyphs[k + 1].x - (g.x + advance)
                if gap > ABSORB * run.size:
                    advance += gap
            units = round(advance / run.size * upem)
            if k + 1 == len(glyphs):  # a line's last box ends with its glyph, not with the cell's blank
                units = min(units, font.font.advance(g.gid))
            codes.append(f"<{font.cid(g.gid, units, g.text):04X}>")
            pen = g.x + units * run.size / upem
        if codes:
            ops.append(f"[{' '.join(codes)}] TJ")
        if current is not None and current.fake_bold:
            ops.append("0 Tr")
        ops.append("ET EMC" if marked else "ET")
        self.c._code.append(" ".join(ops))  # type: ignore[attr-defined]  # the page's content

    def select(self, run: GlyphRun) -> list[str]:
        """Font, size and colour operators for a run."""
        ops = [f"/{self.font(run.font).resource} {fp_str(run.size)} Tf", self.fill(run.colour)]
        if run.fake_bold:  # stroke settings precede the BT block, as reportlab's canvas calls do
            self.c.setStrokeColor(_rl_colour(run.colour))
            self.c.setLineWidth(run.fake_bold * run.size)
            ops.append("2 Tr")
        return ops

    def embed(self) -> None:
        """Add every font used to the document (before it is saved)."""
        doc = self.doc
        fonts = doc.idToObject["BasicFonts"].dict
        for font in self.fonts.values():
            if font.glyphs:
                fonts[font.resource] = _font_objects(doc, font)


def _ref(doc: pdfdoc.PDFDocument, obj: object, name: str | None = None) -> pdfdoc.PDFObjectReference:
    """A reference to ``obj`` in reportlab's document (its stubs leave ``Reference`` untyped)."""
    ref: pdfdoc.PDFObjectReference = doc.Reference(obj, name)  # type: ignore[no-untyped-call]
    return ref


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
            "FontFile2": _ref(doc, file),
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
            "FontDescriptor": _ref(doc, descriptor),
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
            "DescendantFonts": pdfdoc.PDFArray([_ref(doc, cid_font)]),
            "ToUnicode": _ref(doc, cmap),
        }
    )
    return _ref(doc, type0, font.resource)


def draw(document: Document) -> bytes:
    """Raw PDF (reportlab, invariant) with CMYK colours and bookmarks; finishing happens in ``pdf``."""
    first = document.pages[0] if document.pages else None
    size = (first.width, first.height) if first else (595.2756, 841.8898)
    with raw_streams():
        buf = io.BytesIO()
        c = rl_canvas.Canvas(buf, pagesize=size, invariant=1, pageCompression=0)
        c.setCreator("jianbao")
        text = _TextWriter(c)
        for page in document.pages:
            c.setPageSize((page.width, page.height))
            for im in page.images:
                draw_photo(c, im)
            for line in page.lines:
                text.line(line)
            for rule in page.rules:
                c.setStrokeColor(_rl_colour(rule.colour))
                c.setLineWidth(rule.width)
                c.line(rule.x0, rule.y0, rule.x1, rule.y1)
            for k, mark in enumerate(page.bookmarks):
                key = f"p{page.number}-{k}"
                c.bookmarkPage(key, fit="XYZ", top=mark.y, left=0)
                c.addOutlineEntry(mark.title, key, level=mark.level)
            c.showPage()
            _content_as_bytes(c)
        text.embed()
        c.save()
        return buf.getvalue()
