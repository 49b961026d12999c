"""A contributor's Word article (.docx) read: its title, paragraphs, headings, tables and pictures.

The title is the paragraph in the Title style, or else the first paragraph; bold runs become
``**…**``; Heading 1 and Heading 2 paragraphs become the in-body headings 一、 and （一） (numbered
when the writer did not number them); tables become pipe tables; JPEG and PNG pictures are kept with
their caption (the paragraph after the picture when it is in the Caption style or a short centred
line). The safe text fixes of ``check`` are applied.

A .docx is a zip package: its declared sizes are checked before anything is unpacked, and every part
is unpacked with a cap (a zip bomb is refused, not inflated). The document is walked once, with the
style names looked up in a table made once, so a long document costs time in proportion to its length.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipeline import safeio
from pipeline.errors import JianbaoError, Location, os_reason
from pipeline.source.check import fix_text
from pipeline.source.rules import heading_level

if TYPE_CHECKING:
    from docx.document import Document


CN_DIGITS = "零一二三四五六七八九"

MAX_DOCX_BYTES = 100_000_000  # the .docx file itself
MAX_UNZIPPED_BYTES = 300_000_000  # all its parts unpacked
MAX_PART_RATIO = 200  # unpacked : packed, for a part above RATIO_FLOOR (Word's XML packs 5-40 : 1, a zip bomb 1000 : 1)
RATIO_FLOOR = 1_000_000
MAX_PARTS = 10_000
CHUNK = 1 << 20
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there, as the issue loader reads
MANUAL_HINT = "请不带 --into 运行，把打印出的内容手工粘贴进去"
MAX_CAPTION = 60  # characters: a longer centred line after a picture is body text, not its caption

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RUN_HOLDERS = {W + t for t in ("hyperlink", "ins", "smartTag", "fldSimple", "sdt", "sdtContent", "customXml", "moveTo")}
RUN_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
OFF = ("0", "false", "off")
PICTURE_EXT = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png"}
SAFE_NAME = re.compile(r"[\s()\[\]]+")  # not in an image path of the issue format


@dataclass(frozen=True)
class Picture:
    """A picture of the document: its file's bytes, extension, caption and width (percent of the text width)."""

    data: bytes = field(repr=False)
    ext: str
    caption: str = ""
    width: int | None = None


@dataclass(frozen=True)
class ImportedArticle:
    title: str
    paragraphs: tuple[str | Picture, ...]  # body paragraphs, pipe tables and pictures, in order
    notes: tuple[str, ...]  # things the clerk should know (pictures left out, text fixed)
    source: str = "图片"  # names the picture files: <source>-1.jpg …

    @property
    def pictures(self) -> tuple[Picture, ...]:
        return tuple(p for p in self.paragraphs if isinstance(p, Picture))


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if n < 10:
        return CN_DIGITS[n]
    tens, units = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[units] if units else "")


# ---------------------------------------------------------------- the package
def _unpacked_sizes(path: Path, data: bytes) -> None:
    """Refuse a zip whose parts would unpack to too much: declared sizes first, then each part unpacked with a cap."""
    where = Location(str(path))
    hint = "请在 Word 中打开并另存为 .docx 后再导入；如果文件来历不明，请不要打开"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: python-docx says so below
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        bomb = len(infos) > MAX_PARTS or total > MAX_UNZIPPED_BYTES
        bomb = bomb or any(i.file_size > RATIO_FLOOR and i.file_size > MAX_PART_RATIO * max(1, i.compress_size) for i in infos)
        if bomb:
            message = f"Word 文件 {path.name} 解压后有 {safeio.size_text(total)}，大小或压缩比异常，疑似“压缩炸弹”，拒绝读取"
            raise JianbaoError(message, where, hint)
        for info in infos:
            left = info.file_size  # a part that unpacks to more than it declares is cut here and fails its CRC
            try:
                with archive.open(info) as part:
                    while chunk := part.read(min(CHUNK, left + 1)):
                        left -= len(chunk)
                        if left < 0:
                            raise zipfile.BadZipFile(info.filename)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
                raise JianbaoError(f"无法读取 Word 文件 {path.name}：文件已损坏（{info.filename}）", where, hint) from None


def _open_document(path: Path) -> Document:
    import docx

    try:
        data = safeio.read_bytes(path, MAX_DOCX_BYTES)
    except OSError as exc:
        raise JianbaoError(f"无法读取 Word 文件 {path.name}：{os_reason(exc)}", Location(str(path))) from None
    _unpacked_sizes(path, data)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises BadZipFile, KeyError, ValueError… for a file that is not a .docx package
        raise JianbaoError(
            f"无法读取 Word 文件 {path.name}：不是有效的 Word 文件（.docx）",
            Location(str(path)),
            "请确认这是 .docx 文件（旧的 .doc 请先另存为 .docx）",
        ) from None


# ---------------------------------------------------------------- the document's text
class _Reader:
    """One pass over the document body: paragraphs, tables and pictures as blocks."""

    def __init__(self, document: Document):
        from docx.enum.style import WD_STYLE_TYPE
        from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

        self.entity = etree.Entity  # the tag of an entity reference node
        self.document = document
        styles = list(document.styles)
        self.style_names = {s.style_id: s.name or "" for s in styles}
        self.bold_styles = {s.style_id for s in styles if s.type == WD_STYLE_TYPE.CHARACTER and s.font.bold}
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self.default_style = default.name or "" if default is not None else ""
        char_default = document.styles.default(WD_STYLE_TYPE.CHARACTER)
        self.default_bold = char_default is not None and bool(char_default.font.bold)
        self.parts = document.part.related_parts
        self.text_width = _text_width(document)
        self.entities: list[str] = []
        self.skipped: list[str] = []  # why pictures were left out

    def blocks(self) -> Iterator[tuple[str, str | Picture]]:
        """(kind, content): kind is title, h1, h2, p, table or picture; empty paragraphs left out."""
        tables = iter(self.document.tables)
        body = self.document.element.body
        pending: list[Picture] = []  # pictures of the paragraph before, waiting for a caption
        for child in body.iterchildren():
            if child.tag == W + "tbl":
                yield from self._flush(pending)
                rows = _table(next(tables), self)
                if rows:
                    yield "table", rows
            elif child.tag == W + "p":
                style = self._style(child)
                kind = "title" if style == "Title" else {"Heading 1": "h1", "Heading 2": "h2"}.get(style, "p")
                text = self.marked(child) if kind == "p" else _clean(self.text(child)).strip()
                if pending and len(pending) == 1 and text and self._is_caption(child, style, text):
                    yield "picture", Picture(pending[0].data, pending[0].ext, text.replace("**", ""), pending[0].width)
                    pending.clear()
                    continue
                yield from self._flush(pending)
                if text:
                    yield kind, text
                pending.extend(self._pictures(child))
        yield from self._flush(pending)

    @staticmethod
    def _flush(pending: list[Picture]) -> Iterator[tuple[str, Picture]]:
        for picture in pending:
            yield "picture", picture
        pending.clear()

    def _style(self, p: Any) -> str:
        ppr = p.find(W + "pPr")
        ref = ppr.find(W + "pStyle") if ppr is not None else None
        if ref is None:
            return self.default_style
        return self.style_names.get(ref.get(W + "val"), self.default_style)

    def _is_caption(self, p: Any, style: str, text: str) -> bool:
        """The Caption style (题注), or a short centred line."""
        if style in ("Caption", "题注"):
            return True
        ppr = p.find(W + "pPr")
        jc = ppr.find(W + "jc") if ppr is not None else None
        return jc is not None and jc.get(W + "val") == "center" and len(text) <= MAX_CAPTION

    def runs(self, element: Any) -> Iterator[Any]:
        """The runs of a paragraph in reading order, inside hyperlinks, insertions and content controls too."""
        for child in element.iterchildren():
            if child.tag == W + "r":
                yield child
            elif child.tag in RUN_HOLDERS:
                yield from self.runs(child)

    def run_text(self, r: Any) -> str:
        """A run's text; an XML entity the document declares is not expanded, but the text after it is kept."""
        out = []
        for child in r.iterchildren():
            if child.tag == W + "t":
                out.append(child.text or "")
                for inner in child:  # only an entity reference (or a stray element) sits inside w:t
                    if inner.tag is self.entity:
                        self.entities.append(inner.text)
                    out.append(inner.tail or "")
            else:
                out.append(RUN_TEXT.get(child.tag, ""))
        return "".join(out)

    def text(self, p: Any) -> str:
        return "".join(self.run_text(r) for r in self.runs(p))

    def bold(self, r: Any) -> bool:
        rpr = r.find(W + "rPr")
        b = rpr.find(W + "b") if rpr is not None else None
        if b is not None:
            return b.get(W + "val", "true").lower() not in OFF
        ref = rpr.find(W + "rStyle") if rpr is not None else None
        return ref.get(W + "val") in self.bold_styles if ref is not None else self.default_bold

    def marked(self, p: Any) -> str:
        """The paragraph's text with bold stretches marked ``**…**``."""
        pieces: list[tuple[bool, str]] = []
        for run in self.runs(p):
            text = _clean(self.run_text(run))
            if not text:
                continue
            bold = self.bold(run)
            if pieces and pieces[-1][0] == bold:
                pieces[-1] = (bold, pieces[-1][1] + text)
            else:
                pieces.append((bold, text))
        out = []
        for bold, text in pieces:
            core = text.strip()
            if bold and core:
                lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
                out.append(f"{lead}**{core}**{trail}")
            else:
                out.append(text)
        return "".join(out).strip()

    def _pictures(self, p: Any) -> list[Picture]:
        """The JPEG and PNG pictures a paragraph shows; others are counted in ``skipped``."""
        found = []
        for blip in p.iter(A_BLIP, V_IMAGEDATA):
            rid = blip.get(R + "embed") or blip.get(R + "id")
            part = self.parts.get(rid) if rid else None
            if part is None:
                self.skipped.append("链接到文档以外的图片")
                continue
            data = part.blob
            fmt = _picture_format(data)
            if fmt not in PICTURE_EXT:
                self.skipped.append(f"{'无法识别的' if fmt == '?' else fmt + ' '}格式的图片")
                continue
            found.append(Picture(data, PICTURE_EXT[fmt], "", self._width(blip)))
        return found

    def _width(self, blip: Any) -> int | None:
        """The picture's width as Word shows it, in percent of the text width (None for the full width)."""
        drawing = next((a for a in blip.iterancestors() if a.tag in (W + "drawing", W + "pict")), None)
        extent = next(drawing.iter(WP_EXTENT), None) if drawing is not None else None
        try:
            cx = int(extent.get("cx")) if extent is not None else 0
        except (TypeError, ValueError):
            return None
        if cx <= 0 or not self.text_width:
            return None
        percent = round(cx * 100 / self.text_width)
        return max(1, percent) if percent < 100 else None


def _text_width(document: Document) -> int | None:
    """The first section's text width in EMU (page width less the margins), None when Word left it unset."""
    if not len(document.sections):
        return None
    section = document.sections[0]
    page, left, right = section.page_width, section.left_margin, section.right_margin
    return page - left - right if page is not None and left is not None and right is not None else None


def _picture_format(data: bytes) -> str:
    """Pillow's name for the format of a picture file's bytes ("?" when it does not know it)."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as im:
            return im.format or "?"
    except Exception:  # Pillow raises many kinds for what it cannot identify
        return "?"


def read_docx(path: Path) -> ImportedArticle:
    """Read a .docx file into a title and body paragraphs (and pictures) in the issue format's markup."""
    if path.suffix.lower() == ".doc":
        raise JianbaoError(f"{path.name} 是旧的 .doc 格式", Location(str(path)), "请在 Word 中“另存为” .docx 后再导入")
    reader = _Reader(_open_document(path))
    blocks = list(reader.blocks())
    notes = []
    if reader.entities:
        names = "、".join(sorted(set(reader.entities))[:3])
        notes.append(f"文档中有 {len(reader.entities)} 处 XML 实体（{names}）无法展开，已略去，其前后的文字都已导入")
    if reader.skipped:
        notes.append(
            f"文档中有 {len(reader.skipped)} 张图片没有导入（{'、'.join(sorted(set(reader.skipped)))}）："
            "请另存为 JPEG 或 PNG，放在期刊文件旁，在正文中写 ![说明](图片文件名)"
        )
    return _article(path, blocks, notes)


def _article(path: Path, blocks: list[tuple[str, str | Picture]], notes: list[str]) -> ImportedArticle:
    texts = [(i, kind, b) for i, (kind, b) in enumerate(blocks) if isinstance(b, str)]
    if not texts:
        raise JianbaoError(f"{path.name} 里没有文字", Location(str(path)))
    titled = next((i for i, kind, _ in texts if kind == "title"), texts[0][0])
    title = str(blocks[titled][1]).replace("**", "")
    paragraphs: list[str | Picture] = []
    h1 = h2 = 0
    changed = 0
    for i, (kind, block) in enumerate(blocks):
        if i == titled:
            continue
        if isinstance(block, Picture):
            caption = fix_text(block.caption)
            changed += caption != block.caption
            paragraphs.append(Picture(block.data, block.ext, caption, block.width))
            continue
        text = block
        if kind == "h1":
            h1, h2 = h1 + 1, 0
            text = text if heading_level(text) else f"{chinese_number(h1)}、{text}"
        elif kind == "h2":
            h2 += 1
            text = text if heading_level(text) else f"（{chinese_number(h2)}）{text}"
        fixed = text if kind == "table" else fix_text(text)
        changed += fixed != text
        if fixed:  # not a paragraph of zero-width characters only
            paragraphs.append(fixed)
    if not paragraphs:
        raise JianbaoError(f"{path.name} 只有标题，没有正文", Location(str(path)))
    fixed_title = fix_text(title)
    changed += fixed_title != title
    if changed:
        notes.insert(0, f"已在 {changed} 段中把半角标点、直引号、全角数字、多余空格等改为规范写法")
    source = SAFE_NAME.sub("-", path.stem).strip("-.") or "图片"
    return ImportedArticle(fixed_title, tuple(paragraphs), tuple(notes), source)


def _clean(text: str) -> str:
    return re.sub(r"[\t\r\n\v]", "", text)


def _table(table: Any, reader: _Reader) -> str:
    reader.skipped += ["表格中的图片" for _ in table._tbl.iter(A_BLIP, V_IMAGEDATA)]
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = "".join(reader.text(p) for p in cell._tc.iter(W + "p"))
            cells.append(_clean(text).strip().replace("|", "｜") or " ")
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return ""
    width = len(table.rows[0].cells)
    return "\n".join([rows[0], "|" + "---|" * width, *rows[1:]])
