"""The layout stage: page templates (``layouts/*.yaml``) as frozen dataclasses with every length resolved."""
