"""Build several issue files, one per worker process, and report each outcome as it comes."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import JianbaoError, Problem


@dataclass(frozen=True)
class Job:
    source: Path
    out_dir: Path
    layout: str | None = None
    profile: str = "print"
    bleed_mm: float = 0.0
    debug: bool = False
    duplex: bool = False
    draft: bool = False
    output: Path | None = None  # -o FILE.pdf
    data: bytes | None = None  # the issue read from stdin
    formats: tuple[str, ...] = ("pdf",)
    dump_pages: bool = False


@dataclass(frozen=True)
class Outcome:
    """What became of one file: the PDF and its pages with the warnings, or the Chinese error message
    (in full, and as a short reason for the summary table)."""

    source: Path
    output: Path | None
    pages: int
    seconds: float
    error: str | None = None
    reason: str | None = None
    warnings: tuple[Problem, ...] = ()
    outputs: tuple[Path, ...] = ()  # every file written (PDF, OFD)


def build_one(job: Job) -> Outcome:
    """Build one file; never raises (errors come back as text, so that they cross process boundaries)."""
    from pipeline.typeset import build

    start = time.perf_counter()
    try:
        result = build(
            job.source,
            job.out_dir,
            job.layout,
            profile=job.profile,
            bleed_mm=job.bleed_mm,
            duplex=job.duplex,
            draft=job.draft,
            output=job.output,
            source=job.data,
            formats=job.formats,
            dump_pages=job.dump_pages,
        )
    except JianbaoError as exc:
        line = exc.where.line if exc.where is not None else None
        reason = f"第{line}行：{exc.message}" if line else exc.message
        return Outcome(job.source, None, 0, time.perf_counter() - start, str(exc), reason)
    except Exception as exc:  # a bug must still not show a traceback to a clerk
        message = f"{job.source}: 排版时发生内部错误（{type(exc).__name__}）。请用 --debug 重试并报告此问题。"
        if job.debug:
            message += "\n" + traceback.format_exc()
        return Outcome(job.source, None, 0, time.perf_counter() - start, message, f"内部错误（{type(exc).__name__}）")
    seconds = time.perf_counter() - start
    return Outcome(job.source, result.output, result.pages, seconds, warnings=result.warnings, outputs=result.outputs)


def check_outputs(files: list[Path]) -> None:
    """Refuse two inputs that would write the same PDF."""
    seen: dict[str, Path] = {}
    for f in files:
        other = seen.setdefault(f.stem, f)
        if other != f:
            raise JianbaoError(f"{other} 和 {f} 会输出同名的 {f.stem}.pdf，后一个会覆盖前一个", hint="请把其中一个文件改名")


def build_all(jobs: list[Job], workers: int = 1, on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Build every job, ``workers`` at a time; outcomes come back in the order of ``jobs``."""
    outcomes: dict[int, Outcome] = {}
    if workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            outcomes[i] = build_one(job)
            if on_done:
                on_done(outcomes[i])
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # spawn, not fork: the progress bar runs a thread, and forking a threaded process is unsafe
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            futures = {pool.submit(build_one, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                outcomes[futures[future]] = future.result()
                if on_done:
                    on_done(outcomes[futures[future]])
    return [outcomes[i] for i in range(len(jobs))]
