"""Photos in every mode a PNG or JPEG file can have print as their pixels say (issue 16, points 3 and 11).

Each test picture is a left-to-right ramp whose printed colour is known from the numbers written into
the file (not from Pillow's conversions). The issue is built with the command line, the page rendered
with pypdfium2, and each tenth of each photo compared with the tenth of the picture it should be.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
import pytest
from PIL import Image, ImageStat

from conftest import SMALL_ISSUE, jianbao, write

W, H = 256, 32
SCALE = 2  # pixels per point when rendering
TOLERANCE = 4  # levels of 255: rounding, resampling, sRGB tagging
CMYK_TOLERANCE = 45  # pdfium turns CMYK into RGB with a press profile, Pillow by plain subtraction
RGB = tuple[float, float, float]


def v16(x: int) -> int:
    return round(x * 65535 / (W - 1))


def over_white(colour: RGB, alpha: float) -> RGB:
    return (colour[0] * alpha + 255 * (1 - alpha), colour[1] * alpha + 255 * (1 - alpha), colour[2] * alpha + 255 * (1 - alpha))


def png(path: Path, depth: int, colour_type: int, rows: list[bytes], *chunks: tuple[bytes, bytes]) -> None:
    """A PNG written byte by byte (Pillow cannot write 16-bit RGB or a 16-bit transparent grey)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", W, H, depth, colour_type, 0, 0, 0)
    body = zlib.compress(b"".join(b"\0" + row for row in rows))
    extra = b"".join(chunk(k, d) for k, d in chunks)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def rows(pixel: Callable[[int], bytes]) -> list[bytes]:
    line = b"".join(pixel(x) for x in range(W))
    return [line] * H


def ramp(mode: str, value: Callable[[int], object]) -> Image.Image:
    im = Image.new(mode, (W, H))
    im.putdata([value(x) for _ in range(H) for x in range(W)])  # type: ignore[arg-type]
    return im


def grey_palette() -> Image.Image:
    """A palette picture whose entry i is grey i, and pixel x entry x."""
    im = ramp("P", lambda x: x)
    im.putpalette([i for i in range(256) for _ in range(3)])
    return im


def grey(x: int) -> RGB:
    return (x, x, x)


# name → (write the file, the printed colour of column x on white paper, tolerance)
PICTURES: dict[str, tuple[Callable[[Path], object], Callable[[int], RGB], int]] = {
    "grey16.png": (lambda p: ramp("I;16", v16).save(p), grey, TOLERANCE),
    "grey16-key.png": (
        lambda p: png(p, 16, 0, rows(lambda x: struct.pack(">H", 0 if x < 64 else v16(x))), (b"tRNS", b"\0\0")),
        lambda x: (255, 255, 255) if x < 64 else grey(x),
        TOLERANCE,
    ),
    "rgb16.png": (
        lambda p: png(p, 16, 2, rows(lambda x: struct.pack(">HHH", v16(x), 0, 65535 - v16(x)))),
        lambda x: (x, 0, 255 - x),
        TOLERANCE,
    ),
    "rgba16.png": (
        lambda p: png(p, 16, 6, rows(lambda x: struct.pack(">HHHH", 0, 0, 65535, v16(x)))),
        lambda x: over_white((0, 0, 255), x / 255),
        TOLERANCE,
    ),
    "grey-alpha16.png": (
        lambda p: png(p, 16, 4, rows(lambda x: struct.pack(">HH", v16(x), 32896))),
        lambda x: over_white(grey(x), 0.502),
        TOLERANCE,
    ),
    "palette.png": (lambda p: ramp("L", lambda x: x).convert("P").save(p), grey, TOLERANCE),
    "palette-alpha.png": (
        lambda p: grey_palette().save(p, transparency=bytes(255 - i for i in range(256))),
        lambda x: over_white(grey(x), (255 - x) / 255),
        TOLERANCE,
    ),
    "grey-alpha.png": (
        lambda p: Image.merge("LA", (ramp("L", lambda x: x), Image.new("L", (W, H), 128))).save(p),
        lambda x: over_white(grey(x), 128 / 255),
        TOLERANCE,
    ),
    "grey-key.png": (
        lambda p: ramp("L", lambda x: 0 if x < 64 else x).save(p, transparency=0),
        lambda x: (255, 255, 255) if x < 64 else grey(x),
        TOLERANCE,
    ),
    "rgb-key.png": (
        lambda p: ramp("RGB", lambda x: (0, 0, 0) if x < 64 else (x, 0, 0)).save(p, transparency=(0, 0, 0)),
        lambda x: (255, 255, 255) if x < 64 else (x, 0, 0),
        TOLERANCE,
    ),
    "bilevel.png": (
        lambda p: ramp("1", lambda x: 255 if x >= 128 else 0).save(p),
        lambda x: grey(255 if x >= 128 else 0),
        TOLERANCE,
    ),
    "rgb.jpg": (lambda p: ramp("RGB", lambda x: (x, 0, 255 - x)).save(p, quality=95), lambda x: (x, 0, 255 - x), TOLERANCE + 4),
    "grey.jpg": (lambda p: ramp("L", lambda x: x).save(p, quality=95), grey, TOLERANCE + 4),
    # Pillow writes CMYK as Photoshop does: values inverted, an Adobe marker saying so
    "cmyk.jpg": (lambda p: ramp("CMYK", lambda x: (0, 0, 0, x)).save(p, quality=95), lambda x: grey(255 - x), CMYK_TOLERANCE),
    "jpeg-named.png": (
        lambda p: ramp("RGB", lambda x: (0, x, 0)).save(p, format="JPEG", quality=95),
        lambda x: (0, x, 0),
        TOLERANCE + 4,
    ),
}


def issue_with(folder: Path, names: list[str]) -> Path:
    body = "\n\n".join(f"          ![{n}]({n} 20%)" for n in names)  # 20%: 208 dpi, no warning
    head = SMALL_ISSUE.split("sections:")[0] + "toc: false\n"
    text = f"{head}sections:\n  - name: 工作动态\n    articles:\n      - title: 图片\n        body: |\n{body}\n"
    return write(folder, "photos.yaml", text)


def photo_boxes(pdf: Path) -> list[tuple[Image.Image, tuple[float, float, float, float]]]:
    """Each photo of the PDF in drawing order: its page rendered, and its box (left, bottom, right, top) in points."""
    out = []
    doc = pdfium.PdfDocument(str(pdf))
    for page in doc:
        bitmap = page.render(scale=SCALE).to_pil().convert("RGB")
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
            bounds = getattr(obj, "get_bounds", None) or obj.get_pos  # pypdfium2 5 or 4
            out.append((bitmap, bounds()))
    return out


def tenths(bitmap: Image.Image, box: tuple[float, float, float, float]) -> list[tuple[float, ...]]:
    left, bottom, right, top = box
    height = bitmap.size[1]
    means = []
    for k in range(10):
        x0, x1 = left + (right - left) * (k + 0.15) / 10, left + (right - left) * (k + 0.85) / 10
        y0, y1 = height - (bottom + (top - bottom) * 0.8) * SCALE, height - (bottom + (top - bottom) * 0.2) * SCALE
        means.append(tuple(ImageStat.Stat(bitmap.crop((int(x0 * SCALE), int(y0), int(x1 * SCALE), int(y1)))).mean))
    return means


def expected_tenths(colour: Callable[[int], RGB]) -> list[tuple[float, ...]]:
    means = []
    for k in range(10):
        xs = range(int(W * (k + 0.15) / 10), int(W * (k + 0.85) / 10))
        means.append(tuple(sum(colour(x)[c] for x in xs) / len(xs) for c in range(3)))
    return means


def test_every_picture_mode_prints_as_its_pixels(tmp_path: Path) -> None:
    for name, (make, _, _) in PICTURES.items():
        make(tmp_path / name)
    issue = issue_with(tmp_path, list(PICTURES))
    result = jianbao("build", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    placed = photo_boxes(tmp_path / "out" / "photos.pdf")
    assert len(placed) == len(PICTURES)
    wrong = {}
    for (name, (_, colour, tolerance)), (bitmap, box) in zip(PICTURES.items(), placed, strict=True):
        printed, meant = tenths(bitmap, box), expected_tenths(colour)
        error = max(abs(a - b) for p, m in zip(printed, meant, strict=True) for a, b in zip(p, m, strict=True))
        if error > tolerance:
            wrong[name] = (round(error), [tuple(round(v) for v in p) for p in printed])
    assert not wrong, wrong


def test_a_camera_jpeg_with_a_second_picture_prints_its_first(tmp_path: Path) -> None:
    first = ramp("RGB", lambda x: (x, 0, 0))
    first.save(
        tmp_path / "camera.jpg", format="MPO", save_all=True, append_images=[Image.new("RGB", (W, H), (0, 200, 0))], quality=95
    )
    assert Image.open(tmp_path / "camera.jpg").format == "MPO"
    issue = issue_with(tmp_path, ["camera.jpg"])
    checked = jianbao("check", str(issue))
    assert checked.returncode == 0 and "MPO" not in checked.stdout, checked.stdout
    result = jianbao("build", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    ((bitmap, box),) = photo_boxes(tmp_path / "out" / "photos.pdf")
    printed, meant = tenths(bitmap, box), expected_tenths(lambda x: (x, 0, 0))
    assert max(abs(a - b) for p, m in zip(printed, meant, strict=True) for a, b in zip(p, m, strict=True)) <= TOLERANCE + 4
    with pikepdf.open(tmp_path / "out" / "photos.pdf") as pdf:
        (photo,) = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image]
        stream = photo.read_raw_bytes()
    size = Image.open(tmp_path / "camera.jpg").mpinfo[0xB002][0]["Size"]  # type: ignore[attr-defined]
    filters = [photo.Filter] if isinstance(photo.Filter, pikepdf.Name) else list(photo.Filter)
    assert filters == [pikepdf.Name.DCTDecode] and stream == (tmp_path / "camera.jpg").read_bytes()[:size]
    assert Image.open(io.BytesIO(stream)).getpixel((W - 1, 0))[1] < 50  # not the green second picture


@pytest.mark.parametrize(("size", "side"), [((1, 60000), "宽"), ((60000, 1), "高")])
def test_a_picture_printed_as_a_sliver_is_warned_about(tmp_path: Path, size: tuple[int, int], side: str) -> None:
    Image.new("L", size, 0).save(tmp_path / "sliver.png")
    issue = issue_with(tmp_path, ["sliver.png"])
    message = f"警告 图片 sliver.png（{size[0]}×{size[1]} 像素）印出只有 0.0 毫米{side}，几乎看不见"
    checked = jianbao("check", str(issue))
    assert checked.returncode == 1 and message in checked.stdout, checked.stdout  # 1: warnings
    built = jianbao("build", str(issue), "-o", str(tmp_path / "out"))
    assert built.returncode == 1 and message in built.stderr, built.stderr
    assert (tmp_path / "out" / "photos.pdf").is_file()
