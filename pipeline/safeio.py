"""Reading files: only regular files, never more than a cap, never waiting on a FIFO.

Every file the program reads is opened here (``tests/test_safeio.py`` lists the few other call
sites, none of which open a user's path). A FIFO, a device, a socket or a folder is refused by what it
is, without being read: opening a FIFO would wait for a writer, and /dev/zero never ends. A file
bigger than the cap is refused before it is read. Symbolic links are followed; a refusal names what
the link points at. The refusals are ``RefusedFile`` (an ``OSError`` whose text is Chinese), so
``errors.os_reason`` turns any failure into Chinese.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import JianbaoError, RefusedFile, os_reason

MB = 1_000_000  # decimal, as a clerk reads a size
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)

NOT_FOUND = os_reason(FileNotFoundError(errno.ENOENT, "No such file"))  # what ``problem`` says of a missing file

_KINDS = (
    (stat.S_ISDIR, "这是一个文件夹，不是文件"),
    (stat.S_ISFIFO, "这是一个命名管道（FIFO），不是普通文件"),
    (stat.S_ISCHR, "这是一个设备文件，不是普通文件"),
    (stat.S_ISBLK, "这是一个设备文件，不是普通文件"),
    (stat.S_ISSOCK, "这是一个套接字，不是普通文件"),
)


def size_text(size: int) -> str:
    """A byte count for a message: 5 MB, 0.3 MB, 1200 MB."""
    return f"{size / MB:.0f} MB" if size >= 10 * MB or size % MB == 0 else f"{size / MB:.1f} MB"


def _refuse(st: os.stat_result, limit: int) -> None:
    """Raise RefusedFile unless ``st`` is a regular file of at most ``limit`` bytes."""
    for test, reason in _KINDS:
        if test(st.st_mode):
            raise RefusedFile(errno.EISDIR if test is stat.S_ISDIR else errno.EINVAL, reason)
    if not stat.S_ISREG(st.st_mode):
        raise RefusedFile(errno.EINVAL, "这不是普通文件")
    if st.st_size > limit:
        raise RefusedFile(errno.EFBIG, f"文件过大（{size_text(st.st_size)}，超过 {size_text(limit)}）")


def regular_stat(path: str | os.PathLike[str], limit: int) -> os.stat_result:
    """``os.stat(path)``, or RefusedFile when it is not a regular file of at most ``limit`` bytes."""
    st = os.stat(path)
    _refuse(st, limit)
    return st


def open_regular(path: str | os.PathLike[str], limit: int, buffering: int = -1) -> BinaryIO:
    """``path`` opened for reading in binary, checked to be a regular file of at most ``limit`` bytes.

    Raises FileNotFoundError, PermissionError… as ``open`` does, and RefusedFile for anything else.
    """
    regular_stat(path, limit)  # refused by what the path is, before opening it
    fd = os.open(path, _FLAGS)
    try:
        _refuse(os.fstat(fd), limit)  # what was opened (the path may have been replaced meanwhile)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (RefusedFile when it grew past it meanwhile)."""
    with open_regular(path, limit) as fh:
        size = os.fstat(fh.fileno()).st_size + 1  # one byte more finds a file that grew since
        data = fh.read(size)
        if len(data) == size:
            data += fh.read(limit + 1 - size)
    if len(data) > limit:
        raise RefusedFile(errno.EFBIG, f"文件过大（超过 {size_text(limit)}）")
    return data


def named_bytes(path: str | os.PathLike[str], limit: int) -> io.BytesIO:
    """The file's bytes as an in-memory file whose ``name`` is the path (for parsers that want a file object)."""
    data = io.BytesIO(read_bytes(path, limit))
    data.name = os.fspath(path)
    return data


def read_text(path: str | os.PathLike[str], limit: int, encoding: str = "utf-8") -> str:
    """The text of a regular file of at most ``limit`` bytes; UnicodeDecodeError when it is not ``encoding``."""
    return read_bytes(path, limit).decode(encoding)


def problem(path: str | os.PathLike[str]) -> str | None:
    """None when ``path`` is a regular file (symlinks followed); otherwise what is wrong, in Chinese."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return os_reason(exc) if isinstance(exc, OSError) else "文件名中有不允许的字符"
    try:
        _refuse(st, st.st_size)
    except RefusedFile as exc:
        return exc.strerror
    return None


def require_file(path: Path, what: str = "文件", hint: str | None = None) -> None:
    """A JianbaoError unless ``path`` is a regular file: 找不到, or what it is instead (a folder, a FIFO…)."""
    found = problem(path)
    if found == NOT_FOUND:
        raise JianbaoError(f"找不到{what}：{path}", hint=hint)
    if found:
        raise JianbaoError(f"无法读取{what} {path}：{found}", hint=hint)


def resolved(path: Path) -> Path:
    """``path`` made absolute with its symlinks resolved as far as they go (a loop is left to ``problem``)."""
    return Path(os.path.realpath(path))
