"""Loading issue files: the sample, and bad files that must name the file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, SMALL_ISSUE, write
from pipeline.errors import JianbaoError
from pipeline.source.issue import load_issue
from pipeline.source.model import Paragraph


def test_sample_issue_loads_with_every_section_and_paragraph() -> None:
    issue = load_issue(SAMPLE)
    assert issue.bulletin == "周口精神文明建设"
    assert issue.number == "21"
    assert issue.date == dt.date(2023, 8, 30)
    assert [s.name for s in issue.sections] == ["工作动态", "经验交流", "文明时讯"]
    assert [len(s.articles) for s in issue.sections] == [1, 1, 4]
    exchange = issue.sections[1].articles[0]
    bold = [r for b in exchange.blocks if isinstance(b, Paragraph) for r in b.runs if r.bold]
    assert [r.text[:2] for r in bold] == ["一是", "二是", "三是", "四是"]
    assert all(a.brief for a in issue.sections[2].articles)


def test_paragraph_positions_point_at_the_source_line(tmp_path: Path) -> None:
    issue = load_issue(write(tmp_path, "a.yaml", SMALL_ISSUE))
    second = issue.sections[0].articles[0].blocks[1]
    assert second.where.line == 12


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (SMALL_ISSUE.replace("issuer: 测试办公室\n", ""), None, "缺少必填项：编印单位"),
        (SMALL_ISSUE.replace("date: 2024-02-29", "date: 2023-02-29"), 4, "不存在"),
        (SMALL_ISSUE.replace("date: 2024-02-29", "date: 29/02/2024"), 4, "格式不对"),
        (SMALL_ISSUE.replace("bulletin:", "bulletn:"), 1, "bulletin"),  # did you mean
        (SMALL_ISSUE.replace("        body: |", "        bodi: |"), 9, "未知的键 bodi"),
        (SMALL_ISSUE.replace("**一是加粗。**", "**一是加粗。"), 12, "**"),
        (
            SMALL_ISSUE.replace("    articles:\n      - title: 标题", "    articles: []\n    x:\n      - title: 标题"),
            8,
            "未知的键",
        ),
        (SMALL_ISSUE + "copies: 很多\n", 13, "正整数"),
        (SMALL_ISSUE.replace("number: 3", "number: &n 3\ntotal: *n"), 3, "别名"),
        (SMALL_ISSUE.replace("bulletin: 测试简报", "bulletin: !!python/object:os.system 测试"), 1, "标签"),
        (SMALL_ISSUE.replace("第一段。", "第一\x07段。"), 10, "控制字符"),
        ("bulletin: [\n", 2, "YAML 格式错误"),
        ("", None, "空"),
    ],
)
def test_bad_files_name_the_problem_and_the_line(tmp_path: Path, text: str, line: int | None, needle: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(JianbaoError) as info:
        load_issue(path)
    message = str(info.value)
    assert needle in message
    assert str(path) in message
    if line is not None:
        assert info.value.where is not None and info.value.where.line == line, message


def test_empty_section_is_refused(tmp_path: Path) -> None:
    text = SMALL_ISSUE.replace(
        "    articles:\n      - title: 标题\n        body: |\n          第一段。\n\n          **一是加粗。**第二段。\n",
        "    articles: []\n",
    )
    with pytest.raises(JianbaoError, match="没有文章"):
        load_issue(write(tmp_path, "empty.yaml", text))


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(JianbaoError, match="重复"):
        load_issue(write(tmp_path, "dup.yaml", SMALL_ISSUE + "bulletin: 又一个\n"))


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(SMALL_ISSUE.encode("gbk"))
    with pytest.raises(JianbaoError, match="UTF-8"):
        load_issue(path)


def test_image_outside_the_issue_folder_is_refused(tmp_path: Path) -> None:
    text = SMALL_ISSUE.replace("第一段。", "![照片](../secret.jpg)")
    with pytest.raises(JianbaoError, match="之外"):
        load_issue(write(tmp_path, "img.yaml", text))


def test_example_issue_has_headings_and_distribution() -> None:
    issue = load_issue(ROOT / "issues" / "example-baowei.yaml")
    levels = [b.heading for s in issue.sections for a in s.articles for b in a.blocks if isinstance(b, Paragraph)]
    assert 1 in levels and 2 in levels
    assert [k for k, _ in issue.distribution] == ["报", "送", "发"]
    assert issue.copies == 60


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (("number: 3", "number: 0"), "期号"),
        (("number: 3", "number: 021"), "期号"),
        (("number: 3", "number: ２１"), "期号"),
        (("number: 3", "number: 3\ntotal: 八十六"), "总期号应写作 86，而不是“八十六”"),
        (("number: 3", "number: 3\ntotal: -86"), "total 应为正整数"),
        (("number: 3", "number: 3\ncopies: 0"), "copies 应为正整数"),
        (("name: 工作动态", "name: 【】"), "栏目名称不能为空"),
    ],
)
def test_numbers_and_names_are_checked(tmp_path: Path, change: tuple[str, str], needle: str) -> None:
    with pytest.raises(JianbaoError, match=needle):
        load_issue(write(tmp_path, "n.yaml", SMALL_ISSUE.replace(*change)))


def test_text_issue_numbers_and_bracketed_section_names_are_kept(tmp_path: Path) -> None:
    text = SMALL_ISSUE.replace("number: 3", "number: 增刊1").replace("name: 工作动态", "name: 【工作动态】")
    issue = load_issue(write(tmp_path, "s.yaml", text))
    assert issue.number == "增刊1" and issue.sections[0].name == "工作动态"


def test_archive_metadata_fields_are_checked_and_carried_to_the_document_info(tmp_path: Path) -> None:
    from pipeline.typeset import document_info

    good = write(tmp_path, "good.yaml", SMALL_ISSUE.replace("date:", "classification: 内部\nretention: 永久\ndate:"))
    info = document_info(load_issue(good))
    assert ("密级", "内部") in info.custom and ("保管期限", "永久") in info.custom and ("期号", "3") in info.custom
    bad = write(tmp_path, "bad.yaml", SMALL_ISSUE.replace("date:", "classification: 保密\nretention: 20年\ndate:"))
    with pytest.raises(JianbaoError) as err:
        load_issue(bad)
    assert err.value.message == "密级“保密”不是可用的值"
    assert (err.value.where.line, err.value.where.column) == (4, 17)  # SMALL_ISSUE has the date on line 4
    assert err.value.hint.startswith("应为以下之一：公开、内部、秘密、机密、绝密")
