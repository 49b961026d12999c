"""jianbao: Chinese work bulletins (简报) from a YAML issue file to a print-ready PDF (and OFD).

The stages are the subpackages, in order: ``source`` (the issue file) → ``layout`` → ``fonts`` →
``compose`` (lines, figures, the flow) → ``paginate`` (pages, then the page model, ``page``) →
``render`` (the PDF and OFD writers). ``typeset`` runs them; ``cli`` is the command. A stage imports
only earlier ones (tests/test_layering.py).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``pipeline.build`` and ``pipeline.typeset``: the public entries, imported when first asked for."""
    if name in ("build", "typeset", "document_info"):
        import importlib

        return getattr(importlib.import_module("pipeline.typeset"), name)
    raise AttributeError(name)
