"""Writing exported files safely, naming them after a session's title, and reading the
text files a user imports.

``write_text_atomic`` writes the whole file under a temporary name in the target folder,
flushes it to disk, and only then gives it its final name with ``os.link`` (which fails
if that name is taken) or, when replacing on purpose, ``os.replace``. A process killed at
any moment therefore never leaves a half-written file under the final name, and an
existing file is never overwritten unless asked to.
"""

from __future__ import annotations

import errno
import os
import secrets
import unicodedata
from pathlib import Path

from pmconsole.domain.text import clean_text

# Files read for import (JSON sessions, CSV timelines): far above any real session or
# timeline (10,000 timeline events take about 2 MB), and safe to hold in memory.
MAX_IMPORT_BYTES = 64 * 1024 * 1024

# Bytes allowed for the name before the extension: most file systems allow 255 bytes per
# name; this leaves room for the extension and for tools that add suffixes.
MAX_STEM_BYTES = 200

# Windows refuses these names whatever their extension ("con.md" is the console).
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{prefix}{n}" for prefix in ("COM", "LPT") for n in "123456789¹²³"]
)
# Characters that separate folders or are forbidden in names on Windows or macOS.
_FORBIDDEN = str.maketrans({ch: "-" for ch in '/\\:*?"<>|'})
# Link errors that mean "this file system cannot make hard links", not "name taken".
_NO_HARD_LINKS = {errno.EPERM, errno.EMLINK, errno.EXDEV, errno.EOPNOTSUPP, errno.ENOTSUP,
                  errno.ENOSYS}


class UnreadableFile(ValueError):
    """A file to import that cannot be read as text; ``str(error)`` is one line for the user."""


def read_text_file(path: Path, *, limit: int = MAX_IMPORT_BYTES) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is allowed), at most ``limit`` bytes.

    Never reads more than ``limit + 1`` bytes, so a huge file is refused without filling
    memory. Raises ``UnreadableFile`` for a missing file, a folder, an unreadable or too
    large file, or bytes that are not UTF-8 (UTF-16, Latin-1, binary).
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if path.is_dir():
        raise UnreadableFile(f"{path} is a folder, not a file")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise UnreadableFile(f"{path}: cannot be read ({error.strerror or error})") from error
    if len(data) > limit:
        raise UnreadableFile(f"{path}: the file is too large (the limit is "
                             f"{limit // 2**20} MiB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{path}: not UTF-8 text (byte {error.start} cannot be read); "
                             "save it as UTF-8") from None


class WouldOverwrite(FileExistsError):
    """The target file exists and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EEXIST, "already exists", str(path))
        self.path = path

    def __str__(self) -> str:
        return f"{self.path} already exists; it was not overwritten"


def write_text_atomic(path: Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` as UTF-8 to ``path``, all at once or not at all; returns ``path``.

    Raises ``WouldOverwrite`` if ``path`` exists and ``force`` is false. With ``force``, an
    existing file is replaced in one step (readers see the old or the new file, never a
    mix). The temporary file is removed whatever happens.
    """
    path = Path(path)
    data = text.encode("utf-8")  # Fails before anything is created if text cannot be UTF-8.
    folder = path.parent
    tmp, fd = _create_temporary(folder)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if force:
            os.replace(tmp, path)
        else:
            _link_without_overwriting(tmp, path)
    finally:
        # After os.replace the temporary name is gone; after a link it is a second name.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    _fsync_folder(folder)
    return path


def _create_temporary(folder: Path) -> tuple[Path, int]:
    """A new, empty, hidden file in ``folder``, created with the usual permissions."""
    while True:
        # A short fixed-length name: the final name may already be near the length limit.
        tmp = folder / f".pmconsole-{secrets.token_hex(6)}.tmp"
        try:
            # Mode 0o666 lets the umask decide, as for any file the user creates.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
        except FileExistsError:
            continue
        return tmp, fd


def _link_without_overwriting(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise WouldOverwrite(path) from None
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        # No hard links here (FAT, some network shares): claim the name first, so an
        # existing file is still never replaced, then move the complete file over it.
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise WouldOverwrite(path) from None
        os.replace(tmp, path)


def _fsync_folder(folder: Path) -> None:
    """Make the new name itself durable; not possible (nor needed) on every platform."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def safe_filename(title: str, ext: str) -> str:
    """A portable file name made from a session title, e.g. ``Q3-Q4-planning.md``.

    Folder separators and characters Windows forbids become ``-``, spaces become ``-``,
    control and invisible formatting characters (bidi overrides, zero-width joiners) are
    removed, the name is cut to ``MAX_STEM_BYTES`` bytes of UTF-8 on a character boundary,
    leading and trailing dots, dashes and spaces are dropped, and reserved device names
    (``CON``, ``NUL``, ...) get a trailing ``_``. An empty result becomes ``session``.
    """
    text = unicodedata.normalize("NFC", clean_text(title, multiline=False))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = "-".join(text.translate(_FORBIDDEN).split())
    while "--" in text:
        text = text.replace("--", "-")
    stem = _trim(text)
    encoded = stem.encode("utf-8")
    if len(encoded) > MAX_STEM_BYTES:
        stem = _trim(encoded[:MAX_STEM_BYTES].decode("utf-8", errors="ignore"))
    if not stem:
        stem = "session"
    first, dot, rest = stem.partition(".")
    if first.upper() in _RESERVED:
        stem = f"{first}_{dot}{rest}"
    ext = ext.lstrip(".")
    return f"{stem}.{ext}" if ext else stem


def _trim(stem: str) -> str:
    # A leading dot hides the file, a leading dash reads as an option, and Windows drops
    # trailing dots and spaces.
    return stem.strip(". -")
