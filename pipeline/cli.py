"""The ``jianbao`` command: thin typer commands; user errors become Chinese messages and exit codes.

Every message a user sees is Chinese, click's own usage errors included, and no command shows a
Python traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import ERROR, WARNING, JianbaoError, Location, Problem

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from .batch import Outcome

EXIT_USER_ERROR = 2
EXIT_CHECK_FAILED = 1
EXIT_INTERNAL = 3
DEFAULT_SECTION = "工作动态"  # the 栏目 ``jianbao import`` puts an article in unless told


# ---------------------------------------------------------------- Chinese help and usage errors
def _localise_rich_help() -> None:
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - rich is a typer dependency
        return
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ABORTED_TEXT = "已中断。"
    rich_utils.RICH_HELP = "运行 '{command_path} {help_option}' 查看用法。"


_localise_rich_help()

_PARAM_HELP = {
    "help": "显示本帮助并退出",
    "install_completion": "为当前的 shell 安装命令补全（按 Tab 补全命令和文件名）",
    "show_completion": "显示当前 shell 的补全脚本，可复制或自行安装",
}


if TYPE_CHECKING:  # what _ChineseUsage is mixed into: a command or a group (both click commands)
    _ClickCommand = TyperCommand
else:
    _ClickCommand = object


class _ChineseUsage(_ClickCommand):
    """A usage line and a help option that speak Chinese."""

    def get_usage(self, ctx: Any) -> str:
        usage = super().get_usage(ctx)
        return usage.replace("Usage:", "用法：", 1).replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _PARAM_HELP["help"]
        return option


class _Command(_ChineseUsage, TyperCommand):
    """A command whose usage line and help option speak Chinese."""


class _Group(_ChineseUsage, TyperGroup):
    """The command group: Chinese help, and every error turned into a Chinese message and an exit code."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for p in params:
            if p.name in _PARAM_HELP and getattr(p, "param_type_name", "") == "option":
                setattr(p, "help", _PARAM_HELP[p.name])  # noqa: B010 - not every parameter class declares it
        return params

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        argv = list(args) if args is not None else sys.argv[1:]
        try:
            rv = super().main(argv, prog_name or "jianbao", complete_var, False, windows_expand_args, **extra)
        except KeyboardInterrupt:
            typer.echo("已中断。", err=True)
            sys.exit(130)
        except Exception as exc:
            debug = "--debug" in argv
            try:
                code = _report(exc, debug=debug)
            except Exception:
                if debug:
                    raise
                typer.echo(f"错误：程序内部出错（{type(exc).__name__}）。", err=True)
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
            typer.echo(help_text)
        return 0
    if "UsageError" in kinds:
        typer.echo(f"错误：{_usage_message(exc)}", err=True)
        ctx = getattr(exc, "ctx", None)
        typer.echo(f"运行 {ctx.command_path if ctx else 'jianbao'} --help 查看用法。", err=True)
        return EXIT_USER_ERROR
    if "Abort" in kinds:
        typer.echo("已中断。", err=True)
        return 130
    if "ClickException" in kinds:
        typer.echo(f"错误：{exc.format_message()}", err=True)  # type: ignore[attr-defined]  # a ClickException, by name
        return int(getattr(exc, "exit_code", 1))
    if isinstance(exc, JianbaoError):
        typer.echo(f"错误：{exc}", err=True)
        return EXIT_USER_ERROR
    if debug:
        raise exc
    typer.echo(f"错误：程序内部出错（{type(exc).__name__}）。请加 --debug 重试，并把输出报告给维护人员。", err=True)
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
    for pattern, chinese in (
        (r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?", "没有命令 {0}"),
        (r"Got unexpected extra arguments? \((.+)\)", "多余的参数：{0}"),
        (r"Option '(.+)' requires an argument\.", "选项 {0} 后面要写一个值"),
        (r"Missing command\.", "缺少命令"),
    ):
        m = re.match(pattern, message)
        if m:
            text = chinese.format(*m.groups())
            if m.lastindex and m.lastindex > 1 and m[2]:
                text += f"（是不是想写 {m[2]}？）"
            return text
    return f"命令行写法不对：{message}"


def _value_message(message: str) -> str:
    for pattern, chinese in (
        (r"'?(.*?)'? is not a valid integer", "“{0}”不是整数"),
        (r"'?(.*?)'? is not a valid float", "“{0}”不是数字"),
        (r".*valid integer", "应为整数"),
        (r".*valid number", "应为数字"),
        (r"(.*) is not in the range (.*)\.", "{0} 超出范围 {1}"),
        (r"(?:File|Directory|Path) '(.*)' does not exist\.", "{0} 不存在"),
    ):
        m = re.match(pattern, message)
        if m:
            return chinese.format(*m.groups())
    return message


app = typer.Typer(
    cls=_Group,
    name="jianbao",
    help="简报排版工具：把一期简报的 YAML 文件排成可直接付印的 A4 PDF。",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context, debug: bool = typer.Option(False, "--debug", help="出错时显示程序内部信息（供开发者排查）")
) -> None:
    """简报排版工具：把一期简报的 YAML 文件排成可直接付印的 A4 PDF。"""
    ctx.obj = {"debug": debug}


def _debug(ctx: typer.Context) -> bool:
    """Whether ``jianbao --debug …`` was given before the command."""
    root = ctx.find_root()
    return bool(isinstance(root.obj, dict) and root.obj.get("debug"))


def _fail(exc: JianbaoError) -> None:
    typer.echo(f"错误：{exc}", err=True)
    raise typer.Exit(EXIT_USER_ERROR)


def _issue_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The issue files named by ``paths`` (a folder gives its .yaml files), and an error for each name that gives none."""
    from .newissue import folder_files

    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        if p.is_dir():
            found = folder_files(p)
            if not found:
                problems.append(Problem(Location(str(p)), ERROR, "文件夹中没有 .yaml 期刊文件"))
            files += found
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(Location(str(p)), ERROR, "找不到文件", "请检查文件名和所在文件夹"))
    return files, problems


def _err(text: str) -> None:
    typer.echo(text, err=True)


# ---------------------------------------------------------------- new
@app.command("new", cls=_Command)
def new_cmd(
    source: Path | None = typer.Option(None, "--from", help="沿用哪一期的期刊文件（默认 issues/ 中最新的一期）"),
    out: Path | None = typer.Option(None, "-o", "--out", help="新文件的路径（默认与上一期同一文件夹，<年>-<期号>.yaml）"),
    date: str | None = typer.Option(None, "--date", help="印发日期 YYYY-MM-DD（默认今天）"),
) -> None:
    """生成下一期的期刊文件：期号加一、日期为今天，沿用报头、栏目和报尾，每个栏目放一篇示例文章待替换。"""
    from .newissue import latest_issue, new_issue, parse_date

    day = dt.date.today() if date is None else parse_date(date)
    if day is None:
        raise JianbaoError(f"日期“{date}”不对", hint="应写作 YYYY-MM-DD，例如 2023-09-15")
    previous = source if source is not None else latest_issue(Path("issues"))
    if not previous.is_file():
        raise JianbaoError(f"找不到文件：{previous}")
    made = new_issue(previous, day, out)
    typer.echo(str(made.path))
    _err(f"已生成第{made.number}期：{made.path}（沿用 {previous}）")
    for note in made.notes:
        _err(f"注意：{note}")
    _err(f"下一步：打开 {made.path}，把“（请填写……）”换成本期内容，然后运行 jianbao check {made.path}")


# ---------------------------------------------------------------- check
@app.command("check", cls=_Command)
def check_cmd(
    issues: list[Path] = typer.Argument(..., metavar="期刊文件", help="要检查的期刊文件，可写多个，或一个文件夹"),
    fix: bool = typer.Option(
        False, "--fix", help="就地改正可以安全改正的文字问题（半角标点、直引号、全角数字字母、多余空格、零宽字符）"
    ),
) -> None:
    """检查期刊文件，一次列出全部问题（文件:行:列 级别 说明），不生成 PDF。有错误时退出状态为 1。"""
    from .check import check_file, fix_file

    files, problems = _issue_files(issues)
    for f in files:
        if fix:
            for change in fix_file(f):
                typer.echo(f"{f}:{change.line}: 已改正 {change.old} → {change.new}")
        problems += check_file(f)
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(p.level == ERROR for p in problems)
    warnings = sum(p.level == WARNING for p in problems)
    if errors:
        _err(f"发现 {errors} 个错误" + (f"、{warnings} 个警告" if warnings else "") + "。请按提示修改后再检查。")
        raise typer.Exit(EXIT_CHECK_FAILED)
    if warnings:
        more = "" if fix else "；其中标明“可用 --fix 自动改正”的，可运行 jianbao check --fix 自动改正"
        typer.echo(f"检查通过，但有 {warnings} 个警告，请看一看{more}。")
    else:
        typer.echo("检查通过。")


# ---------------------------------------------------------------- build
@app.command("build", cls=_Command)
def build_cmd(
    ctx: typer.Context,
    issues: list[Path] = typer.Argument(..., metavar="期刊文件", help="期刊文件（.yaml），可写多个，或一个文件夹"),
    out: Path = typer.Option(Path("out"), "-o", "--out", help="输出文件夹（默认 out/）"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称（如 jianbao、gbt9704）或版式文件路径"),
    profile: str = typer.Option("print", "--profile", help="输出用途：print（印刷，默认）或 archive（PDF/A 归档）"),
    bleed: float = typer.Option(0.0, "--bleed", help="出血（毫米），大于 0 时加裁切线"),
    duplex: bool = typer.Option(False, "--duplex", help="双面印刷：左右页边距对称，报尾放在偶数页"),
    jobs: int = typer.Option(1, "-j", "--jobs", help="同时排版几个文件（多个文件时可加快速度）"),
    debug: bool = typer.Option(False, "--debug", help="出错时显示程序内部信息（供开发者排查）"),
) -> None:
    """排版期刊文件，输出 PDF 到输出文件夹，并逐行打印 PDF 路径；多个文件时在最后列出汇总表。"""
    from .batch import Job, build_all, check_outputs

    if profile not in ("print", "archive"):
        _fail(JianbaoError(f"未知的输出用途 {profile}", hint="可选 print 或 archive"))
    if not 0 <= bleed <= 20:
        _fail(JianbaoError("出血应在 0 到 20 毫米之间"))
    if not 1 <= jobs <= 64:
        _fail(JianbaoError(f"-j {jobs} 不合适", hint="写 1 到 64 之间的整数，一般写电脑的核数即可"))
    files, missing = _issue_files(issues)
    if missing:
        _fail(JianbaoError(missing[0].message, missing[0].where, missing[0].hint))
    check_outputs(files)
    todo = [Job(f, out, layout, profile, bleed, debug or _debug(ctx), duplex) for f in files]
    batch = len(files) > 1
    with _Progress(batch, len(files)) as advance:
        outcomes = build_all(todo, jobs, advance)
    for outcome in outcomes:
        if outcome.error:
            _err(f"错误：{outcome.error}")
        else:
            typer.echo(str(outcome.output))
    if batch:
        _summary(outcomes)
    if any(o.error for o in outcomes):
        raise typer.Exit(EXIT_USER_ERROR)


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
    columns: tuple[tuple[str, JustifyMethod], ...] = (("文件", "left"), ("页数", "right"), ("输出", "left"), ("用时", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for o in outcomes:
        table.add_row(
            o.source.name, str(o.pages) if o.output else "—", str(o.output) if o.output else "失败", f"{o.seconds:.1f} 秒"
        )
    ok = sum(1 for o in outcomes if o.output)
    console = Console(stderr=True, width=max(100, Console(stderr=True).width))
    console.print(table)
    console.print(f"成功 {ok} 个，失败 {len(outcomes) - ok} 个。")


# ---------------------------------------------------------------- preview
@app.command("preview", cls=_Command)
def preview_cmd(
    source: Path = typer.Argument(..., metavar="期刊文件或PDF", help="期刊文件（.yaml，先排版）或 PDF 文件"),
    pages: str | None = typer.Option(None, "--pages", help="只输出这些页，如 1,3 或 2-4（默认全部）"),
    dpi: int = typer.Option(110, "--dpi", help="图片分辨率（每英寸像素数）"),
    out: Path | None = typer.Option(None, "-o", "--out", help="图片（和排出的 PDF）放在这个文件夹（默认 out/preview/）"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称或路径（只对期刊文件有效）"),
) -> None:
    """把各页存成 PNG 图片，并生成一张所有页的总览图，不用 PDF 阅读器也能校对。"""
    from .preview import parse_pages, render

    wanted = parse_pages(pages)
    target = out if out is not None else Path("out") / "preview"
    if not source.is_file():
        raise JianbaoError(f"找不到文件：{source}")
    if source.suffix.lower() == ".pdf":
        result = render(source, target, wanted, dpi)
    else:
        from . import build

        if out is not None:
            result = render(build(source, out, layout).output, target, wanted, dpi)
        else:
            with tempfile.TemporaryDirectory(prefix="jianbao-") as tmp:
                result = render(build(source, Path(tmp), layout).output, target, wanted, dpi)
    for png in result.pages:
        typer.echo(str(png))
    typer.echo(str(result.sheet))
    _err(f"共 {result.page_count} 页；总览图：{result.sheet}")


# ---------------------------------------------------------------- watch
@app.command("watch", cls=_Command)
def watch_cmd(
    issue: Path = typer.Argument(..., metavar="期刊文件", help="要监视的期刊文件"),
    out: Path = typer.Option(Path("out"), "-o", "--out", help="输出文件夹（默认 out/，预览图在其中的 preview/）"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称或路径"),
    dpi: int = typer.Option(80, "--dpi", help="预览图分辨率"),
    max_polls: int | None = typer.Option(None, "--max-polls", hidden=True),
    interval: float = typer.Option(0.5, "--interval", hidden=True),
) -> None:
    """监视期刊文件和它的版式，一保存就重新排版并更新预览图；按 Ctrl-C 结束。"""
    from .watch import watch, watched_files

    if not issue.is_file():
        raise JianbaoError(f"找不到文件：{issue}")
    files = [str(p) for p in watched_files(issue, layout)]
    _err(f"正在监视 {'、'.join(files)}，保存后自动重新排版；按 Ctrl-C 结束。")
    try:
        watch(
            lambda: watched_files(issue, layout),
            lambda: _rebuild(issue, out, layout, dpi),
            interval=interval,
            max_polls=max_polls,
        )
    except KeyboardInterrupt:
        _err("已停止监视。")


def _rebuild(issue: Path, out: Path, layout: str | None, dpi: int) -> None:
    """One build and preview for ``watch``: reports the result, never raises."""
    from . import build
    from .preview import render

    stamp = time.strftime("%H:%M:%S")
    start = time.perf_counter()
    try:
        result = build(issue, out, layout)
        sheet = render(result.output, out / "preview", None, dpi).sheet
    except JianbaoError as exc:
        _err(f"[{stamp}] 错误：{exc}")
        _err(f"[{stamp}] 改好后保存，会自动重新排版。")
        return
    except Exception as exc:  # keep watching after a bug; the next save tries again
        _err(f"[{stamp}] 错误：排版时发生内部错误（{type(exc).__name__}）。请用 jianbao build --debug 重试并报告此问题。")
        return
    seconds = time.perf_counter() - start
    typer.echo(f"[{stamp}] 已更新 {result.output}（{result.pages} 页，{seconds:.1f} 秒）；预览总览图 {sheet}")


# ---------------------------------------------------------------- import
@app.command("import", cls=_Command)
def import_cmd(
    document: Path = typer.Argument(..., metavar="WORD文件", help="来稿 Word 文件（.docx）"),
    section: str = typer.Option(DEFAULT_SECTION, "--section", help="放进哪个栏目（没有就新建）"),
    into: Path | None = typer.Option(None, "--into", help="加入到这个期刊文件；不写则把文章按 YAML 打印出来"),
) -> None:
    """把来稿 Word 文件变成一篇文章：标题、段落、加粗、层次标题，加入期刊文件或打印出来。"""
    from .docx_import import add_to_issue, article_yaml, read_docx

    if not document.is_file():
        raise JianbaoError(f"找不到文件：{document}")
    if into is not None and not into.is_file():
        raise JianbaoError(f"找不到期刊文件：{into}", hint="先用 jianbao new 生成本期的期刊文件")
    article = read_docx(document)
    if into is None:
        typer.echo(article_yaml(article, section), nl=False)
    else:
        done = add_to_issue(into, article, section)
        typer.echo(f"已{done}：{into}")
    for note in article.notes:
        _err(f"注意：{note}")
    if into is not None:
        _err(f"下一步：运行 jianbao check {into}")


# ---------------------------------------------------------------- fonts
@app.command("fonts", cls=_Command)
def fonts_cmd(
    issue: Path | None = typer.Argument(None, metavar="期刊文件", help="期刊文件：列出其中由后备字体印出的字"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称或路径"),
) -> None:
    """列出版式的字体角色、字体文件，以及期刊中由后备字体补齐的字。"""
    from . import typeset
    from .fontload import registered
    from .fonts import FontSet
    from .layout import find_layout, load_layout

    try:
        pages = None
        if issue is not None:
            _, lay, pages = typeset(issue, layout)
        else:
            lay = load_layout(find_layout(layout or "jianbao"))
        fonts = FontSet(lay)
        typer.echo(f"版式：{lay.name}")
        for role, path in fonts.role_files.items():
            typer.echo(f"  {role}: {path}")
        for path in fonts.fallback_files:
            typer.echo(f"  后备: {path}")
        if pages is not None:
            fallback = {registered(p).fontName: p for p in fonts.fallback_files if p not in fonts.role_files.values()}
            used: dict[Path, set[str]] = {}
            for page in pages:
                for pl in page.lines:
                    for g in pl.line.glyphs:
                        if g.font in fallback:
                            used.setdefault(fallback[g.font], set()).add(g.ch)
            if not used:
                typer.echo("全部字符都由各角色自己的字体印出。")
            for path, chars in used.items():
                listing = "、".join(f"{c}(U+{ord(c):04X})" for c in sorted(chars))
                typer.echo(f"  由后备字体 {path.name} 补齐：{listing}")
    except JianbaoError as exc:
        _fail(exc)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
