"""An issue file's YAML nodes read into the issue model by hand, so that each value keeps its line and column;
every problem is recorded and reading goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import yaml

from pipeline.errors import ERROR, JianbaoError, Location, Problem
from pipeline.source import blocks
from pipeline.source.model import Article, Block, Issue, Paragraph, Section
from pipeline.source.rules import (
    ARTICLE_KEYS,
    AS_WRITTEN,
    CLASSIFICATIONS,
    DISTRIBUTION_KEYS,
    FIX_NUMBER_HINT,
    HOW_TO_FILL,
    KEY_WITH_FULLWIDTH_COLON,
    MAX_NODES,
    MAX_PROBLEMS,
    NUMBER_HINT,
    NUMBER_RE,
    PLACEHOLDER_DATE,
    RETENTIONS,
    SECTION_KEYS,
    SPECIAL_NUMBER_RE,
    STDIN_NAME,
    TABLE_CAPTION,
    TOO_MANY,
    TOP_KEYS,
    T,
    article_context,
    field_label,
    fullwidth_colon_hint,
    heading_level,
    is_null,
    normal_number,
    section_context,
    settle_spaces,
    visible,
)


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
            return blocks.image(chunk[0], where, issue_dir, self.report)
        if all(ln.startswith("|") and ln.endswith("|") for ln in chunk):
            return blocks.table(chunk, where, self.report)
        caption = TABLE_CAPTION.match(chunk[0])
        if caption and len(chunk) > 1 and all(ln.startswith("|") and ln.endswith("|") for ln in chunk[1:]):
            rows_at = Location(where.file, where.line + 1 if where.line else None, where.column, where.field)
            table = blocks.table(chunk[1:], rows_at, self.report)
            return dataclasses.replace(table, caption=settle_spaces(caption["caption"].strip()))
        text = settle_spaces("".join(chunk))
        runs = blocks.runs(text, where, self.report)
        plain = "".join(r.text for r in runs)
        return Paragraph(runs=runs, where=where, heading=heading_level(plain))

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
