"""Object identifiers: one counter for the whole document, as GB/T 33190 requires (ST_ID, unique, > 0)."""

from __future__ import annotations


class Ids:
    """Hands out 1, 2, 3, … in the order asked; ``last`` is the MaxUnitID of the document."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last
