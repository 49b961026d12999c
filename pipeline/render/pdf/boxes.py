"""Page boxes: TrimBox = the drawn A4 page; with bleed, a bigger MediaBox, a BleedBox and crop marks.

With bleed the content moves by the margin, and so do annotations and explicit destinations.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from pipeline.render.pdf.pages import content_bytes, set_content
from pipeline.units import MM

SLUG_MM = 8.0  # room for crop marks, outside the bleed, on every side
MARK_GAP_MM = 2.0  # crop marks start this far outside the bleed
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25
REGISTRATION = "1 1 1 1 K"  # CMYK 100/100/100/100, as printers expect for marks


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _real(value: float) -> Decimal:
    """A PDF number with at most four decimals, so output does not depend on float repr."""
    return Decimal(_num(value))


def _box(x0: float, y0: float, x1: float, y1: float) -> Array:
    return Array([_real(v) for v in (x0, y0, x1, y1)])


def _rect(box: pikepdf.Object) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def set_boxes(pdf: Pdf, bleed_mm: float) -> None:
    """TrimBox = the drawn page; with bleed, a bigger MediaBox, BleedBox and crop marks."""
    bleed = bleed_mm * MM
    shifts: dict[tuple[int, int], tuple[float, float]] = {}
    for page in pdf.pages:
        x0, y0, x1, y1 = _rect(page.obj.MediaBox)
        if bleed <= 0:
            page.obj.MediaBox = _box(x0, y0, x1, y1)
            page.obj.TrimBox = _box(x0, y0, x1, y1)
            continue
        margin = bleed + SLUG_MM * MM
        width, height = x1 - x0, y1 - y0
        dx, dy = margin - x0, margin - y0
        shifts[page.obj.objgen] = (dx, dy)
        page.obj.MediaBox = _box(0, 0, width + 2 * margin, height + 2 * margin)
        page.obj.TrimBox = _box(margin, margin, margin + width, margin + height)
        page.obj.BleedBox = _box(margin - bleed, margin - bleed, margin + width + bleed, margin + height + bleed)
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]
        if "/ArtBox" in page.obj:
            page.obj.ArtBox = _box(*_shifted(_rect(page.obj.ArtBox), dx, dy))
        clip = (x0 - bleed, y0 - bleed, width + 2 * bleed, height + 2 * bleed)
        head = f"q 1 0 0 1 {_num(dx)} {_num(dy)} cm {' '.join(_num(v) for v in clip)} re W n\n"
        body = content_bytes(page.obj)
        marks = _crop_marks(margin, margin, margin + width, margin + height, bleed)
        set_content(pdf, page.obj, head.encode() + body + b"\nQ\n" + marks)
        for annot in page.obj.get("/Annots", Array()):
            if "/Rect" in annot:
                annot.Rect = _box(*_shifted(_rect(annot.Rect), dx, dy))
            if "/QuadPoints" in annot:
                annot.QuadPoints = Array([_real(float(v) + (dy if k % 2 else dx)) for k, v in enumerate(annot.QuadPoints)])
    if shifts:
        _shift_destinations(pdf, shifts)


def _shifted(rect: tuple[float, float, float, float], dx: float, dy: float) -> tuple[float, float, float, float]:
    return rect[0] + dx, rect[1] + dy, rect[2] + dx, rect[3] + dy


def _crop_marks(x0: float, y0: float, x1: float, y1: float, bleed: float) -> bytes:
    """Registration-black trim marks at the four corners, starting outside the bleed."""
    near, far = bleed + MARK_GAP_MM * MM, bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * MM
    lines = [f"q {_num(MARK_WIDTH_PT)} w 0 J 0 j [] 0 d {REGISTRATION}"]
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append(f"{_num(x + sx * near)} {_num(y)} m {_num(x + sx * far)} {_num(y)} l")
            lines.append(f"{_num(x)} {_num(y + sy * near)} m {_num(x)} {_num(y + sy * far)} l")
    lines.append("S Q\n")
    return "\n".join(lines).encode()


# x, y operand positions after the page in each destination type
_DEST_COORDS = {"/XYZ": "xy", "/FitH": "y", "/FitBH": "y", "/FitV": "x", "/FitBV": "x", "/FitR": "xyxy"}


def _shift_destinations(pdf: Pdf, shifts: dict[tuple[int, int], tuple[float, float]]) -> None:
    """Move explicit destinations (outlines, links, named dests) with their translated pages."""
    done: set[tuple[int, int]] = set()
    for dest in _destinations(pdf):
        if not (isinstance(dest, Array) and len(dest) >= 2 and isinstance(dest[0], Dictionary)):
            continue  # a named or a remote destination
        if dest[0].objgen not in shifts:
            continue
        if dest.is_indirect:  # an indirect destination may be shared: move it once
            if dest.objgen in done:
                continue
            done.add(dest.objgen)
        dx, dy = shifts[dest[0].objgen]
        for k, axis in enumerate(_DEST_COORDS.get(str(dest[1]), ""), start=2):
            if k < len(dest) and _is_number(dest[k]):
                dest[k] = _real(float(dest[k]) + (dx if axis == "x" else dy))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _destinations(pdf: Pdf) -> Iterator[pikepdf.Object]:
    def from_action(holder: pikepdf.Object) -> Iterator[pikepdf.Object]:
        if "/Dest" in holder:
            yield holder.Dest
        action = holder.get("/A")
        if action is not None and action.get("/S") == Name.GoTo and "/D" in action:
            yield action.D

    outlines = pdf.Root.get("/Outlines")
    todo = [outlines.First] if outlines is not None and "/First" in outlines else []
    seen: set[tuple[int, int]] = set()
    while todo:
        item = todo.pop()
        if item.objgen in seen:
            continue
        seen.add(item.objgen)
        yield from from_action(item)
        todo += [item[k] for k in ("/First", "/Next") if k in item]
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            yield from from_action(annot)
    names = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    nodes = [names] if names is not None else []
    while nodes:
        node = nodes.pop()
        nodes += list(node.get("/Kids", Array()))
        values = list(node.get("/Names", Array()))[1::2]
        yield from (v.D if isinstance(v, Dictionary) and "/D" in v else v for v in values)
    for value in pdf.Root.get("/Dests", Dictionary()).values():
        yield value.D if isinstance(value, Dictionary) and "/D" in value else value
