"""The blocks of an article's body other than its structure: a paragraph's runs (``**bold**``), a photo
line ``![说明](图片 60%)`` and a pipe table, each read with the problems it has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline import safeio
from pipeline.errors import Location
from pipeline.source.model import Image, Run, Table
from pipeline.source.rules import IMAGE_RE, TABLE_SEPARATOR, settle_spaces, visible

Report = Callable[..., Exception]  # (message, where, hint=None) → the exception to raise, the problem recorded


def runs(text: str, where: Location, report: Report) -> tuple[Run, ...]:
    parts = text.split("**")
    if len(parts) % 2 == 0:
        raise report("加粗标记 ** 没有成对出现", where, "加粗的文字应写作 **一是……。**")
    runs = tuple(Run(p, bold=bool(i % 2)) for i, p in enumerate(parts) if p)
    if not runs:
        raise report("段落没有文字", where)
    if not visible(text.replace("**", "")):
        raise report("段落只有空格或看不见的字符", where, "请删去这一段，或写上文字")
    return runs


def image(line: str, where: Location, issue_dir: Path, report: Report) -> Image:
    m = IMAGE_RE.match(line)
    if not m:
        raise report("图片写法不对", where, "应写作 ![图片说明](图片路径) 或 ![图片说明](图片路径 60%)")
    rel = m["path"]
    target = safeio.resolved(issue_dir / rel)
    problem = safeio.problem(target)
    if problem and problem != safeio.NOT_FOUND:  # a folder, a FIFO, a device, a symlink loop…
        raise report(f"图片文件 {rel} 无法使用：{problem}", where, "请在这里写 JPEG 或 PNG 图片文件的路径")
    if safeio.resolved(issue_dir) not in target.parents:
        hint = "请把图片放在期刊文件的文件夹（或其子文件夹）里"
        raise report(f"图片路径 {rel} 在期刊文件所在文件夹之外", where, hint)
    if problem:
        raise report(f"找不到图片文件 {rel}", where)
    width = int(m["width"]) / 100 if m["width"] else 1.0
    if not 0 < width <= 1:
        raise report(f"图片宽度 {m['width']}% 超出范围", where, "宽度应在 1% 到 100% 之间")
    return Image(path=str(target), caption=settle_spaces(m["caption"].strip()), width=width, where=where)


def table(chunk: list[str], where: Location, report: Report) -> Table:
    rows = [tuple(settle_spaces(c.strip()) for c in ln[1:-1].split("|")) for ln in chunk]
    seps = [TABLE_SEPARATOR.fullmatch(c) for c in rows[1]] if len(rows) > 1 else [None]
    header = all(seps)
    widths = None
    if header:
        rows.pop(1)
        sep_where = Location(where.file, where.line + 1 if where.line else None, where.column, where.field)
        if len(seps) != len(rows[0]):
            raise report("表格分隔行的列数与表头不一致", sep_where)
        given = [m["width"] for m in seps if m and m["width"]]
        if given:
            hint = "列宽写在分隔行里，每列一个数，如 |--2--|--1--|--1--|"
            if len(given) != len(seps):
                raise report("表格分隔行的列宽要么每列都写，要么都不写", sep_where, hint)
            numbers = [float(g) for g in given]
            if min(numbers) <= 0:
                raise report("表格列宽应大于 0", sep_where, hint)
            widths = tuple(n / sum(numbers) for n in numbers)
    ncols = len(rows[0])
    if any(len(r) != ncols for r in rows):
        raise report("表格各行的单元格数不一致", where)
    return Table(rows=tuple(rows), header=header, widths=widths, where=where)
