"""The served console as a test sees it: start ``pmconsole serve``, read the page's terminal.

textual-serve draws the terminal with xterm.js on a canvas (WebGL or 2D), so the text is not
in the DOM. A script installed before the page loads catches textual-serve's terminal object
and the test reads xterm.js's public buffer API (``buffer.active.getLine(y)``) instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.browser.cdp import BrowserError, Page, kill_group, wait_for

PANE_TITLES = ("Agenda", "Timeline", "Key findings", "Action items", "Blame-redirect")

# textual.js keeps its terminal object in a closure. Its constructor assigns
# ``this.websocket_url`` first; a setter on Object.prototype sees that assignment, keeps
# ``this`` and then defines the property on the object as usual.
CATCH_TERMINAL = r"""
(() => {
  Object.defineProperty(Object.prototype, "websocket_url", {
    configurable: true,
    set(value) {
      window.__textualTerminal = this;
      Object.defineProperty(this, "websocket_url",
        {value, writable: true, configurable: true, enumerable: true});
    },
  });
})();
"""

READ_SCREEN = r"""
(() => {
  const host = window.__textualTerminal;
  if (host && host.terminal) {
    const buffer = host.terminal.buffer.active;
    const lines = [];
    for (let y = 0; y < buffer.length; y++) {
      const line = buffer.getLine(y);
      lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\n");
  }
  // A textual-serve that renders with xterm.js's DOM renderer puts the text in the page.
  const rows = document.querySelector(".xterm-rows");
  return rows ? rows.innerText : "";
})()
"""


def pmconsole_argv() -> list[str]:
    """The installed ``pmconsole`` script beside this Python, else ``python -m pmconsole``."""
    script = Path(sys.executable).with_name("pmconsole")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pmconsole"]


def clean_env(config_dir: Path) -> dict[str, str]:
    """The environment for pmconsole processes: no stray database, a private config folder."""
    env = {k: v for k, v in os.environ.items() if k != "PMCONSOLE_DB"}
    env["PMCONSOLE_CONFIG_DIR"] = str(config_dir)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServedConsole:
    """A running ``pmconsole serve``; ``stop`` kills it and every app process it started."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        kill_group(self.process)


def start_serve(db: Path, session_id: int | None, workdir: Path, *, extra: list[str] | None = None,
                timeout: float = 30.0) -> ServedConsole:
    """Start ``pmconsole --db DB serve [SESSION]`` on a free loopback port; wait for the page."""
    argv = [*pmconsole_argv(), "--db", str(db), "serve"]
    if session_id is not None:
        argv.append(str(session_id))
    last_output = ""
    for attempt in range(3):  # another process may take the free port before the server does
        port = free_port()
        log = workdir / f"serve-{port}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*argv, "--port", str(port), *(extra or [])],
                stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                env=clean_env(workdir / "config"), cwd=workdir, start_new_session=True,
            )
        served = ServedConsole(process, f"http://127.0.0.1:{port}", port, log)

        def page_up(served: ServedConsole = served) -> bool:
            if served.process.poll() is not None:
                raise EOFError(served.output())
            with urllib.request.urlopen(served.url + "/", timeout=5) as answer:
                return bool(answer.status == 200)

        try:
            wait_for(f"pmconsole serve on port {port}", page_up, timeout, interval=0.2)
            return served
        except EOFError as exited:
            last_output = str(exited)
            served.stop()
            if "cannot listen" not in last_output:
                break
        except BaseException:
            served.stop()
            raise
        del attempt
    raise BrowserError(f"pmconsole serve did not start:\n{last_output}")


def screen_text(page: Page) -> str:
    text = page.evaluate(READ_SCREEN)
    return text if isinstance(text, str) else ""


def wait_for_screen(page: Page, what: str, predicate, timeout: float = 30.0) -> str:  # type: ignore[no-untyped-def]
    """Wait until the terminal's text satisfies ``predicate``; the failure shows the screen."""
    seen = {"text": ""}

    def probe() -> str | None:
        seen["text"] = screen_text(page)
        return seen["text"] if predicate(seen["text"]) else None

    try:
        return wait_for(what, probe, timeout, interval=0.2)
    except BrowserError as error:
        raise BrowserError(f"{error}\n--- screen ---\n{seen['text']}") from None


def open_console(page: Page, url: str, *, expect: tuple[str, ...] = PANE_TITLES,
                 timeout: float = 45.0) -> str:
    """Load the served page and wait until the console shows every string in ``expect``."""
    page.send("Page.enable")
    page.send("Runtime.enable")
    page.send("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
    page.send("Page.navigate", url=url)
    text = wait_for_screen(page, f"the console to show {expect}",
                           lambda text: all(word in text for word in expect), timeout)
    # Keys go to xterm.js's hidden textarea, which takes focus when a person clicks the page.
    page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
    return text
