"""``jianbao import`` with hostile and odd Word files (issue 16, points 1, 6 and 11; issue 15, point 5).

- Text with YAML's other line breaks (U+2028, U+2029, U+0085) cannot add keys to the issue file: the
  file's data after an import is exactly its data before, plus the article (checked key by key here,
  and by the import itself before it writes).
- A hypothesis property round-trips arbitrary paragraph text through ``import`` and ``build``
  (``JIANBAO_FUZZ`` examples with fresh seeds when set, as in test_robust.py).
- Zip bombs are refused from their declared sizes, a part that unpacks to more than it declares is
  caught while it is unpacked; text after an XML entity is kept; 200,000 paragraphs import in seconds;
  pictures are saved beside the issue file and referenced as ``![说明](文件名)``.
"""

from __future__ import annotations

import copy
import io
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from conftest import ROOT, SMALL_ISSUE, fuzz_settings, write
from pipeline.cli.app import app
from pipeline.source.check import fix_text
from pipeline.source.newissue import yaml_value

runner = CliRunner()


def word(path: Path, *paragraphs: str, title: str = "来稿标题") -> Path:
    d = docx.Document()
    d.add_paragraph(title, style="Title")
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(str(path))
    return path


def data(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def with_article(before: Any, section: int, title: str, body: str) -> Any:
    """``before`` with an article appended to its section number ``section``."""
    after = copy.deepcopy(before)
    after["sections"][section]["articles"].append({"title": title, "body": body})
    return after


# ---------------------------------------------------------------- 1. no YAML injection
INJECTED = "第一句。\u2028copies: 9999\u2029mark: 绝密★\u2028issuer: 冒名单位"  # U+0085 too: in the round trip below


def test_line_separators_in_word_text_cannot_add_keys(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    before = data(issue)
    source = word(tmp_path / "来稿.docx", INJECTED, title="标题\u2028copies: 1")
    result = runner.invoke(app, ["import", str(source), "--into", str(issue)])
    assert result.exit_code == 0, result.output
    assert "把文章《标题\u2028copies: 1》加到栏目“工作动态”的末尾" in result.stdout
    after = data(issue)
    assert after == with_article(before, 0, "标题\u2028copies: 1", INJECTED + "\n")
    assert set(after) == set(before)  # exactly the keys it had: no copies, mark or second issuer
    built = runner.invoke(app, ["build", str(issue), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    text = "".join(page.extract_text() or "" for page in __import__("pypdf").PdfReader(tmp_path / "out" / "a.pdf").pages)
    assert "9999" in text and "共印" not in text  # printed as body text, not as the 报尾's copies


def test_a_new_section_named_with_a_line_separator_stays_one_value(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    before = data(issue)
    section = "新栏目\u2028copies: 5"
    result = runner.invoke(app, ["import", str(word(tmp_path / "b.docx", "正文。")), "--into", str(issue), "--section", section])
    assert result.exit_code == 0, result.output
    expected = copy.deepcopy(before)
    expected["sections"].append({"name": section, "articles": [{"title": "来稿标题", "body": "正文。\n"}]})
    assert data(issue) == expected


# ---------------------------------------------------------------- the round trip, for any text
XML_TEXT = st.characters(
    blacklist_categories=("Cs",),  # no lone surrogates: not in a Word file
    blacklist_characters="".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])),  # not in XML 1.0
)
SPECIAL = st.sampled_from(
    [
        *("\u2028", "\u2029", "\x85", "\r", "\n", "\t", "\u200b", "\u200d", "\ufeff", "\u202e", "\xad", "\u2060", "\x7f", "\x9f"),
        *(
            "#",
            ": ",
            " - ",
            "|",
            "'",
            '"',
            "\\",
            "---",
            "...",
            "&",
            "*",
            "!",
            "%",
            "@",
            "`",
            "{",
            "}",
            "[",
            "]",
            " ",
            "\u3000",
            "中文",
        ),
    ]
)
CHINESE = st.sampled_from("全市新时代文明实践中心建设工作推进会召开，。、；：？！“”（）《》——……0123456789abc")  # text that prints
PARAGRAPH = st.lists(st.one_of(SPECIAL, CHINESE, XML_TEXT), min_size=1, max_size=30).map("".join)


def expected_paragraph(text: str) -> str:
    """What import makes of one plain Word paragraph: breaks and tabs removed, then check's safe fixes."""
    return fix_text(re.sub(r"[\t\r\n\v]", "", text).strip())


@fuzz_settings(50, HealthCheck.function_scoped_fixture)
@given(paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=4))
def test_any_paragraph_text_round_trips_through_import_and_build(
    tmp_path_factory: pytest.TempPathFactory, paragraphs: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("round")
    issue = write(folder, "a.yaml", SMALL_ISSUE)
    before = data(issue)
    source = word(folder / "w.docx", *paragraphs)
    meant = [p for p in map(expected_paragraph, paragraphs) if p]
    result = runner.invoke(app, ["import", str(source), "--into", str(issue)])
    if not meant:
        assert result.exit_code == 2 and "只有标题，没有正文" in result.stderr
        return
    assert result.exit_code == 0, result.output
    expected = with_article(before, 0, "来稿标题", "\n\n".join(meant) + "\n")
    assert data(issue) == expected
    built = runner.invoke(app, ["build", str(issue), "-o", str(folder / "out")])
    assert built.exit_code in (0, 1, 2), built.output  # a PDF (1: with warnings), or a clear error (a character no font has…)
    assert "内部" not in built.output and "Traceback" not in built.output
    assert (built.exit_code < 2) == (folder / "out" / "a.pdf").is_file()
    assert data(issue) == expected


@fuzz_settings(300)
@given(text=st.lists(st.one_of(SPECIAL, st.characters(blacklist_categories=("Cs",)))).map("".join))
def test_a_one_line_value_reads_back_as_written(text: str) -> None:
    """Titles and section names are written by ``yaml_value``: one line, read back exactly by both parsers."""
    value = yaml_value(text)
    assert "\n" not in value
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        assert yaml.load(f"sections:\n  - name: {value}\n", Loader=loader) == {"sections": [{"name": text}]}


# ---------------------------------------------------------------- 6. zip bombs
def docx_bytes(*paragraphs: str) -> bytes:
    buf = io.BytesIO()
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(buf)
    return buf.getvalue()


def repack(target: Path, source: bytes, extra: dict[str, bytes] | None = None, document: bytes | None = None) -> Path:
    """A .docx made from ``source``'s parts, with other parts added or its document.xml replaced."""
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = document if document is not None and info.filename == "word/document.xml" else zin.read(info)
            zout.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
        for name, body in (extra or {}).items():
            zout.writestr(name, body, zipfile.ZIP_DEFLATED)
    return target


def import_limited(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``jianbao import`` in a process that may not use more than 1 GB of memory."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, resource.RLIM_INFINITY))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "import", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env=env,
        preexec_fn=limit,
    )


@pytest.mark.skipif(os.name != "posix", reason="memory limit by setrlimit")
def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path: Path) -> None:
    bomb = repack(tmp_path / "bomb.docx", docx_bytes("正文。"), {"word/media/zeros.xml": bytes(80_000_000)})
    assert bomb.stat().st_size < 200_000
    start = time.perf_counter()
    result = import_limited("bomb.docx", cwd=tmp_path)
    assert result.returncode == 2 and time.perf_counter() - start < 20
    assert "错误：bomb.docx: Word 文件 bomb.docx 解压后有 81 MB，大小或压缩比异常，疑似“压缩炸弹”，拒绝读取" in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="memory limit by setrlimit")
def test_a_part_that_unpacks_to_more_than_it_declares_is_cut_off(tmp_path: Path) -> None:
    liar = repack(tmp_path / "liar.docx", docx_bytes("正文。"))
    lie(liar, "word/document.xml", zlib_stream(100_000_000), declared=1_000)  # 100 MB of spaces, said to be 1 KB
    result = import_limited("liar.docx", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "无法读取 Word 文件 liar.docx：文件已损坏（word/document.xml）" in result.stderr


def zlib_stream(size: int) -> bytes:
    """A raw deflate stream of ``size`` spaces (made a chunk at a time: never ``size`` bytes in memory)."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * 10_000_000
    out = [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*out, packer.flush()])


def lie(path: Path, member: str, stream: bytes, declared: int) -> None:
    """Put ``stream`` in as ``member``'s data, its headers declaring ``declared`` bytes unpacked."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    start = info.header_offset
    name_len, extra_len = struct.unpack("<HH", raw[start + 26 : start + 30])
    data_at = start + 30 + name_len + extra_len
    old = info.compress_size
    header = bytearray(raw[start:data_at])
    struct.pack_into("<III", header, 14, info.CRC, len(stream), declared)
    new = raw[:start] + bytes(header) + stream + raw[data_at + old :]
    shift = len(stream) - old
    cd = new.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", new[cd + 12 : cd + 20])
    central = bytearray(new[cd_offset + shift : cd_offset + shift + cd_size])
    at = 0
    while at < len(central):
        n, e, c = struct.unpack("<HHH", central[at + 28 : at + 34])
        name = bytes(central[at + 46 : at + 46 + n]).decode()
        offset = struct.unpack("<I", central[at + 42 : at + 46])[0]
        if name == member:
            struct.pack_into("<II", central, at + 20, len(stream), declared)
        elif offset > start:
            struct.pack_into("<I", central, at + 42, offset + shift)
        at += 46 + n + e + c
    end = bytearray(new[cd:])
    struct.pack_into("<I", end, 16, cd_offset + shift)
    path.write_bytes(new[: cd_offset + shift] + bytes(central) + bytes(end))


# ---------------------------------------------------------------- 11. entities, length
def test_text_after_an_xml_entity_is_kept(tmp_path: Path) -> None:
    source = docx_bytes("标题", "前文XYZ后文。")
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        xml = z.read("word/document.xml").decode()
    xml = xml.replace("?>", '?><!DOCTYPE w:document [<!ENTITY x "实体">]>', 1).replace("XYZ", "&x;&amp;")
    path = repack(tmp_path / "entity.docx", source, document=xml.encode())
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)[0]["body"] == "前文&后文。\n"
    assert "注意：文档中有 1 处 XML 实体（&x;）无法展开，已略去，其前后的文字都已导入" in result.stderr


def long_docx(path: Path, paragraphs: int) -> Path:
    """A Word file of ``paragraphs`` paragraphs, its XML written directly (python-docx would take minutes)."""
    source = docx_bytes("标题", "MARKER")
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        xml = z.read("word/document.xml").decode()
    start = xml.rfind("<w:p>", 0, xml.index("MARKER"))
    end = xml.index("</w:p>", xml.index("MARKER")) + len("</w:p>")
    body = "".join(
        f"<w:p><w:r><w:t>第{i}段，全市新时代文明实践中心建设工作推进会召开。</w:t></w:r></w:p>" for i in range(paragraphs)
    )
    return repack(path, source, document=(xml[:start] + body + xml[end:]).encode())


def test_two_hundred_thousand_paragraphs_import_in_seconds(tmp_path: Path) -> None:
    path = long_docx(tmp_path / "long.docx", 200_000)
    start = time.perf_counter()
    result = runner.invoke(app, ["import", str(path)])
    seconds = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("第199999段，全市新时代文明实践中心建设工作推进会召开。")
    assert seconds < 20, f"{seconds:.1f} s"  # was about 2 ms a paragraph: 400 s


def test_an_import_that_would_make_the_issue_too_big_to_load_writes_nothing(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    result = runner.invoke(app, ["import", str(long_docx(tmp_path / "long.docx", 70_000)), "--into", str(issue)])
    assert result.exit_code == 2
    assert "加入文章后期刊文件会超过 5 MB，无法再排版，没有写入" in result.stderr
    assert issue.read_text(encoding="utf-8") == SMALL_ISSUE


# ---------------------------------------------------------------- issue 15.5: pictures are kept
def picture_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("图文来稿", style="Title")
    d.add_paragraph("会议现场如下。")
    jpeg, png, gif = io.BytesIO(), io.BytesIO(), io.BytesIO()
    Image.new("RGB", (1300, 800), (200, 30, 30)).save(jpeg, "JPEG")  # sharp enough: no dpi warning
    Image.new("RGB", (1300, 1300), (30, 30, 200)).save(png, "PNG")
    Image.new("RGB", (30, 30), (30, 200, 30)).save(gif, "GIF")
    width = d.sections[0].page_width - d.sections[0].left_margin - d.sections[0].right_margin
    d.add_paragraph().add_run().add_picture(jpeg, width=width // 2)
    caption = d.add_paragraph("推进会[现场]")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph().add_run().add_picture(png, width=Cm(30))
    d.add_paragraph("图表", style="Caption")
    d.add_paragraph().add_run().add_picture(gif)
    d.add_paragraph("会议要求，抓好落实。")
    d.save(str(path))
    return path


def test_import_keeps_pictures_beside_the_issue_with_their_captions(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    source = picture_docx(tmp_path / "来稿 (1).docx")
    result = runner.invoke(app, ["import", str(source), "--into", str(issue)])
    assert result.exit_code == 0, result.output
    assert "图片存为 来稿-1-1.jpg、来稿-1-2.png" in result.stdout
    assert "文档中有 1 张图片没有导入（GIF 格式的图片）" in result.stderr
    body = data(issue)["sections"][0]["articles"][-1]["body"]
    assert body == "会议现场如下。\n\n![推进会［现场］](来稿-1-1.jpg 50%)\n\n![图表](来稿-1-2.png)\n\n会议要求，抓好落实。\n"
    assert Image.open(tmp_path / "来稿-1-1.jpg").size == (1300, 800)
    built = runner.invoke(app, ["build", str(issue), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    with pikepdf.open(tmp_path / "out" / "a.pdf") as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image]
    assert len(images) == 2

    # imported again: the same files are used, not copied; a different file keeps its name
    (tmp_path / "来稿-1-2.png").rename(tmp_path / "keep.png")
    shutil.copy(tmp_path / "来稿-1-1.jpg", tmp_path / "来稿-1-2.png")  # another picture under the next name
    again = runner.invoke(app, ["import", str(source), "--into", str(issue)])
    assert again.exit_code == 0, again.output
    assert "图片存为 来稿-1-3.png" in again.stdout
    body = data(issue)["sections"][0]["articles"][-1]["body"]
    assert "](来稿-1-1.jpg 50%)" in body and "](来稿-1-3.png)" in body
    assert (tmp_path / "来稿-1-3.png").read_bytes() == (tmp_path / "keep.png").read_bytes()


def test_import_without_into_says_the_pictures_are_left_out(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(picture_docx(tmp_path / "p.docx"))])
    assert result.exit_code == 0, result.output
    assert "# 文档中的 2 张图片没有列出：用 --into 导入时会存到期刊文件旁，并写进正文" in result.stdout
    (entry,) = yaml.safe_load(result.stdout)
    assert entry["body"] == "会议现场如下。\n\n会议要求，抓好落实。\n"
