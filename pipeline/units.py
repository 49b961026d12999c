"""Lengths as written in layouts ("37mm", "16pt", "三号", "1.5cm") converted to PostScript points."""

from __future__ import annotations

import re

MM = 72 / 25.4

# Chinese type sizes (号), in points as Word and WPS use them.
HAO = {
    "初号": 42.0,
    "小初": 36.0,
    "一号": 26.0,
    "小一": 24.0,
    "二号": 22.0,
    "小二": 18.0,
    "三号": 16.0,
    "小三": 15.0,
    "四号": 14.0,
    "小四": 12.0,
    "五号": 10.5,
    "小五": 9.0,
}

_UNITS = {"pt": 1.0, "mm": MM, "cm": 10 * MM, "in": 72.0}
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(pt|mm|cm|in)?\s*$")


def to_points(value: object) -> float:
    """A length or type size → points. Bare numbers are points. Raises ValueError (message in Chinese)."""
    if isinstance(value, bool):
        raise ValueError(f"不是长度：{value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text in HAO:
            return HAO[text]
        m = _LENGTH.match(text)
        if m:
            return float(m.group(1)) * _UNITS[m.group(2) or "pt"]
    raise ValueError(f"无法识别的长度：{value!r}（应写作 37mm、16pt、1.5cm 或 三号 这样的值）")
