"""Command-line interface. Each module registers its commands on the root group; the
root group (``base.LazyGroup``) imports a command's module only when it is needed, so
``pmconsole demo`` does not load the export, review, scripts or serve code."""

from pmconsole.cli.base import main

__all__ = ["main"]
