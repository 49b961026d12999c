"""Photos and tables → flow items of whole grid lines (the composition stage's part for them).

A photo with its caption becomes one ``Figure``; a table becomes one ``Figure`` per row, the header
row kept with the next row and named by every later row as the one to repeat when that row opens a
page. Everything inside a figure is placed relative to the figure: x from the text block's left
edge, y down from the figure's top. The paginator only puts the figure on a grid line, never splits
it, and the drawing stage embeds photo files unchanged.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import safeio
from pipeline.compose.lines import CharStyle, Glyph, Line, Measure, Metrics, make_atoms, make_clusters
from pipeline.compose.paragraph import between_words, compose_paragraph
from pipeline.compose.words import word_ends
from pipeline.errors import ERROR, WARNING, JianbaoError, Location, Problem, os_reason
from pipeline.layout.templates import Layout, Style
from pipeline.source.model import Image, Issue, Table

FORMATS = ("JPEG", "PNG", "MPO")  # MPO: a camera's JPEG with a second picture appended (its first is printed)
EXIF_ORIENTATION = 0x0112
FORMAT_HINT = "请用图片软件把它另存为 JPEG（照片）或 PNG（图表、截图）"
MIN_VISIBLE_MM = 2.0  # a photo printed thinner than this is a sliver nobody sees
MAX_IMAGE_BYTES = 200_000_000  # a picture file larger than this is not a photo for a bulletin
DAMAGED_HINT = "文件可能已损坏或没有下载完整，请重新导出或换一张图片"
EPS = 1e-6


# ------------------------------------------------------------------------------------------- flow items
@dataclass(frozen=True)
class FigureText:
    """A text line of a figure: ``x`` of its left edge, ``baseline`` down from the figure's top."""

    line: Line
    x: float
    baseline: float
    grid: int = -1  # the figure's own grid line the text sits on, -1 when it is off the grid


@dataclass(frozen=True)
class FigureRule:
    """A straight rule from (x0, y0) to (x1, y1), y down from the figure's top."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    colour: str


@dataclass(frozen=True)
class FigureImage:
    """A photo file drawn in a box: ``x`` and ``top`` of the box, its displayed size in points."""

    path: str
    x: float
    top: float
    width: float
    height: float
    orientation: int = 1  # EXIF orientation 1-8, applied by the drawing transform (the file stays unchanged)
    mask: bool = False  # keep the PNG's transparency


@dataclass(frozen=True)
class Figure:
    """A block of whole grid lines that is never split across pages: a photo and caption, or a table row."""

    grid_lines: int
    texts: tuple[FigureText, ...] = ()
    rules: tuple[FigureRule, ...] = ()
    images: tuple[FigureImage, ...] = ()
    kind: str = "photo"  # photo | table_header | table_row
    keep_with_next: bool = False
    repeat: Figure | None = None  # the header row to print again above this row when it opens a page
    para: int = -1  # not part of a paragraph (widow control ignores it)


# ------------------------------------------------------------------------------------------- image files
@dataclass(frozen=True)
class ImageInfo:
    """What the pipeline needs to know about a photo file; sizes in pixels as the photo is displayed."""

    format: str  # JPEG | PNG
    width: int
    height: int
    orientation: int = 1
    alpha: bool = False


def _probe(path: str, name: str, where: Location) -> ImageInfo:
    """Format, size, EXIF orientation and transparency of a picture file, decoding it to find damage."""
    from PIL import Image as PILImage  # Pillow is loaded only for an issue with photos

    data = safeio.read_bytes(path, MAX_IMAGE_BYTES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)  # large but below the error limit
        with PILImage.open(io.BytesIO(data)) as im:
            fmt = "JPEG" if im.format == "MPO" else im.format or "?"
            if fmt not in FORMATS:
                raise JianbaoError(f"图片 {name} 是 {fmt} 格式，只支持 JPEG 和 PNG", where, FORMAT_HINT)
            orientation = im.getexif().get(EXIF_ORIENTATION, 1)
            width, height = im.size
            alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
            if fmt == "JPEG":  # decoding at 1/8 scale is quick and still finds a damaged file
                im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
            im.load()
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    if orientation >= 5:  # turned by a quarter: the displayed photo is the other way round
        width, height = height, width
    return ImageInfo(fmt, width, height, orientation, alpha)


def read_image(image: Image) -> ImageInfo:
    """Open the photo file, check that it is a readable JPEG or PNG; raise a JianbaoError naming file:line."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    name = Path(image.path).name
    try:
        return _probe(image.path, name, image.where)
    except FileNotFoundError:
        raise JianbaoError(f"找不到图片文件 {name}", image.where, "请检查路径和文件名（路径相对于期刊文件）") from None
    except UnidentifiedImageError:
        raise JianbaoError(f"无法识别图片文件 {name}：不是 JPEG 或 PNG 图片", image.where, FORMAT_HINT) from None
    except PILImage.DecompressionBombError:
        raise JianbaoError(f"图片 {name} 像素过多，拒绝处理", image.where, "请先把图片缩小（长边几千像素足够印刷）") from None
    except OSError as exc:
        if exc.errno is not None:  # the system's refusal (permission, a FIFO, a loop…), not damage Pillow found
            raise JianbaoError(f"无法读取图片文件 {name}：{os_reason(exc)}", image.where) from None
        raise JianbaoError(f"无法读取图片文件 {name}", image.where, DAMAGED_HINT) from None
    except (SyntaxError, ValueError, EOFError):
        raise JianbaoError(f"无法读取图片文件 {name}", image.where, DAMAGED_HINT) from None


def _dpi_problem(image: Image, info: ImageInfo, width: float, layout: Layout) -> Problem | None:
    dpi = info.width / (width / 72)
    least = layout.photos.min_dpi
    if dpi >= least - EPS:
        return None
    name = Path(image.path).name
    mm = width / 72 * 25.4
    most = min(100, int(info.width / least * 72 / layout.page.block_width * 100))
    hint = f"请换用更清晰的原图（此宽度下至少 {math.ceil(width / 72 * least)} 像素宽）"
    hint += f"，或把宽度改为 {most}% 以下" if most >= 1 else ""
    size = f"{info.width}×{info.height} 像素"
    message = f"图片 {name}（{size}）印出宽 {mm:.0f} 毫米，只有 {dpi:.0f} dpi，低于 {least:.0f} dpi，印出来会发虚"
    return Problem(image.where, WARNING, message, hint)


def _sliver_problem(image: Image, info: ImageInfo, width: float, height: float) -> Problem | None:
    """A warning for a photo printed so thin (a 1×60000 picture) that it can hardly be seen."""
    side, size = min(("宽", width), ("高", height), key=lambda s: s[1])
    mm = size / 72 * 25.4
    if mm >= MIN_VISIBLE_MM:
        return None
    name = Path(image.path).name
    message = f"图片 {name}（{info.width}×{info.height} 像素）印出只有 {mm:.1f} 毫米{side}，几乎看不见"
    return Problem(image.where, WARNING, message, "图片过于细长：请检查是否选错了文件，或把图片裁剪成常见的长宽比例")


def _blocks(issue: Issue) -> Iterator[Image | Table]:
    for sec in issue.sections:
        for art in sec.articles:
            for block in art.blocks:
                if isinstance(block, Image | Table):
                    yield block


def check_images(issue: Issue, layout: Layout) -> list[Problem]:
    """Every photo of the issue read and checked, without typesetting: unreadable files and low resolution."""
    problems: list[Problem] = []
    for block in _blocks(issue):
        if not isinstance(block, Image):
            continue
        try:
            info = read_image(block)
        except JianbaoError as exc:
            problems.append(Problem(exc.where or block.where, ERROR, exc.message, exc.hint))
            continue
        width, height = photo_size(info, block.width, layout, 0.0)
        problems += [p for p in (_sliver_problem(block, info, width, height), _dpi_problem(block, info, width, layout)) if p]
    return problems


def photo_size(info: ImageInfo, fraction: float, layout: Layout, caption_height: float) -> tuple[float, float]:
    """(width, height) of the photo in points: ``fraction`` of the block width, scaled down when photo
    and caption (``caption_height`` with its gap) would not fit on one page."""
    width = layout.page.block_width * fraction
    height = width * info.height / info.width
    room = layout.grid.lines_per_page * layout.line_pitch - 2 * layout.photos.padding - caption_height
    if height > room:
        height = max(1.0, room)
        width = height * info.width / info.height
    return width, height


# ------------------------------------------------------------------------------------------- composer
class FigureComposer:
    """Composes photos and tables for ``assemble``; the warnings it finds are kept in ``warnings``."""

    def __init__(self, layout: Layout, metrics: Metrics):
        self.layout = layout
        self.metrics = metrics
        self.warnings: list[Problem] = []
        self.tables = 0  # tables numbered so far (表1, 表2 …)

    def compose(self, block: Image | Table) -> list[Figure]:
        return [self.photo(block)] if isinstance(block, Image) else self.table(block)

    # ------------------------------------------------------------------ helpers
    def baseline(self, top: float, band: float, size: float) -> float:
        """The baseline of ``size`` text centred in a band of height ``band`` starting at ``top``."""
        return top + (band - size) / 2 + self.layout.grid.em_ascent * size

    def extent(self, glyphs: list[Glyph]) -> float:
        """Right end of a composed line (its last glyph's advance included)."""
        if not glyphs:
            return 0.0
        g = glyphs[-1]
        return g.x + (g.advance or self.metrics.advance(g.font, g.ch) * g.size)

    def measure(self, cells: int, style: Style, justify: bool = True) -> Measure:
        g = self.layout.grid
        return Measure(
            cells=max(1, cells),
            pitch=style.size,
            style="book",  # a cell's or caption's lines are not on the page grid: marks at their edges are set half
            hang=False,  # nothing may stick out of a cell or past the photo
            strict=g.strict,
            cjk_latin_gap=g.cjk_latin_gap,
            justify=justify,
        )

    def lines(self, text: str, style: Style, m: Measure, where: Location, words: bool = False) -> list[list[Glyph]]:
        """``text`` broken into lines of ``m``; with ``words``, only between words (header cells)."""
        st = CharStyle(style.font, style.size, style.colour, style.fake_bold)
        ends = word_ends(text) if words else None
        try:
            return compose_paragraph([(ch, st) for ch in text], m, self.metrics, ends)
        except JianbaoError as exc:
            if exc.where is None:
                raise JianbaoError(exc.message, where, exc.hint) from None
            raise

    # ------------------------------------------------------------------ photos
    def photo(self, image: Image) -> Figure:
        """The photo and its caption in whole grid lines: the caption close under the photo, the spare
        space shared above the photo and below the caption (so the caption is nearer its photo than
        the text)."""
        lay, ph = self.layout, self.layout.photos
        info = read_image(image)
        style = lay.style("caption")
        bw, lp = lay.page.block_width, lay.line_pitch
        captions = self.caption(image, style) if image.caption else []
        leading = ph.caption_leading * style.size
        caption_height = ph.caption_gap + (len(captions) - 1) * leading + style.size if captions else 0.0
        width, height = photo_size(info, image.width, lay, caption_height)
        for problem in (_sliver_problem(image, info, width, height), _dpi_problem(image, info, width, lay)):
            if problem:
                self.warnings.append(problem)
        content = height + caption_height
        lines = max(1, math.ceil((content + 2 * ph.padding) / lp - EPS))
        top = (lines * lp - content) / 2
        x = (bw - width) / 2
        picture = FigureImage(image.path, x, top, width, height, info.orientation, info.alpha and info.format == "PNG")
        texts = []
        first = top + height + ph.caption_gap + lay.grid.em_ascent * style.size
        for k, glyphs in enumerate(captions):
            dx = (bw - self.extent(glyphs)) / 2 if ph.caption_align == "centre" else x
            line = Line(tuple(glyphs), kind="caption", size=style.size)
            texts.append(FigureText(line, dx, first + k * leading))
        return Figure(lines, tuple(texts), (), (picture,), kind="photo")

    def caption(self, image: Image, style: Style) -> list[list[Glyph]]:
        """The caption's lines at the block width; several lines are balanced (as even as they go)."""
        full = int(self.layout.page.block_width / style.size + EPS)
        lines = self.lines(image.caption, style, self.measure(full, style), image.where)
        if len(lines) > 1:
            need = sum(self.atom_cells(image.caption, style))
            for cells in range(math.ceil(need / len(lines)), full):
                trial = self.lines(image.caption, style, self.measure(cells, style), image.where)
                if len(trial) == len(lines):
                    return trial
        return lines

    # ------------------------------------------------------------------ tables
    def atom_cells(self, text: str, style: Style, words: bool = False) -> list[int]:
        """Widths, in cells of the style's size, of the unbreakable pieces of ``text`` (whole words with ``words``)."""
        st = CharStyle(style.font, style.size)
        clusters = make_clusters([(ch, st) for ch in text], self.metrics)
        atoms = make_atoms(clusters, self.layout.grid.strict)
        ends = word_ends(text) if words else None
        if ends is not None and sum(len(c.chars) for c in clusters) == len(text):
            atoms = between_words(atoms, ends)
        return [sum(0 if c.space else c.cells(style.size) for c in a) for a in atoms]

    def column_widths(self, table: Table, styles: list[Style]) -> list[float]:
        """Given fractions of the block width, or widths from the content: each column gets at least its
        longest unbreakable piece and, room permitting, its longest cell on one line."""
        bw = self.layout.page.block_width
        if table.widths:
            return [bw * f for f in table.widths]
        ncols = len(table.rows[0])
        pad = 2 * self.layout.tables.inset
        least = [pad + styles[0].size] * ncols
        most = list(least)
        for row, style in zip(table.rows, styles, strict=True):
            for c, text in enumerate(row):
                pieces = self.atom_cells(text, style, words=style is styles[0] and table.header)
                if pieces:
                    least[c] = max(least[c], pad + max(pieces) * style.size)
                    most[c] = max(most[c], pad + sum(pieces) * style.size)
        if sum(most) <= bw:  # every cell fits on one line: share out the rest evenly
            return [w + (bw - sum(most)) / ncols for w in most]
        if sum(least) <= bw:
            spare = sum(most) - sum(least)
            return [lo + (bw - sum(least)) * (hi - lo) / spare for lo, hi in zip(least, most, strict=True)]
        return [w * bw / sum(least) for w in least]

    def table(self, table: Table) -> list[Figure]:
        """The table's title (表N and its caption), then one figure per row; a later row that opens a page
        brings the header back under 续表N."""
        lay, t = self.layout, self.layout.tables
        bw, lp = lay.page.block_width, lay.line_pitch
        self.tables += 1
        n = len(table.rows)
        styles = [lay.style("table_header" if table.header and r == 0 else "table") for r in range(n)]
        widths = self.column_widths(table, styles)
        edges = [0.0]
        for w in widths:
            edges.append(edges[-1] + w)
        edges[-1] = bw
        number = t.number.format(n=self.tables)
        title = f"{number}\u3000{table.caption}" if table.caption else number
        figures: list[Figure] = [self.title_figure(title, table.where)]
        header: Figure | None = None
        for r, (row, style) in enumerate(zip(table.rows, styles, strict=True)):
            is_header = table.header and r == 0
            line_no = (table.where.line or 0) + r + (1 if table.header and r else 0)
            where = Location(table.where.file, line_no or None, table.where.column, table.where.field)
            cells = []
            for c, text in enumerate(row):
                inner = widths[c] - 2 * t.inset
                m = self.measure(int(inner / style.size + EPS), style, justify=not is_header)
                cells.append((m, self.lines(text, style, m, where, words=is_header)))
            count = max(1, *(len(lines) for _, lines in cells))
            grid_lines = max(1, math.ceil((count * t.leading + 2 * t.padding) / lp - EPS))
            height = grid_lines * lp
            room = lay.grid.lines_per_page - 1 - (header.grid_lines if header else 0)
            if grid_lines > room:
                raise JianbaoError(f"表格第 {r + 1} 行太高，一页放不下", where, "请缩短这一行的文字，或把它拆成几行")
            texts = []
            for c, (m, lines) in enumerate(cells):
                top = (height - len(lines) * t.leading) / 2
                for k, glyphs in enumerate(lines):
                    if len(lines) == 1 or is_header:  # header lines and one-line cells are centred
                        x = edges[c] + (widths[c] - self.extent(glyphs)) / 2
                    else:  # wrapped text fills the cell's measure, centred in the cell
                        x = edges[c] + (widths[c] - m.cells * m.pitch) / 2
                    line = Line(tuple(glyphs), kind="table", size=style.size)
                    texts.append(FigureText(line, x, self.baseline(top + k * t.leading, t.leading, style.size)))
            fig = Figure(
                grid_lines,
                tuple(texts),
                self.row_rules(edges, height, first=r == 0, last=r == n - 1),
                kind="table_header" if is_header else "table_row",
                keep_with_next=is_header or r == 0,
                repeat=None if is_header else header,
            )
            if is_header and t.repeat_header:
                header = self.continued(fig, t.continued.format(n=self.tables), table.where)
            figures.append(fig)
        return figures

    def title_figure(self, text: str, where: Location) -> Figure:
        """One grid line with ``text`` centred in the table title style, kept with what follows."""
        style = self.layout.style("table_title")
        m = self.measure(int(self.layout.page.block_width / style.size + EPS), style, justify=False)
        lp = self.layout.line_pitch
        texts = []
        lines = self.lines(text, style, m, where)
        for k, glyphs in enumerate(lines):
            x = (self.layout.page.block_width - self.extent(glyphs)) / 2
            line = Line(tuple(glyphs), kind="table_title", size=style.size)
            texts.append(FigureText(line, x, self.baseline(k * lp, lp, style.size)))
        return Figure(max(1, len(lines)), tuple(texts), kind="table_title", keep_with_next=True)

    def continued(self, header: Figure, label: str, where: Location) -> Figure:
        """The header row under a 续表N line, for the top of a page the table continues on."""
        title = self.title_figure(label, where)
        down = title.grid_lines * self.layout.line_pitch
        texts = [*title.texts, *(FigureText(t.line, t.x, t.baseline + down, t.grid) for t in header.texts)]
        rules = [FigureRule(r.x0, r.y0 + down, r.x1, r.y1 + down, r.width, r.colour) for r in header.rules]
        return Figure(header.grid_lines + title.grid_lines, tuple(texts), tuple(rules), kind="table_header")

    def row_rules(self, edges: list[float], height: float, first: bool, last: bool) -> tuple[FigureRule, ...]:
        """The row's rules: frame-weight at the table's outside, inner weight inside; all within the block."""
        t = self.layout.tables
        colour = t.rule_colour
        right = edges[-1]
        rules = [
            FigureRule(0.0, 0.0, right, 0.0, t.frame if first else t.rule, colour),
            FigureRule(0.0, height, right, height, t.frame if last else t.rule, colour),
        ]
        if t.vertical_rules:
            rules.append(FigureRule(t.frame / 2, 0.0, t.frame / 2, height, t.frame, colour))
            rules.append(FigureRule(right - t.frame / 2, 0.0, right - t.frame / 2, height, t.frame, colour))
            rules += [FigureRule(x, 0.0, x, height, t.rule, colour) for x in edges[1:-1]]
        return tuple(rules)
