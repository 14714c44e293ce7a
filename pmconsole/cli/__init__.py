"""Command-line interface. Each module registers its commands on the root group."""

# Imported for their side effect of registering commands on ``main``.
from pmconsole.cli import console as _console  # noqa: E402,F401
from pmconsole.cli import exchange as _exchange  # noqa: E402,F401
from pmconsole.cli import review as _review  # noqa: E402,F401
from pmconsole.cli import scripts as _scripts  # noqa: E402,F401
from pmconsole.cli import serve as _serve  # noqa: E402,F401
from pmconsole.cli import sessions as _sessions  # noqa: E402,F401
from pmconsole.cli.base import main

__all__ = ["main"]
