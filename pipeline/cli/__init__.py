"""The ``jianbao`` command: the entry (``main``), the typer app, batches, watch and preview."""

from pipeline.cli.entry import main

__all__ = ["main"]
