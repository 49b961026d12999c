"""The source stage: the issue file read and checked (the issue model, loading, check and fix, a new
issue, Word import)."""
