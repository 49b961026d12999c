"""Load and validate an issue file, keeping source positions for every message.

The YAML is composed into nodes with PyYAML's safe loader (no object construction, no aliases), then
converted by hand (``reader``) so that each value keeps its line and column. Every problem is recorded
and reading goes on (``collect_issue``); ``load_issue`` raises one error carrying all of them. YAML's
own errors are told in Chinese.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

from pipeline import safeio
from pipeline.errors import ERROR, JianbaoError, Location, Problem, os_reason
from pipeline.source.model import Issue
from pipeline.source.reader import IssueError, _Reader, _Recorded, _Stop
from pipeline.source.rules import (
    CONTROL_RE,
    CONTROL_STANDIN,
    KEY_WITH_FULLWIDTH_COLON,
    MAX_BYTES,
    MAX_PROBLEMS,
    fullwidth_colon_hint,
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
