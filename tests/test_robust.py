"""Nothing a clerk types can crash the tool or lose their work.

- Generated issue files, structurally valid and invalid, with arbitrary Unicode in every text field:
  each build writes a valid PDF or raises a JianbaoError in Chinese naming the file, and a failed
  build leaves the output folder as it was (no new PDF, no temp file, an earlier PDF untouched).
- Hostile YAML (alias bombs, deep nesting, huge scalars and lists, duplicate keys, object tags)
  is refused quickly with a clear error.
- Two builds writing the same PDF at once, and builds killed at random moments, leave a complete
  old or new PDF. A build killed with SIGKILL between writing its temp file and renaming it leaves
  that hidden temp file (``.NAME.pdf.<pid>-<random>.tmp``) behind until the next build of the same
  PDF, which removes it (its process is gone); the PDF itself is never damaged.

Hypothesis runs a fixed, derandomised set of examples so that CI is repeatable; set
``JIANBAO_FUZZ=500`` (examples per property) to fuzz with fresh random seeds locally.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import ROOT, SAMPLE, fuzz_settings
from pipeline.errors import JianbaoError
from pipeline.typeset import build

CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------------------------- text
COMMON = (
    "全市新时代文明实践中心所站建设工作推进会召开强调要坚持问题导向确保件件有着落事事有回音的一是在不了有和人这中大为上个国我"
    "，。、；：？！“”‘’（）《》【】——……·　"
    "abcXYZ0123456789 .-/%"
)
ODD = [
    "\U0001f600",  # emoji (no font has it)
    "\U0001f44d\U0001f3fd",  # emoji with a skin-tone modifier
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # BOM inside text
    "\u00ad",  # soft hyphen
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # Arabic
    "\u05e2\u05d1\u05e8\u05d9\u05ea",  # Hebrew
    "e\u0301",  # combining accent
    "\u3000",  # ideographic space
    "\u00a0",  # no-break space
    "\t",
    "\n",
    "\r",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",  # NEL: a YAML line break
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\ud800",  # lone high surrogate
    "\udfff",  # lone low surrogate
    "\U00020b9f",  # 𠮟, CJK Ext B (a fallback font has it)
    "\ue000",  # private use
    "\uffff",  # a noncharacter
    "\ufffd",
    "\U0001d54f",  # 𝕏
    "ßΩé",
    "ｱｲｳ",
    "**",
    "![",
    "|",
    "#",
    ": ",
    " #",
    "&a",
    "*a",
    "{{",
    "%",
    "@",
    "`",
    "'",
    '"',
    "\\",
    "---",
    "...",
    "一、",
    "（一）",
    "1.",
    "（1）",
]
CHAR = st.one_of(
    st.sampled_from(COMMON),
    st.sampled_from(COMMON),
    st.sampled_from(COMMON),
    st.sampled_from(ODD),
    st.characters(),
)
CLEAN_CHAR = st.sampled_from(COMMON)


def short_text(char: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(char, max_size=12).map("".join)


def long_text(char: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Up to 40 characters, sometimes repeated into a very long title or paragraph (up to 2,400)."""
    return st.tuples(st.lists(char, max_size=40).map("".join), st.sampled_from([1, 1, 1, 2, 10, 60])).map(lambda t: t[0] * t[1])


SHORT, LONG = short_text(CHAR), long_text(CHAR)


# --------------------------------------------------------------------------------------------- YAML
YAML_PRINTABLE = re.compile("[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
PLAIN_SAFE = re.compile(r"[\w\u3000-\u303f\uff00-\uffef“”‘’·—…]+")


@dataclass
class Style:
    """How the emitter writes scalars: escape everything non-ASCII, write control characters raw."""

    escape_all: bool = False
    raw_controls: bool = False
    prefer_block: bool = True


def quoted(text: str, style: Style) -> str:
    out = []
    for ch in text:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif 0xD800 <= o <= 0xDFFF:
            out.append(f"\\u{o:04X}")  # only escaped: a lone surrogate cannot be written in UTF-8
        elif ch == "\n":
            out.append("\\n")
        elif (style.escape_all and o > 0x7E) or not (YAML_PRINTABLE.fullmatch(ch) or style.raw_controls):
            out.append(f"\\x{o:02X}" if o < 0x100 else f"\\u{o:04X}" if o < 0x10000 else f"\\U{o:08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def scalar(value: object, indent: int, style: Style, block: bool = False) -> str:
    """One scalar: plain when that is safe, a literal block for body text, else double quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    text = str(value)
    if (
        block
        and style.prefer_block
        and text.strip()
        and all(YAML_PRINTABLE.fullmatch(c) for c in text)
        and "\t" not in text
        and not any(ln[:1].isspace() for ln in text.split("\n"))
    ):
        pad = " " * (indent + 2)
        return "|\n" + "\n".join(pad + ln if ln else "" for ln in text.split("\n"))
    if not style.escape_all and PLAIN_SAFE.fullmatch(text) and not text[0].isdigit() and text.lower() not in YAML_WORDS:
        return text
    return quoted(text, style)


YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


class Raw(str):
    """YAML text written as is."""


def emit(value: object, indent: int, style: Style) -> str:
    """Block YAML for a structure of lists, (key, value) pair lists (duplicates allowed) and scalars."""
    pad = " " * indent
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Pairs):
        if not value:
            return "{}"
        lines = []
        for k, v in value:
            body = emit_value(v, indent, style, block=k in ("body", "note"))
            lines.append(f"{pad}{k}:{body}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for v in value:
            inner = emit(v, indent + 2, style)
            if isinstance(v, (Pairs, list)) and v:
                lines.append(f"{pad}- {inner.lstrip()}")
            else:
                lines.append(f"{pad}- {inner}")
        return "\n".join(lines)
    return scalar(value, indent, style)


def emit_value(v: object, indent: int, style: Style, block: bool) -> str:
    if isinstance(v, (Pairs, list)) and v:
        return "\n" + emit(v, indent + 2, style)
    if isinstance(v, (Pairs, list, Raw)):
        return " " + emit(v, indent + 2, style)
    return " " + scalar(v, indent, style, block=block)


class Pairs(list):  # type: ignore[type-arg]
    """A YAML mapping as an ordered list of (key, value); keys may repeat."""


# --------------------------------------------------------------------------------------------- issues
@dataclass(frozen=True)
class Texts:
    """The text strategies of one generated issue: clean (mostly valid) or with arbitrary Unicode."""

    short: st.SearchStrategy[str]
    long: st.SearchStrategy[str]
    clean: bool

    def required(self, draw: Callable) -> str:  # type: ignore[type-arg]
        """A text for a required field: never empty when clean."""
        text = draw(self.short)
        return text.strip() or "文字" if self.clean else text


CLEAN = Texts(short_text(CLEAN_CHAR), long_text(CLEAN_CHAR), True)
ANY = Texts(SHORT, LONG, False)


def paragraph(draw: Callable, t: Texts) -> str:  # type: ignore[type-arg]
    kinds = ["text", "text", "text", "bold", "heading", "table"] + ([] if t.clean else ["image", "unpaired"])
    kind = draw(st.sampled_from(kinds))
    text = draw(t.long)
    if t.clean:
        text = text.strip() or "正文。"
    if kind == "bold":
        return f"**{t.required(draw)}**{text}"
    if kind == "heading":
        return draw(st.sampled_from(["一、", "（二）", "3.", "（4）"])) + t.required(draw)
    if kind == "image":
        return f"![{draw(t.short)}]({draw(st.sampled_from(['none.jpg', '../x.png', '/etc/passwd', 'a b.jpg']))})"
    if kind == "table":
        cell = t.required(draw).replace("\n", "").replace("|", "") or "格"
        return f"| 单位 | 次数 |\n|---|---|\n| {cell} | 6 |"
    if kind == "unpaired":
        return "**" + text
    return text


@st.composite
def articles(draw: Callable, t: Texts) -> Pairs:  # type: ignore[type-arg]
    art = Pairs([("title", draw(t.long).strip() or "标题" if t.clean else draw(st.one_of(t.short, t.long)))])
    if draw(st.booleans()):
        art.append(("brief", draw(st.sampled_from([True, False] if t.clean else [True, False, "maybe"]))))
    if draw(st.integers(0, 3)) == 0:
        art.append(("source", t.required(draw)))
    if draw(st.integers(0, 3)) == 0:
        art.append(("note", draw(t.long).strip() or "按语。" if t.clean else draw(t.long)))
    paras = [paragraph(draw, t) for _ in range(draw(st.integers(1 if t.clean else 0, 3)))]
    art.append(("body", "\n\n".join(paras)))
    return art


@st.composite
def sections(draw: Callable, t: Texts) -> Pairs:  # type: ignore[type-arg]
    arts = draw(st.lists(articles(t), min_size=1 if t.clean else 0, max_size=3))
    return Pairs([("name", t.required(draw)), ("articles", arts)])


VALID_DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)).map(lambda d: d.isoformat())
BAD_DATES = st.sampled_from(["2023-02-30", "2023-13-01", "30/08/2023", "", "0000-00-00", "2023-8-5", "12345-01-01"])


@st.composite
def issue_docs(draw: Callable) -> Pairs:  # type: ignore[type-arg]
    """An issue with clean texts (mostly valid) or with arbitrary Unicode, sometimes mutated to break its structure."""
    t = draw(st.sampled_from([CLEAN, ANY]))
    doc = Pairs(
        [
            ("bulletin", t.required(draw) if t.clean else draw(st.one_of(t.short, t.long))),
            ("number", draw(st.one_of(st.integers(0, 10**6), st.just(t.required(draw)) if t.clean else t.short))),
            ("issuer", t.required(draw)),
            ("date", draw(VALID_DATES if t.clean else st.one_of(VALID_DATES, BAD_DATES))),
        ]
    )
    layouts = ["jianbao", "gbt9704", "book", "nonexistent"] + ([] if t.clean else ["../layouts/jianbao.yaml", "x/y.yaml"])
    for key, strategy in (
        ("title", t.short),
        ("total", st.integers(1, 10**4) if t.clean else st.one_of(st.integers(-5, 10**4), t.short)),
        ("mark", t.short),
        ("toc", st.sampled_from([True, False] if t.clean else [True, False, "是", "maybe"])),
        ("layout", st.sampled_from(layouts)),
        ("copies", st.integers(1, 10**4) if t.clean else st.one_of(st.integers(-1, 10**4), t.short)),
    ):
        if draw(st.integers(0, 3)) == 0:
            doc.append((key, draw(strategy)))
    if draw(st.booleans()):
        names = ["报", "送", "发", "抄送", "本期增发"] + ([] if t.clean else ["收"])
        keys = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        doc.append(("distribution", Pairs((k, t.required(draw)) for k in keys)))
    doc.append(("sections", draw(st.lists(sections(t), min_size=1 if t.clean else 0, max_size=4))))
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):
        mutate(draw, doc)
    return doc


def mutate(draw: Callable, doc: Pairs) -> None:  # type: ignore[type-arg]
    """Break the structure: drop, duplicate or retype a key, add an unknown one, nest wrongly."""
    target = doc
    secs = next((v for k, v in doc if k == "sections"), None)
    if isinstance(secs, list) and secs and draw(st.booleans()):
        sec = draw(st.sampled_from(secs))
        target = sec
        arts = next((v for k, v in sec if k == "articles"), None) if isinstance(sec, Pairs) else None
        if isinstance(arts, list) and arts and draw(st.booleans()):
            target = draw(st.sampled_from(arts))
    if not isinstance(target, Pairs) or not target:
        return
    i = draw(st.integers(0, len(target) - 1))
    key, value = target[i]
    action = draw(st.sampled_from(["drop", "dup", "retype", "unknown", "null", "empty"]))
    if action == "drop":
        del target[i]
    elif action == "dup":
        target.append((key, value))
    elif action == "retype":
        target[i] = (key, draw(st.sampled_from([[], ["a", "b"], Pairs([("x", 1)]), 3, True, Raw("[1, [2, {a: b}]]")])))
    elif action == "unknown":
        target.append((draw(st.sampled_from(["titel", "isuer", "x", "页数", "1"])), draw(SHORT)))
    elif action == "null":
        target[i] = (key, None)
    else:
        target[i] = (key, "")


def render(doc: Pairs, style: Style) -> str:
    return emit(doc, 0, style) + "\n"


GARBAGE = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "\n",
            "---\n",
            "- a\n- b\n",
            "just text",
            "bulletin: [",
            "bulletin: 测试\n  bad indent: x\n",
            "\tbulletin: tab\n",
            "bulletin: *x\n",
            "? [a, b]\n: c\n",
            "%YAML 1.1\n---\nbulletin: x\n",
            "--- !!set {a, b}\n",
            "bulletin: !!binary aGVsbG8=\n",
            "sections: !custom x\n",
            "a: &x 1\nb: *x\n",
            "...\n...\n",
        ]
    ),
)


@st.composite
def issue_files(draw: Callable) -> bytes:  # type: ignore[type-arg]
    """The bytes of an issue file: mostly generated issues, sometimes garbage or damaged ones."""
    kind = draw(st.sampled_from(["issue"] * 8 + ["garbage", "truncated", "surrogatepass", "latin1"]))
    if kind == "garbage":
        return draw(GARBAGE).encode("utf-8", "surrogatepass")
    style = Style(escape_all=draw(st.integers(0, 4)) == 0, raw_controls=draw(st.integers(0, 4)) == 0)
    text = render(draw(issue_docs()), style)
    if kind == "truncated":
        return text[: draw(st.integers(0, len(text)))].encode("utf-8", "surrogatepass")
    if kind == "surrogatepass":
        return (text + "# \ud800\n").encode("utf-8", "surrogatepass")
    if kind == "latin1":
        return text.encode("utf-8").replace("，".encode(), b"\xa3\xac")  # GBK bytes in a UTF-8 file
    return text.encode("utf-8")


FILE_NAMES = st.sampled_from(["issue.yaml", "2023-22.yaml", "第22期.yaml", "a b.yaml", "x.yml"])


# --------------------------------------------------------------------------------------------- checks
def leftovers(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


def assert_valid_pdf(path: Path) -> int:
    assert path.read_bytes()[:5] == b"%PDF-"
    pages = len(PdfReader(path).pages)
    assert pages >= 1
    return pages


def check_build(source: Path, out: Path, previous: bytes | None) -> str:
    """Build in-process; assert the promise; return "ok" or "error"."""
    target = out / f"{source.stem}.pdf"
    try:
        result = build(source, out)
    except JianbaoError as exc:
        message = str(exc)
        assert CHINESE.search(message), message
        assert source.name in message, message
        expected = [target.name] if previous is not None else []
        assert leftovers(out) == expected, leftovers(out)
        if previous is not None:
            assert target.read_bytes() == previous, "a failed build changed the earlier PDF"
        return "error"
    assert result.output == target
    assert_valid_pdf(target)
    assert result.pages == len(PdfReader(target).pages)
    assert leftovers(out) == [target.name]
    return "ok"


OUTCOMES: dict[str, int] = {}


@fuzz_settings(40)
@given(data=issue_files(), name=FILE_NAMES, previous=st.booleans())
def test_any_issue_file_builds_a_pdf_or_fails_cleanly_in_process(data: bytes, name: str, previous: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "期刊"
        folder.mkdir()
        source = folder / name
        source.write_bytes(data)
        out = Path(tmp) / "输出"
        old = None
        if previous:
            out.mkdir()
            old = b"%PDF-1.7 an earlier build\n%%EOF\n"
            (out / f"{source.stem}.pdf").write_bytes(old)
        outcome = check_build(source, out, old)
        OUTCOMES[outcome] = OUTCOMES.get(outcome, 0) + 1


def test_the_generator_reaches_both_outcomes() -> None:
    """The property above is only meaningful if some generated issues build and some fail."""
    if not OUTCOMES:
        pytest.skip("runs after the property test in the same session")
    assert OUTCOMES.get("ok", 0) >= 3 and OUTCOMES.get("error", 0) >= 3, OUTCOMES


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


@fuzz_settings(4)
@given(data=issue_files(), name=FILE_NAMES)
def test_any_issue_file_through_the_cli_is_a_pdf_or_a_chinese_message(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / name
        source.write_bytes(data)
        out = Path(tmp) / "out"
        run = run_cli("build", str(source), "-o", str(out))
        assert "Traceback" not in run.stdout + run.stderr
        if run.returncode == 0:
            assert_valid_pdf(out / f"{source.stem}.pdf")
            assert leftovers(out) == [f"{source.stem}.pdf"]
        else:
            assert CHINESE.search(run.stderr) and source.name in run.stderr, run.stderr
            assert leftovers(out) == []


# --------------------------------------------------------------------------------------------- hostile YAML
HEAD = "bulletin: 测试\nnumber: 1\nissuer: 办公室\ndate: 2024-01-02\n"
ONE_ARTICLE = "sections:\n  - name: 栏目\n    articles:\n      - title: 标题\n        body: 正文。\n"


def laughs() -> str:
    lines = ['a0: &a0 ["哈哈哈哈哈哈哈哈"]']
    for k in range(1, 10):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n" + HEAD + ONE_ARTICLE


HOSTILE = {
    "billion-laughs": laughs(),
    "anchor-in-body": HEAD + "sections:\n  - name: &n 栏目\n    articles:\n      - title: *n\n        body: 正文。\n",
    "nested-10000-flow": HEAD + "sections: " + "[" * 10000 + "]" * 10000 + "\n",
    "nested-10000-block": HEAD + "sections:\n" + "".join(" " * i + "-\n" for i in range(0, 4000)),
    "nested-maps": HEAD + "sections:\n" + "".join("  " * i + "  a:\n" for i in range(2000)),
    "nested-60": HEAD + "sections: " + "[" * 60 + "1" + "]" * 60 + "\n",
    "huge-scalar-6MB": HEAD + ONE_ARTICLE + "mark: " + "字" * 2_000_000 + "\n",
    "huge-flat-list": HEAD + "sections:\n" + "- a\n" * 1_100_000,
    "huge-flow-list": HEAD + "sections: [" + "a," * 1_500_000 + "]\n",
    "many-keys": HEAD + ONE_ARTICLE + "distribution:\n" + "".join(f"  k{i}: v\n" for i in range(250_000)),
    "duplicate-key": HEAD + "date: 2024-01-03\n" + ONE_ARTICLE,
    "duplicate-key-in-article": HEAD + ONE_ARTICLE + "        body: 又一段。\n",
    "python-object-apply": "x: !!python/object/apply:os.system ['touch /tmp/jianbao-pwned']\n" + HEAD + ONE_ARTICLE,
    "python-object-value": HEAD + "sections: !!python/object/apply:os.system ['touch /tmp/jianbao-pwned']\n",
    "python-name": HEAD + ONE_ARTICLE + "mark: !!python/name:os.system\n",
    "binary-tag": HEAD + ONE_ARTICLE + "mark: !!binary aGVsbG8=\n",
    "custom-tag": HEAD + ONE_ARTICLE + "mark: !jianbao x\n",
    "merge-key": HEAD + ONE_ARTICLE + "distribution:\n  <<: {报: 省里}\n",
    "complex-key": HEAD + ONE_ARTICLE + "? [a, b]\n: c\n",
    "nul-bytes": HEAD + ONE_ARTICLE + "mark: a\x00b\n",
}
HARMLESS = {
    "bom-and-crlf": "\ufeff" + (HEAD + ONE_ARTICLE).replace("\n", "\r\n"),
    "document-markers": "---\n" + HEAD + ONE_ARTICLE + "...\n",
    "comments-everywhere": "# 注释\n" + HEAD.replace("\n", "  # 注释\n") + ONE_ARTICLE,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_refused_quickly_with_a_clear_error(name: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.yaml"
    source.write_text(HOSTILE[name], encoding="utf-8")
    out = tmp_path / "out"
    start = time.perf_counter()
    with pytest.raises(JianbaoError) as caught:
        build(source, out)
    elapsed = time.perf_counter() - start
    message = str(caught.value)
    assert CHINESE.search(message) and source.name in message, message
    assert "Traceback" not in message
    assert leftovers(out) == []
    assert elapsed < 2.0, f"{name}: {elapsed:.2f} s"
    assert not Path("/tmp/jianbao-pwned").exists()


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_harmless_yaml_oddities_build(name: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.yaml"
    source.write_text(HARMLESS[name], encoding="utf-8")
    assert_valid_pdf(build(source, tmp_path / "out").output)


def test_a_huge_file_given_by_mistake_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    source = tmp_path / "录像.yaml"
    with source.open("wb") as fh:
        fh.truncate(4 * 2**30)  # 4 GB, sparse: costs no disk
    start = time.perf_counter()
    with pytest.raises(JianbaoError) as caught:
        build(source, tmp_path / "out")
    assert time.perf_counter() - start < 2.0
    assert source.name in str(caught.value) and "过大" in str(caught.value)


def test_hostile_yaml_through_the_cli(tmp_path: Path) -> None:
    source = tmp_path / "bomb.yaml"
    source.write_text(HOSTILE["billion-laughs"], encoding="utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text(HOSTILE["nested-10000-flow"], encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli("build", str(source), str(deep), "-o", str(out), timeout=60)
    assert run.returncode != 0
    assert "Traceback" not in run.stdout + run.stderr
    assert "bomb.yaml" in run.stderr and "deep.yaml" in run.stderr and CHINESE.search(run.stderr)
    assert leftovers(out) == []


def test_a_bomb_is_not_expanded_by_check_either(tmp_path: Path) -> None:
    source = tmp_path / "bomb.yaml"
    source.write_text(HOSTILE["billion-laughs"], encoding="utf-8")
    start = time.perf_counter()
    run = run_cli("check", str(source), timeout=60)
    assert time.perf_counter() - start < 10
    assert run.returncode != 0 and "Traceback" not in run.stdout + run.stderr
    assert "bomb.yaml" in run.stdout + run.stderr


# --------------------------------------------------------------------------------------------- concurrent and killed writes
def big_issue(folder: Path, articles: int, name: str = "big.yaml", marker: str = "") -> Path:
    """A long, valid issue (``articles`` articles of about 400 characters each)."""
    text = SAMPLE.read_text(encoding="utf-8")
    body = "全市新时代文明实践中心建设工作推进会召开，会议强调要坚持问题导向，确保件件有着落、事事有回音。" * 8
    arts = "".join(
        f"      - title: 第{i}篇文章{marker}\n        body: |\n          {body}\n\n          {body}\n" for i in range(articles)
    )
    head = text.split("sections:")[0]
    path = folder / name
    path.write_text(head + "sections:\n  - name: 工作动态\n    articles:\n" + arts, encoding="utf-8")
    return path


def builder(source: Path, out: Path, *prelude: str) -> subprocess.Popen[bytes]:
    """A separate process that builds ``source`` into ``out`` (after running ``prelude``)."""
    code = "\n".join(
        [
            "import sys",
            f"sys.path.insert(0, {str(ROOT)!r})",
            *prelude,
            "from pathlib import Path",
            "from pipeline import build",
            f"build(Path({str(source)!r}), Path({str(out)!r}))",
        ]
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes, bytes]:
    """Two different issues that write the same PDF name, and the bytes each one gives."""
    folder = tmp_path_factory.mktemp("versions")
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    a = big_issue(folder / "a", 40, marker="甲")
    b = big_issue(folder / "b", 12, marker="乙")
    ref = folder / "ref"
    pdf_a = build(a, ref / "a").output.read_bytes()
    pdf_b = build(b, ref / "b").output.read_bytes()
    assert pdf_a != pdf_b
    return a, b, pdf_a, pdf_b


def test_two_builds_writing_the_same_pdf_at_once_leave_one_complete_file(
    two_versions: tuple[Path, Path, bytes, bytes], tmp_path: Path
) -> None:
    a, b, pdf_a, pdf_b = two_versions
    for round_ in range(3):
        out = tmp_path / f"round{round_}"
        procs = [builder(a, out), builder(b, out)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        final = (out / "big.pdf").read_bytes()
        assert final in (pdf_a, pdf_b)
        assert_valid_pdf(out / "big.pdf")
        assert leftovers(out) == ["big.pdf"]


def output_folder(tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "out"
    out.mkdir()
    return out, out / "big.pdf"


def stray_temps(out: Path) -> list[str]:
    """Files beside big.pdf; each must be a hidden temp file of write_atomic."""
    stray = [n for n in leftovers(out) if n != "big.pdf"]
    assert all(re.fullmatch(r"\.big\.pdf\.\d+-[0-9a-f]+\.tmp", n) for n in stray), stray
    return stray


def test_a_build_killed_at_random_moments_leaves_the_old_or_the_new_pdf(
    two_versions: tuple[Path, Path, bytes, bytes], tmp_path: Path
) -> None:
    a, _, pdf_a, pdf_b = two_versions
    out, target = output_folder(tmp_path)
    start = time.perf_counter()
    proc = builder(a, out)
    proc.communicate(timeout=120)
    duration = time.perf_counter() - start
    assert target.read_bytes() == pdf_a
    rng = random.Random(6)
    for _ in range(6):
        target.write_bytes(pdf_b)  # the "previous" build
        proc = builder(a, out)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert target.read_bytes() in (pdf_a, pdf_b)
        assert_valid_pdf(target)
        stray = stray_temps(out)
        for n in stray:
            (out / n).unlink()


def test_a_build_killed_after_writing_its_temp_file_leaves_the_old_pdf_and_the_next_build_sweeps_up(
    two_versions: tuple[Path, Path, bytes, bytes], tmp_path: Path
) -> None:
    """The documented leftover: SIGKILL between fsync and rename (made certain here by a slow fsync)."""
    a, _, pdf_a, pdf_b = two_versions
    out, target = output_folder(tmp_path)
    target.write_bytes(pdf_b)
    flag = tmp_path / "fsync-reached"
    slow_fsync = textwrap.dedent(
        f"""
        import os, time
        _fsync = os.fsync
        def fsync(fd):
            _fsync(fd)
            open({str(flag)!r}, "w").close()
            time.sleep(60)
        os.fsync = fsync
        """
    )
    proc = builder(a, out, slow_fsync)
    deadline = time.monotonic() + 120
    while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert flag.exists(), proc.communicate()[1].decode()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert target.read_bytes() == pdf_b
    stray = stray_temps(out)
    assert len(stray) == 1, stray
    assert (out / stray[0]).read_bytes() == pdf_a  # complete, but never renamed into place
    # the next build writes the new PDF and removes the dead build's temp file
    build(a, out)
    assert target.read_bytes() == pdf_a
    assert leftovers(out) == ["big.pdf"]


# --------------------------------------------------------------------------------------------- font metrics cache
def build_with_cache(cache: str, out: Path, source: Path = SAMPLE) -> bytes:
    """Build in a fresh process (fonts are loaded once per process) with ``JIANBAO_CACHE_DIR=cache``."""
    env = {**os.environ, "JIANBAO_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return (out / f"{source.stem}.pdf").read_bytes()


def test_the_font_cache_changes_nothing_in_the_pdf_and_survives_damage(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    off = build_with_cache("", tmp_path / "off")
    cold = build_with_cache(str(cache), tmp_path / "cold")
    entries = sorted((cache / "fonts").glob("*.font"))
    assert entries, "no metrics cached"
    warm = build_with_cache(str(cache), tmp_path / "warm")
    for i, entry in enumerate(entries):  # truncated, garbage, empty
        entry.write_bytes([entry.read_bytes()[:100], b"\x00garbage" * 10, b""][i % 3])
    damaged = build_with_cache(str(cache), tmp_path / "damaged")
    assert off == cold == warm == damaged
    assert all(e.stat().st_size > 1000 for e in entries), "damaged entries are rewritten"
    assert not [p for p in (cache / "fonts").iterdir() if p.suffix != ".font"], "temp files left in the cache"


def test_an_unusable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    assert build_with_cache(str(blocker), tmp_path / "a") == build_with_cache("", tmp_path / "b")


def test_a_font_read_from_the_cache_is_the_font_as_fonttools_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib import TTFont

    from pipeline.fonts.files import FontFile
    from pipeline.resources import builtin_fonts_dir

    monkeypatch.setenv("JIANBAO_CACHE_DIR", str(tmp_path))
    path = (builtin_fonts_dir() / "NotoSerifSC-Bold-subset.ttf").resolve()
    real = TTFont(path)
    cmap, order = real.getBestCmap(), real.getGlyphOrder()
    for attempt in ("cold", "warm"):
        font = FontFile(path)
        assert dict(font.cmap_items()) == {code: real.getGlyphID(name) for code, name in cmap.items()}, attempt
        assert [font.advance(g) for g in range(len(order))] == [real["hmtx"][name][0] for name in order]
        assert font.units_per_em == real["head"].unitsPerEm
    assert list((tmp_path / "fonts").glob("*.font"))


def test_a_file_that_is_not_a_truetype_font_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "broken.ttf").write_bytes(b"<html>not a font</html>" * 100)
    (tmp_path / "house.yaml").write_text(
        "extends: jianbao\nname: house\nfonts:\n  roles:\n    fangsong: broken.ttf\n", encoding="utf-8"
    )
    source = tmp_path / "issue.yaml"
    source.write_text("layout: house.yaml\n" + HEAD + ONE_ARTICLE, encoding="utf-8")
    with pytest.raises(JianbaoError) as caught:
        build(source, tmp_path / "out")
    assert "broken.ttf" in str(caught.value) and CHINESE.search(str(caught.value))
    assert leftovers(tmp_path / "out") == []


def test_a_missing_layout_named_in_the_issue_points_at_its_layout_key(tmp_path: Path) -> None:
    source = tmp_path / "issue.yaml"
    source.write_text("layout: nonexistent\n" + HEAD + ONE_ARTICLE, encoding="utf-8")
    with pytest.raises(JianbaoError) as caught:
        build(source, tmp_path / "out")
    assert f"{source}:1:9" in str(caught.value) and "版式" in str(caught.value)


# --------------------------------------------------------------------------------------------- output places
def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    for out in (blocker, blocker / "sub"):
        with pytest.raises(JianbaoError) as caught:
            build(SAMPLE, out)
        assert CHINESE.search(str(caught.value)) and str(out) in str(caught.value)
    run = run_cli("build", str(SAMPLE), "-o", str(blocker))
    assert run.returncode != 0 and "Traceback" not in run.stderr and "内部错误" not in run.stderr, run.stderr
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


def test_a_folder_where_the_pdf_goes_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "2023-21.pdf").mkdir()
    with pytest.raises(JianbaoError) as caught:
        build(SAMPLE, tmp_path)
    assert "文件夹" in str(caught.value)
    assert leftovers(tmp_path) == ["2023-21.pdf"]


def test_the_longest_file_name_the_folder_allows_still_builds(tmp_path: Path) -> None:
    """83 ideographs + .yaml is 254 bytes; the PDF's name fits, and so must the temp file's."""
    source = tmp_path / ("周" * 83 + ".yaml")
    source.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = build(source, tmp_path / "out")
    assert result.output.name == "周" * 83 + ".pdf"
    assert leftovers(tmp_path / "out") == [result.output.name]
