"""The issues of a folder as a series, and the next issue file written from the latest one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import safeio
from pipeline.errors import JianbaoError, Location
from pipeline.source.issue import collect_issue
from pipeline.source.model import Issue, Section
from pipeline.source.rules import MAX_BYTES, NUMBER_RE, PLACEHOLDER_DATE, visible

PLACEHOLDER_MARK = "请填写"  # every placeholder the clerk must replace contains this
PLACEHOLDER_TITLE = "（请填写标题）"
PLACEHOLDER_BODY = "（请填写正文：每段一行，段与段之间空一行。）"
PLACEHOLDER_ISSUER = "（请填写编印单位）"
FIRST_SECTION = "工作动态"  # the 栏目 of the first issue of a new bulletin
ISSUES_FOLDER = Path("issues")


@dataclass(frozen=True)
class IssueHead:
    """The masthead keys of an issue file, read quickly and leniently (for ordering a folder)."""

    path: Path
    bulletin: str | None
    number: str | None
    date: dt.date | None
    total: str | None
    number_where: Location
    layout: str | None = None

    @property
    def number_int(self) -> int | None:
        return int(self.number) if self.number and NUMBER_RE.fullmatch(self.number) else None


HEAD_LINE = re.compile(
    r"""^(?P<key>bulletin|number|date|total|layout):[ \t]*(?P<value>"[^"\n]*"|'[^'\n]*'|[^#\n]*?)[ \t]*(?:#.*)?$""",
    re.MULTILINE,
)


def read_head(path: Path) -> IssueHead | None:
    """The head of ``path`` from its top-level lines (no YAML parse: quick even for a large or broken file)."""
    try:
        text = safeio.read_text(path, MAX_BYTES, "utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    values: dict[str, tuple[str, int, int]] = {}
    for m in HEAD_LINE.finditer(text):
        value = m["value"]
        if value[:1] in "\"'" and len(value) >= 2:
            value = value[1:-1]
        line = text.count("\n", 0, m.start()) + 1
        values.setdefault(m["key"], (value.strip(), line, m.start("value") - m.start() + 1))
    if "bulletin" not in values and "number" not in values:
        return None

    def text_of(key: str) -> str | None:
        return values[key][0] or None if key in values else None

    date = parse_date(text_of("date") or "")
    where = Location(str(path), values["number"][1], values["number"][2], "number") if "number" in values else Location(str(path))
    return IssueHead(path, text_of("bulletin"), text_of("number"), date, text_of("total"), where, text_of("layout"))


def parse_date(text: str) -> dt.date | None:
    """A date written YYYY-MM-DD (or YYYY-M-D), as issue files accept it; None when it is not one."""
    ymd = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text.strip())
    try:
        return dt.date(int(ymd[1]), int(ymd[2]), int(ymd[3])) if ymd else None
    except ValueError:
        return None


def folder_files(folder: Path) -> list[Path]:
    """The issue files of ``folder``: ``*.yaml`` then ``*.yml``, each sorted by name."""
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


def folder_heads(folder: Path) -> list[IssueHead]:
    """Heads of every issue file in ``folder``, unreadable files left out."""
    return [h for h in (read_head(f) for f in folder_files(folder)) if h is not None]


def _order(head: IssueHead) -> tuple[dt.date, int, str]:
    return (head.date or dt.date.min, head.number_int or 0, head.path.name)


def previous_issue(head: IssueHead, heads: list[IssueHead]) -> IssueHead | None:
    """The issue of the same bulletin just before ``head`` among ``heads``: by date, or by number when its date is bad."""
    others = [
        h for h in heads if h.path.resolve() != head.path.resolve() and h.bulletin == head.bulletin and h.number_int is not None
    ]
    if head.date is None:
        if head.number_int is None:
            return None
        lower = [h for h in others if h.number_int is not None and h.number_int < head.number_int]
        return max(lower, key=lambda h: h.number_int or 0, default=None)
    before = [h for h in others if h.date is not None and _order(h) < _order(head)]
    return max(before, key=_order, default=None)


def issues_folder() -> Path:
    """Where ``jianbao new`` looks for the latest issue and writes the next: ``issues/`` when the current
    folder has one, else the current folder."""
    return ISSUES_FOLDER if ISSUES_FOLDER.is_dir() else Path(".")


def latest_issue(folder: Path) -> Path:
    """The latest regularly numbered issue file in ``folder`` (by date, then number)."""
    hint = "用 --from 指定上一期的期刊文件；开始一个新的简报，用 --series 简报名称"
    if not folder.is_dir():
        raise JianbaoError(f"找不到文件夹 {folder}", hint=hint)
    heads = [h for h in folder_heads(folder) if h.number_int is not None and h.date is not None]
    if not heads:
        where = "当前文件夹" if folder == Path(".") else f"文件夹 {folder}"
        raise JianbaoError(f"{where}中没有可以沿用的期刊文件", hint=hint)
    return max(heads, key=_order).path


def yaml_value(text: str) -> str:
    """``text`` as a one-line YAML scalar: plain when YAML reads it back unchanged, else double-quoted by
    PyYAML's emitter (which escapes every line break, U+2028 and U+0085 included, and control characters)."""
    if text and "\n" not in text:
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return yaml.dump(text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=1 << 30).rstrip("\n")


def next_issue_text(prev: Issue, origin: str, date: dt.date) -> str:
    """The text of the issue after ``prev``: same masthead and sections, each with a placeholder article.
    ``origin`` says in a comment where it comes from (``根据 2023-21.yaml``)."""
    if not re.fullmatch(r"[0-9]{1,9}", prev.number):
        raise JianbaoError(f"上一期的期号“{prev.number}”不是整数，无法自动加一", hint="用 --from 指定一期期号为整数的期刊文件")
    number = int(prev.number) + 1
    lines = [
        f"# 《{prev.bulletin}》{prev.title or ''} 第{number}期",
        f"# 由 jianbao new {origin}生成。请把每个“（{PLACEHOLDER_MARK}……）”换成本期的内容，",
        "# 再运行 jianbao check 检查。",
    ]
    if prev.layout:
        lines.append(f"layout: {yaml_value(prev.layout)}")
    lines.append(f"bulletin: {yaml_value(prev.bulletin)}")
    if prev.title != "简报":
        lines.append(f"title: {yaml_value(prev.title or '')}")
    lines.append(f"number: {number}")
    if prev.total and NUMBER_RE.fullmatch(prev.total):
        lines.append(f"total: {int(prev.total) + 1}")
    lines += [f"issuer: {yaml_value(prev.issuer)}", f"date: {date.isoformat()}"]
    if prev.mark:
        lines.append(f"mark: {yaml_value(prev.mark)}")
    lines += [f"toc: {'true' if prev.toc else 'false'}", "sections:"]
    for section in prev.sections:
        brief = bool(section.articles) and all(a.brief for a in section.articles)
        lines += [
            f"  - name: {yaml_value(section.name)}",
            "    articles:",
            "      # 示例文章：把标题和正文换成本期的内容；要加文章，就照这个格式再写一篇。",
            f"      - title: {PLACEHOLDER_TITLE}",
        ]
        if brief:
            lines.append("        brief: true")
        lines += ["        body: |", f"          {PLACEHOLDER_BODY}", ""]
    if prev.distribution:
        lines.append("distribution:")
        lines += [f"  {key}: {yaml_value(value)}" for key, value in prev.distribution]
    if prev.copies is not None:
        lines.append(f"copies: {prev.copies}")
    return "\n".join(lines).rstrip("\n") + "\n"


@dataclass(frozen=True)
class NewIssue:
    path: Path
    number: str
    notes: tuple[str, ...]


def new_issue(previous: Path, date: dt.date, out: Path | None = None, folder: Path | None = None) -> NewIssue:
    """Write the issue after ``previous`` to ``out`` (default: ``<year>-<number>.yaml`` in ``folder``, or
    beside ``previous``); never overwrites."""
    prev, problems = collect_issue(previous)
    if prev is None:
        raise JianbaoError(f"上一期 {previous} 无法读取，不能据此生成新一期", hint=f"先运行 jianbao check {previous}")
    text = next_issue_text(prev, f"根据 {previous.name} ", date)
    number = str(int(prev.number) + 1)
    target = out if out is not None else (folder or previous.parent) / f"{date.year}-{number}.yaml"
    notes = []
    if problems:
        notes.append(f"上一期 {previous} 有 {len(problems)} 个问题（运行 jianbao check 查看），已尽量沿用其内容")
    if prev.date != PLACEHOLDER_DATE and prev.date.year < date.year:
        notes.append("已跨年：如果期号每年从第1期重新开始，请把 number 改为 1")
    _write_new(target, text)
    return NewIssue(target, number, tuple(notes))


def first_issue(name: str, date: dt.date, out: Path | None = None, folder: Path = Path(".")) -> NewIssue:
    """Write 第1期 of a new bulletin called ``name`` to ``out`` (default ``<year>-1.yaml`` in ``folder``),
    with one 栏目 and placeholders for the issuer and the article; never overwrites."""
    name = name.strip()
    if not visible(name) or not name.isprintable():
        raise JianbaoError(f"简报名称“{name}”不能用", hint="写简报的名称，例如 --series 周口精神文明建设")
    nothing = Location("")
    start = Issue(  # stands for the issue before 第1期: next_issue_text numbers it 1
        bulletin=name,
        number="0",
        issuer=PLACEHOLDER_ISSUER,
        date=date,
        sections=(Section(FIRST_SECTION, (), nothing),),
        source_path="",
        title=None if name.endswith("简报") else "简报",
    )
    target = out if out is not None else folder / f"{date.year}-1.yaml"
    _write_new(target, next_issue_text(start, "--series（新简报的第1期）", date))
    return NewIssue(target, "1", ())


def _write_new(target: Path, text: str) -> None:
    """Write a new issue file; never overwrite one."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise JianbaoError(f"文件 {target} 已经存在，不会覆盖", hint="用 -o 指定另一个文件名，或先把已有的文件改名") from None
    except OSError as exc:
        from pipeline.errors import os_reason

        raise JianbaoError(f"无法写入 {target}：{os_reason(exc)}") from None
