"""The package's shape: each stage imports only earlier stages, no import cycles, reportlab and pikepdf
only in the PDF writer, and no module over 450 lines. Read from the source (every import, also those
inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pipeline"
BASE = {"errors", "units", "cache", "resources", "safeio", "cjk", "atomic"}
STAGES = ["base", "source", "layout", "fonts", "compose", "page", "paginate", "render", "typeset", "cli"]
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return len(STAGES)  # pipeline itself (__init__, __main__): may import anything
    name = parts[1]
    if name in BASE:
        return 0
    if name == "__main__":
        return len(STAGES)
    return STAGES.index(name)


def imports(path: Path) -> set[str]:
    """Every module imported by ``path`` (absolute names)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            if node.module != "pipeline":  # from pipeline import x: x (a module) is what is imported
                found.add(node.module)
            if node.module.startswith("pipeline"):  # from pipeline.x import y: y may be a module
                found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {m: {i for i in imports(p) if i in modules and i != m} for m, p in modules.items()}


def test_each_stage_imports_only_earlier_stages() -> None:
    wrong = [
        f"{m} ({STAGES[min(stage(m), len(STAGES) - 1)]}) imports {i}"
        for m, deps in graph().items()
        for i in deps
        if stage(i) > stage(m)
    ]
    assert not wrong, wrong


def test_there_are_no_import_cycles() -> None:
    deps = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(deps[m]):
            if state.get(d) == 1:
                cycles.append([*path[path.index(d) :], d] if d in path else [m, d])
            elif d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(deps):
        if m not in state:
            visit(m, [m])
    # a package's __init__ re-exporting its own module is not a cycle of the code
    cycles = [c for c in cycles if not (len(c) == 3 and c[0] == c[2] and c[1].startswith(c[0] + "."))]
    assert not cycles, cycles


def test_reportlab_and_pikepdf_are_imported_only_by_the_pdf_writer() -> None:
    outside = [
        f"{module_name(p)} imports {i}"
        for p in PACKAGE.rglob("*.py")
        for i in imports(p)
        if i.split(".")[0] in ("reportlab", "pikepdf") and not module_name(p).startswith("pipeline.render.pdf")
    ]
    assert not outside, outside


def test_no_module_is_over_450_lines() -> None:
    sizes = {module_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    long = {m: n for m, n in sizes.items() if n > MAX_LINES}
    assert not long, long


def test_the_page_model_knows_no_stage() -> None:
    assert not [i for i in imports(PACKAGE / "page.py") if i.startswith("pipeline")]
