"""The pipeline, one line a stage: load → compose → paginate → the page model → the writers → write.

``typeset`` makes the page model of an issue file (used by ``build``, ``fonts``, ``preview`` and ``watch``);
``build`` writes it as PDF and OFD.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.errors import Problem
    from pipeline.fonts.roles import FontSet
    from pipeline.layout.templates import Layout
    from pipeline.page import Document, Info
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


@dataclass(frozen=True)
class Typeset:
    """An issue typeset: its page model and what came before it, with the warnings found on the way."""

    issue: Issue
    layout: Layout
    fonts: FontSet
    document: Document  # the page model: what the writers walk
    warnings: tuple[Problem, ...]  # ``check``'s warnings and composition's, in file order
    source: bytes  # the issue file as read (the archive PDF attaches it)


def resolve_layout_path(issue_path: Path, layout_name: str | None, issue_layout: str | None) -> Path:
    from pipeline.layout.templates import find_layout

    return find_layout(layout_name or issue_layout or "jianbao", issue_path.parent)


def typeset(
    issue_path: Path,
    layout_name: str | None = None,
    *,
    duplex: bool = False,
    draft: bool = False,
    source: bytes | None = None,
) -> Typeset:
    """Load and check the issue file, compose, paginate and make the page model; raises JianbaoError on
    an error (the checks of ``jianbao check`` included: placeholders are errors unless ``draft``).
    ``duplex`` mirrors the margins; ``source`` is the file's text read elsewhere (stdin)."""
    from pipeline.errors import ERROR
    from pipeline.paginate.finalize import page_model
    from pipeline.source.check import in_file_order, source_problems
    from pipeline.source.issue import load_issue, read_source
    from pipeline.source.reader import IssueError

    data = read_source(issue_path) if source is None else source
    issue = load_issue(issue_path, data)
    found = source_problems(issue_path, data.decode("utf-8-sig"), draft=draft, in_folder=source is None)
    if any(p.level == ERROR for p in found):
        raise IssueError(in_file_order(found))
    layout, pages, fonts, warnings = _typeset_issue(issue, issue_path, layout_name, duplex)
    found += warnings
    document = page_model(pages, layout, fonts, document_info(issue))
    return Typeset(issue, layout, fonts, document, tuple(in_file_order(found)), data)


def _layout(issue: Issue, issue_path: Path, layout_name: str | None, duplex: bool) -> Layout:
    import dataclasses

    from pipeline.errors import JianbaoError, Location
    from pipeline.layout.templates import load_layout

    try:
        layout = load_layout(resolve_layout_path(issue_path, layout_name, issue.layout))
    except JianbaoError as exc:  # a layout the issue file names but that is not there: point at its layout key
        if exc.where is not None or layout_name:
            raise
        raise JianbaoError(exc.message, issue.where.get("layout", Location(str(issue_path))), exc.hint) from None
    if duplex:
        layout = dataclasses.replace(layout, page=dataclasses.replace(layout.page, mirror=True))
    return layout


def _typeset_issue(
    issue: Issue, issue_path: Path, layout_name: str | None, duplex: bool
) -> tuple[Layout, list[Page], FontSet, tuple[Problem, ...]]:
    from pipeline.compose.flow import assemble
    from pipeline.compose.folio import folio_composer
    from pipeline.fonts.roles import FontSet, check_coverage
    from pipeline.paginate.pages import paginate

    layout = _layout(issue, issue_path, layout_name, duplex)
    fonts = FontSet(layout)
    check_coverage(issue, layout, fonts)
    composed = assemble(issue, layout, fonts)
    pages = paginate(composed, layout, folio_composer(layout, fonts))
    return layout, pages, fonts, composed.warnings


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
    dump_pages: bool = False,
) -> BuildResult:
    """Build one issue file into ``output`` (default ``out_dir/<stem>.pdf``); raises JianbaoError on any
    error. ``formats`` are written from the one page model: "pdf", "ofd" (beside it, ``<stem>.ofd``) or both;
    ``dump_pages`` writes the page model as JSON beside them (``<stem>.pages.json``)."""
    from pipeline.atomic import write_atomic
    from pipeline.render.pdf.finish import FinishOptions
    from pipeline.render.pdf.writer import write_pdf

    done = typeset(issue_path, layout_name, duplex=duplex, draft=draft, source=source)
    output = output or out_dir / f"{issue_path.stem}.pdf"
    _make_folder(output.parent)
    written: list[tuple[Path, int]] = []
    for kind in formats:
        if kind == "pdf":
            archive = profile == "archive"
            attached = (issue_path.name, done.source) if archive else (None, None)
            options = FinishOptions(profile=profile, bleed_mm=bleed_mm, source_name=attached[0], source_bytes=attached[1])
            pdf = write_pdf(done.document, options)
            write_atomic(output, pdf)
            written.append((output, len(pdf)))
        elif kind == "ofd":
            from pipeline.render.ofd.writer import save_ofd

            target = output.with_suffix(".ofd")
            written.append((target, save_ofd(done.document, target)))
    if dump_pages:
        from pipeline.page import dump

        write_atomic(output.with_suffix(".pages.json"), dump(done.document).encode("utf-8"))
    first, size = written[0]
    return BuildResult(first, len(done.document.pages), size, done.warnings, tuple(p for p, _ in written))


def check_file(path: Path, *, draft: bool = False, data: bytes | None = None) -> list[Problem]:
    """``jianbao check``: every problem of one issue file (or of its ``data``, read from stdin), errors and
    warnings, in file order, found by the stages up to composition (no pages, no PDF)."""
    import contextlib

    from pipeline import safeio
    from pipeline.errors import ERROR
    from pipeline.source.check import in_file_order, source_problems
    from pipeline.source.issue import collect_issue
    from pipeline.source.rules import MAX_BYTES

    issue, problems = collect_issue(path, data)
    problems = list(problems)
    if issue is not None:
        problems += _composition_problems(path, issue, compose=not any(p.level == ERROR for p in problems))
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = (safeio.read_bytes(path, MAX_BYTES) if data is None else data).decode("utf-8-sig")
            problems += source_problems(path, text, draft=draft, in_folder=data is None)
    return in_file_order(problems)


def _composition_problems(path: Path, issue: Issue, compose: bool) -> list[Problem]:
    """The layout, characters no font has and the photos; then, if all is well so far and ``compose``,
    what only composition finds (a masthead field or a table row too big): no PDF is made."""
    from pipeline.compose.figures import check_images
    from pipeline.compose.flow import assemble
    from pipeline.errors import ERROR, JianbaoError, Location, Problem
    from pipeline.fonts.roles import FontSet, missing_chars

    try:
        layout = _layout(issue, path, None, False)
        fonts = FontSet(layout)
        missing = missing_chars(issue, layout, fonts)
    except JianbaoError as exc:
        where = exc.where or issue.where.get("layout", Location(str(path)))
        return [Problem(where, ERROR, exc.message, exc.hint)]
    hint = "换成常用字，或在版式 fonts.fallback 中加入含有该字的字体"
    found = [Problem(m.where, ERROR, f"字体中没有字符 {m.describe()}，无法印出", hint) for m in missing]
    found += check_images(issue, layout)
    if compose and not any(p.level == ERROR for p in found):
        try:
            assemble(issue, layout, fonts)  # (its photo warnings: check_images has them already)
        except JianbaoError as exc:
            found.append(Problem(exc.where or Location(str(path)), ERROR, exc.message, exc.hint))
    return found


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
