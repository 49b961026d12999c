"""The referee's verdict on the sample and the stress issue, in the grid layouts and the book layout.

Grid style (issue 3's command, every check of it hard): every line rule holds, lines are flush, every
Han character sits in a cell of the character grid and every line on the line grid, and copy/paste
gives no stray spaces. A line that must end a cell early keeps the spare cell after a mark (drawn as
part of the mark, so it does not copy out as a space). A line of Chinese characters only cannot keep
such a cell on the grid: it is spread (tests/test_compose.py shows it); the stress issue gives each
hazard line a comma, as real text has.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, run_referee
from pipeline import build
from pipeline.units import MM

STRESS = ROOT / "tests" / "stress" / "stress.yaml"
GRID_HARD = "a1,a2,a3,c1,c2,c3,c4,c5,d1,d2,h1,e1,e2,e3,e4,e5,p1,p2,p3"
GRIDS = {"jianbao": 26, "gbt9704": 28}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("typography")
    pdfs = {}
    for issue in (SAMPLE, STRESS):
        for layout in ("jianbao", "gbt9704", "book"):
            target = out / layout
            pdfs[(issue.stem, layout)] = build(issue, target, layout).output
    return pdfs


def verdict(referee: Path, pdf: Path, source: Path, *args: str) -> dict[str, dict]:
    run = run_referee(referee, pdf, source, "--json", *args)
    assert run.returncode in (0, 1), run.stderr
    return {c["id"]: c for c in json.loads(run.stdout)["checks"]}


def grid_args(layout: str) -> list[str]:
    n = GRIDS[layout]
    return [
        "--hang",
        "allow",
        "--line-end-punct",
        "full",
        "--grid",
        "--pitch",
        f"{156 * MM / n:.4f}",
        "--chars-per-line",
        str(n),
        "--lines-per-page",
        "22",
        "--hard",
        GRID_HARD,
    ]


def failing(checks: dict[str, dict]) -> set[str]:
    return {cid for cid, c in checks.items() if c["hard"] and c["status"] in ("FAIL", "ERR")}


@pytest.mark.parametrize("layout", ["jianbao", "gbt9704"])
@pytest.mark.parametrize("issue", [SAMPLE, STRESS], ids=["sample", "stress"])
def test_every_grid_check_passes(built: dict, referee: Path, issue: Path, layout: str) -> None:
    checks = verdict(referee, built[(issue.stem, layout)], issue, *grid_args(layout))
    assert not failing(checks), {cid: (checks[cid]["value"], checks[cid]["examples"][:3]) for cid in failing(checks)}
    on, total = (int(n) for n in checks["c3"]["value"].split()[0].split("/"))
    assert on == total > 2000, checks["c3"]["value"]  # every Han character of the body, on the grid


@pytest.mark.parametrize("issue", [SAMPLE, STRESS], ids=["sample", "stress"])
def test_book_style_passes_the_default_hard_set(built: dict, referee: Path, issue: Path) -> None:
    checks = verdict(referee, built[(issue.stem, "book")], issue)
    assert not failing(checks), {cid: checks[cid]["examples"][:3] for cid in failing(checks)}
    assert checks["b2"]["status"] == "PASS"  # line-end marks take half a cell


def test_a_spare_cell_after_a_mark_copies_out_without_a_space(built: dict) -> None:
    """The stress issue's first line keeps a spare cell after "，" (its "；" may not start line two)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(built[("stress", "jianbao")])
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "洪荒日月盈昃，宿列张寒来暑往秋，冬藏闰余成岁律\r\n吕；月盈昃" in text


@pytest.mark.parametrize("layout", ["jianbao", "gbt9704"])
def test_pdf_widths_agree_with_the_embedded_font_programs(built: dict, layout: str) -> None:
    """Widened glyph variants included: every /Widths entry is the glyph's advance in its font program."""
    import io

    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    checked = 0
    for issue in ("2023-21", "stress"):
        for page in PdfReader(built[(issue, layout)]).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                program = TTFont(io.BytesIO(font["/FontDescriptor"]["/FontFile2"].get_data()))
                scale = 1000 / program["head"].unitsPerEm
                cmap = program["cmap"].tables[0].cmap
                first = font["/FirstChar"]
                for code, width in enumerate(font["/Widths"], start=first):
                    if code in cmap:
                        assert abs(program["hmtx"][cmap[code]][0] * scale - width) <= 1, (font["/BaseFont"], code)
                        checked += 1
    assert checked > 500


@pytest.mark.parametrize("layout", ["jianbao", "gbt9704"])
def test_body_text_copies_out_without_spaces_in_every_extractor(built: dict, layout: str) -> None:
    """Blanks on the grid (after marks, beside digits) are glyph advances: pdfminer inserts no space either."""
    from pdfminer.high_level import extract_text

    for issue in ("2023-21", "stress"):
        text = extract_text(built[(issue, layout)], page_numbers=range(1, 99))  # the pages after the masthead
        stray = re.findall(r"[\u4e00-\u9fff\d，。、；：] +[\u4e00-\u9fff\d，。、；：]", text)
        assert not stray, (issue, stray[:5])
