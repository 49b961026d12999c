"""The built sample PDF, read back: pages, size, text, fonts, colours, positions; and the CLI's behaviour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import SAMPLE, jianbao, run_referee, write

A4 = (595.2756, 841.8898)


def source_text() -> str:
    """Every printed character of the sample's articles, in reading order (the referee's view of it)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    parts = []
    for sec in data["sections"]:
        for art in sec["articles"]:
            parts.append(art["title"])
            parts.append(art["body"].replace("**", ""))
    return re.sub(r"\s", "", "".join(parts))


def page_texts(pdf: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    return [re.sub(r"\s", "", extract_text(str(pdf), page_numbers=[i])) for i in range(len(PdfReader(pdf).pages))]


def test_sample_has_six_or_so_a4_pages(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    assert 5 <= len(reader.pages) <= 7
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - A4[0]) < 0.5 and abs(float(box.height) - A4[1]) < 0.5


def test_page_one_holds_masthead_and_contents_only(sample_pdf: Path) -> None:
    first = page_texts(sample_pdf)[0]
    assert "周口精神文明建设" in first and "第21期" in first and "2023年8月30日" in first
    for label in ("【工作动态】", "【经验交流】", "【文明时讯】"):
        assert label in first
    assert "我市2023年第二季度“周口好人”名单公示" in first
    assert "会议指出" not in first  # no article text on page 1


def test_every_character_comes_back_in_reading_order(sample_pdf: Path) -> None:
    body = "".join(page_texts(sample_pdf)[1:])
    body = re.sub(r"—\d+—", "", body)
    expected = source_text()
    # the articles' text appears in order; 栏目 labels are interleaved
    position = 0
    for ch in expected:
        found = body.find(ch, position)
        assert found >= 0, f"missing {ch!r} after {body[max(0, position - 20) : position]}"
        position = found + 1
    assert len(re.sub(r"【[^】]*】", "", body)) == len(expected)


def test_every_font_is_embedded(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert desc is not None, font
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def count_red(image) -> int:  # type: ignore[no-untyped-def]
    px = image.tobytes()
    return sum(1 for i in range(0, len(px), 3) if px[i] > 180 and px[i + 1] < 120 and px[i + 2] < 120)


def test_masthead_is_red_and_body_is_black(sample_pdf: Path) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(sample_pdf))
    image = doc[0].render(scale=1).to_pil().convert("RGB")
    w, h = image.size
    top = image.crop((0, 0, w, h // 3))
    red = count_red(top)
    assert red > 2000, red  # large red name and the red rule
    page2 = doc[1].render(scale=1).to_pil().convert("RGB")
    reddish = count_red(page2)
    assert reddish == 0


def test_red_is_cmyk_not_rgb(sample_pdf: Path) -> None:
    content = PdfReader(sample_pdf).pages[0].get_contents().get_data()
    assert re.search(rb"0 \.8 \.8 0 k|0 0?\.8 0?\.8 0 [kK]", content), content[:400]
    assert b" rg" not in content


def test_cli_build_prints_the_pdf_path(tmp_path: Path) -> None:
    run = jianbao("build", str(SAMPLE), "-o", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(tmp_path / "2023-21.pdf")
    assert (tmp_path / "2023-21.pdf").read_bytes()[:5] == b"%PDF-"


def test_cli_bad_input_is_a_chinese_message_without_traceback_and_no_pdf(tmp_path: Path) -> None:
    text = "bulletin: 测试\nnumber: 1\nissuer: 办\ndate: 2023-13-01\nsections:\n  - name: 动态\n    articles:\n"
    bad = write(tmp_path, "bad.yaml", text + "      - title: 题\n        body: 文。\n")
    out = tmp_path / "out"
    run = jianbao("build", str(bad), "-o", str(out))
    assert run.returncode != 0
    assert "Traceback" not in run.stderr + run.stdout
    assert "bad.yaml:4" in run.stderr and "日期" in run.stderr
    assert not list(out.glob("*.pdf")) if out.exists() else True


def test_a_character_no_font_has_is_an_error_naming_it(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("8月25日，全市", "8月25日，\U0001f600全市", 1)
    bad = write(tmp_path, "emoji.yaml", text)
    run = jianbao("build", str(bad), "-o", str(tmp_path / "o"))
    assert run.returncode != 0
    assert "U+1F600" in run.stderr
    line = text.splitlines().index(next(ln for ln in text.splitlines() if "\U0001f600" in ln)) + 1
    assert f"emoji.yaml:{line}:" in run.stderr
    assert not (tmp_path / "o" / "emoji.pdf").exists()


def test_build_keeps_the_previous_pdf_when_the_new_input_is_bad(tmp_path: Path) -> None:
    from pipeline.errors import JianbaoError
    from pipeline.typeset import build

    good = write(tmp_path, "x.yaml", SAMPLE.read_text(encoding="utf-8"))
    first = build(good, tmp_path).output.read_bytes()
    good.write_text(good.read_text(encoding="utf-8").replace("date: 2023-08-30", "date: 2023-02-30"), encoding="utf-8")
    with pytest.raises(JianbaoError):
        build(good, tmp_path)
    assert (tmp_path / "x.pdf").read_bytes() == first


def test_the_sample_passes_the_referee_with_its_default_hard_checks_and_print_quality(sample_pdf: Path, referee: Path) -> None:
    """The referee's own hard set (b3 among it: no glyph box past the text block) plus the print-quality checks."""
    args = ["--hang", "allow", "--line-end-punct", "full", "--quarter-gap", "--page-fill", "--hard", "+h1,v1,v2,p4"]
    run = run_referee(referee, sample_pdf, SAMPLE, *args)
    assert run.returncode == 0, run.stdout + run.stderr


def test_supplement_number_and_brief_with_a_heading_like_first_paragraph(tmp_path: Path) -> None:
    from pdfminer.high_level import extract_text

    from pipeline.typeset import build

    text = (
        "bulletin: 测试简报\nnumber: 增刊1\nissuer: 测试办\ndate: 2024-03-01\ntoc: false\nsections:\n"
        "  - name: 文明时讯\n    articles:\n      - title: 一、某地开展活动。\n        brief: true\n"
        "        body: |\n          二、基本情况\n"
    )
    pdf = build(write(tmp_path, "b.yaml", text), tmp_path).output
    printed = re.sub(r"\s", "", extract_text(str(pdf)))
    assert "增刊1" in printed and "第增刊1期" not in printed
    assert "一、某地开展活动。二、基本情况" in printed  # the brief's title leads its paragraph
    assert PdfReader(pdf).metadata.title == "测试简报 增刊1"
