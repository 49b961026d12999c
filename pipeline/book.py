"""Book-style lines (CLREQ): punctuation compression, squeeze before push, then justification.

Marks keep their ink and lose blank halves: two adjacent marks take 1.5 em instead of 2, a stop or
closer at the line end takes half an em, an opener at the line start may lose its leading blank half.
A line that is too long first squeezes (more blank halves, the Chinese–Western gaps), and only then
pushes its last atom down; a short line stretches the Chinese–Western gaps up to half an em, then all
gaps equally. Uses the clusters and atoms of ``compose``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from . import cjk
from .compose import Cluster, Glyph, Measure, _ends_hangable


@dataclass
class _Piece:
    """A cluster's horizontal budget on one line."""

    cluster: Cluster
    width: float  # natural advance, before trimming
    blank_left: float  # trimmable blank on the left of the ink
    blank_right: float
    trim_left: float = 0.0
    trim_right: float = 0.0
    gap_after: float = 0.0  # Chinese–Western space after this piece
    gap_stretchable: bool = False

    @property
    def advance(self) -> float:
        return self.width - self.trim_left - self.trim_right


def _em(c: Cluster) -> float:
    return c.chars[0][1].size


def _piece(c: Cluster) -> _Piece:
    em = _em(c)
    if c.space:
        return _Piece(c, em / 4, 0.0, 0.0)
    if not c.wide:
        return _Piece(c, c.width_pt, 0.0, 0.0)
    ch = c.first
    if len(c.chars) == 1 and ch in cjk.LEFT_INK:
        return _Piece(c, em, 0.0, em / 2)
    if len(c.chars) == 1 and ch in cjk.RIGHT_INK:
        return _Piece(c, em, em / 2, 0.0)
    if len(c.chars) == 1 and ch in cjk.CENTRE_INK:
        return _Piece(c, em, em / 4, em / 4)
    return _Piece(c, em * len(c.chars), 0.0, 0.0)


def _is_mark(c: Cluster) -> bool:
    return c.wide and len(c.chars) == 1 and (c.first in cjk.LEFT_INK or c.first in cjk.RIGHT_INK or c.first in cjk.CENTRE_INK)


def _line_pieces(clusters: list[Cluster], gap_cells: float, hanging: bool) -> list[_Piece]:
    """Pieces with the CLREQ compressions of a line: adjacent marks, line-end and line-start marks."""
    pieces = [_piece(c) for c in clusters]
    for a, b in itertools.pairwise(pieces):
        if _is_mark(a.cluster) and _is_mark(b.cluster):
            if a.blank_right and b.blank_left:
                a.trim_right = a.blank_right  # closer/stop + opener: 1.5 em, the opener keeps its half
            elif a.blank_right:
                a.trim_right = a.blank_right  # two closers or stops
            elif b.blank_left:
                b.trim_left = b.blank_left  # two openers
        ca, cb = a.cluster, b.cluster
        if ca.wide != cb.wide and not ca.space and not cb.space and not _is_mark(ca) and not _is_mark(cb):
            a.gap_after = gap_cells * _em(ca if ca.wide else cb)
            a.gap_stretchable = True
    if pieces:
        last = pieces[-2] if hanging and len(pieces) > 1 else pieces[-1]
        if _is_mark(last.cluster) and last.blank_right:
            last.trim_right = last.blank_right  # GB/T 15834 5.1.10: half a cell at the line end
        first = pieces[0]
        if _is_mark(first.cluster) and first.blank_left:
            first.trim_left = first.blank_left
    return pieces


def _natural(pieces: list[_Piece], hanging: bool) -> float:
    body = pieces[:-1] if hanging else pieces
    return sum(p.advance for p in body) + sum(p.gap_after for p in body[:-1])


def _shrinkable(pieces: list[_Piece]) -> float:
    marks = sum(p.blank_left - p.trim_left + p.blank_right - p.trim_right for p in pieces[:-1])
    return marks + sum(p.gap_after for p in pieces[:-1])


def _excess(clusters: list[Cluster], m: Measure, width: float) -> tuple[float, bool]:
    """(points the line must squeeze, hanging); 0 when it fits naturally, inf when it cannot fit."""
    best = (float("inf"), False)
    for hanging in (False, True):
        if hanging and not (m.hang and len(clusters) > 1 and _ends_hangable([clusters[-1]])):
            continue
        pieces = _line_pieces(clusters, m.cjk_latin_gap, hanging)
        need = _natural(pieces, hanging)
        if need <= width + 1e-6:
            return 0.0, hanging
        if need - _shrinkable(pieces[:-1] if hanging else pieces) <= width + 1e-6:
            best = min(best, (need - width, hanging))
    return best


def _slack(clusters: list[Cluster], m: Measure, width: float) -> float:
    pieces = _line_pieces(clusters, m.cjk_latin_gap, False)
    return width - _natural(pieces, False)


def break_book(atoms: list[list[Cluster]], m: Measure, em: float) -> list[tuple[list[Cluster], bool, float]]:
    """Greedy lines: (clusters, hanging, indent in points); squeeze before pushing down."""
    total = m.cells * m.pitch
    lines: list[tuple[list[Cluster], bool, float]] = []
    i = 0
    while i < len(atoms):
        indent = (m.indent if not lines else m.rest_indent) * em
        width = total - indent
        current: list[Cluster] = list(atoms[i])
        hanging = _excess(current, m, width)[1]
        j = i + 1
        while j < len(atoms):
            excess, hang = _excess(current + atoms[j], m, width)
            # squeeze before pushing down, unless squeezing would cost more than stretching the line
            if excess > 0 and excess > _slack(current, m, width):
                break
            current += atoms[j]
            hanging = hang
            j += 1
        lines.append((current, hanging, indent))
        i = j
    if len(lines) > 1:
        _avoid_lone_last(lines, atoms, m, total, em)
    return lines


def _avoid_lone_last(
    lines: list[tuple[list[Cluster], bool, float]], atoms: list[list[Cluster]], m: Measure, total: float, em: float
) -> None:
    last = lines[-1][0]
    letters = sum(1 for c in last for ch, _ in c.chars if cjk.is_han(ch) or (ch.isascii() and ch.isalnum()))
    if letters > 1:
        return
    prev, _, indent = lines[-2]
    # the last atom of the previous line moves down
    start = len(prev)
    for atom in reversed(atoms):
        if len(atom) <= len(prev) and prev[-len(atom) :] == atom:
            start = len(prev) - len(atom)
            break
    if start <= 0 or start >= len(prev):
        return
    moved = prev[start:]
    lines[-2] = (prev[:start], False, indent)
    lines[-1] = (moved + last, False, lines[-1][2])


def place_book(clusters: list[Cluster], hanging: bool, indent: float, m: Measure, last: bool) -> list[Glyph]:
    """Glyph positions for one book-style line, justified unless it is the paragraph's last."""
    width = m.cells * m.pitch - indent
    pieces = _line_pieces(clusters, m.cjk_latin_gap, hanging)
    body = pieces[:-1] if hanging else pieces
    need = _natural(pieces, hanging)
    if need > width + 1e-6:
        _squeeze(body, need - width)
    elif m.justify and not last and len(body) > 1:
        _stretch(body, width - need)
    glyphs: list[Glyph] = []
    x = indent
    for k, p in enumerate(pieces):
        origin = x - p.trim_left
        c = p.cluster
        if c.wide:
            for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                if ch != "\u3000":
                    glyphs.append(Glyph(ch, origin + i * st.size, f, st.size, st.colour, st.fake_bold))
        elif not c.space:
            gx = origin
            for (ch, st), f, adv in zip(c.chars, c.fonts, c.widths, strict=True):
                glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold))
                gx += adv
        x += p.advance + (p.gap_after if k < len(pieces) - 1 else 0.0)
    return glyphs


def _squeeze(body: list[_Piece], excess: float) -> None:
    """Take ``excess`` points from blank halves of marks and Chinese–Western gaps, in proportion."""
    items = body[:-1]
    room = _shrinkable(body)
    if room <= 0:
        return
    ratio = min(1.0, excess / room)
    for p in items:
        p.trim_left += (p.blank_left - p.trim_left) * ratio
        p.trim_right += (p.blank_right - p.trim_right) * ratio
        p.gap_after -= p.gap_after * ratio


def _stretch(body: list[_Piece], extra: float) -> None:
    """Chinese–Western gaps first (up to half an em), then every gap equally."""
    latin = [p for p in body[:-1] if p.gap_stretchable]
    if latin:
        per = min(extra / len(latin), max(0.0, _em(latin[0].cluster) / 2 - latin[0].gap_after))
        for p in latin:
            p.gap_after += per
        extra -= per * len(latin)
    full = {id(p) for p in latin if p.gap_after >= _em(p.cluster) / 2 - 1e-6}
    gaps = [p for p in body[:-1] if id(p) not in full]
    if gaps and extra > 0:
        share = extra / len(gaps)
        for p in gaps:
            p.gap_after += share
