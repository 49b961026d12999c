"""ToUnicode CMaps rewritten with UTF-16BE destinations, so text beyond the BMP copies out right.

reportlab writes ``"<%04X>" % codepoint``: ``<20B9F>`` for U+20B9F instead of ``<D842DF9F>``.
"""

from __future__ import annotations

import re

from pikepdf import Pdf, Stream

from pipeline.render.pdf.pages import font_dicts

_CMAP_SECTION = re.compile(rb"begin(codespacerange|bfchar|bfrange)(.*?)end\1", re.S)
_CMAP_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|(\[)|(\])|/[^\s/<>\[\]()]*")
_CMAP_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
"""
_CMAP_TAIL = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""
_CMAP_BLOCK = 100  # entries per begin…end block, the CMap format's limit

Code = tuple[int, int]  # (byte length, value)


def fix_to_unicode(pdf: Pdf) -> None:
    """Rewrite every ToUnicode CMap with UTF-16BE destinations (surrogate pairs beyond the BMP)."""
    done: set[tuple[int, int]] = set()
    for font in font_dicts(pdf):
        cmap = font.get("/ToUnicode")
        if not isinstance(cmap, Stream) or cmap.objgen in done:
            continue
        done.add(cmap.objgen)
        parsed = parse_cmap(cmap.read_bytes())
        if parsed is not None:
            cmap.write(write_cmap(*parsed))


def _hex_tokens(body: bytes) -> list[bytes | list[bytes]]:
    """The hex strings of a CMap section; ``[…]`` arrays become lists; names become b""."""
    tokens: list[bytes | list[bytes]] = []
    array: list[bytes] | None = None
    for m in _CMAP_TOKEN.finditer(body):
        if m.group(2):
            array = []
        elif m.group(3):
            tokens.append(array or [])
            array = None
        else:
            value = re.sub(rb"\s", b"", m.group(1)) if m.group(1) is not None else b""
            (array if array is not None else tokens).append(value)
    return tokens


def _dst_text(hexdigits: bytes) -> str | None:
    """A destination as text: UTF-16BE, or reportlab's bare code point (odd or 6 digits)."""
    if not hexdigits:
        return None
    if len(hexdigits) % 4 == 0:
        try:
            return bytes.fromhex(hexdigits.decode()).decode("utf-16-be")
        except UnicodeDecodeError:
            return None
    value = int(hexdigits, 16)
    return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else None


def parse_cmap(data: bytes) -> tuple[list[bytes], dict[Code, str]] | None:
    """Codespace ranges (as written) and code → text, or None if this is no bfchar/bfrange CMap."""
    spaces: list[bytes] = []
    mapping: dict[Code, str] = {}
    for section in _CMAP_SECTION.finditer(data):
        kind, tokens = section.group(1), _hex_tokens(section.group(2))
        if kind == b"codespacerange":
            spaces += [
                b"<%s> <%s>" % (lo, hi)
                for lo, hi in zip(tokens[::2], tokens[1::2], strict=False)
                if isinstance(lo, bytes) and isinstance(hi, bytes)
            ]
        elif kind == b"bfchar":
            for src, dst in zip(tokens[::2], tokens[1::2], strict=False):
                if isinstance(src, bytes) and isinstance(dst, bytes) and src:
                    _put(mapping, (len(src) // 2, int(src, 16)), _dst_text(dst))
        else:
            for i in range(0, len(tokens) - 2, 3):
                lo, hi, dst = tokens[i : i + 3]
                if not (isinstance(lo, bytes) and isinstance(hi, bytes) and lo and hi):
                    continue
                size, first, last = len(lo) // 2, int(lo, 16), int(hi, 16)
                for offset, code in enumerate(range(first, min(last, first + 0xFFFF) + 1)):
                    if isinstance(dst, list):
                        _put(mapping, (size, code), _dst_text(dst[offset]) if offset < len(dst) else None)
                    else:
                        _put(mapping, (size, code), _range_text(_dst_text(dst), offset))
    if not mapping:
        return None
    return spaces or [b"<00> <FF>"], mapping


def _range_text(base: str | None, offset: int) -> str | None:
    """The text for ``offset`` codes into a bfrange: the last character counts up."""
    last = ord(base[-1]) + offset if base else 0xD800
    if last > 0x10FFFF or 0xD800 <= last <= 0xDFFF:
        return None
    return base[:-1] + chr(last) if base else None


def _put(mapping: dict[Code, str], code: Code, text: str | None) -> None:
    # reportlab maps unassigned codes to U+0000: no mapping is better than a NUL
    if text and text != "\x00":
        mapping[code] = text


def _utf16(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _code_hex(code: Code) -> bytes:
    size, value = code
    return b"<" + f"{value:0{size * 2}X}".encode() + b">"


def write_cmap(spaces: list[bytes], mapping: dict[Code, str]) -> bytes:
    """A ToUnicode CMap: runs of consecutive BMP characters as bfrange, the rest as bfchar."""
    ranges: list[bytes] = []
    chars: list[bytes] = []
    codes = sorted(mapping)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and _continues(codes[j], codes[j + 1], mapping):
            j += 1
        if j > i:
            ranges.append(b"%s %s %s" % (_code_hex(codes[i]), _code_hex(codes[j]), _utf16(mapping[codes[i]])))
        else:
            chars.append(b"%s %s" % (_code_hex(codes[i]), _utf16(mapping[codes[i]])))
        i = j + 1
    out = [_CMAP_HEAD, b"%d begincodespacerange\n" % len(spaces), *(s + b"\n" for s in spaces), b"endcodespacerange\n"]
    for kind, entries in ((b"bfrange", ranges), (b"bfchar", chars)):
        for start in range(0, len(entries), _CMAP_BLOCK):
            block = entries[start : start + _CMAP_BLOCK]
            out += [b"%d begin%s\n" % (len(block), kind), *(e + b"\n" for e in block), b"end%s\n" % kind]
    out.append(_CMAP_TAIL)
    return b"".join(out)


def _continues(a: Code, b: Code, mapping: dict[Code, str]) -> bool:
    """Whether code b extends a bfrange that ends at code a (same last-byte row, no carry)."""
    ta, tb = mapping[a], mapping[b]
    return (
        a[0] == b[0]
        and b[1] == a[1] + 1
        and a[1] >> 8 == b[1] >> 8
        and len(ta) == len(tb) == 1
        and ord(ta) < 0xFFFF
        and ord(tb) == ord(ta) + 1
        and ord(tb) & 0xFF != 0
    )
