"""Load and validate an issue file, keeping source positions for every message.

The YAML is composed into nodes with PyYAML's safe loader (no object construction, no aliases), then
converted by hand so that each value keeps its line and column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from pathlib import Path

import yaml

from .errors import JianbaoError, Location
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

HEADING_PATTERNS = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十百]+）")),
    (3, re.compile(r"^\d{1,3}[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,3}[）)]")),
)
HEADING_STOPS = frozenset("。！？；")
IMAGE_RE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)\s]+)(?:\s+(?P<width>\d{1,3})%)?\)$")


def heading_level(text: str) -> int:
    """1-4 for a paragraph that is a numbered heading (一、 （一） 1. （1）) without sentence stops."""
    if any(c in HEADING_STOPS for c in text) or len(text) > 60:
        return 0
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return 0


class _Reader:
    """Converts composed YAML nodes to the model, raising JianbaoError with positions."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()
        self.nodes = 0

    def loc(self, node: yaml.Node | None, field: str) -> Location:
        if node is None:
            return Location(str(self.path), None, None, field)
        return Location(str(self.path), node.start_mark.line + 1, node.start_mark.column + 1, field)

    def fail(self, message: str, node: yaml.Node | None, field: str, hint: str | None = None) -> JianbaoError:
        return JianbaoError(message, self.loc(node, field), hint)

    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(f"{field or '文件'} 应为“键: 值”的映射", node, field)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            self.count()
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            name = f"{field}.{key}" if field else key
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"是不是想写 {close[0]}？" if close else f"可用的键：{'、'.join(allowed)}"
                raise self.fail(f"未知的键 {key}", key_node, name, hint)
            if key in out:
                raise self.fail(f"键 {key} 重复出现", key_node, name)
            out[key] = (key_node, value_node)
        return out

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise JianbaoError("文件结构过大（节点过多），拒绝处理", Location(str(self.path)))

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
                raise JianbaoError(
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
        value = self.scalar(node, field)
        if not re.fullmatch(r"\d{1,9}", value):
            raise self.fail(f"{field} 应为正整数，而不是“{value}”", node, field)
        return int(value)

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
        first_line = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
        blocks: list[Block] = []
        lines = raw.split("\n")
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
            blocks.append(self.block(chunk, where, issue_dir))
            start = end
        if not blocks:
            raise self.fail(f"{field} 不能为空", node, field)
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
        text = "".join(chunk)
        runs = self.runs(text, where)
        plain = "".join(r.text for r in runs)
        return Paragraph(runs=runs, where=where, heading=heading_level(plain))

    def runs(self, text: str, where: Location) -> tuple[Run, ...]:
        parts = text.split("**")
        if len(parts) % 2 == 0:
            raise JianbaoError("加粗标记 ** 没有成对出现", where, "加粗的文字应写作 **一是……。**")
        runs = tuple(Run(p, bold=bool(i % 2)) for i, p in enumerate(parts) if p)
        if not runs:
            raise JianbaoError("段落没有文字", where)
        return runs

    def image(self, line: str, where: Location, issue_dir: Path) -> Image:
        m = IMAGE_RE.match(line)
        if not m:
            raise JianbaoError("图片写法不对", where, "应写作 ![图片说明](图片路径) 或 ![图片说明](图片路径 60%)")
        rel = m["path"]
        target = (issue_dir / rel).resolve()
        if issue_dir.resolve() not in target.parents:
            hint = "请把图片放在期刊文件的文件夹（或其子文件夹）里"
            raise JianbaoError(f"图片路径 {rel} 在期刊文件所在文件夹之外", where, hint)
        if not target.is_file():
            raise JianbaoError(f"找不到图片文件 {rel}", where)
        width = int(m["width"]) / 100 if m["width"] else 1.0
        if not 0 < width <= 1:
            raise JianbaoError(f"图片宽度 {m['width']}% 超出范围", where, "宽度应在 1% 到 100% 之间")
        return Image(path=str(target), caption=m["caption"].strip(), width=width, where=where)

    def table(self, chunk: list[str], where: Location) -> Table:
        rows = [tuple(c.strip() for c in ln[1:-1].split("|")) for ln in chunk]
        header = len(rows) > 1 and all(re.fullmatch(r":?-{3,}:?", c) for c in rows[1])
        widths = None
        if header:
            rows.pop(1)
        ncols = len(rows[0])
        if any(len(r) != ncols for r in rows):
            raise JianbaoError("表格各行的单元格数不一致", where)
        return Table(rows=tuple(rows), header=header, widths=widths, where=where)

    # ---------------------------------------------------------------- structure
    def article(self, node: yaml.Node, field: str, issue_dir: Path) -> Article:
        keys = self.mapping(node, field, ARTICLE_KEYS)
        for req in ("title", "body"):
            if req not in keys:
                raise self.fail(f"文章缺少 {req}", node, f"{field}.{req}")
        title_node = keys["title"][1]
        title = self.text(title_node, f"{field}.title")
        brief = self.boolean(keys["brief"][1], f"{field}.brief") if "brief" in keys else False
        source = self.text(keys["source"][1], f"{field}.source") if "source" in keys else None
        note = self.text(keys["note"][1], f"{field}.note") if "note" in keys else None
        blocks = self.body(keys["body"][1], f"{field}.body", issue_dir)
        if brief and not isinstance(blocks[0], Paragraph):
            raise self.fail("简讯（brief）的正文应以文字段落开始", keys["body"][1], f"{field}.body")
        return Article(
            title=title, blocks=blocks, where=self.loc(title_node, f"{field}.title"), brief=brief, source=source, note=note
        )

    def section(self, node: yaml.Node, field: str, issue_dir: Path) -> Section:
        keys = self.mapping(node, field, SECTION_KEYS)
        if "name" not in keys:
            raise self.fail("栏目缺少 name", node, f"{field}.name")
        name = self.text(keys["name"][1], f"{field}.name").strip("【】")
        if "articles" not in keys or not isinstance(keys["articles"][1], yaml.SequenceNode) or not keys["articles"][1].value:
            raise self.fail(
                f"栏目“{name}”没有文章",
                keys.get("articles", (None, node))[1],
                f"{field}.articles",
                "每个栏目至少要有一篇文章（articles 列表）",
            )
        arts = tuple(self.article(a, f"{field}.articles[{i}]", issue_dir) for i, a in enumerate(keys["articles"][1].value))
        return Section(name=name, articles=arts, where=self.loc(keys["name"][1], f"{field}.name"))

    def distribution(self, node: yaml.Node) -> tuple[tuple[str, str], ...]:
        keys = self.mapping(node, "distribution", DISTRIBUTION_KEYS)
        return tuple((k, self.text(v, f"distribution.{k}")) for k, (_, v) in keys.items())

    def issue(self, root: yaml.Node) -> Issue:
        keys = self.mapping(root, "", TOP_KEYS)
        for req in ("bulletin", "number", "issuer", "date", "sections"):
            if req not in keys:
                raise self.fail(f"缺少必填项 {req}", root, req)
        issue_dir = self.path.parent
        secs_node = keys["sections"][1]
        if not isinstance(secs_node, yaml.SequenceNode) or not secs_node.value:
            raise self.fail("sections 应为栏目列表，且至少有一个栏目", secs_node, "sections")
        sections = tuple(self.section(s, f"sections[{i}]", issue_dir) for i, s in enumerate(secs_node.value))

        def opt_text(key: str) -> str | None:
            return self.text(keys[key][1], key, required=False) if key in keys else None

        keywords: tuple[str, ...] = tuple(s.name for s in sections)
        if "keywords" in keys:
            kw = keys["keywords"][1]
            if not isinstance(kw, yaml.SequenceNode):
                raise self.fail("keywords 应为列表", kw, "keywords")
            keywords = tuple(self.text(k, "keywords") for k in kw.value)
        return Issue(
            bulletin=self.text(keys["bulletin"][1], "bulletin"),
            number=self.text(keys["number"][1], "number"),
            issuer=self.text(keys["issuer"][1], "issuer"),
            date=self.date(keys["date"][1], "date"),
            sections=sections,
            source_path=str(self.path),
            title=opt_text("title") if "title" in keys else "简报",
            total=opt_text("total"),
            mark=opt_text("mark"),
            toc=self.boolean(keys["toc"][1], "toc") if "toc" in keys else True,
            layout=opt_text("layout"),
            distribution=self.distribution(keys["distribution"][1]) if "distribution" in keys else (),
            copies=self.integer(keys["copies"][1], "copies") if "copies" in keys else None,
            keywords=keywords,
            where={k: self.loc(v, k) for k, (_, v) in keys.items()},
        )


class _NoAliasLoader(yaml.SafeLoader):
    """Safe composition that refuses anchors and aliases (no alias bombs) and custom tags."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "不允许使用别名（*alias）", event.start_mark)
        return super().compose_node(parent, index)


def load_issue(path: Path) -> Issue:
    """Read ``path`` and return the validated issue, or raise JianbaoError naming file, line and field."""
    where = Location(str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JianbaoError(f"无法读取文件：{exc.strerror or exc}", where) from None
    if len(data) > MAX_BYTES:
        raise JianbaoError("文件过大（超过 5 MB），不像是一期简报", where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JianbaoError(f"文件不是 UTF-8 编码（第 {exc.start} 字节）", where, "请在编辑器中另存为 UTF-8") from None
    _refuse_control_characters(text, path)
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = exc.problem or "格式错误"
        raise JianbaoError(
            f"YAML 格式错误：{problem}", Location(str(path), line, col), "检查缩进（用空格，不用 Tab）和冒号后的空格"
        ) from None
    except yaml.YAMLError as exc:
        raise JianbaoError(f"YAML 格式错误：{exc}", where) from None
    except RecursionError:
        raise JianbaoError("文件嵌套过深，拒绝处理", where) from None
    if root is None:
        raise JianbaoError("文件是空的", where)
    for node in _walk(root):
        if node.tag not in _PLAIN_TAGS:
            raise JianbaoError(f"不支持的 YAML 标签 {node.tag}", Location(str(path), node.start_mark.line + 1))
    return _Reader(path, text).issue(root)


def _refuse_control_characters(text: str, path: Path) -> None:
    """Control characters (often pasted from Word or the web) stop YAML; name their place in Chinese."""
    for line_no, line in enumerate(text.split("\n"), start=1):
        for col, ch in enumerate(line, start=1):
            if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\r":
                raise JianbaoError(
                    f"含不可打印的控制字符 U+{ord(ch):04X}",
                    Location(str(path), line_no, col),
                    "请删除该字符（常见于从网页或 Word 粘贴的文字）",
                )


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


def _walk(node: yaml.Node, depth: int = 0):  # type: ignore[no-untyped-def]
    if depth > 50:
        raise JianbaoError("文件嵌套过深，拒绝处理", Location("?", node.start_mark.line + 1))
    yield node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield from _walk(k, depth + 1)
            yield from _walk(v, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            yield from _walk(v, depth + 1)
