"""Safe file writing and file names: never a half-written file, never a silent overwrite."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pmconsole.exchange import files
from pmconsole.exchange.files import WouldOverwrite, safe_filename, write_text_atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_writes_utf8_and_returns_the_path(tmp_path: Path) -> None:
    target = tmp_path / "minutes.md"
    assert write_text_atomic(target, "Müller 🔥 事故\n") == target
    assert target.read_bytes() == "Müller 🔥 事故\n".encode()
    assert leftovers(tmp_path) == []


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = write_text_atomic(tmp_path / "a.md", "x")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_an_existing_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "minutes.md"
    target.write_text("the original")
    with pytest.raises(WouldOverwrite) as error:
        write_text_atomic(target, "new text")
    assert isinstance(error.value, FileExistsError)
    assert str(error.value) == f"{target} already exists; it was not overwritten"
    assert target.read_text() == "the original"
    assert leftovers(tmp_path) == []


def test_force_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "minutes.md"
    target.write_text("the original, which was longer")
    write_text_atomic(target, "new", force=True)
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == []


def test_a_failure_midway_leaves_neither_the_file_nor_a_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The process "dies" after writing the data but before it reaches the disk.
    def fail(fd: int) -> None:
        raise OSError(errno.EIO, "simulated crash")

    monkeypatch.setattr(os, "fsync", fail)
    target = tmp_path / "minutes.md"
    with pytest.raises(OSError, match="simulated crash"):
        write_text_atomic(target, "x" * 100_000)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_with_force_keeps_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "minutes.md"
    target.write_text("the original")
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        write_text_atomic(target, "new", force=True)
    assert target.read_text() == "the original"
    assert [p.name for p in tmp_path.iterdir()] == ["minutes.md"]


def test_the_final_name_appears_only_once_the_data_is_synced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "minutes.md"
    seen = []
    real_fsync = os.fsync

    def watching_fsync(fd: int) -> None:
        seen.append(target.exists())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", watching_fsync)
    write_text_atomic(target, "x")
    assert seen[0] is False  # the file's own fsync ran before it had its name


def test_without_hard_links_it_still_refuses_to_overwrite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "minutes.md"
    write_text_atomic(target, "first")
    assert target.read_text() == "first"
    with pytest.raises(WouldOverwrite):
        write_text_atomic(target, "second")
    assert target.read_text() == "first"
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_text_atomic(tmp_path / "no" / "such.md", "x")
    assert list(tmp_path.iterdir()) == []


def test_text_that_cannot_be_utf8_fails_before_creating_anything(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(tmp_path / "a.md", "lone \ud800 surrogate")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("title", "expected"), [
    ("Q3/Q4 planning", "Q3-Q4-planning.md"),
    ("Checkout outage: payments | cart", "Checkout-outage-payments-cart.md"),
    ("a\\b*c?d\"e<f>g", "a-b-c-d-e-f-g.md"),
    ("nul\x00byte\x1b[31m", "nulbyte[31m.md"),
    ("  spaced   out  ", "spaced-out.md"),
    ("trailing dots...", "trailing-dots.md"),
    ("...", "session.md"),
    ("", "session.md"),
    ("///", "session.md"),
    ("-rf", "rf.md"),
    (".hidden", "hidden.md"),
    ("CON", "CON_.md"),
    ("con.backup", "con_.backup.md"),
    ("LPT1", "LPT1_.md"),
    ("Console", "Console.md"),
    ("\u202eevil\u202c.exe", "evil.exe.md"),
    ("事故の振り返り 🔥", "事故の振り返り-🔥.md"),
    ("[/] [@click=app.quit]x[/]", "[-]-[@click=app.quit]x[-].md"),
])
def test_safe_filename(title: str, expected: str) -> None:
    assert safe_filename(title, "md") == expected
    assert safe_filename(title, ".md") == expected


def test_long_titles_are_cut_on_a_character_boundary() -> None:
    name = safe_filename("障" * 300, "json")
    stem = name.removesuffix(".json")
    assert len(stem.encode("utf-8")) <= files.MAX_STEM_BYTES
    assert stem == "障" * (files.MAX_STEM_BYTES // 3)
    assert name.endswith(".json")


def test_safe_filenames_can_be_written(tmp_path: Path) -> None:
    for title in ("Q3/Q4 planning", "障" * 300, "CON", "\x00", "a" * 1000 + "/"):
        write_text_atomic(tmp_path / safe_filename(title, "md"), title)
    assert len(list(tmp_path.iterdir())) == 5
