"""Rebuild whenever an issue file or its layout changes, by polling modification times."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml

from pipeline import safeio
from pipeline.errors import JianbaoError
from pipeline.layout.templates import MAX_LAYOUT_BYTES
from pipeline.source.newissue import read_head

POLL_SECONDS = 0.05  # a save is seen within 50 ms (a stat of two or three files and a read of the head)

Snapshot = dict[Path, int | None]


def watched_files(issue: Path, layout_option: str | None = None) -> list[Path]:
    """The issue file, its layout file and the layouts that one ``extends``."""
    from pipeline.layout.templates import find_layout
    from pipeline.typeset import resolve_layout_path

    files = [issue]
    head = read_head(issue)
    layout_value = head.layout if head else None
    try:
        path = resolve_layout_path(issue, layout_option, layout_value)
        while path not in files:
            files.append(path)
            parent = (yaml.safe_load(safeio.read_text(path, MAX_LAYOUT_BYTES)) or {}).get("extends")
            if not parent:
                break
            path = find_layout(str(parent), path.parent)
    except (JianbaoError, OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        pass
    return files


def snapshot(paths: list[Path]) -> Snapshot:
    """Modification time of each path (None for a missing file)."""
    out: Snapshot = {}
    for p in paths:
        try:
            out[p] = p.stat().st_mtime_ns
        except OSError:
            out[p] = None
    return out


def watch(
    files: Callable[[], list[Path]],
    rebuild: Callable[[], None],
    *,
    interval: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    max_polls: int | None = None,
) -> int:
    """Call ``rebuild`` once, then again after every change of ``files()``; return how many rebuilds ran.

    Polls every ``interval`` seconds until interrupted, or ``max_polls`` times (for tests).
    """
    state = snapshot(files())
    rebuild()
    builds = 1
    polls = 0
    while max_polls is None or polls < max_polls:
        sleep(interval)
        polls += 1
        current = snapshot(files())
        if current != state:
            state = current
            rebuild()
            builds += 1
    return builds
