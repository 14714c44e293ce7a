"""A stand-in for the Textual console, for tests of the commands that start it."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from pmconsole.store.repository import Store


def replace_console(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the Textual app, and pretend the command runs in a terminal: each console a
    command would start records the store it was given, its keyword arguments and whether
    it ran; nothing is drawn."""
    started: list[dict[str, Any]] = []

    class FakeApp:
        def __init__(self, store: Store, **kwargs: Any) -> None:
            started.append({"readonly": store.readonly, "path": store.path, **kwargs})

        def run(self) -> None:
            started[-1]["ran"] = True

    fake = types.ModuleType("pmconsole.tui.app")
    fake.PostMortemApp = FakeApp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pmconsole.tui.app", fake)
    monkeypatch.setattr("pmconsole.cli.console.terminal_problem", lambda: None)
    return started
