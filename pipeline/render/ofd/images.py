"""Photos as OFD multimedia resources: the files embedded as they are, turned by the object's CTM.

A JPEG file is embedded byte for byte and a PNG file as PNG (its transparency kept by the format
itself). The same file drawn twice is one resource. OFD maps an image onto the unit square of its
object space, with (0, 0) at the image's top-left corner and y growing downwards; the CTM scales that
square to the box and applies the EXIF orientation, so no pixel is re-encoded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pipeline import safeio
from pipeline.compose.figures import MAX_IMAGE_BYTES
from pipeline.errors import JianbaoError, Location, os_reason
from pipeline.page import Image
from pipeline.render.ofd import xmltree

_FORMATS = ((b"\xff\xd8\xff", "JPEG", "jpg"), (b"\x89PNG\r\n\x1a\n", "PNG", "png"))

# The displayed unit square (X, Y) = (a·u + c·v + e, b·u + d·v + f) of the file's unit square, both
# with the origin at the top left and y downwards, for each EXIF orientation (1 = as stored).
ORIENT: dict[int, tuple[int, int, int, int, int, int]] = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),  # mirrored left-right
    3: (-1, 0, 0, -1, 1, 1),  # turned 180°
    4: (1, 0, 0, -1, 0, 1),  # mirrored top-bottom
    5: (0, 1, 1, 0, 0, 0),  # transposed
    6: (0, 1, -1, 0, 1, 0),  # to be turned 90° clockwise
    7: (0, -1, -1, 0, 1, 1),  # transversed
    8: (0, -1, 1, 0, 0, 1),  # to be turned 90° counter-clockwise
}


@dataclass(frozen=True)
class ImageFile:
    """One embedded picture file."""

    id: int
    data: bytes
    format: str  # JPEG | PNG
    extension: str

    @property
    def file_name(self) -> str:
        return f"image_{self.id}.{self.extension}"

    def element(self, parent: ET.Element) -> None:
        """The ``MultiMedia`` entry of the document resources."""
        media = xmltree.sub(parent, "MultiMedia", {"ID": str(self.id), "Type": "Image", "Format": self.format})
        xmltree.sub(media, "MediaFile", text=self.file_name)


def read_image(path: str, image_id: int) -> ImageFile:
    """The picture file at ``path``, checked to be a JPEG or PNG file."""
    try:
        data = safeio.read_bytes(path, MAX_IMAGE_BYTES)
    except OSError as exc:
        raise JianbaoError(f"无法读取图片文件 {Path(path).name}：{os_reason(exc)}", Location(path)) from None
    for magic, fmt, extension in _FORMATS:
        if data.startswith(magic):
            return ImageFile(image_id, data, fmt, extension)
    raise JianbaoError(f"图片 {Path(path).name} 不是 JPEG 或 PNG 文件，无法写入 OFD", Location(path))


def ctm(image: Image, width: float, height: float) -> tuple[float, float, float, float, float, float]:
    """The CTM that draws the picture into a box ``width`` × ``height`` (mm), turned as its EXIF says."""
    a, b, c, d, e, f = ORIENT.get(image.orientation, ORIENT[1])
    return (a * width, b * height, c * width, d * height, e * width, f * height)
