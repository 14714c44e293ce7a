"""Just enough of the Chrome DevTools Protocol to drive headless Chromium from a test.

Chromium is started with ``--remote-debugging-port=0``; it writes the port it chose to
``DevToolsActivePort`` in its profile folder, so there is no port to guess. Every wait is
bounded by a deadline, and ``Chromium.close`` kills the whole process group.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import websocket  # websocket-client

T = TypeVar("T")

# The machine has no network but the loopback: these flags keep Chromium from trying to
# reach Google's services at start-up (and from waiting on them).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--mute-audio",
    # The served page links a web font from the internet; fail that at once, not by timeout.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]


class BrowserError(AssertionError):
    """The browser did not do what the test needed in time."""


def find_chromium() -> str | None:
    """Debian's Chromium (package ``chromium``), or one named by ``$CHROMIUM``."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.1) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - kept for the failure message
            last_error = error
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise BrowserError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


def kill_group(process: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """SIGTERM the process's group, then SIGKILL whatever is left after ``grace`` seconds."""
    try:
        pgid = os.getpgid(process.pid)
    except ProcessLookupError:
        pgid = None
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            if pgid is not None:
                os.killpg(pgid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            if sig == signal.SIGTERM and pgid is not None:
                # The leader is gone; make sure its children (app processes, renderers) are too.
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return
        except subprocess.TimeoutExpired:
            continue


class Page:
    """One tab, driven over its own DevTools websocket."""

    def __init__(self, ws_url: str, timeout: float) -> None:
        self.timeout = timeout
        # Chromium refuses DevTools websockets that send an Origin header it was not told about.
        self._ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            self._ws.close()
        except Exception:  # noqa: BLE001 - closing after the browser died is fine
            pass

    def send(self, method: str, timeout: float | None = None, **params: Any) -> dict[str, Any]:
        """Call one DevTools method and return its result (events seen meanwhile are kept)."""
        self._next_id += 1
        call_id = self._next_id
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"no answer to {method} in time")
            self._ws.settimeout(remaining)
            try:
                message = json.loads(self._ws.recv())
            except websocket.WebSocketTimeoutException as error:
                raise BrowserError(f"no answer to {method} in time") from error
            if message.get("id") == call_id:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def press(self, key: str) -> None:
        """One key as a person types it: a printable character, ctrl+letter, Enter, Escape..."""
        if key.startswith("ctrl+") and len(key) == 6 and key[-1].isalpha():
            letter = key[-1].lower()
            chord: dict[str, Any] = {"key": letter, "code": f"Key{letter.upper()}",
                                     "windowsVirtualKeyCode": ord(letter.upper()), "modifiers": 2}
            self.send("Input.dispatchKeyEvent", type="rawKeyDown", **chord)
            self.send("Input.dispatchKeyEvent", type="keyUp", **chord)
            return
        if len(key) != 1 and key not in ("Enter", "Escape", "Tab", "Backspace"):
            raise BrowserError(f"press() does not know the key {key!r}")
        special = {"Enter": (13, "\r"), "Escape": (27, ""), "Tab": (9, "\t"),
                   "Backspace": (8, "")}
        if key in special:
            code, text = special[key]
            down: dict[str, Any] = {"key": key, "code": key, "windowsVirtualKeyCode": code}
            if text:
                down["text"] = text
        else:
            down = {"key": key, "text": key, "unmodifiedText": key}
            if len(key) == 1 and key.isalnum():
                down["code"] = f"Key{key.upper()}" if key.isalpha() else f"Digit{key}"
                down["windowsVirtualKeyCode"] = ord(key.upper())
        self.send("Input.dispatchKeyEvent", type="keyDown", **down)
        self.send("Input.dispatchKeyEvent", type="keyUp",
                  **{k: v for k, v in down.items() if k not in ("text", "unmodifiedText")})

    def type(self, text: str, delay: float = 0.01) -> None:
        for char in text:
            self.press(char)
            time.sleep(delay)


class Chromium:
    """A headless Chromium with a fresh profile, killed (with its children) on ``close``."""

    def __init__(self, executable: str, profile: Path, *, log: Path,
                 window: tuple[int, int] = (1400, 900), timeout: float = 30.0) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.profile = profile
        self.timeout = timeout
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--window-size={window[0]},{window[1]}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pages: list[Page] = []
        port_file = profile / "DevToolsActivePort"

        def port() -> int | None:
            if self.process.poll() is not None:
                raise BrowserError(f"Chromium exited with {self.process.returncode}: "
                                   f"{log.read_text(errors='replace')[-2000:]}")
            lines = port_file.read_text().splitlines() if port_file.exists() else []
            return int(lines[0]) if lines and lines[0].isdigit() else None

        self.port = wait_for("Chromium's DevTools port", port, timeout)

    def _targets(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list",
                                    timeout=self.timeout) as answer:
            targets: list[dict[str, Any]] = json.load(answer)
        return targets

    def first_page(self) -> Page:
        target = wait_for("a page target",
                          lambda: next((t for t in self._targets() if t["type"] == "page"), None),
                          self.timeout)
        page = Page(target["webSocketDebuggerUrl"], self.timeout)
        self.pages.append(page)
        return page

    def new_page(self) -> Page:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            target = json.load(answer)
        page = Page(target["webSocketDebuggerUrl"], self.timeout)
        self.pages.append(page)
        return page

    def allow_downloads(self, folder: Path) -> None:
        """Save downloads into ``folder`` without asking (a browser-wide setting)."""
        folder.mkdir(parents=True, exist_ok=True)
        lines = (self.profile / "DevToolsActivePort").read_text().splitlines()
        browser = Page(f"ws://127.0.0.1:{self.port}{lines[1]}", self.timeout)
        # The setting lasts as long as this DevTools session: keep it open until close().
        self.pages.append(browser)
        browser.send("Browser.setDownloadBehavior", behavior="allow",
                     downloadPath=str(folder), eventsEnabled=True)

    def close(self) -> None:
        for page in self.pages:
            page.close()
        kill_group(self.process, grace=3.0)
        self._log.close()
