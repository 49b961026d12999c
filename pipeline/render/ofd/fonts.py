"""The glyphs of one font file that the document draws, as an embedded TrueType subset.

An OFD reader draws the characters of a TextCode through the embedded font's character map, so the
subset maps every character that the text objects use to its glyph (``subset.make_subset`` writes the
cmap, glyf, hmtx, name, OS/2 and post tables). A glyph that the character map cannot name (a second
glyph for a character already mapped, or one glyph for several characters) is drawn through a
CGTransform instead, which names the subset glyph directly.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from pipeline.fonts.files import FontFile, open_font
from pipeline.fonts.subset import make_subset
from pipeline.page import FontRef
from pipeline.render.ofd import xmltree


@dataclass
class FontSubset:
    """One font of the document: its resource ID and the glyphs drawn with it, in first-use order."""

    ref: FontRef
    id: int
    font: FontFile = field(init=False)
    gids: list[int] = field(default_factory=list)  # subset glyph k + 1 is original glyph gids[k]
    index: dict[int, int] = field(default_factory=dict)  # original glyph id → subset glyph id
    chars: dict[int, int] = field(default_factory=dict)  # code point → subset glyph id (the cmap)

    def __post_init__(self) -> None:
        self.font = open_font(self.ref.path, self.ref.index)

    @property
    def file_name(self) -> str:
        return f"font_{self.id}.ttf"

    def use(self, gid: int, text: str) -> int | None:
        """Record glyph ``gid`` drawn for ``text``: None when the character map draws ``text`` with it,
        otherwise the subset glyph id for a CGTransform."""
        if not text:
            raise ValueError(f"glyph {gid} has no text: OFD cannot place it")
        glyph = self.index.get(gid)
        if glyph is None:
            self.gids.append(gid)
            glyph = self.index[gid] = len(self.gids)
        if len(text) > 1:
            return glyph
        return None if self.chars.setdefault(ord(text), glyph) == glyph else glyph

    def program(self) -> bytes:
        """The subset font file: the glyphs used, with their own advances, and the character map."""
        return make_subset(self.font, [(gid, self.font.advance(gid)) for gid in self.gids], self.chars)

    def extent(self) -> tuple[float, float]:
        """(ascent, descent) in em, positive, large enough for every glyph of the font (its bounding box)."""
        h = self.font.header
        return max(h.bbox[3], h.ascent) / h.units_per_em, max(-h.bbox[1], -h.descent) / h.units_per_em

    def element(self, parent: ET.Element) -> None:
        """The ``Font`` entry of the public resources."""
        h = self.font.header
        attrs = {"ID": str(self.id), "FontName": h.ps_name}
        family = family_name(self.font)
        if family:
            attrs["FamilyName"] = family
        if h.italic_angle:
            attrs["Italic"] = "true"
        if h.weight >= 600:
            attrs["Bold"] = "true"
        font = xmltree.sub(parent, "Font", attrs)
        xmltree.sub(font, "FontFile", text=self.file_name)


def family_name(font: FontFile) -> str:
    """The font's family name (name id 1, a Windows Unicode record), or ""."""
    name = font.read_tables(("name",)).get("name", b"")
    if len(name) < 6:
        return ""
    count, strings = struct.unpack_from(">HH", name, 2)
    found: dict[int, str] = {}
    for k in range(count):
        rec = 6 + 12 * k
        if rec + 12 > len(name):
            break
        platform, encoding, language, name_id, length, offset = struct.unpack_from(">6H", name, rec)
        if platform == 3 and encoding in (1, 10) and name_id == 1:
            text = name[strings + offset : strings + offset + length].decode("utf-16-be", "replace")
            found.setdefault(0 if language == 0x409 else 1, text)
    return found[min(found)] if found else ""
