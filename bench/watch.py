"""Watch latency: from saving the issue file to the new PDF in place, for ``jianbao watch`` (median of edits).

Starts ``python -m pipeline watch`` on a copy of the sample, then saves an edit (a changed word in the
first paragraph) every ``--pause`` seconds and times each save until the PDF's replacement appears (the
writer renames a finished file into place, so a changed file is a whole one). Usage:

    python bench/watch.py [--edits 20]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2023-21.yaml"
WORDS = ("全市", "全区", "各县", "各地")


def mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def wait_for_change(path: Path, before: int | None, timeout: float = 30.0) -> float:
    """Seconds until ``path``'s modification time differs from ``before``."""
    start = time.perf_counter()
    while mtime(path) == before:
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"no new PDF within {timeout:.0f} s")
        time.sleep(0.002)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--pause", type=float, default=0.8, help="seconds between saves (the preview is drawn after the PDF)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jianbao-watch-") as tmp:
        work = Path(tmp)
        issue = work / SAMPLE.name
        shutil.copy(SAMPLE, issue)
        text = issue.read_text(encoding="utf-8")
        pdf = work / "out" / (issue.stem + ".pdf")
        env = {**os.environ, "JIANBAO_CACHE_DIR": str(work / "cache")}
        cmd = [sys.executable, "-m", "pipeline", "watch", str(issue), "-o", str(work / "out")]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            wait_for_change(pdf, None)
            time.sleep(args.pause)
            latencies = []
            for i in range(args.edits):
                old, new = WORDS[i % len(WORDS)], WORDS[(i + 1) % len(WORDS)]
                text = text.replace(old, new, 1) if old in text else text.replace("全市", new, 1)
                before = mtime(pdf)
                issue.write_text(text, encoding="utf-8")
                latencies.append(wait_for_change(pdf, before))
                time.sleep(args.pause + random.random() * 0.1)  # saves land anywhere in the poll
        finally:
            proc.terminate()
            proc.wait()
    ms = sorted(x * 1000 for x in latencies)
    print(f"watch: save → new PDF, {len(ms)} edits, the watcher polls every 50 ms")
    print(f"median {statistics.median(ms):.0f} ms · min {ms[0]:.0f} · max {ms[-1]:.0f} · target ≤ 150 ms")


if __name__ == "__main__":
    main()
