"""Where the built-in fonts and layouts are: beside the package when installed, or in the checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    """The data folder installed in the package (``pipeline/fontfiles``), or the checkout's (``fonts/``)."""
    for candidate in (_HERE / installed, _HERE.parent / checkout):
        if candidate.is_dir():
            return candidate
    return _HERE / installed


def builtin_fonts_dir() -> Path:
    return _find("fontfiles", "fonts")


def builtin_layouts_dir() -> Path:
    return _find("layouts", "layouts")
