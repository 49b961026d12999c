"""The PDF writer's entry: the page model → the delivered PDF (drawn, then finished)."""

from __future__ import annotations

from pipeline.page import Document
from pipeline.render.pdf.draw import draw
from pipeline.render.pdf.finish import FinishOptions, finish
from pipeline.render.pdf.metadata import reportlab_clock_hidden


def write_pdf(document: Document, options: FinishOptions) -> bytes:
    """The document as PDF bytes: the same document and options give the same bytes."""
    with reportlab_clock_hidden():
        raw = draw(document)
    return finish(raw, document.info, options)
