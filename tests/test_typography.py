"""The referee's verdict on every sample issue and the stress issue, in the grid layouts and the book layout.

The print-quality command of issue 12: the grid options (every check of them hard) or the book
style's default hard set, plus ``--hard +v1,v2,p4 --quarter-gap --page-fill``: no visible hole and
even spacing (v1), digit and Latin runs at their natural width with a quarter em to the Han beside
them (v2), pages filled (p4), and every line that holds no run and no compressed mark on the grid
(c3). The photo-and-table example is read through a JSON source without its tables (the referee
reads a table's rows as paragraphs).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, body_source, run_referee
from pipeline.typeset import build
from pipeline.units import MM

STRESS = ROOT / "tests" / "stress" / "stress.yaml"
EXAMPLES = sorted((ROOT / "issues").glob("*.yaml"))
ISSUES = [*EXAMPLES, STRESS]
GRID_HARD = "a1,a2,a3,b3,c1,c2,c3,c4,c5,d1,d2,h1,e1,e2,e3,e4,e5,p1,p2,p3"
PRINT_QUALITY = ["--hard", "+v1,v2,p4", "--quarter-gap", "--page-fill"]
GRIDS = {"jianbao": 26, "gbt9704": 28}
LAYOUTS = ["jianbao", "gbt9704", "book"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("typography")
    return {(issue.stem, layout): build(issue, out / layout, layout).output for issue in ISSUES for layout in LAYOUTS}


def verdict(referee: Path, pdf: Path, source: Path, *args: str) -> dict[str, dict]:
    run = run_referee(referee, pdf, source, "--json", *args)
    assert run.returncode in (0, 1), run.stderr
    return {c["id"]: c for c in json.loads(run.stdout)["checks"]}


def grid_args(layout: str) -> list[str]:
    if layout == "book":
        return []
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


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("issue", ISSUES, ids=[i.stem for i in ISSUES])
def test_the_print_quality_checks_pass(built: dict, referee: Path, issue: Path, layout: str, tmp_path: Path) -> None:
    source = body_source(issue, tmp_path / "body.json") if issue.stem == "example-photos-tables" else issue
    checks = verdict(referee, built[(issue.stem, layout)], source, *grid_args(layout), *PRINT_QUALITY)
    assert not failing(checks), {cid: (checks[cid]["value"], checks[cid]["examples"][:3]) for cid in failing(checks)}
    assert {checks[c]["status"] for c in ("v1", "v2", "p4")} == {"PASS"}
    if layout != "book":
        assert checks["c3"]["status"] == "PASS"  # lines with no run and no compressed mark are on the grid
        on, total = (int(n) for n in checks["c3"]["value"].split()[0].split("/"))
        assert on == total > 300, checks["c3"]["value"]
    else:
        assert checks["b1"]["status"] == checks["b2"]["status"] == "PASS"  # paired marks, half-width line ends


def test_the_sample_is_six_pages_and_sets_the_next_section_at_the_foot_of_page_three(built: dict) -> None:
    """As in the reference: 【经验交流】, its title and first lines close page 3 rather than leave it short."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(built[("2023-21", "jianbao")])
    assert len(pdf) == 6
    page3 = pdf[2].get_textpage().get_text_range()
    assert "【经验交流】" in page3 and "西华县聚焦六大行动" in page3


def _body(text: str) -> str:
    """Text without whitespace and folios (a paragraph that runs on to the next page reads on)."""
    return re.sub(r"—\d+—", "", re.sub(r"\s", "", text))


def _pages_text(pdf: Path, first: int = 0) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    return "".join(doc[i].get_textpage().get_text_range() for i in range(first, len(doc)))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_body_text_copies_out_exactly_in_pdfium_and_poppler(built: dict, layout: str, tmp_path: Path) -> None:
    """Each line is marked with its text as written (ActualText): the viewers' copy has no gap spaces."""
    for issue in (SAMPLE, STRESS):
        pdf = built[(issue.stem, layout)]
        data = json.loads(body_source(issue, tmp_path / "b.json").read_text(encoding="utf-8"))
        paragraphs = [p for sec in data["sections"] for art in sec["articles"] for p in art["paragraphs"]]
        pdfium_text = _body(_pages_text(pdf))
        poppler = shutil.which("pdftotext")
        poppler_text = _body(subprocess.run([poppler, str(pdf), "-"], capture_output=True, text=True).stdout) if poppler else None
        for para in paragraphs:
            para = re.sub(r"\s", "", para)
            assert para in pdfium_text, para[:20]
            if poppler_text is not None:
                assert para in poppler_text, para[:20]
        assert not re.search(r"[\u4e00-\u9fff，。] [\u4e00-\u9fff，。\d]", _pages_text(pdf, first=1))  # pdfium, as it copies


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdfminer_reads_no_space_between_chinese_characters(built: dict, layout: str) -> None:
    """pdfminer ignores ActualText and reads the glyphs: between two full-width characters it sees no gap
    (a spread or an ideographic space is inside the advances); beside a digit run it may see the ¼ em."""
    from pdfminer.high_level import extract_text

    for issue in (SAMPLE, STRESS):
        text = extract_text(built[(issue.stem, layout)], page_numbers=range(1, 99))
        stray = re.findall(r"[\u4e00-\u9fff，。、；：“”] +[\u4e00-\u9fff，。、；：“”]", text)
        assert not stray, (issue.stem, stray[:5])


@pytest.mark.parametrize("layout", ["jianbao", "gbt9704"])
def test_pdf_widths_agree_with_the_embedded_font_programs(built: dict, layout: str) -> None:
    """Glyphs that carry a blank in their advance included: every /W entry is the glyph's advance in its
    font program (PDF/A requires it)."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    checked = 0
    for issue in ("2023-21", "stress"):
        seen = set()
        for page in PdfReader(built[(issue, layout)]).pages:
            for ref in page["/Resources"]["/Font"].values():
                if ref.idnum in seen:
                    continue
                seen.add(ref.idnum)
                cid_font = ref.get_object()["/DescendantFonts"][0].get_object()
                program = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_data()))
                scale = 1000 / program["head"].unitsPerEm
                order = program.getGlyphOrder()
                widths = cid_font["/W"]
                first, values = widths[0], widths[1]
                for cid, width in enumerate(values, start=first):
                    assert abs(program["hmtx"][order[cid]][0] * scale - width) <= 0.5, (cid, width)
                    checked += 1
    assert checked > 500
