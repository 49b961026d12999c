"""One pass over every content stream: which fonts show text, and where DeviceRGB is used.

Each content stream is parsed once: the scan keeps, for the holder being scanned, its instructions and
where it sets fonts, so that ``fonts.prune_fonts`` can drop the unused ``Tf`` without parsing again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Dictionary, Name, Pdf

_SHOW_OPS = frozenset({"Tj", "TJ", "'", '"'})
_RGB_OPS = frozenset({"rg", "RG"})
_RGB_NAMES = frozenset({"/DeviceRGB", "/RGB"})
_SCANNED = frozenset({"q", "Q", "Tf", "cs", "CS", "Do", "INLINE IMAGE", *_SHOW_OPS, *_RGB_OPS})  # the rest move nothing here


Instructions = list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage]


@dataclass
class Scan:
    """What one pass over every content stream found."""

    used: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # holder objgen -> font names
    set_fonts: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # holder objgen -> Tf names
    rgb: list[str] = field(default_factory=list)  # where DeviceRGB is used, for the error message
    done: dict[tuple[tuple[int, int], str | None], bool] = field(default_factory=dict)  # scanned forms
    tf_at: dict[tuple[int, int], list[tuple[int, str]]] = field(default_factory=dict)  # holder -> (index, font) of each Tf


def scan_pages(pdf: Pdf, scan: Scan) -> Iterator[tuple[pikepdf.Object, Instructions]]:
    """Scan every page and the forms it invokes; yield each page once it is scanned, with its parsed instructions."""
    for number, page in enumerate(pdf.pages, start=1):
        instructions: Instructions = []
        _scan_holder(page.obj, page.obj.get("/Resources", Dictionary()), None, scan, f"page {number}", instructions)
        yield page.obj, instructions


def _scan_holder(
    holder: pikepdf.Object,
    resources: pikepdf.Object,
    start_font: str | None,
    scan: Scan,
    where: str,
    keep: Instructions | None = None,
) -> bool:
    """Scan a page or form; record the font names it shows text with. True if it shows text with
    the font current when it was invoked (a form that sets no font of its own). The parsed
    instructions are added to ``keep`` when it is given."""
    key = (holder.objgen, start_font)
    if key in scan.done:
        return scan.done[key]
    scan.done[key] = False  # a form that invokes itself
    used = scan.used.setdefault(holder.objgen, set())
    set_fonts = scan.set_fonts.setdefault(holder.objgen, set())
    tf_at: list[tuple[int, str]] = []
    xobjects = resources.get("/XObject", Dictionary())
    font, inherited = start_font, False
    stack: list[str | None] = []
    instructions = pikepdf.parse_content_stream(holder)
    for index, instruction in enumerate(instructions):
        op = str(instruction.operator)
        if op not in _SCANNED:
            continue
        operands = instruction.operands
        if op == "q":
            stack.append(font)
        elif op == "Q":
            font = stack.pop() if stack else font
        elif op == "Tf" and operands:
            font = str(operands[0])
            set_fonts.add(font)
            tf_at.append((index, font))
        elif op in _SHOW_OPS:
            if font is None:
                inherited = True
            else:
                used.add(font)
        elif op in _RGB_OPS or (op in ("cs", "CS") and operands and str(operands[0]) in _RGB_NAMES):
            scan.rgb.append(f"{where}: operator {op}")
        elif isinstance(instruction, pikepdf.ContentStreamInlineImage):
            colour = instruction.iimage.obj.get("/CS", instruction.iimage.obj.get("/ColorSpace"))
            if colour is not None and str(colour) in _RGB_NAMES:
                scan.rgb.append(f"{where}: inline RGB image")
        elif op == "Do" and operands:
            form = xobjects.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == Name.Form:
                own = form.get("/Resources")
                if own is None:  # an old-style form that uses the caller's resources
                    shows = _scan_holder(form, resources, font, scan, where)
                    used |= scan.used[form.objgen] | scan.set_fonts[form.objgen]  # its Tf names are ours
                else:
                    shows = _scan_holder(form, own, None, scan, where)
                if shows:
                    if font is None:
                        inherited = True
                    else:
                        used.add(font)
    scan.done[key] = inherited
    scan.tf_at[holder.objgen] = tf_at
    if keep is not None:
        keep += instructions
    return inherited
