"""The per-user cache (font metrics, title word breaks): one file or folder each under one folder.

``$XDG_CACHE_HOME/jianbao/<name>`` (``~/.cache/…``; ``%LOCALAPPDATA%\\jianbao\\cache`` on Windows);
``JIANBAO_CACHE_DIR`` overrides the folder, and an empty ``JIANBAO_CACHE_DIR`` turns caching off.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def cache_path(name: str) -> Path | None:
    """Where one kind of cached data is kept, or None when caching is off (or there is no home)."""
    configured = os.environ.get("JIANBAO_CACHE_DIR")
    if configured is not None:
        return Path(configured) / name if configured else None
    try:
        if os.name == "nt":
            base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "jianbao" / "cache"
        else:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jianbao"
    except (RuntimeError, KeyError):  # no home folder: no cache
        return None
    return base / name


def store(path: Path, data: bytes) -> None:
    """Write a cache file by temp file and rename; best effort: an unwritable folder only costs time later."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
