"""A TrueType subset of the glyphs a document draws, each with the advance it is set with.

Glyph ``k`` of the subset (``k`` ≥ 1; 0 is .notdef) is the ``k``-th requested (glyph id, advance)
pair: the same outline may appear twice with two advances (a glyph that carries the blank after it),
so that the embedded font program, the PDF /W array and the positions of the text all agree; a second
appearance is a 16-byte composite glyph that draws the first.
Composite glyphs bring their components along (renumbered). The character map of the subset maps
each character to the first glyph that draws it (OFD readers draw text through it).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from pipeline.fonts.files import FontFile

_KEEP = ("cvt ", "fpgm", "prep", "OS/2", "name")
ARG_WORDS, ARGS_XY, HAVE_SCALE, MORE, XY_SCALE, TWO_BY_TWO = 0x0001, 0x0002, 0x0008, 0x0020, 0x0040, 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


class _Glyphs:
    """The original font's loca/glyf/hmtx, read once per subset."""

    def __init__(self, font: FontFile):
        h = font.header
        raw = font.read_tables(("loca", "glyf", "hmtx", "head", "hhea", "maxp", "post", *_KEEP))
        self.raw = raw
        loca = raw["loca"]
        n = h.num_glyphs + 1
        if h.long_loca:
            self.loca = struct.unpack(f">{n}I", loca[: 4 * n])
        else:
            self.loca = tuple(2 * v for v in struct.unpack(f">{n}H", loca[: 2 * n]))
        self.glyf = raw["glyf"]
        self.hmtx = raw["hmtx"]
        self.num_hmetrics = h.num_hmetrics

    def lsb(self, gid: int) -> int:
        """The glyph's left side bearing (hmtx)."""
        nh = self.num_hmetrics
        at = 4 * gid + 2 if gid < nh else 4 * nh + 2 * (gid - nh)
        return int(struct.unpack_from(">h", self.hmtx, at)[0]) if at + 2 <= len(self.hmtx) else 0

    def data(self, gid: int) -> bytes:
        return self.glyf[self.loca[gid] : self.loca[gid + 1]]


def _components(data: bytes) -> list[tuple[int, int]]:
    """(offset of the glyph index, glyph index) of each component of a composite glyph."""
    out = []
    at = 10
    while True:
        flags, gid = struct.unpack_from(">HH", data, at)
        out.append((at + 2, gid))
        at += 4 + (4 if flags & ARG_WORDS else 2)
        at += 8 if flags & TWO_BY_TWO else 4 if flags & XY_SCALE else 2 if flags & HAVE_SCALE else 0
        if not flags & MORE:
            return out


def _reference(data: bytes, first: int) -> bytes:
    """A composite glyph drawing subset glyph ``first`` unmoved: 16 bytes instead of a second outline."""
    return struct.pack(">h", -1) + data[2:10] + struct.pack(">HHbb", ARGS_XY, first, 0, 0)


def make_subset(font: FontFile, glyphs: Sequence[tuple[int, int]], chars: dict[int, int]) -> bytes:
    """The subset font program: ``glyphs`` are (original glyph id, advance in font units) in subset
    order from glyph 1; ``chars`` maps code points to subset glyph ids for its character map."""
    src = _Glyphs(font)
    order: list[tuple[int, int]] = [(0, font.advance(0)), *glyphs]
    known: dict[int, int] = {}  # original gid → first subset gid (for components)
    for k, (gid, _) in enumerate(order):
        known.setdefault(gid, k)
    datas: list[bytes] = []
    copies = False
    k = 0
    while k < len(order):  # components join the order as they are found
        gid, _ = order[k]
        data = src.data(gid)
        if known[gid] != k and len(data) >= 10:  # the same outline with another advance: refer to the first
            data = _reference(data, known[gid])
            copies = True
        elif len(data) >= 10 and struct.unpack_from(">h", data, 0)[0] < 0:
            patched = bytearray(data)
            for at, comp in _components(data):
                if comp not in known:
                    known[comp] = len(order)
                    order.append((comp, font.advance(comp)))
                struct.pack_into(">H", patched, at, known[comp])
            data = bytes(patched)
        datas.append(data + b"\0" * (-len(data) % 4))
        k += 1
    n = len(order)
    loca, at = [], 0
    for d in datas:
        loca.append(at)
        at += len(d)
    loca.append(at)
    raw = src.raw
    head = bytearray(raw["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
    struct.pack_into(">h", head, 50, 1)  # long loca
    hhea = bytearray(raw["hhea"])
    struct.pack_into(">H", hhea, 10, max(adv for _, adv in order))  # advanceWidthMax
    struct.pack_into(">H", hhea, 34, n)
    maxp = bytearray(raw["maxp"])
    struct.pack_into(">H", maxp, 4, n)
    if copies and len(maxp) >= 32:  # version 1.0: the composite limits now cover the references
        points, contours, cpoints, ccontours = struct.unpack_from(">4H", maxp, 6)
        elements, depth = struct.unpack_from(">2H", maxp, 28)
        struct.pack_into(">2H", maxp, 10, max(points, cpoints), max(contours, ccontours))
        struct.pack_into(">2H", maxp, 28, max(elements, 1), depth + 1)
    hmtx = b"".join(struct.pack(">Hh", adv, src.lsb(gid)) for gid, adv in order)
    post = raw["post"][:32] if "post" in raw else b"\0" * 32
    post = struct.pack(">I", 0x00030000) + post[4:32]
    tables = {
        "head": bytes(head),
        "hhea": bytes(hhea),
        "maxp": bytes(maxp),
        "hmtx": hmtx,
        "loca": struct.pack(f">{n + 1}I", *loca),
        "glyf": b"".join(datas),
        "post": post,
        "cmap": _cmap_table(chars),
    }
    tables.update({tag: raw[tag] for tag in _KEEP if tag in raw})
    return _assemble(tables)


def _cmap_table(chars: dict[int, int]) -> bytes:
    """A character map with a format 4 subtable (BMP) and a format 12 subtable (all code points)."""
    codes = sorted(chars)
    bmp = [c for c in codes if c < 0xFFFF]
    # format 4: one segment per code (small subsets), plus the closing 0xFFFF segment
    segs = len(bmp) + 1
    ends = [*bmp, 0xFFFF]
    deltas = [(chars[c] - c) & 0xFFFF for c in bmp] + [1]
    search = 2 ** (segs.bit_length() - 1) * 2
    f4 = struct.pack(">HHHH", segs * 2, search, (search // 2).bit_length() - 1, segs * 2 - search)
    f4 += struct.pack(f">{segs}H", *ends) + b"\0\0" + struct.pack(f">{segs}H", *ends)
    f4 += struct.pack(f">{segs}H", *deltas) + struct.pack(f">{segs}H", *([0] * segs))
    f4 = struct.pack(">HHH", 4, 6 + len(f4), 0) + f4
    groups = b"".join(struct.pack(">III", c, c, chars[c]) for c in codes)
    f12 = struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(codes)) + groups
    records = struct.pack(">HHI", 3, 1, 4 + 16) + struct.pack(">HHI", 3, 10, 4 + 16 + len(f4))
    return struct.pack(">HH", 0, 2) + records + f4 + f12


def _assemble(tables: dict[str, bytes]) -> bytes:
    """An sfnt file from its tables, with checksums and the head's checkSumAdjustment."""
    tags = sorted(tables)
    n = len(tags)
    search = 2 ** (n.bit_length() - 1) * 16
    header = struct.pack(">IHHHH", 0x00010000, n, search, (search // 16).bit_length() - 1, n * 16 - search)
    offset = 12 + 16 * n
    directory, body = b"", b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    head_at = offset + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[: tags.index("head")])
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
