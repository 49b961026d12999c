"""One user-facing error type that carries where the problem is."""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a source file: path, 1-based line and column, and the field's dotted path."""

    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        return f"{text}（字段 {self.field}）" if self.field else text


class JianbaoError(Exception):
    """A problem the user can fix; the message is in Chinese and names the place."""

    def __init__(self, message: str, where: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  提示：{self.hint}" if self.hint else text


ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    """One finding of a check: where, level (错误 or 警告), what, and how to fix it."""

    where: Location
    level: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        parts = [self.where.file]
        if self.where.line is not None:
            parts += [str(self.where.line), str(self.where.column or 1)]
        field = f"（字段 {self.where.field}）" if self.where.field else ""
        text = f"{':'.join(parts)} {self.level} {self.message}{field}"
        return f"{text}\n  提示：{self.hint}" if self.hint else text


class RefusedFile(OSError):
    """A path that ``safeio`` will not read (not a regular file, or too big); ``strerror`` says why, in Chinese."""


OS_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接循环",
    errno.EBUSY: "文件正被占用",
    errno.EEXIST: "已有同名文件",
    errno.EFBIG: "文件过大（超出系统对文件大小的限制）",
}


def os_reason(exc: OSError) -> str:
    """An operating system error in Chinese, by its errno."""
    if isinstance(exc, RefusedFile):
        return exc.strerror or "不是普通文件"
    code = errno.errorcode.get(exc.errno or 0)
    return OS_REASONS.get(exc.errno or 0) or (f"系统错误（{code}）" if code else "系统错误")
