"""Text → lines: clusters, unbreakable atoms, line breaking for the whole paragraph, line adjustment.

A line's natural width is its Han and full-width marks at one cell each, digit and Latin runs at
their natural width with the layout's Han–Latin gap (¼ em) on each side that touches Han, and
adjacent marks paired (two marks in 1.5 cells). A line that is too long compresses its
line-internal marks toward half width (then the Han–Latin gaps toward ⅛ em); a line that is short
spreads the rest evenly over all its gaps (JLREQ §3.8, CLREQ). A line of full cells stays exactly on
the character grid. Grid style keeps every line-end mark at a full cell; book style sets it at half
a cell (GB/T 15834 5.1.10) and lets an opener at the line start lose its leading blank.

Composition takes its font metrics as an argument (see ``Metrics``), so tests can use a fixed-width
fake and state expected lines as text pictures. Nothing here knows about pages.
"""

from __future__ import annotations

import bisect
import itertools
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


# ------------------------------------------------------------------------------------------- line model
def _is_mark(c: Cluster) -> bool:
    return c.wide and len(c.chars) == 1 and (c.first in cjk.LEFT_INK or c.first in cjk.RIGHT_INK or c.first in cjk.CENTRE_INK)


def _is_han_side(c: Cluster) -> bool:
    """A character that takes the Han–Latin gap beside a run: Han, kana, hangul (not marks, symbols like
    ￥ ％ that belong to their number, or spaces)."""
    return c.wide and (c.first.isalpha() or cjk.is_han(c.first))


class LineModel:
    """Widths and adjustment room of a paragraph's clusters, with prefix sums for any line a..b.

    Per cluster k: its natural width, its trimmable blanks (a mark's empty half), and what it loses
    at a line edge. Per boundary k (between clusters k and k+1): the Han–Latin gap and the pairing of
    adjacent marks (the blank that goes: 2 cells → 1.5).
    """

    def __init__(self, clusters: list[Cluster], m: Measure):
        self.clusters = clusters
        self.m = m
        book = m.style == "book"
        n = len(clusters)
        self.cell = [c.size if book else m.pitch for c in clusters]
        self.width = [len(c.chars) * self.cell[k] if c.wide else c.width_pt for k, c in enumerate(clusters)]
        blank_l = [0.0] * n
        blank_r = [0.0] * n
        for k, c in enumerate(clusters):
            if _is_mark(c):
                half = self.cell[k] / 2
                if c.first in cjk.LEFT_INK:
                    blank_r[k] = half
                elif c.first in cjk.RIGHT_INK:
                    blank_l[k] = half
                else:
                    blank_l[k] = blank_r[k] = half / 2
        self.blank_l, self.blank_r = blank_l, blank_r
        # boundaries: pairing (which side loses its blank) and the Han–Latin gap
        self.pair_r = [0.0] * n  # cluster k's right blank taken by pairing with k+1
        self.pair_l = [0.0] * n  # cluster k's left blank taken by pairing with k-1
        self.gap = [0.0] * max(0, n - 1)
        for k in range(n - 1):
            a, b = clusters[k], clusters[k + 1]
            if blank_r[k] and (blank_l[k + 1] or blank_r[k + 1]) and a.first not in cjk.CENTRE_INK:
                self.pair_r[k] = blank_r[k]  # closer or stop, then an opener or another closer: 1.5 cells
            elif blank_l[k] and blank_l[k + 1] and not blank_r[k]:
                self.pair_l[k + 1] = blank_l[k + 1]  # two openers
            narrow_a = not a.wide and not a.space
            narrow_b = not b.wide and not b.space
            if (narrow_a and _is_han_side(b)) or (_is_han_side(a) and narrow_b):
                em = b.size if b.wide else a.size
                self.gap[k] = m.cjk_latin_gap * em
        # what a cluster loses at a line edge: a space all of it; in book style a mark its outer blank
        self.start_trim = [self.width[k] if c.space else (blank_l[k] if book else 0.0) for k, c in enumerate(clusters)]
        self.end_trim = [self.width[k] if c.space else (blank_r[k] if book else 0.0) for k, c in enumerate(clusters)]
        # squeezable blanks inside a line, after pairing
        self.sq_l = [blank_l[k] - self.pair_l[k] for k in range(n)]
        self.sq_r = [blank_r[k] - self.pair_r[k] for k in range(n)]
        acc = itertools.accumulate
        self.p_width = list(acc(self.width, initial=0.0))
        self.p_pair = list(acc((self.pair_r[k] + self.pair_l[k + 1] for k in range(n - 1)), initial=0.0))
        self.p_gap = list(acc(self.gap, initial=0.0))
        self.p_sq = list(acc((self.sq_l[k] + self.sq_r[k] for k in range(n)), initial=0.0))
        self.p_run = list(acc((not c.wide and not c.space for c in clusters), initial=0))
        self.unspaced = list(acc(range(n), lambda last, k: last if clusters[k].space else k, initial=-1))[
            1:
        ]  # last non-space ≤ k

    def natural(self, a: int, b: int) -> float:
        """Natural width of the line of clusters a..b (inclusive)."""
        inner = self.p_width[b + 1] - self.p_width[a] - (self.p_pair[b] - self.p_pair[a]) + self.p_gap[b] - self.p_gap[a]
        return inner - self.start_trim[a] - (self.end_trim[b] if b > a else 0.0)

    def squeezable(self, a: int, b: int) -> float:
        """How much the line's inner mark blanks can give (the line's outer blanks excluded)."""
        return self.p_sq[b + 1] - self.p_sq[a] - self.sq_l[a] - self.sq_r[b]

    def gap_room(self, a: int, b: int) -> float:
        """How much the Han–Latin gaps can give: down to half (⅛ em), JLREQ §3.8.3."""
        return (self.p_gap[b] - self.p_gap[a]) / 2

    def has_run(self, a: int, b: int) -> bool:
        return self.p_run[b + 1] > self.p_run[a]

    def paired(self, a: int, b: int) -> bool:
        return self.p_pair[b] > self.p_pair[a]


# ------------------------------------------------------------------------------------------- costs
# Costs of a non-final line: no adjustment is free; squeezing marks is the first resort (先挤进),
# spreading the next (后推出); a line that could have been on the grid pays for leaving it.
SQUEEZE_BASE = 1.0
SQUEEZE = 3.0  # × (share of the squeezable blanks used)²
GAP_SQUEEZE = 20.0  # the Han–Latin gaps toward ⅛ em, only when the marks are all squeezed
SPREAD_BASE = 1.0
SPREAD = 1500.0  # × (extra per gap, in cells)²
OFF_GRID = 4.0  # a line of whole cells that is spread leaves the grid
MAX_SPREAD = 0.3  # cells per gap: beyond this a spread reads as a hole
HOLE = 1000.0
HANG = 2.0
LONE_LAST_LINE = 80.0  # the paragraph's last line holds a single character (孤字)
PER_LINE = 0.5
WINDOW = 3  # cells: shorter lines are tried only when nothing fuller fits
OVERFLOW = 2.5  # cells: the most a line's natural width may exceed the measure (by squeezing its marks)
EPS = 1e-6


@dataclass(frozen=True, slots=True)
class LineFit:
    """One line of a paragraph: clusters a..b, its indent and width (pt), and whether its last mark hangs."""

    a: int
    b: int
    indent: float
    width: float
    hang: bool = False


def _inner(lm: LineModel, a: int, b: int) -> tuple[int, int]:
    """The line a..b without a space at its end (a space there is not set)."""
    return a, max(a, lm.unspaced[b])


def line_cost(lm: LineModel, a: int, b: int, width: float, last: bool) -> float | None:
    """The cost of setting clusters a..b in ``width``; None when they cannot fit."""
    a, b = _inner(lm, a, b)
    need = lm.natural(a, b)
    if need > width + EPS:
        return _squeeze_cost(need - width, lm.squeezable(a, b), lm.gap_room(a, b))
    if last or not lm.m.justify:
        return 0.0 if last else (width - need) / lm.cell[a]  # ragged lines: as full as they go
    return _spread_cost(lm, a, b, width - need)


def _squeeze_cost(excess: float, room: float, gaps: float) -> float | None:
    if excess <= room + EPS:
        share = excess / room
        return SQUEEZE_BASE + SQUEEZE * share * share
    if room > 0 and excess <= room + gaps + EPS:
        return SQUEEZE_BASE + SQUEEZE + GAP_SQUEEZE * (excess - room) / gaps
    return None


def _spread_cost(lm: LineModel, a: int, b: int, short: float) -> float:
    if short <= EPS:
        return 0.0
    per_gap = short / max(1, b - a) / lm.cell[a]
    cost = SPREAD_BASE + SPREAD * per_gap * per_gap
    if per_gap > MAX_SPREAD:
        cost += HOLE
    if lm.m.style == "grid" and not lm.has_run(a, b) and not lm.paired(a, b):
        cost += OFF_GRID
    return cost


def break_lines(atoms: list[list[Cluster]], lm: LineModel, per_line: float = PER_LINE) -> list[LineFit]:
    """Choose the line breaks of the whole paragraph at once (dynamic programming over atoms).

    Looking at the paragraph as a whole lets an earlier line shift the breaks of later ones so that
    lines fill, marks are squeezed rather than lines spread, and no lone character ends the paragraph.
    A large ``per_line`` gives the fewest lines the paragraph can take (its tight setting). (The cost
    of a line is ``line_cost``'s, written out in the loop: this is the composer's hot path.)
    """
    m = lm.m
    starts = list(itertools.accumulate((len(a) for a in atoms), initial=0))
    n = len(atoms)
    cell0 = lm.cell[0]
    first_w = m.width - m.indent * cell0
    rest_w = m.width - m.rest_indent * cell0
    letters = list(itertools.accumulate(map(_letters, atoms), initial=0))
    pw, pp, pg, psq, prun = lm.p_width, lm.p_pair, lm.p_gap, lm.p_sq, lm.p_run
    sq_l, sq_r, st, et, cell, unspaced = lm.sq_l, lm.sq_r, lm.start_trim, lm.end_trim, lm.cell, lm.unspaced
    ends = [pw[s] for s in starts]  # natural widths of atoms[:k], for the candidate window
    slack, overflow = cell0 * WINDOW, cell0 * OVERFLOW
    grid, justify = m.style == "grid", m.justify
    best: list[tuple[float, int, bool]] = [(math.inf, -1, False)] * (n + 1)
    best[0] = (0.0, -1, False)
    hangs = (False, True) if m.hang else (False,)
    lone = letters[n]
    for i in range(n):
        base = best[i][0]
        if base == math.inf:
            continue
        base += per_line
        width = first_w if i == 0 else rest_w
        a = starts[i]
        lo = min(n, bisect.bisect_left(ends, ends[i] + width - slack))  # the paragraph's end is always a candidate
        hi = bisect.bisect_right(ends, ends[i] + width + overflow)
        found = False
        candidates = itertools.chain(range(max(i + 1, lo), min(n, hi) + 1), range(min(lo, n + 1) - 1, i, -1))
        for j in candidates:  # the window of likely line ends; below it only until one fits
            if found and j < lo:
                break
            last = j == n
            for hang in hangs:
                b = starts[j] - 1
                if hang:
                    if not (b > a and _hangable(lm.clusters[b])):
                        continue
                    b -= 1
                if unspaced[b] < b:
                    b = unspaced[b] if unspaced[b] > a else a
                need = pw[b + 1] - pw[a] - pp[b] + pp[a] + pg[b] - pg[a] - st[a] - (et[b] if b > a else 0.0)
                if need > width + EPS:  # squeeze
                    excess = need - width
                    room = psq[b + 1] - psq[a] - sq_l[a] - sq_r[b]
                    if excess <= room + EPS:
                        share = excess / room
                        cost = SQUEEZE_BASE + SQUEEZE * share * share
                    else:
                        gap_room = (pg[b] - pg[a]) / 2
                        if room > 0 and excess <= room + gap_room + EPS:
                            cost = SQUEEZE_BASE + SQUEEZE + GAP_SQUEEZE * (excess - room) / gap_room
                        else:
                            continue
                elif last:
                    cost = 0.0
                elif not justify:
                    cost = (width - need) / cell[a]  # ragged lines: as full as they go
                elif width - need <= EPS:
                    cost = 0.0
                else:  # spread
                    per_gap = (width - need) / ((b - a) or 1) / cell[a]
                    cost = SPREAD_BASE + SPREAD * per_gap * per_gap
                    if per_gap > MAX_SPREAD:
                        cost += HOLE
                    if grid and prun[b + 1] == prun[a] and pp[b] == pp[a]:
                        cost += OFF_GRID  # a line of whole cells leaves the grid
                found = True
                if hang:
                    cost += HANG
                if last and i > 0 and lone - letters[i] <= 1:
                    cost += LONE_LAST_LINE
                total = base + cost
                if total < best[j][0]:
                    best[j] = (total, i, hang)
        if not found:  # nothing fits (an atom longer than the line): the next atom alone, however it looks
            j = i + 1
            total = base + HOLE
            if total < best[j][0]:
                best[j] = (total, i, False)
    fits: list[LineFit] = []
    j = n
    while j > 0:
        _, i, hang = best[j]
        indent = (m.indent if i == 0 else m.rest_indent) * cell0
        fits.append(LineFit(starts[i], starts[j] - 1, indent, m.width - indent, hang))
        j = i
    fits.reverse()
    return fits


def _hangable(c: Cluster) -> bool:
    return c.wide and len(c.chars) == 1 and c.first in cjk.HANGABLE


# ------------------------------------------------------------------------------------------- placing
def place_line(lm: LineModel, fit: LineFit, last: bool) -> list[Glyph]:
    """Glyph positions for one line: squeezed when too long, spread evenly when short (not the last)."""
    m = lm.m
    a, b = _inner(lm, fit.a, fit.b - 1 if fit.hang else fit.b)
    trim_l = lm.pair_l[:]  # per cluster of the paragraph; only a..b are read
    trim_r = lm.pair_r[:]
    trim_l[a] = lm.start_trim[a]
    trim_r[b] = lm.end_trim[b] if b > a else 0.0
    gaps = lm.gap
    need = lm.natural(a, b)
    spread = 0.0
    if need > fit.width + EPS:
        excess = need - fit.width
        room = lm.squeezable(a, b)
        share = min(1.0, excess / room) if room > 0 else 0.0
        for k in range(a + 1, b + 1):
            trim_l[k] += lm.sq_l[k] * share
        for k in range(a, b):
            trim_r[k] += lm.sq_r[k] * share
        rest = excess - room * share
        gap_room = lm.gap_room(a, b)
        if rest > EPS and gap_room > 0:
            cut = min(1.0, rest / gap_room) / 2
            gaps = [g * (1 - cut) for g in gaps]
    elif m.justify and not last and b > a:
        spread = (fit.width - need) / (b - a)
    glyphs: list[Glyph] = []
    x = fit.indent
    clusters, widths, cells = lm.clusters, lm.width, lm.cell
    for k in range(a, fit.b + 1):
        c = clusters[k]
        left = trim_l[k]
        if c.wide:
            cell = cells[k]
            if not (c.space and (k == a or k >= b)):
                for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                    gx = x - left + i * cell + (cell - st.size) / 2
                    glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, cell))
        elif not c.space:
            gx = x
            for (ch, st), f, adv in zip(c.chars, c.fonts, c.widths, strict=True):
                glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, adv))
                gx += adv
        if k < b:
            x += widths[k] - left - trim_r[k] + gaps[k] + spread
        elif k == b:
            x += widths[k] - left - trim_r[k]
    return glyphs


def compose_paragraph(
    chars: list[tuple[str, CharStyle]], m: Measure, metrics: Metrics, word_ends: set[int] | None = None
) -> list[list[Glyph]]:
    """Break and place one paragraph; returns the glyphs of each line. With ``word_ends`` (character
    offsets after which a word ends) a line breaks only between words (table headers)."""
    return compose_variants(chars, m, metrics, tight=False, word_ends=word_ends)[0]


def between_words(atoms: list[list[Cluster]], word_ends: set[int]) -> list[list[Cluster]]:
    """Atoms joined where their boundary falls inside a word."""
    out: list[list[Cluster]] = []
    offset = 0
    for atom in atoms:
        if out and offset not in word_ends:
            out[-1] = out[-1] + atom
        else:
            out.append(list(atom))
        offset += sum(len(c.chars) for c in atom)
    return out


TIGHT_PER_LINE = 1000.0


def compose_variants(
    chars: list[tuple[str, CharStyle]], m: Measure, metrics: Metrics, tight: bool = True, word_ends: set[int] | None = None
) -> tuple[list[list[Glyph]], list[list[Glyph]] | None]:
    """The paragraph's best lines, and (with ``tight``) its tight setting: one line fewer, its lines
    squeezed harder, or None when it has none. The paginator may take the tight setting to fill a page."""
    clusters = make_clusters(chars, metrics)
    if not clusters:
        return [], None
    atoms = make_atoms(clusters, m.strict)
    if word_ends is not None and sum(len(c.chars) for c in clusters) == len(chars):  # offsets still hold
        atoms = between_words(atoms, word_ends)
    cap = max(1, m.cells - max(m.indent, m.rest_indent))
    unit = clusters[0].size if m.style == "book" else m.pitch
    if max(_atom_cells(a, unit) for a in atoms) > cap:
        atoms = _fit_atoms(atoms, cap, unit)
        clusters = [c for a in atoms for c in a]
    lm = LineModel(clusters, m)
    fits = break_lines(atoms, lm)
    best = [place_line(lm, fit, last=k == len(fits) - 1) for k, fit in enumerate(fits)]
    if not tight or len(fits) < 2 or not _may_tighten(lm, len(fits)):
        return best, None
    fewer = break_lines(atoms, lm, TIGHT_PER_LINE)
    if len(fewer) >= len(fits):
        return best, None
    return best, [place_line(lm, fit, last=k == len(fewer) - 1) for k, fit in enumerate(fewer)]


def _may_tighten(lm: LineModel, lines: int) -> bool:
    """Could the paragraph, squeezed to the full, take one line fewer? (A quick bound before the search.)"""
    n = len(lm.clusters) - 1
    return lm.natural(0, n) - lm.squeezable(0, n) - lm.gap_room(0, n) <= (lines - 1) * lm.m.width - lm.m.indent * lm.cell[0]


def set_natural(
    chars: list[tuple[str, CharStyle]], metrics: Metrics, gap: float, spacing: float = 0.0
) -> tuple[list[Glyph], float]:
    """One line at its natural width from x = 0 (titles, masthead, folios): full-width characters one em,
    runs at their natural width with ``gap`` em beside Han, adjacent marks paired, ``spacing`` em added
    between characters (letter-spaced mastheads). Returns (glyphs, width)."""
    clusters = make_clusters(chars, metrics)
    if not clusters:
        return [], 0.0
    lm = LineModel(clusters, Measure(cells=1, pitch=clusters[0].size, style="book", cjk_latin_gap=gap, justify=False))
    glyphs: list[Glyph] = []
    x = 0.0
    n = len(clusters)
    for k, c in enumerate(clusters):
        left = lm.pair_l[k] if k else 0.0
        right = lm.pair_r[k] if k < n - 1 else 0.0
        if c.wide:
            for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                if not c.space:
                    gx = x - left + i * (st.size + spacing * st.size)
                    glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, st.size))
        elif not c.space:
            gx = x
            for (ch, st), f, adv in zip(c.chars, c.fonts, c.widths, strict=True):
                glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, adv))
                gx += adv + spacing * st.size
        size = c.size
        x += lm.width[k] - left - right + spacing * size * len(c.chars)
        if k < n - 1:
            x += lm.gap[k]
    return glyphs, max(0.0, x - spacing * clusters[-1].size)
