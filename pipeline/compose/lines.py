"""What composition works with: character styles, glyphs and lines, the measure; text grouped into clusters
(a wide character, a —— or …… pair, a Latin or digit run) and unbreakable atoms (CLREQ line-start and
line-end rules, numbers with their units, dates).

Composition takes its font metrics as an argument (see ``Metrics``), so tests can use a fixed-width
fake and state expected lines as text pictures. Nothing here knows about pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from pipeline import cjk


class Metrics(Protocol):
    """What composition needs to know about fonts."""

    def font_for(self, role: str, ch: str) -> str:
        """The font (registered name) that draws ``ch`` for ``role``: the role's own or a fallback."""

    def advance(self, font: str, ch: str) -> float:
        """Advance width of ``ch`` in ``font``, in em."""


@dataclass(frozen=True)
class CharStyle:
    """How one run of characters is set: font role, size (pt), colour name and fake bold (em)."""

    role: str
    size: float
    colour: str = "black"
    fake_bold: float = 0.0


class Glyph(NamedTuple):
    """One character placed on a line: ``x`` of its em box from the text block's left edge, in points.

    ``advance`` is the advance the glyph is set with (pt): one cell for a full-width character on the
    grid (a 16 pt glyph centred in a 17 pt cell has x at the cell's start + 0.5 pt and advances 17 pt),
    the natural advance of a digit or letter. Where the next glyph starts elsewhere (a squeezed or
    paired mark, an even spread, the gap beside a Latin run), the writer positions it. (A named tuple: a page holds hundreds
    of glyphs, and tuples are made fastest.)
    """

    ch: str
    x: float
    font: str
    size: float
    colour: str = "black"
    fake_bold: float = 0.0
    advance: float = 0.0


@dataclass(frozen=True)
class Line:
    """One printed line with its glyphs placed; vertical placement is the paginator's job."""

    glyphs: tuple[Glyph, ...]
    kind: str = "body"  # body | heading | section | title | source | note | toc | tail | caption
    para: int = -1  # paragraph serial (for widow/orphan control), -1 when not a paragraph line
    first: bool = True
    last: bool = True
    size: float = 16.0
    keep_with_next: bool = False
    grid_lines: int = 1  # how many body grid lines it occupies
    hanging: bool = False
    drop: float | None = None  # baseline below the top of its first grid line (pt); None: centred in its lines

    @property
    def text(self) -> str:
        return "".join(g.ch for g in self.glyphs)


@dataclass(frozen=True)
class Measure:
    """The line box: cells per line, cell width (pt), first-line and continuation indents (cells).

    ``style`` "grid": a full-width character takes one cell of ``pitch`` and every line-end mark a
    full cell; "book": it takes one em of its own size, a line-end mark half an em, and the measure
    is ``cells * pitch`` wide all the same.
    """

    cells: int
    pitch: float
    indent: int = 0
    rest_indent: int = 0
    style: str = "grid"  # grid | book
    hang: bool = False  # one 、，。 may hang past the right edge
    strict: bool = False
    cjk_latin_gap: float = 0.25  # em between Han and a Latin/digit run
    justify: bool = True

    @property
    def width(self) -> float:
        return self.cells * self.pitch


# ------------------------------------------------------------------------------------------- clusters
@dataclass(slots=True)
class Cluster:
    """A piece that is laid out as a whole: one wide character, a —— or …… pair, or a Latin/digit run."""

    chars: list[tuple[str, CharStyle]]
    wide: bool
    width_pt: float = 0.0  # natural width (narrow runs); wide clusters use cells
    space: bool = False  # a breakable space: a word space between Latin words, or an ideographic space
    fonts: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # per-character advances (narrow runs), pt
    soft_end: bool = False  # a long address or path may break after this piece (after . / - _)
    first: str = field(init=False)  # the first and last characters (looked up on every break)
    last: str = field(init=False)

    def __post_init__(self) -> None:
        self.first = self.chars[0][0]
        self.last = self.chars[-1][0]

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    @property
    def size(self) -> float:
        return self.chars[0][1].size

    def cells(self, pitch: float) -> int:
        if self.wide:
            return len(self.chars)
        return max(1, math.ceil(self.width_pt / pitch - 1e-6))


def make_clusters(chars: list[tuple[str, CharStyle]], metrics: Metrics) -> list[Cluster]:
    """Group characters: wide ones alone (—— and …… as pairs), narrow ones into words and numbers."""
    out: list[Cluster] = []
    i = 0
    n = len(chars)
    while i < n:
        ch, st = chars[i]
        if ch in cjk.IGNORABLE:
            i += 1
            continue
        if ch == "\u3000":
            out.append(Cluster([chars[i]], wide=True, space=True, fonts=[metrics.font_for(st.role, ch)]))
            i += 1
            continue
        if ch.isspace():
            if out and not out[-1].wide:
                font = metrics.font_for(st.role, " ")
                width = metrics.advance(font, " ") * st.size
                out.append(Cluster([(" ", st)], wide=False, width_pt=width, space=True, fonts=[font], widths=[width]))
            i += 1
            continue
        if cjk.is_wide(ch):
            font = metrics.font_for(st.role, ch)
            if ch in cjk.DOUBLED and i + 1 < n and chars[i + 1][0] == ch:
                out.append(Cluster([chars[i], chars[i + 1]], wide=True, fonts=[font, metrics.font_for(chars[i + 1][1].role, ch)]))
                i += 2
            else:
                out.append(Cluster([chars[i]], wide=True, fonts=[font]))
                i += 1
            continue
        j = i
        while j < n and not cjk.is_wide(chars[j][0]) and not chars[j][0].isspace():
            j += 1
        for c in _narrow_pieces(list(chars[i:j])):
            c.fonts = [metrics.font_for(st.role, ch) for ch, st in c.chars]
            c.widths = [metrics.advance(f, ch) * st.size for (ch, st), f in zip(c.chars, c.fonts, strict=True)]
            c.width_pt = sum(c.widths)
            out.append(c)
        i = j
    while out and out[-1].space:  # a trailing space is not kept
        out.pop()
    while out and out[0].space:
        out.pop(0)
    return out


URL_BREAK_AFTER = frozenset("./-_")
LONG_RUN = 12


def _narrow_pieces(run: list[tuple[str, CharStyle]]) -> list[Cluster]:
    """A Latin/digit run; a long one with letters (an address, a path) may break after . / - _."""
    text = "".join(c for c, _ in run)
    if len(run) <= LONG_RUN or not any(c.isalpha() for c in text):
        return [Cluster(run, wide=False)]
    pieces, start = [], 0
    for k, (ch, _) in enumerate(run[:-1]):
        if ch in URL_BREAK_AFTER and not (text[k - 1 : k].isdigit() and text[k + 1].isdigit()):
            pieces.append(Cluster(run[start : k + 1], wide=False, soft_end=True))
            start = k + 1
    pieces.append(Cluster(run[start:], wide=False))
    return pieces


def can_break(a: Cluster, b: Cluster, strict: bool) -> bool:
    """May a line end between clusters a and b?"""
    if a.space or b.space:
        return a.space and not b.space  # break after a space, never before it
    if b.first in cjk.NO_LINE_START or a.last in cjk.NO_LINE_END:
        return False
    if strict and b.wide and len(b.chars) == 2 and b.first in cjk.DOUBLED:
        return False
    # numbers and Latin words stay with what follows them (units, measure words, closing marks)
    return a.wide or (a.soft_end and not b.wide)


DATE_PARTS = frozenset("年月")


def _in_date(clusters: list[Cluster], k: int) -> bool:
    """Is the boundary before cluster k inside a date written with digits (2023年8月30日, 8月25日)?"""
    if k < 2:
        return False
    unit, before, after = clusters[k - 1], clusters[k - 2], clusters[k]
    return unit.first in DATE_PARTS and _digits(before) and _digits(after)


def _digits(c: Cluster) -> bool:
    return not c.wide and c.text.isdigit()


def make_atoms(clusters: list[Cluster], strict: bool) -> list[list[Cluster]]:
    """Unbreakable groups of clusters."""
    atoms: list[list[Cluster]] = []
    for k, c in enumerate(clusters):
        if atoms and (not can_break(atoms[-1][-1], c, strict) or _in_date(clusters, k)):
            atoms[-1].append(c)
        else:
            atoms.append([c])
    return atoms


def _split_long_atom(atom: list[Cluster], capacity: int, pitch: float) -> tuple[list[Cluster], list[Cluster]]:
    """Emergency: an atom wider than a whole line is cut at the last cluster that fits (or inside a run)."""
    used = 0
    for k, c in enumerate(atom):
        w = c.cells(pitch)
        if used + w > capacity:
            if k > 0:
                return atom[:k], atom[k:]
            limit = capacity * pitch
            cut, width = 0, 0.0
            while cut < len(c.chars) - 1 and width + c.widths[cut] <= limit:
                width += c.widths[cut]
                cut += 1
            cut = max(1, cut)
            head = Cluster(c.chars[:cut], False, sum(c.widths[:cut]), fonts=c.fonts[:cut], widths=c.widths[:cut])
            tail = Cluster(c.chars[cut:], False, sum(c.widths[cut:]), fonts=c.fonts[cut:], widths=c.widths[cut:])
            return [head], [tail, *atom[1:]]
        used += w
    return atom, []


def _atom_cells(atom: list[Cluster], pitch: float) -> int:
    return sum(0 if c.space else c.cells(pitch) for c in atom)


def _fit_atoms(atoms: list[list[Cluster]], capacity: int, pitch: float) -> list[list[Cluster]]:
    """Cut atoms wider than a whole line (a very long Latin word or number) so that every atom fits."""
    out: list[list[Cluster]] = []
    for atom in atoms:
        while _atom_cells(atom, pitch) > capacity:
            head, atom = _split_long_atom(atom, capacity, pitch)
            out.append(head)
        if atom:
            out.append(atom)
    return out


def _letters(atom: list[Cluster]) -> int:
    """Characters that count for 孤字: letters and digits of any script, ideographs included (not marks)."""
    return sum(1 for c in atom for ch, _ in c.chars if ch.isalnum())
