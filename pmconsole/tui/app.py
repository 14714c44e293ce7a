"""The Textual application: thin by design.

It owns the store, the clock, the script cards and the theme, and shows the home screen
(the session list) or one session's console. Everything else lives in the screens.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable
from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from pmconsole.domain.clock import Clock, SystemClock
from pmconsole.paths import styles_dir
from pmconsole.store.repository import Store
from pmconsole.tui.settings import load_settings, save_setting
from pmconsole.tui.themes import CUSTOM_THEMES, DEFAULT_THEME


def _terminal_fd() -> int | None:
    """The terminal the console reads keys from, if it runs in one (not under a test
    harness or in a browser)."""
    stdin = sys.__stdin__
    try:
        fd = stdin.fileno() if stdin is not None else None
    except (OSError, ValueError):
        return None
    return fd if fd is not None and os.isatty(fd) else None


class PostMortemApp(App[None]):
    """pmconsole's console: the home screen, or one session's meeting console."""

    TITLE = "pmconsole"
    CSS_PATH: ClassVar[list[str]] = [
        str(styles_dir() / name)
        for name in ("app.tcss", "console.tcss", "home.tcss", "review.tcss", "dialogs.tcss")
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave pmconsole (everything is already saved)."
        ),
        Binding("f1", "help", "Help", id="app.help", tooltip="List every key."),
        Binding("question_mark", "help", "Help", show=False, id="app.help2"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        session_id: int | None = None,
        clock: Clock | None = None,
        persist_theme: bool = True,
        viewer_tz: str | None = None,
    ) -> None:
        super().__init__()
        # The viewer's timezone decides which action items are overdue "today";
        # None means this machine's.
        self.viewer_tz = viewer_tz
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.initial_session_id = session_id
        self.persist_theme = persist_theme
        self._cards: object | None = None
        self.handled_errors: list[Exception] = []
        for theme in CUSTOM_THEMES:
            self.register_theme(theme)
        chosen = load_settings().get("theme", DEFAULT_THEME) if persist_theme else DEFAULT_THEME
        self.theme = chosen if chosen in self.available_themes else DEFAULT_THEME

    # -- start-up ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        # A session named on the command line opens straight away: the session list is
        # built only when the facilitator leaves the console (go_home), so the start-up
        # pays for one screen, not two.
        if self.initial_session_id is None:
            self.go_home()
        if self.store.readonly:
            self.say(
                f"{self.store.name} cannot be written: opened read-only for review.",
                severity="warning",
                timeout=8,
            )
        if self.initial_session_id is not None:
            self.open_session(self.initial_session_id)
        self._tty = _terminal_fd()
        if self._tty is not None:
            self.set_interval(1.0, self._check_terminal)

    def _check_terminal(self) -> None:
        # A terminal that goes away (an SSH connection drops, tmux is killed) hangs the
        # console up. Started under another program (make, a script) the hang-up signal may
        # never reach it, and Textual's input thread then reads end-of-file in a loop at
        # full CPU, for ever. Every edit is committed as it is made (and this runs between
        # two messages, so no write is under way): close the database and leave at once.
        # Not through App.exit: Textual's shutdown waits on the terminal that is gone.
        if self._tty is not None and not os.isatty(self._tty):
            self.store.close()
            os._exit(1)

    def on_ready(self) -> None:
        # The first frame is up. Objects made so far (Textual, the screens) live as long
        # as the app: freeze them, so collections during the meeting skip them, and turn
        # the collector back on if start-up turned it off (cli.console.run_console).
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def open_session(self, session_id: int, *, focus_entry: tuple[str, int] | None = None) -> None:
        from pmconsole.tui.screens.console import ConsoleScreen

        self.push_screen(ConsoleScreen(session_id, focus_entry=focus_entry, size=self.size))

    def go_home(self) -> None:
        """Show a new session list, in place of the current screen if there is one."""
        from pmconsole.tui.screens.home import HomeScreen

        if len(self.screen_stack) > 1:
            self.switch_screen(HomeScreen())
        else:
            self.push_screen(HomeScreen())

    # -- shared services --------------------------------------------------------------------

    @property
    def cards(self):  # type: ignore[no-untyped-def]
        """Script cards (built-in plus the user's file), loaded on first use."""
        if self._cards is None:
            from pmconsole.domain.scripts import load_cards
            from pmconsole.paths import config_dir

            cards, errors = load_cards(config_dir() / "scripts.toml")
            self._cards = cards
            for error in errors:
                self.say(error, severity="error", timeout=15)
        return self._cards

    def say(self, message: str, *, severity: str = "information", timeout: float = 4) -> None:
        """A notification whose text is never parsed as markup (it may hold user text)."""
        self.notify(message, severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    def report_failure(self, error: Exception) -> None:
        """A handler failed: say so, keep running (see ``tui.guard``)."""
        self.handled_errors.append(error)
        self.log.error(repr(error))
        self.say(
            f"That did not work and nothing was changed by it: {error}. Everything saved before is safe.",
            severity="error",
            timeout=10,
        )

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        # Every key and palette command goes through here: a failure is reported, not fatal.
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except SkipAction:
            raise
        except Exception as error:  # noqa: BLE001
            self.report_failure(error)
            return True

    def watch_theme(self, theme: str) -> None:
        if self.persist_theme and self.is_running:
            save_setting("theme", theme)

    # -- palette and help -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette follows the screen: its own commands first, then the app's."""
        provider = getattr(screen, "palette_commands", None)
        if provider is not None:
            yield from provider()
        for theme in sorted(self.available_themes):
            yield SystemCommand(
                f"theme: {theme}", f"Switch to the {theme} theme", lambda t=theme: self._set_theme(t)
            )
        yield SystemCommand("app: help", "List every key", self.action_help)
        yield SystemCommand("app: quit", "Leave pmconsole", self.action_quit)

    def _set_theme(self, theme: str) -> None:
        self.theme = theme

    def action_help(self) -> None:
        from pmconsole.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
