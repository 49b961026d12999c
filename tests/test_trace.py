"""Golden traces: every printed line of the sample and the stress issue, in three layouts.

A composition change shows up here as a readable diff. After checking that a change is intended,
refresh the approved traces with ``JIANBAO_UPDATE_TRACES=1 python -m pytest tests/test_trace.py``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from pipeline.render.trace import trace
from pipeline.typeset import typeset

STRESS = ROOT / "tests" / "stress" / "stress.yaml"
TRACES = ROOT / "tests" / "traces"
CASES = [(issue, layout) for issue in (SAMPLE, STRESS) for layout in ("jianbao", "gbt9704", "book")]


@pytest.mark.parametrize(("issue", "layout"), CASES, ids=[f"{i.stem}-{lay}" for i, lay in CASES])
def test_trace_matches_the_approved_one(issue: Path, layout: str) -> None:
    done = typeset(issue, layout)
    got = trace(done.document, done.layout)
    approved = TRACES / f"{issue.stem}.{layout}.txt"
    if os.environ.get("JIANBAO_UPDATE_TRACES"):
        approved.write_text(got, encoding="utf-8")
    assert approved.exists(), f"no approved trace {approved.name}: make it with JIANBAO_UPDATE_TRACES=1"
    want = approved.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "approved", "now", n=1))
    assert got == want, f"composition changed:\n{diff}"


def test_trace_shows_each_line_with_its_grid_line_and_cells() -> None:
    done = typeset(SAMPLE, "jianbao")
    lines = trace(done.document, done.layout).splitlines()
    assert lines[0].startswith("# layout jianbao: 26 x 22")
    body = [ln for ln in lines if " body " in ln]
    assert body[0].split()[0] == "03"  # after 栏目 and a two-line title
    _, kind, cells, text = body[0].split(maxsplit=3)
    assert (kind, cells.replace(" ", "")) == ("body", "2.00..")
    assert text.split()[-1].startswith("8月25日")


def test_build_dumps_the_page_model_as_json(tmp_path: Path) -> None:
    import json

    from conftest import jianbao

    run = jianbao("build", str(SAMPLE), "-o", str(tmp_path), "--dump-pages")
    assert run.returncode == 0, run.stderr
    data = json.loads((tmp_path / "2023-21.pages.json").read_text(encoding="utf-8"))
    document = typeset(SAMPLE).document
    assert len(data["pages"]) == len(document.pages) == 6
    assert [ln["text"] for ln in data["pages"][1]["lines"]] == [ln.text for ln in document.pages[1].lines]
    assert data["info"]["title"] == "周口精神文明建设 简报 第21期" and data["info"]["date"] == "2023-08-30"
