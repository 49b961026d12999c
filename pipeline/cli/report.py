"""What the user sees when a command ends: Chinese messages for every error, click's usage errors
included, the exit status, and no Python traceback unless ``--debug`` is given."""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from pipeline.errors import JianbaoError

# The exit status, the same for every command (README, “退出状态”):
EXIT_WARNINGS = 1  # done (the PDF is written), but warnings were printed
EXIT_USER_ERROR = 2  # an error was printed: nothing written (a usage error, a bad issue file, check found errors)
EXIT_INTERNAL = 3  # a bug: reported in one Chinese line (a traceback with --debug)


def echo(text: str, err: bool = False) -> None:
    """One line to stdout or stderr, as ``typer.echo`` writes it: UTF-8 on a stream set up as ASCII."""
    stream = sys.stderr if err else sys.stdout
    line = text + "\n"
    if _ascii_only(stream) and hasattr(stream, "buffer"):
        stream.flush()
        stream.buffer.write(line.encode("utf-8", "replace"))
        stream.buffer.flush()
    else:
        stream.write(line)
    stream.flush()


def _ascii_only(stream: Any) -> bool:
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii"
    except LookupError:
        return False


def guarded(call: Callable[[], object], argv: Sequence[str]) -> NoReturn:
    """Run a command; exit with its status, any error reported in Chinese (a traceback only with --debug)."""
    try:
        rv = call()
    except KeyboardInterrupt:
        echo("已中断。", err=True)
        sys.exit(130)
    except Exception as exc:
        debug = "--debug" in argv
        try:
            code = _report(exc, debug=debug)
        except Exception:
            if debug:
                raise
            echo(f"错误：程序内部出错（{type(exc).__name__}）。", err=True)
            code = EXIT_INTERNAL
        sys.exit(code)
    sys.exit(rv if isinstance(rv, int) else 0)


def _report(exc: Exception, *, debug: bool) -> int:
    """Print ``exc`` as a Chinese message; return the exit status.

    click's exceptions are recognised by class name: typer ≥ 0.22 carries its own copy of click.
    """
    kinds = {c.__name__ for c in type(exc).__mro__}
    if "Exit" in kinds:
        return int(getattr(exc, "exit_code", 0) or 0)
    if "NoArgsIsHelpError" in kinds:
        help_text = str(getattr(exc, "format_message", lambda: "")())
        if help_text:  # rich help has already been printed while the error was made
            echo(help_text)
        return 0
    if "UsageError" in kinds:
        echo(f"错误：{_usage_message(exc)}", err=True)
        ctx = getattr(exc, "ctx", None)
        echo(f"运行 {ctx.command_path if ctx else 'jianbao'} --help 查看用法。", err=True)
        return EXIT_USER_ERROR
    if "Abort" in kinds:
        echo("已中断。", err=True)
        return 130
    if "ClickException" in kinds:
        echo(f"错误：{exc.format_message()}", err=True)  # type: ignore[attr-defined]  # a ClickException, by name
        return int(getattr(exc, "exit_code", 1))
    if isinstance(exc, JianbaoError):
        echo(f"错误：{exc}", err=True)
        return EXIT_USER_ERROR
    if debug:
        raise exc
    echo(f"错误：程序内部出错（{type(exc).__name__}）。请加 --debug 重试，并把输出报告给维护人员。", err=True)
    return EXIT_INTERNAL


def _usage_message(exc: Any) -> str:
    """click's English usage errors, in Chinese (the English text when one is not recognised)."""
    try:
        return _translate_usage(exc)
    except Exception:
        return f"命令行写法不对：{exc}"


def _param_name(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or param.name)
    return "/".join(getattr(param, "opts", None) or [str(param.name)])


def _translate_usage(exc: Any) -> str:
    kinds = {c.__name__ for c in type(exc).__mro__}
    param = getattr(exc, "param", None)
    if "MissingParameter" in kinds and param is not None:
        kind = "参数" if getattr(param, "param_type_name", "") == "argument" else "选项"
        return f"缺少{kind} {_param_name(param)}"
    if "NoSuchOption" in kinds:
        maybe = f"（是不是想写 {'、'.join(sorted(exc.possibilities))}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{maybe}"
    if "BadParameter" in kinds:
        name = _param_name(param) if param is not None else str(getattr(exc, "param_hint", "") or "")
        return f"{name} 的值不对：{_value_message(str(exc.message))}"
    message = str(getattr(exc, "message", exc))
    found = _translated(message, _USAGE_MESSAGES)
    if found is None:
        return f"命令行写法不对：{message}"
    text, m = found
    if m.lastindex and m.lastindex > 1 and m[2]:
        text += f"（是不是想写 {m[2]}？）"
    return text


_USAGE_MESSAGES = (
    (r"No such command '(.*?)'\.(?: Did you mean (.+)\?)?", "没有命令“{0}”"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", "多余的参数：“{0}”"),
    (r"Option '(.+)' requires an argument\.", "选项 {0} 后面要写一个值"),
    (r"Option '(.+)' does not take a value\.", "选项 {0} 后面不能写值（写上这个选项就是打开它）"),
    (r"Missing command\.", "缺少命令"),
)
_VALUE_MESSAGES = (
    (r"'?(.*?)'? is not a valid int(?:eger)?\.?$", "“{0}”不是整数"),
    (r"'?(.*?)'? is not a valid float\.?$", "“{0}”不是数字"),
    (r".*valid integer", "应为整数"),
    (r".*valid number", "应为数字"),
    (r"(.*) is not in the range (.*)\.", "{0} 超出范围 {1}"),
    (r"(?:File|Directory|Path) '(.*)' does not exist\.", "{0} 不存在"),
)


def _translated(message: str, table: tuple[tuple[str, str], ...]) -> tuple[str, re.Match[str]] | None:
    """The Chinese for the first pattern of ``table`` that ``message`` matches, with the match."""
    for pattern, chinese in table:
        m = re.match(pattern, message)
        if m:
            return chinese.format(*m.groups()), m
    return None


def _value_message(message: str) -> str:
    found = _translated(message, _VALUE_MESSAGES)
    return found[0] if found else message
