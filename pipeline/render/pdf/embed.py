"""One font file's glyphs in one PDF: character ids, the subset font program, /W and ToUnicode.

Each (glyph, advance) pair the document draws gets a character id (CID) in the order of first use;
the embedded TrueType subset has the same glyph at the same index (CIDToGIDMap /Identity), with that
advance in its hmtx, and /W gives the same width: a glyph that carries the blank after it (the
ideographic space) is a second CID with the same outline and a wider advance. ToUnicode
maps every CID to the text it draws. The subset tag is derived from the glyphs, so two fonts (or two
subsets of one font) in a file never share a tag, and the same document gives the same tag.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field

from pipeline.fonts.files import FontFile
from pipeline.fonts.subset import make_subset

_CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_CMAP_TAIL = """endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


@dataclass
class EmbeddedFont:
    """The glyphs of one font file that a document uses, in first-use order."""

    font: FontFile
    resource: str  # the font's name in the pages' resources, e.g. "J1"
    cids: dict[tuple[int, int], int] = field(default_factory=dict)  # (glyph id, advance units) → CID
    glyphs: list[tuple[int, int]] = field(default_factory=list)  # CID k+1 → (glyph id, advance units)
    texts: list[str] = field(default_factory=list)  # CID k+1 → the text it draws

    def cid(self, gid: int, advance: int, text: str) -> int:
        """The CID of glyph ``gid`` set with an advance of ``advance`` font units."""
        key = (gid, advance)
        cid = self.cids.get(key)
        if cid is None:
            cid = self.cids[key] = len(self.glyphs) + 1
            self.glyphs.append(key)
            self.texts.append(text)
        return cid

    @property
    def tag(self) -> str:
        """Six capitals from a hash of the font and its glyphs (PDF subset tag)."""
        digest = hashlib.sha256(f"{self.font.header.ps_name}|{self.glyphs}".encode()).digest()
        return "".join(string.ascii_uppercase[b % 26] for b in digest[:6])

    @property
    def base_name(self) -> str:
        return f"{self.tag}+{self.font.header.ps_name}"

    def program(self) -> bytes:
        """The TrueType subset: glyph k is CID k."""
        chars: dict[int, int] = {}
        for cid, text in enumerate(self.texts, start=1):
            if len(text) == 1:
                chars.setdefault(ord(text), cid)
        return make_subset(self.font, self.glyphs, chars)

    def widths(self) -> list[int | list[float]]:
        """The /W array: runs of consecutive CIDs with their widths (per 1000 em)."""
        scale = 1000 / self.font.units_per_em
        return [1, [round(adv * scale, 3) for _, adv in self.glyphs]] if self.glyphs else []

    def to_unicode(self) -> bytes:
        """The ToUnicode CMap: every CID to its text in UTF-16BE."""
        lines = []
        entries = list(enumerate(self.texts, start=1))
        for start in range(0, len(entries), 100):
            block = entries[start : start + 100]
            lines.append(f"{len(block)} beginbfchar")
            lines += [f"<{cid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for cid, text in block]
            lines.append("endbfchar")
        return (_CMAP_HEAD + "\n".join(lines) + "\n" + _CMAP_TAIL).encode("ascii")

    def descriptor(self) -> dict[str, object]:
        """The font descriptor's values (per 1000 em)."""
        h = self.font.header
        scale = 1000 / h.units_per_em
        return {
            "Flags": 4,
            "FontBBox": [round(v * scale) for v in h.bbox],
            "ItalicAngle": h.italic_angle,
            "Ascent": round(h.ascent * scale),
            "Descent": round(h.descent * scale),
            "CapHeight": round(h.cap_height * scale),
            "StemV": round(50 + h.weight * 0.15),
        }
