"""Finish the draw stage's PDF: fonts, ToUnicode, metadata, boxes, profiles; write it atomically.

``finish()`` takes the bytes reportlab wrote and returns the delivered PDF. It is deterministic:
the same raw bytes and the same ``DocumentInfo`` give byte-identical output, and the trailer /ID is
a hash of the content. Profiles: "print" (the default: Info + XMP, TrimBox, DeviceCMYK only) and
"archive" (PDF/A-2b, or PDF/A-3b with the issue file attached as its /Source).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream, String

from .errors import JianbaoError, Location

PROFILES = ("print", "archive")
CREATOR = "jianbao"
PRODUCER = "jianbao (ReportLab, pikepdf/qpdf)"
PDF_VERSION = "1.7"
ISSUE_TZ = dt.timezone(dt.timedelta(hours=8))

MM = 72 / 25.4
SLUG_MM = 8.0  # room for crop marks, outside the bleed, on every side
MARK_GAP_MM = 2.0  # crop marks start this far outside the bleed
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25
REGISTRATION = "1 1 1 1 K"  # CMYK 100/100/100/100, as printers expect for marks

CMYK_PROFILE = "jianbao-cmyk-fogra39l.icc"
SRGB_PROFILE = "sRGB.icc"
OUTPUT_CONDITION = "FOGRA39"
OUTPUT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004), jianbao profile built from FOGRA39L"
SOURCE_MIME = "/application/x-yaml"

_SHOW_OPS = frozenset({"Tj", "TJ", "'", '"'})
_RGB_OPS = frozenset({"rg", "RG"})
_RGB_NAMES = frozenset({"/DeviceRGB", "/RGB"})


@dataclass(frozen=True)
class DocumentInfo:
    """What the Info dictionary and the XMP packet say about the issue."""

    title: str  # "周口精神文明建设 简报 第21期"
    author: str  # the issuer, "周口市文明办"
    subject: str  # "周口精神文明建设 2023年第21期"
    keywords: tuple[str, ...]  # section names
    date: dt.date  # the issue's date: CreationDate and ModDate, at 00:00 +08:00
    language: str = "zh-CN"


@dataclass(frozen=True)
class FinishOptions:
    """How to finish: profile, bleed, and (archive only) the issue file to attach."""

    profile: str = "print"  # "print" | "archive"
    bleed_mm: float = 0.0  # > 0: bigger MediaBox, TrimBox = the A4 page, crop marks outside
    source_name: str | None = None  # "2023-21.yaml": archive embeds it (PDF/A-3b, /Source)
    source_bytes: bytes | None = None


def finish(raw: bytes, info: DocumentInfo, options: FinishOptions) -> bytes:
    """Return the finished PDF for ``raw``, the draw stage's reportlab output."""
    _check_options(options)
    archive = options.profile == "archive"
    with Pdf.open(io.BytesIO(raw)) as pdf:
        _push_inherited_page_attributes(pdf)
        scan = _scan_content(pdf)
        if scan.rgb:
            raise ValueError("DeviceRGB colour in the draw stage's PDF (use CMYK): " + "; ".join(scan.rgb))
        _prune_fonts(pdf, scan)
        _check_fonts_embedded(pdf)
        _fix_to_unicode(pdf)
        _tag_rgb_images(pdf)
        _set_boxes(pdf, options.bleed_mm * MM)
        _set_info(pdf, info)
        part = None
        if archive:
            part = 3 if options.source_bytes is not None else 2
            _add_output_intent(pdf)
            _make_annotations_printable(pdf)
            _remove_javascript(pdf)
            if options.source_bytes is not None and options.source_name is not None:
                _embed_source(pdf, options.source_name, options.source_bytes, info.date)
        _set_catalog(pdf, info, _xmp(info, part))
        if "/ID" in pdf.trailer:  # reportlab's invariant ID is one constant; let qpdf hash the content
            del pdf.trailer["/ID"]
        out = io.BytesIO()
        pdf.save(
            out,
            min_version=PDF_VERSION,
            fix_metadata_version=False,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            deterministic_id=True,
        )
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder, fsync and os.replace.

    A failure leaves any previous file untouched, removes the temp file and raises JianbaoError.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        message = _write_error_message(exc) + ("，原有文件保持不变" if path.exists() else "")
        raise JianbaoError(message, where=Location(str(path)), hint="检查输出文件夹是否存在、可写，以及磁盘空间。") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _write_error_message(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "输出文件夹不存在",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "文件系统只读",
        errno.EISDIR: "目标是一个文件夹",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"无法写入 PDF 文件：{reason}"


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable where the OS allows opening a folder (not on Windows)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # the data itself is on disk; only the folder entry's durability is best effort
    finally:
        os.close(fd)


def _check_options(options: FinishOptions) -> None:
    if options.profile not in PROFILES:
        raise ValueError(f"unknown PDF profile {options.profile!r}; expected one of {PROFILES}")
    if options.bleed_mm < 0:
        raise ValueError(f"bleed_mm must be >= 0, got {options.bleed_mm}")
    if (options.source_name is None) != (options.source_bytes is None):
        raise ValueError("source_name and source_bytes go together")
    if options.source_bytes is not None and options.profile != "archive":
        raise ValueError("the issue file is embedded only with profile 'archive'")


def _data(name: str) -> bytes:
    return resources.files(__package__ or "pipeline").joinpath("data", name).read_bytes()


# ---------------------------------------------------------------------------------------------
# Content scan: which fonts show text, and DeviceRGB use


@dataclass
class _Scan:
    """What one pass over every content stream found."""

    used: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # holder objgen -> font names
    set_fonts: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # holder objgen -> Tf names
    rgb: list[str] = field(default_factory=list)  # where DeviceRGB is used, for the error message
    done: dict[tuple[tuple[int, int], str | None], bool] = field(default_factory=dict)  # scanned forms


def _scan_content(pdf: Pdf) -> _Scan:
    scan = _Scan()
    for number, page in enumerate(pdf.pages, start=1):
        _scan_holder(page.obj, page.obj.get("/Resources", Dictionary()), None, scan, f"page {number}")
    return scan


def _scan_holder(holder: pikepdf.Object, resources_: pikepdf.Object, start_font: str | None, scan: _Scan, where: str) -> bool:
    """Scan a page or form; record the font names it shows text with. True if it shows text with
    the font current when it was invoked (a form that sets no font of its own)."""
    key = (holder.objgen, start_font)
    if key in scan.done:
        return scan.done[key]
    scan.done[key] = False  # a form that invokes itself
    used = scan.used.setdefault(holder.objgen, set())
    set_fonts = scan.set_fonts.setdefault(holder.objgen, set())
    xobjects = resources_.get("/XObject", Dictionary())
    font, inherited = start_font, False
    stack: list[str | None] = []
    for instruction in pikepdf.parse_content_stream(holder):
        op = str(instruction.operator)
        operands = instruction.operands
        if op == "q":
            stack.append(font)
        elif op == "Q":
            font = stack.pop() if stack else font
        elif op == "Tf" and operands:
            font = str(operands[0])
            set_fonts.add(font)
        elif op in _SHOW_OPS:
            if font is None:
                inherited = True
            else:
                used.add(font)
        elif op in _RGB_OPS or (op in ("cs", "CS") and operands and str(operands[0]) in _RGB_NAMES):
            scan.rgb.append(f"{where}: operator {op}")
        elif isinstance(instruction, pikepdf.ContentStreamInlineImage):
            colour = instruction.iimage.obj.get("/CS", instruction.iimage.obj.get("/ColorSpace"))
            if colour is not None and str(colour) in _RGB_NAMES:
                scan.rgb.append(f"{where}: inline RGB image")
        elif op == "Do" and operands:
            form = xobjects.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == Name.Form:
                own = form.get("/Resources")
                if own is None:  # an old-style form that uses the caller's resources
                    shows = _scan_holder(form, resources_, font, scan, where)
                    used |= scan.used[form.objgen] | scan.set_fonts[form.objgen]  # its Tf names are ours
                else:
                    shows = _scan_holder(form, own, None, scan, where)
                if shows:
                    if font is None:
                        inherited = True
                    else:
                        used.add(font)
    scan.done[key] = inherited
    return inherited


# ---------------------------------------------------------------------------------------------
# Fonts


def _push_inherited_page_attributes(pdf: Pdf) -> None:
    """Copy Resources/MediaBox/CropBox/Rotate from the page tree down to every page."""
    for page in pdf.pages:
        node = page.obj
        for key in ("/Resources", "/MediaBox", "/CropBox", "/Rotate"):
            parent = node.get("/Parent")
            while key not in node and parent is not None:
                if key in parent:
                    node[key] = parent[key]
                    break
                parent = parent.get("/Parent")
    for tree_node in _page_tree_nodes(pdf):
        for key in ("/Resources", "/MediaBox", "/CropBox", "/Rotate"):
            if key in tree_node:
                del tree_node[key]


def _page_tree_nodes(pdf: Pdf) -> Iterator[pikepdf.Object]:
    todo: list[pikepdf.Object] = [pdf.Root.Pages]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(kid for kid in node.get("/Kids", Array()) if kid.get("/Type") == Name.Pages)


def _prune_fonts(pdf: Pdf, scan: _Scan) -> None:
    """Keep in each page's and form's /Font only the fonts that show text; drop Tf of the others.

    reportlab starts every page with ``BT /F1 12 Tf 14.4 TL ET`` (Helvetica, not embedded).
    """
    for holder_id, names in scan.used.items():
        holder = pdf.get_object(holder_id)
        res = holder.get("/Resources")
        if res is None:
            continue
        fonts = res.get("/Font", Dictionary())
        new_res = Dictionary({k: v for k, v in res.items() if k != "/Font"})
        kept = {n: fonts[n] for n in sorted(names) if n in fonts}
        if kept:
            new_res.Font = Dictionary(kept)
        holder.Resources = new_res
        if scan.set_fonts[holder_id] - names:
            _drop_tf(pdf, holder, names)


def _drop_tf(pdf: Pdf, holder: pikepdf.Object, keep: set[str]) -> None:
    instructions = [
        i
        for i in pikepdf.parse_content_stream(holder)
        if not (str(i.operator) == "Tf" and i.operands and str(i.operands[0]) not in keep)
    ]
    _set_content(pdf, holder, pikepdf.unparse_content_stream(instructions))


def _set_content(pdf: Pdf, holder: pikepdf.Object, data: bytes) -> None:
    if isinstance(holder, Stream):  # a form XObject
        holder.write(data)
    else:
        holder.Contents = pdf.make_stream(data)


def _content_bytes(holder: pikepdf.Object) -> bytes:
    contents = holder.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes()


def _font_dicts(pdf: Pdf) -> Iterator[pikepdf.Object]:
    """Every font dictionary listed in a page's or a form's resources, once."""
    seen: set[tuple[int, int]] = set()
    holders: list[pikepdf.Object] = [page.obj for page in pdf.pages]
    while holders:
        holder = holders.pop()
        res = holder.get("/Resources", Dictionary())
        for font in res.get("/Font", Dictionary()).values():
            if font.objgen not in seen or font.objgen == (0, 0):
                seen.add(font.objgen)
                yield font
        for xobj in res.get("/XObject", Dictionary()).values():
            if xobj.get("/Subtype") == Name.Form and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                holders.append(xobj)


def _is_embedded(font: pikepdf.Object) -> bool:
    subtype = font.get("/Subtype")
    if subtype == Name.Type3:
        return True
    if subtype == Name.Type0:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor", Dictionary())
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _check_fonts_embedded(pdf: Pdf) -> None:
    missing = sorted({str(f.get("/BaseFont", "?")) for f in _font_dicts(pdf) if not _is_embedded(f)})
    if missing:
        raise ValueError(f"text drawn in fonts that are not embedded: {', '.join(missing)}")


# ---------------------------------------------------------------------------------------------
# ToUnicode CMaps

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


def _fix_to_unicode(pdf: Pdf) -> None:
    """Rewrite every ToUnicode CMap with UTF-16BE destinations (surrogate pairs beyond the BMP).

    reportlab writes ``"<%04X>" % codepoint``: ``<20B9F>`` for U+20B9F instead of ``<D842DF9F>``.
    """
    done: set[tuple[int, int]] = set()
    for font in _font_dicts(pdf):
        cmap = font.get("/ToUnicode")
        if not isinstance(cmap, Stream) or cmap.objgen in done:
            continue
        done.add(cmap.objgen)
        parsed = _parse_cmap(cmap.read_bytes())
        if parsed is not None:
            cmap.write(_write_cmap(*parsed))


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


Code = tuple[int, int]  # (byte length, value)


def _parse_cmap(data: bytes) -> tuple[list[bytes], dict[Code, str]] | None:
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


def _write_cmap(spaces: list[bytes], mapping: dict[Code, str]) -> bytes:
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


# ---------------------------------------------------------------------------------------------
# Colour


def _tag_rgb_images(pdf: Pdf) -> None:
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
            profile = pdf.make_stream(_data(SRGB_PROFILE))
            profile.N = 3
            srgb = pdf.make_indirect(Array([Name.ICCBased, profile]))
        if indexed:
            space[1] = srgb
        else:
            obj.ColorSpace = srgb


def _add_output_intent(pdf: Pdf) -> None:
    """The PDF/A output intent: a CMYK printer profile, as the document uses DeviceCMYK."""
    profile = pdf.make_stream(_data(CMYK_PROFILE))
    profile.N = 4
    pdf.Root.OutputIntents = Array(
        [
            pdf.make_indirect(
                Dictionary(
                    Type=Name.OutputIntent,
                    S=Name.GTS_PDFA1,
                    OutputConditionIdentifier=String(OUTPUT_CONDITION),
                    OutputCondition=String(OUTPUT_CONDITION_INFO),
                    RegistryName=String("http://www.color.org"),
                    Info=String(OUTPUT_CONDITION_INFO),
                    DestOutputProfile=profile,
                )
            )
        ]
    )


# ---------------------------------------------------------------------------------------------
# Page boxes, bleed and crop marks


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _real(value: float) -> Decimal:
    """A PDF number with at most four decimals, so output does not depend on float repr."""
    return Decimal(_num(value))


def _box(x0: float, y0: float, x1: float, y1: float) -> Array:
    return Array([_real(v) for v in (x0, y0, x1, y1)])


def _rect(box: pikepdf.Object) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _set_boxes(pdf: Pdf, bleed: float) -> None:
    """TrimBox = the drawn page; with bleed, a bigger MediaBox, BleedBox and crop marks."""
    shifts: dict[tuple[int, int], tuple[float, float]] = {}
    for page in pdf.pages:
        x0, y0, x1, y1 = _rect(page.obj.MediaBox)
        if bleed <= 0:
            page.obj.MediaBox = _box(x0, y0, x1, y1)
            page.obj.TrimBox = _box(x0, y0, x1, y1)
            continue
        margin = bleed + SLUG_MM * MM
        width, height = x1 - x0, y1 - y0
        dx, dy = margin - x0, margin - y0
        shifts[page.obj.objgen] = (dx, dy)
        page.obj.MediaBox = _box(0, 0, width + 2 * margin, height + 2 * margin)
        page.obj.TrimBox = _box(margin, margin, margin + width, margin + height)
        page.obj.BleedBox = _box(margin - bleed, margin - bleed, margin + width + bleed, margin + height + bleed)
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]
        if "/ArtBox" in page.obj:
            page.obj.ArtBox = _box(*_shifted(_rect(page.obj.ArtBox), dx, dy))
        clip = (x0 - bleed, y0 - bleed, width + 2 * bleed, height + 2 * bleed)
        head = f"q 1 0 0 1 {_num(dx)} {_num(dy)} cm {' '.join(_num(v) for v in clip)} re W n\n"
        body = _content_bytes(page.obj)
        marks = _crop_marks(margin, margin, margin + width, margin + height, bleed)
        _set_content(pdf, page.obj, head.encode() + body + b"\nQ\n" + marks)
        for annot in page.obj.get("/Annots", Array()):
            if "/Rect" in annot:
                annot.Rect = _box(*_shifted(_rect(annot.Rect), dx, dy))
            if "/QuadPoints" in annot:
                annot.QuadPoints = Array([_real(float(v) + (dy if k % 2 else dx)) for k, v in enumerate(annot.QuadPoints)])
    if shifts:
        _shift_destinations(pdf, shifts)


def _shifted(rect: tuple[float, float, float, float], dx: float, dy: float) -> tuple[float, float, float, float]:
    return rect[0] + dx, rect[1] + dy, rect[2] + dx, rect[3] + dy


def _crop_marks(x0: float, y0: float, x1: float, y1: float, bleed: float) -> bytes:
    """Registration-black trim marks at the four corners, starting outside the bleed."""
    near, far = bleed + MARK_GAP_MM * MM, bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * MM
    lines = [f"q {_num(MARK_WIDTH_PT)} w 0 J 0 j [] 0 d {REGISTRATION}"]
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append(f"{_num(x + sx * near)} {_num(y)} m {_num(x + sx * far)} {_num(y)} l")
            lines.append(f"{_num(x)} {_num(y + sy * near)} m {_num(x)} {_num(y + sy * far)} l")
    lines.append("S Q\n")
    return "\n".join(lines).encode()


# x, y operand positions after the page in each destination type
_DEST_COORDS = {"/XYZ": "xy", "/FitH": "y", "/FitBH": "y", "/FitV": "x", "/FitBV": "x", "/FitR": "xyxy"}


def _shift_destinations(pdf: Pdf, shifts: dict[tuple[int, int], tuple[float, float]]) -> None:
    """Move explicit destinations (outlines, links, named dests) with their translated pages."""
    done: set[tuple[int, int]] = set()
    for dest in _destinations(pdf):
        if not (isinstance(dest, Array) and len(dest) >= 2 and isinstance(dest[0], Dictionary)):
            continue  # a named or a remote destination
        if dest[0].objgen not in shifts:
            continue
        if dest.is_indirect:  # an indirect destination may be shared: move it once
            if dest.objgen in done:
                continue
            done.add(dest.objgen)
        dx, dy = shifts[dest[0].objgen]
        for k, axis in enumerate(_DEST_COORDS.get(str(dest[1]), ""), start=2):
            if k < len(dest) and _is_number(dest[k]):
                dest[k] = _real(float(dest[k]) + (dx if axis == "x" else dy))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _destinations(pdf: Pdf) -> Iterator[pikepdf.Object]:
    def from_action(holder: pikepdf.Object) -> Iterator[pikepdf.Object]:
        if "/Dest" in holder:
            yield holder.Dest
        action = holder.get("/A")
        if action is not None and action.get("/S") == Name.GoTo and "/D" in action:
            yield action.D

    outlines = pdf.Root.get("/Outlines")
    todo = [outlines.First] if outlines is not None and "/First" in outlines else []
    seen: set[tuple[int, int]] = set()
    while todo:
        item = todo.pop()
        if item.objgen in seen:
            continue
        seen.add(item.objgen)
        yield from from_action(item)
        todo += [item[k] for k in ("/First", "/Next") if k in item]
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            yield from from_action(annot)
    names = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    nodes = [names] if names is not None else []
    while nodes:
        node = nodes.pop()
        nodes += list(node.get("/Kids", Array()))
        values = list(node.get("/Names", Array()))[1::2]
        yield from (v.D if isinstance(v, Dictionary) and "/D" in v else v for v in values)
    for value in pdf.Root.get("/Dests", Dictionary()).values():
        yield value.D if isinstance(value, Dictionary) and "/D" in value else value


# ---------------------------------------------------------------------------------------------
# Metadata, catalog, archive extras


def _issue_datetime(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=ISSUE_TZ)


def _pdf_date(date: dt.date) -> str:
    return _issue_datetime(date).strftime("D:%Y%m%d%H%M%S+08'00'")


def _keywords(info: DocumentInfo) -> str:
    return "; ".join(info.keywords)


def _set_info(pdf: Pdf, info: DocumentInfo) -> None:
    entries = {
        "/Title": info.title,
        "/Author": info.author,
        "/Subject": info.subject,
        "/Keywords": _keywords(info),
        "/Creator": CREATOR,
        "/Producer": PRODUCER,
        "/CreationDate": _pdf_date(info.date),
        "/ModDate": _pdf_date(info.date),
    }
    pdf.trailer.Info = pdf.make_indirect(Dictionary({k: String(v) for k, v in entries.items() if v}))


def _xml(text: str) -> str:
    clean = "".join(c if c >= " " or c in "\t\n" else " " for c in text)
    return escape(clean)


def _xmp(info: DocumentInfo, pdfa_part: int | None) -> bytes:
    """The XMP packet, written here so it is deterministic and exactly as PDF/A wants it."""
    when = _issue_datetime(info.date).isoformat()
    lang = _xml(info.language)

    def alt(text: str) -> str:
        items = "".join(f'<rdf:li xml:lang="{code}">{_xml(text)}</rdf:li>' for code in ("x-default", lang))
        return f"<rdf:Alt>{items}</rdf:Alt>"

    props = [
        "<dc:format>application/pdf</dc:format>",
        f"<dc:title>{alt(info.title)}</dc:title>",
        f"<dc:creator><rdf:Seq><rdf:li>{_xml(info.author)}</rdf:li></rdf:Seq></dc:creator>" if info.author else "",
        f"<dc:description>{alt(info.subject)}</dc:description>" if info.subject else "",
        f"<dc:subject><rdf:Bag>{''.join(f'<rdf:li>{_xml(k)}</rdf:li>' for k in info.keywords)}</rdf:Bag></dc:subject>"
        if info.keywords
        else "",
        f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>",
        f"<pdf:Keywords>{_xml(_keywords(info))}</pdf:Keywords>" if info.keywords else "",
        f"<pdf:Producer>{_xml(PRODUCER)}</pdf:Producer>",
        f"<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>",
        f"<xmp:CreateDate>{when}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{when}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>",
        f"<pdfaid:part>{pdfa_part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" if pdfa_part else "",
    ]
    body = "\n   ".join(p for p in props if p)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   {body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
{(" " * 99 + chr(10)) * 20}<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def _set_catalog(pdf: Pdf, info: DocumentInfo, xmp: bytes) -> None:
    metadata = pdf.make_stream(xmp)  # left uncompressed: qpdf never compresses /Type /Metadata
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    pdf.Root.Metadata = metadata
    pdf.Root.Lang = String(info.language)
    prefs = pdf.Root.get("/ViewerPreferences", Dictionary())
    prefs.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = prefs


def _make_annotations_printable(pdf: Pdf) -> None:
    """PDF/A: every annotation prints and is visible; no RGB /C or /IC next to a CMYK intent."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            flags = int(annot.get("/F", 0))
            annot.F = (flags | 4) & ~(1 | 2 | 32)
            for key in ("/C", "/IC"):
                if key in annot:
                    del annot[key]


def _remove_javascript(pdf: Pdf) -> None:
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        del names["/JavaScript"]
    for holder in [pdf.Root, *(page.obj for page in pdf.pages)]:
        if "/AA" in holder:
            del holder["/AA"]
    action = pdf.Root.get("/OpenAction")
    if isinstance(action, Dictionary) and action.get("/S") != Name.GoTo:
        del pdf.Root["/OpenAction"]


def _embed_source(pdf: Pdf, name: str, data: bytes, date: dt.date) -> None:
    """Attach the issue file as the PDF/A-3 associated file with /AFRelationship /Source."""
    filename = Path(name).name
    stream = pdf.make_stream(data)
    stream.Type = Name.EmbeddedFile
    stream.Subtype = Name(SOURCE_MIME)
    stream.Params = Dictionary(
        ModDate=String(_pdf_date(date)),
        Size=len(data),
        CheckSum=String(hashlib.md5(data).digest()),  # the checksum the PDF format defines
    )
    spec = pdf.make_indirect(
        Dictionary(
            Type=Name.Filespec,
            F=String(filename),
            UF=String(filename),
            Desc=String("简报源文件（YAML）"),
            AFRelationship=Name.Source,
            EF=Dictionary(F=stream, UF=stream),
        )
    )
    names = pdf.Root.get("/Names", Dictionary())
    names.EmbeddedFiles = Dictionary(Names=Array([String(filename), spec]))
    pdf.Root.Names = names
    pdf.Root.AF = Array([spec])
