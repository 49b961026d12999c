"""Make the two small synthetic pictures of issues/example-photos-tables.yaml (run from anywhere).

``huiyi.jpg`` stands in for a meeting photo (banner, rostrum, rows of attendees); ``changci.png`` for a
bar chart. Both are drawn with Pillow from fixed numbers, so running this again gives the same files.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent


def meeting_photo(path: Path, size: tuple[int, int] = (1000, 667)) -> None:
    w, h = size
    rnd = random.Random(23)
    im = Image.new("RGB", size)
    d = ImageDraw.Draw(im)
    for y in range(h):  # wall and floor
        t = y / h
        d.line([(0, y), (w, y)], fill=(int(214 - 40 * t), int(198 - 50 * t), int(170 - 60 * t)))
    d.rectangle([0, int(h * 0.62), w, h], fill=(120, 86, 60))
    d.rectangle([int(w * 0.08), int(h * 0.06), int(w * 0.92), int(h * 0.2)], fill=(178, 24, 30))  # banner
    for k in range(18):
        x = int(w * 0.13) + k * int(w * 0.042)
        d.rectangle([x, int(h * 0.1), x + int(w * 0.028), int(h * 0.16)], fill=(250, 222, 120))
    d.rectangle([int(w * 0.18), int(h * 0.36), int(w * 0.82), int(h * 0.48)], fill=(92, 52, 36))  # rostrum
    d.rectangle([int(w * 0.18), int(h * 0.34), int(w * 0.82), int(h * 0.37)], fill=(236, 236, 228))
    for k in range(8):  # people on the rostrum
        cx = int(w * 0.23) + k * int(w * 0.077)
        d.ellipse([cx - 16, int(h * 0.25), cx + 16, int(h * 0.31)], fill=(226, 188, 160))
        d.ellipse([cx - 18, int(h * 0.24), cx + 18, int(h * 0.275)], fill=(30, 28, 30))
        d.rectangle([cx - 30, int(h * 0.31), cx + 30, int(h * 0.36)], fill=(38, 42, 56))
    for row in range(4):  # attendees, seen from behind, nearer rows larger
        scale = 1 + row * 0.35
        y = int(h * (0.6 + row * 0.1))
        step = int(58 * scale)
        for cx in range(int(step / 2) - row * 13, w + step, step):
            r = int(20 * scale)
            shade = rnd.randint(18, 48)
            suit = (shade, shade + 4, shade + 16)
            d.rounded_rectangle([cx - int(r * 1.7), y + r, cx + int(r * 1.7), y + int(r * 3.4)], r, fill=suit)
            d.ellipse([cx - r, y - r, cx + r, y + int(r * 1.2)], fill=(shade, max(0, shade - 4), shade))
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    im.save(path, "JPEG", quality=82, optimize=True, dpi=(300, 300))


def bar_chart(path: Path, size: tuple[int, int] = (900, 520)) -> None:
    w, h = size
    values = [412, 386, 355, 348, 327, 302, 296, 281, 263, 240]
    im = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(im)
    left, bottom, top = 70, h - 50, 30
    for k in range(0, 501, 100):  # grid lines every 100
        y = bottom - (bottom - top) * k / 500
        d.line([(left, y), (w - 20, y)], fill=(200, 200, 200) if k else (0, 0, 0), width=2 if not k else 1)
        d.text((left - 40, y - 6), str(k), fill=(0, 0, 0))
    d.line([(left, top), (left, bottom)], fill=(0, 0, 0), width=2)
    slot = (w - 20 - left) / len(values)
    for k, v in enumerate(values):
        x0 = left + k * slot + slot * 0.2
        y0 = bottom - (bottom - top) * v / 500
        d.rectangle([x0, y0, x0 + slot * 0.6, bottom - 1], fill=(196, 40, 40) if k == 0 else (70, 110, 170))
        d.text((x0 + slot * 0.12, y0 - 16), str(v), fill=(0, 0, 0))
    im.quantize(16).save(path, "PNG", optimize=True, dpi=(200, 200))


if __name__ == "__main__":
    meeting_photo(HERE / "huiyi.jpg")
    bar_chart(HERE / "changci.png")
