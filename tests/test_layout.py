"""Layout files: inheritance, validation with the key at fault, font lookup that ignores the working folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import SAMPLE, write
from pipeline.errors import JianbaoError
from pipeline.layout.templates import find_layout, load_layout
from pipeline.typeset import build


def layout_with(tmp_path: Path, text: str) -> Path:
    return write(tmp_path, "house.yaml", "extends: jianbao\n" + text)


def test_builtin_layouts_load_with_their_grids() -> None:
    jianbao = load_layout(find_layout("jianbao"))
    gbt = load_layout(find_layout("gbt9704"))
    book = load_layout(find_layout("book"))
    assert (jianbao.grid.chars_per_line, gbt.grid.chars_per_line) == (26, 28)
    assert jianbao.styles["body"].size == 16.0 < jianbao.pitch  # 三号 type centred in the 17 pt cells
    assert book.grid.style == "book" and book.styles["body"].size == 16.0


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("grid:\n  chars_per_line: 0\n", "grid.chars_per_line"),
        ("grid:\n  lines_per_page: 0\n", "grid.lines_per_page"),
        ("grid:\n  indent: 30\n", "grid.indent"),
        ("styles:\n  body: {font: fangsong, size: 0pt}\n", "styles.body.size"),
        ("page:\n  block_width: -10mm\n", "page.block_width"),
        ("folio:\n  template: '第{n}页 {x}'\n", "folio.template"),
        ("masthead:\n  rule_colour: rde\n", "masthead.rule_colour"),
        ("colours:\n  red: {cmyk: [0, 180, 80, 0]}\n", "colours.red.cmyk"),
        ("grid:\n  chars_per_line: 二十六\n", None),
        ("extends: jianbaoo\n", "extends"),
    ],
)
def test_impossible_layouts_are_refused_with_the_key(tmp_path: Path, text: str, field: str | None) -> None:
    path = layout_with(tmp_path, text) if not text.startswith("extends") else write(tmp_path, "house.yaml", text)
    with pytest.raises(JianbaoError) as info:
        load_layout(path)
    assert info.value.where is not None and info.value.where.file == str(path)
    if field:
        assert info.value.where.field == field, str(info.value)


def test_layout_errors_point_at_the_line_of_the_key(tmp_path: Path) -> None:
    path = layout_with(tmp_path, "grid:\n  chars_per_line: 二十六\n")
    with pytest.raises(JianbaoError) as info:
        load_layout(path)
    assert (info.value.where.line, info.value.where.field) == (3, "grid.chars_per_line")


def test_fonts_are_not_looked_up_in_the_working_folder(tmp_path: Path) -> None:
    """A stray font file of the same name where the clerk happens to be must not change the PDF."""
    first = build(SAMPLE, tmp_path / "a").output.read_bytes()
    here = os.getcwd()
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "FandolFang-Regular.ttf").write_bytes(b"not a font")
    os.chdir(decoy)
    try:
        second = build(SAMPLE, tmp_path / "b").output.read_bytes()
    finally:
        os.chdir(here)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_a_house_layout_points_a_role_at_its_own_font_folder(tmp_path: Path) -> None:
    fonts = tmp_path / "licensed"
    fonts.mkdir()
    builtin = Path(find_layout("jianbao")).parent.parent / "fonts" / "FandolKai-Regular.ttf"
    (fonts / "MyFang.ttf").write_bytes(builtin.read_bytes())
    house = layout_with(tmp_path, "fonts:\n  dir: licensed\n  roles:\n    fangsong: MyFang.ttf\n")
    pdf = build(SAMPLE, tmp_path / "out", str(house)).output
    assert b"FandolKai" in pdf.read_bytes()  # the body is now set in the file the house layout names
