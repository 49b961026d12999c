"""Start-up of ``jianbao build``: the command goes through the typer app, and the title word breaks come
from a per-user cache, which gives exactly what rjieba gives."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rjieba
from typer.testing import CliRunner

from conftest import ROOT, SAMPLE, SMALL_ISSUE, write
from pipeline.cli import app as commands
from pipeline.compose import words


# ---------------------------------------------------------------- the command line
def _run_main(args: list[str], cache: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    """``jianbao ARGS`` in a fresh process; also reports which slow modules it imported."""
    code = (
        "import json, sys\n"
        f"sys.argv = ['jianbao', *{args!r}]\n"
        "from pipeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "slow = sorted(m for m in ('typer', 'rich', 'pydantic', 'rjieba', 'click') if m in sys.modules)\n"
        "print(json.dumps({'code': code, 'slow': slow}), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JIANBAO_CACHE_DIR": cache}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    return run, json.loads(run.stderr.splitlines()[-1])


def test_the_command_builds_through_the_typer_app_and_reads_title_breaks_from_the_cache(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    _, cold_info = _run_main(["build", str(SAMPLE), "-o", str(tmp_path / "main")], cache, tmp_path)
    warm, warm_info = _run_main(["build", str(SAMPLE), "-o", str(tmp_path / "main")], cache, tmp_path)
    assert cold_info["code"] == warm_info["code"] == 0
    assert "rjieba" in cold_info["slow"] and "rjieba" not in warm_info["slow"]  # titles segmented once, then cached
    assert "typer" in warm_info["slow"]  # one argument parser: typer's
    assert warm.stdout == f"{tmp_path / 'main' / '2023-21.pdf'}\n"
    result = CliRunner().invoke(commands.app, ["build", str(SAMPLE), "-o", str(tmp_path / "runner")])
    assert result.exit_code == 0 and result.stdout == f"{tmp_path / 'runner' / '2023-21.pdf'}\n"
    assert (tmp_path / "main" / "2023-21.pdf").read_bytes() == (tmp_path / "runner" / "2023-21.pdf").read_bytes()


def test_errors_are_reported_in_chinese_with_the_exit_status(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", SMALL_ISSUE.replace("2024-02-29", "2023-02-29"))
    missing = tmp_path / "nope.yaml"
    for args in (["build", str(bad), "-o", str(tmp_path)], ["build", str(missing)], ["build", str(bad), "-j", "0"]):
        run, info = _run_main(args, "", tmp_path)
        result = CliRunner().invoke(commands.app, args)
        assert info["code"] == result.exit_code == 2
        assert run.stdout == result.stdout and run.stderr.startswith("错误")
        assert run.stderr.splitlines()[:-1] == result.stderr.splitlines()


# ---------------------------------------------------------------- the word-break cache
TITLES = ("周口市召开2023年精神文明建设工作推进会暨志愿服务表彰大会", "“我们的节日·中秋”主题活动在全市各地广泛开展")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIANBAO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(words, "_cache", None)  # as in a new process
    return tmp_path


def _rjieba_ends(text: str) -> set[int]:
    ends, at = set(), 0
    for word in rjieba.cut(text):
        at += len(word)
        ends.add(at)
    return ends


def test_cached_word_ends_are_rjiebas(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [_rjieba_ends(title) for title in TITLES]
    assert [words.word_ends(title) for title in TITLES] == expected
    monkeypatch.setattr(words, "_cache", None)

    def not_again(text: str) -> list[str]:
        raise AssertionError(f"segmented again: {text}")

    monkeypatch.setattr(rjieba, "cut", not_again)  # the answers now come from the file
    assert [words.word_ends(title) for title in TITLES] == expected


def test_a_damaged_or_foreign_cache_is_started_again(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cache_dir / "words"
    stamp = words._rjieba_stamp()
    for content in (
        b"",
        b"\x00garbage",
        marshal.dumps(("another rjieba", {TITLES[0]: (1, 2)})),
        marshal.dumps((stamp, {TITLES[0]: "not offsets"})),
        marshal.dumps((stamp, [TITLES[0]])),
    ):
        path.write_bytes(content)
        monkeypatch.setattr(words, "_cache", None)
        assert words.word_ends(TITLES[0]) == _rjieba_ends(TITLES[0])
        stored_stamp, entries = marshal.loads(path.read_bytes())
        assert stored_stamp == stamp and entries[TITLES[0]] == tuple(sorted(_rjieba_ends(TITLES[0])))
    assert sorted(p.name for p in cache_dir.iterdir()) == ["words"], "temp files left in the cache"


def test_no_cache_when_turned_off_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIANBAO_CACHE_DIR", "")
    monkeypatch.setattr(words, "_cache", None)
    assert words.word_ends(TITLES[1]) == _rjieba_ends(TITLES[1])
    blocker = write(tmp_path, "not-a-folder", "x")
    monkeypatch.setenv("JIANBAO_CACHE_DIR", str(blocker))
    monkeypatch.setattr(words, "_cache", None)
    assert words.word_ends(TITLES[1]) == _rjieba_ends(TITLES[1])
    assert blocker.read_text(encoding="utf-8") == "x"


def test_the_cache_stays_small(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "MAX_ENTRIES", 3)
    for n in range(5):
        words.word_ends(f"{TITLES[0]}{n}")
    _, entries = marshal.loads((cache_dir / "words").read_bytes())
    assert list(entries) == [f"{TITLES[0]}{n}" for n in (2, 3, 4)]


def test_without_rjieba_titles_break_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "find_spec", lambda name: None)
    assert words.word_ends(TITLES[0]) is None
