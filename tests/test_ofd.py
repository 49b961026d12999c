"""The OFD writer: every issue's package read back three ways and held against its page model and its PDF.

1. Our own structural check (`problems`): every part parses, every reference (DocRoot, resources,
   pages, fonts, images, colour spaces, outline pages) resolves, IDs are unique and within MaxUnitID,
   every font opens with fontTools and its cmap draws every character that the text objects use.
2. Our own geometry (`placed`): every character's position from Boundary + TextCode X/Y + DeltaX,
   compared with the page model and with the PDF's glyphs (pdfminer), to 0.01 mm.
3. An independent reader, ofdkit: page count, text in the file's order against the PDF's text in
   its content order (pdfium), text positions, metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import ofdkit
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont

from conftest import ROOT, SAMPLE
from pipeline.errors import JianbaoError
from pipeline.fonts.files import open_font
from pipeline.page import Colour, Document, FontRef, Glyph, GlyphRun, Image, Info, Page, Rule, TextLine
from pipeline.render.ofd.writer import save_ofd, write_ofd
from pipeline.render.pdf.finish import FinishOptions
from pipeline.render.pdf.writer import write_pdf
from pipeline.typeset import typeset

ISSUES = [*sorted((ROOT / "issues").glob("*.yaml")), ROOT / "tests" / "stress" / "stress.yaml"]
NS = "{http://www.ofdspec.org/2016}"
MM = 25.4 / 72
TOLERANCE = 0.01  # mm
SONG = str(ROOT / "fonts" / "FandolSong-Regular.ttf")


@dataclass(frozen=True)
class Built:
    document: Document
    pdf: bytes
    ofd: bytes


def build_both(issue: Path) -> Built:
    """One typesetting run, both writers."""
    document = typeset(issue).document
    return Built(document, write_pdf(document, FinishOptions()), write_ofd(document))


@pytest.fixture(scope="module", params=ISSUES, ids=lambda p: p.stem)
def built(request: pytest.FixtureRequest) -> Built:
    return build_both(request.param)


# ------------------------------------------------------------------------------- our own reader
class Package:
    """The parts of an OFD file, with references resolved as GB/T 33190 says (relative to the part)."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = self.zip.namelist()
        self.xml = {name: ET.fromstring(self.zip.read(name)) for name in self.names if name.endswith(".xml")}
        self.ofd = self.xml["OFD.xml"]
        self.doc_path = resolve(folder("OFD.xml"), text(self.ofd, "DocBody/DocRoot"))
        self.doc = self.xml[self.doc_path]
        common = self.doc.find(f"{NS}CommonData")
        assert common is not None
        here = folder(self.doc_path)
        self.res_paths = [resolve(here, e.text or "") for e in common if tag(e) in ("PublicRes", "DocumentRes")]
        self.page_paths = [resolve(here, p.get("BaseLoc", "")) for p in self.doc.iter(f"{NS}Page")]

    def resources(self, kind: str) -> dict[str, tuple[ET.Element, str | None]]:
        """Resource elements of one kind (Font, MultiMedia, ColorSpace) by ID, with the file they name."""
        out: dict[str, tuple[ET.Element, str | None]] = {}
        for path in self.res_paths:
            res = self.xml[path]
            base = resolve(folder(path), res.get("BaseLoc", ""))
            for element in res.iter(f"{NS}{kind}"):
                file = next((c.text for c in element if tag(c) in ("FontFile", "MediaFile")), None)
                out[element.get("ID", "")] = (element, resolve(base, file) if file else None)
        return out

    def pages(self) -> list[ET.Element]:
        return [self.xml[p] for p in self.page_paths]


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def text(element: ET.Element, path: str) -> str:
    found = element.find("/".join(f"{NS}{p}" for p in path.split("/")))
    assert found is not None, path
    return found.text or ""


def folder(part: str) -> str:
    return str(PurePosixPath(part).parent)


def resolve(base: str, location: str) -> str:
    """A location written in folder ``base``: absolute from the package root, else relative to the folder."""
    if location.startswith("/"):
        return location[1:]
    parts: list[str] = []
    for piece in (*PurePosixPath(base).parts, *PurePosixPath(location).parts):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def numbers(value: str | None) -> list[float]:
    """An ST_Array, with the ``g N value`` shorthand expanded."""
    words, out, k = (value or "").split(), [], 0
    while k < len(words):
        if words[k] == "g":
            out += [float(words[k + 2])] * int(words[k + 1])
            k += 3
        else:
            out.append(float(words[k]))
            k += 1
    return out


def codes(obj: ET.Element) -> tuple[str, set[int]]:
    """A TextObject's text and the positions in it drawn through a CGTransform (not through the cmap)."""
    code = obj.find(f"{NS}TextCode")
    assert code is not None
    transformed: set[int] = set()
    for cg in obj.iter(f"{NS}CGTransform"):
        start = int(cg.get("CodePosition", "0"))
        transformed.update(range(start, start + int(cg.get("CodeCount", "1"))))
    return code.text or "", transformed


def problems(data: bytes) -> list[str]:
    """Everything structurally wrong with an OFD package (an empty list when nothing is)."""
    out: list[str] = []
    try:
        pkg = Package(data)
    except (KeyError, ET.ParseError, zipfile.BadZipFile) as exc:
        return [f"unreadable: {exc!r}"]
    if pkg.ofd.get("Version") != "1.0" or pkg.ofd.get("DocType") != "OFD" or tag(pkg.ofd) != "OFD":
        out.append("OFD.xml: not an OFD 1.0 entry")
    if not re.fullmatch(r"[0-9a-f]{32}", text(pkg.ofd, "DocBody/DocInfo/DocID")):
        out.append("DocID is not 32 hexadecimal digits")
    for path in [*pkg.res_paths, *pkg.page_paths]:
        if path not in pkg.xml:
            out.append(f"missing part {path}")
    if out:
        return out
    ids = [e.get("ID", "") for part in pkg.xml.values() for e in part.iter() if e.get("ID") is not None]
    if len(ids) != len(set(ids)):
        out.append("duplicate IDs")
    if max(int(i) for i in ids) > int(text(pkg.doc, "CommonData/MaxUnitID")):
        out.append("an ID above MaxUnitID")
    fonts, media, spaces = pkg.resources("Font"), pkg.resources("MultiMedia"), pkg.resources("ColorSpace")
    referenced = {"OFD.xml", pkg.doc_path, *pkg.res_paths, *pkg.page_paths}
    cmaps: dict[str, dict[int, str]] = {}
    for font_id, (_, file) in fonts.items():
        if file not in pkg.names:
            out.append(f"font {font_id}: no file {file}")
            continue
        referenced.add(file)
        cmaps[font_id] = TTFont(io.BytesIO(pkg.zip.read(file))).getBestCmap()
    for image_id, (_, file) in media.items():
        if file not in pkg.names:
            out.append(f"image {image_id}: no file {file}")
        referenced.add(file or "")
    page_ids = {p.get("ID") for p in pkg.doc.iter(f"{NS}Page")}
    for dest in pkg.doc.iter(f"{NS}Dest"):
        if dest.get("PageID") not in page_ids:
            out.append(f"outline entry to a page that is not there: {dest.get('PageID')}")
    for path, page in zip(pkg.page_paths, pkg.pages(), strict=True):
        for colour in (*page.iter(f"{NS}FillColor"), *page.iter(f"{NS}StrokeColor")):
            if colour.get("ColorSpace") not in spaces:
                out.append(f"{path}: colour in an undefined colour space {colour.get('ColorSpace')}")
        for image in page.iter(f"{NS}ImageObject"):
            if image.get("ResourceID") not in media:
                out.append(f"{path}: image object {image.get('ID')} names no image resource")
        for obj in page.iter(f"{NS}TextObject"):
            font = obj.get("Font", "")
            if font not in cmaps:
                out.append(f"{path}: text object {obj.get('ID')} names no font (or its file is missing)")
                continue
            chars, transformed = codes(obj)
            for k, ch in enumerate(chars):
                if k not in transformed and cmaps[font].get(ord(ch), ".notdef") == ".notdef":
                    out.append(f"{path}: {ch!r} (U+{ord(ch):04X}) is not in the cmap of font {font}")
    for orphan in set(pkg.names) - referenced:
        out.append(f"unreferenced part {orphan}")
    return out


def placed(page: ET.Element) -> list[tuple[str, float, float]]:
    """(character, x, baseline) in mm from the page's top left, for every character of every TextCode."""
    out = []
    for obj in page.iter(f"{NS}TextObject"):
        left, top = numbers(obj.get("Boundary"))[:2]
        for code in obj.iter(f"{NS}TextCode"):
            x, y = left + float(code.get("X", "0")), top + float(code.get("Y", "0"))
            steps = numbers(code.get("DeltaX"))
            for k, ch in enumerate(code.text or ""):
                out.append((ch, x, y))
                x += steps[k] if k < len(steps) else 0.0
    return out


def model_glyphs(page: Page) -> list[tuple[str, float, float]]:
    """(text, x, baseline) in mm from the top left, for every glyph of the page model, in order."""
    return [(g.text, g.x * MM, (page.height - run.y) * MM) for line in page.lines for run in line.runs for g in run.glyphs]


def plain(text: str) -> str:
    return re.sub(r"\s", "", text)


# --------------------------------------------------------------------------------- every issue
def test_the_package_is_sound(built: Built) -> None:
    assert problems(built.ofd) == []
    pkg = Package(built.ofd)
    assert len(pkg.page_paths) == len(built.document.pages) == len(pdfium.PdfDocument(built.pdf))
    assert pkg.names[0] == "OFD.xml"


def test_each_page_holds_the_page_models_text_in_order(built: Built) -> None:
    for page, content in zip(built.document.pages, Package(built.ofd).pages(), strict=True):
        written = "".join(codes(obj)[0] for obj in content.iter(f"{NS}TextObject"))
        assert written == "".join(line.text for line in page.lines)


def test_every_glyph_is_where_the_page_model_put_it(built: Built) -> None:
    for page, content in zip(built.document.pages, Package(built.ofd).pages(), strict=True):
        got, want = placed(content), model_glyphs(page)
        assert len(got) == len(want)
        for (ch, x, y), (ch2, x2, y2) in zip(got, want, strict=True):
            assert ch == ch2 and abs(x - x2) < TOLERANCE and abs(y - y2) < TOLERANCE, (ch, x, x2, y, y2)


def test_every_glyph_is_where_the_pdf_draws_it(built: Built) -> None:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar

    def chars(item: object) -> list[LTChar]:
        if isinstance(item, LTChar):
            return [item]
        return [c for child in getattr(item, "_objs", []) for c in chars(child)]

    contents = Package(built.ofd).pages()
    for content, pdf_page in zip(contents, extract_pages(io.BytesIO(built.pdf), laparams=LAParams()), strict=True):
        height = pdf_page.height
        # the PDF draws an ideographic space between two glyphs at the next glyph (its blank is in the
        # advance before it): compare every other character
        pdf = sorted((c.get_text(), round(c.matrix[5], 1), c.matrix[4]) for c in chars(pdf_page) if c.get_text() != "\u3000")
        ofd = sorted((ch, round(height - y / MM, 1), x / MM) for ch, x, y in placed(content) if ch != "\u3000")
        assert len(pdf) == len(ofd) > 0
        for (ch, y, x), (ch2, y2, x2) in zip(pdf, ofd, strict=True):
            assert ch == ch2 and abs(y - y2) < 0.05 and abs(x - x2) * MM < TOLERANCE, (ch, x, x2)


def test_ofdkit_reads_the_pdfs_text_and_places(built: Built) -> None:
    pdf = pdfium.PdfDocument(built.pdf)
    with ofdkit.open(built.ofd) as doc:
        assert len(doc.pages) == len(pdf) == len(built.document.pages)
        for k, (page, model) in enumerate(zip(doc.pages, built.document.pages, strict=True)):
            # the text in the file's order (ofdkit's runs) is the PDF's text in its content order
            assert plain("".join(run.text for run in page.runs)) == plain(pdf[k].get_textpage().get_text_range()), k + 1
            assert plain(page.text()) and sorted(plain(page.text())) == sorted(plain(pdf[k].get_textpage().get_text_range()))
            starts = [(run.glyphs[0].x * MM, (model.height - run.y) * MM) for line in model.lines for run in line.runs]
            assert len(page.runs) == len(starts)
            for run, (x, y) in zip(page.runs, starts, strict=True):
                assert abs(run.x - x) < TOLERANCE and abs(run.y - y) < TOLERANCE
        assert doc.warnings == []


def test_ofdkit_reads_the_metadata(built: Built) -> None:
    info = built.document.info
    with ofdkit.open(built.ofd) as doc:
        assert doc.info.title == info.title and doc.info.author == info.author and doc.info.subject == info.subject
        assert doc.info.creation_date == info.date.isoformat() and doc.info.creator == "jianbao"
        assert doc.info.keywords == info.keywords
        assert doc.info.custom_data == dict(info.custom)  # the archive fields, once the issue gives them
        assert doc.info.doc_id and len(doc.info.doc_id) == 32


def test_fonts_are_subsets_that_keep_their_tables(built: Built) -> None:
    pkg = Package(built.ofd)
    fonts = pkg.resources("Font")
    originals = {font.header.ps_name: font for font in (open_font(r.path, r.index) for r in built.document.fonts())}
    assert sorted(element.get("FontName", "") for element, _ in fonts.values()) == sorted(originals)
    for element, file in fonts.values():
        assert file is not None
        font = TTFont(io.BytesIO(pkg.zip.read(file)))
        assert {"cmap", "glyf", "hmtx", "name", "OS/2", "post"} <= set(font.keys())
        assert font["maxp"].numGlyphs < originals[element.get("FontName", "")].header.num_glyphs  # a subset


def test_fake_bold_is_a_stroke_and_rules_are_paths(built: Built) -> None:
    for page, content in zip(built.document.pages, Package(built.ofd).pages(), strict=True):
        runs = [run for line in page.lines for run in line.runs]
        objects = list(content.iter(f"{NS}TextObject"))
        for run, obj in zip(runs, objects, strict=True):
            assert float(obj.get("Size", "0")) == pytest.approx(run.size * MM, abs=1e-4)
            if run.fake_bold:
                assert obj.get("Stroke") == "true" and obj.find(f"{NS}StrokeColor") is not None
                assert float(obj.get("LineWidth", "0")) == pytest.approx(run.fake_bold * run.size * MM, abs=1e-4)
            else:
                assert obj.get("Stroke") is None
        paths = list(content.iter(f"{NS}PathObject"))
        assert len(paths) == len(page.rules)
        for rule, path in zip(page.rules, paths, strict=True):
            left, top = numbers(path.get("Boundary"))[:2]
            data = text(path, "AbbreviatedData").split()
            assert data[0] == "M" and data[3] == "L"
            ends = [left + float(data[1]), top + float(data[2]), left + float(data[4]), top + float(data[5])]
            want = [rule.x0 * MM, (page.height - rule.y0) * MM, rule.x1 * MM, (page.height - rule.y1) * MM]
            assert ends == pytest.approx(want, abs=TOLERANCE)


def test_the_outline_is_the_bookmarks(built: Built) -> None:
    pkg = Package(built.ofd)
    marks = [m for page in built.document.pages for m in page.bookmarks]
    outline = pkg.doc.find(f"{NS}Outlines")
    if not marks:
        assert outline is None
        return
    assert outline is not None

    def walk(element: ET.Element, level: int) -> list[tuple[int, str]]:
        out = []
        for entry in element.findall(f"{NS}OutlineElem"):
            out += [(level, entry.get("Title", "")), *walk(entry, level + 1)]
        return out

    assert walk(outline, 0) == [(m.level, m.title) for m in marks]


def test_two_writes_give_the_same_bytes(built: Built) -> None:
    assert write_ofd(built.document) == built.ofd


# ------------------------------------------------------------------------------------- the sample
def test_a_new_typesetting_run_gives_the_same_bytes() -> None:
    assert build_both(SAMPLE).ofd == build_both(SAMPLE).ofd


def test_the_check_finds_what_is_wrong() -> None:
    """The structural check is not vacuous: a package with a part taken out, a character missing from
    a font, or a dangling reference is reported."""
    data = build_both(SAMPLE).ofd

    def rewritten(change: dict[str, bytes | None]) -> bytes:
        src = zipfile.ZipFile(io.BytesIO(data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for name in dict.fromkeys([*src.namelist(), *change]):
                body = change[name] if name in change else src.read(name)
                if body is not None:
                    out.writestr(name, body)
        return buf.getvalue()

    pkg = Package(data)
    font_file = next(iter(pkg.resources("Font").values()))[1]
    assert font_file is not None
    assert any("no file" in p for p in problems(rewritten({font_file: None})))
    first_page = pkg.page_paths[0]
    page = pkg.zip.read(first_page).decode()
    assert any("not in the cmap" in p for p in problems(rewritten({first_page: page.replace("周口", "周\u9fa5", 1).encode()})))
    assert any(
        "names no font" in p
        for p in problems(rewritten({first_page: re.sub(r'Font="\d+"', 'Font="999"', page, count=1).encode()}))
    )
    assert any("unreferenced" in p for p in problems(rewritten({"Doc_0/Res/stray.ttf": b"x"})))


def test_photos_are_embedded_as_they_are() -> None:
    built = build_both(ROOT / "issues" / "example-photos-tables.yaml")
    pkg = Package(built.ofd)
    images = [(page, im) for page in built.document.pages for im in page.images]
    assert {Path(im.path).suffix for _, im in images} == {".jpg", ".png"}
    media = pkg.resources("MultiMedia")
    objects = [obj for content in pkg.pages() for obj in content.iter(f"{NS}ImageObject")]
    assert len(objects) == len(images)
    for (page, im), obj in zip(images, objects, strict=True):
        element, file = media[obj.get("ResourceID", "")]
        assert file is not None and pkg.zip.read(file) == Path(im.path).read_bytes()
        assert element.get("Format") == {".jpg": "JPEG", ".png": "PNG"}[Path(im.path).suffix]
        box = numbers(obj.get("Boundary"))
        want = [im.x * MM, (page.height - im.y - im.height) * MM, im.width * MM, im.height * MM]
        assert box == pytest.approx(want, abs=TOLERANCE)
        assert numbers(obj.get("CTM")) == pytest.approx([box[2], 0, 0, box[3], 0, 0])


# ------------------------------------------------------------------------------- made-up documents
def glyph_id(ch: str) -> int:
    return open_font(SONG).glyph(ch)


def small_document(
    glyphs: tuple[Glyph, ...], images: tuple[Image, ...] = (), custom: tuple[tuple[str, str], ...] = ()
) -> Document:
    black = Colour((0, 0, 0, 1))
    run = GlyphRun(FontRef(SONG), 12, black, 0.0, 700, glyphs)
    line = TextLine((run,), "".join(g.text for g in glyphs), "body")
    page = Page(1, 595.2756, 841.8898, (line,), (Rule(50, 650, 300, 650, 1, Colour((0, 0.8, 0.8, 0), "red")),), images)
    return Document((page,), Info("标题", "发文机关", "主题", (), dt.date(2024, 3, 1), custom=custom))


def test_custom_data_carries_the_archive_fields() -> None:
    fields = (("期号", "第21期"), ("编印单位", "周口市文明办"), ("密级", "内部"), ("保管期限", "永久"))
    document = small_document((Glyph(glyph_id("文"), 100, 12, "文"),), custom=fields)
    with ofdkit.open(write_ofd(document)) as doc:
        assert doc.info.custom_data == dict(fields)


def test_a_glyph_the_cmap_cannot_name_is_drawn_through_a_cgtransform() -> None:
    one, two = glyph_id("一"), glyph_id("二")
    glyphs = (
        Glyph(one, 100, 12, "一"),
        Glyph(two, 112, 12, "一"),  # another glyph for a character already mapped
        Glyph(one, 124, 12, "ab"),  # one glyph for two characters
        Glyph(two, 136, 12, "二"),
    )
    data = write_ofd(small_document(glyphs))
    assert problems(data) == []
    pkg = Package(data)
    obj = next(pkg.pages()[0].iter(f"{NS}TextObject"))
    chars, transformed = codes(obj)
    assert chars == "一一ab二" and transformed == {1, 2, 3}
    cgs = [(cg.get("CodePosition"), cg.get("CodeCount"), text(cg, "Glyphs")) for cg in obj.iter(f"{NS}CGTransform")]
    font = TTFont(io.BytesIO(pkg.zip.read(next(iter(pkg.resources("Font").values()))[1] or "")))
    order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    assert [(pos, count, order.index(cmap[ord(ch)])) for pos, count, ch in [("1", "1", "二"), ("2", "2", "一")]] == [
        (pos, count, int(g)) for pos, count, g in cgs
    ]
    at = [(ch, round(x / MM, 3)) for ch, x, _ in placed(pkg.pages()[0])]
    assert at == [("一", 100), ("一", 112), ("a", 124), ("b", 124), ("二", 136)]  # the glyphs' positions


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_ctm_turns_a_photo_as_its_exif_orientation_says(tmp_path: Path, orientation: int) -> None:
    """Every pixel of the file lands where Pillow's exif_transpose shows it."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    stored = PILImage.new("RGB", (3, 2))
    stored.putdata([(k * 40, 0, 0) for k in range(6)])  # six different pixels
    exif = PILImage.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.png"
    stored.save(path, exif=exif)
    shown = ImageOps.exif_transpose(PILImage.open(path))
    width, height = shown.size
    document = small_document(
        (Glyph(glyph_id("文"), 100, 12, "文"),), (Image(str(path), 72, 72, width * 10, height * 10, orientation),)
    )
    obj = next(Package(write_ofd(document)).pages()[0].iter(f"{NS}ImageObject"))
    a, b, c, d, e, f = numbers(obj.get("CTM"))
    box = numbers(obj.get("Boundary"))
    for v in range(2):
        for u in range(3):
            s, t = (u + 0.5) / 3, (v + 0.5) / 2  # the pixel's centre in the image's unit square, y down
            x, y = a * s + c * t + e, b * s + d * t + f  # object space (mm from the Boundary's corner)
            column, row = int(x / box[2] * width), int(y / box[3] * height)
            assert shown.getpixel((column, row)) == stored.getpixel((u, v))


def test_save_ofd_writes_the_file(tmp_path: Path) -> None:
    document = small_document((Glyph(glyph_id("文"), 100, 12, "文"),))
    target = tmp_path / "out.ofd"
    assert save_ofd(document, target) == target.stat().st_size
    assert target.read_bytes() == write_ofd(document)
    assert problems(target.read_bytes()) == []
    assert write_ofd(replace(document, info=replace(document.info, title="另一个标题"))) != target.read_bytes()
    with pytest.raises(JianbaoError, match="无法写入 OFD 文件"):
        save_ofd(document, tmp_path / "missing" / "out.ofd")


def test_build_writes_the_pdf_and_the_ofd_from_one_run(tmp_path: Path) -> None:
    from conftest import jianbao

    run = jianbao("build", str(SAMPLE), "-o", str(tmp_path), "--format", "pdf,ofd")
    assert run.returncode == 0, run.stderr
    pdf, ofd = tmp_path / "2023-21.pdf", tmp_path / "2023-21.ofd"
    assert run.stdout.split() == [str(pdf), str(ofd)]
    pdf_doc = pdfium.PdfDocument(pdf)
    with ofdkit.open(ofd) as doc:
        assert len(doc.pages) == len(pdf_doc) == 6
        for k, page in enumerate(doc.pages):
            assert plain("".join(run.text for run in page.runs)) == plain(pdf_doc[k].get_textpage().get_text_range())
    only = jianbao("build", str(SAMPLE), "-o", str(tmp_path / "only"), "--format=ofd")
    assert only.returncode == 0 and only.stdout.split() == [str(tmp_path / "only" / "2023-21.ofd")]
    assert (tmp_path / "only" / "2023-21.ofd").read_bytes() == ofd.read_bytes()
    bad = jianbao("build", str(SAMPLE), "-o", str(tmp_path / "bad"), "--format", "odf")
    assert bad.returncode == 2 and "未知的输出格式 odf" in bad.stderr and not (tmp_path / "bad").exists()
