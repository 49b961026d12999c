"""A contributor's Word article (.docx) as an article entry of an issue file.

The title is the paragraph in the Title style, or else the first paragraph; bold runs become
``**…**``; Heading 1 and Heading 2 paragraphs become the in-body headings 一、 and （一） (numbered
when the writer did not number them); tables become pipe tables. The safe text fixes of ``check``
are applied. The entry is spliced into an issue file as text at the place the YAML parser reports,
so the file's comments and layout stay exactly as they were.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .check import fix_text, read_text_file, rewrite_file
from .errors import JianbaoError, Location, os_reason
from .issue import compose_positions, heading_level
from .newissue import PLACEHOLDER_MARK, yaml_value

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

CN_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class ImportedArticle:
    title: str
    paragraphs: tuple[str, ...]
    notes: tuple[str, ...]  # things the clerk should know (images left out, text fixed)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if n < 10:
        return CN_DIGITS[n]
    tens, units = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[units] if units else "")


def read_docx(path: Path) -> ImportedArticle:
    """Read a .docx file into a title and body paragraphs in the issue format's markup."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if path.suffix.lower() == ".doc":
        raise JianbaoError(f"{path.name} 是旧的 .doc 格式", Location(str(path)), "请在 Word 中“另存为” .docx 后再导入")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JianbaoError(f"无法读取 Word 文件 {path.name}：{os_reason(exc)}", Location(str(path))) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises BadZipFile, KeyError, ValueError… for a file that is not a .docx package
        raise JianbaoError(
            f"无法读取 Word 文件 {path.name}：不是有效的 Word 文件（.docx）",
            Location(str(path)),
            "请确认这是 .docx 文件（旧的 .doc 请先另存为 .docx）",
        ) from None
    blocks: list[tuple[str, str]] = []  # (kind, text): kind is title, h1, h2, p or table
    images = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = _table(item)
            if rows:
                blocks.append(("table", rows))
            continue
        assert isinstance(item, Paragraph)
        if item._p.xpath(".//w:drawing | .//w:pict"):
            images += 1
        style = (item.style.name if item.style is not None else "") or ""
        kind = "title" if style == "Title" else {"Heading 1": "h1", "Heading 2": "h2"}.get(style, "p")
        text = _plain(item) if kind != "p" else _marked(item)
        if text:
            blocks.append((kind, text))
    return _article(path, blocks, images)


def _article(path: Path, blocks: list[tuple[str, str]], images: int) -> ImportedArticle:
    if not blocks:
        raise JianbaoError(f"{path.name} 里没有文字", Location(str(path)))
    titled = next((i for i, (kind, _) in enumerate(blocks) if kind == "title"), 0)
    title = blocks[titled][1].replace("**", "")
    rest = [b for i, b in enumerate(blocks) if i != titled]
    paragraphs: list[str] = []
    h1 = h2 = 0
    for kind, text in rest:
        if kind == "h1":
            h1, h2 = h1 + 1, 0
            text = text if heading_level(text) else f"{chinese_number(h1)}、{text}"
        elif kind == "h2":
            h2 += 1
            text = text if heading_level(text) else f"（{chinese_number(h2)}）{text}"
        paragraphs.append(text)
    if not paragraphs:
        raise JianbaoError(f"{path.name} 只有标题，没有正文", Location(str(path)))
    fixed_title = fix_text(title)
    fixed = [p if p.startswith("|") else fix_text(p) for p in paragraphs]
    notes = []
    changed = (fixed_title != title) + sum(a != b for a, b in zip(fixed, paragraphs, strict=True))
    if changed:
        notes.append(f"已在 {changed} 段中把半角标点、直引号、全角数字、多余空格等改为规范写法")
    if images:
        notes.append(f"文档中有 {images} 张图片没有导入：请把图片放进期刊文件旁的文件夹，在正文中写 ![说明](图片路径)")
    return ImportedArticle(fixed_title, tuple(fixed), tuple(notes))


def _clean(text: str) -> str:
    return re.sub(r"[\t\r\n\v]", "", text)


def _plain(paragraph: Paragraph) -> str:
    return _clean(paragraph.text).strip()


def _marked(paragraph: Paragraph) -> str:
    """The paragraph's text with bold stretches marked ``**…**``."""
    pieces: list[tuple[bool, str]] = []
    for item in paragraph.iter_inner_content():
        runs = getattr(item, "runs", None) or [item]  # a hyperlink holds runs
        for run in runs:
            text = _clean(run.text)
            if not text:
                continue
            bold = bool(run.bold) or (run.bold is None and run.style is not None and bool(run.style.font.bold))
            if pieces and pieces[-1][0] == bold:
                pieces[-1] = (bold, pieces[-1][1] + text)
            else:
                pieces.append((bold, text))
    out = []
    for bold, text in pieces:
        core = text.strip()
        if bold and core:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            out.append(f"{lead}**{core}**{trail}")
        else:
            out.append(text)
    return "".join(out).strip()


def _table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = [_clean(cell.text).strip().replace("|", "｜") or " " for cell in row.cells]
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return ""
    width = len(table.rows[0].cells)
    return "\n".join([rows[0], "|" + "---|" * width, *rows[1:]])


# ---------------------------------------------------------------- YAML text
def entry_lines(article: ImportedArticle, dash: int = 6) -> list[str]:
    """The article as the lines of a block-style YAML list item whose ``-`` is at column ``dash``."""
    key = " " * (dash + 2)
    lines = [f"{' ' * dash}- title: {yaml_value(article.title)}", f"{key}body: |"]
    for i, paragraph in enumerate(article.paragraphs):
        if i:
            lines.append("")
        lines += [f"{key}  {ln}" for ln in paragraph.split("\n")]
    return lines


def article_yaml(article: ImportedArticle, section: str) -> str:
    """The article as a YAML list item, to paste under a section's ``articles:``."""
    return "\n".join([f"# 栏目：{section}（把下面的内容粘贴到该栏目的 articles: 下面）", *entry_lines(article)]) + "\n"


def add_to_issue(issue: Path, article: ImportedArticle, section: str) -> str:
    """Put ``article`` into ``section`` of ``issue`` (created if missing); return what was done, in Chinese.

    Placeholder articles left by ``jianbao new`` in that section are replaced. The file is edited as
    text at the places the YAML parser reports, so every other line (comments included) stays as it was;
    the result is parsed again and written only when the article is where it should be.
    """
    text, bom = read_text_file(issue, "期刊文件")
    lines = text.split("\n")
    sections = _sections_node(issue, text)
    target = next((s for s in sections.value if _section_name(s) == section), None)
    if target is None:
        last = sections.value[-1]
        dash = _dash_column(lines, last)
        at = _last_content_line(lines, last) + 1
        new = [f"{' ' * dash}- name: {yaml_value(section)}", f"{' ' * (dash + 2)}articles:", *entry_lines(article, dash + 4)]
        lines[at:at] = ["", *new]
        done = f"新建栏目“{section}”并加入文章《{article.title}》"
    else:
        articles = _articles_node(issue, target, section)
        placeholders = [a for a in articles.value if _is_placeholder(a)]
        dash = _dash_column(lines, articles.value[0])
        if placeholders:
            for node in reversed(placeholders[1:]):
                first, last = _item_lines(lines, node)
                del lines[first : last + 1]
            first, last = _item_lines(lines, placeholders[0])
            lines[first : last + 1] = entry_lines(article, dash)
            done = f"用文章《{article.title}》替换了栏目“{section}”中的示例文章"
        else:
            at = _last_content_line(lines, articles.value[-1]) + 1
            lines[at:at] = ["", *entry_lines(article, dash)]
            done = f"把文章《{article.title}》加到栏目“{section}”的末尾"
    result = "\n".join(lines)
    if not _holds(result, section, article.title):
        raise JianbaoError(
            "这个期刊文件的写法特殊，无法自动加入文章", Location(str(issue)), "请不带 --into 运行，把打印出的内容手工粘贴进去"
        )
    rewrite_file(issue, result, bom, "期刊文件")
    return done


def _sections_node(issue: Path, text: str) -> yaml.SequenceNode:
    root = compose_positions(text)
    hint = f"先运行 jianbao check {issue} 并改正其中的错误"
    if not isinstance(root, yaml.MappingNode):
        raise JianbaoError("期刊文件不是有效的期刊 YAML，无法加入文章", Location(str(issue)), hint)
    node = next((v for k, v in root.value if getattr(k, "value", None) == "sections"), None)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise JianbaoError("期刊文件没有按栏目列表写的 sections", Location(str(issue), field="sections"), hint)
    return node


def _section_name(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    name = next((v for k, v in node.value if getattr(k, "value", None) == "name"), None)
    return str(name.value).strip().strip("【】") if isinstance(name, yaml.ScalarNode) else None


def _articles_node(issue: Path, section: yaml.MappingNode, name: str) -> yaml.SequenceNode:
    node = next((v for k, v in section.value if getattr(k, "value", None) == "articles"), None)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise JianbaoError(
            f"栏目“{name}”的 articles 不是按列表写的，无法自动加入",
            Location(str(issue), section.start_mark.line + 1, section.start_mark.column + 1, "articles"),
            "请不带 --into 运行，把打印出的内容手工粘贴到该栏目的 articles: 下面",
        )
    return node


def _is_placeholder(node: yaml.Node) -> bool:
    if not isinstance(node, yaml.MappingNode):
        return False
    title = next((v for k, v in node.value if getattr(k, "value", None) == "title"), None)
    return isinstance(title, yaml.ScalarNode) and PLACEHOLDER_MARK in str(title.value)


def _dash_column(lines: list[str], item: yaml.Node) -> int:
    """The column of the ``-`` that opens a block sequence item."""
    before = lines[item.start_mark.line][: item.start_mark.column].rstrip()
    return len(before) - 1 if before.endswith("-") else max(item.start_mark.column - 2, 0)


def _last_content_line(lines: list[str], item: yaml.Node) -> int:
    """The last line (0-based) of a block sequence item: lines indented past its ``-`` belong to it."""
    dash = _dash_column(lines, item)
    last = item.start_mark.line
    for n in range(item.start_mark.line + 1, len(lines)):
        line = lines[n]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent <= dash:
            if line.lstrip().startswith("#"):
                continue  # a comment further left does not end the item
            break
        last = n
    return last


def _item_lines(lines: list[str], item: yaml.Node) -> tuple[int, int]:
    """First and last line of a list item, with the example comment of ``jianbao new`` just above it."""
    first = item.start_mark.line
    while first > 0 and lines[first - 1].strip().startswith("#") and "示例文章" in lines[first - 1]:
        first -= 1
    return first, _last_content_line(lines, item)


def _holds(text: str, section: str, title: str) -> bool:
    """Whether ``text`` parses and its section ``section`` has an article titled ``title``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    for sec in data.get("sections", []) if isinstance(data, dict) else []:
        if isinstance(sec, dict) and str(sec.get("name", "")).strip("【】") == section:
            return any(isinstance(a, dict) and a.get("title") == title for a in sec.get("articles") or [])
    return False
