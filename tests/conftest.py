"""Shared fixtures: the sample issue is built once per test session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2023-21.yaml"
REFEREE = ROOT.parent / "shared" / "tools" / "referee.py"


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline import build

    out = tmp_path_factory.mktemp("sample")
    return build(SAMPLE, out).output


@pytest.fixture(scope="session")
def referee() -> Path:
    if not REFEREE.is_file():
        pytest.skip("../shared/tools/referee.py is not available")
    return REFEREE


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
