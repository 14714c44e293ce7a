"""Database files that cannot be used: each gets a clear one-line error and is left as it was.

"Left as it was" means byte-identical, and no ``-wal`` / ``-shm`` file appears next to a
file that had none.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest

from pmconsole.domain.model import Finding, Session
from pmconsole.store.errors import (
    DatabaseDamaged,
    DatabaseTooNew,
    DatabaseUnavailable,
    StoreError,
)
from pmconsole.store.migrations import MIGRATION_SET_NAME
from pmconsole.store.repository import Store

AT = pendulum.datetime(2026, 11, 20, 10, tz="UTC")


def make_real_db(path: Path, events: int = 300) -> None:
    """A pmconsole database with enough rows to span many pages, closed cleanly."""
    store = Store.open(path)
    session = store.add(Session(title="real"))
    assert session.id is not None
    with store.transaction():
        for i in range(events):
            store.db["timeline_events"].insert(
                {"session_id": session.id, "at": AT.isoformat(), "kind": "other",
                 "text": f"event {i} " + "x" * 200, "link": "", "starred": 0})
    store.add(Finding(session_id=session.id, text="a finding"))
    store.close()
    assert not Path(f"{path}-wal").exists()


def fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's sha256 and the names of every file beside it that starts with its name."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    siblings = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return digest, siblings


def page_size(path: Path) -> int:
    size = int.from_bytes(path.read_bytes()[16:18], "big")
    return 65536 if size == 1 else size


def root_page(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0])
    finally:
        conn.close()


def interior_page(path: Path, table: str) -> int:
    """A page of ``table``'s b-tree other than its root (a leaf under it)."""
    data = path.read_bytes()
    size = page_size(path)
    root = root_page(path, table)
    offset = (root - 1) * size
    assert data[offset] == 0x05, "expected an interior table page; add more rows"
    right_most = int.from_bytes(data[offset + 8:offset + 12], "big")
    return right_most


# -- how each bad file is made ---------------------------------------------------------------


def text_file(path: Path) -> None:
    path.write_text("these are my meeting notes, not a database\n")


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(42).randbytes(8192))


def sqlite_header_then_garbage(path: Path) -> None:
    make_real_db(path, events=0)
    data = path.read_bytes()
    path.write_bytes(data[:100] + random.Random(1).randbytes(len(data) - 100))


def truncated_50_bytes(path: Path) -> None:
    make_real_db(path, events=0)
    path.write_bytes(path.read_bytes()[:50])


def truncated_to_two_pages(path: Path) -> None:
    make_real_db(path)
    path.write_bytes(path.read_bytes()[: 2 * page_size(path)])


def truncated_mid_file(path: Path) -> None:
    make_real_db(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 7])


def bad_page_type_of_a_table_root(path: Path) -> None:
    make_real_db(path)
    offset = (root_page(path, "findings") - 1) * page_size(path)
    data = bytearray(path.read_bytes())
    assert data[offset] == 0x0D  # a leaf table b-tree page
    data[offset] = 0x07  # not a valid page type
    path.write_bytes(bytes(data))


def bit_flips_in_a_leaf_page_header(path: Path) -> None:
    make_real_db(path)
    offset = (interior_page(path, "timeline_events") - 1) * page_size(path)
    data = bytearray(path.read_bytes())
    assert data[offset] == 0x0D
    # Flip bits of the cell count and the first cell pointer: the page no longer adds up.
    data[offset + 3] ^= 0x40
    data[offset + 8] ^= 0x0F
    path.write_bytes(bytes(data))


def bad_page_in_the_schema(path: Path) -> None:
    make_real_db(path, events=0)
    data = bytearray(path.read_bytes())
    data[100] = 0x07  # page 1's b-tree header follows the 100-byte file header
    path.write_bytes(bytes(data))


def foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO recipes (name) VALUES ('bread')")
    conn.commit()
    conn.close()


def foreign_sqlite_wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()


def foreign_sqlite_utils_migrations(path: Path) -> None:
    """Someone else's database that also uses sqlite-utils migrations (another set name)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT,"
                 " name TEXT, applied_at TEXT)")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('datasette-thing', 'm001', '2026-01-01')")
    conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()


def newer_schema(path: Path) -> None:
    make_real_db(path, events=3)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES (?, 'm999_from_the_future', '2030-01-01')", [MIGRATION_SET_NAME])
    conn.commit()
    conn.close()


CASES: dict[str, tuple[Callable[[Path], None], type[StoreError], str]] = {
    "text file": (text_file, DatabaseDamaged, "not an SQLite file"),
    "random bytes": (random_bytes, DatabaseDamaged, "not an SQLite file"),
    "header then garbage": (sqlite_header_then_garbage, DatabaseDamaged, "damaged"),
    "truncated to 50 bytes": (truncated_50_bytes, DatabaseDamaged, "truncated"),
    "truncated to 2 pages": (truncated_to_two_pages, DatabaseDamaged, "damaged"),
    "truncated mid-file": (truncated_mid_file, DatabaseDamaged, "damaged"),
    "bad page type": (bad_page_type_of_a_table_root, DatabaseDamaged, "damaged"),
    "bit flips in a leaf": (bit_flips_in_a_leaf_page_header, DatabaseDamaged, "damaged"),
    "bad schema page": (bad_page_in_the_schema, DatabaseDamaged, "damaged"),
    "foreign SQLite": (foreign_sqlite, DatabaseDamaged, "not a pmconsole database"),
    "foreign SQLite (WAL)": (foreign_sqlite_wal, DatabaseDamaged, "not a pmconsole database"),
    "foreign sqlite-utils migrations": (
        foreign_sqlite_utils_migrations, DatabaseDamaged, "not a pmconsole database"),
    "newer schema": (newer_schema, DatabaseTooNew, "upgrade pmconsole"),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def bad_file(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, type[StoreError], str]:
    make, error, words = CASES[request.param]
    path = tmp_path / "bad.db"
    make(path)
    return path, error, words


@pytest.mark.parametrize("readonly", [False, True], ids=["read-write", "read-only"])
def test_bad_file_is_refused_and_left_untouched(
    bad_file: tuple[Path, type[StoreError], str], readonly: bool
) -> None:
    path, error, words = bad_file
    before = fingerprint(path)
    with pytest.raises(error) as caught:
        Store.open(path, readonly=readonly)
    assert type(caught.value) is error
    message = str(caught.value)
    assert str(path) in message
    assert words in message
    assert "\n" not in message
    assert fingerprint(path) == before


def test_bad_files_are_subclasses_of_unavailable() -> None:
    for _, error, _ in CASES.values():
        assert issubclass(error, DatabaseUnavailable)


def test_newer_schema_names_the_unknown_migration(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    newer_schema(path)
    with pytest.raises(DatabaseTooNew, match="m999_from_the_future.*upgrade pmconsole"):
        Store.open(path)


def test_quick_check_really_is_what_catches_the_flipped_page(tmp_path: Path) -> None:
    """The corruption is inside the data, not something a header check could see."""
    path = tmp_path / "flipped.db"
    bit_flips_in_a_leaf_page_header(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError:
            rows = [("raised",)]
        assert rows != [("ok",)]
    finally:
        conn.close()


def test_folder_as_path(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    with pytest.raises(DatabaseUnavailable, match="is a folder") as caught:
        Store.open(folder)
    assert str(folder) in str(caught.value)
    assert list(folder.iterdir()) == []


def test_parent_is_a_file(tmp_path: Path) -> None:
    parent = tmp_path / "notes.txt"
    parent.write_text("x")
    with pytest.raises(DatabaseUnavailable) as caught:
        Store.open(parent / "pm.db")
    assert str(parent / "pm.db") in str(caught.value)
    assert "\n" not in str(caught.value)
    assert parent.read_text() == "x"


def test_readonly_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "missing.db"
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        Store.open(path, readonly=True)
    assert not path.parent.exists()


def test_a_good_file_opened_after_a_bad_one_still_works(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    text_file(bad)
    with pytest.raises(DatabaseDamaged):
        Store.open(bad)
    good = Store.open(tmp_path / "good.db")
    try:
        assert good.list_sessions() == []
    finally:
        good.close()


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pm.db"
    make_real_db(path, events=0)
    before = fingerprint(path)
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(DatabaseUnavailable, match="permission denied") as caught:
        Store.open(path)
    assert str(path) in str(caught.value)
    monkeypatch.undo()
    assert fingerprint(path) == before


def test_damage_is_reported_even_with_a_wal_file_present(tmp_path: Path) -> None:
    """A database another program has open (so it has a -wal) is checked the same way."""
    path = tmp_path / "pm.db"
    bad_page_type_of_a_table_root(path)
    holder = sqlite3.connect(path)
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        assert Path(f"{path}-wal").exists()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with pytest.raises(DatabaseDamaged):
            Store.open(path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    finally:
        holder.close()


def test_random_bytes_after_open_never_crash(tmp_path: Path) -> None:
    """Many random corruptions of a real file: always a StoreError or a working store."""
    template = tmp_path / "template.db"
    make_real_db(template, events=40)
    original = template.read_bytes()
    rng = random.Random(7)
    for i in range(40):
        data = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(100, len(data))] = rng.randrange(256)
        path = tmp_path / f"c{i}.db"
        path.write_bytes(bytes(data))
        before = fingerprint(path)
        try:
            store = Store.open(path, readonly=True)
        except StoreError as error:
            assert "\n" not in str(error) and str(path) in str(error)
            assert fingerprint(path) == before
            continue
        store.close()
        os.remove(path)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
