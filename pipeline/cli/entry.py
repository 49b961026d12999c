"""The ``jianbao`` command's entry: user errors become Chinese messages and exit codes.

Every message a user sees is Chinese, click's own usage errors included, and no command shows a
Python traceback unless ``--debug`` is given.

The commands are a typer app (``commands.py``). Typer (with pydantic, which checks its parameters)
takes about 0.1 s to start, as much as the rest of a build, so the commonest command line,
``jianbao build FILE… [options]`` written plainly, is read here and built without it. Anything
else (help, completion, another command, an option written another way, a usage error) goes to
the typer app, which answers exactly as it would have.
"""

from __future__ import annotations

import codecs
import gc
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pipeline import safeio
from pipeline.errors import ERROR, JianbaoError, Location, Problem

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from pipeline.cli.batch import Outcome

# The exit status, the same for every command (README, “退出状态”):
EXIT_WARNINGS = 1  # done (the PDF is written), but warnings were printed
EXIT_USER_ERROR = 2  # an error was printed: nothing written (a usage error, a bad issue file, check found errors)
EXIT_INTERNAL = 3  # a bug: reported in one Chinese line (a traceback with --debug)
STDIN = "-"  # ``jianbao build -``: the issue file is read from standard input

# ``jianbao build``'s options, as the typer command declares them (tests/test_startup.py compares the two):
# destination → (option names, default); a bool default marks a flag.
BUILD_OPTIONS: dict[str, tuple[tuple[str, ...], object]] = {
    "out": (("-o", "--out"), "out"),
    "layout": (("--layout",), None),
    "profile": (("--profile",), "print"),
    "bleed": (("--bleed",), 0.0),
    "duplex": (("--duplex",), False),
    "draft": (("--draft",), False),
    "format": (("--format",), "pdf"),
    "jobs": (("-j", "--jobs"), 1),
    "debug": (("--debug",), False),
}


def main() -> None:
    argv = sys.argv[1:]
    plain = _plain_build(argv)
    try:
        if plain is None:
            from pipeline.cli.app import app

            app()
        else:
            # A build makes next to no cyclic garbage (reference counting frees it): the collector's
            # passes over every object would only cost time (15 ms for the sample issue).
            gc.disable()
            guarded(lambda: build_files(**plain), argv)
    finally:
        # The process ends here: its objects go back to the OS without the collector's final passes over them (20 ms).
        gc.freeze()


def __getattr__(name: str) -> Any:
    """``pipeline.cli.app``: the typer app, imported only when asked for."""
    if name == "app":
        from pipeline.cli.app import app

        return app
    raise AttributeError(name)


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
    (r"'?(.*?)'? is not a valid integer", "“{0}”不是整数"),
    (r"'?(.*?)'? is not a valid float", "“{0}”不是数字"),
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


# ---------------------------------------------------------------- build without typer
def _plain_build(argv: Sequence[str]) -> dict[str, Any] | None:
    """The arguments of ``build FILE… [options]`` when written plainly (``-o DIR``, ``--out DIR``,
    ``--out=DIR``, flags), else None: the typer app then reads the command line itself."""
    if not argv or argv[0] != "build" or os.name == "nt" or any(k.startswith("_JIANBAO_COMPLETE") for k in os.environ):
        return None  # (Windows: click expands wildcards in file names)
    names = {name: dest for dest, (names, _) in BUILD_OPTIONS.items() for name in names}
    values: dict[str, Any] = {dest: default for dest, (_, default) in BUILD_OPTIONS.items()}
    issues: list[Path] = []
    rest = list(argv[1:])
    while rest:
        token = rest.pop(0)
        if not token:
            return None
        if not token.startswith("-") or token == STDIN:
            issues.append(Path(token))
            continue
        name, eq, text = token.partition("=") if token.startswith("--") else (token, "", "")
        dest = names.get(name)
        if dest is None:
            return None  # --help, --, -oDIR, an unknown option…
        default = BUILD_OPTIONS[dest][1]
        if isinstance(default, bool):
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            if not rest:
                return None
            text = rest.pop(0)
        value = _plain_value(text, default)
        if value is None:
            return None
        values[dest] = value
    return {"issues": issues, **values} if issues else None


def _plain_value(text: str, default: object) -> object | None:
    """An option's value as typer would read it, or None when typer should judge it."""
    if not text or text.startswith("-") or not text.isprintable():
        return None
    if isinstance(default, int):
        return int(text) if text.isascii() and text.isdigit() else None
    if isinstance(default, float):
        whole, _, part = text.partition(".")
        ok = text.isascii() and whole.isdigit() and (not part or part.isdigit())
        return float(text) if ok else None
    return text


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
        return Job(stdin_path() if stdin else f, Path(out), layout, profile, bleed, debug, duplex, draft, pdf, data, formats)

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
    from pipeline.source.issue import STDIN_NAME

    return Path(STDIN_NAME)


def read_stdin() -> bytes:
    """The issue file given on standard input (``-``), refused when standard input is the terminal."""
    from pipeline.source.issue import MAX_BYTES

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
