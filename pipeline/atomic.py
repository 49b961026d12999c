"""Write a file atomically: temp file in the same folder, fsync, rename; errors in Chinese."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from pipeline.errors import JianbaoError, Location, os_reason

_REASONS = {
    errno.ENOENT: "输出文件夹不存在",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EISDIR: "目标是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长",
}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder, fsync and os.replace.

    A failure leaves any previous file untouched, removes the temp file and raises JianbaoError.
    """
    path = Path(path)
    stem = path.name.encode()[:200].decode(errors="ignore")  # the temp name must fit where the PDF's does
    _sweep_stale(path.parent, stem)
    tmp = path.with_name(f".{stem}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        message = _write_error_message(exc) + ("，原有文件保持不变" if path.exists() else "")
        raise JianbaoError(message, where=Location(str(path)), hint="检查输出文件夹是否存在、可写，以及磁盘空间。") from exc
    except BaseException:
        _remove(tmp)
        raise
    _fsync_folder(path.parent)


def _sweep_stale(folder: Path, stem: str) -> None:
    """Remove temp files that a killed build left for this PDF (their process no longer exists)."""
    with contextlib.suppress(OSError):
        for tmp in folder.glob(f".{glob_escape(stem)}.*-*.tmp"):
            pid = tmp.name[len(stem) + 2 :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                _remove(tmp)


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _remove(tmp: Path) -> None:
    """Remove the temp file if there is one; never raise over the error being reported."""
    with contextlib.suppress(OSError):
        tmp.unlink()


def _write_error_message(exc: OSError) -> str:
    reason = _REASONS.get(exc.errno or 0) or os_reason(exc)
    return f"无法写入 PDF 文件：{reason}"


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable where the OS allows opening a folder (not on Windows)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # the data itself is on disk; only the folder entry's durability is best effort
    finally:
        os.close(fd)
