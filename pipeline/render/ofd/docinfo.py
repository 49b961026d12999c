"""OFD.xml: the package's entry, with the document's metadata (DocInfo) and where its Document.xml is.

DocID is derived from the content (a hash of every other part and of the metadata), so the same
document gives the same DocID; CreationDate is the issue's date. The archive fields of the page
model's ``Info.custom`` (期号, 编印单位, 密级, 保管期限, …) are written as CustomData, name and value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from pipeline import __version__
from pipeline.page import Info
from pipeline.render.ofd import xmltree

DOC_ROOT = "Doc_0/Document.xml"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def doc_id(info: Info, parts: Mapping[str, bytes]) -> str:
    """32 hexadecimal digits from the metadata and every part (in name order): the same content, the same ID."""
    digest = hashlib.sha256(repr((info.title, info.author, info.subject, info.keywords, info.date, info.custom)).encode())
    for name in sorted(parts):
        data = parts[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:32]


def ofd_xml(info: Info, document_id: str) -> bytes:
    """OFD.xml with one DocBody."""
    root = xmltree.root("OFD", {"Version": "1.0", "DocType": "OFD"})
    body = xmltree.sub(root, "DocBody")
    doc = xmltree.sub(body, "DocInfo")
    xmltree.sub(doc, "DocID", text=document_id)
    for tag, value in (("Title", info.title), ("Author", info.author), ("Subject", info.subject)):
        if value:
            xmltree.sub(doc, tag, text=_clean(value))
    xmltree.sub(doc, "CreationDate", text=info.date.isoformat())
    keywords = [k for k in info.keywords if k]
    if keywords:
        element = xmltree.sub(doc, "Keywords")
        for keyword in keywords:
            xmltree.sub(element, "Keyword", text=_clean(keyword))
    xmltree.sub(doc, "Creator", text="jianbao")
    xmltree.sub(doc, "CreatorVersion", text=__version__)
    if info.custom:
        customs = xmltree.sub(doc, "CustomDatas")
        for name, value in info.custom:
            xmltree.sub(customs, "CustomData", {"Name": _clean(name)}, _clean(value))
    xmltree.sub(body, "DocRoot", text=DOC_ROOT)
    return xmltree.to_bytes(root)
