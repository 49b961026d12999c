#!/usr/bin/env python3
"""Rebuild the committed jianbao fonts from Debian packages.

The fonts in this folder are derived from four Debian (bookworm) packages:

* texlive-lang-chinese -> FandolFang/Song/Hei/Kai Regular (CFF .otf)
* fonts-noto-cjk       -> Noto Serif CJK SC Regular and Bold (CFF .ttc)
* fonts-noto-cjk-extra -> Noto Serif CJK SC Black (only for --title-weight Black)
* fonts-hanazono       -> HanaMinB.ttf (TrueType)

reportlab only reads TrueType (glyf) outlines, so every CFF face is converted
to quadratic TrueType outlines (the fontTools ``otf2ttf`` approach: Cu2QuPen
feeding a TTGlyphPen). Faces are subset to the ranges jianbao needs, hinting,
glyph names and the OpenType layout / vertical tables are dropped. Three
repairs are made (see README.md): Noto's proportional U+00B7 and U+2014 are
mapped to their full-width glyphs, Fandol's dollar-shaped U+FFE5 is redrawn as
a yen sign, and FandolSong's positive hhea descent is negated. A full build
also refreshes licenses/ from the packages' documentation.

Usage (needs root or apt permissions, the network to reach the Debian mirror,
and the Python packages fontTools and reportlab)::

    python3 fonts/build_fonts.py /tmp/fontwork            # all outputs
    python3 fonts/build_fonts.py /tmp/fontwork --only FandolFang-Regular.ttf

The work dir receives the .deb files (``apt-get download``; a .deb already
there is reused) and their unpacked trees (``dpkg -x``). The outputs are
written beside this script unless ``--out`` says otherwise. Builds are
deterministic for a given package version (head.modified is kept).
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

# Packages whose licence files are copied to licenses/ (on a full build).
LICENSE_PACKAGES = ("texlive-lang-chinese", "fonts-noto-cjk", "fonts-hanazono")
FANDOL_DIR = "usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
NOTO_DIR = "usr/share/fonts/opentype/noto"
HANAZONO_DIR = "usr/share/fonts/truetype/hanazono"

# Notice required by GPL-3 section 5a for the modified Fandol files; appended
# to every output's version string (name ID 5) for all faces alike.
MODIFIED_NOTE = "; modified 2026-11-27 by jianbao fonts/build_fonts.py (TrueType outlines, subset)"

# Maximum deviation of the quadratic approximation, in font units (1/1000 em).
CU2QU_MAX_ERR = 1.0

Range = tuple[int, int]

# Ranges kept in every face (when the face has glyphs for them).
COMMON: tuple[Range, ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement: § · × ÷ ° ± etc.
    (0x0100, 0x024F),  # Latin Extended-A/B: pinyin ā á ǎ à ü ǘ ǚ ǜ
    (0x02C6, 0x02DD),  # spacing modifiers ˇ ˉ ˊ ˋ ˙
    (0x0391, 0x03C9),  # Greek letters (GB2312 row 6)
    (0x0401, 0x0451),  # Cyrillic letters (GB2312 row 7)
    (0x2000, 0x206F),  # General Punctuation: — ‖ ‘ ’ “ ” … ‰ ※
    (0x2100, 0x218F),  # Letterlike, Number Forms: ℃ № ™ Ⅰ Ⅱ ⅰ
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators: ≤ ≥ ≠ ∶ √
    (0x2460, 0x24FF),  # Enclosed Alphanumerics: ① ⑴ ⒈
    (0x2500, 0x257F),  # Box Drawing
    (0x25A0, 0x25FF),  # Geometric Shapes: ■ □ ▲ △ ○ ●
    (0x2605, 0x2606),  # ★ ☆
    (0x3000, 0x303F),  # CJK Symbols and Punctuation: 、。〈〉《》「」【】〔〕
    (0x3200, 0x32FF),  # Enclosed CJK: ㈠ ㈡ ㊀
    (0x3300, 0x33FF),  # CJK Compatibility: ㎡ ㎏ ㎞
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms: ， ： ； ？ ！ ￥
)
CJK_BMP: tuple[Range, ...] = (
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
)
CJK_NO_EXT_A: tuple[Range, ...] = CJK_BMP[1:]
CJK_EXT_B: tuple[Range, ...] = ((0x20000, 0x2A6DF),)

# Code points that Noto CJK SC maps to proportional glyphs (· 335, — 928
# units) while Fandol and GB 2312 practice set them full-width: they are
# remapped to the face's own 'fwid' (full-width) glyph before GSUB is dropped.
FULLWIDTH_CODE_POINTS = (0x00B7, 0x2014)

# Tables that jianbao does not need: it positions glyphs itself and only
# sets horizontal text. Hinting tables are dropped by Options.hinting=False.
DROP_TABLES = ("BASE", "GDEF", "GSUB", "GPOS", "JSTF", "vhea", "vmtx", "VORG", "FFTM", "DSIG")


@dataclass(frozen=True)
class Job:
    """One output font: where its source lives and which code points to keep."""

    output: str
    package: str
    source: str  # path inside the unpacked package
    ps_name: str | None = None  # PostScript name of the face to take from a .ttc
    ranges: tuple[Range, ...] | None = None  # None keeps every glyph
    fix_yen: bool = False  # redraw a U+FFE5 that is drawn as a dollar sign


def jobs(title_weight: str = "Bold", title_ext_a: bool = True) -> list[Job]:
    """Return the build jobs; the title face weight and Ext A are selectable."""
    title_pkg = "fonts-noto-cjk" if title_weight == "Bold" else "fonts-noto-cjk-extra"
    title_cjk = CJK_BMP if title_ext_a else CJK_NO_EXT_A
    title_name = f"NotoSerifSC-{title_weight}-subset{'' if title_ext_a else '-noExtA'}.ttf"
    fandol = [
        Job(
            f"Fandol{style}-Regular.ttf",
            "texlive-lang-chinese",
            f"{FANDOL_DIR}/Fandol{style}-Regular.otf",
            fix_yen=True,
        )
        for style in ("Fang", "Song", "Hei", "Kai")
    ]
    return [
        *fandol,
        Job(
            title_name,
            title_pkg,
            f"{NOTO_DIR}/NotoSerifCJK-{title_weight}.ttc",
            f"NotoSerifCJKsc-{title_weight}",
            COMMON + title_cjk,
        ),
        Job(
            "NotoSerifSC-Regular-subset.ttf",
            "fonts-noto-cjk",
            f"{NOTO_DIR}/NotoSerifCJK-Regular.ttc",
            "NotoSerifCJKsc-Regular",
            COMMON + CJK_BMP,
        ),
        Job(
            "HanaMinB-ExtB-subset.ttf",
            "fonts-hanazono",
            f"{HANAZONO_DIR}/HanaMinB.ttf",
            None,
            COMMON + CJK_EXT_B,
        ),
    ]


def fetch(workdir: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Download (unless present) and unpack each package; return unpacked roots."""
    debs = workdir / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    roots: dict[str, Path] = {}
    for pkg in packages:
        found = sorted(debs.glob(f"{pkg}_*.deb"))
        if not found:
            subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True)
            found = sorted(debs.glob(f"{pkg}_*.deb"))
        deb = found[-1]
        root = workdir / "extract" / pkg
        if not root.is_dir():
            root.mkdir(parents=True)
            subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
        version = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True
        ).stdout.strip()
        print(f"{pkg} {version}: {deb.name}")
        roots[pkg] = root
    return roots


def debian_license_text(copyright_file: Path, name: str) -> str:
    """Return the text of the ``License: name`` paragraph of a Debian copyright file."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.strip() != f"License: {name}" or i + 1 == len(lines) or not lines[i + 1].startswith(" "):
            continue
        body = []
        for text in lines[i + 1 :]:
            if not text.startswith(" "):
                break
            body.append("" if text.strip() == "." else text[1:])
        return "\n".join(body).strip("\n") + "\n"
    raise SystemExit(f"no License: {name} paragraph in {copyright_file}")


def write_licenses(roots: dict[str, Path], dest: Path) -> None:
    """Copy the licence and copyright files shipped in the packages to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    tex = roots["texlive-lang-chinese"] / "usr/share/doc"
    noto = roots["fonts-noto-cjk"] / "usr/share/doc/fonts-noto-cjk/copyright"
    hana = roots["fonts-hanazono"] / "usr/share/doc/fonts-hanazono"
    copies = {
        "Fandol-COPYING-GPL-3.0.txt": tex / "texlive-doc/fonts/fandol/COPYING.gz",
        "Fandol-README.txt": tex / "texlive-doc/fonts/fandol/README",
        "texlive-lang-chinese-debian-copyright.txt": tex / "texlive-lang-chinese/copyright",
        "fonts-noto-cjk-debian-copyright.txt": noto,
        "fonts-hanazono-debian-copyright.txt": hana / "copyright",
        "Hanazono-README.txt": hana / "README.txt.gz",
        "Hanazono-THANKS.txt": hana / "THANKS.txt",
    }
    for name, src in copies.items():
        data = gzip.decompress(src.read_bytes()) if src.suffix == ".gz" else src.read_bytes()
        (dest / name).write_bytes(data)
    ttc = roots["fonts-noto-cjk"] / NOTO_DIR / "NotoSerifCJK-Regular.ttc"
    notice = TTCollection(ttc, lazy=True).fonts[0]["name"].getDebugName(0)
    header = (
        f"Noto Serif CJK SC: copyright notice from the font (name ID 0): {notice}\n"
        "Debian's copyright file (fonts-noto-cjk-debian-copyright.txt) lists: 2010-2012, Google Corporation.\n"
        "No Reserved Font Name is declared.\n\n"
    )
    (dest / "Noto-OFL-1.1.txt").write_text(header + debian_license_text(noto, "SIL-1.1"), encoding="utf-8")


def open_face(path: Path, ps_name: str | None) -> TTFont:
    """Open a font file, or the face named ``ps_name`` of a collection."""
    if ps_name is None:
        return TTFont(path, recalcTimestamp=False)
    names = [f["name"].getDebugName(6) for f in TTCollection(path, lazy=True).fonts]
    if ps_name not in names:
        raise SystemExit(f"{ps_name} not in {path}: {names}")
    return TTFont(path, fontNumber=names.index(ps_name), recalcTimestamp=False)


def use_fullwidth_forms(font: TTFont, code_points: Iterable[int]) -> None:
    """Point ``code_points`` at their full-width 'fwid' glyph where the face has one."""
    if "GSUB" not in font:
        return
    gsub = font["GSUB"].table
    fwid: dict[str, str] = {}
    for rec in gsub.FeatureList.FeatureRecord:
        if rec.FeatureTag != "fwid":
            continue
        for index in rec.Feature.LookupListIndex:
            lookup = gsub.LookupList.Lookup[index]
            for sub in lookup.SubTable:
                if lookup.LookupType == 7:  # extension lookup
                    sub = sub.ExtSubTable
                fwid.update(getattr(sub, "mapping", {}))
    upm = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    for table in font["cmap"].tables:
        if not table.isUnicode():
            continue
        for cp in code_points:
            alt = fwid.get(table.cmap.get(cp, ""))
            if alt is not None and hmtx[alt][0] == upm:
                table.cmap[cp] = alt


def fix_metrics(font: TTFont) -> None:
    """Repair metric fields that are wrong in a source face."""
    hhea = font["hhea"]
    if hhea.descent > 0:  # FandolSong ships hhea.descent = +200; must be <= 0
        hhea.descent = -hhea.descent


def _outline_signature(font: TTFont, name: str) -> tuple[int, ...]:
    """End points of each contour: enough to tell two different glyphs apart."""
    glyf = font["glyf"]
    _, end_pts, _ = glyf[name].getCoordinates(glyf)
    return tuple(end_pts)


def fix_fullwidth_yen(font: TTFont) -> bool:
    """Redraw U+FFE5 as the face's U+00A5 centred on the full-width advance.

    Fandol 0.3 draws U+FFE5 (GB 2312 A3A4, fullwidth yen) as a dollar sign.
    Only a glyph with the contour structure of U+0024 or U+FF04 is replaced.
    """
    cmap = font.getBestCmap()
    yen, full = cmap.get(0x00A5), cmap.get(0xFFE5)
    if yen is None or full is None or list(cmap.values()).count(full) > 1:
        return False
    dollars = {_outline_signature(font, cmap[cp]) for cp in (0x0024, 0xFF04) if cp in cmap}
    if _outline_signature(font, full) not in dollars:
        return False
    glyf, hmtx = font["glyf"], font["hmtx"]
    advance = hmtx[full][0]
    pen = TTGlyphPen(None)
    offset = round((advance - hmtx[yen][0]) / 2)
    font.getGlyphSet()[yen].draw(TransformPen(pen, (1, 0, 0, 1, offset, 0)))
    glyph = pen.glyph()
    glyph.recalcBounds(glyf)
    glyf[full] = glyph
    hmtx[full] = (advance, getattr(glyph, "xMin", 0))
    return True


def code_points(font: TTFont, ranges: Sequence[Range] | None) -> list[int]:
    """Code points of ``font``'s cmap that fall in ``ranges`` (all if None)."""
    cmap = font.getBestCmap()
    if ranges is None:
        return sorted(cmap)
    return sorted(cp for cp in cmap if any(lo <= cp <= hi for lo, hi in ranges))


def subset_font(font: TTFont, ranges: Sequence[Range] | None) -> None:
    """Subset in place; ``ranges=None`` keeps every glyph but still drops tables."""
    opts = subset.Options()
    opts.drop_tables += list(DROP_TABLES)
    opts.hinting = False
    opts.glyph_names = False  # post format 3
    opts.notdef_outline = True
    opts.name_IDs = ["*"]  # keep copyright, licence and designer records
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.legacy_kern = False
    opts.prune_unicode_ranges = True
    opts.recalc_timestamp = False
    sub = subset.Subsetter(opts)
    if ranges is None:
        sub.populate(glyphs=font.getGlyphOrder(), unicodes=code_points(font, None))
    else:
        sub.populate(unicodes=code_points(font, ranges))
    sub.subset(font)


def cff_to_glyf(font: TTFont, max_err: float = CU2QU_MAX_ERR) -> None:
    """Replace the CFF table with quadratic glyf outlines (after fontTools otf2ttf)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        tt_pen = TTGlyphPen(None)
        # PostScript outlines run counter-clockwise, TrueType clockwise.
        glyph_set[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        glyphs[name] = tt_pen.glyph(dropImpliedOnCurves=True)
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)  # computes each glyph's bounds
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = 0
    maxp.maxComponentDepth = 0
    maxp.recalc(font)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def mark_modified(font: TTFont) -> None:
    """Append the modification notice to every version string (name ID 5)."""
    for rec in font["name"].names:
        if rec.nameID == 5 and MODIFIED_NOTE not in rec.toUnicode():
            rec.string = rec.toUnicode() + MODIFIED_NOTE


def build(job: Job, root: Path, out_dir: Path) -> str:
    """Build one output and return a one-line summary."""
    start = time.monotonic()
    font = open_face(root / job.source, job.ps_name)
    use_fullwidth_forms(font, FULLWIDTH_CODE_POINTS)
    subset_font(font, job.ranges)
    if "CFF " in font:
        cff_to_glyf(font)
    if job.fix_yen and not fix_fullwidth_yen(font):
        print(f"{job.output}: U+FFE5 left as it is (not a dollar-shaped glyph)")
    fix_metrics(font)
    mark_modified(font)
    out = out_dir / job.output
    tmp = out.with_name(out.name + ".tmp")
    font.save(tmp)
    tmp.replace(out)  # atomic: readers never see a half-written font
    glyphs = font["maxp"].numGlyphs
    return f"{job.output}: {glyphs} glyphs, {out.stat().st_size / 2**20:.2f} MiB, {time.monotonic() - start:.0f} s"


def check_reportlab(path: Path) -> None:
    """Fail unless reportlab can load ``path`` (it rejects CFF outlines)."""
    from reportlab.pdfbase.ttfonts import TTFont as RLFont

    RLFont(path.stem, str(path))


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workdir", type=Path, help="scratch dir for .deb files and unpacked trees")
    ap.add_argument("--out", type=Path, default=here, help="output dir (default: this folder)")
    ap.add_argument("--only", action="append", default=[], help="build only this output (repeatable)")
    ap.add_argument("--title-weight", choices=("Bold", "Black"), default="Bold")
    ap.add_argument("--title-no-ext-a", action="store_true", help="drop CJK Ext A from the title face")
    ap.add_argument("--jobs", type=int, default=2, help="parallel builds (default 2)")
    args = ap.parse_args(argv)

    todo = [j for j in jobs(args.title_weight, not args.title_no_ext_a) if not args.only or j.output in args.only]
    if not todo:
        ap.error("--only matched no output")
    needed = {j.package for j in todo} | (set() if args.only else set(LICENSE_PACKAGES))
    roots = fetch(args.workdir.resolve(), sorted(needed))
    args.out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(build, j, roots[j.package], args.out) for j in todo]
        for fut in futures:
            print(fut.result(), flush=True)
    for j in todo:
        check_reportlab(args.out / j.output)
    print("reportlab loads every output")
    if not args.only:
        write_licenses(roots, args.out / "licenses")
        print(f"licence files written to {args.out / 'licenses'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
