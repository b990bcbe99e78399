"""A database that cannot be used stops start-up with a message naming the file and what to do."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.qa import QAConfig, QAService, StoreError, default_database_path
from bot.qa.schema import MIGRATION_SET
from bot.qa.store import QAStore

NOBODY = 65534


async def test_a_new_database_file_is_created_in_a_new_data_directory(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "chairbot.db"

    async with QAService(path):
        pass

    assert path.is_file()


async def test_the_default_database_is_one_file_in_the_data_directory(tmp_path: Path) -> None:
    async with QAService(default_database_path(tmp_path / "data")):
        pass

    assert (tmp_path / "data" / "chairbot.db").is_file()


async def test_a_corrupt_file_stops_start_up_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "chairbot.db"
    path.write_bytes(os.urandom(8192))

    with pytest.raises(StoreError) as failure:
        await QAService.open(path)

    assert str(path) in str(failure.value)
    assert "not a SQLite database" in str(failure.value)
    assert "backup" in str(failure.value)


async def test_a_directory_that_cannot_be_created_stops_start_up_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    path = blocker / "chairbot.db"

    with pytest.raises(StoreError) as failure:
        await QAService.open(path)

    assert str(path) in str(failure.value)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory an unprivileged child process can reach (pytest's own tmp_path is private to this user)."""
    path = Path(tempfile.mkdtemp(prefix="chairbot-qa-"))
    path.chmod(0o755)
    yield path
    for sub in (path, *path.rglob("*")):
        sub.chmod(0o700 if sub.is_dir() else 0o600)
    shutil.rmtree(path)


def open_in_child(path: Path) -> str:
    """Open the store in a forked child and return what happened.

    Root may write anywhere, so when the tests run as root the child drops to the unprivileged ``nobody`` user
    first; file permissions then mean what they mean for the bot.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            try:
                QAStore.open(path, QAConfig()).close()
                outcome = "opened"
            except StoreError as exc:
                outcome = f"StoreError: {exc}"
            os.write(write_end, outcome.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        outcome = pipe.read().decode()
    os.waitpid(pid, 0)
    return outcome


def test_an_unwritable_directory_stops_start_up_naming_the_path(shared_dir: Path) -> None:
    directory = shared_dir / "read-only"
    directory.mkdir(mode=0o555)
    path = directory / "chairbot.db"

    outcome = open_in_child(path)

    assert outcome.startswith("StoreError: ")
    assert str(path) in outcome


def test_a_read_only_database_file_stops_start_up_naming_the_path(shared_dir: Path) -> None:
    directory = shared_dir / "writable"
    directory.mkdir()
    directory.chmod(0o777)
    path = directory / "chairbot.db"
    QAStore.open(path, QAConfig()).close()
    path.chmod(0o444)

    outcome = open_in_child(path)

    assert outcome.startswith("StoreError: ")
    assert f"{path} is read-only" in outcome


def test_a_database_in_a_read_only_directory_stops_start_up_naming_the_path(shared_dir: Path) -> None:
    directory = shared_dir / "locked"
    directory.mkdir()
    path = directory / "chairbot.db"
    QAStore.open(path, QAConfig()).close()
    path.chmod(0o666)
    directory.chmod(0o555)  # the -wal and -shm files cannot be created next to it

    outcome = open_in_child(path)

    assert outcome.startswith("StoreError: ")
    assert str(path) in outcome


async def test_a_directory_given_as_the_database_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not a file"):
        await QAService.open(tmp_path)


async def test_a_database_from_a_newer_chairbot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "chairbot.db"
    async with QAService(path):
        pass
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, 'm999_future', 'later')",
            (MIGRATION_SET,),
        )
    conn.close()

    with pytest.raises(StoreError, match="newer chairbot"):
        await QAService.open(path)
