"""The ``jianbao`` commands as a typer app: Chinese help, usage and errors (see ``cli.py``, the entry)."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from pipeline import safeio
from pipeline.cli.buildcmd import STDIN, build_files, issue_files, read_stdin, stdin_path
from pipeline.cli.report import EXIT_USER_ERROR, EXIT_WARNINGS, guarded
from pipeline.cli.watch import POLL_SECONDS
from pipeline.errors import ERROR, WARNING, JianbaoError, Problem

DEFAULT_SECTION = "工作动态"  # the 栏目 ``jianbao import`` puts an article in unless told


# ---------------------------------------------------------------- Chinese help and usage errors
def _localise_rich_help() -> None:
    """Chinese titles in typer's rich help; it imports rich, so it runs only when help is shown."""
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


_PARAM_HELP = {
    "help": "显示本帮助并退出",
    "version": "显示版本号并退出",
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

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _localise_rich_help()
        super().format_help(ctx, formatter)

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
        parent = super().main
        guarded(lambda: parent(argv, prog_name or "jianbao", complete_var, False, windows_expand_args, **extra), argv)


app = typer.Typer(
    cls=_Group,
    name="jianbao",
    help="简报排版工具：把一期简报的 YAML 文件排成可直接付印的 A4 PDF。",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},  # the commands' contexts inherit it
)
DRAFT_HELP = "草稿：还没替换的占位文字（请填写……）只作警告，照常排出"


def _show_version(show: bool) -> None:
    if show:
        from pipeline import __version__

        typer.echo(f"jianbao {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="出错时显示程序内部信息（供开发者排查）"),
    version: bool = typer.Option(False, "--version", "-V", callback=_show_version, is_eager=True, help="显示版本号并退出"),
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


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _warn(warnings: Sequence[Problem], prefix: str = "") -> None:
    """Print the warnings of a build as ``check`` prints them (on stderr)."""
    for warning in warnings:
        _err(f"{prefix}{warning}")


# ---------------------------------------------------------------- new
@app.command("new", cls=_Command)
def new_cmd(
    source: Path | None = typer.Option(None, "--from", help="沿用哪一期的期刊文件（默认期刊文件夹中最新的一期）"),
    series: str | None = typer.Option(None, "--series", help="开始一个新的简报：写简报名称，生成它的第1期"),
    out: Path | None = typer.Option(
        None, "-o", "--out", help="新文件的路径（默认放在期刊文件夹：当前文件夹有 issues/ 就放在其中，否则放在当前文件夹）"
    ),
    date: str | None = typer.Option(None, "--date", help="印发日期 YYYY-MM-DD（默认今天）"),
) -> None:
    """生成下一期的期刊文件：期号加一、日期为今天，沿用报头、栏目和报尾，每个栏目放一篇示例文章待替换。"""
    from pipeline.source.newissue import first_issue, issues_folder, latest_issue, new_issue, parse_date

    day = dt.date.today() if date is None else parse_date(date)
    if day is None:
        raise JianbaoError(f"日期“{date}”不对", hint="应写作 YYYY-MM-DD，例如 2023-09-15")
    folder = issues_folder()
    if series is not None:
        if source is not None:
            raise JianbaoError("--series 和 --from 只能写一个", hint="--series 开始一个新的简报；--from 沿用已有的一期")
        made = first_issue(series, day, out, folder)
        typer.echo(str(made.path))
        _err(f"已生成《{series.strip()}》第1期：{made.path}")
        _err(f"下一步：打开 {made.path}，把“（请填写……）”换成本期内容，然后运行 jianbao check {made.path}")
        return
    previous = source if source is not None else latest_issue(folder)
    safeio.require_file(previous)
    made = new_issue(previous, day, out, folder)
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
        False,
        "--fix",
        help="就地改正可以安全改正的问题（半角标点、直引号、全角数字字母、空格、零宽字符，期号写成“第21期”等）",
    ),
    draft: bool = typer.Option(False, "--draft", help=DRAFT_HELP),
) -> None:
    """检查期刊文件，一次列出全部问题（文件:行:列 级别 说明），不生成 PDF。退出状态：0 没有问题，1 只有警告，2 有错误。"""
    from pipeline.source.check import fix_file
    from pipeline.typeset import check_file

    files, problems = issue_files(issues)
    for f in files:
        if str(f) == STDIN:
            if fix:
                raise JianbaoError("--fix 不能改正标准输入（-）", hint="请写期刊文件的文件名")
            problems += check_file(stdin_path(), draft=draft, data=read_stdin())
            continue
        if fix:
            for change in fix_file(f):
                typer.echo(f"{f}:{change.line}: 已改正 {change.old} → {change.new}")
        problems += check_file(f, draft=draft)
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(p.level == ERROR for p in problems)
    warnings = sum(p.level == WARNING for p in problems)
    if errors:
        _err(f"发现 {errors} 个错误" + (f"、{warnings} 个警告" if warnings else "") + "。请按提示修改后再检查。")
        raise typer.Exit(EXIT_USER_ERROR)
    if warnings:
        more = "" if fix else "；其中标明“可用 --fix”的，可运行 jianbao check --fix 自动改正"
        typer.echo(f"检查通过，但有 {warnings} 个警告，请看一看{more}。")
        raise typer.Exit(EXIT_WARNINGS)
    typer.echo("检查通过。")


# ---------------------------------------------------------------- build
@app.command("build", cls=_Command)
def build_cmd(
    ctx: typer.Context,
    issues: list[Path] = typer.Argument(
        ..., metavar="期刊文件", help="期刊文件（.yaml），可写多个，或一个文件夹；写 - 则从标准输入读取"
    ),
    out: str = typer.Option("out", "-o", "--out", help="输出文件夹（默认 out/）；写 名称.pdf 则输出到这个文件"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称（如 jianbao、gbt9704）或版式文件路径"),
    profile: str = typer.Option("print", "--profile", help="输出用途：print（印刷，默认）或 archive（PDF/A 归档）"),
    bleed: float = typer.Option(0.0, "--bleed", help="出血（毫米），大于 0 时加裁切线"),
    duplex: bool = typer.Option(False, "--duplex", help="双面印刷：左右页边距对称，报尾放在偶数页"),
    draft: bool = typer.Option(False, "--draft", help=DRAFT_HELP),
    format: str = typer.Option("pdf", "--format", help="输出格式：pdf（默认）、ofd（国家版式文档格式），或 pdf,ofd 两者都出"),
    jobs: int = typer.Option(1, "-j", "--jobs", help="同时排版几个文件（多个文件时可加快速度）"),
    dump_pages: bool = typer.Option(False, "--dump-pages", help="另存排好的页面数据（名称.pages.json，供开发者排查）"),
    debug: bool = typer.Option(False, "--debug", help="出错时显示程序内部信息（供开发者排查）"),
) -> None:
    """先做 check 的全部检查并列出警告，再排版，输出 PDF（或 OFD）并逐行打印文件路径；多个文件时在最后列出汇总表。
    退出状态：0 没有问题，1 有警告（文件已生成），2 有错误（没有生成文件）。"""
    code = build_files(issues, out, layout, profile, bleed, duplex, jobs, debug or _debug(ctx), draft, format, dump_pages)
    if code:
        raise typer.Exit(code)


# ---------------------------------------------------------------- preview
@app.command("preview", cls=_Command)
def preview_cmd(
    source: Path = typer.Argument(..., metavar="期刊文件或PDF", help="期刊文件（.yaml，先排版）或 PDF 文件"),
    pages: str | None = typer.Option(None, "--pages", help="只输出这些页，如 1,3 或 2-4（默认全部）"),
    dpi: int = typer.Option(110, "--dpi", help="图片分辨率（每英寸像素数）"),
    out: Path | None = typer.Option(None, "-o", "--out", help="图片（和排出的 PDF）放在这个文件夹（默认 out/preview/）"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称或路径（只对期刊文件有效）"),
    draft: bool = typer.Option(False, "--draft", help=DRAFT_HELP),
) -> None:
    """把各页存成 PNG 图片，并生成一张所有页的总览图，不用 PDF 阅读器也能校对。"""
    from pipeline.cli.preview import parse_pages, render

    wanted = parse_pages(pages)
    target = out if out is not None else Path("out") / "preview"
    safeio.require_file(source)
    warnings: Sequence[Problem] = ()
    if source.suffix.lower() == ".pdf":
        result = render(source, target, wanted, dpi)
    else:
        from pipeline.typeset import build

        with tempfile.TemporaryDirectory(prefix="jianbao-") as tmp:
            built = build(source, out if out is not None else Path(tmp), layout, draft=draft)
            warnings = built.warnings
            _warn(warnings)
            result = render(built.output, target, wanted, dpi)
    for png in result.pages:
        typer.echo(str(png))
    typer.echo(str(result.sheet))
    _err(f"共 {result.page_count} 页；总览图：{result.sheet}")
    if warnings:
        raise typer.Exit(EXIT_WARNINGS)


# ---------------------------------------------------------------- watch
@app.command("watch", cls=_Command)
def watch_cmd(
    issue: Path = typer.Argument(..., metavar="期刊文件", help="要监视的期刊文件"),
    out: Path = typer.Option(Path("out"), "-o", "--out", help="输出文件夹（默认 out/，预览图在其中的 preview/）"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称或路径"),
    dpi: int = typer.Option(80, "--dpi", help="预览图分辨率"),
    draft: bool = typer.Option(False, "--draft", help=DRAFT_HELP),
    max_polls: int | None = typer.Option(None, "--max-polls", hidden=True),
    interval: float = typer.Option(POLL_SECONDS, "--interval", hidden=True),
) -> None:
    """监视期刊文件和它的版式，一保存就先检查、再重新排版并更新预览图（警告照常列出）；按 Ctrl-C 结束。"""
    from pipeline.cli.watch import watch, watched_files

    safeio.require_file(issue)
    files = [str(p) for p in watched_files(issue, layout)]
    _err(f"正在监视 {'、'.join(files)}，保存后自动重新排版；按 Ctrl-C 结束。")
    try:
        watch(
            lambda: watched_files(issue, layout),
            lambda: _rebuild(issue, out, layout, dpi, draft),
            interval=interval,
            max_polls=max_polls,
        )
    except KeyboardInterrupt:
        _err("已停止监视。")


def _rebuild(issue: Path, out: Path, layout: str | None, dpi: int, draft: bool) -> None:
    """One build and preview for ``watch``: reports the result and its warnings, never raises."""
    from pipeline.cli.preview import render
    from pipeline.typeset import build

    stamp = time.strftime("%H:%M:%S")
    start = time.perf_counter()
    try:
        result = build(issue, out, layout, draft=draft)
        _warn(result.warnings, f"[{stamp}] ")
        sheet = render(result.output, out / "preview", None, dpi).sheet
    except JianbaoError as exc:
        _err(f"[{stamp}] 错误：{exc}")
        _err(f"[{stamp}] 改好后保存，会自动重新排版。")
        return
    except Exception as exc:  # keep watching after a bug; the next save tries again
        _err(f"[{stamp}] 错误：排版时发生内部错误（{type(exc).__name__}）。请用 jianbao build --debug 重试并报告此问题。")
        return
    seconds = time.perf_counter() - start
    typer.echo(f"[{stamp}] 已更新 {result.output}（{result.pages} 页，{seconds:.2f} 秒）；预览总览图 {sheet}")


# ---------------------------------------------------------------- import
@app.command("import", cls=_Command)
def import_cmd(
    document: Path = typer.Argument(..., metavar="WORD文件", help="来稿 Word 文件（.docx）"),
    section: str = typer.Option(DEFAULT_SECTION, "--section", help="放进哪个栏目（没有就新建）"),
    into: Path | None = typer.Option(None, "--into", help="加入到这个期刊文件；不写则把文章按 YAML 打印出来"),
) -> None:
    """把来稿 Word 文件变成一篇文章：标题、段落、加粗、层次标题，加入期刊文件或打印出来。"""
    from pipeline.source.docx_import import add_to_issue, article_yaml
    from pipeline.source.docx_read import read_docx

    safeio.require_file(document)
    if into is not None:
        safeio.require_file(into, "期刊文件", hint="先用 jianbao new 生成本期的期刊文件")
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
    from pipeline.fonts.roles import FontSet
    from pipeline.layout.templates import find_layout, load_layout
    from pipeline.typeset import typeset

    try:
        document = None
        if issue is not None:
            done = typeset(issue, layout, draft=True)
            lay, document = done.layout, done.document
        else:
            lay = load_layout(find_layout(layout or "jianbao"))
        fonts = FontSet(lay)
        typer.echo(f"版式：{lay.name}")
        for role, path in fonts.role_files.items():
            typer.echo(f"  {role}: {path}")
        for path in fonts.fallback_files:
            typer.echo(f"  后备: {path}")
        if document is not None:
            fallback = {str(p): p for p in fonts.fallback_files if p not in fonts.role_files.values()}
            used: dict[Path, set[str]] = {}
            for page in document.pages:
                for line in page.lines:
                    for run in line.runs:
                        if run.font.path in fallback:
                            used.setdefault(fallback[run.font.path], set()).update(g.text for g in run.glyphs)
            if not used:
                typer.echo("全部字符都由各角色自己的字体印出。")
            for path, chars in used.items():
                listing = "、".join(f"{c}(U+{ord(c):04X})" for c in sorted(chars))
                typer.echo(f"  由后备字体 {path.name} 补齐：{listing}")
    except JianbaoError as exc:
        _fail(exc)
