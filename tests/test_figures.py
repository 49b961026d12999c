"""Photos and tables in article bodies: placement, the grid, page breaks, files, resolution, embedding."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path
from textwrap import indent

import pikepdf
import pytest
from PIL import Image as PILImage

from conftest import ROOT, body_source, jianbao, run_referee, write
from pipeline.compose.figures import Figure, check_images
from pipeline.compose.flow import assemble
from pipeline.compose.folio import folio_composer
from pipeline.compose.lines import Line
from pipeline.errors import JianbaoError
from pipeline.fonts.roles import FontSet
from pipeline.layout.templates import Layout, find_layout, load_layout
from pipeline.page import Document, Image, Info, Page
from pipeline.paginate.pages import Page as PaginatedPage
from pipeline.paginate.pages import PlacedLine, paginate
from pipeline.render.pdf.draw import draw
from pipeline.source.issue import load_issue
from pipeline.source.model import Table
from pipeline.typeset import build

INFO = Info("测试", "测试办", "测试", (), dt.date(2024, 1, 2))

EXAMPLE = ROOT / "issues" / "example-photos-tables.yaml"
HARD = "a1,a2,c1,c2,e1,e2,e3,e4,e5,p1,p2"
TEXT = "全市各级各部门坚持以群众需求为导向推动志愿服务向基层延伸向群众身边拓展"  # 34 characters, no breaks needed


@cache
def layout() -> Layout:
    return load_layout(find_layout("jianbao"))


@cache
def fonts() -> FontSet:
    return FontSet(layout())


def issue_file(folder: Path, body: str, name: str = "issue.yaml", toc: bool = True) -> Path:
    """An issue with one article whose body is ``body`` (paragraphs separated by blank lines)."""
    text = f"""\
bulletin: 测试简报
number: 1
issuer: 测试办公室
date: 2023-10-20
toc: {"true" if toc else "false"}
sections:
  - name: 工作动态
    articles:
      - title: 测试文章
        body: |
{indent(body.strip(), " " * 10)}
"""
    return write(folder, name, text)


BODY_LINE = 11  # the source line of the body's first paragraph in ``issue_file``


def photo(folder: Path, name: str, size: tuple[int, int], colour: tuple[int, int, int] = (90, 120, 160)) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    im = PILImage.new("RGB", size, colour)
    if name.endswith(".png"):
        im.save(path, "PNG")
    else:
        im.save(path, "JPEG", quality=60)
    return path


def pages_of(path: Path) -> list[PaginatedPage]:
    lay = layout()
    composed = assemble(load_issue(path), lay, fonts())
    return paginate(composed, lay, folio_composer(lay, fonts()))


def block_left(page: PaginatedPage) -> float:
    return layout().page.inner  # not mirrored in the jianbao layout


def grid_position(pl: PlacedLine) -> float:
    """Grid lines from the block top to this line's band, computed back from its baseline (an integer when on the grid)."""
    lay = layout()
    top = lay.page.height - lay.page.top
    size = pl.line.size
    return (top - pl.baseline - (lay.line_pitch - size) / 2 - lay.grid.em_ascent * size) / lay.line_pitch


def body_lines(page: PaginatedPage) -> list[PlacedLine]:
    return [pl for pl in page.lines if pl.line.kind == "body"]


# ------------------------------------------------------------------------------------------- photos
def test_photo_is_centred_at_its_width_with_the_caption_below(tmp_path: Path) -> None:
    photo(tmp_path, "p/a.jpg", (1600, 1000))
    pages = pages_of(issue_file(tmp_path, f"{TEXT}。\n\n![推进会现场](p/a.jpg 60%)\n\n{TEXT}。"))
    (page,) = [p for p in pages if p.images]
    (im,) = page.images
    bw = layout().page.block_width
    assert im.width == pytest.approx(0.6 * bw)
    assert im.height == pytest.approx(0.6 * bw * 1000 / 1600)
    assert im.x - block_left(page) == pytest.approx((bw - im.width) / 2)  # centred in the block
    (caption,) = [pl for pl in page.lines if pl.line.kind == "caption"]
    assert caption.line.text == "推进会现场"
    assert caption.baseline < im.y  # below the photo
    glyphs = caption.line.glyphs
    left = caption.x + glyphs[0].x
    right = caption.x + glyphs[-1].x + glyphs[-1].size
    assert (left + right) / 2 == pytest.approx(block_left(page) + bw / 2)  # centred too
    assert caption.line.glyphs[0].font == fonts().font_for(layout().style("caption").font, "推")


def test_full_width_photo_without_caption(tmp_path: Path) -> None:
    photo(tmp_path, "a.png", (1400, 700))
    pages = pages_of(issue_file(tmp_path, f"{TEXT}。\n\n![](a.png)"))
    (im,) = [im for p in pages for im in p.images]
    assert im.width == pytest.approx(layout().page.block_width)
    assert not [pl for p in pages for pl in p.lines if pl.line.kind == "caption"]


def test_text_after_a_photo_or_table_is_back_on_the_grid(tmp_path: Path) -> None:
    photo(tmp_path, "a.jpg", (1300, 777))  # an awkward height: not a whole number of grid lines
    table = "| 单位 | 活动场次 |\n|---|---|\n| 县法院新时代文明实践志愿服务队 | 6 |\n| 县检察院 | 8 |"
    body = f"{TEXT}。\n\n![现场](a.jpg 77%)\n\n第一段在图后。\n\n{table}\n\n第二段在表后。"
    pages = pages_of(issue_file(tmp_path, body))
    lines = [pl for p in pages for pl in body_lines(p)]
    after = [pl for pl in lines if pl.line.text in ("第一段在图后。", "第二段在表后。")]
    assert len(after) == 2
    for pl in lines:
        assert grid_position(pl) == pytest.approx(round(grid_position(pl)), abs=1e-6), pl.line.text
    (page,) = [p for p in pages if p.images]
    (im,) = page.images
    (caption,) = [pl for pl in page.lines if pl.line.kind == "caption"]
    (following,) = [pl for pl in lines if pl.line.text == "第一段在图后。"]
    above = im.y - (caption.baseline + caption.line.size * 0.88)  # photo bottom to the caption's top
    below = caption.baseline - caption.line.size * 0.12 - (following.baseline + following.line.size * 0.88)
    assert 0 < above < below  # the caption is nearer to its photo than to the text after it


def test_photo_that_does_not_fit_moves_whole_to_the_next_page(tmp_path: Path) -> None:
    photo(tmp_path, "square.jpg", (1300, 1300))
    lay = layout()
    top = lay.page.height - lay.page.top
    moved = 0
    for filler in range(3, 8):  # push the photo down over the end of page 2
        body = "\n\n".join([TEXT * 2 + "。"] * filler) + "\n\n![一张方形照片](square.jpg 60%)\n\n图后的段落。"
        pages = pages_of(issue_file(tmp_path, body, name=f"f{filler}.yaml"))
        (k,) = [i for i, p in enumerate(pages) if p.images]
        (im,) = pages[k].images
        assert im.y >= top - lay.page.block_height - 1e-6 and im.y + im.height <= top + 1e-6  # whole, inside the block
        (caption,) = [pl for pl in pages[k].lines if pl.line.kind == "caption"]
        assert caption.baseline < im.y  # the caption stays with it
        (after,) = [(i, pl) for i, p in enumerate(pages) for pl in p.lines if pl.line.text == "图后的段落。"]
        assert after[0] > k or after[1].baseline < caption.baseline  # the text goes on below it
        last_text = max(i for i, p in enumerate(pages) if any(pl.line.text.startswith(TEXT[:5]) for pl in p.lines))
        if last_text < k:  # moved: the page before was left short because the photo did not fit there
            used = max(round(grid_position(pl)) for pl in pages[last_text].lines if pl.grid_index >= 0) + 1
            need = round(grid_position(caption)) + 1  # the photo's grid lines and its caption's, from the top
            assert used < lay.grid.lines_per_page < used + need
            assert im.y + im.height > top - lay.line_pitch  # it opens its page
            moved += 1
    assert moved  # the loop did cross the page end


def test_photo_taller_than_a_page_is_scaled_down_to_fit(tmp_path: Path) -> None:
    photo(tmp_path, "long.jpg", (300, 2400))
    pages = pages_of(issue_file(tmp_path, f"{TEXT}。\n\n![长图](long.jpg)\n\n{TEXT}。"))
    lay = layout()
    (page,) = [p for p in pages if p.images]
    (im,) = page.images
    assert im.height + lay.photos.caption_gap + lay.style("caption").size <= lay.page.block_height  # room for the caption
    assert im.width / im.height == pytest.approx(300 / 2400)
    assert im.x - block_left(page) == pytest.approx((lay.page.block_width - im.width) / 2)
    caption = [pl for pl in page.lines if pl.line.kind == "caption"]
    assert caption and caption[0].baseline > lay.page.height - lay.page.top - lay.page.block_height


# ------------------------------------------------------------------------------------------- tables
def long_table(rows: int) -> str:
    head = "| 序号 | 单位 | 活动内容 |\n|--1--|--2--|--4--|"
    body = "\n".join(f"| {i} | 第{i}单位 | 开展第{i}次文明实践志愿服务活动 |" for i in range(1, rows + 1))
    return f"{head}\n{body}"


def test_long_table_continues_with_its_header_repeated(tmp_path: Path) -> None:
    pages = pages_of(issue_file(tmp_path, f"{TEXT}。\n\n{long_table(40)}\n\n表后的段落。"))
    table_pages = [p for p in pages if any(pl.line.kind == "table" for pl in p.lines)]
    assert len(table_pages) >= 2
    seen = []
    for page in table_pages:
        texts = [pl for pl in page.lines if pl.line.kind == "table"]
        top = max(pl.baseline for pl in texts)
        first_row = sorted(pl.line.text for pl in texts if pl.baseline == pytest.approx(top))
        assert first_row == sorted(["序号", "单位", "活动内容"])  # the header opens every page of the table
        seen += [pl.line.text for pl in texts if pl.line.text.startswith("第") and pl.line.text.endswith("单位")]
    assert seen == [f"第{i}单位" for i in range(1, 41)]  # every row once, in order
    for page in table_pages:  # rows are never split: every rule ends inside the block
        rules = [r for r in page.rules if r.y1 is not None]
        bottom = layout().page.height - layout().page.top - layout().page.block_height
        assert all(min(r.y, r.y1) >= bottom - 1e-6 for r in rules)


def test_a_narrow_header_cell_squeezes_its_brackets_rather_than_strand_one(tmp_path: Path) -> None:
    """「（人次）」 in a column three characters wide: its outer brackets are set half (CLREQ), never 「）」 alone."""
    table = (
        "| 县（市、区） | 实践所（站） | 志愿服务队伍（支） | 活动场次 | 服务群众（人次） |\n|--3--|--3--|--3--|--2--|--2--|\n"
    )
    table += "| 郸城县 | 544 | 420 | 412 | 36500 |"
    pages = pages_of(issue_file(tmp_path, f"{TEXT}。\n\n{table}"))
    texts = [pl.line.text for p in pages for pl in p.lines if pl.line.kind == "table"]
    assert "（人次）" in texts, texts
    assert not [t for t in texts if t[0] in "）、，。"], texts


def test_table_header_is_not_left_alone_at_a_page_foot(tmp_path: Path) -> None:
    for filler in range(8, 16):  # move the table's start over the end of the page
        body = "\n\n".join([TEXT * 2 + "。"] * filler) + "\n\n" + long_table(3)
        pages = pages_of(issue_file(tmp_path, body, name=f"t{filler}.yaml"))
        for page in pages:
            texts = [pl for pl in page.lines if pl.line.kind == "table"]
            if texts:
                assert {pl.line.text for pl in texts} - {"序号", "单位", "活动内容"}, f"header alone, filler {filler}"


def test_column_widths_from_the_separator_row(tmp_path: Path) -> None:
    body = "| 单位 | 场次 |\n|--3--|--1--|\n| 县法院 | 6 |"
    issue = load_issue(issue_file(tmp_path, body))
    (table,) = issue.sections[0].articles[0].blocks
    assert isinstance(table, Table)
    assert table.widths == pytest.approx((0.75, 0.25))
    assert table.header and table.rows[0] == ("单位", "场次")
    pages = pages_of(issue_file(tmp_path, body))
    verticals = [r for p in pages for r in p.rules if r.y1 is not None and r.x0 == r.x1]
    inner = sorted({round(r.x0, 3) for r in verticals if r.width == layout().tables.rule})
    assert inner == [pytest.approx(round(block_left(pages[0]) + 0.75 * layout().page.block_width, 3))]


@pytest.mark.parametrize(
    ("separator", "needle"),
    [("|--2--|---|", "要么每列都写"), ("|--0--|--1--|", "应大于 0"), ("|---|---|---|", "列数")],
)
def test_bad_separator_rows_are_reported_at_their_line(tmp_path: Path, separator: str, needle: str) -> None:
    body = f"| 单位 | 场次 |\n{separator}\n| 县法院 | 6 |"
    with pytest.raises(JianbaoError) as err:
        load_issue(issue_file(tmp_path, body))
    assert needle in str(err.value)
    assert err.value.where is not None and err.value.where.line == BODY_LINE + 1


def test_table_rules_are_black_and_header_is_heiti(tmp_path: Path) -> None:
    pages = pages_of(issue_file(tmp_path, "| 单位 | 场次 |\n|---|---|\n| 县法院 | 6 |"))
    rules = [r for p in pages for r in p.rules if r.y1 is not None]
    assert rules and {r.colour for r in rules} == {"black"}
    assert layout().colour("black").cmyk == (0, 0, 0, 100)
    header = [pl for p in pages for pl in p.lines if pl.line.text == "单位"]
    cell = [pl for p in pages for pl in p.lines if pl.line.text == "县法院"]
    assert header[0].line.glyphs[0].font == fonts().font_for("heiti", "单")
    assert cell[0].line.glyphs[0].font == fonts().font_for("fangsong", "县")
    assert cell[0].line.size == layout().style("table").size == 14.0  # 四号


def test_long_cell_text_wraps_inside_its_column(tmp_path: Path) -> None:
    long = "东王营乡新时代文明实践所与县法院开展结对共建，组织志愿者走进村组"
    pages = pages_of(issue_file(tmp_path, f"| 单位 | 内容 |\n|--1--|--1--|\n| 县法院 | {long} |"))
    cells = [pl for p in pages for pl in p.lines if pl.line.kind == "table" and pl.line.text not in ("单位", "内容", "县法院")]
    assert "".join(pl.line.text for pl in cells) == long
    assert len(cells) > 1
    half = block_left(pages[0]) + layout().page.block_width / 2
    for pl in cells:
        assert pl.x + pl.line.glyphs[0].x > half  # in the right-hand column
        assert pl.x + pl.line.glyphs[-1].x + pl.line.glyphs[-1].size < half + layout().page.block_width / 2
        assert pl.line.text[0] not in "，。、）"  # line-start rules hold in cells too


# ------------------------------------------------------------------------------------------- files
@pytest.mark.parametrize("path", ["../outside.jpg", "/etc/hosts", "sub/../../outside.jpg", "link.jpg"])
def test_photo_paths_may_not_leave_the_issue_folder(tmp_path: Path, path: str) -> None:
    folder = tmp_path / "issue"
    folder.mkdir()
    outside = photo(tmp_path, "outside.jpg", (100, 100))
    (folder / "link.jpg").symlink_to(outside)
    with pytest.raises(JianbaoError) as err:
        load_issue(issue_file(folder, f"{TEXT}。\n\n![图]({path})"))
    assert "之外" in err.value.message
    assert err.value.where is not None and err.value.where.line == BODY_LINE + 2


def test_missing_photo_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(JianbaoError) as err:
        load_issue(issue_file(tmp_path, f"{TEXT}。\n\n![图](photos/nope.jpg)"))
    assert "找不到图片文件" in err.value.message
    assert str(err.value).startswith(f"{tmp_path / 'issue.yaml'}:{BODY_LINE + 2}:")


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("bad.jpg", b"this is not a picture", "无法识别"),
        ("cut.jpg", None, "无法读取"),  # a JPEG cut off in the middle
        ("pic.gif", None, "GIF"),
    ],
)
def test_unreadable_photo_is_a_chinese_error_without_traceback(
    tmp_path: Path, name: str, content: bytes | None, needle: str
) -> None:
    target = tmp_path / name
    if name == "cut.jpg":
        data = io.BytesIO()
        PILImage.effect_noise((800, 600), 60).convert("RGB").save(data, "JPEG")
        content = data.getvalue()[: len(data.getvalue()) // 2]
    elif name == "pic.gif":
        PILImage.new("P", (50, 50)).save(target, "GIF")
    if content is not None:
        target.write_bytes(content)
    path = issue_file(tmp_path, f"{TEXT}。\n\n![图]({name})")
    with pytest.raises(JianbaoError) as err:
        build(path, tmp_path / "out")
    assert needle in err.value.message
    assert err.value.where is not None and err.value.where.line == BODY_LINE + 2
    assert not (tmp_path / "out" / "issue.pdf").exists()
    problems = check_images(load_issue(path), layout())
    assert [p.level for p in problems] == ["错误"] and needle in problems[0].message
    if name == "bad.jpg":  # and the command line shows it in Chinese, without a traceback
        run = jianbao("build", str(path), "-o", str(tmp_path / "out"))
        assert run.returncode != 0
        assert f"issue.yaml:{BODY_LINE + 2}:" in run.stderr and needle in run.stderr
        assert "Traceback" not in run.stderr


def test_low_resolution_photo_warns_with_file_and_line(tmp_path: Path) -> None:
    """Warnings are data the build returns (the command prints them): one for the photo enlarged too far."""
    photo(tmp_path, "small.jpg", (600, 400))
    photo(tmp_path, "fine.jpg", (600, 400), (10, 10, 10))
    body = f"{TEXT}。\n\n![小图放大](small.jpg)\n\n![小图缩小](fine.jpg 45%)"
    path = issue_file(tmp_path, body)
    (warning,) = [w for w in build(path, tmp_path / "out").warnings if "dpi" in w.message]
    assert warning.where.line == BODY_LINE + 2 and "small.jpg" in warning.message
    assert not [w for w in build(path, tmp_path / "out").warnings if "fine.jpg" in w.message]  # 217 dpi at 45 %
    assert [p.level for p in check_images(load_issue(path), layout())] == ["警告"]
    run = jianbao("build", str(path), "-o", str(tmp_path / "cli"))
    assert run.returncode == 1 and f"issue.yaml:{BODY_LINE + 2}:" in run.stderr and "small.jpg" in run.stderr


@pytest.mark.parametrize("body", ["![图\ue000说明](a.jpg)", "| 单位 | 场\ue000次 |\n|---|---|\n| 县法院 | 6 |"])
def test_characters_of_captions_and_cells_are_checked_against_the_fonts(tmp_path: Path, body: str) -> None:
    photo(tmp_path, "a.jpg", (1600, 1000))
    with pytest.raises(JianbaoError) as err:
        build(issue_file(tmp_path, f"{TEXT}。\n\n{body}"), tmp_path / "out")
    assert "U+E000" in err.value.message
    assert err.value.where is not None and err.value.where.line == BODY_LINE + 2


# ------------------------------------------------------------------------------------------- the PDF
def test_jpeg_is_embedded_byte_for_byte_and_png_losslessly(tmp_path: Path) -> None:
    jpeg = tmp_path / "a.jpg"
    PILImage.effect_noise((640, 400), 40).convert("RGB").save(jpeg, "JPEG", quality=70, progressive=True)
    png = tmp_path / "b.png"
    PILImage.new("RGBA", (500, 300), (200, 30, 30, 128)).save(png)
    pdf = build(issue_file(tmp_path, f"{TEXT}。\n\n![照片](a.jpg 50%)\n\n![图表](b.png 40%)"), tmp_path / "out").output
    with pikepdf.open(pdf) as doc:
        images = [o for o in doc.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        dct = [o for o in images if "/DCTDecode" in str(o.get("/Filter"))]
        assert len(dct) == 1
        assert [str(f) for f in pikepdf.Array(dct[0].Filter)] == ["/DCTDecode"]  # no ASCII85 or Flate around it
        assert dct[0].read_raw_bytes() == jpeg.read_bytes()
        rgba = [o for o in images if "/SMask" in o]
        assert len(rgba) == 1 and int(rgba[0].Width) == 500  # PNG alpha kept as a soft mask
        assert bytes(rgba[0].SMask.read_bytes())[:1] == bytes([128])


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_by_the_drawing_transform(tmp_path: Path, orientation: int) -> None:
    import pypdfium2 as pdfium
    from PIL import ImageOps

    im = PILImage.new("RGB", (60, 40), (255, 255, 255))
    for box, colour in (((0, 0, 30, 20), (255, 0, 0)), ((30, 0, 60, 20), (0, 200, 0)), ((0, 20, 30, 40), (0, 0, 255))):
        im.paste(colour, box)
    exif = PILImage.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "o.jpg"
    im.save(path, "JPEG", quality=95, exif=exif)
    want = ImageOps.exif_transpose(PILImage.open(path)).convert("RGB")
    w, h = want.size
    lay = layout()
    raw = draw(
        Document(
            (Page(1, lay.page.width, lay.page.height, images=(Image(str(path), 100, 400, w * 2, h * 2, orientation),)),), INFO
        )
    )
    page = pdfium.PdfDocument(raw)[0]
    shot = page.render(scale=1).to_pil().convert("RGB")
    top = lay.page.height - 400 - h * 2
    for fx, fy in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)):
        got = shot.getpixel((int(100 + fx * w * 2), int(top + fy * h * 2)))
        exp = want.getpixel((int(fx * w), int(fy * h)))
        assert all(abs(a - b) < 60 for a, b in zip(got, exp, strict=True)), (orientation, fx, fy, got, exp)


# ------------------------------------------------------------------------------------------- the sample
def test_example_issue_builds_with_photos_and_tables(tmp_path: Path) -> None:
    issue = load_issue(EXAMPLE)
    assert check_images(issue, layout()) == []  # readable, and sharp enough at their widths
    pages = pages_of(EXAMPLE)
    assert sum(len(p.images) for p in pages) == 2
    assert sum(1 for p in pages for pl in p.lines if pl.line.kind == "table" and pl.line.text == "郸城县") == 1
    flow = assemble(issue, layout(), fonts()).flow
    assert any(isinstance(i, Figure) and i.kind == "table_header" for i in flow)
    assert all(isinstance(i, Line | Figure) or not hasattr(i, "glyphs") for i in flow)
    for name in ("huiyi.jpg", "changci.png"):
        assert (ROOT / "issues" / "images" / name).stat().st_size < 100_000  # small enough for the repository


def test_referee_passes_the_example_body_text(tmp_path: Path, referee: Path) -> None:
    pdf = build(EXAMPLE, tmp_path).output
    source = body_source(EXAMPLE, tmp_path / "body.json")
    result = run_referee(referee, pdf, source, "--hang", "allow", "--line-end-punct", "full", "--hard", HARD)
    assert result.returncode == 0, result.stdout[-3000:]
