"""``jianbao build``: the issue files named, built one by one or in parallel, each file's warnings and
path printed, a summary table for several."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import safeio
from pipeline.cli.report import EXIT_USER_ERROR, EXIT_WARNINGS, echo
from pipeline.errors import ERROR, JianbaoError, Location, Problem

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from pipeline.cli.batch import Outcome

STDIN = "-"  # ``jianbao build -``: the issue file is read from standard input


# ---------------------------------------------------------------- build
def build_files(
    issues: list[Path],
    out: Path | str,
    layout: str | None,
    profile: str,
    bleed: float,
    duplex: bool,
    jobs: int,
    debug: bool,
    draft: bool = False,
    format: str = "pdf",
    dump_pages: bool = False,
) -> int:
    """``jianbao build``: build each issue file, print its warnings and its PDF's path (a summary for
    several); the exit status: 0, 1 when warnings were printed, 2 when a file could not be built."""
    from pipeline.cli.batch import Job, build_all, check_outputs
    from pipeline.typeset import FORMATS

    if profile not in ("print", "archive"):
        return _fail(JianbaoError(f"未知的输出用途 {profile}", hint="可选 print 或 archive"))
    formats = tuple(dict.fromkeys(f.strip().lower() for f in format.split(",") if f.strip()))
    if not formats or any(f not in FORMATS for f in formats):
        return _fail(JianbaoError(f"未知的输出格式 {format}", hint="可选 pdf、ofd，或两者都要：pdf,ofd"))
    if not 0 <= bleed <= 20:
        return _fail(JianbaoError("出血应在 0 到 20 毫米之间"))
    if not 1 <= jobs <= 64:
        return _fail(JianbaoError(f"-j {jobs} 不合适", hint="写 1 到 64 之间的整数，一般写电脑的核数即可"))
    files, missing = issue_files(issues)
    if missing:
        return _fail(JianbaoError(missing[0].message, missing[0].where, missing[0].hint))
    check_outputs(files)
    pdf = output_file(str(out), len(files))

    def job(f: Path) -> Job:
        stdin = f == Path(STDIN)
        data = read_stdin() if stdin else None
        source = stdin_path() if stdin else f
        return Job(source, Path(out), layout, profile, bleed, debug, duplex, draft, pdf, data, formats, dump_pages)

    todo = [job(f) for f in files]
    batch = len(files) > 1
    with _Progress(batch, len(files)) as advance:
        outcomes = build_all(todo, jobs, advance)
    for outcome in outcomes:
        for warning in outcome.warnings:
            echo(str(warning), err=True)
        if outcome.error:
            echo(f"错误：{outcome.error}", err=True)
        else:
            for path in outcome.outputs or (outcome.output,):
                echo(str(path))
    warnings = sum(len(o.warnings) for o in outcomes)
    if batch:
        _summary(outcomes)
    elif warnings:
        fixable = any("--fix" in (w.hint or "") for o in outcomes for w in o.warnings)
        more = "；标明“可用 --fix”的，可运行 jianbao check --fix 自动改正" if fixable else ""
        echo(f"PDF 已生成，但有 {warnings} 个警告，请看一看{more}。", err=True)
    if any(o.error for o in outcomes):
        return EXIT_USER_ERROR
    return EXIT_WARNINGS if warnings else 0


def output_file(out: str, count: int) -> Path | None:
    """The PDF that ``-o`` names (``-o 周报.pdf``), or None when it names a folder (``-o 输出``, ``-o 周报.pdf/``)."""
    if not out.lower().endswith(".pdf") or Path(out).is_dir():
        return None
    if count > 1:
        hint = "排版多个文件时，-o 写一个文件夹（如 -o 输出/），每期的 PDF 以期刊文件命名"
        raise JianbaoError(f"-o {out} 是一个 PDF 文件名，但要排版 {count} 个文件", hint=hint)
    return Path(out)


def stdin_path() -> Path:
    """The name messages and the PDF get for an issue read from standard input."""
    from pipeline.source.rules import STDIN_NAME

    return Path(STDIN_NAME)


def read_stdin() -> bytes:
    """The issue file given on standard input (``-``), refused when standard input is the terminal."""
    from pipeline.source.rules import MAX_BYTES

    if sys.stdin is None or sys.stdin.isatty():
        hint = "把期刊文件接到标准输入，例如 cat 本期.yaml | jianbao build -；或直接写期刊文件的文件名"
        raise JianbaoError("“-”要从标准输入读取期刊文件，但标准输入是终端", hint=hint)
    stream = getattr(sys.stdin, "buffer", None)
    return stream.read(MAX_BYTES + 1) if stream is not None else sys.stdin.read(MAX_BYTES + 1).encode("utf-8")


def _fail(exc: JianbaoError) -> int:
    echo(f"错误：{exc}", err=True)
    return EXIT_USER_ERROR


def issue_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The issue files named by ``paths`` (a folder gives its .yaml files), and an error for each name that gives none."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        if str(p) == STDIN:
            if p in files:
                problems.append(Problem(Location("-"), ERROR, "标准输入（-）只能读一次"))
            files.append(p)
        elif p.is_dir():
            from pipeline.source.newissue import folder_files

            found = folder_files(p)
            if not found:
                problems.append(Problem(Location(str(p)), ERROR, "文件夹中没有 .yaml 期刊文件"))
            files += found
        elif (problem := safeio.problem(p)) is None:
            files.append(p)
        elif p.exists():  # a FIFO, a device…: say what it is
            problems.append(Problem(Location(str(p)), ERROR, f"无法读取文件：{problem}", "请写期刊文件（.yaml）的路径"))
        else:
            problems.append(Problem(Location(str(p)), ERROR, "找不到文件", "请检查文件名和所在文件夹"))
    return files, problems


class _Progress:
    """A progress bar on stderr for batches on a terminal; otherwise does nothing."""

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Callable[[object], None]:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("排版中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True)
            )
            self.bar.start()
            self.task = self.bar.add_task("排版", total=self.total)
        return self.advance

    def advance(self, _outcome: object) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _summary(outcomes: list[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="排版汇总")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("文件", "left"),
        ("页数", "right"),
        ("输出", "left"),
        ("用时", "right"),
        ("问题", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for o in outcomes:
        problem = (o.reason or "") if o.error else f"{len(o.warnings)} 个警告" if o.warnings else ""
        output = str(o.output) if o.output else "失败"
        table.add_row(o.source.name, str(o.pages) if o.output else "—", output, f"{o.seconds:.1f} 秒", problem)
    ok = sum(1 for o in outcomes if o.output)
    warned = sum(1 for o in outcomes if o.warnings)
    console = Console(stderr=True, width=max(120, Console(stderr=True).width))
    console.print(table)
    warned_text = f"（其中 {warned} 个有警告）" if warned else ""
    console.print(f"成功 {ok} 个{warned_text}，失败 {len(outcomes) - ok} 个。")
