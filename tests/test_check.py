"""``jianbao check``: every problem of a file in one run, with file:line:col, and ``--fix`` for the safe ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, jianbao, write
from pipeline.cli.app import app
from pipeline.errors import ERROR, WARNING
from pipeline.source.check import fix_file, fix_text, hazards
from pipeline.source.issue import collect_issue, load_issue
from pipeline.source.reader import IssueError
from pipeline.typeset import check_file

PREVIOUS = """\
bulletin: 测试简报
number: 3
issuer: 测试办公室
date: 2023-01-10
sections:
  - name: 工作动态
    articles:
      - title: 标题
        body: |
          正文。
"""

# Fourteen different kinds of problem, one per line where possible.
BAD = """\
bulletin: 测试简报
titel: 简报
number: 5
issuer: 测试办公室
date: 2023-02-30
copies: 很多
sections:
  - name: 工作动态
    articles:
      - title: （请填写标题）
        body: |
          会议召开,会议指出。

          他说"要抓落实"。

          全市共有１２个单位。

          文明 城市。

          创建\u200b工作。

          表情\U0001f600符号。

          响铃\x07字符。
      - title: 没有正文的文章
  - name: 空栏目
    articles: []
"""


def at(text: str, needle: str, offset: int = 0, nth: int = 0) -> str:
    """``line:col`` (1-based) of the ``nth`` occurrence of ``needle`` in ``text``, plus ``offset`` columns."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1 + offset
    return f"{line}:{col}"


EXPECTED = [
    # (where, level, words of the message)
    (at(BAD, "titel"), ERROR, "未知的键 titel"),
    (at(BAD, "5", nth=0), WARNING, "期号 5 没有接上上一期"),
    (at(BAD, "2023-02-30"), ERROR, "不存在"),
    (at(BAD, "很多"), ERROR, "正整数"),
    (at(BAD, "（请填写标题）"), ERROR, "占位文字还没有换成本期内容：（请填写标题）"),
    (at(BAD, ","), WARNING, "半角标点“,”"),
    (at(BAD, '"'), WARNING, "直引号"),
    (at(BAD, '"', nth=1), WARNING, "直引号"),
    (at(BAD, "１２"), WARNING, "全角数字"),
    (at(BAD, " 城市"), WARNING, "中文之间有空格"),
    (at(BAD, "\u200b"), WARNING, "零宽字符 U+200B"),
    (at(BAD, "\U0001f600"), ERROR, "字体中没有字符"),
    (at(BAD, "\x07"), ERROR, "控制字符 U+0007"),
    (at(BAD, "title: 没有正文"), ERROR, "文章缺少正文（字段 body，文章《没有正文的文章》）"),
    (at(BAD, "[]"), ERROR, "没有文章"),
]


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    write(tmp_path, "prev.yaml", PREVIOUS)
    return write(tmp_path, "bad.yaml", BAD)


def problem_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln and not ln.startswith(" ")]


def test_all_fourteen_problems_are_reported_in_one_run(bad: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(bad)])
    assert result.exit_code == 2, result.output
    lines = problem_lines(result.stdout)
    assert len(lines) == len(EXPECTED), result.stdout
    for (where, level, words), line in zip(EXPECTED, lines, strict=True):
        assert line.startswith(f"{bad}:{where} {level} "), (line, where)
        assert words in line, (line, words)
    assert "提示：是不是想写 title？" in result.stdout
    assert "发现 8 个错误、7 个警告" in result.stderr


def test_check_in_a_real_process_shows_no_traceback(bad: Path) -> None:
    run = jianbao("check", str(bad))
    assert run.returncode == 2
    assert "Traceback" not in run.stdout + run.stderr
    assert f"{bad}:{EXPECTED[0][0]} 错误 未知的键 titel" in run.stdout
    assert len(problem_lines(run.stdout)) == len(EXPECTED)


def test_load_issue_raises_one_error_carrying_every_structural_problem(bad: Path) -> None:
    with pytest.raises(IssueError) as info:
        load_issue(bad)
    error = info.value
    assert error.message.startswith("含不可打印的控制字符")  # the first problem found, as before
    assert error.where is not None and f"{error.where.line}:{error.where.column}" == at(BAD, "\x07")
    messages = [p.message for p in error.problems]
    assert any("titel" in m for m in messages) and any("没有文章" in m for m in messages)
    assert "另有" in (error.hint or "") and "jianbao check" in (error.hint or "")


def test_collect_issue_goes_on_after_bad_values(bad: Path) -> None:
    issue, problems = collect_issue(bad)
    assert issue is not None
    assert [s.name for s in issue.sections] == ["工作动态", "空栏目"]
    assert len(issue.sections[0].articles) == 1  # the article without a body is skipped
    assert all(p.level == ERROR for p in problems)


def test_warnings_alone_exit_one(tmp_path: Path) -> None:
    path = write(tmp_path, "w.yaml", PREVIOUS.replace("正文。", "正文,有逗号。"))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:10:13 警告 中文里用了半角标点“,”" in result.stdout
    assert "检查通过，但有 1 个警告" in result.stdout


def test_a_good_file_passes(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(ROOT / "issues")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "检查通过。"


def test_a_missing_file_is_an_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'} 错误 找不到文件" in result.stdout


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("会议召开,会议指出;要抓落实:一是!二是?完。", "会议召开，会议指出；要抓落实：一是！二是？完。"),
        ("会议召开.", "会议召开。"),
        ("一.基本情况", "一、基本情况"),
        ("时间:8月5日", "时间：8月5日"),
        ('他说"要抓落实"，又说"好"。', "他说“要抓落实”，又说“好”。"),
        ("所谓'文明'二字", "所谓‘文明’二字"),
        ("全市共有１２个ＡＢ单位", "全市共有12个AB单位"),
        ("文明 城市", "文明　城市"),  # an ideographic space, as it prints
        ("会议召开， 会议指出", "会议召开，会议指出"),
        ("2023 年 8 月", "2023年8月"),
        ("创建\u200b工作\ufeff", "创建工作"),
        ("县法院(牵头单位)负责", "县法院（牵头单位）负责"),
    ],
)
def test_safe_fixes(text: str, fixed: str) -> None:
    assert fix_text(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "GB/T 9704-2012",
        "Xi'an 和 Beijing",  # apostrophe between letters; space between Chinese and Latin is flagged separately
        "10:30召开",
        "共1,000人",
        "![推进会现场](photos/tuijinhui.jpg 80%)",
        "“义诊进社区　暖心送健康”",
        "Python 3.11",
        "**一是加强领导。**会议要求",
    ],
)
def test_no_false_alarms_on_good_text(text: str) -> None:
    found = [h for h in hazards(text) if "之间有空格" not in h.message]
    assert found == [], found


def test_unpaired_quotes_are_reported_but_not_fixed() -> None:
    (h,) = hazards('他说"要抓落实。')
    assert h.new is None and "不成对" in h.hint
    assert fix_text('他说"要抓落实。') == '他说"要抓落实。'


def test_the_space_in_mark_is_kept() -> None:
    assert hazards("内部资料 注意保存", field="mark") == []


def test_fix_changes_only_values_and_keeps_comments(tmp_path: Path) -> None:
    text = (
        '# 注释,保持原样 "不改"\n'
        "bulletin: 测试简报   # 报头,名称\n"
        "number: 3\n"
        "issuer: 测试办公室\n"
        "date: 2023-01-10\n"
        "mark: 内部资料 注意保存\n"
        "sections:\n"
        "  - name: 工作动态\n"
        "    articles:\n"
        "      - title: '他说\"好\"'\n"
        "        body: |\n"
        '          会议召开,会议指出"要抓落实"。\n'
        "\n"
        "          全市共有１２个单位 参加。\n"
    )
    path = write(tmp_path, "fix.yaml", text)
    result = CliRunner().invoke(app, ["check", "--fix", str(path)])
    assert result.exit_code == 0, result.output
    new = path.read_text(encoding="utf-8")
    assert new == (
        text.replace('会议召开,会议指出"要抓落实"', "会议召开，会议指出“要抓落实”")
        .replace("１２个单位 参加", "12个单位　参加")
        .replace("'他说\"好\"'", "'他说“好”'")
    )
    assert f'{path}:10: 已改正 他说"好" → 他说“好”' in result.stdout
    assert f'{path}:12: 已改正 会议召开,会议指出"要抓落实"。 → 会议召开，会议指出“要抓落实”。' in result.stdout
    assert f"{path}:14: 已改正 全市共有１２个单位 参加。 → 全市共有12个单位　参加。" in result.stdout
    assert "检查通过。" in result.stdout
    assert fix_file(path) == []  # nothing left to fix


def test_sequence_warnings(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", PREVIOUS)
    ok = write(tmp_path, "b.yaml", PREVIOUS.replace("number: 3", "number: 4").replace("01-10", "02-10"))
    assert not [p for p in check_file(ok) if "期号" in p.message]
    dup = write(tmp_path, "c.yaml", PREVIOUS.replace("01-10", "03-10"))
    (warning,) = [p for p in check_file(dup) if "期号" in p.message]
    assert warning.level == WARNING and "重复" in warning.message and warning.where.line == 2
    new_year = write(tmp_path, "d.yaml", PREVIOUS.replace("number: 3", "number: 1").replace("2023-01-10", "2024-01-10"))
    assert not [p for p in check_file(new_year) if "期号" in p.message]


def test_check_reports_photos_and_what_only_composition_finds(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    PILImage.new("P", (50, 50)).save(tmp_path / "pic.jpg", "GIF")  # a GIF saved as .jpg
    PILImage.new("RGB", (300, 200), (200, 10, 10)).save(tmp_path / "small.jpg", "JPEG")
    photos = PREVIOUS.replace("正文。", "正文。\n\n          ![图](pic.jpg)\n\n          ![小图](small.jpg)")
    path = write(tmp_path, "photos.yaml", photos)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:12:11 错误 图片 pic.jpg 是 GIF 格式" in result.stdout
    assert f"{path}:14:11 警告 图片 small.jpg" in result.stdout and "dpi" in result.stdout
    assert "检查通过" not in result.stdout

    long_name = write(tmp_path, "long.yaml", PREVIOUS.replace("测试简报", "全市新时代文明实践中心建设工作推进" * 3))
    (problem,) = check_file(long_name)
    assert (problem.level, problem.where.line, problem.where.field) == (ERROR, 1, "bulletin") and "太长" in problem.message

    row = "| 单位 | " + "很长的文字" * 400 + " |"
    table = write(tmp_path, "table.yaml", PREVIOUS.replace("正文。", f"| 单位 | 说明 |\n          |---|---|\n          {row}"))
    result = CliRunner().invoke(app, ["check", str(table)])
    assert result.exit_code == 2, result.output
    assert f"{table}:12:11 错误 表格第 2 行太高，一页放不下" in result.stdout
    assert not list(tmp_path.glob("**/*.pdf"))


def test_fix_writes_through_a_symlink_and_keeps_the_mode(tmp_path: Path) -> None:
    real = write(tmp_path, "real.yaml", PREVIOUS.replace("正文。", "正文,有逗号。"))
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert [c.line for c in fix_file(link)] == [10]
    assert link.is_symlink() and "正文，有逗号。" in real.read_text(encoding="utf-8")
    assert real.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_unreadable_files_and_fonts_are_explained_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.errors import JianbaoError
    from pipeline.fonts.files import FontFile

    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(PREVIOUS.encode("gbk"))
    with pytest.raises(JianbaoError, match="不是 UTF-8 编码"):
        fix_file(gbk)
    with pytest.raises(JianbaoError, match="文件不存在"):
        fix_file(tmp_path / "nope.yaml")
    monkeypatch.setenv("JIANBAO_CACHE_DIR", "")
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 64)
    with pytest.raises(JianbaoError) as info:
        FontFile(fake)
    assert info.value.message == "无法读取字体 fake.ttf：不是可用的 TrueType 字体文件"
