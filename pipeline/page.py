"""The page model: the finished layout as plain frozen data that every writer walks.

Nothing here knows how it was composed or how it will be written: a page holds text lines (runs of
glyphs of one font file, size and colour, each glyph with its glyph id, pen position, advance and
the text it stands for), rules and images, in page coordinates (points from the bottom left);
colours are resolved values. The PDF writer and the OFD writer read only this.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Colour:
    """A process colour (CMYK, 0–1), printed as the named spot colour when ``spot`` is set."""

    cmyk: tuple[float, float, float, float]
    spot: str | None = None


@dataclass(frozen=True, slots=True)
class FontRef:
    """A font file and the face in it."""

    path: str
    index: int = 0


class Glyph(NamedTuple):
    """One glyph: its id in the font, pen position x (pt), the advance it is set with (pt), its text."""

    gid: int
    x: float
    advance: float
    text: str


@dataclass(frozen=True, slots=True)
class GlyphRun:
    """Glyphs of one font, size, colour and weight on one baseline ``y``."""

    font: FontRef
    size: float
    colour: Colour
    fake_bold: float  # stroke width in em around the glyphs (bold without a bold face), 0 for none
    y: float
    glyphs: tuple[Glyph, ...]


@dataclass(frozen=True, slots=True)
class TextLine:
    """A printed line: its runs in reading order and its text as written (what a reader copies)."""

    runs: tuple[GlyphRun, ...]
    text: str
    kind: str  # body | title | section | masthead | folio | caption | table | …


@dataclass(frozen=True, slots=True)
class Rule:
    """A straight line from (x0, y0) to (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    colour: Colour


@dataclass(frozen=True, slots=True)
class Image:
    """A picture file drawn in the box (x, y, width, height), turned as its EXIF orientation says."""

    path: str
    x: float
    y: float
    width: float
    height: float
    orientation: int = 1
    mask: bool = False  # keep the PNG's transparency


@dataclass(frozen=True, slots=True)
class Bookmark:
    """An outline entry: level 0 = 栏目, 1 = article; ``y`` is the top of the line it marks."""

    level: int
    title: str
    y: float


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[TextLine, ...] = ()
    rules: tuple[Rule, ...] = ()
    images: tuple[Image, ...] = ()
    bookmarks: tuple[Bookmark, ...] = ()


@dataclass(frozen=True, slots=True)
class Info:
    """What the document says about the issue (PDF Info and XMP, OFD DocInfo)."""

    title: str  # "周口精神文明建设 简报 第21期"
    author: str  # the issuer
    subject: str
    keywords: tuple[str, ...]  # section names
    date: dt.date  # the date
    language: str = "zh-CN"
    custom: tuple[tuple[str, str], ...] = ()  # archive fields: (name, value), e.g. ("期号", "21")


@dataclass(frozen=True, slots=True)
class Document:
    pages: tuple[Page, ...]
    info: Info

    def fonts(self) -> list[FontRef]:
        """The fonts the document draws with, in order of first use."""
        seen: dict[FontRef, None] = {}
        for page in self.pages:
            for line in page.lines:
                for run in line.runs:
                    seen.setdefault(run.font, None)
        return list(seen)


def dump(document: Document) -> str:
    """The page model as JSON (``jianbao build --dump-pages``): for debugging and golden traces."""

    def default(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.dumps(dataclasses.asdict(document), ensure_ascii=False, indent=1, default=default)
