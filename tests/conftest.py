"""Shared fixtures: the sample issue is built once per test session."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2023-21.yaml"
REFEREE = ROOT.parent / "shared" / "tools" / "referee.py"
FUZZ = int(os.environ.get("JIANBAO_FUZZ", "0"))


def fuzz_settings(examples: int, *allow: HealthCheck) -> settings:
    """Few derandomised examples in CI; ``JIANBAO_FUZZ`` examples with fresh seeds when set."""
    checks = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example, *allow]
    return settings(
        max_examples=FUZZ or examples, deadline=None, derandomize=not FUZZ, database=None, suppress_health_check=checks
    )


SMALL_ISSUE = """\
bulletin: 测试简报
number: 3
issuer: 测试办公室
date: 2024-02-29
sections:
  - name: 工作动态
    articles:
      - title: 标题
        body: |
          第一段。

          **一是加粗。**第二段。
"""


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.typeset import build

    out = tmp_path_factory.mktemp("sample")
    return build(SAMPLE, out).output


@pytest.fixture(scope="session")
def referee() -> Path:
    if not REFEREE.is_file():
        pytest.skip("../shared/tools/referee.py is not available")
    return REFEREE


def jianbao(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line in a real process, as a user would (``stdin``: the text given on standard input)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def run_referee(referee: Path, pdf: Path, source: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(referee), str(pdf), "--source", str(source), *args], capture_output=True, text=True, timeout=120
    )


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def body_source(issue: Path, out: Path) -> Path:
    """The issue's body paragraphs as the referee's JSON source, without tables and photos (not body text)."""
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    sections = []
    for sec in data["sections"]:
        articles = []
        for art in sec["articles"]:
            paras = []
            for block in re.split(r"\n\s*\n", art["body"]):
                lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
                rows = lines[1:] if lines and re.match(r"表[：:]", lines[0]) else lines  # a table, with its title line
                if not lines or all(ln.startswith("|") and ln.endswith("|") for ln in rows) or lines[0].startswith("!["):
                    continue
                paras.append("".join(lines).replace("**", ""))
            title, brief = art["title"], bool(art.get("brief"))
            articles.append({"title": None if brief else title, "lead": title if brief else None, "paragraphs": paras})
        sections.append({"name": sec["name"], "articles": articles})
    out.write_text(json.dumps({"sections": sections}, ensure_ascii=False), encoding="utf-8")
    return out
