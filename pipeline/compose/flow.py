"""Issue × Layout × Metrics → the composed document: masthead items, the flow of lines, the 报尾.

This is the composition stage: it decides every glyph's x position and which lines belong together;
the paginator then decides on which page and grid line each flow line goes.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

from pipeline import cjk
from pipeline.compose.figures import Figure, FigureComposer
from pipeline.compose.lines import CharStyle, Glyph, Line, Measure, Metrics, _fit_atoms, make_atoms, make_clusters
from pipeline.compose.paragraph import compose_paragraph, compose_variants, set_natural
from pipeline.compose.words import word_ends
from pipeline.errors import JianbaoError, Location, Problem
from pipeline.layout.templates import Layout, Length, Style
from pipeline.source.model import Article, Issue, Paragraph

MIN_FIT = 0.6  # a one-line field may shrink to this part of its size before it is an error
STACKED_TITLE_LINES = 4  # a title of more lines than this is set on the grid pitch


@dataclass(frozen=True)
class Fixed:
    """A line at a fixed place on page 1: baseline measured down from the top of the text block."""

    line: Line
    baseline: float


@dataclass(frozen=True)
class Spacer:
    """Empty grid lines (dropped at the top of a page)."""

    lines: int = 1


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Outline:
    """A bookmark for the next flow line: level 0 = 栏目, 1 = article."""

    level: int
    title: str


FlowItem = Line | Spacer | PageBreak | Outline | Figure


@dataclass(frozen=True)
class Tail:
    """The 报尾: entries (报/送/发 …, 共印X份), each one or more placed lines; ruled between entries."""

    entries: tuple[tuple[Line, ...], ...]

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for entry in self.entries for line in entry)


@dataclass(frozen=True)
class Composed:
    masthead: tuple[Fixed, ...]
    masthead_lines: int  # grid lines of page 1 taken by the masthead
    flow: tuple[FlowItem, ...]
    tail: Tail | None
    tight: dict[int, tuple[Line, ...]] = dataclasses.field(default_factory=dict)  # paragraph → its lines set a line shorter
    warnings: tuple[Problem, ...] = ()  # found while composing (a photo at a low resolution …)


class _Assembler:
    def __init__(self, issue: Issue, layout: Layout, metrics: Metrics):
        self.issue = issue
        self.layout = layout
        self.metrics = metrics
        self.paras = itertools.count()
        self.tight: dict[int, tuple[Line, ...]] = {}
        self.figures = FigureComposer(layout, metrics)

    # ------------------------------------------------------------------ helpers
    def char_style(self, name: str) -> CharStyle:
        st = self.layout.style(name)
        return CharStyle(st.font, st.size, st.colour, st.fake_bold)

    def measure(self, indent: int = 0, rest: int = 0, cells: int | None = None, justify: bool = True) -> Measure:
        g = self.layout.grid
        return Measure(
            cells=cells or g.chars_per_line,
            pitch=self.layout.pitch,
            indent=indent,
            rest_indent=rest,
            style=g.style,
            hang=g.hang,
            strict=g.strict,
            cjk_latin_gap=g.cjk_latin_gap,
            justify=justify,
        )

    def paragraph(
        self, runs: list[tuple[str, str]], kind: str, m: Measure, keep: bool = False, tight: bool = False
    ) -> list[Line]:
        """The paragraph's lines; with ``tight``, its tight setting (a line fewer) is kept for the paginator."""
        chars = [(ch, st) for text, style in runs for st in (self.char_style(style),) for ch in text]
        best, fewer = compose_variants(chars, m, self.metrics, tight)
        serial = next(self.paras)
        size = max((st.size for _, st in chars), default=16.0)

        def lines(glyph_lines: list[list[Glyph]]) -> list[Line]:
            n = len(glyph_lines)
            return [
                Line(tuple(g), kind=kind, para=serial, first=i == 0, last=i == n - 1, size=size, keep_with_next=keep)
                for i, g in enumerate(glyph_lines)
            ]

        if fewer is not None:
            self.tight[serial] = tuple(lines(fewer))
        return lines(best)

    def natural_line(self, text: str, style: Style, kind: str) -> tuple[list[Glyph], float]:
        """Glyphs at natural advances plus letter spacing, starting at x = 0; returns (glyphs, width)."""
        st = CharStyle(style.font, style.size, style.colour, style.fake_bold)
        return set_natural([(ch, st) for ch in text], self.metrics, self.layout.grid.cjk_latin_gap, style.letter_spacing)

    def placed(
        self,
        text: str,
        style_name: str,
        kind: str,
        align: str,
        inset: float = 0.0,
        room: float | None = None,
        field: str | None = None,
    ) -> Line:
        """One line at its natural width, shrunk (down to 60 %) when wider than ``room``."""
        style = self.layout.style(style_name)
        glyphs, width = self.natural_line(text, style, kind)
        bw = self.layout.page.block_width
        room = bw - 2 * inset if room is None else room
        if width > room + 0.01:
            scale = room / width
            if scale < MIN_FIT:
                where = self.issue.where.get(field or "", Location(self.issue.source_path, field=field))
                raise JianbaoError(
                    f"“{text[:12]}…”太长，一行放不下（约 {int(width / style.size)} 字宽，只有 {int(room / style.size)} 字宽）",
                    where,
                    f"请缩短；或在版式中调小 styles.{style_name}.size",
                )
            style = dataclasses.replace(style, size=Length(style.size * scale))
            glyphs, width = self.natural_line(text, style, kind)
        if align == "centre":
            dx = (bw - width) / 2
        elif align == "right":
            dx = bw - inset - width
        else:
            dx = inset
        moved = tuple(g._replace(x=g.x + dx) for g in glyphs)
        return Line(moved, kind=kind, size=style.size)

    # ------------------------------------------------------------------ masthead
    def masthead(self) -> tuple[tuple[Fixed, ...], int]:
        i, mh, pitch = self.issue, self.layout.masthead, self.layout.pitch
        items = []
        if i.mark:
            items.append(Fixed(self.placed(i.mark, "mast_mark", "masthead", "left", field="mark"), mh.mark_baseline))
        name = self.placed(i.bulletin, "mast_name", "masthead", "centre", field="bulletin")
        items.append(Fixed(name, mh.name_baseline))
        if i.title:
            title = self.placed(i.title, "mast_title", "masthead", "centre", field="title")
            items.append(Fixed(title, mh.title_baseline))
        number = issue_number(i)
        if i.total:
            number += f"（总第{i.total}期）"
        items.append(Fixed(self.placed(number, "mast_number", "masthead", "centre", field="number"), mh.number_baseline))
        inset = mh.issuer_indent * pitch
        date = f"{i.date.year}年{i.date.month}月{i.date.day}日"
        dated = self.placed(date, "mast_issuer", "masthead", "right", inset, field="date")
        room = self.layout.page.block_width - 2 * inset - (dated.glyphs[-1].x - dated.glyphs[0].x) - mh.issuer_date_gap * pitch
        issuer = self.placed(i.issuer, "mast_issuer", "masthead", "left", inset, room=room, field="issuer")
        items += [Fixed(issuer, mh.issuer_baseline), Fixed(dated, mh.issuer_baseline)]
        rule_y = mh.issuer_baseline + mh.rule_offset
        lines_used = math.ceil(rule_y / self.layout.line_pitch - 1e-6) + mh.contents_gap_lines
        return tuple(items), lines_used

    # ------------------------------------------------------------------ contents
    def contents(self) -> list[FlowItem]:
        c = self.layout.contents
        flow: list[FlowItem] = []
        if c.heading:
            flow.append(self.placed(c.heading, "toc_section", "toc", "centre"))
        for sec in self.issue.sections:
            m = self.measure(c.section_indent, c.section_indent, justify=False)
            flow += self.paragraph([(f"【{sec.name}】", "toc_section")], "toc", m, keep=True)
            for art in sec.articles:
                title = art.title.replace("\n", "")
                if art.brief:
                    title = title.rstrip("。")
                m = self.measure(c.entry_indent, c.entry_indent)
                flow += self.paragraph([(title, "toc_entry")], "toc", m)
        return flow

    # ------------------------------------------------------------------ articles
    def centred_lines(self, text: str, style_name: str) -> list[Line]:
        """A short centred text (source line), in balanced lines when it is longer than the measure."""
        style = self.layout.style(style_name)
        max_chars = max(4, int(self.layout.page.block_width // style.size))
        parts = balance_title(text, max_chars, self.metrics, style)
        lines = [self.placed(p, style_name, style_name, "centre") for p in parts]
        return [Line(ln.glyphs, kind=style_name, size=ln.size, keep_with_next=True) for ln in lines]

    def title_lines(self, title: str) -> list[Line]:
        """The title centred in balanced lines that keep ``spacing.title_side`` cells free at both block edges."""
        style = self.layout.style("title")
        room = self.layout.page.block_width - 2 * self.layout.spacing.title_side * self.layout.pitch
        max_chars = max(4, int(room // (style.size * (1 + style.letter_spacing))))
        parts = []
        for forced in title.split("\n"):
            parts += balance_title(forced.strip(), max_chars, self.metrics, style)
        lines = [self.placed(p, "title", "title", "centre") for p in parts if p]
        sp, lp = self.layout.spacing, self.layout.line_pitch
        # the lines stack at the title's leading from the top of their grid lines: the spare goes below,
        # between the title and the text (a title too long to be one block keeps the grid pitch)
        leading = sp.title_leading * style.size
        first = (leading - style.size) / 2 + self.layout.grid.em_ascent * style.size
        step = leading - sp.title_line_lines * lp if len(lines) <= STACKED_TITLE_LINES else 0.0
        return [
            Line(
                ln.glyphs, kind="title", size=ln.size, keep_with_next=True, grid_lines=sp.title_line_lines, drop=first + k * step
            )
            for k, ln in enumerate(lines)
        ]

    def article(self, art: Article, first_in_section: bool, section_name: str) -> list[FlowItem]:
        sp = self.layout.spacing
        flow: list[FlowItem] = []
        if not art.brief:
            if not first_in_section and sp.before_article:
                flow.append(Spacer(sp.before_article))
            if art.note:
                note = self.layout.note
                cells = self.layout.grid.chars_per_line - note.inset
                m = self.measure(self.layout.grid.indent + note.inset, note.inset, cells=cells)
                flow += self.paragraph([(note.label, note.label_style), (art.note, "note")], "note", m, keep=True)
                if sp.after_note:
                    flow.append(Spacer(sp.after_note))
            flow.append(Outline(1, art.title.replace("\n", "")))
            flow += self.title_lines(art.title)
            if art.source:
                flow += self.centred_lines(art.source, "source")
            if sp.after_title:
                flow.append(Spacer(sp.after_title))
        else:
            flow.append(Outline(1, art.title.rstrip("。")))
        indent = self.layout.grid.indent
        for k, block in enumerate(art.blocks):
            if not isinstance(block, Paragraph):
                flow += self.figures.compose(block)  # photos and tables
                continue
            run_in = art.brief and k == 0  # a brief's title leads its first paragraph, whatever it looks like
            if block.heading and not run_in:
                runs = [(block.text, f"heading{block.heading}")]
                flow += self.paragraph(runs, "heading", self.measure(indent), keep=True)
                continue
            runs = [(r.text, "bold" if r.bold else "body") for r in block.runs]
            if run_in:
                runs.insert(0, (art.title, "bold"))
            flow += self.paragraph(runs, "body", self.measure(indent), tight=True)
        return flow

    def flow(self) -> list[FlowItem]:
        flow: list[FlowItem] = []
        if self.issue.toc:
            flow += self.contents()
            if self.layout.contents.on_own_page:
                flow.append(PageBreak())
            else:
                flow.append(Spacer(self.layout.spacing.before_section))
        sp = self.layout.spacing
        for s_i, sec in enumerate(self.issue.sections):
            if s_i and sp.before_section:
                flow.append(Spacer(sp.before_section))
            flow.append(Outline(0, sec.name))
            m = self.measure(0, 0, justify=False)
            flow += self.paragraph([(f"【{sec.name}】", "section")], "section", m, keep=True)
            for a_i, art in enumerate(sec.articles):
                flow += self.article(art, a_i == 0, sec.name)
        return flow

    def tail(self) -> Tail | None:
        i = self.issue
        if not i.distribution and i.copies is None:
            return None
        inset = self.layout.tail.inset * self.layout.pitch
        style = self.layout.style("tail")
        cells = int((self.layout.page.block_width - 2 * inset) // style.size)
        entries = []
        for key, value in i.distribution:
            label = len(key) + 1  # continuation lines align after "送："
            m = Measure(cells=cells, pitch=style.size, indent=0, rest_indent=label, hang=False, justify=False)
            chars = [(ch, self.char_style("tail")) for ch in f"{key}：{value}"]
            lines = compose_paragraph(chars, m, self.metrics)
            entries.append(tuple(Line(tuple(_moved(g, inset) for g in ln), kind="tail", size=style.size) for ln in lines))
        if i.copies is not None:
            entries.append((self.placed(f"（共印{i.copies}份）", "tail", "tail", "right", inset),))
        return Tail(tuple(entries))


def issue_number(issue: Issue) -> str:
    """第21期 for a number, the text as written otherwise (增刊1)."""
    number = str(issue.number)
    return f"第{number}期" if number.isascii() and number.isdigit() else number


def _moved(g: Glyph, dx: float) -> Glyph:
    return g._replace(x=g.x + dx)


def balance_title(text: str, max_chars: int, metrics: Metrics, style: Style) -> list[str]:
    """Break a title into the fewest lines of at most ``max_chars`` cells, as even as possible.

    Breaks only where the line rules allow, never inside quotes, brackets, numbers or Latin words,
    and only between words when it can (rjieba's segmentation); prefers breaks after punctuation and
    after connecting words (暨 与 和 及), and upper lines at least as long as lower ones (a trapezoid,
    not a long line over a stub).
    """
    st = CharStyle(style.font, style.size)
    clusters = make_clusters([(ch, st) for ch in text], metrics)
    atoms = _fit_atoms(make_atoms(clusters, strict=True), max_chars, style.size)  # cut a Latin run longer than a line
    widths = [sum(c.cells(style.size) for c in a) for a in atoms]
    total = sum(widths)
    if total <= max_chars:
        return [text]
    texts = ["".join(c.text for c in a) for a in atoms]
    depth, inside = 0, []
    for t in texts:
        for ch in t:
            if ch in cjk.OPEN_QUOTE or ch in cjk.OPEN_BRACKET:
                depth += 1
            elif (ch in cjk.CLOSE_QUOTE or ch in cjk.CLOSE_BRACKET) and depth:
                depth -= 1
        inside.append(depth > 0)
    ends = word_ends(text)
    offsets = list(itertools.accumulate(len(t) for t in texts))
    n = math.ceil(total / max_chars)
    if n > 3:  # an unusually long title: even greedy lines (the search below is for 2-3 lines)
        return _even_lines(texts, widths, math.ceil(total / n))
    best: tuple[float, tuple[int, ...]] | None = None
    positions = range(1, len(atoms))
    for n_lines in (n, n + 1):
        for cuts in itertools.combinations(positions, n_lines - 1):
            bounds = (0, *cuts, len(atoms))
            lens = [sum(widths[a:b]) for a, b in itertools.pairwise(bounds)]
            if max(lens) > max_chars:
                continue
            target = total / n_lines
            cost = sum((x - target) ** 2 for x in lens) + 40 * (n_lines - n)
            for a, b in itertools.pairwise(lens):
                if b > a + 1:
                    cost += 4 * (b - a)  # lower line longer than the upper one
            if lens[-1] <= 2:
                cost += 100
            for c in cuts:
                prev = texts[c - 1][-1]
                if ends is not None and offsets[c - 1] not in ends:
                    cost += 25  # inside a word
                if inside[c - 1]:
                    cost += 60
                elif prev in "，、：；。" or prev in cjk.CLOSE_QUOTE or prev in cjk.CLOSE_BRACKET or prev in "暨与和及":
                    cost -= 6
                elif texts[c][0] in cjk.OPEN_QUOTE or texts[c][0] in cjk.OPEN_BRACKET:
                    cost -= 3
            if best is None or cost < best[0]:
                best = (cost, cuts)
        if best is not None:
            break
    if best is None:
        return [text]
    bounds = (0, *best[1], len(atoms))
    return ["".join(texts[a:b]) for a, b in itertools.pairwise(bounds)]


def _even_lines(texts: list[str], widths: list[int], target: int) -> list[str]:
    lines, cur, used = [], "", 0
    for t, w in zip(texts, widths, strict=True):
        if cur and used + w > target:
            lines.append(cur)
            cur, used = "", 0
        cur += t
        used += w
    return [*lines, cur] if cur else lines


def assemble(issue: Issue, layout: Layout, metrics: Metrics) -> Composed:
    """The composition stage: every line of the issue, placed horizontally, and the warnings found."""
    a = _Assembler(issue, layout, metrics)
    masthead, used = a.masthead()
    flow = tuple(a.flow())
    tail = a.tail()
    return Composed(masthead, used, flow, tail, a.tight, tuple(a.figures.warnings))
