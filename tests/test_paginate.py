"""Pagination on the grid: lines per page, headings kept with what follows, widows and orphans, folios."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest

from pipeline.compose.flow import Composed, Outline, PageBreak, Spacer, Tail
from pipeline.compose.lines import Glyph, Line
from pipeline.layout.templates import find_layout, load_layout
from pipeline.paginate.pages import paginate

LAYOUT = load_layout(find_layout("jianbao"))
LPP = LAYOUT.grid.lines_per_page


def folio(text: str) -> tuple[tuple[Glyph, ...], float]:
    return tuple(Glyph(ch, 10.0 * i, "F", 14.0) for i, ch in enumerate(text)), 10.0 * len(text)


def para(serial: int, n: int, text: str = "文") -> list[Line]:
    return [
        Line((Glyph(f"{text}{serial}.{i}", 0, "F", 17.0),), para=serial, first=i == 0, last=i == n - 1, size=17.0)
        for i in range(n)
    ]


def heading(label: str) -> Line:
    return Line((Glyph(label, 0, "F", 17.0),), kind="section", keep_with_next=True, size=17.0)


def pages_of(flow: list, masthead_lines: int = 0, tail: Tail | None = None, layout=LAYOUT) -> list[list[str]]:
    doc = Composed(masthead=(), masthead_lines=masthead_lines, flow=tuple(flow), tail=tail)
    out = []
    for page in paginate(doc, layout, folio):
        out.append([pl.line.text for pl in page.lines if pl.line.kind not in ("folio", "tail")])
    return out


def test_a_page_holds_exactly_the_grids_lines_and_they_sit_on_the_grid() -> None:
    flow = para(1, LPP + 5)
    doc = Composed(masthead=(), masthead_lines=0, flow=tuple(flow), tail=None)
    pages = paginate(doc, LAYOUT, folio)
    body = [pl for pl in pages[0].lines if pl.line.kind == "body"]
    assert len(body) == LPP
    steps = {round(a.baseline - b.baseline, 3) for a, b in pairwise(body)}
    assert steps == {round(LAYOUT.line_pitch, 3)}


def test_page_one_starts_below_the_masthead() -> None:
    pages = pages_of(para(1, LPP), masthead_lines=9)
    assert len(pages[0]) == LPP - 9 and len(pages[1]) == 9


def test_heading_never_ends_a_page() -> None:
    flow = [*para(1, LPP - 1), heading("【栏目】"), *para(2, 4)]
    pages = pages_of(flow)
    assert pages[0][-1] != "【栏目】"
    assert pages[1][0] == "【栏目】"


def test_heading_takes_at_least_two_lines_of_its_paragraph_along() -> None:
    flow = [*para(1, LPP - 2), heading("【栏目】"), *para(2, 4)]
    pages = pages_of(flow)
    assert pages[1][:3] == ["【栏目】", "文2.0", "文2.1"]


def test_no_orphan_first_line_at_a_page_foot() -> None:
    flow = [*para(1, LPP - 1), *para(2, 5)]
    pages = pages_of(flow)
    assert pages[0][-1] == "文1.20" and pages[1][0] == "文2.0"


def test_no_widow_last_line_at_a_page_head() -> None:
    flow = [*para(1, LPP - 3), *para(2, 4)]  # 3 lines fit, 1 would be left over
    pages = pages_of(flow)
    assert pages[1] == ["文2.2", "文2.3"]  # two lines go over together


def test_spacer_is_dropped_at_the_top_of_a_page_and_page_break_forces_one() -> None:
    flow = [*para(1, LPP), Spacer(1), *para(2, 2), PageBreak(), *para(3, 2)]
    pages = pages_of(flow)
    assert pages[1] == ["文2.0", "文2.1"]
    assert pages[2] == ["文3.0", "文3.1"]


def test_folios_alternate_right_and_left_and_page_one_has_none() -> None:
    doc = Composed(masthead=(), masthead_lines=0, flow=tuple(para(1, 3 * LPP)), tail=None)
    pages = paginate(doc, LAYOUT, folio)
    folios = [[pl for pl in p.lines if pl.line.kind == "folio"] for p in pages]
    assert folios[0] == []
    block_left = LAYOUT.page.inner
    block_right = block_left + LAYOUT.page.block_width
    even, odd = folios[1][0], folios[2][0]
    assert even.x == pytest.approx(block_left + LAYOUT.pitch)  # one cell in from the left
    assert odd.x + 50 == pytest.approx(block_right - LAYOUT.pitch)  # "— 3 —" ends one cell in
    assert odd.baseline < LAYOUT.page.height - LAYOUT.page.top - LAYOUT.page.block_height


def test_tail_goes_to_a_new_page_when_the_last_has_no_room() -> None:
    tail = Tail(((Line((Glyph("报：省文明办", 0, "F", 14.0),), kind="tail", size=14.0),),))
    roomy = pages_of(para(1, 5), tail=tail)
    full = pages_of(para(1, LPP), tail=tail)
    assert len(roomy) == 1 and len(full) == 2


def test_outline_entries_mark_the_page_of_the_line_that_follows() -> None:
    flow = [*para(1, LPP), Outline(0, "栏目"), heading("【栏目】"), *para(2, 3)]
    doc = Composed(masthead=(), masthead_lines=0, flow=tuple(flow), tail=None)
    pages = paginate(doc, LAYOUT, folio)
    assert [b.title for b in pages[1].bookmarks] == ["栏目"]


def test_mirrored_margins_move_the_block_of_even_pages() -> None:
    duplex = dataclasses.replace(LAYOUT, page=dataclasses.replace(LAYOUT.page, mirror=True))
    doc = Composed(masthead=(), masthead_lines=0, flow=tuple(para(1, 2 * LPP)), tail=None)
    pages = paginate(doc, duplex, folio)
    x_odd = min(pl.x for pl in pages[0].lines)
    x_even = min(pl.x for pl in pages[1].lines if pl.line.kind == "body")
    assert x_odd == pytest.approx(LAYOUT.page.inner)
    assert x_even == pytest.approx(LAYOUT.page.width - LAYOUT.page.inner - LAYOUT.page.block_width)
