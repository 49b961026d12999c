"""Line breaking on the grid, stated as text pictures of the expected lines.

A fake font gives every wide character one cell and every narrow one half a cell, so the pictures
are exact. ``|`` marks the right edge of the measure; a hanging mark stands after it; ``　`` is an
empty cell that a glyph's advance carries (a spare cell after a mark, an ideographic space).
"""

from __future__ import annotations

import os
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import cjk
from pipeline.compose import CharStyle, Glyph, Measure, compose_paragraph


class FixedMetrics:
    def font_for(self, role: str, ch: str) -> str:
        return "Fake"

    def advance(self, font: str, ch: str) -> float:
        return 1.0 if cjk.is_wide(ch) else 0.5


PITCH = 10.0
STYLE = CharStyle("body", PITCH)


def picture(text: str, cells: int = 8, indent: int = 2, hang: bool = True, strict: bool = False) -> list[str]:
    """Compose ``text`` and draw each line as cells: '　' for an empty cell, '|' at the right edge."""
    m = Measure(cells=cells, pitch=PITCH, indent=indent, hang=hang, strict=strict)
    rows = []
    for glyphs in compose_paragraph([(c, STYLE) for c in text], m, FixedMetrics()):
        inside = "".join(_cell_text(g) for g in glyphs if g.x < cells * PITCH - 0.01)
        outside = "".join(_cell_text(g) for g in glyphs if g.x >= cells * PITCH - 0.01)
        rows.append(inside + "|" + outside)
    return rows


def _cell_text(g: Glyph) -> str:
    if g.extra < 0:  # an ideographic space drawn with no advance: its cell is the glyph before's
        return ""
    return g.ch + "　" * int(g.extra + 1e-9)  # whole empty cells (the blank beside a Latin run is a fraction)


def positions(text: str, cells: int = 8, indent: int = 2) -> list[list[float]]:
    m = Measure(cells=cells, pitch=PITCH, indent=indent)
    return [[g.x for g in line] for line in compose_paragraph([(c, STYLE) for c in text], m, FixedMetrics())]


def test_plain_text_fills_every_cell_and_indents_the_first_line() -> None:
    assert picture("一二三四五六七八九十甲乙丙丁戊己庚辛") == [
        "一二三四五六|",
        "七八九十甲乙丙丁|",
        "戊己庚辛|",
    ]
    first, second, _ = positions("一二三四五六七八九十甲乙丙丁戊己庚辛")
    assert first[0] == 2 * PITCH
    assert second == [k * PITCH for k in range(8)]


def test_hanging_comma_exact_picture() -> None:
    assert picture("一二三四五六，七八九十甲乙丙丁戊己") == [
        "一二三四五六|，",
        "七八九十甲乙丙丁|",
        "戊己|",
    ]


def test_no_hanging_pushes_the_last_character_down() -> None:
    rows = picture("一二三四五六，七八九十甲乙丙丁戊己", hang=False)
    assert rows[0] == "一二三四五|"
    assert rows[1].startswith("六，")


def test_closing_quote_never_starts_a_line() -> None:
    rows = picture("一二三四五“六”七八九十甲乙丙丁戊己")
    assert all(not r.startswith(tuple(cjk.NO_LINE_START)) for r in rows)
    assert rows[0] == "一二三四五|"
    assert rows[1] == "“六”七八九十甲|"


def test_opening_bracket_never_ends_a_line() -> None:
    rows = picture("一二三四五（六）七八九十甲乙丙丁戊")
    assert all(not r.rstrip("|").endswith(tuple(cjk.NO_LINE_END)) for r in rows)


def test_numbers_and_their_units_stay_together() -> None:
    rows = picture("一二三四五2023年七八九十甲乙丙丁")
    assert rows[0] == "一二三四五|"
    assert rows[1].startswith("2023年")


def test_dash_pair_is_never_split() -> None:
    rows = picture("一二三四五——六七八九十甲乙丙丁戊己", cells=8, indent=3)
    assert rows[0] == "一二三四五|"
    assert rows[1].startswith("——")


def test_strict_level_keeps_ellipsis_off_the_line_start() -> None:
    rows = picture("一二三四五六……七八九十甲乙丙丁", strict=True)
    assert not rows[1].startswith("…")


def test_lone_last_character_is_avoided() -> None:
    rows = picture("一二三四五六七八九十甲乙丙丁戊")
    assert rows[-1] != "戊|"
    assert len(rows[-1].rstrip("|")) >= 2


def test_slack_goes_next_to_digits_so_chinese_stays_on_the_grid() -> None:
    # "6月" cannot start the first line's last cell: the line keeps a spare cell, placed beside the digit
    rows = picture("一2三四五6月七八九十甲乙丙丁")
    assert rows[0] == "一2三四五|"
    first = positions("一2三四五6月七八九十甲乙丙丁")[0]
    assert first[0] == 2 * PITCH and first[2] == 5 * PITCH  # 三 moved a whole cell, not a fraction
    m = Measure(cells=8, pitch=PITCH, indent=2)
    for glyphs in compose_paragraph([(c, STYLE) for c in "一2三四五6月七八九十甲乙丙丁"], m, FixedMetrics()):
        for g in glyphs:
            if cjk.is_han(g.ch):
                assert abs(g.x / PITCH - round(g.x / PITCH)) < 1e-6, g


def test_slack_goes_after_a_mark_so_chinese_stays_on_the_grid() -> None:
    # "：" cannot start the second line and may not hang: 甲 goes down, the spare cell follows "，"
    assert picture("一，二三四五六七：乙丙丁戊己庚辛壬", cells=8, indent=0) == [
        "一，　二三四五六|",
        "七：乙丙丁戊己庚|",
        "辛壬|",
    ]


def test_the_spare_cell_prefers_a_full_stop_and_never_splits_marks() -> None:
    # the cell follows "。" rather than "，", and after "”" rather than between "。" and "”"
    assert picture("一，二“三。”四五六：七八九十甲乙", cells=10, indent=0)[0] == "一，二“三。”　四五|"


def test_an_ideographic_space_keeps_its_cell_inside_the_glyph_before() -> None:
    rows = picture("一二三四\u3000五六七八九十甲乙", cells=8, indent=0)
    assert rows[0] == "一二三四　五六七|"
    first = compose_paragraph([(c, STYLE) for c in "一二三四\u3000五六七八九十甲乙"], Measure(8, PITCH), FixedMetrics())[0]
    space = next(g for g in first if g.ch == "\u3000")
    assert (space.x, space.extra) == (5 * PITCH, -1.0)  # where 五 starts, with no advance: copies out as written


def test_slack_without_marks_or_digits_is_spread_evenly() -> None:
    # a line of Chinese only that must give up a cell has nowhere on the grid to keep it
    rows = positions("一二三四五“六”七八九十甲乙丙丁戊己")
    first = rows[0]
    gaps = {round(b - a, 6) for a, b in pairwise(first)}
    assert len(gaps) == 1 and gaps.pop() > PITCH  # one cell spread over the gaps, all equal
    assert abs(first[-1] + PITCH - 8 * PITCH) < 1e-6  # still flush right


def test_a_latin_word_longer_than_the_line_is_cut_rather_than_overflowing() -> None:
    m = Measure(cells=4, pitch=PITCH, indent=0)
    lines = compose_paragraph([(c, STYLE) for c in "abcdefghijklmnopqrstuvwxyz"], m, FixedMetrics())
    assert "".join(g.ch for line in lines for g in line) == "abcdefghijklmnopqrstuvwxyz"
    assert all(g.x < 4 * PITCH for line in lines for g in line)


FUZZ = int(os.environ.get("JIANBAO_FUZZ", "0"))  # as in test_robust.py: more examples, fresh seeds
_PIECES = list("一二三四五六七八九十甲乙丙丁") + list("，。、；：？！“”（）《》") + ["——", "……", "2023", "ab", "\u3000"]


@settings(max_examples=FUZZ or 300, deadline=None, derandomize=not FUZZ, database=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=80), st.integers(6, 14), st.booleans())
def test_a_line_leaves_the_grid_only_when_it_has_no_place_for_a_spare_cell(pieces: list[str], cells: int, hang: bool) -> None:
    """Han characters sit on whole cells, except in a spread line: one with no mark and no Latin/digit run inside.

    And glyphs never overlap, a widened glyph's extra advance included.
    """
    text = "".join(pieces)
    m = Measure(cells=cells, pitch=PITCH, indent=2, hang=hang)
    for glyphs in compose_paragraph([(c, STYLE) for c in text], m, FixedMetrics()):
        off = [g for g in glyphs if cjk.is_han(g.ch) and abs(g.x / PITCH - round(g.x / PITCH)) > 1e-6]
        if off:  # no mark inside the line that a cell could follow (after the last of a run like 。”)
            assert not any(a.ch in cjk.LEFT_INK and b.ch not in cjk.LEFT_INK for a, b in pairwise(glyphs)), text
            assert not any(g.ch.isascii() and g.ch.isalnum() for g in glyphs), [g.ch for g in glyphs]
        for a, b in pairwise(glyphs):
            assert b.x >= a.x + PITCH * (0.5 if not cjk.is_wide(a.ch) else 1.0) * (1 + a.extra) - 1e-6 or a.extra < 0
