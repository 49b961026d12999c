"""Line breaking: a paragraph's widths and adjustment room (``LineModel``) and the best breaks for the whole
paragraph at once (dynamic programming).

A line's natural width is its Han and full-width marks at one cell each, digit and Latin runs at
their natural width with the layout's Han–Latin gap (¼ em) on each side that touches Han, and
adjacent marks paired (two marks in 1.5 cells). A line that is too long compresses its
line-internal marks toward half width (then the Han–Latin gaps toward ⅛ em); a line that is short
spreads the rest evenly over all its gaps (JLREQ §3.8, CLREQ). A line of full cells stays exactly on
the character grid. Grid style keeps every line-end mark at a full cell; book style sets it at half
a cell (GB/T 15834 5.1.10) and lets an opener at the line start lose its leading blank.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass

from pipeline import cjk
from pipeline.compose.lines import Cluster, Measure, _letters


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
