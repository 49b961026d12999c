"""Fonts in the finished PDF: only those that show text are kept, and every one is embedded."""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from .pages import font_dicts, set_content
from .scan import Scan


def prune_fonts(pdf: Pdf, scan: Scan) -> None:
    """Keep in each page's and form's /Font only the fonts that show text; drop Tf of the others.

    reportlab starts every page with ``BT /F1 12 Tf 14.4 TL ET`` (Helvetica, not embedded).
    """
    for holder_id, names in scan.used.items():
        holder = pdf.get_object(holder_id)
        res = holder.get("/Resources")
        if res is None:
            continue
        fonts = res.get("/Font", Dictionary())
        new_res = Dictionary({k: v for k, v in res.items() if k != "/Font"})
        kept = {n: fonts[n] for n in sorted(names) if n in fonts}
        if kept:
            new_res.Font = Dictionary(kept)
        holder.Resources = new_res
        if scan.set_fonts[holder_id] - names:
            _drop_tf(pdf, holder, names)


def _drop_tf(pdf: Pdf, holder: pikepdf.Object, keep: set[str]) -> None:
    instructions = [
        i
        for i in pikepdf.parse_content_stream(holder)
        if not (str(i.operator) == "Tf" and i.operands and str(i.operands[0]) not in keep)
    ]
    set_content(pdf, holder, pikepdf.unparse_content_stream(instructions))


def check_fonts_embedded(pdf: Pdf) -> None:
    """Raise ValueError naming the fonts that show text but are not embedded."""
    missing = sorted({str(f.get("/BaseFont", "?")) for f in font_dicts(pdf) if not _is_embedded(f)})
    if missing:
        raise ValueError(f"text drawn in fonts that are not embedded: {', '.join(missing)}")


def _is_embedded(font: pikepdf.Object) -> bool:
    subtype = font.get("/Subtype")
    if subtype == Name.Type3:
        return True
    if subtype == Name.Type0:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor", Dictionary())
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
