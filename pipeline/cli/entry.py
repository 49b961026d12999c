"""The ``jianbao`` command's entry: the typer app (``app.py``) reads the command line."""

from __future__ import annotations

import gc


def main() -> None:
    from pipeline.cli.app import app

    # A build makes next to no cyclic garbage (reference counting frees it): the collector's passes
    # over every object would only cost time (15 ms for the sample issue).
    gc.disable()
    try:
        app()
    finally:
        # The process ends here: its objects go back to the OS without the collector's final passes over them (20 ms).
        gc.freeze()
