"""Per-user console settings (the chosen theme), kept in a small JSON file.

They live beside the user's scripts rather than in the database, so a read-only or
shared database does not stop the theme from persisting.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pmconsole.paths import config_dir


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings() -> dict[str, str]:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(data, dict)
        else {}
    )


def save_setting(key: str, value: str) -> None:
    """Write one setting; a settings file that cannot be written is not worth a crash."""
    data = load_settings()
    data[key] = value
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, path)
    except OSError:
        pass
