"""The ``jianbao`` command: Chinese help and errors, batch builds, preview pictures, watching for changes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

import pipeline
from conftest import ROOT, SMALL_ISSUE, jianbao, write
from pipeline.cli import watch
from pipeline.cli.app import app

runner = CliRunner()
COMMANDS = ("new", "check", "build", "preview", "watch", "import", "fonts")


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    return pipeline.build(write(folder, "small.yaml", SMALL_ISSUE), folder).output


# ---------------------------------------------------------------- help, usage errors, completion
def test_help_lists_every_command_in_chinese() -> None:
    run = jianbao("--help")
    assert run.returncode == 0
    for name in COMMANDS:
        assert name in run.stdout
    for words in ("用法", "选项", "命令", "生成下一期", "一次列出全部问题", "PNG", "Ctrl-C", "Word", "安装命令补全"):
        assert words in run.stdout, words
    for english in ("Usage:", "Options", "Commands", "Show this message"):
        assert english not in run.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_chinese_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "用法" in result.stdout and "显示本帮助并退出" in result.stdout
    assert "Usage:" not in result.stdout


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0
    assert "check" in result.stdout and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["buid", "x.yaml"], "错误：没有命令“buid”（是不是想写 'build'？）"),
        (["build"], "错误：缺少参数 期刊文件"),
        (["build", "--bogus", "x.yaml"], "错误：没有选项 --bogus"),
        (["build", "-j", "abc", "x.yaml"], "错误：-j/--jobs 的值不对：“abc”不是整数"),
        (["build", "x.yaml", "-o"], "错误：选项 -o 后面要写一个值"),
        (["check", "--fxi", "x.yaml"], "没有选项 --fxi（是不是想写 --fix？）"),
        (["preview", "x.pdf", "--dpi", "high"], "--dpi 的值不对"),
        (["build", "x.yaml", "--duplex=yes"], "错误：选项 --duplex 后面不能写值（写上这个选项就是打开它）"),
        (["fonts", "x.yaml", "y.yaml"], "错误：多余的参数：“y.yaml”"),
        (["preview", "x.pdf", ""], "错误：多余的参数：“”"),
        ([""], "错误：没有命令“”"),
    ],
)
def test_usage_errors_are_chinese(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "--help 查看用法" in result.stderr
    assert "Traceback" not in result.output and "Usage:" not in result.output


def test_usage_error_in_a_real_process() -> None:
    run = jianbao("build", "--bogus")
    assert run.returncode == 2
    assert "错误：没有选项 --bogus" in run.stderr and "Traceback" not in run.stderr


def test_shell_completion_completes_commands() -> None:
    run = jianbao(env={"_JIANBAO_COMPLETE": "complete_bash", "COMP_WORDS": "jianbao pre", "COMP_CWORD": "1"})
    assert run.returncode == 0
    assert run.stdout.split() == ["preview"]


# ---------------------------------------------------------------- build
def test_batch_build_in_parallel_prints_paths_in_order_and_a_summary(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", SMALL_ISSUE)
    b = write(tmp_path, "b.yaml", SMALL_ISSUE.replace("number: 3", "number: 4"))
    out = tmp_path / "out"
    run = jianbao("build", str(b), str(a), "-o", str(out), "-j", "2")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [str(out / "b.pdf"), str(out / "a.pdf")]
    assert "排版汇总" in run.stderr and "a.yaml" in run.stderr and "b.yaml" in run.stderr
    assert "成功 2 个，失败 0 个" in run.stderr
    assert (out / "a.pdf").read_bytes()[:5] == b"%PDF-"


def test_batch_build_with_one_bad_file_builds_the_rest_and_fails(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SMALL_ISSUE)
    write(tmp_path, "b.yaml", SMALL_ISSUE.replace("2024-02-29", "2023-02-29"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(tmp_path), "-o", str(out), "-j", "2"])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [str(out / "a.pdf")]
    assert f"错误：{tmp_path / 'b.yaml'}:4:7（字段 date）: 日期“2023-02-29”不存在" in result.stderr
    assert "成功 1 个，失败 1 个" in result.stderr
    assert not (out / "b.pdf").exists()


def test_single_build_prints_no_summary(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", SMALL_ISSUE)
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'a.pdf'}\n" and result.stderr == ""


def test_an_internal_error_is_one_chinese_line_unless_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr("pipeline.typeset.build", broken)
    path = write(tmp_path, "a.yaml", SMALL_ISSUE)
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "排版时发生内部错误（ZeroDivisionError）" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path), "--debug"])
    assert "Traceback" in result.stderr  # --debug shows where it happened
    result = runner.invoke(app, ["--debug", "build", str(path), "-o", str(tmp_path)])
    assert "Traceback" in result.stderr


def test_unexpected_errors_anywhere_are_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr("pipeline.source.newissue.new_issue", broken)
    result = runner.invoke(app, ["new", "--from", str(write(tmp_path, "a.yaml", SMALL_ISSUE))])
    assert result.exit_code == 3
    assert "程序内部出错（KeyError）" in result.stderr and "--debug" in result.stderr
    result = runner.invoke(app, ["--debug", "new", "--from", str(tmp_path / "a.yaml")])
    assert isinstance(result.exception, KeyError)


def test_two_inputs_with_the_same_name_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path, "x.yaml", SMALL_ISSUE)
    (tmp_path / "sub").mkdir()
    b = write(tmp_path / "sub", "x.yaml", SMALL_ISSUE)
    result = runner.invoke(app, ["build", str(a), str(b), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "同名" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- preview
def test_preview_of_a_pdf_writes_the_pages_asked_for_and_a_contact_sheet(small_pdf: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["preview", str(small_pdf), "--pages", "2,1", "--dpi", "40", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    paths = [Path(p) for p in result.stdout.splitlines()]
    assert [p.name for p in paths] == ["small-p2.png", "small-p1.png", "small-contact.png"]
    page = Image.open(paths[0])
    assert abs(page.width - 210 / 25.4 * 40) <= 2  # A4 width at 40 dpi
    sheet = Image.open(paths[-1])
    assert sheet.width > 2 * page.width * 36 / 40  # both pages side by side
    assert "共 2 页" in result.stderr


def test_preview_of_an_issue_builds_it_first(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    out = tmp_path / "pv"
    run = jianbao("preview", str(issue), "--pages", "1", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [str(out / "a-p1.png"), str(out / "a-contact.png")]
    assert (out / "a.pdf").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pages", "9"], "第 9 页不存在（small.pdf 共 2 页）"),
        (["--pages", "a-b"], "页码“a-b”写法不对"),
        (["--dpi", "5000"], "分辨率 5000 超出范围"),
    ],
)
def test_preview_errors(small_pdf: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["preview", str(small_pdf), "-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_preview_of_a_file_that_is_not_a_pdf(tmp_path: Path) -> None:
    fake = write(tmp_path, "fake.pdf", "不是 PDF")
    result = runner.invoke(app, ["preview", str(fake), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "无法打开 PDF 文件" in result.stderr


# ---------------------------------------------------------------- watch
def test_watch_rebuilds_after_each_change(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    builds: list[int] = []
    polls = iter(range(100))

    def fake_sleep(_seconds: float) -> None:
        n = next(polls)
        if n in (1, 3):  # the clerk saves twice
            issue.write_text(SMALL_ISSUE.replace("第一段", f"第{n}段"), encoding="utf-8")
            os.utime(issue, ns=(n * 10**9, n * 10**9))

    count = watch.watch(lambda: [issue], lambda: builds.append(1), sleep=fake_sleep, max_polls=5)
    assert count == 3 and len(builds) == 3


def test_watched_files_follow_the_layout_and_what_it_extends(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", "layout: gbt9704\n" + SMALL_ISSUE)
    names = [p.name for p in watch.watched_files(issue)]
    assert names == ["a.yaml", "gbt9704.yaml", "jianbao.yaml"]


def test_watch_command_builds_and_previews(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    out = tmp_path / "out"
    result = runner.invoke(app, ["watch", str(issue), "-o", str(out), "--max-polls", "1", "--interval", "0"])
    assert result.exit_code == 0, result.output
    assert "正在监视" in result.stderr and "Ctrl-C" in result.stderr
    assert f"已更新 {out / 'a.pdf'}（2 页" in result.stdout
    assert (out / "preview" / "a-contact.png").is_file()


def test_watch_keeps_going_after_an_error_and_ends_cleanly_on_ctrl_c(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE.replace("2024-02-29", "2023-02-29"))

    def interrupted(files, rebuild, **kwargs):  # type: ignore[no-untyped-def]
        rebuild()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "watch", interrupted)
    result = runner.invoke(app, ["watch", str(issue), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "日期“2023-02-29”不存在" in result.stderr and "改好后保存" in result.stderr
    assert result.stderr.rstrip().endswith("已停止监视。")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_watch_in_a_real_process_ends_on_ctrl_c_with_a_chinese_message(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "watch", str(issue), "-o", str(tmp_path / "out"), "--dpi", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # even when the test run ignores Ctrl-C
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # blocks until the first build is done
        assert "已更新" in first
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "已停止监视。" in err and "Traceback" not in err


def test_new_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "issues").mkdir()
    write(tmp_path / "issues", "2023-21.yaml", (ROOT / "issues" / "2023-21.yaml").read_text(encoding="utf-8"))
    run = jianbao("new", "--date", "2023-09-06", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(Path("issues") / "2023-22.yaml")
    assert "已生成第22期" in run.stderr
    again = jianbao("new", "--date", "2023-09-06", "-o", "issues/2023-22.yaml", cwd=tmp_path)
    assert again.returncode == 2 and "已经存在，不会覆盖" in again.stderr and "Traceback" not in again.stderr


def test_build_and_check_name_what_is_missing_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for args, code in ((["build", "-o", str(tmp_path / "out")], 2), (["check"], 2)):
        result = runner.invoke(app, [*args, str(tmp_path / "nope.yaml")])
        assert result.exit_code == code and f"{tmp_path / 'nope.yaml'}" in result.output and "找不到文件" in result.output
        result = runner.invoke(app, [*args, str(tmp_path / "empty")])
        assert result.exit_code == code and "文件夹中没有 .yaml 期刊文件" in result.output
