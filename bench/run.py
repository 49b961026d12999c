"""Benchmark: how fast is ``jianbao build``, whole process, on the sample issue and a 10x larger one.

    python bench/run.py                 # the table (about a minute on 2 cores)
    python bench/run.py --runs 3        # fewer runs per figure
    python bench/run.py --profile       # also: import times and a cProfile of one in-process build
    python bench/run.py --json out.json # also write the figures as JSON (to compare before/after)

Every figure is for a fresh process (``python -m pipeline build``), as a clerk runs it: wall time
from process start until the PDF is written (median of several runs), peak resident memory of that
process (``wait4`` rusage), and the PDF size. The marginal cost of a page is the difference between
the 10x issue and the sample divided by the difference in pages. The batch figure is one
``build`` call over 50 issue files (with ``-j 2`` when the CLI has it).

The figures are warm, as for a clerk's second build: one untimed build first compiles the .pyc
files (into the benchmark's own folder, also when PYTHONDONTWRITEBYTECODE is set) and fills the
per-user caches (font metrics, title word breaks) in a cache folder of its own. One figure is cold:
the sample with the caches turned off (``JIANBAO_CACHE_DIR=`` empty), as the very first build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2023-21.yaml"
BATCH = 50

TARGETS = {
    "sample_wall": 0.25,  # s, process start to PDF written
    "per_page_ms": 2.0,  # ms per extra page
    "peak_mb": 120.0,  # MB resident
    "sample_kb": 250.0,  # KB
    "batch_s": 5.0,  # s for 50 issues
}


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process (steadier than wall time on a busy machine)
    peak_mb: float  # max resident set size of the process
    returncode: int
    stderr: str


def run_process(args: list[str], env: dict[str, str]) -> Run:
    """Run ``args`` and measure its wall time and its own peak memory (wait4 on exactly this child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr:
        proc.stderr.close()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, stderr)


def environment(work: Path) -> dict[str, str]:
    """The clerk's environment: this checkout, .pyc files kept (in ``work``), caches in ``work``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["JIANBAO_CACHE_DIR"] = str(work / "cache")
    return env


def build_cmd(files: list[Path], out: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", *map(str, files), "-o", str(out), *extra]


def bigger_issue(folder: Path, factor: int = 10) -> Path:
    """The sample with its sections repeated ``factor`` times: the same kind of text, ~10x the pages."""
    text = SAMPLE.read_text(encoding="utf-8")
    head, sections = text.split("\nsections:\n", 1)
    tail = ""
    m = re.search(r"^(?=\S)", sections, flags=re.M)  # top-level keys after the sections (distribution…)
    if m:
        sections, tail = sections[: m.start()], sections[m.start() :]
    path = folder / "bench-10x.yaml"
    path.write_text(head + "\nsections:\n" + sections * factor + tail, encoding="utf-8")
    return path


def pages_of(pdf: Path) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(pdf).pages)
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@dataclass
class Figure:
    wall: float
    walls: list[float]
    cpu: float
    peak_mb: float
    pages: int
    kb: float


def measure(issue: Path, runs: int, env: dict[str, str], work: Path) -> Figure:
    out = work / f"out-{issue.stem}"
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        r = run_process(build_cmd([issue], out), env)
        if r.returncode != 0:
            raise SystemExit(f"build failed for {issue}:\n{r.stderr}")
        walls.append(r.wall)
        cpus.append(r.cpu)
        peaks.append(r.peak_mb)
    pdf = out / f"{issue.stem}.pdf"
    return Figure(statistics.median(walls), walls, statistics.median(cpus), max(peaks), pages_of(pdf), pdf.stat().st_size / 1024)


def has_jobs_option(env: dict[str, str]) -> bool:
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--help"], cwd=ROOT, env=env, capture_output=True, text=True)
    return bool(re.search(r"(^|\s)-j\b|--jobs", run.stdout + run.stderr))


def measure_batch(runs: int, env: dict[str, str], work: Path) -> tuple[float, float, list[str]]:
    folder = work / "batch"
    folder.mkdir(exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8")
    files = []
    for i in range(BATCH):
        f = folder / f"issue-{i:02d}.yaml"
        f.write_text(text, encoding="utf-8")
        files.append(f)
    extra = ("-j", "2") if has_jobs_option(env) else ()
    out = work / "out-batch"
    walls, peaks = [], []
    for _ in range(max(1, runs // 2)):
        shutil.rmtree(out, ignore_errors=True)
        r = run_process(build_cmd(files, out, extra), env)
        if r.returncode != 0:
            raise SystemExit(f"batch build failed:\n{r.stderr[-2000:]}")
        walls.append(r.wall)
        peaks.append(r.peak_mb)
    assert len(list(out.glob("*.pdf"))) == BATCH
    return statistics.median(walls), max(peaks), list(extra)


def mark(value: float, target: float) -> str:
    return "yes" if value <= target else "no"


def table(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("measure", "value", "target", "met")
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(4)]
    lines = [" | ".join(_pad(c, w) for c, w in zip(head, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def profile(env: dict[str, str], big: Path) -> None:
    """Where the time of one build goes: module import times, each stage in-process, then a cProfile."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipeline", "build", str(SAMPLE), "-o", tempfile.mkdtemp()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in run.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and len(m[3]) <= 2:  # top-level imports and their direct children
            rows.append((int(m[2]), m[4]))
    print("\nimport time (cumulative, top-level modules):")
    for us, name in sorted(rows, reverse=True)[:15]:
        print(f"  {us / 1000:7.1f} ms  {name}")
    print("\neach stage, in a fresh process (imports before the first stage; ms):")
    stages = [_stages(env, SAMPLE), _stages(env, big)]
    extra = stages[1]["pages"] - stages[0]["pages"]
    print(f"  {'stage':<16}{'sample':>9}{'10x':>9}{'per extra page':>16}")
    for name in stages[0]:
        if name != "pages":
            a, b = stages[0][name], stages[1][name]
            print(f"  {name:<16}{a:9.1f}{b:9.1f}{(b - a) / extra:16.2f}")
    code = f"""
import cProfile, pstats, sys, tempfile
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from pipeline.typeset import build
out = Path(tempfile.mkdtemp())
prof = cProfile.Profile()
prof.enable()
build(Path({str(SAMPLE)!r}), out)
prof.disable()
pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
"""
    print("\ncProfile of one in-process build of the sample (first build in the process):")
    print(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True).stdout)


_STAGES = """
import gc, json, sys, time
from pathlib import Path
gc.disable()  # as the command line does
marks = [("start", time.perf_counter())]
import pikepdf, reportlab.pdfgen.canvas, yaml
from pipeline.typeset import document_info, resolve_layout_path
from pipeline.compose.folio import folio_composer
from pipeline.compose.flow import assemble
from pipeline.render.pdf.draw import draw
from pipeline.fonts.roles import FontSet, check_coverage
from pipeline.source.issue import load_issue
from pipeline.layout.templates import load_layout
from pipeline.paginate.pages import paginate
from pipeline.render.pdf.finish import FinishOptions, finish
marks.append(("imports", time.perf_counter()))
path = Path(sys.argv[1])
issue = load_issue(path); marks.append(("load issue", time.perf_counter()))
layout = load_layout(resolve_layout_path(path, None, issue.layout)); marks.append(("load layout", time.perf_counter()))
fonts = FontSet(layout); check_coverage(issue, layout, fonts); marks.append(("fonts, coverage", time.perf_counter()))
composed = assemble(issue, layout, fonts); marks.append(("assemble", time.perf_counter()))
pages = paginate(composed, layout, folio_composer(layout, fonts)); marks.append(("paginate", time.perf_counter()))
raw = draw(pages, layout); marks.append(("draw", time.perf_counter()))
finish(raw, document_info(issue), FinishOptions()); marks.append(("finish", time.perf_counter()))
out = {b[0]: (b[1] - a[1]) * 1000 for a, b in zip(marks, marks[1:])}
print(json.dumps({**out, "pages": len(pages)}))
"""


def _stages(env: dict[str, str], issue: Path) -> dict[str, float]:
    """Milliseconds per stage (median of three fresh processes), and the page count."""
    runs = []
    for _ in range(3):
        run = subprocess.run([sys.executable, "-c", _STAGES, str(issue)], cwd=ROOT, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"stage timing failed:\n{run.stderr[-2000:]}")
        runs.append(json.loads(run.stdout))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="runs per figure (median is reported)")
    ap.add_argument("--profile", action="store_true", help="also print import times, stage times and a cProfile")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    ap.add_argument("--no-batch", action="store_true", help="skip the 50-issue batch")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="jianbao-bench-") as tmp:
        work = Path(tmp)
        env = environment(work)
        big = bigger_issue(work)
        # one untimed run first: compiles .pyc files and fills the caches, as a clerk's first build does
        run_process(build_cmd([SAMPLE], work / "warm"), env)
        sample = measure(SAMPLE, args.runs, env, work)
        cold = measure(SAMPLE, args.runs, {**env, "JIANBAO_CACHE_DIR": ""}, work)
        large = measure(big, args.runs, env, work)
        batch = None if args.no_batch else measure_batch(args.runs, env, work)
        report(args, sample, cold, large, batch, _has_libyaml(env))
        if args.profile:
            profile(env, big)


def report(
    args: argparse.Namespace,
    sample: Figure,
    cold: Figure,
    large: Figure,
    batch: tuple[float, float, list[str]] | None,
    libyaml: bool,
) -> None:
    per_page_ms = (large.wall - sample.wall) / max(1, large.pages - sample.pages) * 1000
    per_page_cpu_ms = (large.cpu - sample.cpu) / max(1, large.pages - sample.pages) * 1000
    t = TARGETS
    rows = [
        ("sample: wall time", f"{sample.wall:.3f} s", f"≤ {t['sample_wall']} s", mark(sample.wall, t["sample_wall"])),
        ("sample: CPU time (user + sys)", f"{sample.cpu:.3f} s", "", ""),
        ("sample, caches off: wall time", f"{cold.wall:.3f} s", "", ""),
        ("sample: pages", f"{sample.pages}", "", ""),
        ("10x issue: wall time", f"{large.wall:.3f} s", "", ""),
        ("10x issue: CPU time", f"{large.cpu:.3f} s", "", ""),
        ("10x issue: pages", f"{large.pages}", "", ""),
        ("cost per extra page", f"{per_page_ms:.1f} ms", f"≤ {t['per_page_ms']:g} ms", mark(per_page_ms, t["per_page_ms"])),
        ("cost per extra page, CPU time", f"{per_page_cpu_ms:.1f} ms", "", ""),
        ("sample: peak memory", f"{sample.peak_mb:.0f} MB", f"≤ {t['peak_mb']:g} MB", mark(sample.peak_mb, t["peak_mb"])),
        ("sample, caches off: peak memory", f"{cold.peak_mb:.0f} MB", f"≤ {t['peak_mb']:g} MB", mark(cold.peak_mb, t["peak_mb"])),
        ("10x issue: peak memory", f"{large.peak_mb:.0f} MB", f"≤ {t['peak_mb']:g} MB", mark(large.peak_mb, t["peak_mb"])),
        ("sample: PDF size", f"{sample.kb:.0f} KB", f"≤ {t['sample_kb']:g} KB", mark(sample.kb, t["sample_kb"])),
        ("10x issue: PDF size", f"{large.kb:.0f} KB", "", ""),
    ]
    if batch is not None:
        wall, peak, extra = batch
        label = f"batch: {BATCH} issues, one call{' ' + ' '.join(extra) if extra else ' (no -j)'}"
        rows.append((label, f"{wall:.2f} s", f"≤ {TARGETS['batch_s']:g} s", mark(wall, TARGETS["batch_s"])))
        rows.append(("batch: issues per second", f"{BATCH / wall:.1f}", "", ""))
        rows.append(("batch: peak memory (largest process)", f"{peak:.0f} MB", "", ""))

    print(
        f"jianbao benchmark · Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"libyaml {'yes' if libyaml else 'no'} · median of {args.runs} runs (fresh process each; warm: "
        f".pyc files and caches filled) · load average {os.getloadavg()[0]:.1f}"
    )
    print(f"sample walls: {', '.join(f'{w:.3f}' for w in sample.walls)} s")
    print(table(rows))
    if args.json:
        data = {"sample": asdict(sample), "cold": asdict(cold), "large": asdict(large), "per_page_ms": per_page_ms}
        if batch is not None:
            data["batch"] = {"wall": batch[0], "peak_mb": batch[1], "options": batch[2]}
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _has_libyaml(env: dict[str, str]) -> bool:
    run = subprocess.run([sys.executable, "-c", "import yaml; print(yaml.__with_libyaml__)"], env=env, capture_output=True)
    return run.stdout.strip() == b"True"


if __name__ == "__main__":
    main()
