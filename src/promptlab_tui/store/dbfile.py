"""The history file checked before any SQLite open: empty, foreign, damaged, too new, read-only; kept 0600.

Nothing here writes to an existing file (but `make_private`'s chmod), so a refusal leaves it untouched.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from promptlab_tui.paths import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE
from promptlab_tui.store.dbapi import BUSY_TIMEOUT_S
from promptlab_tui.store.migrations import SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
KNOWN_TABLES = {"run", "budget", "alert", "saved_prompt", "daily_rollup", "daily_total", "daily_model", "daily_prompt",
                "price_audit", "meta", "daily_tag", "daily_source", "daily_hour", "daily_input",
                "weekly_rollup", "weekly_input", "daily_tag_model", "daily_source_model"}


class StoreError(Exception):
    """The history database cannot be used; the message says which file and what to do."""


class DatabaseTooNew(StoreError):
    pass


class DatabaseCorrupt(StoreError):
    pass


class DatabaseUnavailable(StoreError):
    """Read-only folder or file, full disk, permission denied, locked for too long."""


def explain_sqlite_error(path: Path, error: BaseException) -> StoreError:
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    if "malformed" in lowered or "not a database" in lowered or "file is encrypted" in lowered:
        return DatabaseCorrupt(f"the history database {path} is damaged ({text}); nothing was changed. "
                               "Move the file away to start a new history, or restore a backup.")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered or "permission" in lowered:
        return DatabaseUnavailable(f"cannot write the history database {path} ({text}): the file or its folder "
                                   "is read-only. Make it writable or choose another folder with --home.")
    if "full" in lowered:
        return DatabaseUnavailable(f"cannot write the history database {path}: the disk is full ({text}); "
                                   "nothing was written. Free some space and try again.")
    if "disk i/o error" in lowered:  # also what a file-size limit or a failing disk gives
        return DatabaseUnavailable(f"cannot read or write the history database {path} ({text}): the disk may be "
                                   "full or failing; nothing was written. Free some space and try again.")
    if isinstance(error, OverflowError):  # a number past SQLite's 64-bit integers, refused before any write
        return StoreError(f"history database {path}: a number is too large to store ({text}); nothing was written.")
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnavailable(f"the history database {path} stayed locked by another promptlab process "
                                   f"for more than {BUSY_TIMEOUT_S:.0f} s ({text}); try again.")
    return StoreError(f"history database {path}: {text}")


def preflight(path: Path) -> int:
    """Check the file without changing it; returns its schema version (0 for a new database)."""
    if path.exists():
        _wait_while_created(path)
        if not path.is_file():
            raise DatabaseUnavailable(f"the history database path {path} is not a file")
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as error:
            raise DatabaseUnavailable(f"cannot read the history database {path}: {error.strerror}") from error
        if not header:  # made empty (`: > promptlab.db`, a failed copy): re-creating it would drop the budget
            raise DatabaseCorrupt(f"the history database {path} is empty (0 bytes), so its runs and budget are gone "
                                  "from it; it was left untouched. Restore a backup, or delete the file to start "
                                  "a new history.")
        if header != SQLITE_HEADER:
            raise DatabaseCorrupt(f"{path} is not a SQLite database (it does not start with the SQLite header); "
                                  "it was left untouched. Move it away to start a new history.")
        # Before any SQLite open: opening a read-only file would leave read-only -wal/-shm files behind.
        _check_writable(path, path.parent)
        version = _read_version(path)
        if version > SCHEMA_VERSION:
            raise DatabaseTooNew(
                f"the history database {path} has schema version {version}, made by a newer promptlab "
                f"(this one reads up to version {SCHEMA_VERSION}); it was left untouched. "
                "Upgrade promptlab, or use another folder with --home.")
        return version
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    except OSError as error:
        raise DatabaseUnavailable(f"cannot create the folder {path.parent} for the history database: "
                                  f"{error.strerror}. Choose a writable folder with --home.") from error
    _check_writable(None, path.parent)
    return 0


def _wait_while_created(path: Path, patience_s: float = 1.0) -> None:
    """An empty file may be one another process is creating right now (a few ms): give it a moment."""
    deadline = time.monotonic() + patience_s
    while path.is_file() and path.stat().st_size == 0 and time.monotonic() < deadline:
        time.sleep(0.02)


def create_private(path: Path) -> None:
    """Create an empty SQLite database (WAL) at `path`, 0600, all at once: built beside it and linked into place,
    so no other process ever sees a half-made (zero-byte) file; SQLite gives -wal and -shm the file's mode."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("PRAGMA journal_mode = WAL")  # writes the header: a valid, empty database
        finally:
            connection.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        temporary.unlink(missing_ok=True)


def make_private(path: Path) -> None:
    """The database and its sidecars 0600 (an older promptlab made them 0644); only files we own."""
    for item in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = item.stat()
            if info.st_mode & 0o077 and info.st_uid == os.geteuid():
                item.chmod(PRIVATE_FILE_MODE)
        except OSError:
            pass  # gone meanwhile, or not ours: the checks that follow say what matters


def _check_writable(path: Path | None, folder: Path) -> None:
    # WAL needs to create -wal and -shm files beside the database.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUnavailable(f"the folder {folder} is read-only, so the history database cannot be written. "
                                  "Make it writable or choose another folder with --home.")
    if path is not None and not os.access(path, os.W_OK):
        raise DatabaseUnavailable(f"the history database {path} is read-only. Make it writable "
                                  "or choose another folder with --home.")
    for sidecar in ((path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if path else ()):
        if sidecar.exists() and not os.access(sidecar, os.W_OK):
            raise DatabaseUnavailable(f"{sidecar}, beside the history database, is read-only. Make it writable "
                                      "(or delete it while no promptlab runs) or choose another folder with --home.")


def _read_version(path: Path) -> int:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise explain_sqlite_error(path, error) from error
    if version < 0:
        raise DatabaseCorrupt(f"the history database {path} has an invalid schema version {version} (expected 0 to "
                              f"{SCHEMA_VERSION}); it was left untouched. Restore a backup, or move the file away "
                              "to start a new history.")
    if version == 0 and tables - KNOWN_TABLES:
        raise DatabaseCorrupt(f"{path} is a SQLite database but not a promptlab history (tables: "
                              f"{', '.join(sorted(tables)[:5])}); it was left untouched.")
    return int(version)
