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
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import yaml

from .errors import ERROR, JianbaoError, Location, Problem, os_reason
from .model import Article, Block, Image, Issue, Paragraph, Run, Section, Table

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
)
SECTION_KEYS = ("name", "articles")
ARTICLE_KEYS = ("title", "body", "brief", "source", "note")
DISTRIBUTION_KEYS = ("报", "送", "发", "抄送", "本期增发")
MAX_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_PROBLEMS = 200  # a hostile or garbled file stops being read after this many problems
TOO_MANY = f"问题太多，只列出前 {MAX_PROBLEMS} 个"

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
            more = f"另有 {len(errors) - 1} 个问题，运行 jianbao check {first.where.file} 可一次看到全部"
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

    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(f"{field or '文件'} 应为“键: 值”的映射", node, field)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            self.count()
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            name = f"{field}.{key}" if field else key
            if key not in allowed:
                import difflib  # only for a misspelt key

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"是不是想写 {close[0]}？" if close else f"可用的键：{'、'.join(allowed)}"
                self.fail(f"未知的键 {key}", key_node, name, hint)
            elif key in out:
                self.fail(f"键 {key} 重复出现", key_node, name)
            else:
                out[key] = (key_node, value_node)
        return out

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.report("文件结构过大（节点过多），拒绝处理", Location(str(self.path)))
            raise _Stop

    def scalar(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(f"{field} 应为文字", node, field)
        return str(node.value)

    def text(self, node: yaml.Node, field: str, *, required: bool = True) -> str:
        value = self.scalar(node, field).strip()
        if required and not value:
            raise self.fail(f"{field} 不能为空", node, field)
        self.check_chars(value, node, field)
        return value

    def check_chars(self, value: str, node: yaml.Node, field: str) -> None:
        for i, ch in enumerate(value):
            cat = unicodedata.category(ch)
            if (cat == "Cc" and ch not in "\n\t") or cat == "Cs":
                line, col = self.char_position(node, value, i)
                self.report(
                    f"{field} 含不可打印的控制字符 U+{ord(ch):04X}",
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
        raise self.fail(f"{field} 应为 true 或 false", node, field)

    def integer(self, node: yaml.Node, field: str) -> int:
        value = self.scalar(node, field).strip()
        if not re.fullmatch(r"[1-9][0-9]{0,8}", value):
            raise self.fail(f"{field} 应为正整数，而不是“{value}”", node, field, "用半角数字书写，例如 60")
        return int(value)

    def issue_number(self, node: yaml.Node, field: str) -> str:
        """期号: a positive number in ASCII digits, or text such as 增刊1 (printed as written)."""
        value = self.text(node, field)
        if re.fullmatch(r"[0-9０-９]+", value) and not re.fullmatch(r"[1-9][0-9]{0,8}", value):
            raise self.fail(f"期号“{value}”不对", node, field, "期号用半角数字书写，从 1 开始，不加前导零，例如 21")
        return value

    def section_name(self, node: yaml.Node, field: str) -> str:
        name = self.text(node, field).strip().removeprefix("【").removesuffix("】").strip()
        if not name:
            raise self.fail("栏目名称不能为空", node, field, "写栏目名即可，例如 工作动态（印出时自动加【】）")
        return name

    def date(self, node: yaml.Node, field: str) -> dt.date:
        value = self.scalar(node, field).strip()
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if not m:
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
                self.fail(f"{field} 不能为空", node, field)
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
            return dataclasses.replace(self.table(chunk[1:], rows_at), caption=caption["caption"].strip())
        text = "".join(chunk)
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
        return runs

    def image(self, line: str, where: Location, issue_dir: Path) -> Image:
        m = IMAGE_RE.match(line)
        if not m:
            raise self.report("图片写法不对", where, "应写作 ![图片说明](图片路径) 或 ![图片说明](图片路径 60%)")
        rel = m["path"]
        target = (issue_dir / rel).resolve()
        if issue_dir.resolve() not in target.parents:
            hint = "请把图片放在期刊文件的文件夹（或其子文件夹）里"
            raise self.report(f"图片路径 {rel} 在期刊文件所在文件夹之外", where, hint)
        if not target.is_file():
            raise self.report(f"找不到图片文件 {rel}", where)
        width = int(m["width"]) / 100 if m["width"] else 1.0
        if not 0 < width <= 1:
            raise self.report(f"图片宽度 {m['width']}% 超出范围", where, "宽度应在 1% 到 100% 之间")
        return Image(path=str(target), caption=m["caption"].strip(), width=width, where=where)

    def table(self, chunk: list[str], where: Location) -> Table:
        rows = [tuple(c.strip() for c in ln[1:-1].split("|")) for ln in chunk]
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
    def article(self, node: yaml.Node, field: str, issue_dir: Path) -> Article:
        """The article, or _Recorded when its title or body is unusable (after reading all its keys)."""
        keys = self.mapping(node, field, ARTICLE_KEYS)
        usable = True
        for req in ("title", "body"):
            if req not in keys:
                self.fail(f"文章缺少 {req}", node, f"{field}.{req}")
                usable = False
        title_node = keys["title"][1] if "title" in keys else node
        title = self.attempt(lambda: self.text(title_node, f"{field}.title"), None) if "title" in keys else None
        brief = self.attempt(lambda: self.boolean(keys["brief"][1], f"{field}.brief"), False) if "brief" in keys else False
        source = self.attempt(lambda: self.text(keys["source"][1], f"{field}.source"), None) if "source" in keys else None
        note = self.attempt(lambda: self.text(keys["note"][1], f"{field}.note"), None) if "note" in keys else None
        no_blocks: tuple[Block, ...] = ()
        blocks = self.attempt(lambda: self.body(keys["body"][1], f"{field}.body", issue_dir), no_blocks) if "body" in keys else ()
        if brief and blocks and not isinstance(blocks[0], Paragraph):
            raise self.fail("简讯（brief）的正文应以文字段落开始", keys["body"][1], f"{field}.body")
        if not usable or title is None or not blocks:
            raise _Recorded(field)
        return Article(
            title=title, blocks=blocks, where=self.loc(title_node, f"{field}.title"), brief=brief, source=source, note=note
        )

    def section(self, node: yaml.Node, field: str, issue_dir: Path) -> Section:
        keys = self.mapping(node, field, SECTION_KEYS)
        name = ""
        if "name" not in keys:
            self.fail("栏目缺少 name", node, f"{field}.name")
        else:
            name = self.attempt(lambda: self.section_name(keys["name"][1], f"{field}.name"), "")
        arts: list[Article] = []
        arts_node = keys["articles"][1] if "articles" in keys else None
        if not isinstance(arts_node, yaml.SequenceNode) or not arts_node.value:
            self.fail(
                f"栏目“{name}”没有文章",
                arts_node or node,
                f"{field}.articles",
                "每个栏目至少要有一篇文章（articles 列表）",
            )
        else:
            for i, a in enumerate(arts_node.value):
                with contextlib.suppress(_Recorded):
                    arts.append(self.article(a, f"{field}.articles[{i}]", issue_dir))
        where_node = keys["name"][1] if "name" in keys else node
        return Section(name=name, articles=tuple(arts), where=self.loc(where_node, f"{field}.name"))

    def distribution(self, node: yaml.Node) -> tuple[tuple[str, str], ...]:
        keys = self.mapping(node, "distribution", DISTRIBUTION_KEYS)
        out = []
        for key, (_, value) in keys.items():
            with contextlib.suppress(_Recorded):
                out.append((key, self.text(value, f"distribution.{key}")))
        return tuple(out)

    def issue(self, root: yaml.Node) -> Issue:
        """The issue read so far, with placeholders where values were bad; problems are in ``self.problems``."""
        keys = self.mapping(root, "", TOP_KEYS)
        for req in ("bulletin", "number", "issuer", "date", "sections"):
            if req not in keys:
                self.fail(f"缺少必填项 {req}", root, req)
        issue_dir = self.path.parent
        sections: list[Section] = []
        if "sections" in keys:
            secs_node = keys["sections"][1]
            if not isinstance(secs_node, yaml.SequenceNode) or not secs_node.value:
                self.fail("sections 应为栏目列表，且至少有一个栏目", secs_node, "sections")
            else:
                for i, s in enumerate(secs_node.value):
                    with contextlib.suppress(_Recorded):
                        sections.append(self.section(s, f"sections[{i}]", issue_dir))

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

_YAML_PROBLEMS = (
    ("could not find expected ':'", "找不到应有的冒号“:”（上一行可能缺少冒号，或引号没有配对）"),
    ("mapping values are not allowed here", "这里不能出现“键: 值”（冒号后要有空格；值里有“: ”时请加引号；或检查缩进）"),
    ("found character '\\t'", "含有 Tab 字符（YAML 只能用空格缩进）"),
    ("found a tab character", "含有 Tab 字符（YAML 只能用空格缩进）"),
    ("did not find expected key", "找不到应有的键（可能缩进不一致）"),
    ("did not find expected '-' indicator", "列表项缺少“-”（可能缩进不一致）"),
    ("did not find expected node content", "缺少内容（可能多了一个“-”或冒号）"),
    ("found unexpected end of stream", "文件意外结束（引号或括号可能没有配对）"),
    ("found unknown escape character", "双引号里有无法识别的反斜杠转义（\\）"),
    ("expected <block end>", "缩进不一致"),
    ("expected a comment or a line break", "这里应当换行（或写 # 注释）"),
    ("found undefined alias", "不允许使用别名（*alias）"),
    ("found unexpected ':'", "多了一个冒号（值里有冒号时请加引号）"),
    ("while scanning a simple key", "键没有写完（可能缺少冒号）"),
    ("block sequence entries are not allowed", "这里不能开始列表（检查“-”前的缩进）"),
    ("unacceptable character", "含有不可打印的字符"),
)


def yaml_problem_in_chinese(problem: str) -> str:
    """PyYAML's English problem text as a clerk can read it (the original kept in brackets)."""
    for english, chinese in _YAML_PROBLEMS:
        if problem.startswith(english) or english in problem:
            return chinese
    return f"格式错误（{problem}）" if problem else "格式错误"


def load_issue(path: Path) -> Issue:
    """Read ``path`` and return the validated issue, or raise IssueError naming file, line and field.

    The error carries the first problem as its message and every problem found in ``problems``.
    """
    issue, problems = collect_issue(path)
    if issue is None or any(p.level == ERROR for p in problems):
        raise IssueError(problems)
    return issue


def collect_issue(path: Path) -> tuple[Issue | None, list[Problem]]:
    """Read ``path`` and return the issue as far as it could be read, with every problem found.

    The issue is None when the file cannot be read as a YAML mapping at all; otherwise it may hold
    placeholders where values were bad, and is fit for further checks but not for typesetting.
    """
    where = Location(str(path))
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # not the whole of a video dropped here by mistake
    except OSError as exc:
        return None, [Problem(where, ERROR, f"无法读取文件：{os_reason(exc)}")]
    if len(data) > MAX_BYTES:
        return None, [Problem(where, ERROR, "文件过大（超过 5 MB），不像是一期简报")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(where, ERROR, f"文件不是 UTF-8 编码（第 {exc.start} 字节）", "请在编辑器中另存为 UTF-8")]
    text, problems = _control_characters(text, path)
    refused = _too_big(text)
    if refused:
        message, line, col = refused
        return None, [*problems, Problem(Location(str(path), line, col), ERROR, message)]
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        hint = "检查缩进（用空格，不用 Tab）和冒号后的空格"
        message = f"YAML 格式错误：{yaml_problem_in_chinese(exc.problem or '')}"
        return None, [*problems, Problem(Location(str(path), line, col), ERROR, message, hint)]
    except yaml.YAMLError as exc:
        return None, [*problems, Problem(where, ERROR, f"YAML 格式错误：{yaml_problem_in_chinese(str(exc))}")]
    except RecursionError:
        return None, [*problems, Problem(where, ERROR, "文件嵌套过深，拒绝处理")]
    if root is None:
        return None, [*problems, Problem(where, ERROR, "文件是空的")]
    try:
        for node in _walk(root, path):
            if node.tag not in _PLAIN_TAGS:
                loc = Location(str(path), node.start_mark.line + 1, node.start_mark.column + 1)
                problems.append(Problem(loc, ERROR, f"不支持的 YAML 标签 {node.tag}", "请删除以 ! 开头的标签"))
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
