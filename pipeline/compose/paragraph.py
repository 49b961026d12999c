"""A paragraph set: its lines broken and each placed (squeezed or spread), its tight setting for the
paginator; and a line at its natural width (titles, masthead).
"""

from __future__ import annotations

from pipeline.compose.breaking import EPS, LineFit, LineModel, _inner, break_lines
from pipeline.compose.lines import CharStyle, Cluster, Glyph, Measure, Metrics, _atom_cells, _fit_atoms, make_atoms, make_clusters


# ------------------------------------------------------------------------------------------- placing
def place_line(lm: LineModel, fit: LineFit, last: bool) -> list[Glyph]:
    """Glyph positions for one line: squeezed when too long, spread evenly when short (not the last)."""
    m = lm.m
    a, b = _inner(lm, fit.a, fit.b - 1 if fit.hang else fit.b)
    trim_l = lm.pair_l[:]  # per cluster of the paragraph; only a..b are read
    trim_r = lm.pair_r[:]
    trim_l[a] = lm.start_trim[a]
    trim_r[b] = lm.end_trim[b] if b > a else 0.0
    gaps = lm.gap
    need = lm.natural(a, b)
    spread = 0.0
    if need > fit.width + EPS:
        excess = need - fit.width
        room = lm.squeezable(a, b)
        share = min(1.0, excess / room) if room > 0 else 0.0
        for k in range(a + 1, b + 1):
            trim_l[k] += lm.sq_l[k] * share
        for k in range(a, b):
            trim_r[k] += lm.sq_r[k] * share
        rest = excess - room * share
        gap_room = lm.gap_room(a, b)
        if rest > EPS and gap_room > 0:
            cut = min(1.0, rest / gap_room) / 2
            gaps = [g * (1 - cut) for g in gaps]
    elif m.justify and not last and b > a:
        spread = (fit.width - need) / (b - a)
    glyphs: list[Glyph] = []
    x = fit.indent
    clusters, widths, cells = lm.clusters, lm.width, lm.cell
    for k in range(a, fit.b + 1):
        c = clusters[k]
        left = trim_l[k]
        if c.wide:
            cell = cells[k]
            if not (c.space and (k == a or k >= b)):
                for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                    gx = x - left + i * cell + (cell - st.size) / 2
                    glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, cell))
        elif not c.space:
            gx = x
            for (ch, st), f, adv in zip(c.chars, c.fonts, c.widths, strict=True):
                glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, adv))
                gx += adv
        if k < b:
            x += widths[k] - left - trim_r[k] + gaps[k] + spread
        elif k == b:
            x += widths[k] - left - trim_r[k]
    return glyphs


def compose_paragraph(
    chars: list[tuple[str, CharStyle]], m: Measure, metrics: Metrics, word_ends: set[int] | None = None
) -> list[list[Glyph]]:
    """Break and place one paragraph; returns the glyphs of each line. With ``word_ends`` (character
    offsets after which a word ends) a line breaks only between words (table headers)."""
    return compose_variants(chars, m, metrics, tight=False, word_ends=word_ends)[0]


def between_words(atoms: list[list[Cluster]], word_ends: set[int]) -> list[list[Cluster]]:
    """Atoms joined where their boundary falls inside a word."""
    out: list[list[Cluster]] = []
    offset = 0
    for atom in atoms:
        if out and offset not in word_ends:
            out[-1] = out[-1] + atom
        else:
            out.append(list(atom))
        offset += sum(len(c.chars) for c in atom)
    return out


TIGHT_PER_LINE = 1000.0


def compose_variants(
    chars: list[tuple[str, CharStyle]], m: Measure, metrics: Metrics, tight: bool = True, word_ends: set[int] | None = None
) -> tuple[list[list[Glyph]], list[list[Glyph]] | None]:
    """The paragraph's best lines, and (with ``tight``) its tight setting: one line fewer, its lines
    squeezed harder, or None when it has none. The paginator may take the tight setting to fill a page."""
    clusters = make_clusters(chars, metrics)
    if not clusters:
        return [], None
    atoms = make_atoms(clusters, m.strict)
    if word_ends is not None and sum(len(c.chars) for c in clusters) == len(chars):  # offsets still hold
        atoms = between_words(atoms, word_ends)
    cap = max(1, m.cells - max(m.indent, m.rest_indent))
    unit = clusters[0].size if m.style == "book" else m.pitch
    lm = LineModel(clusters, m)
    if max(_atom_cells(a, unit) for a in atoms) > cap and _least_atom_width(atoms, lm) > cap * unit + EPS:
        atoms = _fit_atoms(atoms, cap, unit)  # an atom that no squeezing fits on a line is cut
        lm = LineModel([c for a in atoms for c in a], m)
    fits = break_lines(atoms, lm)
    best = [place_line(lm, fit, last=k == len(fits) - 1) for k, fit in enumerate(fits)]
    if not tight or len(fits) < 2 or not _may_tighten(lm, len(fits)):
        return best, None
    fewer = break_lines(atoms, lm, TIGHT_PER_LINE)
    if len(fewer) >= len(fits):
        return best, None
    return best, [place_line(lm, fit, last=k == len(fewer) - 1) for k, fit in enumerate(fewer)]


def _least_atom_width(atoms: list[list[Cluster]], lm: LineModel) -> float:
    """The widest atom alone on a line, its marks squeezed to the full (so 「（人次）」 takes 3 cells in book style)."""
    widest, start = 0.0, 0
    for atom in atoms:
        end = start + len(atom) - 1
        widest = max(widest, lm.natural(start, end) - lm.squeezable(start, end) - lm.gap_room(start, end))
        start = end + 1
    return widest


def _may_tighten(lm: LineModel, lines: int) -> bool:
    """Could the paragraph, squeezed to the full, take one line fewer? (A quick bound before the search.)"""
    n = len(lm.clusters) - 1
    return lm.natural(0, n) - lm.squeezable(0, n) - lm.gap_room(0, n) <= (lines - 1) * lm.m.width - lm.m.indent * lm.cell[0]


def set_natural(
    chars: list[tuple[str, CharStyle]], metrics: Metrics, gap: float, spacing: float = 0.0
) -> tuple[list[Glyph], float]:
    """One line at its natural width from x = 0 (titles, masthead, folios): full-width characters one em,
    runs at their natural width with ``gap`` em beside Han, adjacent marks paired, ``spacing`` em added
    between characters (letter-spaced mastheads). Returns (glyphs, width)."""
    clusters = make_clusters(chars, metrics)
    if not clusters:
        return [], 0.0
    lm = LineModel(clusters, Measure(cells=1, pitch=clusters[0].size, style="book", cjk_latin_gap=gap, justify=False))
    glyphs: list[Glyph] = []
    x = 0.0
    n = len(clusters)
    for k, c in enumerate(clusters):
        left = lm.pair_l[k] if k else 0.0
        right = lm.pair_r[k] if k < n - 1 else 0.0
        if c.wide:
            for i, ((ch, st), f) in enumerate(zip(c.chars, c.fonts, strict=True)):
                if not c.space:
                    gx = x - left + i * (st.size + spacing * st.size)
                    glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, st.size))
        elif not c.space:
            gx = x
            for (ch, st), f, adv in zip(c.chars, c.fonts, c.widths, strict=True):
                glyphs.append(Glyph(ch, gx, f, st.size, st.colour, st.fake_bold, adv))
                gx += adv + spacing * st.size
        size = c.size
        x += lm.width[k] - left - right + spacing * size * len(c.chars)
        if k < n - 1:
            x += lm.gap[k]
    return glyphs, max(0.0, x - spacing * clusters[-1].size)
