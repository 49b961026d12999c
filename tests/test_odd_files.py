"""Odd files where a clerk's files should be (issue 16, points 7, 8 and 11): a FIFO, a device, a symlink
to /dev/zero, a folder, a symlink loop, a file far too big. Nothing hangs or fills the memory; each
is refused with a Chinese message saying what it is, and a non-zero exit."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, SMALL_ISSUE, write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and symlinks as on Linux and macOS")

FIFO = "这是一个命名管道（FIFO），不是普通文件"
DEVICE = "这是一个设备文件，不是普通文件"
FOLDER = "这是一个文件夹，不是文件"


def run(*args: str, cwd: Path, timeout: float = 30, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """The command line in a real process; a hang fails the test after ``timeout`` seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env, **kwargs
    )  # type: ignore[call-overload]


# ---------------------------------------------------------------- beside the issue, or given as input
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    issues = tmp_path / "issues"
    issues.mkdir()
    shutil.copy(SAMPLE, issues / "2023-21.yaml")
    os.mkfifo(issues / "2023-22.yaml")  # named like the next issue
    (issues / "zero.yaml").symlink_to("/dev/zero")
    return issues


def test_check_and_build_of_a_folder_with_a_fifo_and_dev_zero_refuse_them(folder: Path) -> None:
    checked = run("check", "issues", cwd=folder.parent)
    assert checked.returncode == 2
    assert f"issues/2023-22.yaml 错误 无法读取文件：{FIFO}" in checked.stdout
    assert f"issues/zero.yaml 错误 无法读取文件：{DEVICE}" in checked.stdout
    built = run("build", "issues", "-o", "out", cwd=folder.parent)
    assert built.returncode == 2
    assert f"错误：issues/2023-22.yaml: 无法读取文件：{FIFO}" in built.stderr
    assert (folder.parent / "out" / "2023-21.pdf").is_file()  # the real issue is built
    assert "Traceback" not in built.stderr + checked.stderr


def test_new_skips_the_fifo_and_writes_the_next_issue(folder: Path) -> None:
    made = run("new", "--date", "2023-09-29", "-o", "next.yaml", cwd=folder.parent)
    assert made.returncode == 0, made.stderr
    assert "已生成第22期" in made.stderr and "沿用 issues/2023-21.yaml" in made.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["build", "issues/2023-22.yaml"], f"错误：issues/2023-22.yaml: 无法读取文件：{FIFO}"),
        (["check", "issues/zero.yaml"], f"issues/zero.yaml 错误 无法读取文件：{DEVICE}"),
        (["preview", "issues/2023-22.yaml"], f"错误：无法读取文件 issues/2023-22.yaml：{FIFO}"),
        (["watch", "issues/zero.yaml"], f"错误：无法读取文件 issues/zero.yaml：{DEVICE}"),
        (["new", "--from", "issues/2023-22.yaml"], f"错误：无法读取文件 issues/2023-22.yaml：{FIFO}"),
        (["import", "issues/2023-22.yaml"], f"错误：无法读取文件 issues/2023-22.yaml：{FIFO}"),
        (["build", "issues/2023-21.yaml", "--layout", "issues/zero.yaml"], f"错误：无法读取版式文件 issues/zero.yaml：{DEVICE}"),
    ],
)
def test_a_fifo_or_device_given_as_input_says_what_it_is(folder: Path, command: list[str], message: str) -> None:
    result = run(*command, cwd=folder.parent)
    assert result.returncode == 2
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_an_issue_file_far_too_big_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # a sparse file: 6 GB on paper, nothing on disk
        fh.truncate(6_000_000_000)
    result = run("check", "big.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "big.yaml 错误 文件过大（超过 5 MB），不像是一期简报" in result.stdout


# ---------------------------------------------------------------- photos that are not picture files
IMAGE_ISSUE = SMALL_ISSUE.replace("          第一段。\n", "          第一段。\n\n          ![现场](photo.jpg)\n")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: (p.symlink_to("photo.jpg"), None), "图片文件 photo.jpg 无法使用：符号链接循环"),
        (lambda p: os.mkfifo(p), f"图片文件 photo.jpg 无法使用：{FIFO}"),
        (lambda p: p.mkdir(), f"图片文件 photo.jpg 无法使用：{FOLDER}"),
        (lambda p: p.symlink_to("/dev/zero"), f"图片文件 photo.jpg 无法使用：{DEVICE}"),
        (lambda p: None, "找不到图片文件 photo.jpg"),
    ],
    ids=["loop", "fifo", "folder", "device", "missing"],
)
def test_an_image_that_is_not_a_file_says_what_it_is(tmp_path: Path, make: object, message: str) -> None:
    issue = write(tmp_path, "a.yaml", IMAGE_ISSUE)
    make(tmp_path / "photo.jpg")  # type: ignore[operator]
    checked = run("check", "a.yaml", cwd=tmp_path)
    assert checked.returncode == 2 and f"a.yaml:12:11 错误 {message}" in checked.stdout, checked.stdout
    built = run("build", str(issue), "-o", "out", cwd=tmp_path)
    assert built.returncode == 2 and message in built.stderr
    assert "内部" not in built.stderr and not (tmp_path / "out" / "a.pdf").exists()


# ---------------------------------------------------------------- system limits in Chinese
def test_a_pdf_beyond_the_file_size_limit_says_so_in_chinese(tmp_path: Path) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)

    def small_files() -> None:  # Python ignores SIGXFSZ: a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, resource.RLIM_INFINITY))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "JIANBAO_CACHE_DIR": "", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(issue), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        preexec_fn=small_files,
    )
    assert result.returncode == 2
    assert "无法写入 PDF 文件：文件过大（超出系统对文件大小的限制）" in result.stderr, result.stderr
    assert not (tmp_path / "out" / "a.pdf").exists() and not list((tmp_path / "out").iterdir())
