"""Where the built-in fonts and layouts are: beside the package when installed, or in the checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    return _HERE / name


def builtin_fonts_dir() -> Path:
    return _find("fonts")


def builtin_layouts_dir() -> Path:
    return _find("layouts")
