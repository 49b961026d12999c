"""TrueType fonts for reportlab, with a per-user metrics cache. The only module that registers fonts.

A font file is parsed once per user, not once per build: the tables reportlab reads from it (cmap,
advance widths, glyph locations, the values of the font descriptor) are kept in a small metrics
cache, one file per font, keyed by the font file's path, size and modification time, in
``$XDG_CACHE_HOME/jianbao/fonts`` (``~/.cache/…``; ``JIANBAO_CACHE_DIR`` overrides the folder, and an
empty ``JIANBAO_CACHE_DIR`` turns the cache off). A build then opens a font file only to copy out
the outlines of the glyphs it embeds, and a fallback font costs nothing until a character needs it.
The PDF is the same byte for byte with or without the cache: the cached values are reportlab's own.
"""

from __future__ import annotations

import hashlib
import marshal
import struct
import sys
from array import array
from collections.abc import Iterator, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab import Version as REPORTLAB_VERSION
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace, TTFontFile

from . import variants
from .cache import cache_path, store
from .errors import JianbaoError, Location

CACHE_FORMAT = 4
_LAZY = ("hmetrics", "glyphPos")  # needed only to subset: unpacked on first use
_DROPPED = ("_ttf_data", "_pdfScale", "glyphToChar", *_LAZY)  # not cached (or cached apart)


def registered(path: Path) -> TTFont:
    """The reportlab font for ``path``, registered under its file stem; loaded once per process."""
    stamp = _stamp(path)
    source = (path, stamp)
    known = set(pdfmetrics.getRegisteredFontNames())  # (getFont would search the disk for AFM files)
    name = path.stem
    for candidate in (path.stem, f"{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"):
        name = candidate
        if candidate not in known:
            break
        other = pdfmetrics.getFont(candidate)
        if isinstance(other, TTFont) and getattr(other, "_jianbao_source", None) == source:
            return other
        if getattr(other, "_jianbao_source", source)[0] == path:  # an older version of this file
            break
    font = _CachedTTFont(name, _face(path, stamp))
    font._jianbao_source = source
    pdfmetrics.registerFont(font)
    if pdfmetrics.getFont(name) is not font:  # reportlab aliases fonts that share a PostScript name
        pdfmetrics._fonts[name] = font  # type: ignore[attr-defined]
    return font


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        from .errors import os_reason

        raise JianbaoError(f"无法读取字体 {path.name}：{os_reason(exc)}", Location(str(path))) from None
    return st.st_size, st.st_mtime_ns


def _face(path: Path, stamp: tuple[int, int]) -> TTFontFace:
    """The parsed font: from the metrics cache, or parsed now (and cached for the next build)."""
    key = f"{CACHE_FORMAT}|{REPORTLAB_VERSION}|{sys.version_info[:2]}|{path}|{stamp[0]}|{stamp[1]}"
    cache = _cache_file(path)
    if cache is not None:
        face = _read_cache(cache, key, path, stamp)
        if face is not None:
            return face
    try:
        parsed = TTFontFace(str(path))
    except Exception:  # reportlab raises TTFError, struct.error, IndexError… for a bad file
        hint = "只支持 TrueType（glyf）轮廓的 .ttf 字体；OTF/CFF 字体请先用 fonts/build_fonts.py 转换"
        raise JianbaoError(f"无法读取字体 {path.name}：不是可用的 TrueType 字体文件", Location(str(path)), hint) from None
    _fix_shared_advances(parsed)
    blob = _pack(parsed, key)
    if blob is None:
        return parsed  # an attribute the cache cannot hold (a newer reportlab?): use the parse as it is
    if cache is not None:
        store(cache, blob)
    face = _unpack(blob, key, path, stamp)
    return face if face is not None else parsed


def _fix_shared_advances(face: TTFontFace) -> None:
    """Give glyphs past hhea's numberOfHMetrics the font's own advance, not reportlab's scaled one.

    reportlab keeps those glyphs' advance in PDF units (per 1000 em), and writes it into the
    embedded subset's hmtx: in a font whose em is not 1000 units, the PDF /Widths and the font
    program then disagree (PDF/A requires them to match).
    """
    count = struct.unpack(">H", face.get_table("hhea")[34:36])[0]
    if 0 < count < len(face.hmetrics):
        shared = face.hmetrics[count - 1][0]
        face.hmetrics[count:] = [(shared, lsb) for _, lsb in face.hmetrics[count:]]


def _cache_file(path: Path) -> Path | None:
    """One entry per font file: a changed font (or reportlab, or Python) overwrites its entry."""
    folder = cache_path("fonts")
    if folder is None:
        return None
    return folder / f"{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:16]}.metrics"


def _read_cache(cache: Path, key: str, path: Path, stamp: tuple[int, int]) -> TTFontFace | None:
    try:
        blob = cache.read_bytes()
    except OSError:
        return None
    return _unpack(blob, key, path, stamp)


def _pack(face: TTFontFace, key: str) -> bytes | None:
    """The parsed face as cache bytes: its attributes (marshal), the subsetting tables apart."""
    state = {k: v for k, v in vars(face).items() if k not in _DROPPED}
    names = {k: (bytes(v), v.ustr) for k, v in state.items() if isinstance(v, TTFNameBytes)}
    for k, (raw, text) in names.items():
        if TTFNameBytes(raw).ustr != text:
            return None
        del state[k]
    try:
        advances = array("d", (aw for aw, _ in face.hmetrics))
        bearings = array("l", (lsb for _, lsb in face.hmetrics))
        positions = array("q", face.glyphPos)
        eager = marshal.dumps((state, names))
        lazy = marshal.dumps((advances.tobytes(), bearings.tobytes(), positions.tobytes()))
        return marshal.dumps((CACHE_FORMAT, key, eager, lazy))
    except (ValueError, TypeError, OverflowError):
        return None


def _unpack(blob: bytes, key: str, path: Path, stamp: tuple[int, int]) -> TTFontFace | None:
    """A face from cache bytes, or None when they are not a cache entry for this key (or damaged)."""
    try:
        fmt, stored_key, eager, lazy = marshal.loads(blob)
        if fmt != CACHE_FORMAT or stored_key != key or not isinstance(lazy, bytes):
            return None
        state, names = marshal.loads(eager)
        if not isinstance(state, dict) or not isinstance(state.get("charToGlyph"), dict):
            return None
        for k, (raw, _) in names.items():
            state[k] = TTFNameBytes(raw)
    except Exception:  # a damaged or foreign file: parse the font again
        return None
    return _CachedFace(path, stamp, state, lazy)


class _FileBytes:
    """The font file as the byte string reportlab's parser slices, read piece by piece on demand."""

    def __init__(self, fh: Any, size: int):
        self.fh = fh
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.size)
            if step != 1:
                raise ValueError("only contiguous slices")
            self.fh.seek(start)
            return self.fh.read(max(0, stop - start))
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise IndexError(index)
        self.fh.seek(index)
        return self.fh.read(1)[0]


class _TableSlice:
    """One table of a font file; slicing it reads just that part (one glyph of 'glyf')."""

    def __init__(self, data: _FileBytes, start: int, length: int):
        self.data = data
        self.start = start
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: slice) -> bytes:
        start, stop, _ = index.indices(self.length)
        return self.data[self.start + start : self.start + max(start, stop)]


def _array(typecode: str, data: bytes) -> array[Any]:
    out = array(typecode)
    out.frombytes(data)
    return out


class _Metrics:
    """``hmetrics`` as two arrays: item i is (advance width, left side bearing) of glyph i.

    makeSubset reads these through ``int()``, so a whole-number advance stored as a float gives the
    same subset as reportlab's int.
    """

    def __init__(self, advances: array[float], bearings: array[int]):
        self.advances = advances
        self.bearings = bearings

    def __len__(self) -> int:
        return len(self.advances)

    def __getitem__(self, glyph: int) -> tuple[float, int]:
        return self.advances[glyph], self.bearings[glyph]

    def __iter__(self) -> Iterator[tuple[float, int]]:
        return zip(self.advances, self.bearings, strict=True)

    def append(self, metric: tuple[float, int]) -> None:
        self.advances.append(metric[0])
        self.bearings.append(metric[1])


class _CachedFace(TTFontFace):
    """reportlab's TTFontFace with its parsed state restored from the cache, not parsed from the file.

    The font file is opened only to subset (``makeSubset``), and read glyph by glyph; the tables
    for subsetting are unpacked on first use.
    """

    def __init__(self, path: Path, stamp: tuple[int, int], state: dict[str, Any], lazy: bytes):
        # Not TTFontFace.__init__ (it parses the file): ``state`` is what it computed.
        self.__dict__.update(state)
        self._jianbao_path = path
        self._jianbao_stamp = stamp
        self._jianbao_lazy = lazy

    def __getattr__(self, name: str) -> Any:
        """Attributes left out of the eager state, made on first use."""
        if name in _LAZY:
            advances, bearings, positions = marshal.loads(self.__dict__["_jianbao_lazy"])
            self.hmetrics = _Metrics(_array("d", advances), _array("l", bearings))
            self.glyphPos = _array("q", positions)
        elif name == "_pdfScale":
            mult = 1000 / self.unitsPerEm
            self._pdfScale = (lambda x: x) if self.unitsPerEm == 1000 else (lambda x: x * mult)
        elif name == "glyphToChar":  # only reportlab's text shaping uses it
            self.glyphToChar = vars(TTFontFile(self.filename, validate=self.validate))["glyphToChar"]
        elif name == "_ttf_data":  # a use other than subsetting: the whole file, as reportlab keeps it
            self._ttf_data = Path(self.filename).read_bytes()
        else:
            raise AttributeError(name)
        return self.__dict__[name]

    def makeSubset(self, subset: Sequence[Any]) -> bytes:
        if "_ttf_data" in self.__dict__:
            return super().makeSubset(subset)
        if _stamp(self._jianbao_path) != self._jianbao_stamp:
            raise JianbaoError(f"字体文件 {self._jianbao_path.name} 在排版过程中被改动", Location(str(self._jianbao_path)))
        with open(self.filename, "rb", buffering=0) as fh:
            self._ttf_data = _FileBytes(fh, self._jianbao_stamp[0])  # type: ignore[assignment]
            try:
                return super().makeSubset(subset)
            finally:
                del self._ttf_data

    def get_table(self, tag: str) -> Any:
        data = self.__dict__.get("_ttf_data")
        if tag == "glyf" and isinstance(data, _FileBytes):
            pos, length = self.get_table_pos(tag)
            return _TableSlice(data, pos, length)
        return super().get_table(tag)


class _CachedTTFont(TTFont):
    """reportlab's TTFont over a given face (``TTFont.__init__`` would parse the font file again)."""

    _jianbao_source: tuple[Path, tuple[int, int]]  # the font file and its (size, mtime)

    def __init__(self, name: str, face: TTFontFace):
        self.fontName = name
        self.face = face
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = False  # no ASCII block in every first subset: only used glyphs are embedded
        self.shapable = not any(fnmatch(name, g) for g in (getattr(rl_config, "unShapedFontGlob", None) or ()))


def variant(font_name: str, ch: str, extra_em: float) -> str:
    """``ch`` drawn with ``extra_em`` more advance (see pipeline.variants), as the text to draw.

    The font gets a glyph made of the same outline with the wider advance, under the variant's
    private code; its width in the PDF and in the embedded font program agree. Returns ``ch`` itself
    when no variant can be made (the blank then stays a gap between glyphs).
    """
    extra = variants.milli_em(extra_em)
    code = variants.code_for(ch, extra) if extra else None
    font = pdfmetrics.getFont(font_name)
    face = font.face if isinstance(font, TTFont) else None
    base = face.charToGlyph.get(ord(ch)) if face is not None and len(ch) == 1 else None
    if code is None or face is None or base is None:
        return ch
    if code not in face.charToGlyph:
        glyph_pos, metrics = face.glyphPos, face.hmetrics
        advance, bearing = metrics[base]
        units = round(extra * face.unitsPerEm / 1000)
        if advance + units < 0:
            return ch
        glyph = len(glyph_pos)  # a new glyph index past the font's own: its outline spans the base's
        glyph_pos.append(glyph_pos[base])
        glyph_pos.append(glyph_pos[base + 1])
        while len(metrics) < glyph:
            metrics.append((0, 0))
        metrics.append((advance + units, bearing))
        face.charWidths[code] = face.charWidths.get(ord(ch), face.defaultWidth) + units * 1000 / face.unitsPerEm
        face.charToGlyph[code] = glyph
    return chr(code)
