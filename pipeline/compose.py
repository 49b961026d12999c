"""Text → lines: clusters, unbreakable atoms, line filling on the grid (or book style), justification.

Composition takes its font metrics as an argument (see ``Metrics``), so tests can use a fixed-width fake
and state expected lines as text pictures. Nothing here knows about pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

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


@dataclass(frozen=True)
class Glyph:
    """One character placed on a line: x from the text block's left edge, in points."""

    ch: str
    x: float
    font: str
    size: float
    colour: str = "black"
    fake_bold: float = 0.0


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
@dataclass
class Cluster:
    """A piece that is laid out as a whole: one wide character, a —— or …… pair, or a Latin/digit run."""

    chars: list[tuple[str, CharStyle]]
    wide: bool
    width_pt: float = 0.0  # natural width (narrow runs); wide clusters use cells
    space: bool = False  # a breakable word space between Latin words
    fonts: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # per-character advances (narrow runs), pt

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    @property
    def first(self) -> str:
        return self.chars[0][0]

    @property
    def last(self) -> str:
        return self.chars[-1][0]

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
                out.append(Cluster([(" ", st)], wide=False, space=True))
            i += 1
            continue
        if cjk.is_wide(ch):
            if ch in cjk.DOUBLED and i + 1 < n and chars[i + 1][0] == ch:
                out.append(Cluster([chars[i], chars[i + 1]], wide=True))
                i += 2
            else:
                out.append(Cluster([chars[i]], wide=True))
                i += 1
            continue
        j = i
        while j < n and not cjk.is_wide(chars[j][0]) and not chars[j][0].isspace():
            j += 1
        out.append(Cluster(list(chars[i:j]), wide=False))
        i = j
    for c in out:
        c.fonts = [metrics.font_for(st.role, ch) for ch, st in c.chars]
        if not c.wide:
            c.widths = [metrics.advance(f, ch) * st.size for (ch, st), f in zip(c.chars, c.fonts, strict=True)]
            c.width_pt = sum(c.widths)
    # a trailing space is not kept
    while out and out[-1].space:
        out.pop()
    return out


def can_break(a: Cluster, b: Cluster, strict: bool) -> bool:
    """May a line end between clusters a and b?"""
    if a.space or b.space:
        return b.space is False and a.space  # break after a word space, never before it
    if b.first in cjk.NO_LINE_START or a.last in cjk.NO_LINE_END:
        return False
    if strict and b.wide and len(b.chars) == 2 and b.first in cjk.DOUBLED:
        return False
    # numbers and Latin words stay with what follows them (units, measure words, closing marks)
    return a.wide


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


def break_grid(atoms: list[list[Cluster]], m: Measure) -> list[_LineDraft]:
    """Greedy filling on the grid: whole atoms, one hanging 、，。 where allowed, else push down."""
    lines: list[_LineDraft] = []
    pending = list(atoms)
    first = True
    while pending:
        indent = m.indent if first else m.rest_indent
        cap = m.cells - indent
        draft = _LineDraft([], cap, indent)
        used = 0
        while pending:
            atom = pending[0]
            w = _atom_cells(atom, m.pitch)
            if used + w <= cap:
                draft.atoms.append(pending.pop(0))
                used += w
                continue
            if m.hang and used + w - 1 == cap and _ends_hangable(atom):
                draft.atoms.append(pending.pop(0))
                draft.hanging = True
                used += w
                break
            if not draft.atoms:  # an atom wider than the line
                head, tail = _split_long_atom(atom, cap, m.pitch)
                draft.atoms.append(head)
                pending[0] = tail
                if not tail:
                    pending.pop(0)
            break
        lines.append(draft)
        first = False
    _avoid_lone_last(lines, m)
    return lines


def _lone(draft: _LineDraft) -> bool:
    """A last line holding one character (and its marks): 孤字."""
    count = 0
    for c in draft.clusters():
        if c.wide:
            count += sum(1 for ch, _ in c.chars if cjk.is_han(ch))
        else:
            count += sum(1 for ch, _ in c.chars if ch.isalnum())
    return count <= 1


def _avoid_lone_last(lines: list[_LineDraft], m: Measure) -> None:
    """Pull one more atom down from the line before when the last line would hold a lone character."""
    if len(lines) < 2 or not _lone(lines[-1]):
        return
    prev = lines[-2]
    if len(prev.atoms) < 2:
        return
    moved = prev.atoms.pop()
    prev.hanging = False
    last = lines[-1]
    if _atom_cells(moved, m.pitch) + sum(_atom_cells(a, m.pitch) for a in last.atoms) <= last.capacity:
        last.atoms.insert(0, moved)
    else:
        prev.atoms.append(moved)


# ------------------------------------------------------------------------------------------- placing
def _slack_slots(clusters: list[Cluster]) -> list[int]:
    """Gaps (index k = after cluster k) where whole empty cells keep the grid and copy out cleanly.

    Only boundaries between Chinese and Latin/digits qualify: a whole empty cell between two Chinese
    characters would read as a space when the text is copied out of the PDF.
    """
    slots = []
    for k in range(len(clusters) - 1):
        a, b = clusters[k], clusters[k + 1]
        if a.wide != b.wide and not a.space and not b.space:
            slots.append(k)
    return slots


def place_grid(draft: _LineDraft, m: Measure, last: bool) -> tuple[list[Glyph], bool]:
    """Glyph x positions for a grid line; returns (glyphs, on_grid)."""
    clusters = draft.clusters()
    cells = [0 if c.space else c.cells(m.pitch) for c in clusters]
    used = sum(cells) - (1 if draft.hanging else 0)
    slack = draft.capacity - used
    extra = [0.0] * len(clusters)  # points added after cluster k
    on_grid = True
    if slack > 0 and m.justify and not last:
        slots = _slack_slots(clusters)
        if slots:
            for i in range(slack):
                extra[slots[i % len(slots)]] += m.pitch
        elif len(clusters) > 1:
            on_grid = False
            share = slack * m.pitch / (len(clusters) - 1)
            for k in range(len(clusters) - 1):
                extra[k] += share
    glyphs: list[Glyph] = []
    x = draft.indent * m.pitch
    for k, c in enumerate(clusters):
        box = cells[k] * m.pitch
        if c.space:
            pass
        elif c.wide:
            for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                if ch != "\u3000":
                    glyphs.append(Glyph(ch, x + i * m.pitch, f, st.size, st.colour, st.fake_bold))
        else:
            at_start = k == 0
            at_end = k == len(clusters) - 1 and not last
            free = box - c.width_pt
            gx = x + (0.0 if at_start else free if at_end else free / 2)
            for (ch, st), f, adv in zip(c.chars, c.fonts, c.widths, strict=True):
                glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold))
                gx += adv
        x += box + extra[k]
    return glyphs, on_grid


def compose_paragraph(chars: list[tuple[str, CharStyle]], m: Measure, metrics: Metrics) -> list[list[Glyph]]:
    """Break and place one paragraph; returns the glyphs of each line."""
    clusters = make_clusters(chars, metrics)
    if not clusters:
        return []
    atoms = make_atoms(clusters, m.strict)
    drafts = break_grid(atoms, m)
    out = []
    for i, d in enumerate(drafts):
        glyphs, _ = place_grid(d, m, last=i == len(drafts) - 1)
        out.append(glyphs)
    return out
