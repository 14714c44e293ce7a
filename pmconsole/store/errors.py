"""Errors the store raises, each with a one-line message fit to show a user as it is."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class: ``str(error)`` is a complete, user-facing sentence."""


class DatabaseUnavailable(StoreError):
    """The file cannot be used (missing, unreadable, a folder, ...)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}.")
        self.path = path


class DatabaseDamaged(DatabaseUnavailable):
    """Not SQLite, not ours, truncated or failing its integrity check. Left untouched."""


class DatabaseTooNew(DatabaseUnavailable):
    """Written by a newer pmconsole: it has migrations this build does not know."""

    def __init__(self, path: Path, unknown: list[str]) -> None:
        super().__init__(
            path,
            "was written by a newer version of pmconsole (unknown migrations: "
            + ", ".join(unknown)
            + "); upgrade pmconsole to open it",
        )


class DatabaseLocked(DatabaseUnavailable):
    """Another process held a write lock for longer than the busy timeout."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            Path(path),
            "is locked by another program that is writing to it; try again in a moment",
        )


class ReadOnlyDatabase(StoreError):
    """A write was attempted on a database opened read-only."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"{path} is open read-only: changes cannot be saved.")


class NotFound(StoreError):
    """The entry asked for does not exist (any more)."""


class SaveFailed(StoreError):
    """A write failed and was rolled back; nothing was saved."""


def not_saved(error: StoreError) -> str:
    """The store's message, saying that nothing was saved (once: SaveFailed already does)."""
    text = str(error)
    return text if text.startswith("Not saved") else f"Not saved: {text}"
