"""The issue as frozen dataclasses: content only, no geometry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.errors import Location


@dataclass(frozen=True)
class Run:
    """A stretch of paragraph text with one emphasis (bold run-in heads are ``bold``)."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: runs of text plus where it came from (for error messages)."""

    runs: tuple[Run, ...]
    where: Location
    heading: int = 0  # 0 = body text; 1..4 = 一、 / （一） / 1. / （1） heading levels

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Image:
    """A photo in an article body: ``![caption](path 80%)``."""

    path: str  # absolute, already confined to the issue's folder
    caption: str
    width: float  # fraction of the measure, 0 < width <= 1
    where: Location


@dataclass(frozen=True)
class Table:
    """A simple table: rows of cell texts, optional header row and relative column widths."""

    rows: tuple[tuple[str, ...], ...]
    header: bool
    widths: tuple[float, ...] | None
    where: Location
    caption: str = ""  # printed after the table's number: 表1　caption


Block = Paragraph | Image | Table


@dataclass(frozen=True)
class Article:
    title: str
    blocks: tuple[Block, ...]
    where: Location
    brief: bool = False
    source: str | None = None
    note: str | None = None  # 编者按


@dataclass(frozen=True)
class Section:
    name: str
    articles: tuple[Article, ...]
    where: Location


@dataclass(frozen=True)
class Issue:
    bulletin: str
    number: str
    issuer: str
    date: dt.date
    sections: tuple[Section, ...]
    source_path: str
    title: str | None = "简报"
    total: str | None = None
    mark: str | None = None
    toc: bool = True
    layout: str | None = None
    distribution: tuple[tuple[str, str], ...] = ()
    copies: int | None = None
    keywords: tuple[str, ...] = field(default=())
    classification: str | None = None  # 密级 (archive metadata): 公开, 内部, 秘密, 机密, 绝密
    retention: str | None = None  # 保管期限 (archive metadata): 永久, 长期, 短期, 30年, 10年
    where: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)
