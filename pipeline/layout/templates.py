"""The page template as frozen dataclasses, loaded from ``layouts/*.yaml`` with every length resolved.

Each option is declared once here with its type and default; the YAML files only change values.
A layout may ``extends:`` another one (by name or path) and override any subset of keys.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import safeio
from pipeline.errors import JianbaoError, Location, os_reason
from pipeline.resources import builtin_layouts_dir
from pipeline.units import to_points

MAX_LAYOUT_BYTES = 1_000_000  # a layout is a page of settings
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: the same values, faster

Length = typing.NewType("Length", float)  # written as "37mm", "16pt", "三号"; stored in points
CELL = Length(-1.0)  # a style size written as "cell": the body grid's character pitch


@dataclass(frozen=True)
class Page:
    width: Length = Length(595.2756)
    height: Length = Length(841.8898)
    top: Length = Length(104.88)  # 天头, from the page top to the text block
    inner: Length = Length(79.37)  # 订口, the binding-side margin
    block_width: Length = Length(442.2)
    block_height: Length = Length(637.8)
    mirror: bool = False  # duplex: 订口 on the inside of even pages too


@dataclass(frozen=True)
class Grid:
    chars_per_line: int = 28
    lines_per_page: int = 22
    style: str = "grid"  # "grid": every mark a full cell; "book": CLREQ compression
    hang: bool = True  # one 、，。 may hang past the right edge
    strict: bool = False  # strict line-start level: —— and …… never start a line
    indent: int = 2  # first-line indent in cells
    cjk_latin_gap: float = 0.25  # cells between Han and Latin/digits (book style)
    em_ascent: float = 0.88  # ideographic em box: part above the baseline
    widow_lines: int = 2  # lines of a paragraph kept together at a page break
    max_foot_gap: int = 3  # body lines a page (not the last) may leave empty at its foot


@dataclass(frozen=True)
class Colour:
    cmyk: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 100.0)  # percent
    spot: str | None = None  # a named separation (spot colour) printed with this CMYK fallback


@dataclass(frozen=True)
class Style:
    font: str = "fangsong"  # a role name from fonts.roles
    size: Length = Length(16.0)
    colour: str = "black"
    fake_bold: float = 0.0  # stroke width in em added around the glyphs (bold without a bold face)
    letter_spacing: float = 0.0  # em between characters (masthead)


@dataclass(frozen=True)
class Fonts:
    dir: str | None = None  # extra folder for font files, relative to the layout file
    roles: dict[str, str] = field(default_factory=dict)  # role → file name or path
    fallback: tuple[str, ...] = ()  # font files tried in order for characters a role lacks


@dataclass(frozen=True)
class Masthead:
    """Page 1: distances are from the top of the text block to each baseline (or the rule)."""

    mark_baseline: Length = Length(0.0)
    name_baseline: Length = Length(40.0)
    title_baseline: Length = Length(110.0)
    number_baseline: Length = Length(140.0)
    issuer_baseline: Length = Length(164.0)
    rule_offset: Length = Length(11.34)  # rule below the issuer/date baseline
    rule_width: Length = Length(1.2)
    rule_colour: str = "red"
    issuer_indent: float = 0.0  # cells in from the block edges for issuer and date
    issuer_date_gap: float = 2.0  # cells at least between the issuer and the date
    contents_gap_lines: int = 1  # empty grid lines between the rule and the contents


@dataclass(frozen=True)
class Spacing:
    """Vertical space, in grid lines."""

    before_section: int = 1  # before a 栏目 label that is not first on its page
    before_article: int = 1  # before an article title that does not follow its label
    after_title: int = 0  # 1: the text starts one line below the title (GB/T 9704 公文)
    after_note: int = 1  # between a 编者按 and the title it introduces
    title_line_lines: int = 1  # grid lines per title line
    title_leading: float = 1.2  # title line pitch (× the title size): the lines stack from the top of their
    # grid lines, so that the space they spare goes between the title and the text
    title_side: float = 1.0  # cells a title line keeps free at each edge of the block


@dataclass(frozen=True)
class Contents:
    heading: str = ""  # e.g. 本期要目; empty for none
    section_indent: int = 0  # cells
    entry_indent: int = 1  # cells, also for continuation lines
    on_own_page: bool = True  # articles start on the page after the contents


@dataclass(frozen=True)
class Note:
    """编者按: a label in the label style, then the note, set in from both edges of the text block."""

    label: str = "编者按："
    label_style: str = "heading1"
    inset: int = 2  # cells in from each edge (the first line is indented by grid.indent more)


@dataclass(frozen=True)
class Folio:
    template: str = "— {n} —"
    below_block: Length = Length(19.84)  # from the block bottom to the folio's top (7 mm)
    inset: float = 1.0  # cells in from the block edge
    first_page: bool = False  # print a number on page 1 (the masthead page)


@dataclass(frozen=True)
class Tail:
    inset: float = 1.0  # cells in from each side
    outer_rule: Length = Length(1.0)  # 0.35 mm
    inner_rule: Length = Length(0.7)  # 0.25 mm
    line_pitch: Length = Length(24.0)
    rule_colour: str = "black"


@dataclass(frozen=True)
class Photos:
    """Photos in article bodies (``![caption](path)``); they take whole grid lines."""

    padding: Length = Length(4.0)  # least space above the photo and below its caption inside its grid lines
    caption_gap: Length = Length(4.0)  # between the photo and its caption (less than what separates it from the text)
    caption_leading: float = 1.3  # caption line pitch × the caption size
    caption_align: str = "centre"  # centre | left (with the photo's left edge)
    min_dpi: float = 200.0  # warn when a photo would print at a lower resolution


@dataclass(frozen=True)
class Tables:
    """Pipe tables in article bodies; every row takes whole grid lines."""

    rule: Length = Length(0.5)  # inner rules
    frame: Length = Length(1.0)  # outer frame
    rule_colour: str = "black"
    vertical_rules: bool = True
    inset: Length = Length(5.67)  # cell text from the vertical rules (2 mm)
    leading: Length = Length(20.0)  # line pitch of wrapped text inside a cell
    padding: Length = Length(3.0)  # least space above and below the text of a cell
    repeat_header: bool = True  # a table continued on the next page repeats its header row
    number: str = "表{n}"  # the title above each table: 表1, then its caption after an ideographic space
    continued: str = "续表{n}"  # above the repeated header on the next page


@dataclass(frozen=True)
class Layout:
    name: str = "layout"
    page: Page = field(default_factory=Page)
    grid: Grid = field(default_factory=Grid)
    fonts: Fonts = field(default_factory=Fonts)
    colours: dict[str, Colour] = field(default_factory=dict)
    styles: dict[str, Style] = field(default_factory=dict)
    masthead: Masthead = field(default_factory=Masthead)
    spacing: Spacing = field(default_factory=Spacing)
    contents: Contents = field(default_factory=Contents)
    note: Note = field(default_factory=Note)
    folio: Folio = field(default_factory=Folio)
    tail: Tail = field(default_factory=Tail)
    photos: Photos = field(default_factory=Photos)
    tables: Tables = field(default_factory=Tables)
    source_dir: str = "."  # folder of the layout file, for relative font paths
    source_path: str = ""  # the layout file, for messages

    @property
    def pitch(self) -> Length:
        """Character pitch of the body grid (the width of one cell)."""
        return Length(self.page.block_width / self.grid.chars_per_line)

    @property
    def line_pitch(self) -> float:
        return self.page.block_height / self.grid.lines_per_page

    def style(self, name: str) -> Style:
        return self.styles[name]  # every style used is checked when the layout is loaded

    def colour(self, name: str) -> Colour:
        return self.colours[name]


REQUIRED_STYLES = (
    "body",
    "bold",
    "heading1",
    "heading2",
    "heading3",
    "heading4",
    "section",
    "title",
    "source",
    "note",
    "toc_section",
    "toc_entry",
    "folio",
    "tail",
    "mast_name",
    "mast_title",
    "mast_number",
    "mast_issuer",
    "mast_mark",
    "caption",
    "table",
    "table_header",
    "table_title",
)


def _convert(tp: object, value: object, where: str, loc: Location) -> object:
    """Coerce one YAML value to the annotated type, with a Chinese error naming the key."""
    origin = typing.get_origin(tp)
    if tp is Length:
        if value == "cell":
            return CELL
        try:
            return to_points(value)
        except ValueError as exc:
            raise JianbaoError(f"版式项 {where}：{exc}", dataclasses.replace(loc, field=where)) from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise JianbaoError(f"版式项 {where} 应为映射（键: 值）", dataclasses.replace(loc, field=where))
        return _build(tp, value, where, loc)
    if origin is dict:
        _, vt = typing.get_args(tp)
        if not isinstance(value, dict):
            raise JianbaoError(f"版式项 {where} 应为映射（键: 值）", dataclasses.replace(loc, field=where))
        return {str(k): _convert(vt, v, f"{where}.{k}", loc) for k, v in value.items()}
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise JianbaoError(f"版式项 {where} 应为列表", dataclasses.replace(loc, field=where))
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]", loc) for i, v in enumerate(value))
        if len(value) != len(args):
            raise JianbaoError(f"版式项 {where} 应有 {len(args)} 个值", dataclasses.replace(loc, field=where))
        return tuple(_convert(a, v, f"{where}[{i}]", loc) for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(members[0], value, where, loc)
    if tp is bool:
        if not isinstance(value, bool):
            raise JianbaoError(f"版式项 {where} 应为 true 或 false", dataclasses.replace(loc, field=where))
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise JianbaoError(f"版式项 {where} 应为整数", dataclasses.replace(loc, field=where))
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise JianbaoError(f"版式项 {where} 应为数字", dataclasses.replace(loc, field=where))
        return float(value)
    if tp is str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise JianbaoError(f"版式项 {where} 应为文字", dataclasses.replace(loc, field=where))
        return str(value)
    return value


def _build(cls: type, data: dict, where: str, loc: Location) -> object:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(map(str, data)) - names)
    if unknown:
        prefix = f"{where}." if where else ""
        raise JianbaoError(f"未知的版式项：{prefix}{unknown[0]}", loc, f"可用的键：{'、'.join(sorted(names))}")
    kwargs = {k: _convert(hints[k], v, f"{where}.{k}" if where else k, loc) for k, v in data.items()}
    return cls(**kwargs)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def find_layout(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A layout given by name (``jianbao``) or by path (relative to the issue file's folder)."""
    candidates = []
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        p = Path(name_or_path)
        candidates.append(p if p.is_absolute() or relative_to is None else relative_to / p)
        candidates.append(p)
    else:
        if relative_to is not None:
            candidates.append(relative_to / "layouts" / f"{name_or_path}.yaml")
        candidates.append(builtin_layouts_dir() / f"{name_or_path}.yaml")
    for c in candidates:
        problem = safeio.problem(c)
        if problem is None:
            return c
        if c.exists():  # there, but a folder, a FIFO, a device…
            raise JianbaoError(f"无法读取版式文件 {c}：{problem}", None, "请写版式名称或版式文件（.yaml）的路径")
    known = "、".join(sorted(p.stem for p in builtin_layouts_dir().glob("*.yaml")))
    raise JianbaoError(f"找不到版式：{name_or_path}", None, f"内置版式有：{known}；也可以写版式文件的路径")


def _read_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    if path.resolve() in seen:
        raise JianbaoError("版式的 extends 形成了循环", Location(str(path)))
    try:
        data = yaml.load(safeio.read_text(path, MAX_LAYOUT_BYTES), Loader=_LOADER)
    except OSError as exc:
        raise JianbaoError(f"无法读取版式文件：{os_reason(exc)}", Location(str(path))) from None
    except UnicodeDecodeError:
        raise JianbaoError("无法读取版式文件：不是 UTF-8 编码", Location(str(path)), "请用 UTF-8 编码保存") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise JianbaoError("版式文件不是有效的 YAML", Location(str(path), line)) from None
    if not isinstance(data, dict):
        raise JianbaoError("版式文件应为键值映射", Location(str(path)))
    parent = data.pop("extends", None)
    if parent:
        try:
            base_path = find_layout(str(parent), path.parent)
        except JianbaoError as exc:
            raise JianbaoError(exc.message, Location(str(path), field="extends"), exc.hint) from None
        base = _read_raw(base_path, (*seen, path.resolve()))
        data = _merge(base, data)
    return data


def load_layout(path: Path) -> Layout:
    """Read and validate a layout file (following ``extends``); errors point at the key's line."""
    try:
        return _load_layout(path)
    except JianbaoError as exc:
        where = exc.where
        if where is None or where.line is not None or where.file != str(path) or not where.field:
            raise
        line_col = _key_positions(path).get(where.field)
        if line_col is None:
            raise
        raise JianbaoError(exc.message, dataclasses.replace(where, line=line_col[0], column=line_col[1]), exc.hint) from None


def _key_positions(path: Path) -> dict[str, tuple[int, int]]:
    """Dotted key → (line, column) of its value in the layout file (``grid.chars_per_line`` …)."""
    try:
        root = yaml.compose(safeio.read_text(path, MAX_LAYOUT_BYTES), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    found: dict[str, tuple[int, int]] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{prefix}.{key.value}" if prefix else str(key.value)
                found[name] = (value.start_mark.line + 1, value.start_mark.column + 1)
                walk(value, name)

    if root is not None:
        walk(root, "")
    return found


def _load_layout(path: Path) -> Layout:
    raw = _read_raw(path)
    raw["source_dir"] = str(path.parent)
    raw["source_path"] = str(path)
    layout = _build(Layout, raw, "", Location(str(path)))
    assert isinstance(layout, Layout)
    _check_ranges(layout, path)
    styles = {name: dataclasses.replace(st, size=layout.pitch) if st.size == CELL else st for name, st in layout.styles.items()}
    layout = dataclasses.replace(layout, styles=styles)
    missing = [s for s in REQUIRED_STYLES if s not in layout.styles]
    if missing:
        raise JianbaoError(f"版式缺少样式：{'、'.join(missing)}", Location(str(path), field="styles"))
    if layout.grid.style not in ("grid", "book"):
        raise JianbaoError("grid.style 只能是 grid 或 book", Location(str(path), field="grid.style"))
    if layout.note.label_style not in layout.styles:
        raise JianbaoError(f"note.label_style 用了未定义的样式 {layout.note.label_style}", Location(str(path), field="note"))
    if not 0 <= layout.note.inset <= layout.grid.chars_per_line // 3:
        raise JianbaoError("note.inset 太大", Location(str(path), field="note.inset"))
    for name, st in layout.styles.items():
        if st.font not in layout.fonts.roles:
            raise JianbaoError(f"样式 {name} 用了未定义的字体角色 {st.font}", Location(str(path), field=f"styles.{name}"))
        if st.colour not in layout.colours:
            raise JianbaoError(f"样式 {name} 用了未定义的颜色 {st.colour}", Location(str(path), field=f"styles.{name}"))
    for field_name, colour in (
        ("masthead.rule_colour", layout.masthead.rule_colour),
        ("tail.rule_colour", layout.tail.rule_colour),
    ):
        if colour not in layout.colours:
            raise JianbaoError(f"{field_name} 用了未定义的颜色 {colour}", Location(str(path), field=field_name))
    if layout.tables.rule_colour not in layout.colours:
        raise JianbaoError(f"表格线用了未定义的颜色 {layout.tables.rule_colour}", Location(str(path), field="tables.rule_colour"))
    if layout.photos.caption_align not in ("centre", "left"):
        raise JianbaoError("photos.caption_align 只能是 centre 或 left", Location(str(path), field="photos.caption_align"))
    return layout


def _check_ranges(layout: Layout, path: Path) -> None:
    """Values that would make a page impossible: refused with the key that holds them."""
    p, g = layout.page, layout.grid

    def fail(field_name: str, message: str) -> None:
        raise JianbaoError(message, Location(str(path), field=field_name))

    for name in ("width", "height", "block_width", "block_height"):
        if getattr(p, name) <= 0:
            fail(f"page.{name}", f"page.{name} 应大于 0")
    if p.top < 0 or p.inner < 0 or p.inner + p.block_width > p.width + 0.5 or p.top + p.block_height > p.height + 0.5:
        fail("page", "版心超出了纸张（page.top、page.inner 与版心尺寸之和大于纸张）")
    if not 4 <= g.chars_per_line <= 100:
        fail("grid.chars_per_line", "grid.chars_per_line 应在 4 到 100 之间")
    if not 1 <= g.lines_per_page <= 100:
        fail("grid.lines_per_page", "grid.lines_per_page 应在 1 到 100 之间")
    if not 0 <= g.indent <= g.chars_per_line - 2:
        fail("grid.indent", f"grid.indent 应在 0 到 {g.chars_per_line - 2} 之间")
    if g.widow_lines < 1:
        fail("grid.widow_lines", "grid.widow_lines 至少为 1")
    if g.max_foot_gap < 0:
        fail("grid.max_foot_gap", "grid.max_foot_gap 不能小于 0")
    for name, st in layout.styles.items():
        if st.size != CELL and not 1 <= st.size <= 200:
            fail(f"styles.{name}.size", f"样式 {name} 的字号应在 1pt 到 200pt 之间")
    for name, colour in layout.colours.items():
        if not all(0 <= v <= 100 for v in colour.cmyk):
            fail(f"colours.{name}.cmyk", f"颜色 {name} 的 CMYK 值应在 0 到 100 之间（百分数）")
    try:
        layout.folio.template.format(n=1)
    except (KeyError, IndexError, ValueError):
        fail("folio.template", "页码格式只能用 {n} 代表页码，例如“— {n} —”")
