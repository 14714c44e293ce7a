"""Shared test set-up: no test reads or writes the real user's config or database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("PMCONSOLE_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("PMCONSOLE_DB", str(base / "data" / "pmconsole.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
