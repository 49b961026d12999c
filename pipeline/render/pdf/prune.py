"""Fonts in the finished PDF: only those that show text are kept, and every one is embedded."""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from pipeline.render.pdf.pages import font_dicts, set_content
from pipeline.render.pdf.scan import Instructions, Scan


def prune_fonts(pdf: Pdf, scan: Scan, holder: pikepdf.Object, instructions: Instructions | None = None) -> None:
    """Keep in a page's or form's /Font only the fonts that show text; drop Tf of the others.

    reportlab starts every page with ``BT /F1 12 Tf 14.4 TL ET`` (Helvetica, not embedded).
    ``instructions`` are the holder's, as the scan parsed them (parsed again when not given).
    """
    names = scan.used[holder.objgen]
    res = holder.get("/Resources")
    if res is None:
        return
    fonts = res.get("/Font", Dictionary())
    new_res = Dictionary({k: v for k, v in res.items() if k != "/Font"})
    kept = {n: fonts[n] for n in sorted(names) if n in fonts}
    if kept:
        new_res.Font = Dictionary(kept)
    holder.Resources = new_res
    drop = {index for index, font in scan.tf_at[holder.objgen] if font not in names}
    if drop:
        if instructions is None:
            instructions = pikepdf.parse_content_stream(holder)
        kept_instructions = [i for k, i in enumerate(instructions) if k not in drop]
        set_content(pdf, holder, pikepdf.unparse_content_stream(kept_instructions))


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
