"""Themes for shared screens: a high-contrast dark one and a light one for projectors."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="pmconsole-high-contrast",
    primary="#FFD700",
    secondary="#00FFFF",
    accent="#FF8C00",
    warning="#FFB000",
    error="#FF4040",
    success="#40FF40",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    boost="#FFFFFF",
    dark=True,
)

PROJECTOR_LIGHT = Theme(
    name="pmconsole-projector",
    primary="#0B4F9C",
    secondary="#6A1B9A",
    accent="#B34700",
    warning="#A15C00",
    error="#B00020",
    success="#1B7A1B",
    foreground="#111111",
    background="#FFFFFF",
    surface="#F3F3F3",
    panel="#E2E8F0",
    dark=False,
)

CUSTOM_THEMES = (HIGH_CONTRAST, PROJECTOR_LIGHT)
DEFAULT_THEME = "textual-dark"
