"""Finish the draw stage's PDF: fonts, ToUnicode, colour, boxes, metadata, PDF/A; write it atomically.

``finish()`` takes the bytes reportlab wrote and returns the delivered PDF. It is deterministic:
the same raw bytes and the same ``Info`` give byte-identical output, and the trailer /ID is
a hash of the content. Profiles: "print" (the default: Info + XMP, TrimBox, DeviceCMYK only) and
"archive" (PDF/A-2b, or PDF/A-3b with the issue file attached as its /Source).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Pdf

from pipeline.page import Info
from pipeline.render.pdf.boxes import set_boxes
from pipeline.render.pdf.colour import tag_rgb_images
from pipeline.render.pdf.metadata import set_catalog, set_info
from pipeline.render.pdf.pages import push_inherited_page_attributes
from pipeline.render.pdf.pdfa import make_pdfa
from pipeline.render.pdf.prune import check_fonts_embedded, prune_fonts
from pipeline.render.pdf.scan import Scan, scan_pages
from pipeline.render.pdf.tounicode import fix_to_unicode

PROFILES = ("print", "archive")
PDF_VERSION = "1.7"


@dataclass(frozen=True)
class FinishOptions:
    """How to finish: profile, bleed, and (archive only) the issue file to attach."""

    profile: str = "print"  # "print" | "archive"
    bleed_mm: float = 0.0  # > 0: bigger MediaBox, TrimBox = the A4 page, crop marks outside
    source_name: str | None = None  # "2023-21.yaml": archive embeds it (PDF/A-3b, /Source)
    source_bytes: bytes | None = None


def finish(raw: bytes, info: Info, options: FinishOptions) -> bytes:
    """Return the finished PDF for ``raw``, the draw stage's reportlab output."""
    _check_options(options)
    with Pdf.open(io.BytesIO(raw)) as pdf:
        push_inherited_page_attributes(pdf)
        scan = Scan()
        pages = set()
        for page, instructions in scan_pages(pdf, scan):  # a page's fonts are known once it is scanned
            prune_fonts(pdf, scan, page, instructions)
            pages.add(page.objgen)
        if scan.rgb:
            raise ValueError("DeviceRGB colour in the draw stage's PDF (use CMYK): " + "; ".join(scan.rgb))
        for holder in scan.used.keys() - pages:  # forms: once every page that invokes them is scanned
            prune_fonts(pdf, scan, pdf.get_object(holder))
        check_fonts_embedded(pdf)
        fix_to_unicode(pdf)
        tag_rgb_images(pdf)
        set_boxes(pdf, options.bleed_mm)
        set_info(pdf, info)
        part = None
        if options.profile == "archive":
            part = make_pdfa(pdf, info.date, options.source_name, options.source_bytes)
        set_catalog(pdf, info, part)
        if "/ID" in pdf.trailer:  # reportlab's invariant ID is one constant; let qpdf hash the content
            del pdf.trailer["/ID"]
        out = io.BytesIO()
        pdf.save(
            out,
            min_version=PDF_VERSION,
            fix_metadata_version=False,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            deterministic_id=True,
        )
    return out.getvalue()


def _check_options(options: FinishOptions) -> None:
    if options.profile not in PROFILES:
        raise ValueError(f"unknown PDF profile {options.profile!r}; expected one of {PROFILES}")
    if options.bleed_mm < 0:
        raise ValueError(f"bleed_mm must be >= 0, got {options.bleed_mm}")
    if (options.source_name is None) != (options.source_bytes is None):
        raise ValueError("source_name and source_bytes go together")
    if options.source_bytes is not None and options.profile != "archive":
        raise ValueError("the issue file is embedded only with profile 'archive'")
