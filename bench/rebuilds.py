"""What a long ``jianbao watch`` does to a process: 200 rebuilds of the sample in one process.

Prints the median rebuild time, the resident memory after the first and the last rebuild, and
whether every PDF is byte-identical to the first. Run: ``python bench/rebuilds.py [N]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.typeset import build  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def main(n: int = 200) -> None:
    sample = ROOT / "issues" / "2023-21.yaml"
    with tempfile.TemporaryDirectory() as out:
        first = build(sample, Path(out)).output.read_bytes()
        start_rss = rss_mib()
        times, same = [], True
        for _ in range(n):
            t = time.perf_counter()
            same &= build(sample, Path(out)).output.read_bytes() == first
            times.append(time.perf_counter() - t)
        print(f"{n} rebuilds: median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms")
        print(f"resident memory: {start_rss:.1f} MiB after the first build, {rss_mib():.1f} MiB after the last")
        print(f"every PDF byte-identical to the first: {same}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
