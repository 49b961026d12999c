"""The fonts stage: font files (metrics, character maps, a per-user cache), roles and fallback, coverage, subsets."""
