"""``jianbao new`` (the next issue from the latest one) and ``jianbao import`` (a Word article into an issue)."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT, SAMPLE, jianbao, write
from pipeline.cli.app import app
from pipeline.errors import ERROR, WARNING, JianbaoError
from pipeline.source.docx_read import chinese_number, read_docx
from pipeline.source.issue import load_issue
from pipeline.source.newissue import PLACEHOLDER_TITLE, latest_issue, new_issue
from pipeline.typeset import check_file

runner = CliRunner()


@pytest.fixture
def issues(tmp_path: Path) -> Path:
    folder = tmp_path / "issues"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "2023-21.yaml")
    shutil.copy(ROOT / "issues" / "example-baowei.yaml", folder / "example-baowei.yaml")
    return folder


# ---------------------------------------------------------------- new
def test_new_follows_the_latest_issue_and_keeps_its_masthead_sections_and_tail(issues: Path) -> None:
    assert latest_issue(issues).name == "example-baowei.yaml"  # 第22期, 2023-09-15
    made = new_issue(latest_issue(issues), dt.date(2023, 9, 29))
    assert made.path == issues / "2023-23.yaml"
    new = load_issue(made.path)
    old = load_issue(issues / "example-baowei.yaml")
    assert (new.number, new.total, new.date) == ("23", "87", dt.date(2023, 9, 29))
    for key in ("bulletin", "title", "issuer", "layout", "mark", "toc", "distribution", "copies"):
        assert getattr(new, key) == getattr(old, key), key
    assert [s.name for s in new.sections] == [s.name for s in old.sections]
    assert all(a.title == PLACEHOLDER_TITLE for s in new.sections for a in s.articles)
    text = made.path.read_text(encoding="utf-8")
    assert text.count("# 示例文章") == len(old.sections)


def test_a_new_issue_checks_clean_except_for_its_placeholders(issues: Path, tmp_path: Path) -> None:
    made = new_issue(issues / "2023-21.yaml", dt.date(2023, 9, 6), tmp_path / "solo" / "next.yaml")
    problems = check_file(made.path)
    assert problems and all(p.level == ERROR and "占位文字" in p.message for p in problems), problems
    drafted = check_file(made.path, draft=True)
    assert [p.where for p in drafted] == [p.where for p in problems] and all(p.level == WARNING for p in drafted)
    # beside example-baowei.yaml (also 第22期) the duplicate number is pointed out
    again = new_issue(issues / "2023-21.yaml", dt.date(2023, 9, 6), issues / "next.yaml")
    (duplicate,) = [p for p in check_file(again.path) if "期号" in p.message]
    assert "重复" in duplicate.message and duplicate.where.line == 6


def test_new_refuses_to_overwrite(issues: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(issues.parent)
    target = Path("issues") / "2023-23.yaml"
    target.write_text("# 已有的文件\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "--from", str(issues / "example-baowei.yaml"), "--date", "2023-09-29"])
    assert result.exit_code == 2
    assert f"错误：文件 {target} 已经存在，不会覆盖" in result.stderr
    assert "提示：" in result.stderr and "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "# 已有的文件\n"


def test_new_cli_defaults_to_the_issues_folder_and_today(issues: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(issues.parent)
    result = runner.invoke(app, ["new"])
    assert result.exit_code == 0, result.output
    expected = Path("issues") / f"{dt.date.today().year}-23.yaml"
    assert result.stdout.strip() == str(expected)
    assert f"date: {dt.date.today().isoformat()}" in expected.read_text(encoding="utf-8")
    assert "下一步" in result.stderr


def test_new_cli_errors_are_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new"])
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：当前文件夹中没有可以沿用的期刊文件\n"
        "  提示：用 --from 指定上一期的期刊文件；开始一个新的简报，用 --series 简报名称\n"
    )
    result = runner.invoke(app, ["new", "--from", str(SAMPLE), "--date", "2023-02-30", "-o", "x.yaml"])
    assert result.exit_code == 2 and "日期“2023-02-30”不对" in result.stderr
    supplement = write(tmp_path, "s.yaml", SAMPLE.read_text(encoding="utf-8").replace("number: 21", "number: 增刊1"))
    result = runner.invoke(app, ["new", "--from", str(supplement), "-o", "x.yaml"])
    assert result.exit_code == 2 and "不是整数" in result.stderr
    assert not (tmp_path / "x.yaml").exists()


# ---------------------------------------------------------------- import
def contributor_docx(path: Path) -> Path:
    """A Word article the way contributors write them: title, bold leads, headings, a table, pasted punctuation."""
    d = docx.Document()
    d.add_paragraph("我市召开文明城市创建推进会", style="Title")
    p = d.add_paragraph()
    p.add_run("一是加强领导。").bold = True
    p.add_run("会议要求,各单位要抓好落实。")
    d.add_heading("基本情况", level=1)
    d.add_paragraph("全市共有１２个单位参加。")
    d.add_heading("（一）组织有力", level=2)
    d.add_paragraph("")
    d.add_heading("主要做法", level=2)
    d.add_paragraph("县委成立领导小组。")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "单位", (0, 1): "场次", (1, 0): "县法院", (1, 1): "6"}.items():
        table.cell(r, c).text = text
    d.save(str(path))
    return path


EXPECTED_BODY = [
    "**一是加强领导。**会议要求，各单位要抓好落实。",
    "一、基本情况",
    "全市共有12个单位参加。",
    "（一）组织有力",
    "（二）主要做法",
    "县委成立领导小组。",
    "| 单位 | 场次 |\n|---|---|\n| 县法院 | 6 |",
]


def test_read_docx_maps_title_bold_headings_and_tables(tmp_path: Path) -> None:
    article = read_docx(contributor_docx(tmp_path / "a.docx"))
    assert article.title == "我市召开文明城市创建推进会"
    assert list(article.paragraphs) == EXPECTED_BODY
    assert any("规范写法" in n for n in article.notes)


def test_first_paragraph_is_the_title_without_a_title_style(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("县文明办召开会议")
    d.add_paragraph("会议指出，要抓好落实。")
    d.save(str(tmp_path / "b.docx"))
    article = read_docx(tmp_path / "b.docx")
    assert (article.title, article.paragraphs) == ("县文明办召开会议", ("会议指出，要抓好落实。",))


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


def test_import_prints_an_article_entry_as_yaml(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(contributor_docx(tmp_path / "a.docx")), "--section", "经验交流"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# 栏目：经验交流")
    (entry,) = yaml.safe_load(result.stdout)
    assert entry["title"] == "我市召开文明城市创建推进会"
    assert entry["body"].split("\n\n") == [*EXPECTED_BODY[:-1], EXPECTED_BODY[-1] + "\n"]


def test_import_into_a_new_issue_replaces_the_placeholder_and_keeps_comments(issues: Path, tmp_path: Path) -> None:
    made = new_issue(issues / "2023-21.yaml", dt.date(2023, 9, 6), issues / "2023-22.yaml")
    before = made.path.read_text(encoding="utf-8")
    docx_path = contributor_docx(tmp_path / "a.docx")
    result = runner.invoke(app, ["import", str(docx_path), "--into", str(made.path)])
    assert result.exit_code == 0, result.output
    assert "替换了栏目“工作动态”中的示例文章" in result.stdout
    after = made.path.read_text(encoding="utf-8")
    kept = [ln for ln in before.splitlines() if ln.lstrip().startswith("#") and "示例文章" not in ln]
    assert all(ln in after.splitlines() for ln in kept)
    assert after.count("# 示例文章") == before.count("# 示例文章") - 1
    issue = load_issue(made.path)
    first = issue.sections[0].articles
    assert [a.title for a in first] == ["我市召开文明城市创建推进会"]
    assert first[0].blocks[1].heading == 1 and first[0].blocks[3].heading == 2

    # a second article is appended; a section that does not exist yet is created at the end
    assert runner.invoke(app, ["import", str(docx_path), "--into", str(made.path)]).exit_code == 0
    result = runner.invoke(app, ["import", str(docx_path), "--into", str(made.path), "--section", "市县动态"])
    assert "新建栏目“市县动态”" in result.stdout
    issue = load_issue(made.path)
    assert [len(s.articles) for s in issue.sections] == [2, 1, 1, 1]
    assert issue.sections[-1].name == "市县动态"


def test_import_into_the_sample_changes_nothing_else(issues: Path, tmp_path: Path) -> None:
    target = issues / "2023-21.yaml"
    before = target.read_text(encoding="utf-8")
    result = runner.invoke(app, ["import", str(contributor_docx(tmp_path / "a.docx")), "--into", str(target)])
    assert result.exit_code == 0, result.output
    after = target.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False).get_opcodes()
    inserts = [op for op in ops if op[0] != "equal"]
    assert [op[0] for op in inserts] == ["insert"]  # one block of lines inserted, nothing else touched
    _, i1, _, j1, j2 = inserts[0]
    assert after.splitlines()[j1:j2][:2] == ["", "      - title: 我市召开文明城市创建推进会"]
    assert before.splitlines()[i1 - 1].lstrip().startswith("会上，市委常委")  # right after the section's last article
    assert load_issue(target).sections[0].articles[-1].title == "我市召开文明城市创建推进会"


def test_import_errors_are_chinese_without_traceback(tmp_path: Path) -> None:
    fake = write(tmp_path, "fake.docx", "这不是 Word 文件")
    run = jianbao("import", str(fake))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert f"错误：{fake}: 无法读取 Word 文件 fake.docx" in run.stderr
    old = write(tmp_path, "old.doc", "x")
    result = runner.invoke(app, ["import", str(old)])
    assert result.exit_code == 2 and "另存为" in result.stderr
    result = runner.invoke(app, ["import", str(contributor_docx(tmp_path / "a.docx")), "--into", str(tmp_path / "no.yaml")])
    assert result.exit_code == 2 and "找不到期刊文件" in result.stderr
    empty = tmp_path / "empty.docx"
    docx.Document().save(str(empty))
    with pytest.raises(JianbaoError, match="没有文字"):
        read_docx(empty)


def test_new_accepts_a_date_without_leading_zeros(issues: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(issues.parent)
    source = str(issues / "2023-21.yaml")
    result = runner.invoke(app, ["new", "--from", source, "--date", "2023-9-5"])
    assert result.exit_code == 0, result.output
    assert "date: 2023-09-05" in (issues / "2023-22.yaml").read_text(encoding="utf-8")
    result = runner.invoke(app, ["new", "--from", source, "--date", "2023-2-30", "-o", str(issues / "x.yaml")])
    assert result.exit_code == 2 and "日期“2023-2-30”不对" in result.stderr


def test_import_into_writes_through_a_symlink_and_keeps_the_mode(issues: Path, tmp_path: Path) -> None:
    made = new_issue(issues / "2023-21.yaml", dt.date(2023, 9, 6), tmp_path / "real.yaml")
    made.path.chmod(0o600)
    link = issues / "2023-22.yaml"
    link.symlink_to(made.path)
    result = runner.invoke(app, ["import", str(contributor_docx(tmp_path / "a.docx")), "--into", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and load_issue(made.path).sections[0].articles[0].title == "我市召开文明城市创建推进会"
    assert made.path.stat().st_mode & 0o777 == 0o600


def test_import_read_errors_are_chinese(tmp_path: Path) -> None:
    contributed = contributor_docx(tmp_path / "a.docx")
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    result = runner.invoke(app, ["import", str(contributed), "--into", str(gbk)])
    assert result.exit_code == 2 and f"错误：{gbk}: 无法读取期刊文件：不是 UTF-8 编码" in result.stderr
    zipped = tmp_path / "z.docx"
    shutil.make_archive(str(tmp_path / "z"), "zip", root_dir=ROOT / "issues", base_dir="2023-21.yaml")
    (tmp_path / "z.zip").rename(zipped)  # a zip file, but not a Word document
    with pytest.raises(JianbaoError, match=r"无法读取 Word 文件 z\.docx：不是有效的 Word 文件（\.docx）"):
        read_docx(zipped)
