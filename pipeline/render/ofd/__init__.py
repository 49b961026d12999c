"""OFD output (GB/T 33190-2016): a second writer of the page model, beside the PDF writer.

``write_ofd(document)`` turns a ``page.Document`` into the bytes of an OFD package: fonts embedded as
TrueType subsets, every glyph at the page model's position, CMYK colours, photos embedded as they
are, bookmarks as the outline, and the issue's metadata in DocInfo. It reads only the page model,
and writes with ``zipfile``, ``xml.etree`` and jianbao's own font subsetter. ``save_ofd`` writes the
package next to the PDF. See docs/ofd.md.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.page import Document
from pipeline.render.ofd.writer import write_ofd

__all__ = ["save_ofd", "write_ofd"]


def save_ofd(document: Document, path: Path) -> int:
    """Write the document as an OFD file at ``path`` (atomically, like the PDF); returns its size in bytes."""
    from pipeline.atomic import write_atomic
    from pipeline.errors import JianbaoError

    data = write_ofd(document)
    try:
        write_atomic(path, data)
    except JianbaoError as exc:  # the shared writer's message names the PDF
        raise JianbaoError(exc.message.replace("PDF 文件", "OFD 文件"), exc.where, exc.hint) from exc.__cause__
    return len(data)
