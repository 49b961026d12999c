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

TARGETS = {  # issue 17; the ratios are to Typst's time measured alternately in the same run
    "sample_ratio": 1.5,
    "cold_ratio": 2.0,
    "large_ratio": 1.5,
    "per_page_ms": 2.0,  # ms per extra page
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


def bigger_issue(folder: Path, factor: int) -> Path:
    """The sample with its sections repeated ``factor`` times: the same kind of text, ~10x the pages."""
    text = SAMPLE.read_text(encoding="utf-8")
    head, sections = text.split("\nsections:\n", 1)
    tail = ""
    m = re.search(r"^(?=\S)", sections, flags=re.M)  # top-level keys after the sections (distribution…)
    if m:
        sections, tail = sections[: m.start()], sections[m.start() :]
    (folder / f"{factor}x").mkdir(exist_ok=True)  # a folder each: two files with one 期号 side by side is a warning
    path = folder / f"{factor}x" / f"bench-{factor}x.yaml"
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


def measure(issue: Path, runs: int, env: dict[str, str], work: Path, typst: bool = False) -> tuple[Figure, Figure | None]:
    """jianbao on ``issue`` and, with ``typst``, Typst on the same content, run alternately."""
    out = work / f"out-{issue.stem}"
    pdf = out / f"{issue.stem}.pdf"
    ours: list[Run] = []
    theirs: list[Run] = []
    typ = write_typst(issue, work / f"{issue.stem}.typ") if typst else None
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        ours.append(_checked(run_process(build_cmd([issue], out), env), issue))
        if typ is not None:
            theirs.append(_checked(run_process(typst_cmd(typ), env), typ))
    return _figure(ours, pdf), (_figure(theirs, typ.with_suffix(".pdf")) if typ is not None else None)


def _checked(run: Run, source: Path) -> Run:
    if run.returncode != 0:
        raise SystemExit(f"build failed for {source}:\n{run.stderr[-2000:]}")
    return run


def _figure(runs: list[Run], pdf: Path) -> Figure:
    walls = [r.wall for r in runs]
    cpu = statistics.median(r.cpu for r in runs)
    return Figure(statistics.median(walls), walls, cpu, max(r.peak_mb for r in runs), pages_of(pdf), pdf.stat().st_size / 1024)


def has_typst(env: dict[str, str]) -> bool:
    return subprocess.run([sys.executable, "-c", "import typst"], env=env, capture_output=True).returncode == 0


def write_typst(issue: Path, typ: Path) -> Path:
    """The issue as a Typst document (bench/typst_doc.py), its pictures beside it."""
    from typst_doc import typst_source  # bench/ is on sys.path when this script runs

    from pipeline.source.issue import load_issue

    typ.write_text(typst_source(load_issue(issue)), encoding="utf-8")
    return typ


def typst_cmd(typ: Path) -> list[str]:
    """Typst through its Python binding (the PyPI ``typst`` package): a Python start plus the compiler."""
    code = (
        "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]],"
        " ignore_system_fonts=True, root='/')"
    )
    return [sys.executable, "-c", code, str(typ), str(typ.with_suffix(".pdf")), str(ROOT / "fonts")]


def floor(runs: int, env: dict[str, str]) -> float:
    """Wall time of ``python -c pass``: what any Python process costs before it does anything."""
    return statistics.median(run_process([sys.executable, "-c", "pass"], env).wall for _ in range(runs))


def has_jobs_option(env: dict[str, str]) -> bool:
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--help"], cwd=ROOT, env=env, capture_output=True, text=True)
    return bool(re.search(r"(^|\s)-j\b|--jobs", run.stdout + run.stderr))


def measure_batch(runs: int, env: dict[str, str], work: Path) -> tuple[float, float, list[str]]:
    folder = work / "batch"
    folder.mkdir(exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8")
    files = []
    for i in range(BATCH):  # each its own 期号 (two files of one number in a folder is a warning)
        f = folder / f"issue-{i:02d}.yaml"
        f.write_text(re.sub(r"^(number|total): *\d+", rf"\g<1>: {i + 1}", text, flags=re.M), encoding="utf-8")
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


def table(rows: list[tuple[str, ...]]) -> str:
    head = ("measure", "jianbao", "Typst", "ratio", "target", "met")
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
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
from pipeline.paginate.finalize import page_model
from pipeline.render.pdf.finish import FinishOptions, finish
from pipeline.render.pdf.writer import reportlab_clock_hidden
marks.append(("imports", time.perf_counter()))
path = Path(sys.argv[1])
issue = load_issue(path); marks.append(("load issue", time.perf_counter()))
layout = load_layout(resolve_layout_path(path, None, issue.layout)); marks.append(("load layout", time.perf_counter()))
fonts = FontSet(layout); check_coverage(issue, layout, fonts); marks.append(("fonts, coverage", time.perf_counter()))
composed = assemble(issue, layout, fonts); marks.append(("compose", time.perf_counter()))
pages = paginate(composed, layout, folio_composer(layout, fonts)); marks.append(("paginate", time.perf_counter()))
document = page_model(pages, layout, fonts, document_info(issue)); marks.append(("page model", time.perf_counter()))
with reportlab_clock_hidden():
    raw = draw(document)
marks.append(("draw", time.perf_counter()))
finish(raw, document.info, FinishOptions()); marks.append(("finish", time.perf_counter()))
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
    ap.add_argument("--no-typst", action="store_true", help="do not time Typst beside jianbao")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="jianbao-bench-") as tmp:
        work = Path(tmp)
        env = environment(work)
        typst = not args.no_typst and has_typst(env)
        ten, fifty = bigger_issue(work, 10), bigger_issue(work, 50)
        # one untimed run first: compiles .pyc files and fills the caches, as a clerk's first build does
        run_process(build_cmd([SAMPLE], work / "warm"), env)
        figures = {
            "sample": measure(SAMPLE, args.runs, env, work, typst),
            "sample, caches off": measure(SAMPLE, args.runs, {**env, "JIANBAO_CACHE_DIR": ""}, work, typst),
            "10x issue": measure(ten, args.runs, env, work, typst),
            "50x issue": measure(fifty, max(3, args.runs // 2), env, work, typst),
        }
        batch = None if args.no_batch else measure_batch(args.runs, env, work)
        report(args, figures, batch, _has_libyaml(env), floor(args.runs, env), typst)
        if args.profile:
            profile(env, ten)


def report(
    args: argparse.Namespace,
    figures: dict[str, tuple[Figure, Figure | None]],
    batch: tuple[float, float, list[str]] | None,
    libyaml: bool,
    python_floor: float,
    typst: bool,
) -> None:
    t = TARGETS
    ratio_targets = {
        "sample": t["sample_ratio"],
        "sample, caches off": t["cold_ratio"],
        "10x issue": t["large_ratio"],
        "50x issue": t["large_ratio"],
    }
    rows = []
    for name, (ours, theirs) in figures.items():
        versus = f"{theirs.wall:.3f} s" if theirs else ""
        ratio = f"{ours.wall / theirs.wall:.1f}×" if theirs else ""
        met = mark(ours.wall / theirs.wall, ratio_targets[name]) if theirs else ""
        rows.append((f"{name} ({ours.pages} pp): wall", f"{ours.wall:.3f} s", versus, ratio, f"≤ {ratio_targets[name]:g}×", met))
        rows.append((f"{name}: CPU (user + sys)", f"{ours.cpu:.3f} s", f"{theirs.cpu:.3f} s" if theirs else "", "", "", ""))
    sample, sample_typst = figures["sample"]
    large, large_typst = figures["50x issue"]
    per_page = (large.wall - sample.wall) / max(1, large.pages - sample.pages) * 1000
    typst_page = (
        (large_typst.wall - sample_typst.wall) / max(1, large_typst.pages - sample_typst.pages) * 1000
        if large_typst and sample_typst
        else None
    )
    rows.append(
        (
            "cost per extra page (sample → 50x)",
            f"{per_page:.2f} ms",
            f"{typst_page:.2f} ms" if typst_page else "",
            "",
            f"≤ {t['per_page_ms']:g} ms",
            mark(per_page, t["per_page_ms"]),
        )
    )
    for name, (ours, theirs) in figures.items():
        if name in ("sample", "50x issue"):
            below = (lambda a, b: mark(a, b)) if theirs else (lambda a, b: "")
            rows.append(
                (
                    f"{name}: peak memory",
                    f"{ours.peak_mb:.0f} MB",
                    f"{theirs.peak_mb:.0f} MB" if theirs else "",
                    "",
                    "below Typst",
                    below(ours.peak_mb, theirs.peak_mb if theirs else 0),
                )
            )
            rows.append(
                (
                    f"{name}: PDF size",
                    f"{ours.kb:.0f} KB",
                    f"{theirs.kb:.0f} KB" if theirs else "",
                    "",
                    "below Typst",
                    below(ours.kb, theirs.kb if theirs else 0),
                )
            )
    if batch is not None:
        wall, peak, extra = batch
        label = f"batch: {BATCH} issues, one call{' ' + ' '.join(extra) if extra else ' (no -j)'}"
        rows.append((label, f"{wall:.2f} s", "", "", f"≤ {t['batch_s']:g} s", mark(wall, t["batch_s"])))
        rows.append(("batch: peak memory (largest process)", f"{peak:.0f} MB", "", "", "", ""))
    rows.append(("floor: python -c pass", f"{python_floor:.3f} s", f"{python_floor:.3f} s" if typst else "", "", "", ""))

    print(
        f"jianbao benchmark · Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"libyaml {'yes' if libyaml else 'no'} · median of {args.runs} runs (fresh process each; warm: "
        f".pyc files and caches filled) · load average {os.getloadavg()[0]:.1f}"
    )
    if typst:
        print("Typst: the PyPI binding (typst.compile in a fresh `python -c`, so its figure includes a Python start),")
        print("       on bench/typst_doc.py's rendering of the same issue with the same fonts; run alternately with jianbao")
    else:
        print("Typst: not installed here (pip install typst), so no comparison")
    print(f"sample walls: {', '.join(f'{w:.3f}' for w in sample.walls)} s")
    print(table(rows))
    if args.json:
        data = {name: {"jianbao": asdict(o), "typst": asdict(t_) if t_ else None} for name, (o, t_) in figures.items()}
        data["per_page_ms"] = per_page  # type: ignore[assignment]
        if batch is not None:
            data["batch"] = {"wall": batch[0], "peak_mb": batch[1], "options": batch[2]}  # type: ignore[assignment]
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _has_libyaml(env: dict[str, str]) -> bool:
    run = subprocess.run([sys.executable, "-c", "import yaml; print(yaml.__with_libyaml__)"], env=env, capture_output=True)
    return run.stdout.strip() == b"True"


if __name__ == "__main__":
    main()
