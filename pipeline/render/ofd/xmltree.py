"""XML parts in the OFD namespace, with the ``ofd:`` prefix, serialised the same way every time.

Elements are plain ``xml.etree`` elements whose tags carry the prefix literally (``ofd:Page``); the
root gets the namespace declaration. Attributes keep the order in which they are given.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

NS = "http://www.ofdspec.org/2016"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Attrs = dict[str, str]


def root(tag: str, attrs: Attrs | None = None) -> ET.Element:
    """The root element of a part, declaring the OFD namespace."""
    return ET.Element(f"ofd:{tag}", {"xmlns:ofd": NS, **(attrs or {})})


def sub(parent: ET.Element, tag: str, attrs: Attrs | None = None, text: str | None = None) -> ET.Element:
    """A child element ``ofd:tag`` with attributes and text."""
    element = ET.SubElement(parent, f"ofd:{tag}", attrs or {})
    if text is not None:
        element.text = text
    return element


def to_bytes(element: ET.Element) -> bytes:
    """The part as UTF-8 bytes with an XML declaration (no indentation: text content stays exact)."""
    return _DECLARATION + ET.tostring(element, encoding="unicode", short_empty_elements=True).encode("utf-8")
