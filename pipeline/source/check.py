"""Check an issue file for every problem at once, and fix the safe text hazards in place.

Structural problems come from the loader (``issue.collect_issue``); this module adds the text
hazards clerks bring in when pasting from Word or the web, characters no font has, placeholders left
from ``jianbao new``, and an issue number that does not follow the previous issue in the folder.
Hazards are looked for only inside YAML values (never in keys or comments), so a fix changes
nothing else in the file.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import cjk, safeio
from pipeline.errors import ERROR, WARNING, JianbaoError, Location, Problem, os_reason
from pipeline.source.issue import compose_positions
from pipeline.source.newissue import PLACEHOLDER_MARK, folder_heads, previous_issue, read_head
from pipeline.source.rules import (
    AS_WRITTEN,
    MAX_BYTES,
    NUMBER_RE,
    SPECIAL_NUMBER_RE,
    article_context,
    normal_number,
    section_context,
    space_runs,
)

ASCII_STOPS = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。"}
ZERO_WIDTH = cjk.IGNORABLE
FULLWIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
PLACEHOLDER = re.compile(f"（{PLACEHOLDER_MARK}[^）\n]*）?")
NUMBER_FIELDS = ("number", "total")  # the loader judges these; --fix writes them as digits
PARENS = re.compile(r"\(([^()\n]*)\)")
CN_NUMERALS = frozenset("一二三四五六七八九十百")
OPEN_CONTEXT = frozenset("“‘（《【")
MAX_FIX_PASSES = 5
CONTEXT = 4  # characters shown on each side of a hazard


@dataclass(frozen=True)
class Hazard:
    """A text hazard at ``start:end`` of a segment; ``new`` is its safe fix, or None if it needs a person."""

    start: int
    end: int
    new: str | None
    message: str
    hint: str
    fix: str = "自动改正"  # what --fix does, for the hint


@dataclass(frozen=True)
class Segment:
    """A stretch of one source line that belongs to a YAML value (0-based line, columns [start, end))."""

    line: int
    start: int
    end: int
    field: str
    quote: str  # the quoting style of the value: "", "'" or '"'


@dataclass(frozen=True)
class Change:
    """One fix made in a file: 1-based line and a little context before and after."""

    line: int
    old: str
    new: str


# ---------------------------------------------------------------- hazards in one piece of text
def _chinese(ch: str) -> bool:
    return cjk.is_wide(ch) and not ch.isspace()


def _at(text: str, i: int) -> str:
    return text[i] if 0 <= i < len(text) else ""


def hazards(text: str, *, field: str = "", quote: str = "") -> list[Hazard]:
    """Every text hazard of ``text`` (one value's piece on one line), in order, not overlapping."""
    if field in NUMBER_FIELDS:
        return list(_number(text, field))
    found = [
        *_ascii_stops(text),
        *_parens(text),
        *_straight_quotes(text, quote),
        *_fullwidth(text),
        *([] if field in AS_WRITTEN else _spaces(text)),
        *_zero_width(text),
    ]
    found.sort(key=lambda h: (h.start, h.end))
    out: list[Hazard] = []
    for h in found:
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


def _number(text: str, field: str) -> Iterator[Hazard]:
    """期号 or 总期号 written another way (第21期, 二十一, ２１): the loader reports it, --fix writes the digits."""
    if NUMBER_RE.fullmatch(text) or (field == "number" and SPECIAL_NUMBER_RE.fullmatch(text)):
        return
    fixed = normal_number(text)
    if fixed:
        yield Hazard(0, len(text), fixed, f"期号写成了“{text}”", f"应写作 {fixed}")


def _ascii_stops(text: str) -> Iterator[Hazard]:
    for i, ch in enumerate(text):
        if ch not in ASCII_STOPS:
            continue
        left, right = _at(text, i - 1), _at(text, i + 1)
        if not left or not _chinese(left) or left in OPEN_CONTEXT:
            continue
        if ch == ".":
            if not (right == "" or cjk.is_han(right) or right in OPEN_CONTEXT):
                continue
        elif not (right == "" or _chinese(right) or right.isdigit()):
            continue
        new = ASCII_STOPS[ch]
        if ch == "." and text[:i] and all(c in CN_NUMERALS for c in text[:i]):
            new = "、"  # 一.基本情况 → 一、基本情况
        yield Hazard(i, i + 1, new, f"中文里用了半角标点“{ch}”", f"应为全角“{new}”")


def _parens(text: str) -> Iterator[Hazard]:
    for m in PARENS.finditer(text):
        left, right = _at(text, m.start() - 1), _at(text, m.end())
        if left == "]":  # ![说明](图片路径)
            continue
        if any(cjk.is_han(c) for c in m[1]) or (left and cjk.is_han(left)) or (right and cjk.is_han(right)):
            yield Hazard(m.start(), m.end(), f"（{m[1]}）", "中文里用了半角括号“()”", "应为全角括号“（）”")


def _straight_quotes(text: str, quote: str) -> Iterator[Hazard]:
    for mark, (opening, closing) in (('"', "“”"), ("'", "‘’")):
        if mark == quote:
            continue  # the value's own quoting character: leave escapes alone
        where = [
            i
            for i, ch in enumerate(text)
            if ch == mark and not (mark == "'" and _at(text, i - 1).isascii() and _at(text, i - 1).isalnum())
        ]
        if not where:
            continue
        pairs = len(where) % 2 == 0
        for n, i in enumerate(where):
            new = (closing if n % 2 else opening) if pairs else None
            hint = f"应为成对的弯引号 {opening} {closing}" + ("" if pairs else "；这一段的引号不成对，请手工修改")
            yield Hazard(i, i + 1, new, f"用了直引号 {mark}", hint)


def _fullwidth(text: str) -> Iterator[Hazard]:
    for m in FULLWIDTH_ALNUM.finditer(text):
        new = "".join(chr(ord(c) - 0xFEE0) for c in m[0])
        yield Hazard(m.start(), m.end(), new, f"用了全角数字或字母“{m[0]}”", f"应为半角“{new}”")


def _spaces(text: str) -> Iterator[Hazard]:
    """White space that does not print as written (``issue.space_runs``), saying how it prints."""
    for start, end, printed in space_runs(text):
        if printed:
            hint = "印出时是一个全角空格“　”；不要空格就删去"
            yield Hazard(start, end, printed, "中文之间有空格", hint, fix="改为全角空格“　”")
        elif _chinese(_at(text, start - 1)) and _chinese(_at(text, end)):
            yield Hazard(start, end, printed, "全角标点旁有空格", "印出时不留这个空格")
        else:
            hint = "印出时不留这个空格：中文与数字、字母之间由排版自动留出间距"
            yield Hazard(start, end, printed, "中文与数字或字母之间有空格", hint)


def _zero_width(text: str) -> Iterator[Hazard]:
    for i, ch in enumerate(text):
        if ch in ZERO_WIDTH:
            yield Hazard(i, i + 1, "", f"含看不见的零宽字符 U+{ord(ch):04X}", "常见于从网页或 Word 粘贴的文字，可以删除")


def fix_text(text: str, *, field: str = "", quote: str = "") -> str:
    """``text`` with every safely fixable hazard fixed (repeated until nothing changes)."""
    for _ in range(MAX_FIX_PASSES):
        new = _apply(text, hazards(text, field=field, quote=quote))
        if new == text:
            break
        text = new
    return text


def _apply(text: str, found: list[Hazard]) -> str:
    for h in reversed(found):
        if h.new is not None and h.end > h.start:
            text = text[: h.start] + h.new + text[h.end :]
    return text


# ---------------------------------------------------------------- where the values are in a file
def value_segments(root: yaml.Node, lines: list[str]) -> Iterator[Segment]:
    """The pieces of source lines that hold YAML values (scalars that are not keys)."""
    for node, field in _values(root):
        start, end = node.start_mark, node.end_mark
        quote = node.style if node.style in ("'", '"') else ""
        first = start.line + 1 if node.style in ("|", ">") else start.line
        for ln in range(first, min(end.line, len(lines) - 1) + 1):
            src = lines[ln].rstrip("\r")
            a = start.column if ln == start.line else len(src) - len(src.lstrip(" "))
            b = end.column if ln == end.line else len(src)
            if quote:
                a += 1 if ln == start.line else 0
                b -= 1 if ln == end.line else 0
            if b > a:
                yield Segment(ln, a, b, field, quote)


def _values(root: yaml.Node) -> Iterator[tuple[yaml.ScalarNode, str]]:
    """The scalar values of an issue file with their fields, named as the loader names them:
    ``date``, ``distribution.报``, ``body，文章《标题》``."""
    for key, value in root.value if isinstance(root, yaml.MappingNode) else ():
        name = _key(key)
        if name == "sections" and isinstance(value, yaml.SequenceNode):
            for i, section in enumerate(value.value):
                yield from _keyed(section, section_context(section, i), "sections")
        else:
            yield from _nested(value, name)


def _keyed(node: yaml.Node, context: str, owner: str) -> Iterator[tuple[yaml.ScalarNode, str]]:
    """The values of a 栏目 or an article: ``key，context``; an article list goes one level down."""
    if not isinstance(node, yaml.MappingNode):
        yield from _nested(node, f"{owner}，{context}")
        return
    for key, value in node.value:
        name = _key(key)
        if owner == "sections" and name == "articles" and isinstance(value, yaml.SequenceNode):
            for j, article in enumerate(value.value):
                yield from _keyed(article, article_context(article, j, context), "articles")
        else:
            yield from _nested(value, f"{name}，{context}")


def _nested(node: yaml.Node, field: str) -> Iterator[tuple[yaml.ScalarNode, str]]:
    if isinstance(node, yaml.ScalarNode):
        yield node, field
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _nested(value, f"{field}.{_key(key)}")
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield from _nested(value, f"{field}[{i}]")


def _key(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


def text_hazards(path: Path, text: str, *, draft: bool = False) -> list[Problem]:
    """The text hazards of a file's values as warnings with file, line and column; a placeholder left
    from ``jianbao new`` is an error, or a warning in a ``draft``."""
    root = compose_positions(text)
    if root is None:
        return []
    lines = text.split("\n")
    out = []
    for seg in value_segments(root, lines):
        piece = lines[seg.line][seg.start : seg.end]
        for h in [] if seg.field in NUMBER_FIELDS else hazards(piece, field=seg.field, quote=seg.quote):
            where = Location(str(path), seg.line + 1, seg.start + h.start + 1, seg.field)
            message = f"{h.message}：{_context(piece, h.start, h.end)}" if h.end > h.start else h.message
            out.append(Problem(where, WARNING, message, h.hint + (f"（可用 --fix {h.fix}）" if h.new is not None else "")))
        for m in PLACEHOLDER.finditer(piece):
            where = Location(str(path), seg.line + 1, seg.start + m.start() + 1, seg.field)
            hint = "请换成本期的内容" + ("" if draft else "；还没写完、只想先看版面时，可加 --draft 排出草稿")
            out.append(Problem(where, WARNING if draft else ERROR, f"占位文字还没有换成本期内容：{m[0]}", hint))
    return out


def _context(text: str, start: int, end: int, width: int = CONTEXT) -> str:
    return text[max(0, start - width) : end + width]


# ---------------------------------------------------------------- reading and rewriting a user's file
def read_text_file(path: Path, what: str = "文件") -> tuple[str, bool]:
    """The text of a UTF-8 file and whether it starts with a BOM; a JianbaoError in Chinese otherwise."""
    try:
        data = safeio.read_bytes(path, MAX_BYTES)
        return data.decode("utf-8-sig"), data.startswith(b"\xef\xbb\xbf")
    except OSError as exc:
        raise JianbaoError(f"无法读取{what}：{os_reason(exc)}", Location(str(path))) from None
    except UnicodeDecodeError:
        raise JianbaoError(f"无法读取{what}：不是 UTF-8 编码", Location(str(path)), "请用 UTF-8 编码保存") from None


def rewrite_file(path: Path, text: str, bom: bool, what: str = "文件") -> None:
    """Replace the text of a user's file durably (``write_atomic``), through a symlink, keeping its permissions."""
    from pipeline.atomic import write_atomic

    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        write_atomic(target, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    except (OSError, JianbaoError) as exc:
        cause = exc.__cause__ if isinstance(exc, JianbaoError) else exc
        reason = os_reason(cause) if isinstance(cause, OSError) else "原因不明"
        hint = "原文件没有改动；请检查文件和所在文件夹是否可写，以及磁盘空间"
        raise JianbaoError(f"无法写入{what}：{reason}", Location(str(path)), hint) from None
    with contextlib.suppress(OSError):  # the text is written; a mode that cannot be restored is no reason to fail
        os.chmod(target, mode)


def fix_file(path: Path) -> list[Change]:
    """Fix the safe text hazards of ``path`` in place, keeping everything else byte for byte."""
    text, bom = read_text_file(path)
    changes: list[Change] = []
    for _ in range(MAX_FIX_PASSES):
        text, done = _fix_pass(text, changes)
        if not done:
            break
    if changes:
        rewrite_file(path, text, bom)
    return changes


def _fix_pass(text: str, changes: list[Change]) -> tuple[str, bool]:
    root = compose_positions(text)
    if root is None:
        return text, False
    lines = text.split("\n")
    changed = False
    for seg in sorted(value_segments(root, lines), key=lambda s: (s.line, -s.start)):
        line = lines[seg.line]
        piece = line[seg.start : seg.end]
        found = [h for h in hazards(piece, field=seg.field, quote=seg.quote) if h.new is not None and h.end > h.start]
        if not found:
            continue
        for cluster in _clusters(found):
            a, b = max(0, cluster[0].start - CONTEXT), cluster[-1].end + CONTEXT
            new = _apply(piece[a:b], [Hazard(h.start - a, h.end - a, h.new, h.message, h.hint) for h in cluster])
            changes.append(Change(seg.line + 1, piece[a:b], new))
        lines[seg.line] = line[: seg.start] + _apply(piece, found) + line[seg.end :]
        changed = True
    return "\n".join(lines), changed


def _clusters(found: list[Hazard]) -> list[list[Hazard]]:
    """Hazards grouped so that those close together are shown as one change."""
    groups: list[list[Hazard]] = []
    for h in found:
        if groups and h.start - groups[-1][-1].end <= 2 * CONTEXT:
            groups[-1].append(h)
        else:
            groups.append([h])
    return groups


def in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.where.line or 0, p.where.column or 0))


def source_problems(path: Path, text: str, *, draft: bool = False, in_folder: bool = True) -> list[Problem]:
    """What ``check`` adds to the loader's problems, for ``build`` too: the text hazards, placeholders
    (errors unless ``draft``) and, for a file ``in_folder``, an issue number that does not follow."""
    problems = text_hazards(path, text, draft=draft)
    sequence = sequence_problem(path) if in_folder else None
    return [*problems, sequence] if sequence else problems


def sequence_problem(path: Path) -> Problem | None:
    """A warning when the issue number does not follow the previous issue of the same bulletin in the folder."""
    head = read_head(path)
    if head is None or head.number_int is None:
        return None
    heads = folder_heads(path.parent)
    for other in heads:
        same_year = other.date and head.date and other.date.year == head.date.year
        same = other.path.resolve() != path.resolve() and other.bulletin == head.bulletin and same_year
        if same and other.number_int == head.number_int:
            hint = "请确认期号，不要和已有的一期重复"
            return Problem(head.number_where, WARNING, f"期号 {head.number} 与 {other.path.name} 重复", hint)
    prev = previous_issue(head, heads)
    if prev is None or prev.number_int is None:
        return None
    expected = prev.number_int + 1
    new_year = head.date is not None and prev.date is not None and head.date.year > prev.date.year
    if head.number_int == expected or (head.number_int == 1 and new_year):
        return None
    message = f"期号 {head.number} 没有接上上一期（{prev.path.name} 是第{prev.number}期）"
    return Problem(head.number_where, WARNING, message, f"按顺序应为 {expected}；如果确实如此，可以不改")
