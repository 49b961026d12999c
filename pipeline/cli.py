"""The ``jianbao`` command: thin typer commands; user errors become Chinese messages and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .errors import JianbaoError

app = typer.Typer(
    help="简报排版工具：把一期简报的 YAML 文件排成可直接付印的 A4 PDF。",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

EXIT_USER_ERROR = 2


def _fail(exc: JianbaoError) -> None:
    typer.echo(f"错误：{exc}", err=True)
    raise typer.Exit(EXIT_USER_ERROR)


def _issue_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
            if not found:
                raise JianbaoError(f"文件夹 {p} 中没有 .yaml 期刊文件")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            raise JianbaoError(f"找不到文件：{p}")
    return files


@app.command("build")
def build_cmd(
    issues: list[Path] = typer.Argument(..., help="期刊文件（.yaml），可写多个，或一个文件夹"),
    out: Path = typer.Option(Path("out"), "-o", "--out", help="输出文件夹（默认 out/）"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称（如 jianbao、gbt9704）或版式文件路径"),
    profile: str = typer.Option("print", "--profile", help="输出用途：print（印刷，默认）或 archive（PDF/A 归档）"),
    bleed: float = typer.Option(0.0, "--bleed", help="出血（毫米），大于 0 时加裁切线"),
    debug: bool = typer.Option(False, "--debug", help="出错时显示程序内部信息（供开发者排查）"),
) -> None:
    """排版期刊文件，输出 PDF 到输出文件夹，并打印 PDF 路径。"""
    from . import build

    if profile not in ("print", "archive"):
        _fail(JianbaoError(f"未知的输出用途 {profile}", hint="可选 print 或 archive"))
    if not 0 <= bleed <= 20:
        _fail(JianbaoError("出血应在 0 到 20 毫米之间"))
    try:
        files = _issue_files(issues)
    except JianbaoError as exc:
        _fail(exc)
    failed = 0
    for f in files:
        try:
            out.mkdir(parents=True, exist_ok=True)
            result = build(f, out, layout, profile=profile, bleed_mm=bleed)
        except JianbaoError as exc:
            failed += 1
            typer.echo(f"错误：{exc}", err=True)
            continue
        except Exception as exc:  # a bug must still not show a traceback to a clerk
            if debug:
                raise
            failed += 1
            typer.echo(f"错误：{f}: 排版时发生内部错误（{type(exc).__name__}）。请用 --debug 重试并报告此问题。", err=True)
            continue
        typer.echo(str(result.output))
    if failed:
        raise typer.Exit(EXIT_USER_ERROR)


@app.command("check")
def check_cmd(issues: list[Path] = typer.Argument(..., help="要检查的期刊文件")) -> None:
    """检查期刊文件（格式、必填项、字体缺字），不生成 PDF。"""
    from . import resolve_layout_path
    from .fonts import FontSet, missing_chars
    from .issue import load_issue
    from .layout import load_layout

    problems = 0
    for f in _safe(lambda: _issue_files(issues)):
        try:
            issue = load_issue(f)
            lay = load_layout(resolve_layout_path(f, None, issue.layout))
            for m in missing_chars(issue, lay, FontSet(lay)):
                problems += 1
                typer.echo(f"{m.where} 错误 字体中没有字符 {m.describe()}")
        except JianbaoError as exc:
            problems += 1
            typer.echo(f"{exc.where or f} 错误 {exc.message}" + (f"（{exc.hint}）" if exc.hint else ""))
            continue
    if problems:
        typer.echo(f"发现 {problems} 个问题。", err=True)
        raise typer.Exit(1)
    typer.echo("检查通过。")


@app.command("fonts")
def fonts_cmd(
    issue: Path | None = typer.Argument(None, help="期刊文件：列出其中由后备字体印出的字"),
    layout: str | None = typer.Option(None, "--layout", help="版式名称或路径"),
) -> None:
    """列出版式的字体角色、字体文件，以及期刊中由后备字体补齐的字。"""
    from . import resolve_layout_path
    from .assemble import assemble
    from .fonts import FontSet, check_coverage
    from .issue import load_issue
    from .layout import find_layout, load_layout

    try:
        if issue is not None:
            iss = load_issue(issue)
            lay = load_layout(resolve_layout_path(issue, layout, iss.layout))
        else:
            iss = None
            lay = load_layout(find_layout(layout or "jianbao"))
        fonts = FontSet(lay)
        typer.echo(f"版式：{lay.name}")
        for role, path in fonts.role_files.items():
            typer.echo(f"  {role}: {path}")
        for path in fonts.fallback_files:
            typer.echo(f"  后备: {path}")
        if iss is not None:
            check_coverage(iss, lay, fonts)
            assemble(iss, lay, fonts)
            used = fonts.fallback_used()
            if not used:
                typer.echo("全部字符都由各角色自己的字体印出。")
            for role, chars in used.items():
                listing = "、".join(f"{c}(U+{ord(c):04X})" for c in chars)
                typer.echo(f"  {role} 由后备字体补齐：{listing}")
    except JianbaoError as exc:
        _fail(exc)


def _safe(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except JianbaoError as exc:
        _fail(exc)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("已中断。", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
