"""Dialogs that read or write files: export the minutes, import a CSV timeline.

Both are FormDialogs, so a path that cannot be used gets its message next to the field
and what was typed stays; the actual write or import runs in the save callback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pmconsole.tui.dialogs.form import FieldError, FormDialog, FormField

FORMATS = ("md", "json")


def _path(text: str) -> Path:
    text = text.strip()
    if not text:
        raise FieldError("Give a file path.")
    return Path(text).expanduser()


def export_dialog(
    default_name: str, save: Callable[[dict[str, Any]], dict[str, Any]]
) -> FormDialog[dict[str, Any]]:
    """Format and path; the save callback writes (and asks before overwriting)."""
    fields = [
        FormField(
            "format",
            "Format",
            "md",
            kind="choice",
            choices=FORMATS,
            hint="md: minutes for a wiki or a repository · json: everything, for import elsewhere",
        ),
        FormField(
            "path",
            "Save to",
            str(Path.cwd() / default_name),
            parse=_path,
            hint="A folder saves under the session's title; an existing file is never "
            "replaced without asking.",
        ),
    ]
    return FormDialog("Export the minutes", fields, lambda values: values, save)


def csv_import_dialog(save: Callable[[dict[str, Any]], dict[str, Any]]) -> FormDialog[dict[str, Any]]:
    fields = [
        FormField(
            "path",
            "CSV file",
            "",
            placeholder="~/incident-timeline.csv",
            parse=_existing_file,
            hint="Header time,kind,text,link. Every row is added, or none is.",
        ),
    ]
    return FormDialog("Import a timeline from CSV", fields, lambda values: values, save)


def _existing_file(text: str) -> Path:
    path = _path(text)
    if not path.is_file():
        raise FieldError(f"No file at {path.absolute()}.")  # (relative to where pmconsole started)
    return path
