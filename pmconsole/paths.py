"""Where things live: the database, user config, and the stylesheets (checkout or wheel)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "pmconsole"
DB_ENV = "PMCONSOLE_DB"
CONFIG_ENV = "PMCONSOLE_CONFIG_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_db_path() -> Path:
    """``PMCONSOLE_DB`` if set, else the platform's user data folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME) / "pmconsole.db"


def config_dir() -> Path:
    """User configuration folder (user scripts, settings); ``PMCONSOLE_CONFIG_DIR`` overrides."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def styles_dir() -> Path:
    """The TCSS folder: ``styles/`` at the top of a checkout, ``pmconsole/styles`` in a wheel."""
    installed = _PACKAGE_DIR / "styles"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "styles"


def data_dir() -> Path:
    """Package data: built-in scripts, blame rules and the demo session."""
    return _PACKAGE_DIR / "data"
