"""The pipeline, one line a stage: load → compose → paginate → the page model → the writers → write.

``typeset`` makes the page model of an issue file (used by ``build``, ``fonts``, ``preview`` and ``watch``);
``build`` writes it as PDF and OFD.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.errors import Problem
    from pipeline.fonts.roles import FontSet
    from pipeline.layout.layout import Layout
    from pipeline.page import Info
    from pipeline.paginate.pages import Page
    from pipeline.source.model import Issue

FORMATS = ("pdf", "ofd")  # what ``build`` can write from one typesetting run


@dataclass(frozen=True)
class BuildResult:
    output: Path  # the first file written (the PDF unless only the OFD was asked for)
    pages: int
    size: int
    warnings: tuple[Problem, ...] = ()  # the warnings ``check`` gives, in file order
    outputs: tuple[Path, ...] = ()  # every file written, in the order of ``formats``


def resolve_layout_path(issue_path: Path, layout_name: str | None, issue_layout: str | None) -> Path:
    from pipeline.layout.layout import find_layout

    return find_layout(layout_name or issue_layout or "jianbao", issue_path.parent)


def typeset(
    issue_path: Path, layout_name: str | None = None, duplex: bool = False, warn: Callable[[Problem], None] | None = None
) -> tuple[Issue, Layout, list[Page]]:
    """Load, compose and paginate: returns (issue, layout, pages). ``duplex`` mirrors the margins;
    ``warn`` receives the warnings of composition (stderr by default)."""
    return typeset_fonts(issue_path, layout_name, duplex, warn)[:3]


def typeset_fonts(
    issue_path: Path, layout_name: str | None = None, duplex: bool = False, warn: Callable[[Problem], None] | None = None
) -> tuple[Issue, Layout, list[Page], FontSet]:
    """``typeset``, and the fonts it used."""
    from pipeline.source.issue import load_issue

    issue = load_issue(issue_path)
    return (issue, *_typeset_issue(issue, issue_path, layout_name, duplex, warn))


def _typeset_issue(
    issue: Issue, issue_path: Path, layout_name: str | None, duplex: bool, warn: Callable[[Problem], None] | None
) -> tuple[Layout, list[Page], FontSet]:
    import dataclasses

    from pipeline.compose.figures import print_warning
    from pipeline.compose.flow import assemble
    from pipeline.compose.folio import folio_composer
    from pipeline.errors import JianbaoError, Location
    from pipeline.fonts.roles import FontSet, check_coverage
    from pipeline.layout.layout import load_layout
    from pipeline.paginate.pages import paginate

    try:
        layout = load_layout(resolve_layout_path(issue_path, layout_name, issue.layout))
    except JianbaoError as exc:  # a layout the issue file names but that is not there: point at its layout key
        if exc.where is not None or layout_name:
            raise
        raise JianbaoError(exc.message, issue.where.get("layout", Location(str(issue_path))), exc.hint) from None
    if duplex:
        layout = dataclasses.replace(layout, page=dataclasses.replace(layout.page, mirror=True))
    fonts = FontSet(layout)
    check_coverage(issue, layout, fonts)
    composed = assemble(issue, layout, fonts, warn or print_warning)
    pages = paginate(composed, layout, folio_composer(layout, fonts))
    return layout, pages, fonts


def build(
    issue_path: Path,
    out_dir: Path,
    layout_name: str | None = None,
    profile: str = "print",
    bleed_mm: float = 0.0,
    duplex: bool = False,
    *,
    draft: bool = False,
    output: Path | None = None,
    source: bytes | None = None,
    formats: tuple[str, ...] = ("pdf",),
) -> BuildResult:
    """Build one issue file into ``output`` (default ``out_dir/<stem>.pdf``) after the checks of
    ``jianbao check``; raises JianbaoError on any error. Placeholders are errors unless ``draft``.
    ``source`` is the issue file's text read elsewhere (stdin): nothing is read from ``issue_path``.
    ``formats`` are written from the one page model: "pdf", "ofd" (beside it, ``<stem>.ofd``) or both."""
    from pipeline.atomic import write_atomic
    from pipeline.errors import ERROR
    from pipeline.paginate.finalize import page_model
    from pipeline.render.pdf.draw import draw
    from pipeline.render.pdf.finish import FinishOptions, finish
    from pipeline.render.pdf.metadata import reportlab_clock_hidden
    from pipeline.source.check import in_file_order, source_problems
    from pipeline.source.issue import IssueError, load_issue, read_source

    data = read_source(issue_path) if source is None else source
    issue = load_issue(issue_path, data)
    found = source_problems(issue_path, data.decode("utf-8-sig"), draft=draft, in_folder=source is None)
    if any(p.level == ERROR for p in found):
        raise IssueError(in_file_order(found))
    layout, pages, fonts = _typeset_issue(issue, issue_path, layout_name, duplex, found.append)
    info = document_info(issue)
    document = page_model(pages, layout, fonts, info)
    output = output or out_dir / f"{issue_path.stem}.pdf"
    _make_folder(output.parent)
    written: list[tuple[Path, int]] = []
    for kind in formats:
        if kind == "pdf":
            archive = profile == "archive"
            options = FinishOptions(
                profile=profile,
                bleed_mm=bleed_mm,
                source_name=issue_path.name if archive else None,
                source_bytes=data if archive else None,
            )
            with reportlab_clock_hidden():
                raw = draw(document)
            pdf = finish(raw, info, options)
            write_atomic(output, pdf)
            written.append((output, len(pdf)))
        elif kind == "ofd":
            from pipeline.render.ofd import save_ofd

            target = output.with_suffix(".ofd")
            written.append((target, save_ofd(document, target)))
    first, size = written[0]
    return BuildResult(first, len(pages), size, tuple(in_file_order(found)), tuple(p for p, _ in written))


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # -o names a file, or a folder that cannot be made
        from pipeline.errors import JianbaoError, Location, os_reason

        reason = "这是一个文件，不是文件夹" if isinstance(exc, FileExistsError | NotADirectoryError) else os_reason(exc)
        hint = "请用 -o 指定一个可写的文件夹"
        raise JianbaoError(f"无法创建输出文件夹：{reason}", Location(str(folder)), hint) from None


def document_info(issue: Issue) -> Info:
    from pipeline.compose.flow import issue_number
    from pipeline.page import Info

    number = issue_number(issue)
    title = " ".join(p for p in (issue.bulletin, issue.title or "", number) if p)
    archive = (
        ("题名", title),
        ("期号", issue.number),
        ("总期号", issue.total or ""),
        ("编印单位", issue.issuer),
        ("印发日期", issue.date.isoformat()),
        ("密级", issue.classification or ""),
        ("保管期限", issue.retention or ""),
    )
    return Info(
        title=title,
        author=issue.issuer,
        subject=f"{issue.bulletin} {issue.date.year}年{number}",
        keywords=tuple(issue.keywords),
        date=issue.date,
        custom=tuple((name, value) for name, value in archive if value),
    )
