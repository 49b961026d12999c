"""Composed flow → pages: grid lines, keep-with-next, widows and orphans, folios and the 报尾."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.compose.figures import Figure
from pipeline.compose.flow import Composed, Fixed, FlowItem, Outline, PageBreak, Spacer
from pipeline.compose.folio import FolioLine
from pipeline.compose.lines import Glyph, Line
from pipeline.layout.templates import Layout
from pipeline.page import Bookmark, Image  # placed photos and bookmarks are already what the page model holds


@dataclass(frozen=True)
class PlacedLine:
    """A line on a page: ``x`` of its left edge and ``baseline``, in PDF points from the page's bottom left."""

    line: Line
    x: float
    baseline: float
    grid_index: int = -1  # body grid line (0-based), -1 for lines off the grid


@dataclass(frozen=True)
class Rule:
    x0: float
    x1: float
    y: float
    width: float
    colour: str
    y1: float | None = None  # the other end's y when the rule is not horizontal (table rules)


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[PlacedLine, ...]
    rules: tuple[Rule, ...] = ()
    bookmarks: tuple[Bookmark, ...] = ()
    images: tuple[Image, ...] = ()


@dataclass
class _PageDraft:
    first_grid: int
    entries: list[tuple[int, int, FlowItem]] = field(default_factory=list)  # (flow index, grid line, item)
    used: int = 0
    numbered: bool = True  # blank pages and the 报尾 page after them carry no number (GB/T 9704)
    forced: bool = False  # the page ends where the flow asks for a new page

    def filled(self) -> int:
        """Grid lines down to the last thing placed on the page."""
        ends = [grid + item.grid_lines for _, grid, item in self.entries if isinstance(item, Line | Figure)]
        return max(ends, default=self.first_grid)

    def paragraphs(self) -> list[int]:
        """The paragraphs with lines on the page, in order."""
        return list(dict.fromkeys(item.para for _, _, item in self.entries if isinstance(item, Line) and item.para >= 0))


class _Paginator:
    def __init__(self, doc: Composed, layout: Layout):
        self.doc = doc
        self.layout = layout
        self.lpp = layout.grid.lines_per_page

    def block_left(self, number: int) -> float:
        p = self.layout.page
        if p.mirror and number % 2 == 0:
            return p.width - p.inner - p.block_width
        return p.inner

    @property
    def block_top(self) -> float:
        return self.layout.page.height - self.layout.page.top

    def baseline(self, grid_line: int, size: float, span: int = 1) -> float:
        lp = self.layout.line_pitch
        band = lp * span
        return self.block_top - (grid_line * lp + (band - size) / 2 + self.layout.grid.em_ascent * size)

    def _bad_break(self, entries: list[tuple[int, int, FlowItem]], cut: int, rest: list[FlowItem]) -> bool:
        """Would ending the page before entries[cut] strand a heading or split a paragraph badly?"""
        placed = [e[2] for e in entries[:cut] if isinstance(e[2], Line | Figure)]
        if not placed:
            return False
        prev = placed[-1]
        if prev.keep_with_next:
            return True
        following = [e[2] for e in entries[cut:]] + rest
        nxt = next((item for item in following if isinstance(item, Line | Figure)), None)
        if nxt is None or prev.para < 0 or prev.para != nxt.para:
            return False
        before = sum(1 for ln in placed if ln.para == prev.para)
        after = sum(1 for item in following if isinstance(item, Line) and item.para == prev.para)
        need = self.layout.grid.widow_lines
        return before < need or after < need

    def run(self, flow: list[FlowItem]) -> list[_PageDraft]:
        pages = [_PageDraft(first_grid=self.doc.masthead_lines)]
        i = 0
        while i < len(flow):
            page = pages[-1]
            cap = self.lpp - page.first_grid
            item = flow[i]
            if isinstance(item, PageBreak):
                page.forced = True
                pages.append(_PageDraft(0))
                i += 1
            elif isinstance(item, Outline):
                page.entries.append((i, page.first_grid + page.used, item))
                i += 1
            elif isinstance(item, Spacer):
                if page.used and page.used + item.lines <= cap:
                    page.used += item.lines
                elif page.used:
                    pages.append(_PageDraft(0))
                i += 1
            else:
                head = item.repeat if isinstance(item, Figure) else None
                if head is not None and not page.used and head.grid_lines + item.grid_lines <= cap:
                    page.entries.append((i, page.first_grid, head))  # a continued table's header
                    page.used += head.grid_lines
                span = item.grid_lines
                if page.used + span <= cap or (not page.used and span > cap):
                    page.entries.append((i, page.first_grid + page.used, item))
                    page.used += span
                    i += 1
                    continue
                cut = len(page.entries)
                while cut > 0 and self._bad_break(page.entries, cut, flow[i:]):
                    cut -= 1
                while cut > 0 and isinstance(page.entries[cut - 1][2], Outline):
                    cut -= 1  # a bookmark goes with the line it marks
                if cut > 0 and any(isinstance(e[2], Line | Figure) for e in page.entries[:cut]):
                    i = page.entries[cut][0] if cut < len(page.entries) else i
                    del page.entries[cut:]
                pages.append(_PageDraft(0))
        while len(pages) > 1 and not pages[-1].entries:
            pages.pop()
        if self.doc.tail is not None:
            self._add_tail_page(pages)
        return pages

    def _add_tail_page(self, pages: list[_PageDraft]) -> None:
        """Make room for the 报尾 at the foot of the last page; in duplex printing that page is even."""
        need = -(-self._tail_height() // self.layout.line_pitch)
        last = pages[-1]
        fits = last.used + need <= self.lpp - last.first_grid
        duplex = self.layout.page.mirror
        if fits and (not duplex or len(pages) % 2 == 0):
            return
        if not duplex:
            pages.append(_PageDraft(0))
            return
        if len(pages) % 2 == 0:
            pages.append(_PageDraft(0, numbered=False))  # a blank odd page before it
        pages.append(_PageDraft(0, numbered=False))

    def _tail_height(self) -> float:
        assert self.doc.tail is not None
        return len(self.doc.tail.lines) * self.layout.tail.line_pitch


def _folio(layout: Layout, number: int, left: float, metrics_width: float, glyphs: tuple[Glyph, ...]) -> PlacedLine:
    f = layout.folio
    inset = f.inset * layout.pitch
    odd = number % 2 == 1
    x = left + layout.page.block_width - inset - metrics_width if odd else left + inset
    y = layout.page.height - layout.page.top - layout.page.block_height - f.below_block
    return PlacedLine(Line(glyphs, kind="folio", size=glyphs[0].size if glyphs else 14.0), x, y)


@dataclass(frozen=True)
class _Choices:
    """How the flow is varied to fill pages: paragraphs set tight, photos floated past paragraphs."""

    tightened: frozenset[int] = frozenset()
    floated: frozenset[int] = frozenset()  # ids of photos that go after the paragraph that follows them

    def tighten(self, para: int) -> _Choices:
        return _Choices(self.tightened | {para}, self.floated)

    def float(self, photo: int) -> _Choices:
        return _Choices(self.tightened, self.floated | {photo})


def _flow(doc: Composed, choices: _Choices) -> list[FlowItem]:
    """The flow with the tight setting of the tightened paragraphs and the floated photos moved."""
    out: list[FlowItem] = []
    for item in doc.flow:
        if isinstance(item, Line) and item.para in choices.tightened:
            if item.first:
                out += doc.tight[item.para]
            continue
        out.append(item)
    for k in range(len(out) - 1, -1, -1):
        item = out[k]
        if isinstance(item, Figure) and id(item) in choices.floated:
            end = k + 1
            while end < len(out) and isinstance(out[end], Line) and out[end].kind == "body":  # type: ignore[union-attr]
                end += 1
                if out[end - 1].last:  # type: ignore[union-attr]
                    break
            out[k:end] = [*out[k + 1 : end], item]
    return out


def _badness(pages: list[_PageDraft], layout: Layout) -> tuple[int, int]:
    """(empty lines beyond the allowed at the foot of pages but the last, pages): less is better."""
    lpp, allowed = layout.grid.lines_per_page, layout.grid.max_foot_gap
    excess = sum(max(0, lpp - p.filled() - allowed) for p in pages[:-1] if not p.forced and p.entries)
    return excess, len(pages)


def _options(pages: list[_PageDraft], k: int, doc: Composed, choices: _Choices) -> list[_Choices]:
    """Ways to fill page k: set a paragraph on it a line tighter (the last first), or float the photo
    that opens the next page past the paragraph after it."""
    found = [choices.tighten(p) for p in reversed(pages[k].paragraphs()) if p in doc.tight and p not in choices.tightened]
    following = [item for _, _, item in pages[k + 1].entries if isinstance(item, Line | Figure)]
    if following and isinstance(following[0], Figure) and following[0].kind == "photo":
        found.append(choices.float(id(following[0])))
    return found


def fill_pages(pg: _Paginator, doc: Composed) -> list[_PageDraft]:
    """Pages as full as the keep rules allow: where a page would leave more than the layout's
    ``max_foot_gap`` lines empty (a block that must stay together moved on), a paragraph on it is set
    a line tighter (its tight setting, squeezed harder), or a photo that does not fit floats to the top
    of the next page with the text after it filling the page, when that fills the page better."""
    choices = _Choices()
    pages = pg.run(_flow(doc, choices))
    score = _badness(pages, pg.layout)
    lpp, allowed = pg.layout.grid.lines_per_page, pg.layout.grid.max_foot_gap
    while score[0]:
        gappy = next(k for k, p in enumerate(pages[:-1]) if not p.forced and p.entries and lpp - p.filled() > allowed)
        for option in _options(pages, gappy, doc, choices):
            trial = pg.run(_flow(doc, option))
            trial_score = _badness(trial, pg.layout)
            if trial_score < score:
                choices, pages, score = option, trial, trial_score
                break
        else:
            break
    return pages


def paginate(doc: Composed, layout: Layout, folio_line: FolioLine) -> list[Page]:
    """Place the flow on pages. ``folio_line(text)`` composes a folio as (glyphs, width)."""
    pg = _Paginator(doc, layout)
    drafts = fill_pages(pg, doc)
    pages: list[Page] = []
    for n, draft in enumerate(drafts, start=1):
        left = pg.block_left(n)
        placed: list[PlacedLine] = []
        rules: list[Rule] = []
        marks: list[Bookmark] = []
        images: list[Image] = []
        if n == 1:
            for fx in doc.masthead:
                placed.append(_fixed(fx, left, pg.block_top))
            mh = layout.masthead
            y = pg.block_top - mh.issuer_baseline - mh.rule_offset
            rules.append(Rule(left, left + layout.page.block_width, y, mh.rule_width, mh.rule_colour))
        for _, grid, item in draft.entries:
            if isinstance(item, Outline):
                marks.append(Bookmark(item.level, item.title, pg.block_top - grid * layout.line_pitch))  # line's top
            elif isinstance(item, Line):
                if item.drop is None:
                    y = pg.baseline(grid, item.size, item.grid_lines)
                else:
                    y = pg.block_top - grid * layout.line_pitch - item.drop
                placed.append(PlacedLine(item, left, y, grid))
            elif isinstance(item, Figure):
                _place_figure(item, left, pg.block_top - grid * layout.line_pitch, grid, placed, rules, images)
        if n == len(drafts) and doc.tail is not None:
            placed_tail, tail_rules = _tail(doc, layout, left)
            placed += placed_tail
            rules += tail_rules
        if draft.numbered and (n > 1 or layout.folio.first_page):
            glyphs, width = folio_line(layout.folio.template.format(n=n))
            placed.append(_folio(layout, n, left, width, glyphs))
        pages.append(Page(n, tuple(placed), tuple(rules), tuple(marks), tuple(images)))
    return pages


def _place_figure(
    fig: Figure, left: float, top: float, grid: int, lines: list[PlacedLine], rules: list[Rule], images: list[Image]
) -> None:
    """Move a figure's texts, rules and photos from figure-relative to page coordinates."""
    for t in fig.texts:
        lines.append(PlacedLine(t.line, left + t.x, top - t.baseline, grid + t.grid if t.grid >= 0 else -1))
    for r in fig.rules:
        rules.append(Rule(left + r.x0, left + r.x1, top - r.y0, r.width, r.colour, top - r.y1))
    for im in fig.images:
        images.append(Image(im.path, left + im.x, top - im.top - im.height, im.width, im.height, im.orientation, im.mask))


def _fixed(fx: Fixed, left: float, top: float) -> PlacedLine:
    return PlacedLine(fx.line, left, top - fx.baseline)


def _tail(doc: Composed, layout: Layout, left: float) -> tuple[list[PlacedLine], list[Rule]]:
    """The 报尾 at the foot of the block: a rule above each entry, the last rule on the block's bottom edge."""
    assert doc.tail is not None
    t = layout.tail
    bottom = layout.page.height - layout.page.top - layout.page.block_height
    right = left + layout.page.block_width
    n = len(doc.tail.lines)
    placed, rules = [], []
    k = 0
    for e, entry in enumerate(doc.tail.entries):
        top = bottom + (n - k) * t.line_pitch
        rules.append(Rule(left, right, top, t.outer_rule if e == 0 else t.inner_rule, t.rule_colour))
        for ln in entry:
            slot_bottom = bottom + (n - 1 - k) * t.line_pitch
            placed.append(PlacedLine(ln, left, slot_bottom + (t.line_pitch - ln.size) / 2 + 0.12 * ln.size))
            k += 1
    rules.append(Rule(left, right, bottom, t.outer_rule, t.rule_colour))
    return placed, rules
