"""The PDF-finishing stage: fonts, ToUnicode, metadata, determinism, profiles, bleed, atomic write.

Raw PDFs are built here with reportlab the way the draw stage does (A4, invariant, CMYK, TTF fonts).
CJK and Ext-B parts use a font from fonts/ or Debian's fonts-hanazono and are skipped without one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2
import pytest
from fontTools.ttLib import TTFont as FTFont
from pdfminer.high_level import extract_text
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipeline.atomic import write_atomic
from pipeline.errors import JianbaoError
from pipeline.page import Info
from pipeline.render.pdf.boxes import SLUG_MM
from pipeline.render.pdf.finish import FinishOptions, finish
from pipeline.render.pdf.tounicode import parse_cmap, write_cmap
from pipeline.units import MM

FONT_DIRS = (Path(__file__).resolve().parent.parent / "fonts", Path("/usr/share/fonts/truetype/hanazono"))
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
EXT_B = "\U00020b9f\U0002a6a5"  # 𠮟 𪚥, CJK Ext-B: beyond the BMP
HEADLINE = "周口精神文明建设"
BODY = "第二页正文"
A4_W, A4_H = A4
INFO = Info(
    title="周口精神文明建设 简报 第21期",
    author="周口市文明办",
    subject="周口精神文明建设 2023年第21期",
    keywords=("工作动态", "经验交流"),
    date=dt.date(2023, 8, 30),
)
YAML = "title: 周口精神文明建设\nissue: 21\n".encode()

pytestmark = pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVuSans.ttf (fonts-dejavu-core) not installed")


@cache
def font_with(text: str) -> Path | None:
    """A glyf TrueType font that has every character of ``text``."""
    for folder in FONT_DIRS:
        for path in sorted(folder.glob("*.ttf")):
            with FTFont(path, lazy=True) as font:
                if "glyf" in font and all(ord(c) in font.getBestCmap() for c in text):
                    return path
    return None


def register(name: str, path: Path) -> str:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


@cache
def make_raw(cjk: bool = True, ext_b: bool = False) -> bytes:
    """Two A4 pages as the draw stage makes them: CMYK red and black text, outline entries."""
    latin = register("TestDejaVu", DEJAVU)
    han = register("TestHan", p) if cjk and (p := font_with(HEADLINE + BODY)) else latin
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.bookmarkPage("p1")
    c.addOutlineEntry("第一页", "p1", 0)
    c.setFillColorCMYK(0, 0.8, 0.8, 0)
    c.setFont(han, 22)
    c.drawString(90, 700, HEADLINE if han != latin else "Zhoukou")
    c.setFillColorCMYK(0, 0, 0, 1)
    c.setFont(latin, 16)
    c.drawString(90, 650, "Issue 21, 2023")
    if ext_b:
        c.setFont(register("TestExtB", font_with(EXT_B)), 16)
        c.drawString(90, 600, EXT_B)
    c.setStrokeColorCMYK(0, 0.8, 0.8, 0)
    c.line(90, 640, 500, 640)
    c.linkRect("", "p2", (90, 690, 300, 720))
    c.showPage()
    c.bookmarkPage("p2", fit="XYZ", left=90, top=800)
    c.addOutlineEntry("第二页", "p2", 0)
    c.setFont(han, 16)
    c.drawString(90, 700, BODY if han != latin else "Page two")
    c.save()
    return buf.getvalue()


def raw_with(draw: Callable[[canvas.Canvas], None]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


@cache
def finished(profile: str = "print", bleed_mm: float = 0.0, source: bool = False) -> bytes:
    options = FinishOptions(
        profile=profile,
        bleed_mm=bleed_mm,
        source_name="2023-21.yaml" if source else None,
        source_bytes=YAML if source else None,
    )
    return finish(make_raw(), INFO, options)


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def needs_cjk() -> None:
    if font_with(HEADLINE + BODY) is None:
        pytest.skip("no CJK TrueType font in fonts/ or fonts-hanazono")


def fonts_of(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == pikepdf.Name.Font]


def xmp_text(pdf: pikepdf.Pdf) -> str:
    return pdf.Root.Metadata.read_bytes().decode("utf-8")


# --- metadata --------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["print", "archive"])
def test_info_and_xmp_metadata(profile: str) -> None:
    data = finished(profile)
    meta = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert meta.title == INFO.title
    assert meta.author == INFO.author
    assert meta.subject == INFO.subject
    assert meta["/Keywords"] == "工作动态; 经验交流"
    assert meta.creator == "jianbao"
    assert meta.producer
    issue_start = dt.datetime(2023, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert meta.creation_date == issue_start
    assert meta.modification_date == issue_start
    assert "/Trapped" not in meta
    with open_pdf(data) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == INFO.title
        assert xmp["dc:creator"] == [INFO.author]
        assert xmp["dc:description"] == INFO.subject
        assert xmp["pdf:Keywords"] == "工作动态; 经验交流"
        assert xmp["pdf:Producer"] == meta.producer
        assert xmp["xmp:CreatorTool"] == "jianbao"
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            assert xmp[key] == "2023-08-30T00:00:00+08:00"
        assert xmp["dc:language"] == {"zh-CN"}
        raw_xmp = xmp_text(pdf)
        assert f'<rdf:li xml:lang="x-default">{INFO.title}</rdf:li>' in raw_xmp
        assert f'<rdf:li xml:lang="zh-CN">{INFO.title}</rdf:li>' in raw_xmp
        assert ("pdfaid:part" in raw_xmp) == (profile == "archive")
        assert "/Filter" not in pdf.Root.Metadata  # XMP stays uncompressed
        assert pdf.Root.Lang == "zh-CN"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_xmp_escapes_markup() -> None:
    info = Info("A & B <简报>", "周口市文明办", "", (), dt.date(2024, 1, 5))
    with open_pdf(finish(make_raw(), info, FinishOptions())) as pdf:
        assert pdf.open_metadata()["dc:title"] == "A & B <简报>"
        assert "/Keywords" not in pdf.docinfo and "/Subject" not in pdf.docinfo
        assert pdf.docinfo.CreationDate == "D:20240105000000+08'00'"


# --- fonts -------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["print", "archive"])
def test_only_embedded_fonts_with_to_unicode(profile: str) -> None:
    with open_pdf(finished(profile, bleed_mm=3)) as pdf:
        fonts = fonts_of(pdf)
        assert fonts
        for font in fonts:
            assert font.get("/BaseFont") != "/Helvetica"
            assert "/FontFile2" in font.FontDescriptor
            assert "/ToUnicode" in font
        for page in pdf.pages:  # every Tf names a font resource of its page
            names = set(page.Resources.Font.keys())
            tf = {str(i.operands[0]) for i in pikepdf.parse_content_stream(page, "Tf")}
            assert tf and tf <= names


def test_fonts_in_form_xobjects_are_kept() -> None:
    def draw(c: canvas.Canvas) -> None:
        c.beginForm("stamp")
        c.setFont(register("TestDejaVu", DEJAVU), 12)
        c.drawString(0, 0, "Form text")
        c.endForm()
        c.doForm("stamp")

    data = finish(raw_with(draw), INFO, FinishOptions("archive"))
    assert "Form text" in extract_text(io.BytesIO(data))
    with open_pdf(data) as pdf:
        assert [f.get("/BaseFont") for f in fonts_of(pdf)] == ["/AAAAAA+DejaVuSans"]


def test_text_in_a_non_embedded_font_is_refused() -> None:
    raw = raw_with(lambda c: c.drawString(72, 700, "Helvetica text"))
    with pytest.raises(ValueError, match="Helvetica"):
        finish(raw, INFO, FinishOptions())


def test_bmp_text_extracts() -> None:
    needs_cjk()
    data = finished("archive")
    text = extract_text(io.BytesIO(data))
    for expected in (HEADLINE, BODY, "Issue 21, 2023"):
        assert expected in text
    doc = pypdfium2.PdfDocument(data)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    assert HEADLINE in pages[0] and BODY in pages[1]


def test_non_bmp_to_unicode_fixed() -> None:
    if font_with(EXT_B) is None:
        pytest.skip("no TrueType font with CJK Ext-B glyphs (fonts/ or fonts-hanazono's HanaMinB.ttf)")
    data = finish(make_raw(ext_b=True), INFO, FinishOptions())  # reportlab alone writes <20B9F>
    assert EXT_B in extract_text(io.BytesIO(data))
    doc = pypdfium2.PdfDocument(data)
    assert EXT_B in doc[0].get_textpage().get_text_range()
    with open_pdf(data) as pdf:
        cmaps = b"".join(f.ToUnicode.read_bytes() for f in fonts_of(pdf))
    assert b"<D842DF9F>" in cmaps and b"<D869DEA5>" in cmaps
    assert not re.search(rb"<[0-9A-F]{5}>", cmaps)


def test_cmap_rewrite() -> None:
    """reportlab's CMap (bare code points, U+0000 fillers) becomes UTF-16BE in blocks of <= 100."""
    entries = ["<00> <0000>", "<01> <20B9F>", "<02> <5468>"] + [f"<{c:02X}> <{c:04X}>" for c in range(32, 128)]
    entries += [f"<{c:02X}> <{0x4E00 + c * 2:04X}>" for c in range(128, 256)]
    source = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n1 begincodespacerange\n<00> <FF>\n"
        f"endcodespacerange\n{len(entries)} beginbfchar\n" + "\n".join(entries) + "\nendbfchar\nendcmap\nend\nend\n"
    ).encode()
    parsed = parse_cmap(source)
    assert parsed is not None
    spaces, mapping = parsed
    assert (1, 0) not in mapping
    assert mapping[(1, 1)] == "\U00020b9f" and mapping[(1, 2)] == "周" and mapping[(1, 0x41)] == "A"
    written = write_cmap(spaces, mapping)
    assert b"<01> <D842DF9F>" in written
    assert b"<20> <7F> <0020>" in written  # ASCII as one bfrange
    assert all(int(n) <= 100 for n in re.findall(rb"(\d+) beginbf", written))
    assert parse_cmap(written) == parsed


# --- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "bleed", "source"), [("print", 0, False), ("archive", 3, True)])
def test_deterministic(profile: str, bleed: float, source: bool) -> None:
    options = FinishOptions(profile, bleed, "2023-21.yaml" if source else None, YAML if source else None)
    first, second = finish(make_raw(), INFO, options), finish(make_raw(), INFO, options)
    assert first == second
    other = finish(make_raw(), dataclasses.replace(INFO, date=dt.date(2023, 9, 1)), options)
    ids = [pypdf.PdfReader(io.BytesIO(d)).trailer["/ID"][0] for d in (first, other)]
    assert ids[0] != ids[1]  # the /ID is a hash of the content


# --- profiles ----------------------------------------------------------------------------


def boxes(page: pikepdf.Page, key: str) -> list[float]:
    return [float(v) for v in page.obj[key]]


def test_print_boxes_are_a4() -> None:
    with open_pdf(finished("print")) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert boxes(page, "/MediaBox") == pytest.approx([0, 0, A4_W, A4_H], abs=1e-3)
            assert boxes(page, "/TrimBox") == boxes(page, "/MediaBox")
            assert "/BleedBox" not in page.obj


def check_pdfa_structure(data: bytes, part: int) -> None:
    """The PDF/A-2b/3b points checkable without veraPDF."""
    assert re.match(rb"%PDF-1\.[4-7]\n%[\x80-\xff]{4}", data)
    with open_pdf(data) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                assert "LZW" not in str(obj.get("/Filter", ""))
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert "/JS" not in obj and obj.get("/S") != pikepdf.Name.JavaScript
                assert "/Group" not in obj  # no transparency groups
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        assert len(pdf.trailer.ID) == 2
        xmp = pdf.open_metadata()
        assert xmp["pdfaid:part"] == str(part) and xmp["pdfaid:conformance"] == "B"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = intent.DestOutputProfile
        icc = profile.read_bytes()
        assert profile.N == 4 and icc[12:20] == b"prtrCMYK" and icc[36:40] == b"acsp"
        info = pdf.docinfo  # Info and XMP agree
        assert xmp["dc:title"] == str(info.Title) and xmp["dc:creator"] == [str(info.Author)]
        assert xmp["dc:description"] == str(info.Subject) and xmp["pdf:Keywords"] == str(info.Keywords)
        assert xmp["xmp:CreatorTool"] == str(info.Creator) and xmp["pdf:Producer"] == str(info.Producer)
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                assert int(annot.F) & 4 and not int(annot.F) & (1 | 2 | 32)


def test_archive_is_pdfa_2b() -> None:
    data = finished("archive")
    check_pdfa_structure(data, part=2)
    with open_pdf(data) as pdf:
        assert "/AF" not in pdf.Root
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})


def test_archive_with_source_is_pdfa_3b() -> None:
    data = finished("archive", source=True)
    check_pdfa_structure(data, part=3)
    with open_pdf(data) as pdf:
        (spec,) = pdf.Root.AF
        assert spec.AFRelationship == pikepdf.Name.Source
        assert spec.F == "2023-21.yaml" and spec.UF == "2023-21.yaml"
        stream = spec.EF.F
        assert stream.read_bytes() == YAML
        assert stream.Subtype == pikepdf.Name("/application/x-yaml")
        assert stream.Params.ModDate == "D:20230830000000+08'00'" and stream.Params.Size == len(YAML)
        assert pdf.Root.Names.EmbeddedFiles.Names[1].objgen == spec.objgen
    assert pypdf.PdfReader(io.BytesIO(data)).attachments == {"2023-21.yaml": [YAML]}


def test_rgb_colour_is_refused() -> None:
    raw = raw_with(lambda c: (c.setFillColorRGB(1, 0, 0), c.rect(72, 72, 100, 100, fill=1)))
    with pytest.raises(ValueError, match="DeviceRGB"):
        finish(raw, INFO, FinishOptions())


def test_rgb_photo_is_tagged_srgb() -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    photo = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(photo, "PNG")
    raw = raw_with(lambda c: c.drawImage(ImageReader(io.BytesIO(photo.getvalue())), 72, 72, 40, 40))
    with open_pdf(finish(raw, INFO, FinishOptions("archive"))) as pdf:
        (image,) = pdf.pages[0].Resources.XObject.values()
        space = image.ColorSpace
        assert space[0] == pikepdf.Name.ICCBased and space[1].N == 3


def test_bad_options() -> None:
    for options in (
        FinishOptions(profile="web"),
        FinishOptions(bleed_mm=-1),
        FinishOptions(source_name="a.yaml"),
        FinishOptions(source_name="a.yaml", source_bytes=b"x"),  # print profile
    ):
        with pytest.raises(ValueError):
            finish(make_raw(), INFO, options)


# --- bleed and crop marks ----------------------------------------------------------------


def first_char_x(data: bytes) -> float:
    doc = pypdfium2.PdfDocument(data)
    return doc[0].get_textpage().get_charbox(0)[0]


@pytest.mark.parametrize("profile", ["print", "archive"])
def test_bleed_boxes_marks_and_shift(profile: str) -> None:
    bleed = 3.0
    data = finished(profile, bleed_mm=bleed)
    margin = (bleed + SLUG_MM) * MM
    b = bleed * MM
    with open_pdf(data) as pdf:
        for page in pdf.pages:
            assert boxes(page, "/MediaBox") == pytest.approx([0, 0, A4_W + 2 * margin, A4_H + 2 * margin], abs=1e-3)
            assert boxes(page, "/TrimBox") == pytest.approx([margin, margin, margin + A4_W, margin + A4_H], abs=1e-3)
            bleed_box = boxes(page, "/BleedBox")
            assert bleed_box == pytest.approx([margin - b, margin - b, margin + A4_W + b, margin + A4_H + b], abs=1e-3)
            content = page.obj.Contents.read_bytes().decode()
            shift = re.match(r"q 1 0 0 1 ([\d.]+) ([\d.]+) cm ", content)
            assert shift and [float(v) for v in shift.groups()] == pytest.approx([margin, margin], abs=1e-3)
            marks = content[content.rindex("\nQ\n") :]
            assert "0.25 w" in marks and "1 1 1 1 K" in marks
            segments = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l", marks)
            assert len(segments) == 8
            x0, y0, x1, y1 = bleed_box
            for segment in segments:
                for x, y in zip(*[iter(map(float, segment))] * 2, strict=True):
                    assert not (x0 < x < x1 and y0 < y < y1)  # marks stay outside the bleed
        # the outline's /XYZ destination and the link rectangle moved with the page
        second = pdf.Root.Outlines.First.Next.Dest
        assert [float(second[2]), float(second[3])] == pytest.approx([90 + margin, 800 + margin], abs=1e-3)
        (link,) = pdf.pages[0].obj.Annots
        assert float(link.Rect[0]) == pytest.approx(90 + margin, abs=1e-3)
    assert first_char_x(data) == pytest.approx(first_char_x(finished(profile)) + margin, abs=0.05)


# --- qpdf --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
@pytest.mark.parametrize(("profile", "bleed", "source"), [("print", 0, False), ("print", 3, False), ("archive", 0, True)])
def test_qpdf_check(tmp_path: Path, profile: str, bleed: float, source: bool) -> None:
    path = tmp_path / "out.pdf"
    path.write_bytes(finished(profile, bleed, source))
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --- write_atomic ------------------------------------------------------------------------


def test_write_atomic_writes(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["out.pdf"]


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_write_atomic_failure_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"previous")

    def fail(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(JianbaoError) as caught:
        write_atomic(target, b"new content")
    monkeypatch.undo()
    assert "磁盘空间不足" in str(caught.value) and "原有文件保持不变" in str(caught.value)
    assert str(target) in str(caught.value)
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["out.pdf"]


def test_write_atomic_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(JianbaoError, match="输出文件夹不存在"):
        write_atomic(tmp_path / "no" / "out.pdf", b"x")
