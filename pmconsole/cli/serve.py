"""``pmconsole serve``: share the console in a web browser through textual-serve.

textual-serve starts one console process per browser tab (the command built by
``app_command``); every tab works on the same database, which is safe because each edit is
its own committed SQLite transaction (WAL, 5 s busy timeout).

Neither Textual nor textual-serve is imported at module level, so ``pmconsole --help`` and
``pmconsole serve --help`` stay fast.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path

import click

from pmconsole.cli.base import db_path_of, fail, main
from pmconsole.store.errors import StoreError
from pmconsole.store.repository import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})

NO_AUTH_WARNING = (
    "pmconsole: WARNING: serving on {host}, which is not a loopback address. There is NO "
    "authentication: anyone who can reach {url} can read and edit every session in {db}. "
    "Prefer the default 127.0.0.1 with an SSH tunnel, or a reverse proxy that asks for a login."
)


def app_command(db_path: Path, session_id: int | None = None) -> str:
    """The shell command textual-serve runs for each browser tab (textual-serve uses a shell)."""
    argv = [sys.executable, "-m", "pmconsole", "--db", str(db_path.expanduser().resolve())]
    if session_id is not None:
        argv += ["open", str(session_id)]
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback address (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_public_url(host: str, port: int) -> str:
    """The address a browser should use; the page's websocket URL is built from it.

    A wildcard bind (0.0.0.0, ::) is not an address a browser can reach, so the machine's
    name is used instead (``getfqdn`` often answers "localhost", which is no use to others).
    """
    if host in WILDCARD_HOSTS:
        host = socket.gethostname() or "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    return f"http://{host}:{port}"


def check_can_listen(host: str, port: int) -> None:
    """Fail with a clear message now rather than a traceback from aiohttp later."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except OSError as error:
        fail(f"--host {host!r}: {error}")
    family, type_, proto, _name, address = infos[0]
    with socket.socket(family, type_, proto) as probe:
        # Same option aiohttp sets, so a port in TIME_WAIT is not reported as busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            fail(f"cannot listen on {host}:{port}: {error.strerror or error}")


def run_server(command: str, *, host: str, port: int, title: str, public_url: str) -> None:
    """Serve ``command`` to browsers until Ctrl+C (or SIGTERM)."""
    from textual_serve.server import Server

    class ConsoleServer(Server):
        async def on_startup(self, app: object) -> None:
            # Replaces textual-serve's banner, which shows the whole command line.
            click.echo(f"Serving {title} at {self.public_url} (Ctrl+C to stop)")

    ConsoleServer(command, host=host, port=port, title=title, public_url=public_url).serve()


def _check_database(db_path: Path, session_id: int | None) -> str:
    """Open (and migrate) the database once here, so a bad file fails before any tab opens.

    Returns the page title.
    """
    try:
        store = Store.open(db_path)
    except StoreError as error:
        fail(str(error))
    try:
        if session_id is None:
            return "pmconsole"
        try:
            session = store.get_session(session_id)
        except StoreError:
            fail(f"no session with id {session_id} in {db_path}")
        return f"pmconsole: {session.title}"
    finally:
        store.close()


@main.command()
@click.argument("session_id", metavar="[SESSION]", type=int, required=False)
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Anything but loopback shares the console with the "
                   "network, without authentication.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on.")
@click.option("--db", "db_override", type=click.Path(dir_okay=False, path_type=Path),
              help="Database file (same as the global --db).")
@click.option("--public-url", default=None, metavar="URL",
              help="Address browsers use, when it differs from http://HOST:PORT "
                   "(behind a reverse proxy or a tunnel on another port).")
@click.pass_context
def serve(
    ctx: click.Context,
    session_id: int | None,
    host: str,
    port: int,
    db_override: Path | None,
    public_url: str | None,
) -> None:
    """Share the console in a web browser: the home screen, or one SESSION.

    Each browser tab runs its own console on the same database; every edit is saved at once,
    so several tabs can edit together. There is no authentication: by default only this
    machine (127.0.0.1) can connect.
    """
    db_path = (db_override or db_path_of(ctx)).expanduser().resolve()
    title = _check_database(db_path, session_id)
    command = app_command(db_path, session_id)
    url = (public_url or default_public_url(host, port)).rstrip("/")
    if not is_loopback(host):
        click.echo(NO_AUTH_WARNING.format(host=host or "all interfaces", url=url, db=db_path),
                   err=True)
    check_can_listen(host, port)
    run_server(command, host=host, port=port, title=title, public_url=url)
