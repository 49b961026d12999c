"""The page model → the bytes of an OFD package (GB/T 33190-2016).

The parts, in the order they are stored::

    OFD.xml                          entry and DocInfo           (docinfo.py)
    Doc_0/Document.xml               page box, pages, outline    (document.py)
    Doc_0/PublicRes.xml              CMYK colour space, fonts    (resources.py, fonts.py)
    Doc_0/DocumentRes.xml            photos (if any)             (resources.py, images.py)
    Doc_0/Pages/Page_N/Content.xml   text, rules, photos         (content.py)
    Doc_0/Res/font_ID.ttf            TrueType subsets            (fonts.py, ../subset.py)
    Doc_0/Res/image_ID.jpg|png       the photo files as they are (images.py)
"""

from __future__ import annotations

from pathlib import Path

from pipeline.page import Document
from pipeline.render.ofd.content import page_content
from pipeline.render.ofd.docinfo import DOC_ROOT, doc_id, ofd_xml
from pipeline.render.ofd.document import document_xml, page_location
from pipeline.render.ofd.ids import Ids
from pipeline.render.ofd.measure import array, mm
from pipeline.render.ofd.package import zip_parts
from pipeline.render.ofd.resources import RES_FOLDER, Resources

DOC = DOC_ROOT.rsplit("/", 1)[0]


def write_ofd(document: Document) -> bytes:
    """The document as an OFD package; the same document gives the same bytes."""
    if not document.pages:
        raise ValueError("an OFD document needs at least one page")
    ids = Ids()
    res = Resources.collect(document, ids)
    page_ids = [ids.next() for _ in document.pages]
    first = document.pages[0]
    box = array((0, 0, mm(first.width), mm(first.height)))
    pages = {f"{DOC}/{page_location(k)}": page_content(page, res, ids, box) for k, page in enumerate(document.pages)}
    doc_res = res.document()
    parts = {f"{DOC}/Document.xml": document_xml(document, page_ids, ids.last, box, doc_res is not None)}
    parts[f"{DOC}/PublicRes.xml"] = res.public()
    if doc_res is not None:
        parts[f"{DOC}/DocumentRes.xml"] = doc_res
    parts.update(pages)
    parts.update({f"{DOC}/{RES_FOLDER}/{name}": data for name, data in res.files().items()})
    return zip_parts({"OFD.xml": ofd_xml(document.info, doc_id(document.info, parts)), **parts}, document.info.date)


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
