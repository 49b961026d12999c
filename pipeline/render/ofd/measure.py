"""Numbers as OFD writes them: millimetres from points, fixed decimals, ST_Array with the ``g`` shorthand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MM_PER_PT = 25.4 / 72
PLACES = 4  # 0.0001 mm: far below the 0.01 mm that positions must keep


def mm(points: float) -> float:
    """A length in points as millimetres, rounded to the places that are written."""
    return round(points * MM_PER_PT, PLACES)


def num(value: float) -> str:
    """A number as written in an attribute: at most four decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.{PLACES}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def array(values: Iterable[float]) -> str:
    """An ST_Array: numbers separated by single spaces."""
    return " ".join(num(v) for v in values)


def deltas(values: Sequence[float], repeat: int = 3) -> str:
    """A DeltaX array; ``repeat`` or more equal values in a row are written ``g N value`` (GB/T 33190 11.3)."""
    words = [num(v) for v in values]
    out: list[str] = []
    k = 0
    while k < len(words):
        end = k
        while end < len(words) and words[end] == words[k]:
            end += 1
        if end - k >= repeat:
            out.append(f"g {end - k} {words[k]}")
        else:
            out.extend(words[k:end])
        k = end
    return " ".join(out)
