"""Commands: scripts (filled in by their issue)."""
