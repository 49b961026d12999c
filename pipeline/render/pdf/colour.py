"""ICC colour: profiles from the package's data folder; photos tagged as sRGB."""

from __future__ import annotations

from importlib import resources

import pikepdf
from pikepdf import Array, Name, Pdf, Stream

SRGB_PROFILE = "sRGB.icc"


def icc_profile(pdf: Pdf, name: str, components: int) -> Stream:
    """An ICC profile stream from ``pipeline/data`` (installed with the package, as in the checkout)."""
    profile = pdf.make_stream(resources.files("pipeline").joinpath("data", name).read_bytes())
    profile.N = components
    return profile


def tag_rgb_images(pdf: Pdf) -> None:
    """Give DeviceRGB images (photos) the ICCBased sRGB colour space: device-independent colour."""
    srgb: pikepdf.Object | None = None
    images = [o for o in pdf.objects if isinstance(o, Stream) and o.get("/Subtype") == Name.Image]
    for obj in images:
        space = obj.get("/ColorSpace")
        if space is None:
            continue
        indexed = isinstance(space, Array) and len(space) == 4 and space[0] == Name.Indexed
        base = space[1] if indexed else space
        if not (isinstance(base, Name) and str(base) == "/DeviceRGB"):
            continue
        if srgb is None:
            srgb = pdf.make_indirect(Array([Name.ICCBased, icc_profile(pdf, SRGB_PROFILE, 3)]))
        if indexed:
            space[1] = srgb
        else:
            obj.ColorSpace = srgb
