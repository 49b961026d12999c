"""PNG pictures of a PDF's pages and a contact sheet of all pages, for proofreading without a PDF viewer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import safeio
from pipeline.errors import JianbaoError, os_reason

if TYPE_CHECKING:
    from PIL.Image import Image

SHEET_DPI = 36  # thumbnails on the contact sheet
SHEET_COLUMNS = 4
SHEET_GAP = 24
MIN_DPI, MAX_DPI = 30, 600
MAX_PDF_BYTES = 500_000_000


@dataclass(frozen=True)
class Preview:
    pages: tuple[Path, ...]  # one PNG per requested page
    sheet: Path  # all pages side by side
    page_count: int


def parse_pages(spec: str | None) -> list[int] | None:
    """``"1,3,5-7"`` → [1, 3, 5, 6, 7]; None or empty → None (every page)."""
    if spec is None or not spec.strip():
        return None
    pages: list[int] = []
    for part in re.split(r"[,，、]", spec):
        part = part.strip()
        m = re.fullmatch(r"(\d{1,4})(?:\s*[-–~]\s*(\d{1,4}))?", part)
        if not m:
            raise JianbaoError(f"页码“{part}”写法不对", hint="写作 1,3 或 2-4（从 1 开始数）")
        first, last = int(m[1]), int(m[2] or m[1])
        if first < 1 or last < first:
            raise JianbaoError(f"页码“{part}”写法不对", hint="页码从 1 开始，范围写作 2-4")
        pages += [p for p in range(first, last + 1) if p not in pages]
    return pages


def render(pdf: Path, out_dir: Path, pages: list[int] | None = None, dpi: int = 110) -> Preview:
    """Render ``pages`` (1-based; all when None) of ``pdf`` to ``out_dir`` as PNG, plus a contact sheet."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # pypdfium2 ships no type information

    if not MIN_DPI <= dpi <= MAX_DPI:
        raise JianbaoError(f"分辨率 {dpi} 超出范围", hint=f"--dpi 应在 {MIN_DPI} 到 {MAX_DPI} 之间，校对用 110 左右即可")
    try:
        data = safeio.read_bytes(pdf, MAX_PDF_BYTES)
    except OSError as exc:
        raise JianbaoError(f"无法打开 PDF 文件 {pdf}：{os_reason(exc)}") from None
    try:
        doc = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, OSError):
        raise JianbaoError(f"无法打开 PDF 文件 {pdf}", hint="请确认这是一个完整的 PDF 文件") from None
    try:
        count = len(doc)
        wanted = pages or list(range(1, count + 1))
        absent = [p for p in wanted if p > count]
        if absent:
            raise JianbaoError(f"第 {absent[0]} 页不存在（{pdf.name} 共 {count} 页）", hint=f"页码应在 1 到 {count} 之间")
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for number in wanted:
            target = out_dir / f"{pdf.stem}-p{number}.png"
            doc[number - 1].render(scale=dpi / 72).to_pil().save(target)
            written.append(target)
        thumbs = [doc[i].render(scale=SHEET_DPI / 72).to_pil().convert("RGB") for i in range(count)]
    finally:
        doc.close()
    sheet = out_dir / f"{pdf.stem}-contact.png"
    contact_sheet(thumbs).save(sheet)
    return Preview(tuple(written), sheet, count)


def contact_sheet(images: list[Image], columns: int = SHEET_COLUMNS) -> Image:
    """All page images in a grid on grey, each numbered underneath."""
    from PIL import Image, ImageDraw

    w = max(im.width for im in images)
    h = max(im.height for im in images)
    cols = min(columns, len(images))
    rows = (len(images) + cols - 1) // cols
    label = 18
    sheet = Image.new("RGB", (cols * (w + SHEET_GAP) + SHEET_GAP, rows * (h + SHEET_GAP + label) + SHEET_GAP), (200, 200, 200))
    draw = ImageDraw.Draw(sheet)
    for i, im in enumerate(images):
        x = SHEET_GAP + (i % cols) * (w + SHEET_GAP)
        y = SHEET_GAP + (i // cols) * (h + SHEET_GAP + label)
        sheet.paste(im, (x, y))
        draw.rectangle((x - 1, y - 1, x + im.width, y + im.height), outline=(120, 120, 120))
        draw.text((x + im.width // 2, y + im.height + 4), str(i + 1), fill=(40, 40, 40), anchor="mt")
    return sheet
