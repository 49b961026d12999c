"""Font roles, metrics, coverage and fallback; font files are read through ``fontfile``.

A character is drawn by its role's font when that font has it, else by the first fallback that has
it; a character no configured font has is an error naming it and where it is (never a tofu box).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import cjk, safeio
from pipeline.errors import JianbaoError, Location
from pipeline.fonts.files import FontFile
from pipeline.layout.templates import Layout
from pipeline.resources import builtin_fonts_dir
from pipeline.source.model import Image, Issue, Paragraph, Table
from pipeline.source.rules import MAX_BYTES


@dataclass(frozen=True)
class MissingChar:
    ch: str
    where: Location

    def describe(self) -> str:
        return f"“{self.ch}”（U+{ord(self.ch):04X}）"


class FontSet:
    """The layout's font roles and fallback chain; implements ``compose.Metrics``.

    Fonts are named by their file's stem (with a digest of the path when two files share a stem):
    ``files[name]`` is the font file a glyph's ``font`` names.
    """

    def __init__(self, layout: Layout):
        self.layout = layout
        self.role_files = {role: self._find(spec, f"fonts.roles.{role}") for role, spec in layout.fonts.roles.items()}
        self.fallback_files = [self._find(spec, "fonts.fallback") for spec in layout.fonts.fallback]
        self.files: dict[str, FontFile] = {}
        self._names: dict[Path, str] = {}
        self._choice: dict[tuple[str, str], str] = {}
        self._advances: dict[tuple[str, str], float] = {}

    def _find(self, spec: str, field: str) -> Path:
        """A font file: an absolute (or ~) path as written; a name in fonts.dir, the layout's folder, or built in."""
        given = Path(spec).expanduser()
        candidates = [given] if given.is_absolute() else []
        if self.layout.fonts.dir:
            candidates.append(Path(self.layout.source_dir) / Path(self.layout.fonts.dir).expanduser() / spec)
        candidates += [Path(self.layout.source_dir) / spec, builtin_fonts_dir() / spec]
        for c in candidates:
            if c.is_file():
                return c.resolve()
        raise JianbaoError(
            f"找不到字体文件 {spec}",
            Location(self.layout.source_path or f"版式 {self.layout.name}", field=field),
            "请确认文件名，或在版式的 fonts.dir 中写明字体所在文件夹",
        )

    def name_of(self, path: Path) -> str:
        """The font's name (loading the file on first use)."""
        name = self._names.get(path)
        if name is None:
            name = path.stem
            if name in self.files:
                name = f"{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
            self.files[name] = FontFile(path)
            self._names[path] = name
        return name

    def file(self, path: Path) -> FontFile:
        return self.files[self.name_of(path)]

    def has(self, path: Path, ch: str) -> bool:
        return self.file(path).has(ch)

    def chain(self, role: str) -> Iterator[Path]:
        yield self.role_files[role]
        yield from self.fallback_files

    def font_for(self, role: str, ch: str) -> str:
        key = (role, ch)
        name = self._choice.get(key)
        if name is None:
            path = next((p for p in self.chain(role) if self.has(p, ch)), None)
            if path is None:
                raise JianbaoError(f"没有任何字体含有字符“{ch}”（U+{ord(ch):04X}）")
            name = self._choice[key] = self.name_of(path)
        return name

    def advance(self, font: str, ch: str) -> float:
        key = (font, ch)
        width = self._advances.get(key)
        if width is None:
            width = self._advances[key] = self.files[font].char_advance(ch)
        return width

    def covers(self, role: str, ch: str) -> bool:
        return any(self.has(p, ch) for p in self.chain(role))


def _texts(issue: Issue, layout: Layout) -> Iterator[tuple[str, str, Location]]:
    """Every printed text of the issue with the font role that prints it and where it comes from."""
    st = layout.style
    top = issue.where
    yield issue.bulletin, st("mast_name").font, top.get("bulletin", Location(issue.source_path))
    if issue.title:
        yield issue.title, st("mast_title").font, top.get("title", Location(issue.source_path))
    yield f"第{issue.number}期（总第{issue.total}期）", st("mast_number").font, top["number"]
    yield issue.issuer, st("mast_issuer").font, top["issuer"]
    yield "0123456789年月日", st("mast_issuer").font, top["date"]
    if issue.mark:
        yield issue.mark, st("mast_mark").font, top["mark"]
    for sec in issue.sections:
        yield f"【{sec.name}】", st("section").font, sec.where
        if issue.toc:
            yield f"【{sec.name}】", st("toc_section").font, sec.where
        for art in sec.articles:
            title_roles = [st("bold").font] if art.brief else [st("title").font]
            if issue.toc:
                title_roles.append(st("toc_entry").font)
            for role in title_roles:
                yield art.title, role, art.where
            if art.source:
                yield art.source, st("source").font, art.where
            if art.note:
                yield layout.note.label, st(layout.note.label_style).font, art.where
                yield art.note, st("note").font, art.where
            for block in art.blocks:
                if isinstance(block, Paragraph):
                    for run in block.runs:
                        name = f"heading{block.heading}" if block.heading else ("bold" if run.bold else "body")
                        yield run.text, st(name).font, block.where
                elif isinstance(block, Image) and block.caption:
                    yield block.caption, st("caption").font, block.where
                elif isinstance(block, Table):
                    for r, row in enumerate(block.rows):
                        yield "".join(row), st("table_header" if block.header and not r else "table").font, block.where
    for key, value in issue.distribution:
        yield f"{key}：{value}", st("tail").font, top.get("distribution", Location(issue.source_path))
    yield "共印份0123456789", st("tail").font, top.get("copies", Location(issue.source_path))
    yield "—0123456789 ", st("folio").font, Location(issue.source_path)


def missing_chars(issue: Issue, layout: Layout, fonts: FontSet) -> list[MissingChar]:
    """Characters that neither the role's font nor any fallback has, first occurrence of each."""
    seen: set[tuple[str, str]] = set()
    missing: dict[str, MissingChar] = {}
    for text, role, where in _texts(issue, layout):
        for ch in text:
            if ch.isspace() or ch in cjk.IGNORABLE or (role, ch) in seen:
                continue
            seen.add((role, ch))
            if not fonts.covers(role, ch) and ch not in missing:
                missing[ch] = MissingChar(ch, _char_location(where, text, ch))
    return list(missing.values())


def _char_location(where: Location, text: str, ch: str) -> Location:
    """Point at the character's column when the source line is available."""
    if where.line is None:
        return where
    try:
        lines = safeio.read_text(where.file, MAX_BYTES, "utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return where
    for offset in range(0, 400):
        idx = where.line - 1 + offset
        if idx >= len(lines):
            break
        col = lines[idx].find(ch)
        if col >= 0:
            return Location(where.file, idx + 1, col + 1, where.field)
    return where


def check_coverage(issue: Issue, layout: Layout, fonts: FontSet) -> None:
    """Raise a JianbaoError naming every character no configured font can print."""
    missing = missing_chars(issue, layout, fonts)
    if not missing:
        return
    first = missing[0]
    others = "".join(f"\n  {m.where}: {m.describe()}" for m in missing[1:20])
    raise JianbaoError(
        f"字体中没有字符 {first.describe()}，无法印出{'；另有：' + others if others else ''}",
        first.where,
        "可在版式 fonts.fallback 中加入含有该字的字体，或改用常用字",
    )


def role_table(fonts: FontSet, roles: Iterable[str]) -> list[tuple[str, str]]:
    return [(r, str(fonts.role_files[r])) for r in roles]
