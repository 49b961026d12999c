"""The same content as a Typst document, for timing Typst beside jianbao (``bench/run.py --typst``).

Not a second renderer: it sets the issue's text with the same fonts, page size, margins and type sizes,
so that Typst does comparable work (load the fonts, shape and break every paragraph, lay out the pages,
embed subsets). Text goes in as Typst strings, so nothing in it is read as markup.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.source.issue import load_issue
from pipeline.source.model import Image, Issue, Paragraph, Table

HEAD = """#set page(paper: "a4", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  numbering: "— 1 —", number-align: center)
#set text(font: ("FandolFang R", "Noto Serif CJK SC", "HanaMinB"), size: 16pt, lang: "zh", region: "cn")
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 12.1pt, spacing: 12.1pt)
#let red = rgb("#e60012")
"""


def s(text: str) -> str:
    """A Typst string expression holding ``text`` literally."""
    return "#" + json.dumps(text, ensure_ascii=False)


def block(b: Paragraph | Image | Table) -> str:
    if isinstance(b, Paragraph):
        runs = "".join(f"#strong[{s(r.text)}]" if r.bold else s(r.text) for r in b.runs)
        font = {1: "FandolHei", 2: "FandolKai"}.get(b.heading)
        return f"#text(font: {json.dumps(font)})[{runs}]\n\n" if font else runs + "\n\n"
    if isinstance(b, Image):
        return f"#figure(image({json.dumps(b.path)}, width: {b.width * 100:.0f}%), caption: [{s(b.caption)}])\n\n"
    cells = ", ".join(f"[{s(c)}]" for row in b.rows for c in row)
    return f"#table(columns: {len(b.rows[0])}, {cells})\n\n"


def typst_source(issue: Issue) -> str:
    out = [HEAD]
    out.append(f'#align(center, text(font: "Noto Serif CJK SC", weight: "bold", size: 42pt, fill: red)[{s(issue.bulletin)}])\n')
    out.append(f"#align(center)[{s(issue.number)}]\n")
    out.append(f"#grid(columns: (1fr, 1fr), [{s(issue.issuer)}], align(right)[{s(str(issue.date))}])\n")
    out.append("#line(length: 100%, stroke: 2pt + red)\n\n")
    if issue.toc:
        for sec in issue.sections:
            out.append(f'#text(font: "FandolHei")[{s("【" + sec.name + "】")}]\n\n')
            out += [f"#h(2em){s(a.title)}\n\n" for a in sec.articles]
        out.append("#pagebreak()\n")
    for sec in issue.sections:
        out.append(f'#align(center, text(font: "FandolHei")[{s("【" + sec.name + "】")}])\n\n')
        for a in sec.articles:
            out.append(f'#align(center, text(font: "Noto Serif CJK SC", weight: "bold", size: 22pt)[{s(a.title)}])\n\n')
            if a.note:
                out.append(f'#text(font: "FandolKai")[{s("编者按：" + a.note)}]\n\n')
            out += [block(b) for b in a.blocks]
    return "".join(out)


def write_typst(issue_path: Path, out: Path) -> Path:
    out.write_text(typst_source(load_issue(issue_path)), encoding="utf-8")
    return out


if __name__ == "__main__":
    import sys

    print(typst_source(load_issue(Path(sys.argv[1]))), end="")
