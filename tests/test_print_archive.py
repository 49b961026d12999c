"""Print-ready and archive-grade output of whole builds (issue 4): fonts, colours, boxes, profiles."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import ROOT, SAMPLE, have, jianbao, write
from pipeline.typeset import build

EXT_B = "𠮷𪚥"  # U+20BB7, U+2A6A5: characters of personal names outside the BMP


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_issue_twice_gives_byte_identical_pdfs(tmp_path: Path) -> None:
    a = build(SAMPLE, tmp_path / "a").output
    b = build(SAMPLE, tmp_path / "b").output
    assert sha(a) == sha(b)
    c = build(SAMPLE, tmp_path / "c", profile="archive").output
    d = build(SAMPLE, tmp_path / "d", profile="archive").output
    assert sha(c) == sha(d)


def test_every_font_is_an_embedded_subset_and_nothing_else(sample_pdf: Path) -> None:
    pdf = pikepdf.open(sample_pdf)
    names = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            names.add(str(obj.get("/BaseFont")))
            font = obj.DescendantFonts[0] if obj.get("/Subtype") == "/Type0" else obj
            desc = font.get("/FontDescriptor")
            assert desc is not None and "/FontFile2" in desc, obj.get("/BaseFont")
    assert names and all(re.match(r"^/[A-Z]{6}\+", n) for n in names), names
    assert not any("Helvetica" in n for n in names)


def test_a_glyph_set_with_a_second_advance_is_a_small_reference_to_the_first_outline(sample_pdf: Path) -> None:
    """A body glyph drawn both mid-line (carrying its cell's blank) and at a line end is in the subset twice:
    the second time as a composite of the first, with its own advance, not as a second copy of the outline."""
    import io

    from fontTools.ttLib import TTFont

    pdf = pikepdf.open(sample_pdf)
    desc = next(o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "FandolFang" in str(o.get("/FontName", "")))
    font = TTFont(io.BytesIO(desc.FontFile2.read_bytes()))
    glyf, order = font["glyf"], font.getGlyphOrder()
    copies = [glyf[n] for n in order if glyf[n].isComposite()]
    assert len(copies) > 20
    for g in copies:
        (component,) = g.components
        first = glyf[component.glyphName]
        assert not first.isComposite() and first.numberOfContours > 0
        assert (component.x, component.y) == (0, 0) and (g.xMin, g.yMax) == (first.xMin, first.yMax)
    assert font["maxp"].maxComponentDepth >= 1


@pytest.mark.skipif(not have("pdffonts"), reason="pdffonts (poppler-utils) not installed")
def test_pdffonts_reports_every_font_embedded(sample_pdf: Path) -> None:
    out = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", row), row  # emb, sub


@pytest.mark.skipif(not have("qpdf"), reason="qpdf not installed")
@pytest.mark.parametrize("profile", ["print", "archive"])
def test_qpdf_check_passes(tmp_path: Path, profile: str) -> None:
    pdf = build(SAMPLE, tmp_path, profile=profile).output
    run = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_name_characters_beyond_the_bmp_print_and_copy_out(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("确定王洪银", f"确定王{EXT_B[0]}银").replace("孙银祥", f"孙{EXT_B[1]}祥")
    assert EXT_B[0] in text and EXT_B[1] in text
    pdf = build(write(tmp_path, "extb.yaml", text), tmp_path).output
    from pdfminer.high_level import extract_text

    mined = re.sub(r"\s", "", extract_text(str(pdf)))
    assert f"王{EXT_B[0]}银" in mined and f"孙{EXT_B[1]}祥" in mined
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    pdfium_text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert f"王{EXT_B[0]}银" in re.sub(r"\s", "", pdfium_text)


def test_outline_has_sections_then_articles(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    outline = reader.outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == ["工作动态", "经验交流", "文明时讯"]
    children = [item for item in outline if isinstance(item, list)]
    assert [c.title for c in children[2]] == [
        "我市2023年第二季度“周口好人”名单公示",
        "项城市召开第一届见义勇为模范表彰大会",
        "商水县举办文明城市文明单位文明校园创建工作培训会",
        "市纪委监委开展“道德文明使者·我们在行动”主题活动",
    ]


def test_document_info_comes_from_the_issue(sample_pdf: Path) -> None:
    meta = PdfReader(sample_pdf).metadata
    assert meta.title == "周口精神文明建设 简报 第21期"
    assert meta.author == "周口市文明办"
    assert "工作动态" in (meta.get("/Keywords") or "")
    assert str(meta.get("/CreationDate")).startswith("D:20230830")


def test_archive_profile_is_pdfa_with_the_issue_attached(tmp_path: Path) -> None:
    pdf = build(SAMPLE, tmp_path, profile="archive").output
    with pikepdf.open(pdf) as doc:
        xmp = doc.Root.Metadata.read_bytes().decode("utf-8")
        assert "pdfaid:part" in xmp and re.search(r"pdfaid:conformance[^B]*B", xmp)
        intent = doc.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 4
        files = doc.attachments
        assert list(files) == ["2023-21.yaml"]
        assert files["2023-21.yaml"].get_file().read_bytes() == SAMPLE.read_bytes()
        assert "/Encrypt" not in doc.trailer


def test_bleed_adds_crop_marks_outside_an_a4_trim(tmp_path: Path) -> None:
    pdf = build(SAMPLE, tmp_path, bleed_mm=3).output
    page = PdfReader(pdf).pages[0]
    trim, media = page.trimbox, page.mediabox
    assert abs(float(trim.width) - 595.276) < 0.5 and abs(float(trim.height) - 841.89) < 0.5
    assert float(media.width) > float(trim.width) + 2 * 3 * 72 / 25.4


def test_spot_red_from_the_layout(tmp_path: Path) -> None:
    layout = write(tmp_path, "spot.yaml", "extends: jianbao\ncolours:\n  red: {cmyk: [0, 80, 80, 0], spot: 简报红}\n")
    pdf = build(SAMPLE, tmp_path, str(layout)).output
    with pikepdf.open(pdf) as doc:
        spaces = [cs for cs in doc.pages[0].Resources.get("/ColorSpace", {}).values()]
        assert any(str(cs[0]) == "/Separation" for cs in spaces), spaces


def test_duplex_puts_the_tail_on_an_even_page_without_number(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8") + "distribution:\n  报: 省文明办\n  发: 各县（市、区）文明办\ncopies: 60\n"
    issue = write(tmp_path, "tail.yaml", text)
    plain = build(issue, tmp_path / "plain").output
    duplex = build(issue, tmp_path / "duplex", duplex=True).output
    from pdfminer.high_level import extract_text

    def pages(pdf: Path) -> list[str]:
        n = len(PdfReader(pdf).pages)
        return [re.sub(r"\s", "", extract_text(str(pdf), page_numbers=[i])) for i in range(n)]

    plain_pages, duplex_pages = pages(plain), pages(duplex)
    assert "报：省文明办" in plain_pages[-1]
    assert len(duplex_pages) % 2 == 0
    assert "报：省文明办" in duplex_pages[-1] and "（共印60份）" in duplex_pages[-1]
    if len(duplex_pages) > len(plain_pages):  # pages added for the tail carry no number
        assert not re.search(r"—\d+—", duplex_pages[-1])


def test_fonts_command_lists_roles_and_fallback_characters(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("确定王洪银", f"确定王{EXT_B[0]}银")
    issue = write(tmp_path, "f.yaml", text)
    run = jianbao("fonts", str(issue))
    assert run.returncode == 0, run.stderr
    assert "fangsong" in run.stdout and "FandolFang-Regular.ttf" in run.stdout
    assert "U+20BB7" in run.stdout


def test_cli_duplex_option_mirrors_even_pages(tmp_path: Path) -> None:
    run = jianbao("build", str(SAMPLE), "-o", str(tmp_path), "--duplex")
    assert run.returncode == 0, run.stderr
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    lefts = []
    for page in extract_pages(str(tmp_path / "2023-21.pdf"), page_numbers=[2, 3]):
        lefts.append(min(el.x0 for el in page if isinstance(el, LTTextContainer)))
    assert lefts[0] - lefts[1] == pytest.approx(2 * 72 / 25.4, abs=0.1)  # 28 mm binding side, 26 mm outside


def test_same_issue_from_another_folder_gives_the_same_bytes(tmp_path: Path) -> None:
    import shutil

    issue = ROOT / "issues" / "example-photos-tables.yaml"
    copy = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "issues", copy)
    a = build(issue, tmp_path / "a").output
    b = build(copy / issue.name, tmp_path / "b").output
    assert sha(a) == sha(b)


def test_builds_in_one_process_in_any_order_equal_builds_in_fresh_processes(tmp_path: Path) -> None:
    """No state is shared between builds: the same bytes whatever was built before in the process."""
    issues = [SAMPLE, ROOT / "tests" / "stress" / "stress.yaml", *sorted((ROOT / "issues").glob("example-*.yaml"))]
    fresh = {}
    for issue in issues:
        out = tmp_path / "fresh" / issue.stem
        run = subprocess.run(
            [sys.executable, "-m", "pipeline", "build", str(issue), "-o", str(out)], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        fresh[issue.stem] = (out / f"{issue.stem}.pdf").read_bytes()
    for order in (issues, issues[::-1], [*issues[1:], issues[0]]):
        for k, issue in enumerate(order):
            out = tmp_path / f"inproc-{k}-{id(order)}"
            assert build(issue, out).output.read_bytes() == fresh[issue.stem], issue.stem


def test_rebuilding_in_one_process_gives_the_same_bytes_and_holds_no_memory(tmp_path: Path) -> None:
    """What ``watch`` does: rebuild the same issue again and again (bench/rebuilds.py runs 200 of them)."""
    import gc

    first = build(SAMPLE, tmp_path).output.read_bytes()
    counts = []
    for k in range(8):
        assert build(SAMPLE, tmp_path).output.read_bytes() == first, k
        gc.collect()
        counts.append(len(gc.get_objects()))
    assert counts[-1] - counts[2] < 200, counts  # no objects kept from one build to the next


def test_archive_fields_are_in_the_xmp_under_a_declared_extension_schema(tmp_path: Path) -> None:
    pdf = pikepdf.open(build(ROOT / "issues" / "example-baowei.yaml", tmp_path, profile="archive").output)
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    for prop, value in (("issueNumber", "22"), ("totalNumber", "86"), ("classification", "内部"), ("retentionPeriod", "长期")):
        assert f"<jbarc:{prop}>{value}</jbarc:{prop}>" in xmp
    assert "<pdfaSchema:namespaceURI>urn:jianbao:archive:1.0/</pdfaSchema:namespaceURI>" in xmp
    assert xmp.count("<pdfaProperty:name>") == 7
    with pdf.open_metadata() as meta:  # the packet parses as RDF
        assert meta.get("pdfaid:part") in ("2", "3")
