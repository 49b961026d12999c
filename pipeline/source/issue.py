"""Load and validate an issue file, keeping source positions for every message.

The YAML is composed into nodes with PyYAML's safe loader (no object construction, no aliases), then
converted by hand so that each value keeps its line and column. Every problem is recorded and reading
goes on (``collect_issue``); ``load_issue`` raises one error carrying all of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import yaml

from pipeline import cjk, safeio
from pipeline.errors import ERROR, JianbaoError, Location, Problem, os_reason
from pipeline.source.model import Article, Block, Image, Issue, Paragraph, Run, Section, Table

TOP_KEYS = (
    "layout",
    "bulletin",
    "title",
    "number",
    "total",
    "issuer",
    "date",
    "mark",
    "toc",
    "sections",
    "distribution",
    "copies",
    "keywords",
    "classification",
    "retention",
)
CLASSIFICATIONS = ("公开", "内部", "秘密", "机密", "绝密")  # 密级
RETENTIONS = ("永久", "长期", "短期", "30年", "10年")  # 保管期限 (GB/T 18894; DA/T 22: 永久, 定期30年, 定期10年)
SECTION_KEYS = ("name", "articles")
ARTICLE_KEYS = ("title", "body", "brief", "source", "note")
DISTRIBUTION_KEYS = ("报", "送", "发", "抄送", "本期增发")
MAX_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_PROBLEMS = 200  # a hostile or garbled file stops being read after this many problems
TOO_MANY = f"问题太多，只列出前 {MAX_PROBLEMS} 个"
STDIN_NAME = "标准输入"  # how messages name an issue file read from standard input (``jianbao build -``)

HEADING_PATTERNS = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十百]+）")),
    (3, re.compile(r"^\d{1,3}[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,3}[）)]")),
)
HEADING_STOPS = frozenset("。！？；")
PLACEHOLDER_DATE = dt.date(2000, 1, 1)  # stands in for a bad date while the rest of the file is checked
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # Cc and Cs, less tab, LF, CR
CONTROL_STANDIN = "\u3000"  # stands in for a control character while the rest of the file is checked
T = TypeVar("T")
# a table's separator cell: ---, :---:, or a relative column width between dashes, --2--
TABLE_SEPARATOR = re.compile(r":?(?:-{3,}|-+\s*(?P<width>\d{1,3}(?:\.\d{1,2})?)\s*-+):?")
TABLE_CAPTION = re.compile(r"表[：:]\s*(?P<caption>.*)")  # a line above a table's rows: its title
IMAGE_RE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)\s]+)(?:\s+(?P<width>\d{1,3})%)?\)$")


TOP_LABELS = {
    "layout": "版式",
    "bulletin": "报头名称",
    "title": "报头第二行",
    "number": "期号",
    "total": "总期号",
    "issuer": "编印单位",
    "date": "印发日期",
    "mark": "左上角标注",
    "toc": "目录开关",
    "sections": "栏目列表",
    "distribution": "报尾",
    "copies": "印数",
    "keywords": "关键词",
    "classification": "密级",
    "retention": "保管期限",
}
NESTED_LABELS = {
    "name": "栏目名称",
    "articles": "文章列表",
    "title": "标题",
    "body": "正文",
    "brief": "简讯标记",
    "source": "来源",
    "note": "编者按",
}
HOW_TO_FILL = {
    "bulletin": "例如 bulletin: 周口精神文明建设",
    "number": "例如 number: 21（印作“第21期”）",
    "issuer": "例如 issuer: 周口市文明办",
    "date": "例如 date: 2023-09-15",
    "sections": "在 sections: 下面列出栏目，每个栏目写 name 和 articles（可先运行 jianbao new 生成一期作样子）",
    "name": "例如 name: 工作动态（印出时自动加【】）",
    "articles": "在 articles: 下面列出文章，每篇以“- title: 标题”开始",
    "title": "例如 title: 全市文明实践推进会召开",
    "body": "写 body: |，正文从下一行起、比 body 多缩进两格，每段一行，段与段之间空一行",
}
NUMBER_RE = re.compile(r"[1-9][0-9]{0,8}")
SPECIAL_NUMBER_RE = re.compile(r"(?:增刊|特刊|专刊)(?:[1-9][0-9]{0,8})?")  # printed as written
FIX_NUMBER_HINT = "只写数字，印出时自动加“{printed}”；可运行 jianbao check --fix 自动改正"
NUMBER_HINT = "期号用半角数字书写，从 1 开始，例如 number: 21（印作“第21期”）；增刊写作 增刊1"
CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_NUMERAL_RE = re.compile(  # 一 … 九千九百九十九, with 零 for a missing place
    r"(?:[一二两三四五六七八九]?千)?(?:[零〇]?[一二两三四五六七八九]?百)?(?:[零〇]?[一二三四五六七八九]?十)?[零〇]?[一二三四五六七八九]?"
)
AS_WRITTEN = ("layout", "bulletin", "title", "number", "issuer", "mark")  # the masthead prints spaces as written
SPACE_RUN = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f]+")  # white space within a line, less U+3000
BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")  # letters and marks that print nothing


def field_label(field: str) -> str:
    """The Chinese name of a field (``issuer`` → 编印单位; ``body，文章《…》`` → 正文)."""
    key, nested, _ = field.partition("，")
    if key.startswith("distribution."):
        return f"报尾“{key.removeprefix('distribution.')}”一行"
    return (NESTED_LABELS if nested else TOP_LABELS).get(key, key)


def visible(text: str) -> str:
    """``text`` without what prints nothing: spaces, zero-width and other format characters."""
    return "".join(ch for ch in text if not _prints_nothing(ch))


def _prints_nothing(ch: str) -> bool:
    if ch.isspace() or ch in BLANK_LETTERS or 0xFE00 <= ord(ch) <= 0xFE0F:  # (variation selectors)
        return True
    return unicodedata.category(ch) in ("Cf", "Cc", "Cs", "Zs")


def _word(ch: str) -> bool:
    """A Chinese character (or another full-width letter or digit), not punctuation."""
    return cjk.is_wide(ch) and unicodedata.category(ch)[0] in "LN"


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """The characters on either side of ``text[start:end]``, looking through ``**`` bold marks."""
    left = text[:start].rstrip("*")[-1:]
    right = text[end:].lstrip("*")[:1]
    return left, right


def printed_space(left: str, right: str) -> str | None:
    """What white space written between ``left`` and ``right`` prints as: an ideographic space between
    Chinese characters; nothing beside full-width punctuation or between Chinese and Latin letters or
    digits (composition puts its own gap there); None where it is printed as written."""
    if _word(left) and _word(right):
        return "\u3000"
    wide = (cjk.is_wide(left) and not left.isspace(), cjk.is_wide(right) and not right.isspace())
    latin = (left.isascii() and left.isalnum(), right.isascii() and right.isalnum())
    if any(wide) and (wide[0] or latin[0]) and (wide[1] or latin[1]):
        return ""
    return None


def space_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Each run of white space in ``text`` that is not printed as written, and what it prints as."""
    for m in SPACE_RUN.finditer(text):
        left, right = _around(text, m.start(), m.end())
        printed = printed_space(left, right) if left and right else None
        if printed is not None:
            yield m.start(), m.end(), printed


def settle_spaces(text: str) -> str:
    """``text`` with its white space as it prints (``space_runs``), so that composition drops none silently."""
    for start, end, printed in reversed(list(space_runs(text))):
        text = text[:start] + printed + text[end:]
    return text


def normal_number(text: str) -> str | None:
    """A 期号 or 总期号 written another way (第21期, 21期, 二十一, ２１, 021, 总第86期) as its digits, or None."""
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    m = re.fullmatch(r"总?第?(?P<n>[0-9]+|[〇零一二两三四五六七八九十百千]+)期?", compact)
    if not m:
        return None
    digits = m["n"]
    if not digits.isascii():
        if not CHINESE_NUMERAL_RE.fullmatch(digits):
            return None
        digits = str(_chinese_number(digits))
    digits = digits.lstrip("0")
    return digits if NUMBER_RE.fullmatch(digits) else None


def _chinese_number(text: str) -> int:
    """一 … 九千九百九十九 as an integer."""
    total = digit = 0
    for ch in text:
        if ch in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[ch]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
    return total + digit


def is_null(node: yaml.Node) -> bool:
    """A YAML null (``~``, ``null`` or nothing after the colon): the same as a key not written."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def section_context(node: yaml.Node, index: int) -> str:
    """A 栏目 as a clerk knows it: by its name, or by its place when it has none."""
    name = visible(_key_text(node, "name")).removeprefix("【").removesuffix("】")
    return f"栏目“{name}”" if name else f"第{index + 1}个栏目"


def article_context(node: yaml.Node, index: int, section: str) -> str:
    """An article as a clerk knows it: by its title, or by its place in its 栏目 when it has none."""
    title = visible(_key_text(node, "title"))
    if title:
        return f"文章《{title if len(title) <= 16 else title[:15] + '…'}》"
    return f"{section}的第{index + 1}篇文章"


def _key_text(node: yaml.Node, key: str) -> str:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return str(v.value) if isinstance(v, yaml.ScalarNode) and not is_null(v) else ""
    return ""


def heading_level(text: str) -> int:
    """1-4 for a paragraph that is a numbered heading (一、 （一） 1. （1）) without sentence stops."""
    if any(c in HEADING_STOPS for c in text) or len(text) > 60:
        return 0
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return 0


class _Recorded(Exception):
    """Raised after a problem was recorded: the caller skips the value and reads on."""


class _Stop(Exception):
    """Raised after a problem that ends reading the file."""


class IssueError(JianbaoError):
    """The first error of an issue file as message and place; every problem found in ``problems``."""

    def __init__(self, problems: list[Problem]):
        errors = [p for p in problems if p.level == ERROR]
        first = errors[0]
        hint = first.hint
        if len(errors) > 1:
            name = "-" if first.where.file == STDIN_NAME else first.where.file
            more = f"另有 {len(errors) - 1} 个问题，运行 jianbao check {name} 可一次看到全部"
            hint = f"{hint}；{more}" if hint else more
        super().__init__(first.message, first.where, hint)
        self.problems = problems


class _Reader:
    """Converts composed YAML nodes to the model, recording every problem with its position.

    A bad value is recorded and replaced by a placeholder (or its article skipped) so that reading
    goes on and one run reports all problems of the file.
    """

    def __init__(self, path: Path, text: str, problems: list[Problem] | None = None):
        self.path = path
        self.lines = text.splitlines()
        self.nodes = 0
        self.problems: list[Problem] = problems if problems is not None else []
        self.nulls: dict[int, dict[str, yaml.Node]] = {}  # per mapping: keys written with a null value

    def loc(self, node: yaml.Node | None, field: str) -> Location:
        if node is None:
            return Location(str(self.path), None, None, field)
        return Location(str(self.path), node.start_mark.line + 1, node.start_mark.column + 1, field)

    def report(self, message: str, where: Location, hint: str | None = None) -> _Recorded:
        self.problems.append(Problem(where, ERROR, message, hint))
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems.append(Problem(Location(str(self.path)), ERROR, TOO_MANY, "请先改正上面列出的问题"))
            raise _Stop
        return _Recorded(message)

    def fail(self, message: str, node: yaml.Node | None, field: str, hint: str | None = None) -> _Recorded:
        return self.report(message, self.loc(node, field), hint)

    def attempt(self, read: Callable[[], T], default: T) -> T:
        """``read()``, or ``default`` when it recorded a problem."""
        try:
            return read()
        except _Recorded:
            return default

    def mapping(
        self, node: yaml.Node, field: str, allowed: tuple[str, ...], name: Callable[[str], str], shape: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of a mapping that have a value (a null value is recorded as not written)."""
        if not isinstance(node, yaml.MappingNode):
            colon = KEY_WITH_FULLWIDTH_COLON.match(str(node.value)) if isinstance(node, yaml.ScalarNode) else None
            if colon:
                raise self.fail(f"“{colon['key']}”后面用了全角冒号“：”", node, field, fullwidth_colon_hint(colon["key"]))
            raise self.fail(f"这里应写作“键: 值”的形式：{shape}", node, field)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        nulls = self.nulls.setdefault(id(node), {})
        for key_node, value_node in node.value:
            self.count()
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key not in allowed:
                import difflib  # only for a misspelt key

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"是不是想写 {close[0]}？" if close else f"可用的键：{'、'.join(allowed)}"
                self.fail(f"未知的键 {key}", key_node, name(key), hint)
            elif key in out or key in nulls:
                self.fail(f"键 {key} 重复出现", key_node, name(key), "同一个键只写一次")
            elif is_null(value_node):
                nulls[key] = key_node
            else:
                out[key] = (key_node, value_node)
        return out

    def missing(self, node: yaml.Node, key: str, field: str, owner: str = "") -> None:
        """Record a required ``key`` of the mapping ``node`` as not written, or written without a value."""
        label = field_label(field)
        written = self.nulls.get(id(node), {}).get(key)
        if written is not None:
            self.fail(f"{label}没有填写", written, field, HOW_TO_FILL.get(key, f"在 {key}: 后面写上{label}"))
        else:
            self.fail(f"{owner}缺少{'必填项：' if not owner else ''}{label}", node, field, HOW_TO_FILL.get(key))

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.report("文件结构过大（节点过多），拒绝处理", Location(str(self.path)))
            raise _Stop

    def scalar(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(f"{field_label(field)}应为一段文字，不是列表或映射", node, field, "检查缩进和“-”")
        return "" if is_null(node) else str(node.value)

    def text(self, node: yaml.Node, field: str, *, required: bool = True) -> str:
        """A text value, stripped. Empty is an error when ``required``; written but with nothing visible
        (spaces, zero-width characters) is always one. White space is settled as it prints (``settle_spaces``)
        except in the masthead, which prints it as written."""
        raw = self.scalar(node, field)
        value = raw.strip()
        label = field_label(field)
        if not raw and required:
            raise self.fail(f"{label}不能为空", node, field, HOW_TO_FILL.get(field.partition("，")[0]))
        if raw and not visible(raw):
            invisible = "、".join(sorted({f"U+{ord(c):04X}" for c in value}))
            what = f"只有看不见的字符（{invisible}）" if value else "只有空格"
            hint = '不要第二行就写 title: ""' if field == "title" else "请删去这些字符，写上内容"
            raise self.fail(f"{label}{what}", node, field, hint)
        self.check_chars(value, node, field)
        return value if field in AS_WRITTEN else settle_spaces(value)

    def check_chars(self, value: str, node: yaml.Node, field: str) -> None:
        for i, ch in enumerate(value):
            cat = unicodedata.category(ch)
            if (cat == "Cc" and ch not in "\n\t") or cat == "Cs":
                line, col = self.char_position(node, value, i)
                self.report(
                    f"{field_label(field)}含不可打印的控制字符 U+{ord(ch):04X}",
                    Location(str(self.path), line, col, field),
                    "请删除该字符（常见于从网页或 Word 粘贴的文字）",
                )

    def char_position(self, node: yaml.Node, value: str, index: int) -> tuple[int, int]:
        """Best-effort source line and column of ``value[index]``."""
        line = node.start_mark.line + value[:index].count("\n")
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            line += 1
        line = min(line, len(self.lines) - 1) if self.lines else 0
        src = self.lines[line] if self.lines else ""
        ch = value[index]
        col = src.find(ch)
        return line + 1, (col + 1 if col >= 0 else 1)

    def boolean(self, node: yaml.Node, field: str) -> bool:
        value = self.scalar(node, field).lower()
        if value in ("true", "yes", "on", "是"):
            return True
        if value in ("false", "no", "off", "否"):
            return False
        raise self.fail(f"{field_label(field)}应为 true 或 false，而不是“{value}”", node, field)

    def choice(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> str:
        """One of the ``allowed`` values, as written."""
        value = self.scalar(node, field).strip()
        if value not in allowed:
            raise self.fail(f"{field_label(field)}“{value}”不是可用的值", node, field, "应为以下之一：" + "、".join(allowed))
        return value

    def integer(self, node: yaml.Node, field: str) -> int:
        value = self.scalar(node, field).strip()
        if not NUMBER_RE.fullmatch(value):
            fixed = normal_number(value) if field == "total" else None
            if fixed:
                hint = FIX_NUMBER_HINT.format(printed="（总第…期）")
                raise self.fail(f"{field_label(field)}应写作 {fixed}，而不是“{value}”", node, field, hint)
            raise self.fail(f"{field} 应为正整数，而不是“{value}”", node, field, "用半角数字书写，例如 60")
        return int(value)

    def issue_number(self, node: yaml.Node, field: str) -> str:
        """期号: a positive integer in ASCII digits, or a supplement such as 增刊1 (printed as written)."""
        value = self.text(node, field)
        if NUMBER_RE.fullmatch(value) or SPECIAL_NUMBER_RE.fullmatch(value):
            return value
        fixed = normal_number(value)
        if fixed:
            raise self.fail(f"期号应写作 {fixed}，而不是“{value}”", node, field, FIX_NUMBER_HINT.format(printed="第…期"))
        raise self.fail(f"期号应为正整数，而不是“{value}”", node, field, NUMBER_HINT)

    def section_name(self, node: yaml.Node, field: str) -> str:
        name = self.text(node, field).strip().removeprefix("【").removesuffix("】").strip()
        if not visible(name):
            raise self.fail("栏目名称不能为空", node, field, "写栏目名即可，例如 工作动态（印出时自动加【】）")
        return name

    def date(self, node: yaml.Node, field: str) -> dt.date:
        value = self.scalar(node, field).strip()
        m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", value)
        if not m:
            if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
                hint = "日期里的数字要用半角 0-9 书写，例如 2023-08-30"
                raise self.fail(f"日期“{value}”用了全角或其他文字的数字", node, field, hint)
            raise self.fail(f"日期“{value}”格式不对", node, field, "应写作 YYYY-MM-DD，例如 2023-08-30")
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise self.fail(f"日期“{value}”不存在", node, field, "请检查月份和日期") from None

    # ---------------------------------------------------------------- body
    def body(self, node: yaml.Node, field: str, issue_dir: Path) -> tuple[Block, ...]:
        raw = self.scalar(node, field)
        self.check_chars(raw, node, field)
        block_scalar = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
        first_line = node.start_mark.line + (1 if block_scalar else 0)
        blocks: list[Block] = []
        lines = raw.split("\n")
        before = len(self.problems)
        start = 0
        while start < len(lines):
            if not lines[start].strip():
                start += 1
                continue
            end = start
            while end < len(lines) and lines[end].strip():
                end += 1
            chunk = [ln.strip() for ln in lines[start:end]]
            src_line = first_line + start
            col = self._column(src_line)
            where = Location(str(self.path), src_line + 1, col, field)
            with contextlib.suppress(_Recorded):
                blocks.append(self.block(chunk, where, issue_dir))
            start = end
        if not blocks:
            if len(self.problems) == before:
                self.fail(f"{field_label(field)}不能为空", node, field, HOW_TO_FILL["body"])
            raise _Recorded(field)
        return tuple(blocks)

    def _column(self, line0: int) -> int:
        if 0 <= line0 < len(self.lines):
            src = self.lines[line0]
            return len(src) - len(src.lstrip()) + 1
        return 1

    def block(self, chunk: list[str], where: Location, issue_dir: Path) -> Block:
        if len(chunk) == 1 and chunk[0].startswith("!["):
            return self.image(chunk[0], where, issue_dir)
        if all(ln.startswith("|") and ln.endswith("|") for ln in chunk):
            return self.table(chunk, where)
        caption = TABLE_CAPTION.match(chunk[0])
        if caption and len(chunk) > 1 and all(ln.startswith("|") and ln.endswith("|") for ln in chunk[1:]):
            rows_at = Location(where.file, where.line + 1 if where.line else None, where.column, where.field)
            return dataclasses.replace(self.table(chunk[1:], rows_at), caption=settle_spaces(caption["caption"].strip()))
        text = settle_spaces("".join(chunk))
        runs = self.runs(text, where)
        plain = "".join(r.text for r in runs)
        return Paragraph(runs=runs, where=where, heading=heading_level(plain))

    def runs(self, text: str, where: Location) -> tuple[Run, ...]:
        parts = text.split("**")
        if len(parts) % 2 == 0:
            raise self.report("加粗标记 ** 没有成对出现", where, "加粗的文字应写作 **一是……。**")
        runs = tuple(Run(p, bold=bool(i % 2)) for i, p in enumerate(parts) if p)
        if not runs:
            raise self.report("段落没有文字", where)
        if not visible(text.replace("**", "")):
            raise self.report("段落只有空格或看不见的字符", where, "请删去这一段，或写上文字")
        return runs

    def image(self, line: str, where: Location, issue_dir: Path) -> Image:
        m = IMAGE_RE.match(line)
        if not m:
            raise self.report("图片写法不对", where, "应写作 ![图片说明](图片路径) 或 ![图片说明](图片路径 60%)")
        rel = m["path"]
        target = safeio.resolved(issue_dir / rel)
        problem = safeio.problem(target)
        if problem and problem != safeio.NOT_FOUND:  # a folder, a FIFO, a device, a symlink loop…
            raise self.report(f"图片文件 {rel} 无法使用：{problem}", where, "请在这里写 JPEG 或 PNG 图片文件的路径")
        if safeio.resolved(issue_dir) not in target.parents:
            hint = "请把图片放在期刊文件的文件夹（或其子文件夹）里"
            raise self.report(f"图片路径 {rel} 在期刊文件所在文件夹之外", where, hint)
        if problem:
            raise self.report(f"找不到图片文件 {rel}", where)
        width = int(m["width"]) / 100 if m["width"] else 1.0
        if not 0 < width <= 1:
            raise self.report(f"图片宽度 {m['width']}% 超出范围", where, "宽度应在 1% 到 100% 之间")
        return Image(path=str(target), caption=settle_spaces(m["caption"].strip()), width=width, where=where)

    def table(self, chunk: list[str], where: Location) -> Table:
        rows = [tuple(settle_spaces(c.strip()) for c in ln[1:-1].split("|")) for ln in chunk]
        seps = [TABLE_SEPARATOR.fullmatch(c) for c in rows[1]] if len(rows) > 1 else [None]
        header = all(seps)
        widths = None
        if header:
            rows.pop(1)
            sep_where = Location(where.file, where.line + 1 if where.line else None, where.column, where.field)
            if len(seps) != len(rows[0]):
                raise self.report("表格分隔行的列数与表头不一致", sep_where)
            given = [m["width"] for m in seps if m and m["width"]]
            if given:
                hint = "列宽写在分隔行里，每列一个数，如 |--2--|--1--|--1--|"
                if len(given) != len(seps):
                    raise self.report("表格分隔行的列宽要么每列都写，要么都不写", sep_where, hint)
                numbers = [float(g) for g in given]
                if min(numbers) <= 0:
                    raise self.report("表格列宽应大于 0", sep_where, hint)
                widths = tuple(n / sum(numbers) for n in numbers)
        ncols = len(rows[0])
        if any(len(r) != ncols for r in rows):
            raise self.report("表格各行的单元格数不一致", where)
        return Table(rows=tuple(rows), header=header, widths=widths, where=where)

    # ---------------------------------------------------------------- structure
    def article(self, node: yaml.Node, context: str, issue_dir: Path) -> Article:
        """The article, or _Recorded when its title or body is unusable (after reading all its keys)."""
        keys = self.mapping(node, f"articles，{context}", ARTICLE_KEYS, lambda k: f"{k}，{context}", "- title: 标题 和 body: |")

        def field(key: str) -> str:
            return f"{key}，{context}"

        def value(key: str, read: Callable[[yaml.Node, str], T], default: T) -> T:
            return self.attempt(lambda: read(keys[key][1], field(key)), default) if key in keys else default

        usable = True
        for req in ("title", "body"):
            if req not in keys:
                self.missing(node, req, field(req), owner="文章")
                usable = False
        title = value("title", self.text, None)
        brief = value("brief", self.boolean, False)
        no_blocks: tuple[Block, ...] = ()
        blocks = value("body", lambda n, f: self.body(n, f, issue_dir), no_blocks)
        if brief and blocks and not isinstance(blocks[0], Paragraph):
            raise self.fail("简讯（brief）的正文应以文字段落开始", keys["body"][1], field("body"))
        if not usable or title is None or not blocks:
            raise _Recorded(context)
        return Article(
            title=title,
            blocks=blocks,
            where=self.loc(keys["title"][1], field("title")),
            brief=brief,
            source=value("source", self.text, None),
            note=value("note", self.text, None),
        )

    def section(self, node: yaml.Node, index: int, issue_dir: Path) -> Section:
        context = section_context(node, index)
        shape = "- name: 栏目名 和 articles:"
        keys = self.mapping(node, f"sections，{context}", SECTION_KEYS, lambda k: f"{k}，{context}", shape)
        name = ""
        if "name" not in keys:
            self.missing(node, "name", f"name，{context}")
        else:
            name = self.attempt(lambda: self.section_name(keys["name"][1], f"name，{context}"), "")
        arts: list[Article] = []
        arts_node = keys["articles"][1] if "articles" in keys else None
        if not isinstance(arts_node, yaml.SequenceNode) or not arts_node.value:
            what = f"栏目“{name}”" if name else context
            self.fail(f"{what}没有文章", arts_node or node, f"articles，{context}", HOW_TO_FILL["articles"])
        else:
            for i, a in enumerate(arts_node.value):
                with contextlib.suppress(_Recorded):
                    arts.append(self.article(a, article_context(a, i, context), issue_dir))
        where_node = keys["name"][1] if "name" in keys else node
        return Section(name=name, articles=tuple(arts), where=self.loc(where_node, f"name，{context}"))

    def distribution(self, node: yaml.Node) -> tuple[tuple[str, str], ...]:
        keys = self.mapping(node, "distribution", DISTRIBUTION_KEYS, lambda k: f"distribution.{k}", "报: 收文单位")
        out = []
        for key, (_, value) in keys.items():
            with contextlib.suppress(_Recorded):
                out.append((key, self.text(value, f"distribution.{key}")))
        return tuple(out)

    def issue(self, root: yaml.Node) -> Issue:
        """The issue read so far, with placeholders where values were bad; problems are in ``self.problems``."""
        keys = self.mapping(root, "", TOP_KEYS, lambda k: k, "bulletin: 报头名称、number: 期号 …")
        for req in ("bulletin", "number", "issuer", "date", "sections"):
            if req not in keys:
                self.missing(root, req, req)
        issue_dir = self.path.parent
        sections: list[Section] = []
        if "sections" in keys:
            secs_node = keys["sections"][1]
            if not isinstance(secs_node, yaml.SequenceNode) or not secs_node.value:
                self.fail("sections 应为栏目列表，且至少有一个栏目", secs_node, "sections", HOW_TO_FILL["sections"])
            else:
                for i, s in enumerate(secs_node.value):
                    with contextlib.suppress(_Recorded):
                        sections.append(self.section(s, i, issue_dir))

        def value(key: str, read: Callable[[yaml.Node, str], T], default: T) -> T:
            return self.attempt(lambda: read(keys[key][1], key), default) if key in keys else default

        def opt_text(node: yaml.Node, key: str) -> str:
            return self.text(node, key, required=False)

        keywords: tuple[str, ...] = tuple(s.name for s in sections)
        if "keywords" in keys:
            kw = keys["keywords"][1]
            if not isinstance(kw, yaml.SequenceNode):
                self.fail("keywords 应为列表", kw, "keywords")
            else:
                words = []
                for k in kw.value:
                    with contextlib.suppress(_Recorded):
                        words.append(self.text(k, "keywords"))
                keywords = tuple(words)
        where = {k: self.loc(v, k) for k, (_, v) in keys.items()}
        for key in ("bulletin", "number", "issuer", "date"):
            where.setdefault(key, self.loc(root, key))
        bulletin = value("bulletin", self.text, "")
        total = value("total", self.integer, None)
        default_title = None if bulletin.endswith("简报") else "简报"  # 《…工作简报》 needs no second 简报
        return Issue(
            bulletin=bulletin,
            number=value("number", self.issue_number, "?"),
            issuer=value("issuer", self.text, ""),
            date=value("date", self.date, PLACEHOLDER_DATE),
            sections=tuple(sections),
            source_path=str(self.path),
            title=value("title", opt_text, "") if "title" in keys else default_title,
            total=str(total) if total else None,
            mark=value("mark", opt_text, None),
            toc=value("toc", self.boolean, True),
            layout=value("layout", opt_text, None),
            distribution=self.attempt(lambda: self.distribution(keys["distribution"][1]), ()) if "distribution" in keys else (),
            copies=value("copies", self.integer, None),
            keywords=keywords,
            classification=value("classification", lambda n, k: self.choice(n, k, CLASSIFICATIONS), None),
            retention=value("retention", lambda n, k: self.choice(n, k, RETENTIONS), None),
            where=where,
        )


class _NoAliasLoader(yaml.SafeLoader):
    """Safe composition that refuses anchors and aliases (no alias bombs) and custom tags."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "不允许使用别名（*alias）", event.start_mark)
        return super().compose_node(parent, index)


# libyaml composes about ten times faster; the pre-scan (_too_big) has refused aliases by then
_COMPOSER = getattr(yaml, "CSafeLoader", None) or _NoAliasLoader

INDENT_HINT = "检查缩进（用空格，不用 Tab）和冒号后的空格"
QUOTE_HINT = '要给整个值加上双引号，例如 note: "**编者按**……"'
# PyYAML's and libyaml's problems (matched in the problem, then in the context) as a message and a hint
_YAML_PROBLEMS = (
    ("while scanning an alias", "以 * 开头的值被 YAML 当作别名", f"以 * 开头的值（如 **加粗**）{QUOTE_HINT}"),
    ("while scanning an anchor", "以 & 开头的值被 YAML 当作锚点", "以 & 开头的值要加引号"),
    ("undefined alias", "不允许使用别名（*alias）", f"以 * 开头的值{QUOTE_HINT}"),
    ("duplicate anchor", "不允许使用锚点（&anchor）", "以 & 开头的值要加引号"),
    ("tab character", "含有 Tab 字符（YAML 只能用空格缩进）", "把 Tab 换成空格"),
    ("character '\\t'", "含有 Tab 字符（YAML 只能用空格缩进）", "把 Tab 换成空格"),
    ("cannot start any token", "值不能以这个字符开头", "值以 @ ` % 等符号开头时，给整个值加上引号"),
    ("could not find expected ':'", "找不到应有的冒号“:”", "上一行可能缺少冒号（键后面写“: ”），或引号没有配对"),
    ("mapping values are not allowed", "这里不能出现“键: 值”", "冒号后要有空格；值里有“: ”时给整个值加引号；或检查缩进"),
    ("mapping keys are not allowed", "这里不能出现以“? ”开头的键", "值以 ? 开头时给整个值加引号"),
    ("did not find expected key", "找不到应有的键（缩进可能不一致）", "同一层的键要左对齐；以引号开头的值要以同样的引号结束"),
    ("expected '-' indicator", "列表项缺少“-”（缩进可能不一致）", INDENT_HINT),
    ("block sequence entries are not allowed", "这里不能开始列表", "检查“-”前的缩进"),
    ("node content", "这里缺少内容", "可能多了一个“-”、逗号或冒号"),
    ("unexpected end of stream", "文件意外结束", "引号或括号没有配对"),
    ("unknown escape character", "双引号里有无法识别的反斜杠转义“\\”", "反斜杠要写成两个 \\\\，或改用单引号"),
    ("Unicode character escape", "双引号里的 \\u 转义不是有效的字符", "\\u 后写四位十六进制数（D800-DFFF 除外），或直接写这个字"),
    ("escape sequence", "双引号里的 \\u 或 \\x 转义不完整", "\\u 后写四位十六进制数，或直接写这个字"),
    ("hexdecimal number", "双引号里的 \\u 或 \\x 转义不完整", "\\u 后写四位十六进制数，或直接写这个字"),
    ("surrogate", "双引号里的 \\u 转义是单独的代理区字符（D800-DFFF）", "直接写这个字，不用 \\u 转义"),
    ("nesting depth", "文件嵌套过深，拒绝处理", "一期简报只有四层；检查是否多写了 [ 或 {"),
    ("',' or ']'", "方括号 [ ] 没有配对", "以 [ 开头的值要以 ] 结束，或给整个值加引号"),
    ("',' or '}'", "花括号 { } 没有配对", "以 { 开头的值要以 } 结束，或给整个值加引号"),
    ("<block end>", "缩进不一致", INDENT_HINT),
    ("comment or a line break", "这里应当换行", "引号之后还有文字时，给整个值加引号；# 前要有空格"),
    ("comment or line break", "这里应当换行", "引号之后还有文字时，给整个值加引号；# 前要有空格"),
    ("unexpected ':'", "多了一个冒号", "值里有冒号时给整个值加引号"),
    ("document", "文件里有多余的“---”或“...”行", "一期只写一份：删去中间以 --- 或 ... 开头的行"),
    ("directive", "文件里有以 % 开头的指令", "删去以 % 开头的行"),
    ("version", "文件里有以 % 开头的指令", "删去以 % 开头的行"),
    ("tag", "标签（以 ! 开头）写法不对", "删去以 ! 开头的标签；值以 ! 开头时给整个值加引号"),
    ("URI", "标签（以 ! 开头）写法不对", "删去以 ! 开头的标签；值以 ! 开头时给整个值加引号"),
    ("indentation indicator", "“|”后面的写法不对", "正文写作 body: |，“|”后面直接换行"),
    ("chomping", "“|”后面的写法不对", "正文写作 body: |，“|”后面直接换行"),
    ("whitespace", "这里缺少空格", "冒号、“-”的后面要有一个空格"),
    ("non-alphabetical character", "锚点或别名写法不对", "以 & 或 * 开头的值要加引号"),
    ("character", "含有不能用的字符", "删去不可打印的字符"),
    ("UTF-", "文件不是 UTF-8 编码", "请在编辑器中另存为 UTF-8"),
    ("too long", "文件过大", "一期简报不会这么大，请检查文件"),
)
KEY_WITH_FULLWIDTH_COLON = re.compile(
    r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*|" + "|".join(DISTRIBUTION_KEYS) + r")\s*(?P<colon>：)"
)


def fullwidth_colon_hint(key: str) -> str:
    return f"键后面要用半角冒号加一个空格，写作“{key}: ”（可能是输入法切换成了中文标点）"


def yaml_problem_in_chinese(problem: str, context: str = "") -> tuple[str, str]:
    """PyYAML's English problem (and its context) as a message and a hint a clerk can read."""
    for text in (context, problem):  # the context first: “while scanning an alias” says more than its problem
        for english, chinese, hint in _YAML_PROBLEMS:
            if english in text:
                return chinese, hint
    return "这一处无法按 YAML 读取", INDENT_HINT


def _yaml_error(exc: yaml.MarkedYAMLError, lines: list[str], path: Path) -> Problem:
    """A YAML syntax error in Chinese at its place; a key written with a full-width colon is the first suspect."""
    mark = exc.problem_mark or exc.context_mark
    suspects = sorted({m.line for m in (exc.context_mark, exc.problem_mark) if m is not None} | {mark.line - 1 if mark else -1})
    for line in suspects:
        found = KEY_WITH_FULLWIDTH_COLON.match(lines[line]) if 0 <= line < len(lines) else None
        if found:
            where = Location(str(path), line + 1, found.start("colon") + 1)
            message = f"YAML 格式错误：“{found['key']}”后面用了全角冒号“：”"
            return Problem(where, ERROR, message, fullwidth_colon_hint(found["key"]))
    message, hint = yaml_problem_in_chinese(exc.problem or "", exc.context or "")
    where = Location(str(path), mark.line + 1 if mark else None, mark.column + 1 if mark else None)
    return Problem(where, ERROR, f"YAML 格式错误：{message}", hint)


def load_issue(path: Path, data: bytes | None = None) -> Issue:
    """Read ``path`` (or take its ``data``) and return the validated issue, or raise IssueError naming
    file, line and field.

    The error carries the first problem as its message and every problem found in ``problems``.
    """
    issue, problems = collect_issue(path, data)
    if issue is None or any(p.level == ERROR for p in problems):
        raise IssueError(problems)
    return issue


def read_source(path: Path) -> bytes:
    """The bytes of an issue file (at most one byte more than ``MAX_BYTES``), or a JianbaoError in Chinese."""
    try:
        with safeio.open_regular(path, sys.maxsize) as fh:  # a regular file, not a FIFO or a device
            return fh.read(MAX_BYTES + 1)  # not the whole of a video dropped here by mistake
    except OSError as exc:
        raise JianbaoError(f"无法读取文件：{os_reason(exc)}", Location(str(path))) from None


NOT_AN_ISSUE = (  # (how the file starts, what it is, what to do)
    (b"PK\x03\x04", "一个 Word 文件（.docx）", "Word 来稿请先导入期刊文件：jianbao import {name} --into 本期.yaml"),
    (b"\xd0\xcf\x11\xe0", "一个旧版 Word 文件（.doc）", "请先在 Word 中另存为 .docx，再用 jianbao import 导入期刊文件"),
    (b"%PDF", "一个 PDF 文件", "请写期刊文件（.yaml）：PDF 是排版的结果"),
)


def decode_source(data: bytes, path: Path) -> str:
    """The text of an issue file's bytes, or a JianbaoError saying what the file is instead."""
    where = Location(str(path))
    if len(data) > MAX_BYTES:
        raise JianbaoError("文件过大（超过 5 MB），不像是一期简报", where)
    for magic, what, hint in NOT_AN_ISSUE:
        if data.startswith(magic):
            raise JianbaoError(f"这是{what}，不是期刊文件", where, hint.format(name=path.name))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JianbaoError(f"文件不是 UTF-8 编码（第 {exc.start} 字节）", where, "请在编辑器中另存为 UTF-8") from None


def collect_issue(path: Path, data: bytes | None = None) -> tuple[Issue | None, list[Problem]]:
    """Read ``path`` (or take its ``data``) and return the issue as far as it could be read, with every
    problem found.

    The issue is None when the file cannot be read as a YAML mapping at all; otherwise it may hold
    placeholders where values were bad, and is fit for further checks but not for typesetting.
    """
    where = Location(str(path))
    try:
        text = decode_source(read_source(path) if data is None else data, path)
    except JianbaoError as exc:
        return None, [Problem(exc.where or where, ERROR, exc.message, exc.hint)]
    text, problems = _control_characters(text, path)
    refused = _too_big(text)
    if refused:
        message, line, col = refused
        return None, [*problems, Problem(Location(str(path), line, col), ERROR, message)]
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        return None, [*problems, _yaml_error(exc, text.splitlines(), path)]
    except yaml.YAMLError as exc:
        message, hint = yaml_problem_in_chinese(str(exc))
        return None, [*problems, Problem(where, ERROR, f"YAML 格式错误：{message}", hint)]
    except RecursionError:
        return None, [*problems, Problem(where, ERROR, "文件嵌套过深，拒绝处理")]
    if root is None:
        return None, [*problems, Problem(where, ERROR, "文件是空的")]
    try:
        for node in _walk(root, path):
            if node.tag not in _PLAIN_TAGS:
                loc = Location(str(path), node.start_mark.line + 1, node.start_mark.column + 1)
                problems.append(Problem(loc, ERROR, f"不支持的 YAML 标签“{node.tag}”", "请删除以 ! 开头的标签"))
    except JianbaoError as exc:
        return None, [*problems, Problem(exc.where or where, ERROR, exc.message)]
    reader = _Reader(path, text, problems)
    try:
        return reader.issue(root), reader.problems
    except (_Recorded, _Stop):
        return None, reader.problems


def compose_positions(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (for source positions), or None when it is not valid YAML."""
    text, _ = _control_characters(text, Path("-"))
    if _too_big(text):
        return None
    try:
        return yaml.compose(text, Loader=_COMPOSER)
    except (yaml.YAMLError, RecursionError):
        return None


MAX_DEPTH = 50  # nesting: a bulletin needs 4 levels
MAX_YAML_NODES = 50_000  # a bulletin has a few hundred; composing takes ~40 µs a node in Python


def _too_big(text: str) -> tuple[str, int | None, int | None] | None:
    """Why ``text`` is refused before it is composed (an alias, too many nodes, too deep), or None.

    Counts the parser's events (with libyaml when available: fast, and it stops at the limit), so
    that a hostile file is refused at once instead of being composed node by node in Python.
    """
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    nodes = depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                if mark is None:
                    return "不允许使用别名（*alias）", None, None
                return "不允许使用别名（*alias）", mark.line + 1, mark.column + 1
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.NodeEvent):
                nodes += 1
                depth += isinstance(event, yaml.CollectionStartEvent)
                if depth > MAX_DEPTH:
                    return "文件嵌套过深，拒绝处理", None, None
                if nodes > MAX_YAML_NODES:
                    return "文件结构过大（节点过多），拒绝处理", None, None
    except (yaml.YAMLError, RecursionError, UnicodeError, ValueError):
        return None  # composing reports the error with its position
    return None


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # categories Cc and Cs but \t \n \r


def _control_characters(text: str, path: Path) -> tuple[str, list[Problem]]:
    """Control characters (often pasted from Word or the web) stop YAML: name each, and blank them out.

    Each is replaced by an ideographic space (not YAML white space, so lines and columns stay) so
    that the rest of the file can still be read and checked.
    """
    problems: list[Problem] = []
    hint = "请删除该字符（常见于从网页或 Word 粘贴的文字）"
    for m in CONTROL_RE.finditer(text):
        if len(problems) >= MAX_PROBLEMS:
            break
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        message = f"含不可打印的控制字符 U+{ord(m[0]):04X}"
        problems.append(Problem(Location(str(path), line, col), ERROR, message, hint))
    return (CONTROL_RE.sub(CONTROL_STANDIN, text) if problems else text), problems


_PLAIN_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
    }
)


def _walk(node: yaml.Node, path: Path, depth: int = 0) -> Iterator[yaml.Node]:
    if depth > 50:
        raise JianbaoError("文件嵌套过深，拒绝处理", Location(str(path), node.start_mark.line + 1))
    yield node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield from _walk(k, path, depth + 1)
            yield from _walk(v, path, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            yield from _walk(v, path, depth + 1)
