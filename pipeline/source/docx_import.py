"""A Word article (``docx_read``) as an article entry of an issue file.

The entry is spliced into an issue file as text at the place the YAML parser reports, so the file's
comments and layout stay exactly as they were; its values are written in YAML forms that read back
exactly (a literal block, or a double-quoted string with escapes for line separators and the like).
Before the file is written, its data is compared with what was meant, key by key. Pictures are saved
beside the issue file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipeline import safeio
from pipeline.errors import JianbaoError, Location, os_reason
from pipeline.source.check import read_text_file, rewrite_file
from pipeline.source.issue import compose_positions
from pipeline.source.newissue import PLACEHOLDER_MARK, yaml_value
from pipeline.source.rules import MAX_BYTES

if TYPE_CHECKING:
    pass

from pipeline.source.docx_read import LOADER, MANUAL_HINT, ImportedArticle, Picture

# ---------------------------------------------------------------- YAML text
LINE_BREAKS = frozenset("\r\x85\u2028\u2029")  # line breaks to YAML besides \n: never raw in a literal block


def picture_line(picture: Picture, name: str) -> str:
    """The body line of a picture saved as ``name``: ``![说明](name 60%)``."""
    caption = picture.caption.replace("]", "］").replace("[", "［")
    width = f" {picture.width}%" if picture.width else ""
    return f"![{caption}]({name}{width})"


def body_text(article: ImportedArticle, names: dict[int, str]) -> str:
    """The body value: paragraphs a blank line apart, each picture by its file name (left out without one)."""
    parts = []
    for i, p in enumerate(article.paragraphs):
        if isinstance(p, Picture):
            if i in names:
                parts.append(picture_line(p, names[i]))
        else:
            parts.append(p)
    return "\n\n".join(parts) + "\n"


def _literal_safe(text: str) -> bool:
    """Whether a literal block (``|``) reads back exactly as ``text`` (checked again after writing)."""
    lines = text[:-1].split("\n")
    return (
        text.strip("\n") != ""
        and text.endswith("\n")
        and not text.endswith("\n\n")
        and not LINE_BREAKS.intersection(text)
        and not yaml.reader.Reader.NON_PRINTABLE.search(text)
        and not lines[0][:1].isspace()
        and all(ln == "" or not ln.isspace() for ln in lines)
    )


def entry_lines(title: str, body: str, dash: int = 6) -> list[str]:
    """An article as the lines of a block-style YAML list item whose ``-`` is at column ``dash``."""
    key = " " * (dash + 2)
    lines = [f"{' ' * dash}- title: {yaml_value(title)}"]
    if _literal_safe(body):
        lines.append(f"{key}body: |")
        lines += [f"{key}  {ln}" if ln else "" for ln in body[:-1].split("\n")]
    else:
        lines.append(f"{key}body: {yaml_value(body)}")
    return lines


def article_yaml(article: ImportedArticle, section: str) -> str:
    """The article as a YAML list item, to paste under a section's ``articles:`` (pictures are not saved)."""
    head = [f"# 栏目：{section}（把下面的内容粘贴到该栏目的 articles: 下面）"]
    if article.pictures:
        head.append(f"# 文档中的 {len(article.pictures)} 张图片没有列出：用 --into 导入时会存到期刊文件旁，并写进正文")
    return "\n".join([*head, *entry_lines(article.title, body_text(article, {}))]) + "\n"


# ---------------------------------------------------------------- into an issue file
def add_to_issue(issue: Path, article: ImportedArticle, section: str) -> str:
    """Put ``article`` into ``section`` of ``issue`` (created if missing); return what was done, in Chinese.

    Placeholder articles left by ``jianbao new`` in that section are replaced. The file is edited as
    text at the places the YAML parser reports, so every other line (comments included) stays as it
    was. Its pictures are saved beside the issue file under names not yet taken. The new text is
    written only when its data is exactly the old data with the article put in, key by key.
    """
    text, bom = read_text_file(issue, "期刊文件")
    before = _data(issue, text)
    lines = text.split("\n")
    sections = _sections_node(issue, text)
    names = _picture_names(issue.parent, article)
    entry = {"title": article.title, "body": body_text(article, names)}
    expected = copy.deepcopy(before)  # the data the new text must hold: the old data with the article put in
    target = next((s for s in sections.value if _section_name(s) == section), None)
    if target is None:
        last = sections.value[-1]
        dash = _dash_column(lines, last)
        at = _last_content_line(lines, last) + 1
        new = [f"{' ' * dash}- name: {yaml_value(section)}", f"{' ' * (dash + 2)}articles:", *_entry(entry, dash + 4)]
        lines[at:at] = ["", *new]
        expected["sections"].append({"name": section, "articles": [entry]})
        done = f"新建栏目“{section}”并加入文章《{article.title}》"
    else:
        articles = _articles_node(issue, target, section)
        kept = _articles_data(issue, expected["sections"][sections.value.index(target)])
        places = [k for k, a in enumerate(articles.value) if _is_placeholder(a)]
        dash = _dash_column(lines, articles.value[0])
        if places:
            for k in reversed(places[1:]):
                first, last = _item_lines(lines, articles.value[k])
                del lines[first : last + 1]
                del kept[k]
            first, last = _item_lines(lines, articles.value[places[0]])
            lines[first : last + 1] = _entry(entry, dash)
            kept[places[0]] = entry
            done = f"用文章《{article.title}》替换了栏目“{section}”中的示例文章"
        else:
            at = _last_content_line(lines, articles.value[-1]) + 1
            lines[at:at] = ["", *_entry(entry, dash)]
            kept.append(entry)
            done = f"把文章《{article.title}》加到栏目“{section}”的末尾"
    result = "\n".join(lines)
    if len(result.encode("utf-8")) > MAX_BYTES:
        hint = "请把文章拆短，或不带 --into 运行，把打印出的内容手工整理后放进去"
        message = f"加入文章后期刊文件会超过 {safeio.size_text(MAX_BYTES)}，无法再排版，没有写入"
        raise JianbaoError(message, Location(str(issue)), hint)
    _verify(issue, result, expected)
    saved = _save_pictures(issue.parent, article, names)
    try:
        rewrite_file(issue, result, bom, "期刊文件")
        _verify(issue, safeio.read_text(issue, MAX_BYTES, "utf-8-sig"), expected)  # what is on disk now
    except (JianbaoError, OSError, UnicodeDecodeError):
        for path in saved:
            path.unlink(missing_ok=True)
        raise
    if saved:
        done += f"，图片存为 {'、'.join(p.name for p in saved)}"
    return done


def _entry(entry: dict[str, str], dash: int) -> list[str]:
    return entry_lines(entry["title"], entry["body"], dash)


def _articles_data(issue: Path, section: Any) -> list[Any]:
    """The articles list of a section's data (as the node tree found it: a list in a mapping)."""
    articles = section.get("articles") if isinstance(section, dict) else None
    if not isinstance(articles, list):
        raise JianbaoError("这个期刊文件的写法特殊，无法自动加入文章", Location(str(issue)), MANUAL_HINT)
    return articles


def _data(issue: Path, text: str) -> Any:
    hint = f"先运行 jianbao check {issue} 并改正其中的错误"
    try:
        data = yaml.load(text, Loader=LOADER)
    except (yaml.YAMLError, RecursionError):
        raise JianbaoError("期刊文件不是有效的期刊 YAML，无法加入文章", Location(str(issue)), hint) from None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise JianbaoError("期刊文件没有按栏目列表写的 sections", Location(str(issue), field="sections"), hint)
    return data


def _difference(expected: Any, actual: Any, where: str = "") -> str | None:
    """The first key (dotted, with list indices) whose value differs, or None when the two are equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            if key not in expected or key not in actual:
                return f"{where}.{key}".lstrip(".")
            found = _difference(expected[key], actual[key], f"{where}.{key}")
            if found:
                return found.lstrip(".")
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for k, (a, b) in enumerate(zip(expected, actual, strict=False)):
            found = _difference(a, b, f"{where}[{k}]")
            if found:
                return found
        return None if len(expected) == len(actual) else f"{where}[{min(len(expected), len(actual))}]"
    same = type(expected) is type(actual) and expected == actual
    return None if same else where or "（整个文件）"


def _verify(issue: Path, text: str, expected: Any) -> None:
    """Raise unless ``text`` holds exactly ``expected``, key by key, as PyYAML and libyaml (the issue loader's) read it."""
    for loader in {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}:
        try:
            actual = yaml.load(text, Loader=loader)
        except (yaml.YAMLError, RecursionError):
            actual = None
        key = _difference(expected, actual)
        if key is None:
            continue
        raise JianbaoError(
            f"这个期刊文件的写法特殊，加入文章后 {key.lstrip('.')} 会与原意不符，没有写入",
            Location(str(issue)),
            MANUAL_HINT,
        )


def _picture_names(folder: Path, article: ImportedArticle) -> dict[int, str]:
    """A file name beside the issue for each picture (paragraph index → name): a free name, or a file
    already there with the same bytes (an article imported again)."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    n = 0
    for i, p in enumerate(article.paragraphs):
        if not isinstance(p, Picture):
            continue
        while True:
            n += 1
            name = f"{article.source}-{n}{p.ext}"
            existing = folder / name
            if name in taken:
                continue
            if not existing.exists() and not existing.is_symlink():
                break
            try:
                if safeio.read_bytes(existing, len(p.data)) == p.data:
                    break
            except OSError:
                pass
        names[i] = name
        taken.add(name)
    return names


def _save_pictures(folder: Path, article: ImportedArticle, names: dict[int, str]) -> list[Path]:
    """Write the pictures that are not there yet; the new files, for removal if the issue cannot be written."""
    from pipeline.atomic import write_atomic

    saved: list[Path] = []
    for i, name in names.items():
        picture = article.paragraphs[i]
        assert isinstance(picture, Picture)
        path = folder / name
        if path.exists():
            continue  # the same bytes are there already
        try:
            write_atomic(path, picture.data)
        except JianbaoError as exc:
            for done in saved:
                done.unlink(missing_ok=True)
            cause = exc.__cause__
            reason = os_reason(cause) if isinstance(cause, OSError) else "原因不明"
            raise JianbaoError(f"无法保存图片 {name}：{reason}", Location(str(path)), "期刊文件没有改动") from None
        saved.append(path)
    return saved


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
