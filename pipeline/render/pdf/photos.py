"""Photos onto the reportlab canvas, for ``draw``: JPEG files embedded byte for byte, other pictures losslessly.

A JPEG (in grey, RGB or CMYK; of a camera's MPO file, its first picture) goes into a DCTDecode stream
unchanged; ``draw`` runs inside ``raw_streams()``, so reportlab adds no ASCII85 layer. Every other
picture is decoded by Pillow and handed to reportlab in a mode it embeds as it is (``pdf_mode``):
grey, RGB or CMYK, with an alpha channel as a soft mask. 16-bit grey is scaled to 8 bits, a palette
is expanded, a transparent colour (PNG tRNS) becomes an alpha channel. The EXIF orientation is
applied by the drawing transform, never by re-encoding.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image as PILImage  # reportlab.lib.utils loads Pillow in any case
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfutils import readJPEGInfo
from reportlab.pdfgen import canvas as rl_canvas

from pipeline import safeio
from pipeline.compose.figures import MAX_IMAGE_BYTES
from pipeline.page import Image

JPEG_MODES = {"L": 1, "RGB": 3, "CMYK": 4}  # the modes whose JPEG stream a PDF shows as it is: components
PDF_MODES = ("L", "RGB", "CMYK", "LA", "RGBA")  # what reportlab embeds without converting (alpha as a soft mask)
SIXTEEN_BIT = 257  # 65535 / 255
MPO_ENTRIES = 0xB002  # the MP Entry tag of a Multi-Picture Format header

# (a, b, c, d, e, f): the displayed unit square (X, Y) = (a·u + c·v + e, b·u + d·v + f) of the
# file's unit square (u right, v up), for each EXIF orientation
_ORIENT: dict[int, tuple[int, int, int, int, int, int]] = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),  # mirrored left-right
    3: (-1, 0, 0, -1, 1, 1),  # turned 180°
    4: (1, 0, 0, -1, 0, 1),  # mirrored top-bottom
    5: (0, -1, -1, 0, 1, 1),  # transposed
    6: (0, -1, 1, 0, 0, 1),  # to be turned 90° clockwise
    7: (0, 1, 1, 0, 0, 0),  # transversed
    8: (0, 1, -1, 0, 1, 0),  # to be turned 90° counter-clockwise
}


class _JpegBytes(ImageReader):
    """A JPEG stream for reportlab to embed as it is, named by a hash of its bytes.

    reportlab names an image XObject after ``getRGBData()``: decoding the whole photo only to name
    it would cost more than the rest of the build, and the hash names it as well (the same photo from
    another folder gives the same PDF). ``ImageReader.__init__`` is not run: nothing here is decoded.
    """

    def __init__(self, data: bytes):
        self.data = data
        self._dataA = None  # no soft mask
        self._digest = hashlib.sha256(data).digest()

    def jpeg_fh(self) -> io.BytesIO:  # type: ignore[override]  # reportlab's own returns a file for a JPEG too
        return io.BytesIO(self.data)

    def getRGBData(self) -> bytes:
        return self._digest


@contextmanager
def raw_streams() -> Iterator[None]:
    """Streams without reportlab's ASCII85 layer (the finish stage keeps only Flate anyway)."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def first_jpeg(im: PILImage.Image, data: bytes) -> bytes | None:
    """The JPEG stream to embed for a JPEG or MPO file, or None when it must be decoded instead.

    An MPO file (a camera's JPEG with a second picture appended) gives its first picture's bytes.
    None for a mode a PDF cannot show from the stream as it is, or a stream whose size or number of
    components reportlab would read otherwise than Pillow.
    """
    if im.format == "MPO":
        entries = getattr(im, "mpinfo", {}).get(MPO_ENTRIES) or [{}]
        size = entries[0].get("Size", 0)
        if not 0 < size <= len(data) or data[size - 2 : size] != b"\xff\xd9":
            return None
        data = data[:size]
    elif im.format != "JPEG":
        return None
    if im.mode not in JPEG_MODES:
        return None
    try:
        width, height, components, _ = readJPEGInfo(io.BytesIO(data))  # type: ignore[misc]  # stubs say None
    except Exception:  # reportlab's reader gives up on a marker it does not know
        return None
    return data if (width, height, components) == (*im.size, JPEG_MODES[im.mode]) else None


def pdf_mode(im: PILImage.Image) -> PILImage.Image:
    """The picture in one of ``PDF_MODES``, the same to the eye; a transparent colour becomes alpha."""
    im.load()
    if im.mode.startswith("I"):  # 16-bit grey (PNG): scaled to 8 bits, not clipped at 255
        alpha = im.convert("LA").getchannel("A") if "transparency" in im.info else None
        grey = im.convert("I").point(lambda v: v / SIXTEEN_BIT).convert("L")
        if alpha is not None:
            grey.putalpha(alpha)
        return grey
    if im.mode in ("1", "L", "RGB") and "transparency" in im.info:
        return im.convert("LA" if im.mode != "RGB" else "RGBA")
    if im.mode in ("P", "PA"):
        return im.convert("RGBA" if im.mode == "PA" or "transparency" in im.info else "RGB")
    if im.mode == "1":
        return im.convert("L")
    return im if im.mode in PDF_MODES else im.convert("RGBA" if "A" in im.getbands() else "RGB")


def photo_source(path: str) -> ImageReader:
    """The photo file as reportlab should embed it: a JPEG's own bytes, or the decoded picture in a PDF mode."""
    data = safeio.read_bytes(path, MAX_IMAGE_BYTES)
    with warnings.catch_warnings(), PILImage.open(io.BytesIO(data)) as im:
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)  # figures.read_image let it through
        jpeg = first_jpeg(im, data)
        if jpeg is not None:
            return _JpegBytes(jpeg)
        picture = pdf_mode(im)
        picture = im.copy() if picture is im else picture  # closing the file's image frees its pixels
    picture.info.pop("transparency", None)
    return ImageReader(picture)


def draw_photo(c: rl_canvas.Canvas, im: Image) -> None:
    """Draw one photo file into its box, turned as its EXIF orientation says."""
    a, b, cc, d, e, f = _ORIENT.get(im.orientation, _ORIENT[1])
    w, h = im.width, im.height
    c.saveState()
    c.transform(w * a, h * b, w * cc, h * d, im.x + w * e, im.y + h * f)
    c.drawImage(photo_source(im.path), 0, 0, 1, 1, mask="auto" if im.mask else None)
    c.restoreState()
