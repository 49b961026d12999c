"""A clerk can trust what prints (issue 15, with 16.2, 16.4, 16.5 and 16.11): ``build`` and ``watch``
show ``check``'s warnings, the 期号 is strict, no text is dropped silently, every message is Chinese and
says where and how to fix, and the command line follows the usual conventions.

Every test runs the command line (CliRunner, or a real process where standard input or the version
matters) and asserts the exact message, the exit status and, where a PDF is written, its text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pypdfium2
import pytest
from typer.testing import CliRunner

from conftest import ROOT, SAMPLE, jianbao, write
from pipeline import __version__
from pipeline.cli.app import app
from pipeline.source.rules import ARTICLE_KEYS, SECTION_KEYS, TOP_KEYS

runner = CliRunner()

ISSUE = """\
bulletin: 测试简报
number: 3
issuer: 测试办公室
date: 2024-02-29
sections:
  - name: 工作动态
    articles:
      - title: 全市文明实践推进会召开
        body: |
          会议指出，要抓落实。
"""


def issue(tmp_path: Path, *changes: tuple[str, str], name: str = "a.yaml") -> Path:
    text = ISSUE
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return write(tmp_path, name, text)


def pdf_text(pdf: Path) -> str:
    """The PDF's text as a reader copies it, lines joined."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(doc[i].get_textpage().get_text_range().replace("\r\n", "") for i in range(len(doc)))
    finally:
        doc.close()


def build(path: Path, *args: str) -> tuple[int, str, str, Path]:
    out = path.parent / "out"
    result = runner.invoke(app, ["build", str(path), "-o", str(out), *args])
    return result.exit_code, result.stdout, result.stderr, out / f"{path.stem}.pdf"


# ---------------------------------------------------------------- 1. build and watch show check's warnings
def test_build_prints_checks_warnings_makes_the_pdf_and_exits_one(tmp_path: Path) -> None:
    path = issue(tmp_path, ("会议指出，要抓落实。", '会议指出,要抓"落实"，共１２个单位。'))
    code, stdout, stderr, pdf = build(path)
    assert code == 1
    assert stdout == f"{pdf}\n"
    assert stderr == (
        f'{path}:10:15 警告 中文里用了半角标点“,”：会议指出,要抓"落（字段 body，文章《全市文明实践推进会召开》）\n'
        "  提示：应为全角“，”（可用 --fix 自动改正）\n"
        f'{path}:10:18 警告 用了直引号 "：出,要抓"落实"，（字段 body，文章《全市文明实践推进会召开》）\n'
        "  提示：应为成对的弯引号 “ ”（可用 --fix 自动改正）\n"
        f'{path}:10:21 警告 用了直引号 "：抓"落实"，共１２（字段 body，文章《全市文明实践推进会召开》）\n'
        "  提示：应为成对的弯引号 “ ”（可用 --fix 自动改正）\n"
        f'{path}:10:24 警告 用了全角数字或字母“１２”：实"，共１２个单位。（字段 body，文章《全市文明实践推进会召开》）\n'
        "  提示：应为半角“12”（可用 --fix 自动改正）\n"
        "PDF 已生成，但有 4 个警告，请看一看；标明“可用 --fix”的，可运行 jianbao check --fix 自动改正。\n"
    )
    assert '会议指出,要抓"落实"，共１２个单位。' in pdf_text(pdf)
    check = runner.invoke(app, ["check", str(path)])
    assert check.exit_code == 1
    assert [ln for ln in check.stdout.splitlines() if ln.startswith(str(path))] == [
        ln for ln in stderr.splitlines() if ln.startswith(str(path))
    ]


def test_a_clean_build_prints_only_the_pdf_and_exits_zero(tmp_path: Path) -> None:
    code, stdout, stderr, pdf = build(issue(tmp_path))
    assert (code, stdout, stderr) == (0, f"{pdf}\n", "")
    assert "会议指出，要抓落实。" in pdf_text(pdf)


def test_placeholders_are_errors_unless_draft(tmp_path: Path) -> None:
    path = issue(tmp_path, ("全市文明实践推进会召开", "（请填写标题）"))
    code, stdout, stderr, pdf = build(path)
    assert (code, stdout) == (2, "")
    assert stderr == (
        f"错误：{path}:8:16（字段 title，文章《（请填写标题）》）: 占位文字还没有换成本期内容：（请填写标题）\n"
        "  提示：请换成本期的内容；还没写完、只想先看版面时，可加 --draft 排出草稿\n"
    )
    assert not pdf.exists()
    code, stdout, stderr, pdf = build(path, "--draft")
    assert (code, stdout) == (1, f"{pdf}\n")
    assert stderr.startswith(
        f"{path}:8:16 警告 占位文字还没有换成本期内容：（请填写标题）（字段 title，文章《（请填写标题）》）\n"
    )
    assert "（请填写标题）" in pdf_text(pdf)
    assert runner.invoke(app, ["check", str(path)]).exit_code == 2
    assert runner.invoke(app, ["check", "--draft", str(path)]).exit_code == 1


def test_watch_prints_the_warnings_of_each_rebuild(tmp_path: Path) -> None:
    path = issue(tmp_path, ("会议指出，要抓落实。", "会议指出,要抓落实。"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["watch", str(path), "-o", str(out), "--max-polls", "0", "--interval", "0"])
    assert result.exit_code == 0, result.output
    stamp = r"\[\d\d:\d\d:\d\d\] "
    warning = f"{path}:10:15 警告 中文里用了半角标点“,”：会议指出,要抓落实（字段 body，文章《全市文明实践推进会召开》）"
    assert re.search(stamp + re.escape(warning), result.stderr), result.stderr
    assert (out / "a.pdf").exists()
    placeholder = issue(tmp_path, ("会议指出，要抓落实。", "（请填写正文）"), name="b.yaml")
    result = runner.invoke(app, ["watch", str(placeholder), "-o", str(out), "--max-polls", "0"])
    assert "错误：" in result.stderr and "占位文字还没有换成本期内容：（请填写正文）" in result.stderr
    assert not (out / "b.pdf").exists()


def test_a_photo_warning_is_printed_once_and_counts(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (300, 200), (200, 10, 10)).save(tmp_path / "small.jpg", "JPEG")
    path = issue(tmp_path, ("会议指出，要抓落实。", "会议指出，要抓落实。\n\n          ![小图](small.jpg)"))
    code, _, stderr, pdf = build(path)
    assert code == 1 and pdf.exists()
    assert stderr.count("警告 图片 small.jpg（300×200 像素）") == 1, stderr


# ---------------------------------------------------------------- 2. 期号 (and 16.5)
NUMBER_HINT = "  提示：期号用半角数字书写，从 1 开始，例如 number: 21（印作“第21期”）；增刊写作 增刊1"


@pytest.mark.parametrize("number", ["-3", "-21", "0", "21.5", ".nan", ".inf", "true", "0x15", "1:30", "二十一点五", "A1"])
def test_numbers_that_are_not_positive_integers_are_errors(tmp_path: Path, number: str) -> None:
    path = issue(tmp_path, ("number: 3", f"number: {number}"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout == f"{path}:2:9 错误 期号应为正整数，而不是“{number}”（字段 number）\n{NUMBER_HINT}\n"
    code, _, stderr, pdf = build(path)
    assert code == 2 and not pdf.exists()
    assert stderr == f"错误：{path}:2:9（字段 number）: 期号应为正整数，而不是“{number}”\n{NUMBER_HINT}\n"


@pytest.mark.parametrize("number", ["第21期", "二十一", "21期", "第二十一期", "２１", "021", "第 21 期"])
def test_numbers_written_another_way_are_errors_that_check_fix_normalises(tmp_path: Path, number: str) -> None:
    path = issue(tmp_path, ("number: 3", f"number: {number}"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout == (
        f"{path}:2:9 错误 期号应写作 21，而不是“{number}”（字段 number）\n"
        "  提示：只写数字，印出时自动加“第…期”；可运行 jianbao check --fix 自动改正\n"
    )
    fixed = runner.invoke(app, ["check", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout == f"{path}:2: 已改正 {number} → 21\n检查通过。\n"
    assert "number: 21\n" in path.read_text(encoding="utf-8")
    code, _, _, pdf = build(path)
    assert code == 0 and "第21期" in pdf_text(pdf)


def test_the_total_is_normalised_the_same_way(tmp_path: Path) -> None:
    path = issue(tmp_path, ("number: 3", 'number: 3\ntotal: "总第86期"'))
    result = runner.invoke(app, ["check", str(path)])
    assert result.stdout == (
        f"{path}:3:8 错误 总期号应写作 86，而不是“总第86期”（字段 total）\n"
        "  提示：只写数字，印出时自动加“（总第…期）”；可运行 jianbao check --fix 自动改正\n"
    )
    assert runner.invoke(app, ["check", "--fix", str(path)]).exit_code == 0
    code, _, _, pdf = build(path)
    assert code == 0 and "第3期（总第86期）" in pdf_text(pdf)


def test_a_supplement_prints_as_written_and_a_normalised_number_is_followed_by_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _, pdf = build(issue(tmp_path, ("number: 3", "number: 增刊1"), name="s.yaml"))
    assert code == 0 and "增刊1" in pdf_text(pdf) and "第增刊1期" not in pdf_text(pdf)
    folder = tmp_path / "issues"
    folder.mkdir()
    path = issue(folder, ("number: 3", "number: 第21期"), name="2024-21.yaml")
    assert runner.invoke(app, ["check", "--fix", str(path)]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--date", "2024-03-07"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{Path('issues') / '2024-22.yaml'}\n"


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            ("bulletin: 测试简报", 'bulletin: ""'),
            "1:11 错误 报头名称不能为空（字段 bulletin）\n  提示：例如 bulletin: 周口精神文明建设",
        ),
        (
            ("bulletin: 测试简报", 'bulletin: "  "'),
            "1:11 错误 报头名称只有空格（字段 bulletin）\n  提示：请删去这些字符，写上内容",
        ),
        (("issuer: 测试办公室", "issuer: '　'"), "3:9 错误 编印单位只有空格（字段 issuer）\n  提示：请删去这些字符，写上内容"),
        (
            ("bulletin: 测试简报", 'bulletin: 测试\ntitle: " "'),
            '2:8 错误 报头第二行只有空格（字段 title）\n  提示：不要第二行就写 title: ""',
        ),
    ],
)
def test_an_empty_or_blank_masthead_is_an_error(tmp_path: Path, change: tuple[str, str], line: str) -> None:
    path = issue(tmp_path, change)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout == f"{path}:{line}\n"
    code, _, _, pdf = build(path)
    assert code == 2 and not pdf.exists()


def test_title_empty_turns_the_second_masthead_line_off(tmp_path: Path) -> None:
    code, _, _, pdf = build(issue(tmp_path, ("bulletin: 测试简报", 'bulletin: 测试通讯\ntitle: ""')))
    assert code == 0 and pdf_text(pdf).startswith("测试通讯第3期")


# ---------------------------------------------------------------- 16.2 invisible-only fields, 16.4 null
INVISIBLE = [
    ("bulletin: 测试简报", 'bulletin: "\\u200b\\u200b"', "1:11", "报头名称", "U+200B", "bulletin"),
    ("issuer: 测试办公室", 'issuer: "\\u2060"', "3:9", "编印单位", "U+2060", "issuer"),
    ("number: 3", 'number: "\\ufeff"', "2:9", "期号", "U+FEFF", "number"),
    ("name: 工作动态", 'name: "\\u200c\\u00ad"', "6:11", "栏目名称", "U+00AD、U+200C", "name，第1个栏目"),
    ("title: 全市文明实践推进会召开", 'title: "\\u200d"', "8:16", "标题", "U+200D", "title，栏目“工作动态”的第1篇文章"),
    ("bulletin: 测试简报", 'bulletin: 测试\ntitle: "\\u200b"', "2:8", "报头第二行", "U+200B", "title"),
]


@pytest.mark.parametrize(("old", "new", "where", "label", "codes", "field"), INVISIBLE)
def test_a_field_of_invisible_characters_only_is_an_error(
    tmp_path: Path, old: str, new: str, where: str, label: str, codes: str, field: str
) -> None:
    path = issue(tmp_path, (old, new))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{where} 错误 {label}只有看不见的字符（{codes}）（字段 {field}）\n" in result.stdout, result.stdout
    code, _, stderr, pdf = build(path)
    assert code == 2 and not pdf.exists() and f"{label}只有看不见的字符（{codes}）" in stderr


def test_yaml_null_is_a_value_not_written(tmp_path: Path) -> None:
    path = issue(tmp_path, ("bulletin: 测试简报", "bulletin: 测试\ntitle: ~\nmark: null"))
    code, _, _, pdf = build(path)
    text = pdf_text(pdf)
    assert code == 0 and text.startswith("测试简报第3期") and "~" not in text and "null" not in text
    path = issue(tmp_path, ("bulletin: 测试简报", "bulletin: null"), ("body: |\n          会议指出，要抓落实。", "body: ~"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout == (
        f"{path}:1:1 错误 报头名称没有填写（字段 bulletin）\n"
        "  提示：例如 bulletin: 周口精神文明建设\n"
        f"{path}:9:9 错误 正文没有填写（字段 body，文章《全市文明实践推进会召开》）\n"
        "  提示：写 body: |，正文从下一行起、比 body 多缩进两格，每段一行，段与段之间空一行\n"
    )


# ---------------------------------------------------------------- 3. nothing dropped or changed silently
def test_a_space_between_chinese_words_prints_as_an_ideographic_space(tmp_path: Path) -> None:
    path = issue(tmp_path, ("会议指出，要抓落实。", "“文明交通 你我同行”"))
    code, _, stderr, pdf = build(path)
    assert code == 1
    assert stderr.startswith(
        f"{path}:10:16 警告 中文之间有空格：文明交通 你我同行（字段 body，文章《全市文明实践推进会召开》）\n"
        "  提示：印出时是一个全角空格“　”；不要空格就删去（可用 --fix 改为全角空格“　”）\n"
    )
    assert "“文明交通\u3000你我同行”" in pdf_text(pdf)
    fixed = runner.invoke(app, ["check", "--fix", str(path)])
    assert fixed.exit_code == 0 and f"{path}:10: 已改正 文明交通 你我同行 → 文明交通　你我同行" in fixed.stdout
    assert "“文明交通　你我同行”" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "message", "printed"),
    [
        ("2023 年 8 月召开", "10:15 警告 中文与数字或字母之间有空格：2023 年 8 （", "2023年8月召开"),
        ("会议指出， 要抓落实。", "10:16 警告 全角标点旁有空格：议指出， 要抓落实（", "会议指出，要抓落实。"),
    ],
)
def test_a_space_that_is_not_printed_says_so(tmp_path: Path, body: str, message: str, printed: str) -> None:
    path = issue(tmp_path, ("会议指出，要抓落实。", body))
    code, _, stderr, pdf = build(path)
    assert code == 1 and message in stderr and "印出时不留这个空格" in stderr
    assert printed in pdf_text(pdf)


# ---------------------------------------------------------------- 4. messages: Chinese, the article's title, line:col, the fix
def test_a_full_width_colon_is_the_first_suspect(tmp_path: Path) -> None:
    path = issue(tmp_path, ("issuer: 测试办公室", "issuer： 测试办公室"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout == (
        f"{path}:3:7 错误 YAML 格式错误：“issuer”后面用了全角冒号“：”\n"
        "  提示：键后面要用半角冒号加一个空格，写作“issuer: ”（可能是输入法切换成了中文标点）\n"
    )
    path = issue(tmp_path, ("title: 全市", "title： 全市"), name="b.yaml")
    assert "b.yaml:8:14 错误 YAML 格式错误：“title”后面用了全角冒号“：”" in runner.invoke(app, ["check", str(path)]).stdout


def test_an_unquoted_bold_note_is_explained(tmp_path: Path) -> None:
    path = issue(tmp_path, ("        body: |", "        note: **编者按**现将做法刊发。\n        body: |"))
    code, _, stderr, _ = build(path)
    assert code == 2
    assert stderr == (
        f"错误：{path}:9:16: YAML 格式错误：以 * 开头的值被 YAML 当作别名\n"
        '  提示：以 * 开头的值（如 **加粗**）要给整个值加上双引号，例如 note: "**编者按**……"\n'
    )


def test_a_word_file_given_to_build_points_at_import(tmp_path: Path) -> None:
    import docx

    document = tmp_path / "来稿.docx"
    docx.Document().save(str(document))
    result = runner.invoke(app, ["build", str(document), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"错误：{document}: 这是一个 Word 文件（.docx），不是期刊文件\n"
        "  提示：Word 来稿请先导入期刊文件：jianbao import 来稿.docx --into 本期.yaml\n"
    )


def test_a_missing_key_is_named_in_chinese_with_an_example(tmp_path: Path) -> None:
    path = issue(tmp_path, ("issuer: 测试办公室\n", ""))
    code, _, stderr, _ = build(path)
    assert code == 2
    assert stderr == f"错误：{path}:1:1（字段 issuer）: 缺少必填项：编印单位\n  提示：例如 issuer: 周口市文明办\n"


def test_a_problem_in_an_article_names_the_article_by_its_title(tmp_path: Path) -> None:
    second = (
        "  - name: 经验交流\n    articles:\n      - title: 郸城县多措并举推动文明实践志愿服务常态化\n"
        "        body: |\n          **一是健全机制。\n"
    )
    path = write(tmp_path, "a.yaml", ISSUE + second)
    code, _, stderr, _ = build(path)
    assert code == 2
    assert stderr == (
        f"错误：{path}:15:11（字段 body，文章《郸城县多措并举推动文明实践志愿…》）: 加粗标记 ** 没有成对出现\n"
        "  提示：加粗的文字应写作 **一是……。**\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bulletin: " + "[" * 1100 + "]" * 1100 + "\n", "1:1010 错误 YAML 格式错误：文件嵌套过深，拒绝处理"),
        ('bulletin: "\\ud800"\n', "1:14 错误 YAML 格式错误：双引号里的 \\u 转义不是有效的字符"),
        ('bulletin: "\\U0000dfff"\n', "1:14 错误 YAML 格式错误：双引号里的 \\u 转义不是有效的字符"),
    ],
)
def test_yaml_errors_that_leaked_english_are_chinese(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "y.yaml", text)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{path}:{message}\n  提示：")


def test_non_ascii_digits_in_a_date_are_an_error(tmp_path: Path) -> None:
    for digits in ("٢٠٢٤-٠٢-٢٩", "２０２４-０２-２９", "२०२४-०२-२९"):
        path = issue(tmp_path, ("date: 2024-02-29", f"date: {digits}"))
        result = runner.invoke(app, ["check", str(path)])
        assert result.exit_code == 2
        assert f"{path}:4:7 错误 日期“{digits}”用了全角或其他文字的数字（字段 date）\n" in result.stdout
        assert "  提示：日期里的数字要用半角 0-9 书写，例如 2023-08-30\n" in result.stdout


BROKEN_YAML = [
    "bulletin: [测试\n",
    "bulletin: {测试\n",
    'bulletin: "测试\n',
    "bulletin: 测试\n\tissuer: 办\n",
    "bulletin: @测试\n",
    "bulletin: `测试`\n",
    "bulletin: 测试: 简报\n",
    "bulletin: 测试\n  issuer: 办\n",
    "- a\nb: c\n",
    "bulletin: &a 测试\n",
    "bulletin: !!str\n  - a\n",
    "%YAML 2.0\n---\nbulletin: 测试\n",
    "bulletin: 测试\n---\nissuer: 办\n",
    "bulletin: |0\n  测试\n",
    'bulletin: "测试\\q"\n',
    "bulletin: 'a' b\n",
    "? a\n? b\n: c\n: d\n",
    "bulletin: !<tag:x> 测试\n",
    "bulletin:\n- a\n - b\n",
]


@pytest.mark.parametrize("text", BROKEN_YAML)
def test_every_message_about_a_broken_file_is_chinese(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "y.yaml", text)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    for line in result.stdout.splitlines():
        words = re.findall(r"[A-Za-z]{3,}", re.sub(r"（字段 [^）]*）|“[^”]*”", "", line.replace(str(path), "")))
        assert set(words) <= {"YAML", "Tab", "jianbao", "new", *TOP_KEYS, *SECTION_KEYS, *ARTICLE_KEYS}, line


# ---------------------------------------------------------------- 5. command-line conventions
def test_version_and_short_help() -> None:
    run = jianbao("--version")
    assert (run.returncode, run.stdout, run.stderr) == (0, f"jianbao {__version__}\n", "")
    assert runner.invoke(app, ["-V"]).stdout == f"jianbao {__version__}\n"
    for args in (["-h"], ["build", "-h"], ["check", "-h"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "用法" in result.stdout and "显示本帮助并退出" in result.stdout


def test_out_naming_a_pdf_writes_that_file_and_a_folder_otherwise(tmp_path: Path) -> None:
    path = issue(tmp_path)
    target = tmp_path / "周报.pdf"
    result = runner.invoke(app, ["build", str(path), "-o", str(target)])
    assert (result.exit_code, result.stdout) == (0, f"{target}\n")
    assert target.is_file() and "全市文明实践推进会召开" in pdf_text(target)
    folder = tmp_path / "成品.pdf"
    result = runner.invoke(app, ["build", str(path), "-o", f"{folder}/"])
    assert (result.exit_code, result.stdout) == (0, f"{folder / 'a.pdf'}\n")
    second = issue(tmp_path, name="b.yaml")
    result = runner.invoke(app, ["build", str(path), str(second), "-o", str(tmp_path / "两期.pdf")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"错误：-o {tmp_path / '两期.pdf'} 是一个 PDF 文件名，但要排版 2 个文件\n"
        "  提示：排版多个文件时，-o 写一个文件夹（如 -o 输出/），每期的 PDF 以期刊文件命名\n"
    )
    assert not (tmp_path / "两期.pdf").exists()


def test_standard_input(tmp_path: Path) -> None:
    run = jianbao("build", "-", "-o", str(tmp_path / "周报.pdf"), stdin=ISSUE)
    assert (run.returncode, run.stdout, run.stderr) == (0, f"{tmp_path / '周报.pdf'}\n", "")
    assert "全市文明实践推进会召开" in pdf_text(tmp_path / "周报.pdf")
    run = jianbao("build", "-", cwd=tmp_path, stdin=ISSUE.replace("2024-02-29", "2024-02-30"))
    assert run.returncode == 2
    assert run.stderr == "错误：标准输入:4:7（字段 date）: 日期“2024-02-30”不存在\n  提示：请检查月份和日期\n"
    run = jianbao("build", "-", cwd=tmp_path, stdin=ISSUE)
    assert (run.returncode, run.stdout) == (0, f"{Path('out') / '标准输入.pdf'}\n")
    result = runner.invoke(app, ["check", "-"], input=ISSUE.replace("，", ","))
    assert result.exit_code == 1 and result.stdout.startswith("标准输入:10:15 警告 中文里用了半角标点“,”")
    result = runner.invoke(app, ["check", "--fix", "-"], input=ISSUE)
    assert (result.exit_code, result.stderr) == (2, "错误：--fix 不能改正标准输入（-）\n  提示：请写期刊文件的文件名\n")


def test_a_batch_summary_gives_each_failures_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue(tmp_path, name="a.yaml")
    issue(tmp_path, ("number: 3", "number: 4"), ("2024-02-29", "2024-02-30"), name="b.yaml")
    issue(tmp_path, ("number: 3", "number: 4"), ("会议指出，要抓落实。", "会议指出,要抓落实。"), name="c.yaml")
    monkeypatch.chdir(tmp_path)
    out = Path("out")
    result = runner.invoke(app, ["build", ".", "-o", str(out)])
    assert result.exit_code == 2
    rows = {
        cells[0]: cells[1:]
        for line in result.stderr.splitlines()
        if line.startswith("│")
        for cells in [[c.strip() for c in line.strip("│").split("│")]]
    }
    assert rows["a.yaml"][:2] + rows["a.yaml"][3:] == ["2", str(out / "a.pdf"), ""]
    assert rows["b.yaml"][:2] + rows["b.yaml"][3:] == ["—", "失败", "第4行：日期“2024-02-30”不存在"]
    assert rows["c.yaml"][:2] + rows["c.yaml"][3:] == ["2", str(out / "c.pdf"), "1 个警告"]
    assert "成功 2 个（其中 1 个有警告），失败 1 个。" in result.stderr


def test_new_starts_a_series_in_an_empty_folder_and_follows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--series", "测试精神文明建设", "--date", "2024-03-01"])
    assert (result.exit_code, result.stdout) == (0, "2024-1.yaml\n")
    assert result.stderr.startswith("已生成《测试精神文明建设》第1期：2024-1.yaml\n")
    check = runner.invoke(app, ["check", "2024-1.yaml"])
    assert (
        check.exit_code == 2
        and "2024-1.yaml:6:9 错误 占位文字还没有换成本期内容：（请填写编印单位）（字段 issuer）" in check.stdout
    )
    assert runner.invoke(app, ["check", "--draft", "2024-1.yaml"]).exit_code == 1
    code, _, _, pdf = build(tmp_path / "2024-1.yaml", "--draft")
    assert code == 1 and pdf_text(pdf).startswith("测试精神文明建设简报第1期")
    result = runner.invoke(app, ["new", "--date", "2024-03-08"])
    assert (result.exit_code, result.stdout) == (0, "2024-2.yaml\n")
    result = runner.invoke(app, ["new", "--series", "x", "--from", "2024-1.yaml"])
    assert result.exit_code == 2 and "--series 和 --from 只能写一个" in result.stderr


def test_new_from_elsewhere_writes_into_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    result = runner.invoke(app, ["new", "--from", str(SAMPLE), "--date", "2023-09-06"])
    assert (result.exit_code, result.stdout) == (0, "2023-22.yaml\n")
    assert (tmp_path / "work" / "2023-22.yaml").is_file() and not (ROOT / "issues" / "2023-22.yaml").exists()
    (tmp_path / "work" / "issues").mkdir()
    result = runner.invoke(app, ["new", "--from", "2023-22.yaml", "--date", dt.date(2023, 9, 13).isoformat()])
    assert (result.exit_code, result.stdout) == (0, f"{Path('issues') / '2023-23.yaml'}\n")


def test_standard_input_that_is_the_terminal_is_refused_rather_than_waited_for(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    main, terminal = os.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pipeline", "build", "-"],
            stdin=terminal,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    finally:
        os.close(main)
        os.close(terminal)
    assert run.returncode == 2
    assert run.stderr == (
        "错误：“-”要从标准输入读取期刊文件，但标准输入是终端\n"
        "  提示：把期刊文件接到标准输入，例如 cat 本期.yaml | jianbao build -；或直接写期刊文件的文件名\n"
    )
