"""Line breaking and line adjustment, stated as text pictures of the expected lines.

A fake font gives every wide character one em and every narrow one half an em; the type is as large
as the cell, so the pictures are exact. ``|`` marks the right edge of the measure (a hanging mark
stands after it). ``adjustment(line)`` says how a line was set: ``grid`` (every character in its
cell), ``spread +x`` (each gap x cells wider), or ``squeezed -x`` (its marks gave up x cells).
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from conftest import fuzz_settings
from pipeline import cjk
from pipeline.compose.lines import CharStyle, Glyph, Measure
from pipeline.compose.paragraph import compose_paragraph, compose_variants


class FixedMetrics:
    def font_for(self, role: str, ch: str) -> str:
        return "Fake"

    def advance(self, font: str, ch: str) -> float:
        return 1.0 if cjk.is_wide(ch) else 0.5


PITCH = 10.0
STYLE = CharStyle("body", PITCH)


def lines_of(text: str, cells: int = 8, indent: int = 0, **kw: object) -> list[list[Glyph]]:
    m = Measure(cells=cells, pitch=PITCH, indent=indent, **kw)  # type: ignore[arg-type]
    return compose_paragraph([(c, STYLE) for c in text], m, FixedMetrics())


def picture(text: str, cells: int = 8, indent: int = 0, **kw: object) -> list[str]:
    """Each line's text, '|' at the right edge of the measure (marks past it hang)."""
    rows = []
    for glyphs in lines_of(text, cells, indent, **kw):
        inside = "".join(g.ch for g in glyphs if g.x < cells * PITCH - 0.01)
        outside = "".join(g.ch for g in glyphs if g.x >= cells * PITCH - 0.01)
        rows.append(inside + "|" + outside)
    return rows


def box(g: Glyph) -> tuple[float, float]:
    """A glyph's box in cells: a full-width character its cell, a digit or letter its advance."""
    return g.x / PITCH, (g.x + g.advance) / PITCH


def gaps(glyphs: list[Glyph]) -> list[float]:
    return [round(box(b)[0] - box(a)[1], 4) for a, b in pairwise(glyphs)]


def adjustment(glyphs: list[Glyph]) -> str:
    found = gaps(glyphs)
    if all(abs(g) < 1e-6 for g in found):
        return "grid"
    if min(found) < -1e-6:
        return f"squeezed {sum(g for g in found if g < 0):+.2f}"
    return f"spread {max(found):+.2f}"


def test_plain_text_fills_every_cell_and_indents_the_first_line() -> None:
    assert picture("一二三四五六七八九十甲乙丙丁戊己庚辛", indent=2) == [
        "一二三四五六|",
        "七八九十甲乙丙丁|",
        "戊己庚辛|",
    ]
    first, second, _ = lines_of("一二三四五六七八九十甲乙丙丁戊己庚辛", indent=2)
    assert first[0].x == 2 * PITCH
    assert [g.x for g in second] == [k * PITCH for k in range(8)]
    assert adjustment(first) == adjustment(second) == "grid"


def test_a_line_that_overflows_squeezes_its_marks_before_anything_is_pushed_down() -> None:
    # "。" may not start line two: the two commas give up half a cell each, so the line holds it
    rows = picture("一，二，三四五六。七八九十甲乙")
    assert rows[0] == "一，二，三四五六。|"
    first = lines_of("一，二，三四五六。七八九十甲乙")[0]
    assert gaps(first) == [0, -0.5, 0, -0.5, 0, 0, 0, 0]
    assert box(first[-1])[1] == 8  # flush: the line-end mark keeps its full cell on the grid


def test_a_line_that_must_end_early_without_any_mark_is_spread_evenly() -> None:
    # "。" may not start line two and nothing can be squeezed: "八" goes down with it, and the
    # cell it leaves is shared by every gap of the line (no hole anywhere)
    rows = picture("一二三四五六七八。九十甲乙丙丁")
    assert rows[0] == "一二三四五六七|"
    first = lines_of("一二三四五六七八。九十甲乙丙丁")[0]
    assert set(gaps(first)) == {round(1 / 6, 4)}
    assert abs(box(first[-1])[1] - 8) < 1e-9


def test_squeezing_is_preferred_to_spreading_and_a_full_line_to_either() -> None:
    tail = "甲乙丙丁戊己庚辛壬癸"
    assert adjustment(lines_of("一，二，三四五六七八" + tail)[0]) == "grid"  # a full line: nothing to adjust
    assert adjustment(lines_of("一，二，三四五六。七八" + tail)[0]) == "squeezed -1.00"  # 先挤进
    # one comma cannot give up a whole cell: "六" goes down with "。" and the line is spread (后推出)
    assert picture("一，二三四五六七。八九" + tail)[0] == "一，二三四五六|"
    assert adjustment(lines_of("一，二三四五六七。八九" + tail)[0]) == "spread +0.17"


def test_a_digit_run_keeps_its_natural_width_with_a_quarter_em_to_the_han_beside_it() -> None:
    first = lines_of("一二三45六七八九十甲乙丙丁戊")[0]
    assert "".join(g.ch for g in first) == "一二三45六七八"
    found = gaps(first)
    assert found[3] == 0  # no letter-spacing inside the run
    extra = found[0]  # the line's even extra: the half cell it has spare, over the six gaps between its pieces
    assert abs(extra - 0.5 / 6) < 1e-4
    assert all(abs(g - extra) < 1e-4 for k, g in enumerate(found) if k not in (2, 3, 4))
    assert abs(found[2] - (0.25 + extra)) < 1e-4 and abs(found[4] - (0.25 + extra)) < 1e-4


def test_no_gap_between_a_run_and_a_mark_or_a_currency_sign() -> None:
    first = lines_of("共计￥100，合2023年七八九十", cells=12)[0]
    text = "".join(g.ch for g in first)
    assert text.startswith("共计￥100，合2023年")
    found = dict(zip((a.ch + b.ch for a, b in pairwise(first)), gaps(first), strict=True))
    extra = found["共计"]
    assert abs(found["￥1"] - extra) < 1e-4 and abs(found["0，"] - extra) < 1e-4
    assert abs(found["合2"] - (0.25 + extra)) < 1e-4


def test_adjacent_marks_are_paired_into_one_and_a_half_cells() -> None:
    glyphs = lines_of("一“二”“三”四。", cells=12)[0]
    x = {g.ch + str(k): g.x / PITCH for k, g in enumerate(glyphs)}
    assert x["“4"] - x["”3"] == 0.5  # closer then opener: the closer's blank half goes
    glyphs = lines_of("一。”二", cells=12)[0]
    assert (glyphs[2].x - glyphs[1].x) / PITCH == 0.5  # stop then closer


def test_grid_layouts_do_not_hang_every_line_ends_flush() -> None:
    for glyphs in lines_of("一二三四五六七，八九十甲乙丙丁戊己，庚辛壬癸子丑寅卯辰")[:-1]:
        assert abs(box(glyphs[-1])[1] - 8) < 1e-9


def test_a_layout_may_let_a_comma_hang() -> None:
    assert picture("一二三四五六七八，九十甲乙丙丁戊己", hang=True) == ["一二三四五六七八|，", "九十甲乙丙丁戊己|"]


def test_book_style_sets_a_line_end_mark_at_half_width() -> None:
    # 一 ， 二…七 ， = 8.5 cells with the last comma at half width: the inner comma gives up its half
    first = lines_of("一，二三四五六七，八九十甲乙丙丁", style="book")[0]
    assert "".join(g.ch for g in first) == "一，二三四五六七，"
    assert first[-1].x == 7.5 * PITCH  # its ink ends the line; its blank half is past the edge
    assert gaps(first)[1] == -0.5


def test_closing_quote_never_starts_a_line() -> None:
    rows = picture("一二三四五“六”七八九十甲乙丙丁戊己", indent=2)
    assert all(not r.startswith(tuple(cjk.NO_LINE_START)) for r in rows)


def test_opening_bracket_never_ends_a_line() -> None:
    rows = picture("一二三四五（六）七八九十甲乙丙丁戊", indent=2)
    assert all(not r.rstrip("|").endswith(tuple(cjk.NO_LINE_END)) for r in rows)


def test_numbers_and_their_units_stay_together() -> None:
    rows = picture("一二三四五2023年七八九十甲乙丙丁", indent=2)
    assert rows[0] == "一二三四五|"
    assert rows[1].startswith("2023年")


def test_a_date_in_digits_is_never_split() -> None:
    rows = picture("一二三四五六2023年8月30日七八九十甲乙丙丁戊己", indent=0)
    assert any("2023年8月30日" in r for r in rows), rows


def test_dash_pair_is_never_split() -> None:
    rows = picture("一二三四五——六七八九十甲乙丙丁戊己", indent=3)
    assert rows[0] == "一二三四五|"
    assert rows[1].startswith("——")


def test_strict_level_keeps_ellipsis_off_the_line_start() -> None:
    rows = picture("一二三四五六……七八九十甲乙丙丁", indent=2, strict=True)
    assert not rows[1].startswith("…")


def test_lone_last_character_is_avoided() -> None:
    rows = picture("一二三四五六七八九十甲乙丙丁戊", indent=2)
    assert len(rows[-1].rstrip("|")) >= 2


def test_an_ideographic_space_keeps_its_cell_between_characters_and_goes_at_a_line_edge() -> None:
    first = lines_of("一二三\u3000四五六七八九十甲乙")[0]
    assert "".join(g.ch for g in first) == "一二三\u3000四五六七"
    assert adjustment(first) == "grid"
    rows = picture("一二三四五六七八\u3000九十甲乙")
    assert rows == ["一二三四五六七八|", "九十甲乙|"]


def test_the_tight_setting_takes_a_line_fewer_by_squeezing_harder() -> None:
    text = "一，二，三四，五六七，八九十、甲乙，丙丁，戊己庚辛壬"
    m = Measure(cells=8, pitch=PITCH)
    best, tight = compose_variants([(c, STYLE) for c in text], m, FixedMetrics())
    assert ["".join(g.ch for g in line) for line in best] == ["一，二，三四，五", "六七，八九十、甲", "乙，丙丁，戊己庚", "辛壬"]
    assert tight is not None and ["".join(g.ch for g in line) for line in tight] == [
        "一，二，三四，五六",
        "七，八九十、甲乙，",
        "丙丁，戊己庚辛壬",
    ]
    assert [adjustment(line) for line in tight[:2]] == ["squeezed -1.00", "squeezed -1.00"]
    assert compose_variants([(c, STYLE) for c in "一二三四五六七八九十甲乙丙丁戊己"], m, FixedMetrics())[1] is None


def test_a_latin_word_longer_than_the_line_is_cut_rather_than_overflowing() -> None:
    lines = lines_of("abcdefghijklmnopqrstuvwxyz", cells=4)
    assert "".join(g.ch for line in lines for g in line) == "abcdefghijklmnopqrstuvwxyz"
    assert all(g.x < 4 * PITCH for line in lines for g in line)


_PIECES = list("一二三四五六七八九十甲乙丙丁") + list("，。、；：？！“”（）《》") + ["——", "……", "2023", "ab", "\u3000"]


@fuzz_settings(300)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=120), st.integers(16, 30))
def test_every_line_is_flush_on_the_grid_or_evenly_adjusted_and_never_has_a_hole(pieces: list[str], cells: int) -> None:
    """Every line but the last ends at the right edge; Han characters sit in their cells unless the
    line holds a run, a squeezed or paired mark, or is spread evenly; no gap exceeds 0.3 cell; glyphs
    overlap only where a mark gives up its blank half."""
    text = "".join(pieces)
    lines = lines_of(text, cells, indent=2)
    assert "".join(g.ch for line in lines for g in line).replace("\u3000", "") == text.replace("\u3000", "").strip()
    for k, glyphs in enumerate(lines):
        found = gaps(glyphs)
        last = k == len(lines) - 1
        if not last and len(glyphs) > 1:
            assert abs(box(glyphs[-1])[1] - cells) < 1e-6, [g.ch for g in glyphs]
        assert all(g <= 0.3 + 1e-6 for g, (a, b) in zip(found, pairwise(glyphs), strict=True) if not a.ch.isascii()), found
        for g, (a, b) in zip(found, pairwise(glyphs), strict=True):
            if g < -1e-6:  # an overlap is what the marks beside it give up: their blank halves, at most
                room = 0.5 * (a.ch in cjk.LEFT_INK) + 0.5 * (b.ch in cjk.RIGHT_INK)
                assert -room - 1e-6 <= g, (a.ch, b.ch, g)
        spread = [g for g in found if g > 1e-6]
        if spread and not any(g.ch.isascii() for g in glyphs):
            assert max(spread) - min(spread) < 1e-6  # one even extra for every gap


# ------------------------------------------------------------------------------------------- keep rules
# Page pictures: a short page of 8 grid lines, each body line its paragraph's number and line ("1.0"),
# headings by name; ``fill_pages`` may take a paragraph's tight setting ("T" lines) to fill a page.
def _page_pictures(flow: list, tight: dict[int, int] | None = None) -> list[list[str]]:
    import dataclasses

    from pipeline.compose.flow import Composed
    from pipeline.compose.lines import Line
    from pipeline.layout.templates import find_layout, load_layout
    from pipeline.paginate.pages import paginate

    layout = load_layout(find_layout("jianbao"))
    layout = dataclasses.replace(layout, grid=dataclasses.replace(layout.grid, lines_per_page=8))
    tight_lines = {}
    for serial, n in (tight or {}).items():
        tight_lines[serial] = tuple(
            Line((Glyph(f"T{serial}.{i}", 0, "F", 16.0, advance=16.0),), para=serial, first=i == 0, last=i == n - 1)
            for i in range(n)
        )
    doc = Composed(masthead=(), masthead_lines=0, flow=tuple(flow), tail=None, tight=tight_lines)
    pages = paginate(doc, layout, lambda text: ((), 0.0))
    return [[pl.line.text for pl in page.lines if pl.line.kind != "folio"] for page in pages]


def _para(serial: int, n: int) -> list:
    from pipeline.compose.lines import Line

    return [
        Line((Glyph(f"{serial}.{i}", 0, "F", 16.0, advance=16.0),), para=serial, first=i == 0, last=i == n - 1) for i in range(n)
    ]


def _heading(name: str) -> object:
    from pipeline.compose.lines import Line

    return Line((Glyph(name, 0, "F", 16.0, advance=16.0),), kind="section", keep_with_next=True)


def test_a_heading_may_end_a_page_with_two_lines_of_its_paragraph_after_it() -> None:
    assert _page_pictures([*_para(1, 4), _heading("【栏目】"), _heading("标题"), *_para(2, 4)]) == [
        ["1.0", "1.1", "1.2", "1.3", "【栏目】", "标题", "2.0", "2.1"],
        ["2.2", "2.3"],
    ]


def test_a_heading_never_ends_a_page_with_fewer_than_two_lines_after_it() -> None:
    assert _page_pictures([*_para(1, 5), _heading("【栏目】"), _heading("标题"), *_para(2, 4)]) == [
        ["1.0", "1.1", "1.2", "1.3", "1.4"],
        ["【栏目】", "标题", "2.0", "2.1", "2.2", "2.3"],
    ]


def test_a_paragraph_breaks_across_pages_with_two_lines_on_each_side() -> None:
    assert _page_pictures([*_para(1, 5), *_para(2, 4)]) == [
        ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"],
        ["2.2", "2.3"],
    ]


def test_a_page_is_filled_by_setting_a_paragraph_a_line_tighter() -> None:
    # a 3-line paragraph cannot split 2|1 and its heading must come along: page one would keep four
    # lines empty; paragraph 1 set a line tighter (its tight setting) makes room for the block
    flow = [*_para(1, 4), _heading("【栏目】"), _heading("标题"), *_para(2, 3)]
    assert _page_pictures(flow) == [["1.0", "1.1", "1.2", "1.3"], ["【栏目】", "标题", "2.0", "2.1", "2.2"]]
    assert _page_pictures(flow, tight={1: 3}) == [["T1.0", "T1.1", "T1.2", "【栏目】", "标题", "2.0", "2.1", "2.2"]]
