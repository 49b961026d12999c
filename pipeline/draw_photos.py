"""Photos onto the reportlab canvas, for ``draw``: JPEG files embedded byte for byte, PNG losslessly.

reportlab copies a JPEG file into a DCTDecode stream unchanged, but wraps it in ASCII85 unless
``rl_config.useA85`` is off; ``draw`` runs inside ``raw_streams()``, so the stream holds the file's
own bytes. The EXIF orientation is applied by the drawing transform, never by re-encoding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from reportlab import rl_config
from reportlab.pdfgen import canvas as rl_canvas

from .page import Image

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


class _ContentNamed(str):
    """A file path whose text form is a hash of the file's bytes.

    reportlab names an image XObject after ``str(image)``; with the plain path, the same issue built
    from another folder would give a different PDF. Opening the file still uses the path itself.
    """

    def __str__(self) -> str:
        with open(self, "rb") as fh:
            return "sha256:" + hashlib.sha256(fh.read()).hexdigest()


@contextmanager
def raw_streams() -> Iterator[None]:
    """Streams without reportlab's ASCII85 layer (the finish stage keeps only Flate anyway)."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def draw_photo(c: rl_canvas.Canvas, im: Image) -> None:
    """Draw one photo file into its box, turned as its EXIF orientation says."""
    a, b, cc, d, e, f = _ORIENT.get(im.orientation, _ORIENT[1])
    w, h = im.width, im.height
    c.saveState()
    c.transform(w * a, h * b, w * cc, h * d, im.x + w * e, im.y + h * f)
    c.drawImage(_ContentNamed(im.path), 0, 0, 1, 1, mask="auto" if im.mask else None)
    c.restoreState()
