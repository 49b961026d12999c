"""The issue file's keys, their Chinese names and hints, and the rules for its text values: how spaces
print, how an issue number is written, what opens an in-body heading.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import TypeVar

import yaml

from pipeline import cjk

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


KEY_WITH_FULLWIDTH_COLON = re.compile(
    r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*|" + "|".join(DISTRIBUTION_KEYS) + r")\s*(?P<colon>：)"
)


def fullwidth_colon_hint(key: str) -> str:
    return f"键后面要用半角冒号加一个空格，写作“{key}: ”（可能是输入法切换成了中文标点）"
