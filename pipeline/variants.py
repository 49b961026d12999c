"""Glyph variants with another advance, so that a blank on the grid never copies out as a space.

On the character grid a line sometimes keeps an empty cell (after a mark, when a line must end
early). A gap that wide between two glyphs makes PDF text extractors insert a space. So the blank is
drawn as part of the glyph before it: the same outline with a wider advance. The variant is encoded
under a private code (a lone UTF-16 surrogate value, which no issue text can contain); the finishing
stage maps that code back to the character in the font's ToUnicode CMap, so the text copies out as
written and the glyph's width in the PDF matches its font program.

This module only hands out the codes; fonts.load registers the variant glyphs, the draw stage uses
them, and pdf.tounicode reads the mapping back.
"""

from __future__ import annotations

_FIRST, _LAST = 0xD800, 0xDFFF
_codes: dict[tuple[str, int], int] = {}
_texts: dict[int, str] = {}


def milli_em(extra_em: float) -> int:
    """An advance change in thousandths of an em (variants are kept at that precision)."""
    return round(extra_em * 1000)


def code_for(ch: str, extra: int) -> int | None:
    """The private code of ``ch`` with ``extra`` thousandths of an em of advance; None when all are taken."""
    key = (ch, extra)
    code = _codes.get(key)
    if code is None:
        code = _FIRST + len(_codes)
        if code > _LAST:
            return None
        _codes[key] = code
        _texts[code] = ch
    return code


def text_of(code: int) -> str | None:
    """The character a private code stands for, or None when ``code`` is not a variant's."""
    return _texts.get(code)
