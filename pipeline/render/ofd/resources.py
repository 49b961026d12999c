"""The document's resources: the CMYK colour space and the fonts (PublicRes.xml), the photos (DocumentRes.xml).

Each resource gets its ID before any page is written, in the order of first use, so that the same
document always numbers them alike.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from pipeline.page import Colour, Document, FontRef
from pipeline.render.ofd import xmltree
from pipeline.render.ofd.fonts import FontSubset
from pipeline.render.ofd.ids import Ids
from pipeline.render.ofd.images import ImageFile, read_image
from pipeline.render.ofd.measure import array

RES_FOLDER = "Res"  # BaseLoc of both resource files: the font and picture files live in Doc_0/Res/


@dataclass
class Resources:
    colour_space: int
    fonts: dict[FontRef, FontSubset] = field(default_factory=dict)
    images: dict[str, ImageFile] = field(default_factory=dict)  # by path

    @classmethod
    def collect(cls, document: Document, ids: Ids) -> Resources:
        res = cls(ids.next())
        for ref in document.fonts():
            res.fonts[ref] = FontSubset(ref, ids.next())
        for page in document.pages:
            for image in page.images:
                if image.path not in res.images:
                    res.images[image.path] = read_image(image.path, ids.next())
        return res

    def colour(self, parent: ET.Element, tag: str, colour: Colour) -> None:
        """A FillColor or StrokeColor element: the CMYK values on 0–255 (a spot colour as its CMYK alternate)."""
        values = (round(min(max(v, 0.0), 1.0) * 255) for v in colour.cmyk)
        xmltree.sub(parent, tag, {"ColorSpace": str(self.colour_space), "Value": array(values)})

    def public(self) -> bytes:
        """PublicRes.xml: the colour space and the fonts that draw something (after the pages are written)."""
        root = xmltree.root("Res", {"BaseLoc": RES_FOLDER})
        spaces = xmltree.sub(root, "ColorSpaces")
        xmltree.sub(spaces, "ColorSpace", {"ID": str(self.colour_space), "Type": "CMYK", "BitsPerComponent": "8"})
        used = [font for font in self.fonts.values() if font.gids]
        if used:
            fonts = xmltree.sub(root, "Fonts")
            for font in used:
                font.element(fonts)
        return xmltree.to_bytes(root)

    def document(self) -> bytes | None:
        """DocumentRes.xml: the photos as multimedia, or None when the document has none."""
        if not self.images:
            return None
        root = xmltree.root("Res", {"BaseLoc": RES_FOLDER})
        media = xmltree.sub(root, "MultiMedias")
        for image in self.images.values():
            image.element(media)
        return xmltree.to_bytes(root)

    def files(self) -> dict[str, bytes]:
        """The font subsets and picture files, by name inside the resource folder (after the pages are written)."""
        out = {font.file_name: font.program() for font in self.fonts.values() if font.gids}
        out.update({image.file_name: image.data for image in self.images.values()})
        return out
