"""Doc_0/Document.xml: the common data (page box, resources, MaxUnitID), the page list and the outline."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pipeline.page import Document
from pipeline.render.ofd import xmltree
from pipeline.render.ofd.measure import mm, num


def document_xml(document: Document, page_ids: list[int], max_id: int, physical_box: str, document_res: bool) -> bytes:
    """Document.xml for the pages ``Pages/Page_k/Content.xml`` with the IDs given."""
    root = xmltree.root("Document")
    common = xmltree.sub(root, "CommonData")
    xmltree.sub(common, "MaxUnitID", text=str(max_id))
    xmltree.sub(xmltree.sub(common, "PageArea"), "PhysicalBox", text=physical_box)
    xmltree.sub(common, "PublicRes", text="PublicRes.xml")
    if document_res:
        xmltree.sub(common, "DocumentRes", text="DocumentRes.xml")
    pages = xmltree.sub(root, "Pages")
    for k, page_id in enumerate(page_ids):
        xmltree.sub(pages, "Page", {"ID": str(page_id), "BaseLoc": page_location(k)})
    has_outline = _outlines(root, document, page_ids)
    preferences = xmltree.sub(root, "VPreferences")
    if has_outline:
        xmltree.sub(preferences, "PageMode", text="UseOutlines")
    xmltree.sub(preferences, "TabDisplay", text="DocTitle")
    return xmltree.to_bytes(root)


def page_location(k: int) -> str:
    """Where page ``k`` (from 0) is, relative to Document.xml."""
    return f"Pages/Page_{k}/Content.xml"


def _outlines(root: ET.Element, document: Document, page_ids: list[int]) -> bool:
    """The bookmarks as nested OutlineElem entries (level 0 = 栏目, 1 = article), each going to its line."""
    marks = [(page, page_id, mark) for page, page_id in zip(document.pages, page_ids, strict=True) for mark in page.bookmarks]
    if not marks:
        return False
    outlines = xmltree.sub(root, "Outlines")
    parents: list[tuple[int, ET.Element]] = []  # (level, element) of the open entries
    for page, page_id, mark in marks:
        while parents and parents[-1][0] >= mark.level:
            parents.pop()
        entry = xmltree.sub(parents[-1][1] if parents else outlines, "OutlineElem", {"Title": mark.title})
        action = xmltree.sub(xmltree.sub(entry, "Actions"), "Action", {"Event": "CLICK"})
        dest = {"Type": "XYZ", "PageID": str(page_id), "Left": "0", "Top": num(mm(page.height - mark.y))}
        xmltree.sub(xmltree.sub(action, "Goto"), "Dest", dest)
        parents.append((mark.level, entry))
    return True
