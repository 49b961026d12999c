"""Character classes for Chinese line composition (CLREQ, GB/T 15834), as data."""

from __future__ import annotations

import functools

# Never at the start of a line (basic level).
PAUSE_STOP = frozenset("、，。．：；？！,.:;?!")
CLOSE_QUOTE = frozenset("”’」』")
CLOSE_BRACKET = frozenset("）〕］｝】〗〉》)]}")
CONNECTOR = frozenset("–～~")
INTERPUNCT = frozenset("·・‧")
SOLIDUS = frozenset("/／")
UNIT_SUFFIX = frozenset("％‰℃°′″%")
NO_LINE_START = PAUSE_STOP | CLOSE_QUOTE | CLOSE_BRACKET | CONNECTOR | INTERPUNCT | SOLIDUS | UNIT_SUFFIX

# Never at the end of a line.
OPEN_QUOTE = frozenset("“‘「『")
OPEN_BRACKET = frozenset("（〔［｛【〖〈《([{")
PREFIX = frozenset("￥＄$£￡#№§")
NO_LINE_END = OPEN_QUOTE | OPEN_BRACKET | PREFIX | SOLIDUS

# Marks that may hang past the line end when the layout allows it.
HANGABLE = frozenset("、，。．")

# Pairs that are never split and count as one two-cell unit.
DASH = "\u2014"
ELLIPSIS = "\u2026"
DOUBLED = frozenset({DASH, ELLIPSIS})

# Punctuation glyph placement inside its cell (for compression in book style).
LEFT_INK = frozenset("，。．、：；？！") | CLOSE_QUOTE | frozenset("）〕］｝】〗〉》")
RIGHT_INK = OPEN_QUOTE | frozenset("（〔［｛【〖〈《")
CENTRE_INK = INTERPUNCT

IGNORABLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@functools.cache  # called for every character of every paragraph: a dictionary look-up after the first
def is_han(ch: str) -> bool:
    """An ideograph (URO, Ext A-…, compatibility) or 〇."""
    o = ord(ch)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF or ch == "〇"


@functools.cache
def is_wide(ch: str) -> bool:
    """Characters that take a full cell: Han, kana, full-width forms, CJK punctuation."""
    o = ord(ch)
    return (
        is_han(ch)
        or 0x3000 <= o <= 0x30FF
        or 0xFF01 <= o <= 0xFF60
        or 0xFFE0 <= o <= 0xFFE6
        or ch in "“”‘’—…·"
        or 0x2E80 <= o <= 0x2FDF
        or 0x3100 <= o <= 0x31FF
        or 0x3200 <= o <= 0x33FF
    )
