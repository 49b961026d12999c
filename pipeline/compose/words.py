"""Where the words of a title end (rjieba's segmentation), kept in a per-user cache.

rjieba loads its whole dictionary when imported, about 0.1 s, as long as the rest of a build, to
segment the two or three titles of an issue that need a line break. The segmentations are kept in
``$XDG_CACHE_HOME/jianbao/words`` (``~/.cache/…``; ``JIANBAO_CACHE_DIR`` overrides the folder and an
empty one turns the cache off, as for the font metrics), keyed by the title and by the installed
rjieba (the size and time of each of its files), so rjieba is loaded only for a title not seen
before: a title segmented by ``jianbao check`` is not segmented again by ``jianbao build``. The
cache holds what rjieba returned, so a build gives the same PDF with or without it.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import os
from importlib.util import find_spec

from pipeline import safeio
from pipeline.cache import cache_path, store

CACHE_FORMAT = 1
MAX_ENTRIES = 2000  # titles; the oldest are dropped first
MAX_CACHE_BYTES = 50_000_000

_cache: dict[str, tuple[int, ...]] | None = None  # this process's copy of the cache file


def word_ends(text: str) -> set[int] | None:
    """Offsets where a word of ``text`` ends, by dictionary segmentation; None without rjieba."""
    stamp = _rjieba_stamp()
    if stamp is None:
        return None
    cache = _load(stamp)
    ends = cache.get(text)
    if not (isinstance(ends, tuple) and all(isinstance(n, int) for n in ends)):  # not cached (or a damaged entry)
        import rjieba  # a small Rust build of jieba: words, so that titles break between them

        ends = tuple(itertools.accumulate(len(w) for w in rjieba.cut(text)))
        cache[text] = ends
        while len(cache) > MAX_ENTRIES:
            del cache[next(iter(cache))]
        _save(stamp, cache)
    return set(ends)


def _rjieba_stamp() -> str | None:
    """The installed rjieba as text (its files' names, sizes and times), or None when it is not installed."""
    try:
        spec = find_spec("rjieba")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    parts = []
    for folder in spec.submodule_search_locations:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file():
                    st = entry.stat()
                    parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return f"{CACHE_FORMAT}|{'|'.join(sorted(parts))}"


def _load(stamp: str) -> dict[str, tuple[int, ...]]:
    """The cache for this rjieba: read once per process; empty when missing, damaged or for another rjieba."""
    global _cache
    if _cache is None:
        _cache = {}
        path = cache_path("words")
        if path is not None:
            with contextlib.suppress(Exception):  # a damaged or foreign file: start again
                stored_stamp, entries = marshal.loads(safeio.read_bytes(path, MAX_CACHE_BYTES))
                if stored_stamp == stamp and isinstance(entries, dict):
                    _cache = entries
    return _cache


def _save(stamp: str, entries: dict[str, tuple[int, ...]]) -> None:
    path = cache_path("words")
    if path is not None:
        store(path, marshal.dumps((stamp, entries)))
