"""TrueType font files: metrics and character map for composition, glyph outlines for embedding.

A font file is parsed once per user, not once per build: what composition and the font descriptor
need (the character map, advance widths, the header values) is kept in a small cache file per font,
keyed by the file's path, size and modification time, in ``$XDG_CACHE_HOME/jianbao/fonts``
(``JIANBAO_CACHE_DIR`` overrides the folder; an empty value turns the cache off). A build reads the
file itself only to copy out the outlines of the glyphs it embeds. Output is the same with or without
the cache. Only TrueType (glyf) outlines are read; a collection (.ttc) gives its first face unless
another index is asked for.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import marshal
import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

from pipeline import safeio
from pipeline.cache import cache_path, store
from pipeline.errors import JianbaoError, Location, os_reason

CACHE_FORMAT = 1
MAX_FONT_BYTES = 200_000_000  # the largest CJK TrueType fonts are a few tens of MB
NOT_TRUETYPE = "只支持 TrueType（glyf）轮廓的 .ttf 字体；OTF/CFF 字体请先用 fonts/build_fonts.py 转换"


@dataclass(frozen=True)
class FontHeader:
    """The values of a font that the PDF font descriptor and the subset need (font units)."""

    ps_name: str
    units_per_em: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    weight: int
    num_glyphs: int
    num_hmetrics: int
    long_loca: bool
    tables: tuple[tuple[str, int, int], ...]  # (tag, offset, length) in the file


def _u16(data: bytes, at: int) -> int:
    return int(struct.unpack_from(">H", data, at)[0])


def _i16(data: bytes, at: int) -> int:
    return int(struct.unpack_from(">h", data, at)[0])


def _u32(data: bytes, at: int) -> int:
    return int(struct.unpack_from(">I", data, at)[0])


class FontFile:
    """One face of a TrueType font file: ``glyph(ch)``, ``advance(gid)`` and the raw tables for subsetting."""

    def __init__(self, path: Path, index: int = 0):
        self.path = path
        self.index = index
        self.stamp = _stamp(path)
        cached = _read_cache(path, index, self.stamp)
        if cached is None:
            cached = _parse(path, index)
            folder = cache_path("fonts")
            if folder is not None:
                store(_cache_file(folder, path, index), _pack(cached, _cache_key(path, index, self.stamp)))
        self.header, self._codes, self._gids, self._advances = cached

    @property
    def units_per_em(self) -> int:
        return self.header.units_per_em

    def glyph(self, ch: str) -> int:
        """The glyph id of ``ch``, 0 when the font lacks it."""
        code = ord(ch)
        k = bisect.bisect_left(self._codes, code)
        return self._gids[k] if k < len(self._codes) and self._codes[k] == code else 0

    def has(self, ch: str) -> bool:
        return self.glyph(ch) != 0

    def advance(self, gid: int) -> int:
        """Advance width of glyph ``gid`` in font units."""
        return self._advances[min(gid, len(self._advances) - 1)]

    def char_advance(self, ch: str) -> float:
        """Advance of ``ch`` in em."""
        return self.advance(self.glyph(ch)) / self.header.units_per_em

    def cmap_items(self) -> list[tuple[int, int]]:
        return list(zip(self._codes, self._gids, strict=True))

    def read_tables(self, tags: tuple[str, ...]) -> dict[str, bytes]:
        """The raw bytes of the tables named (those the font has), read from the file now."""
        if _stamp(self.path) != self.stamp:
            raise JianbaoError(f"字体文件 {self.path.name} 在排版过程中被改动", Location(str(self.path)))
        where = {tag: (offset, length) for tag, offset, length in self.header.tables}
        out: dict[str, bytes] = {}
        try:
            with safeio.open_regular(self.path, MAX_FONT_BYTES) as fh:
                for tag in tags:
                    if tag in where:
                        offset, length = where[tag]
                        fh.seek(offset)
                        out[tag] = fh.read(length)
        except OSError as exc:
            raise JianbaoError(f"无法读取字体 {self.path.name}：{os_reason(exc)}", Location(str(self.path))) from None
        return out


@functools.lru_cache(maxsize=32)
def _open(path: str, index: int, stamp: tuple[int, int]) -> FontFile:
    return FontFile(Path(path), index)


def open_font(path: str, index: int = 0) -> FontFile:
    """The font file at ``path``, read once per process while the file is unchanged (size and time)."""
    return _open(path, index, _stamp(Path(path)))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = safeio.regular_stat(path, MAX_FONT_BYTES)
    except OSError as exc:
        raise JianbaoError(f"无法读取字体 {path.name}：{os_reason(exc)}", Location(str(path))) from None
    return st.st_size, st.st_mtime_ns


Parsed = tuple[FontHeader, array, array, array]  # header, sorted code points, their glyphs, advances


def _parse(path: Path, index: int) -> Parsed:
    try:
        data = safeio.read_bytes(path, MAX_FONT_BYTES)
        return _parse_bytes(data, index)
    except OSError as exc:
        raise JianbaoError(f"无法读取字体 {path.name}：{os_reason(exc)}", Location(str(path))) from None
    except (struct.error, IndexError, KeyError, ValueError):
        raise JianbaoError(f"无法读取字体 {path.name}：不是可用的 TrueType 字体文件", Location(str(path)), NOT_TRUETYPE) from None


def _parse_bytes(data: bytes, index: int) -> Parsed:
    start = 0
    if data[:4] == b"ttcf":
        count = _u32(data, 8)
        if index >= count:
            raise ValueError("no such face")
        start = _u32(data, 12 + 4 * index)
    if data[start : start + 4] not in (b"\x00\x01\x00\x00", b"true"):
        raise ValueError("not TrueType outlines")
    num_tables = _u16(data, start + 4)
    tables = {}
    for k in range(num_tables):
        rec = start + 12 + 16 * k
        tag = data[rec : rec + 4].decode("latin-1")
        tables[tag] = (_u32(data, rec + 8), _u32(data, rec + 12))
    for required in ("head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"):
        if required not in tables:
            raise ValueError(f"no {required} table")

    def table(tag: str) -> bytes:
        offset, length = tables[tag]
        return data[offset : offset + length]

    head, hhea, maxp = table("head"), table("hhea"), table("maxp")
    upem = _u16(head, 18)
    bbox = (_i16(head, 36), _i16(head, 38), _i16(head, 40), _i16(head, 42))
    num_glyphs = _u16(maxp, 4)
    num_hmetrics = max(1, min(_u16(hhea, 34), num_glyphs))
    hmtx = table("hmtx")
    advances = array("H", (_u16(hmtx, 4 * k) for k in range(num_hmetrics)))
    advances.extend([advances[-1]] * (num_glyphs - num_hmetrics))
    ascent, descent = _i16(hhea, 4), _i16(hhea, 6)
    cap_height, weight = round(0.7 * upem), 400
    if "OS/2" in tables:
        os2 = table("OS/2")
        weight = _u16(os2, 4)
        if len(os2) >= 72:
            ascent, descent = _i16(os2, 68), _i16(os2, 70)
        if _u16(os2, 0) >= 2 and len(os2) >= 90:
            cap_height = _i16(os2, 88) or cap_height
    italic = 0.0
    if "post" in tables:
        post = table("post")
        italic = struct.unpack_from(">i", post, 4)[0] / 65536
    ps_name = _ps_name(table("name")) if "name" in tables else ""
    codes, gids = _cmap(table("cmap"), num_glyphs)
    header = FontHeader(
        ps_name=ps_name or "Font",
        units_per_em=upem,
        bbox=bbox,
        ascent=ascent,
        descent=descent,
        cap_height=cap_height,
        italic_angle=italic,
        weight=weight,
        num_glyphs=num_glyphs,
        num_hmetrics=num_hmetrics,
        long_loca=_i16(head, 50) == 1,
        tables=tuple((tag, offset, length) for tag, (offset, length) in sorted(tables.items())),
    )
    return header, codes, gids, advances


def _ps_name(name: bytes) -> str:
    """The PostScript name (name id 6), as PDF name characters."""
    count, strings = _u16(name, 2), _u16(name, 4)
    for k in range(count):
        rec = 6 + 12 * k
        platform, encoding, name_id = _u16(name, rec), _u16(name, rec + 2), _u16(name, rec + 6)
        if name_id != 6:
            continue
        length, offset = _u16(name, rec + 8), _u16(name, rec + 10)
        raw = name[strings + offset : strings + offset + length]
        text = (
            raw.decode("utf-16-be", "replace") if platform in (0, 3) or (platform, encoding) == (3, 1) else raw.decode("latin-1")
        )
        cleaned = "".join(c for c in text if (c.isascii() and c.isalnum()) or c in "-_")
        if cleaned:
            return cleaned
    return ""


def _cmap(cmap: bytes, num_glyphs: int) -> tuple[array, array]:
    """Code points and glyph ids, sorted, from the best Unicode subtable (format 12, else format 4)."""
    subtables = {}
    for k in range(_u16(cmap, 2)):
        rec = 4 + 8 * k
        subtables[(_u16(cmap, rec), _u16(cmap, rec + 2))] = _u32(cmap, rec + 4)
    mapping: dict[int, int] = {}
    for key in ((3, 10), (0, 6), (0, 4)):
        if key in subtables and _u16(cmap, subtables[key]) == 12:
            _format12(cmap, subtables[key], mapping)
            break
    else:
        for key in ((3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            if key in subtables and _u16(cmap, subtables[key]) == 4:
                _format4(cmap, subtables[key], mapping)
                break
        else:
            raise ValueError("no Unicode character map")
    codes = array("I", sorted(c for c, g in mapping.items() if 0 < g < num_glyphs))
    gids = array("H", (mapping[c] for c in codes))
    return codes, gids


def _format4(cmap: bytes, at: int, out: dict[int, int]) -> None:
    segs = _u16(cmap, at + 6) // 2
    ends, starts = at + 14, at + 16 + 2 * segs
    deltas, ranges = starts + 2 * segs, starts + 4 * segs
    for s in range(segs):
        end, first = _u16(cmap, ends + 2 * s), _u16(cmap, starts + 2 * s)
        delta, offset = _i16(cmap, deltas + 2 * s), _u16(cmap, ranges + 2 * s)
        for code in range(first, min(end, 0xFFFE) + 1):
            if offset == 0:
                gid = (code + delta) & 0xFFFF
            else:
                pos = ranges + 2 * s + offset + 2 * (code - first)
                gid = _u16(cmap, pos)
                gid = (gid + delta) & 0xFFFF if gid else 0
            if gid:
                out[code] = gid


def _format12(cmap: bytes, at: int, out: dict[int, int]) -> None:
    groups = _u32(cmap, at + 12)
    for g in range(groups):
        rec = at + 16 + 12 * g
        first, last, gid = _u32(cmap, rec), _u32(cmap, rec + 4), _u32(cmap, rec + 8)
        for code in range(first, min(last, 0x10FFFF) + 1):
            out[code] = gid + code - first


# ------------------------------------------------------------------------------------------- cache
def _cache_key(path: Path, index: int, stamp: tuple[int, int]) -> str:
    return f"{CACHE_FORMAT}|{sys.version_info[:2]}|{path}|{index}|{stamp[0]}|{stamp[1]}"


def _cache_file(folder: Path, path: Path, index: int) -> Path:
    digest = hashlib.sha1(f"{path}|{index}".encode()).hexdigest()[:16]
    return folder / f"{path.stem}-{digest}.font"


def _pack(parsed: Parsed, key: str) -> bytes:
    header, codes, gids, advances = parsed
    fields = (
        header.ps_name,
        header.units_per_em,
        header.bbox,
        header.ascent,
        header.descent,
        header.cap_height,
        header.italic_angle,
        header.weight,
        header.num_glyphs,
        header.num_hmetrics,
        header.long_loca,
        header.tables,
    )
    return marshal.dumps((key, fields, codes.tobytes(), gids.tobytes(), advances.tobytes()))


def _read_cache(path: Path, index: int, stamp: tuple[int, int]) -> Parsed | None:
    folder = cache_path("fonts")
    if folder is None:
        return None
    try:
        blob = safeio.read_bytes(_cache_file(folder, path, index), MAX_FONT_BYTES)
        key, fields, codes, gids, advances = marshal.loads(blob)
        if key != _cache_key(path, index, stamp):
            return None
        header = FontHeader(*fields)
        out = array("I"), array("H"), array("H")
        out[0].frombytes(codes)
        out[1].frombytes(gids)
        out[2].frombytes(advances)
        if len(out[0]) != len(out[1]) or len(out[2]) != header.num_glyphs:
            return None
        return header, *out
    except Exception:  # no entry, or a damaged or foreign file: parse the font again
        return None
