"""Pages as the finishing steps see them: attributes on each page, content streams, font resources."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def push_inherited_page_attributes(pdf: Pdf) -> None:
    """Copy Resources/MediaBox/CropBox/Rotate from the page tree down to every page."""
    for page in pdf.pages:
        node = page.obj
        for key in _INHERITABLE:
            parent = node.get("/Parent")
            while key not in node and parent is not None:
                if key in parent:
                    node[key] = parent[key]
                    break
                parent = parent.get("/Parent")
    for tree_node in _page_tree_nodes(pdf):
        for key in _INHERITABLE:
            if key in tree_node:
                del tree_node[key]


def _page_tree_nodes(pdf: Pdf) -> Iterator[pikepdf.Object]:
    todo: list[pikepdf.Object] = [pdf.Root.Pages]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(kid for kid in node.get("/Kids", Array()) if kid.get("/Type") == Name.Pages)


def content_bytes(holder: pikepdf.Object) -> bytes:
    """A page's content, its streams joined."""
    contents = holder.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes()


def set_content(pdf: Pdf, holder: pikepdf.Object, data: bytes) -> None:
    """Replace the content of a page or a form XObject."""
    if isinstance(holder, Stream):  # a form XObject
        holder.write(data)
    else:
        holder.Contents = pdf.make_stream(data)


def font_dicts(pdf: Pdf) -> Iterator[pikepdf.Object]:
    """Every font dictionary listed in a page's or a form's resources, once."""
    seen: set[tuple[int, int]] = set()
    holders: list[pikepdf.Object] = [page.obj for page in pdf.pages]
    while holders:
        holder = holders.pop()
        res = holder.get("/Resources", Dictionary())
        for font in res.get("/Font", Dictionary()).values():
            if font.objgen not in seen or font.objgen == (0, 0):
                seen.add(font.objgen)
                yield font
        for xobj in res.get("/XObject", Dictionary()).values():
            if xobj.get("/Subtype") == Name.Form and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                holders.append(xobj)
