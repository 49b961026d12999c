"""The OFD package: a ZIP container with fixed timestamps and attributes, parts in a stable order.

XML parts and fonts are deflated; JPEG and PNG files, already compressed, are stored. Every entry
carries the issue's date at 00:00 (1980-01-01 for an earlier date, ZIP's first day), so the same
parts give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping

_STORED = (".jpg", ".png")


def zip_parts(parts: Mapping[str, bytes], date: dt.date) -> bytes:
    """The parts, in the order given, as one ZIP file."""
    stamp = (date.year, date.month, date.day, 0, 0, 0) if date.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in parts.items():
            entry = zipfile.ZipInfo(name, stamp)
            entry.compress_type = zipfile.ZIP_STORED if name.endswith(_STORED) else zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, whatever system writes it
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, compresslevel=9)
    return buf.getvalue()
