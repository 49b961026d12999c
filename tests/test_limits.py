"""Limits a real bulletin never reaches but a typo can: each still builds, or fails cleanly, in bounded time.

Every case must finish within ``BOUND`` seconds and give a valid PDF with every character on the
page (or a Chinese JianbaoError naming the file). The measured times are printed in a table at the
end of the run (``pytest tests/test_limits.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.errors import JianbaoError
from pipeline.typeset import build

BOUND = 60.0  # seconds; generous on purpose: these are about "finishes", not "fast"
HEAD = "bulletin: 测试简报\nnumber: 1\nissuer: 测试办公室\ndate: 2024-01-02\n"
SENTENCE = "全市新时代文明实践中心建设工作推进会召开，会议强调要坚持问题导向，确保件件有着落、事事有回音。"
NAME_14 = "全市创建全国文明城市工作简报"  # a realistic name, 14 characters
TIMES: dict[str, tuple[float, str]] = {}


def chinese(n: int) -> str:
    """``n`` characters of ordinary body text."""
    return (SENTENCE * (n // len(SENTENCE) + 1))[:n]


def plain(n: int) -> str:
    """``n`` ideographs without punctuation (for titles and names)."""
    text = "".join(c for c in SENTENCE if "\u4e00" <= c <= "\u9fff")
    return (text * (n // len(text) + 1))[:n]


def article(title: str, body: str, extra: str = "") -> str:
    return f"      - title: {title}\n{extra}        body: |\n          {body}\n"


def many(articles: str, name: str = "工作动态") -> str:
    return HEAD + f"sections:\n  - name: {name}\n    articles:\n" + articles


def section(i: int) -> str:
    return f"  - name: 栏目{i}\n    articles:\n" + article(f"标题{i}", "正文。")


def one_article(body: str, title: str = "标题", extra: str = "", head: str = HEAD) -> str:
    return head + "sections:\n  - name: 工作动态\n    articles:\n" + article(title, body, extra)


@dataclass(frozen=True)
class Limit:
    name: str
    text: Callable[[], str]


LIMITS = [
    Limit(
        "500 articles",
        lambda: many("".join(article(f"第{i}篇", chinese(200)) for i in range(500))),
    ),
    Limit("20,000-character paragraph", lambda: one_article(chinese(20_000))),
    Limit("1,000 paragraphs", lambda: one_article("\n\n          ".join(chinese(60) for _ in range(1000)))),
    Limit("300-character title", lambda: one_article(chinese(100), title=plain(300))),
    Limit("2,000-letter Latin word", lambda: one_article("开头" + "a" * 2000 + "结尾。")),
    Limit("2,000-digit number", lambda: one_article("共" + "7" * 2000 + "人。")),
    Limit("2,000-letter word in a title", lambda: one_article("正文。", title="x" * 2000)),
    Limit("5,000 Latin words", lambda: one_article(" ".join(["word"] * 5000))),
    Limit("2,000 commas (no break allowed)", lambda: one_article("开头" + "，" * 2000 + "结尾。")),
    Limit("2,000 opening quotes", lambda: one_article("开头" + "“" * 2000 + "结尾。")),
    Limit("1,000 dashes ——", lambda: one_article("开头" + "——" * 1000 + "结尾。")),
    Limit("300-character heading", lambda: one_article("一、" + plain(300) + "\n\n          " + chinese(50))),
    Limit("300-character note", lambda: one_article(chinese(100), extra=f"        note: {chinese(300)}\n")),
    Limit(
        "200 sections",
        lambda: HEAD + "sections:\n" + "".join(section(i) for i in range(200)),
    ),
    Limit(
        "200 briefs",
        lambda: many("".join(article(f"简讯{i}。", chinese(80), "        brief: true\n") for i in range(200)), "文明时讯"),
    ),
]

# One-line fields: a masthead field shrinks to fit (down to 60 %) or is refused with a clear error;
# source lines and 报尾 entries wrap.
ONE_LINE_FIELDS = [
    Limit("300-character bulletin name", lambda: one_article("正文。", head=HEAD.replace("测试简报", plain(300)))),
    Limit("14-character bulletin name", lambda: one_article("正文。", head=HEAD.replace("测试简报", NAME_14))),
    Limit("300-character issuer", lambda: one_article("正文。", head=HEAD.replace("测试办公室", plain(300)))),
    Limit("300-character mark", lambda: one_article("正文。", head=HEAD + f"mark: {plain(300)}\n")),
    Limit("300-character number", lambda: one_article("正文。", head=HEAD.replace("number: 1", f"number: {plain(300)}"))),
    Limit("300-character source", lambda: one_article("正文。", extra=f"        source: {plain(300)}\n")),
    Limit("60-character distribution", lambda: one_article("正文。", head=HEAD + f"distribution:\n  送: {chinese(60)}\n")),
]


def glyphs_off_page(pdf: Path) -> list[str]:
    """Characters whose box is not inside the page (pdfium's view of the drawn text)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    off = []
    try:
        for number in range(len(doc)):
            page = doc[number]
            width, height = page.get_size()
            text = page.get_textpage()
            for i in range(text.count_chars()):
                left, bottom, right, top = text.get_charbox(i)
                if right <= left:
                    continue  # a space or an empty box
                if left < -1 or bottom < -1 or right > width + 1 or top > height + 1:
                    off.append(f"page {number + 1}: {text.get_text_range(i, 1)!r} at x {left:.0f}..{right:.0f}")
    finally:
        doc.close()
    return off


def run_limit(limit: Limit, tmp_path: Path) -> None:
    source = tmp_path / "limit.yaml"
    source.write_text(limit.text(), encoding="utf-8")
    start = time.perf_counter()
    try:
        result = build(source, tmp_path / "out")
    except JianbaoError as exc:
        elapsed = time.perf_counter() - start
        TIMES[limit.name] = (elapsed, "错误：" + exc.message)
        assert source.name in str(exc)
        assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True
    else:
        elapsed = time.perf_counter() - start
        pages = len(PdfReader(result.output).pages)
        TIMES[limit.name] = (elapsed, f"{pages} pages, {result.size // 1024} KB")
        assert pages >= 1
        off = glyphs_off_page(result.output)
        assert not off, f"{len(off)} characters off the page, e.g. {off[:3]}"
    assert elapsed < BOUND, f"{limit.name}: {elapsed:.1f} s"


@pytest.mark.parametrize("limit", LIMITS, ids=[lim.name for lim in LIMITS])
def test_limit_builds_in_bounded_time_with_everything_on_the_page(limit: Limit, tmp_path: Path) -> None:
    run_limit(limit, tmp_path)


@pytest.mark.parametrize("limit", ONE_LINE_FIELDS, ids=[lim.name for lim in ONE_LINE_FIELDS])
def test_long_one_line_field_stays_on_the_page(limit: Limit, tmp_path: Path) -> None:
    run_limit(limit, tmp_path)


@pytest.fixture(scope="module", autouse=True)
def _print_times(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is None or capture is None or not TIMES:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"limits (bound {BOUND:.0f} s each):")
        for name, (seconds, outcome) in TIMES.items():
            reporter.write_line(f"  {name:<34} {seconds:6.2f} s   {outcome}")
