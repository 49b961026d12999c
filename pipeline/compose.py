"""Text → lines: clusters, unbreakable atoms, line filling on the grid (or book style), justification.

Composition takes its font metrics as an argument (see ``Metrics``), so tests can use a fixed-width fake
and state expected lines as text pictures. Nothing here knows about pages.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from . import cjk


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
    """One character placed on a line: x from the text block's left edge, in points.

    ``extra`` (em) widens the glyph's advance: a blank on the grid drawn as part of the glyph before
    it (pipeline.variants), so that the text copies out without a space there. (A named tuple: a
    page holds hundreds of glyphs, and tuples are made fastest.)
    """

    ch: str
    x: float
    font: str
    size: float
    colour: str = "black"
    fake_bold: float = 0.0
    extra: float = 0.0


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

    @property
    def text(self) -> str:
        return "".join(g.ch for g in self.glyphs)


@dataclass(frozen=True)
class Measure:
    """The line box: cells per line, cell width, first-line indent and continuation indent (cells)."""

    cells: int
    pitch: float
    indent: int = 0
    rest_indent: int = 0
    style: str = "grid"  # grid | book
    hang: bool = True
    strict: bool = False
    cjk_latin_gap: float = 0.25  # cells (book style)
    justify: bool = True


# ------------------------------------------------------------------------------------------- clusters
@dataclass(slots=True)
class Cluster:
    """A piece that is laid out as a whole: one wide character, a —— or …… pair, or a Latin/digit run."""

    chars: list[tuple[str, CharStyle]]
    wide: bool
    width_pt: float = 0.0  # natural width (narrow runs); wide clusters use cells
    space: bool = False  # a breakable word space between Latin words
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
        if ch == " " or (ch.isspace() and ch != "\u3000"):
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
    # a trailing space is not kept
    while out and out[-1].space:
        out.pop()
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
        return b.space is False and a.space  # break after a word space, never before it
    if b.first in cjk.NO_LINE_START or a.last in cjk.NO_LINE_END:
        return False
    if strict and b.wide and len(b.chars) == 2 and b.first in cjk.DOUBLED:
        return False
    # numbers and Latin words stay with what follows them (units, measure words, closing marks)
    return a.wide or (a.soft_end and not b.wide)


def make_atoms(clusters: list[Cluster], strict: bool) -> list[list[Cluster]]:
    """Unbreakable groups of clusters."""
    atoms: list[list[Cluster]] = []
    for c in clusters:
        if atoms and not can_break(atoms[-1][-1], c, strict):
            atoms[-1].append(c)
        else:
            atoms.append([c])
    return atoms


# ------------------------------------------------------------------------------------------- breaking
@dataclass
class _LineDraft:
    atoms: list[list[Cluster]]
    capacity: int  # cells available
    indent: int
    hanging: bool = False

    def clusters(self) -> list[Cluster]:
        return [c for a in self.atoms for c in a]


def _atom_cells(atom: list[Cluster], pitch: float) -> int:
    return sum(0 if c.space else c.cells(pitch) for c in atom)


def _ends_hangable(atom: list[Cluster]) -> bool:
    last = atom[-1]
    return last.wide and len(last.chars) == 1 and last.first in cjk.HANGABLE


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


# Costs of a non-final line that cannot be filled exactly (per empty cell):
SLACK_AT_LATIN = 3.0  # the cell goes beside a Latin/digit run: the Chinese stays on the grid
SLACK_AT_MARK = 6.0  # the cell follows a mark (after 。？！ first): the Chinese stays on the grid
SLACK_SPREAD = 50.0  # no such place: the cell is spread over the line, which leaves the grid
LONE_LAST_LINE = 80.0  # the paragraph's last line holds a single character (孤字)
PER_LINE = 0.01  # among equal choices, fewer lines
WINDOW = 4  # lines with more empty cells than this are only tried when nothing fuller fits


def _blank_after_mark(clusters: list[Cluster], k: int) -> bool:
    """May a spare cell follow cluster k (a mark whose ink sits at the left of its cell)?

    Not inside a run of closing marks and stops: the cell goes after the last of them.
    """
    c = clusters[k]
    if not (c.wide and len(c.chars) == 1 and c.first in cjk.LEFT_INK):
        return False
    return k + 1 < len(clusters) and clusters[k + 1].first not in cjk.LEFT_INK


class _SlotCount:
    """Where a line can take spare cells, in constant time per line: (beside runs, after marks)."""

    def __init__(self, atoms: list[list[Cluster]]):
        clusters = [c for a in atoms for c in a]
        self.starts = list(itertools.accumulate((len(a) for a in atoms), initial=0))
        self.narrow = [not c.wide and not c.space for c in clusters]
        wide = [c.wide for c in clusters]
        self.prev_wide = [k > 0 and wide[k - 1] for k in range(len(clusters))]
        self.next_wide = [k + 1 < len(clusters) and wide[k + 1] for k in range(len(clusters))]
        either = [n and (p or q) for n, p, q in zip(self.narrow, self.prev_wide, self.next_wide, strict=True)]
        self.prefix = list(itertools.accumulate(either, initial=0))
        marks = (_blank_after_mark(clusters, k) for k in range(len(clusters)))
        self.marks = list(itertools.accumulate(marks, initial=0))

    def __call__(self, i: int, j: int) -> tuple[int, int]:
        """Slots of the line made of atoms i..j-1: runs that may grow, and marks a cell may follow."""
        a, b = self.starts[i], self.starts[j] - 1
        if a == b:
            return 0, 0
        inner = self.prefix[b] - self.prefix[a + 1]
        first = self.narrow[a] and self.next_wide[a]
        last = self.narrow[b] and self.prev_wide[b]
        return inner + first + last, self.marks[b] - self.marks[a]


def _line_cost(slack: int, slots: tuple[int, int]) -> float:
    """The cost of a non-final line that keeps ``slack`` empty cells, given its (run, mark) slots."""
    if slack <= 0:
        return 0.0
    runs, marks = slots
    if runs + marks:  # more than one cell in one place reads as a gap: cost it like the spread
        per_cell = SLACK_AT_LATIN if runs >= slack else SLACK_AT_MARK
        return per_cell * slack * max(1.0, slack / (runs + marks)) ** 2
    # spread cells cost quadratically: two lines with one spare cell each read better than one with two
    return SLACK_SPREAD * slack * slack


def break_grid(atoms: list[list[Cluster]], m: Measure) -> list[_LineDraft]:
    """Choose line breaks on the grid for the whole paragraph at once (dynamic programming).

    A line holds whole atoms and fills its cells exactly, or takes one more 、，。 hanging past the
    edge (where allowed), or keeps empty cells: those cost, least when they can sit beside a Latin or
    digit run or after a mark, most when they must be spread over the line. Looking at the paragraph
    as a whole lets an earlier line shift the breaks of later ones so that a mark lands where it can
    hang, and keeps a lone character off the last line.
    """
    first_cap, rest_cap = m.cells - m.indent, m.cells - m.rest_indent
    widths = [_atom_cells(a, m.pitch) for a in atoms]
    if max(widths, default=0) > max(1, min(first_cap, rest_cap)):
        atoms = _fit_atoms(atoms, max(1, min(first_cap, rest_cap)), m.pitch)
        widths = [_atom_cells(a, m.pitch) for a in atoms]
    n = len(atoms)
    slots = _SlotCount(atoms)
    inf = float("inf")
    best: list[tuple[float, int, bool]] = [(inf, -1, False)] * (n + 1)
    best[0] = (0.0, -1, False)
    ends = list(itertools.accumulate(widths, initial=0))  # cells used by atoms[:k]
    letters = list(itertools.accumulate(map(_letters, atoms), initial=0))
    for i in range(n):
        if best[i][0] == inf:
            continue
        cap = first_cap if i == 0 else rest_cap
        fullest = bisect.bisect_right(ends, ends[i] + cap) - 1  # most atoms that fit without hanging
        emptiest = bisect.bisect_left(ends, ends[i] + cap - WINDOW)
        candidates = list(range(max(i + 1, min(emptiest, fullest)), fullest + 1))
        if fullest < n and m.hang and ends[fullest + 1] - ends[i] == cap + 1 and _ends_hangable(atoms[fullest]):
            candidates.append(fullest + 1)
        for j in candidates:
            used = ends[j] - ends[i]
            hang = used > cap
            if j == n:
                lone = i > 0 and letters[n] - letters[i] <= 1
                line = LONE_LAST_LINE if lone else 0.0
            elif used >= cap:
                line = 0.0
            else:
                line = _line_cost(cap - used, slots(i, j))
            cost = best[i][0] + PER_LINE + line
            if cost < best[j][0]:
                best[j] = (cost, i, hang)
    lines: list[_LineDraft] = []
    j = n
    while j > 0:
        _, i, hang = best[j]
        indent = m.indent if i == 0 else m.rest_indent
        lines.append(_LineDraft(atoms[i:j], m.cells - indent, indent, hang))
        j = i
    lines.reverse()
    return lines


def _slack_slots(clusters: list[Cluster]) -> list[int]:
    """Latin/digit runs (cluster indexes) whose box may grow by whole cells, keeping the grid.

    A run that touches Chinese on a side not at the line's edge qualifies; it stays centred in its
    larger box. A whole empty cell between two Chinese characters would instead read as a space
    when the text is copied out of the PDF.
    """
    slots = []
    last = len(clusters) - 1
    for k, c in enumerate(clusters):
        if c.wide or c.space:
            continue
        before = k > 0 and clusters[k - 1].wide
        after = k < last and clusters[k + 1].wide
        if before or after:
            slots.append(k)
    return slots


# Which marks a spare cell follows first: the end of a sentence or a clause (a pause anyway), then
# (after the Latin and digit runs) a comma or a closing mark.
_STRONG_MARKS = frozenset("。？！；：")


def _mark_slots(clusters: list[Cluster]) -> tuple[list[int], list[int]]:
    """Marks (cluster indexes) that a spare cell may follow: after a sentence or clause, and the others.

    A run of marks like 。” counts as its strongest mark.
    """
    strong: list[int] = []
    weak: list[int] = []
    for k in range(len(clusters)):
        if _blank_after_mark(clusters, k):
            j = k
            while j >= 0 and clusters[j].wide and clusters[j].first in cjk.LEFT_INK and clusters[j].first not in _STRONG_MARKS:
                j -= 1
            ends_sentence = j >= 0 and clusters[j].wide and clusters[j].first in _STRONG_MARKS
            (strong if ends_sentence else weak).append(k)
    return strong, weak


def place_grid(draft: _LineDraft, m: Measure, last: bool) -> tuple[list[Glyph], bool]:
    """Glyph x positions for a grid line; returns (glyphs, on_grid)."""
    clusters = draft.clusters()
    cells = [0 if c.space else c.cells(m.pitch) for c in clusters]
    used = sum(cells) - (1 if draft.hanging else 0)
    slack = draft.capacity - used
    spread = 0.0  # points added after every cluster when the line cannot keep the grid
    on_grid = True
    if slack > 0 and m.justify and not last:
        # after the end of a sentence or clause first; then beside Latin/digit runs (runs with Chinese on
        # both sides first: they stay centred, the spare cell split around them); then after other marks
        strong, weak = _mark_slots(clusters)
        slots = strong + sorted(_slack_slots(clusters), key=lambda k: k in (0, len(clusters) - 1)) + weak
        if slots:
            for i in range(slack):
                cells[slots[i % len(slots)]] += 1
        elif len(clusters) > 1:
            on_grid = False
            spread = slack * m.pitch / (len(clusters) - 1)
    glyphs: list[Glyph] = []
    x = draft.indent * m.pitch
    for k, c in enumerate(clusters):
        box = cells[k] * m.pitch
        if c.wide and cells[k] == 1 and c.chars[0][0] != "\u3000":  # most characters: one in its cell
            ch, st = c.chars[0]
            glyphs.append(Glyph(ch, x, c.fonts[0], st.size, st.colour, st.fake_bold))
        elif c.wide:
            blank = (cells[k] - len(c.chars)) * m.pitch
            for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                if ch == "\u3000":
                    _ideographic_space(glyphs, clusters, k, x, box, st)
                    continue
                extra = blank / st.size if i == len(c.chars) - 1 else 0.0
                glyphs.append(Glyph(ch, x + i * m.pitch, f, st.size, st.colour, st.fake_bold, extra))
        elif not c.space and (k == 0 or not _joined(clusters[k - 1], c)):
            # the pieces of one run (an address broken after . / - _) are set together in their boxes
            end = k + 1
            while end < len(clusters) and _joined(clusters[end - 1], clusters[end]):
                end += 1
            run = clusters[k:end]
            free = sum(cells[k:end]) * m.pitch + (end - k - 1) * spread - sum(r.width_pt for r in run)
            at_start, at_end = k == 0, end == len(clusters) and not last
            before = 0.0 if at_start else free if at_end else free / 2
            if before > 0 and glyphs and clusters[k - 1].wide:  # the blank before the run: carried by the glyph before
                glyphs[-1] = glyphs[-1]._replace(extra=glyphs[-1].extra + before / glyphs[-1].size)
            gx = x + before
            for piece in run:
                for (ch, st), f, adv in zip(piece.chars, piece.fonts, piece.widths, strict=True):
                    glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold))
                    gx += adv
            after = free - before
            if after > 0 and end < len(clusters) and clusters[end].wide:  # and the blank after it, by its last glyph
                glyphs[-1] = glyphs[-1]._replace(extra=after / glyphs[-1].size)
        x += box + spread
    return glyphs, on_grid


def _joined(a: Cluster, b: Cluster) -> bool:
    """Are a and b consecutive pieces of one Latin/digit run (no space or wide character between)?"""
    return not (a.wide or a.space or b.wide or b.space)


def _ideographic_space(glyphs: list[Glyph], clusters: list[Cluster], k: int, x: float, box: float, st: CharStyle) -> None:
    """An ideographic space (U+3000) written in the text: its cell (``box`` wide, at ``x``) stays empty.

    Between two Chinese characters the cell is drawn as part of the glyph before (a wider advance)
    and the space itself with no advance where the next character starts, so that the line copies
    out as written and text extractors see no gap. At a line's edge it is not drawn.
    """
    if not glyphs or k == 0 or k + 1 >= len(clusters) or not (clusters[k - 1].wide and clusters[k + 1].wide):
        return
    prev = glyphs[-1]
    glyphs[-1] = prev._replace(extra=prev.extra + box / prev.size)
    font = clusters[k].fonts[0]
    glyphs.append(Glyph("\u3000", x + box, font, st.size, st.colour, st.fake_bold, -1.0))


def compose_paragraph(chars: list[tuple[str, CharStyle]], m: Measure, metrics: Metrics) -> list[list[Glyph]]:
    """Break and place one paragraph; returns the glyphs of each line."""
    clusters = make_clusters(chars, metrics)
    if not clusters:
        return []
    atoms = make_atoms(clusters, m.strict)
    if m.style == "book":
        from .book import break_book, place_book

        em = chars[0][1].size
        lines = break_book(atoms, m, em)
        return [place_book(cl, hang, ind, m, last=k == len(lines) - 1) for k, (cl, hang, ind) in enumerate(lines)]
    drafts = break_grid(atoms, m)
    out = []
    for i, d in enumerate(drafts):
        glyphs, _ = place_grid(d, m, last=i == len(drafts) - 1)
        out.append(glyphs)
    return out
