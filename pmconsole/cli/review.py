"""Commands: review (filled in by their issue)."""
