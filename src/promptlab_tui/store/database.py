"""The history database file: checked before use, opened lazily, SQLite WAL, explicit transactions.

Writers take `BEGIN IMMEDIATE`, which SQLite serialises across processes (with a busy timeout),
so a read-then-write such as a budget reservation cannot interleave with another process's.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from promptlab_tui.store.dbapi import BUSY_TIMEOUT_S, ThreadConnections
from promptlab_tui.store.migrations import SCHEMA_VERSION, create_current_schema, migrate

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

SQLITE_HEADER = b"SQLite format 3\x00"
KNOWN_TABLES = {"run", "budget", "alert", "saved_prompt", "daily_rollup", "daily_total", "daily_model", "daily_prompt",
                "price_audit", "meta"}


class StoreError(Exception):
    """The history database cannot be used; the message says which file and what to do."""


class DatabaseTooNew(StoreError):
    pass


class DatabaseCorrupt(StoreError):
    pass


class DatabaseUnavailable(StoreError):
    """Read-only folder or file, full disk, permission denied, locked for too long."""


def _explain_sqlite_error(path: Path, error: BaseException) -> StoreError:
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
        if not path.is_file():
            raise DatabaseUnavailable(f"the history database path {path} is not a file")
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as error:
            raise DatabaseUnavailable(f"cannot read the history database {path}: {error.strerror}") from error
        if header and header != SQLITE_HEADER:
            raise DatabaseCorrupt(f"{path} is not a SQLite database (it does not start with the SQLite header); "
                                  "it was left untouched. Move it away to start a new history.")
        if header:
            version = _read_version(path)
            if version > SCHEMA_VERSION:
                raise DatabaseTooNew(
                    f"the history database {path} has schema version {version}, made by a newer promptlab "
                    f"(this one reads up to version {SCHEMA_VERSION}); it was left untouched. "
                    "Upgrade promptlab, or use another folder with --home.")
            _check_writable(path, path.parent)
            return version
        _check_writable(path, path.parent)
        return 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"cannot create the folder {path.parent} for the history database: "
                                  f"{error.strerror}. Choose a writable folder with --home.") from error
    _check_writable(None, path.parent)
    return 0


def _check_writable(path: Path | None, folder: Path) -> None:
    # WAL needs to create -wal and -shm files beside the database.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUnavailable(f"the folder {folder} is read-only, so the history database cannot be written. "
                                  "Make it writable or choose another folder with --home.")
    if path is not None and not os.access(path, os.W_OK):
        raise DatabaseUnavailable(f"the history database {path} is read-only. Make it writable "
                                  "or choose another folder with --home.")


def _read_version(path: Path) -> int:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise _explain_sqlite_error(path, error) from error
    if version == 0 and tables - KNOWN_TABLES:
        raise DatabaseCorrupt(f"{path} is a SQLite database but not a promptlab history (tables: "
                              f"{', '.join(sorted(tables)[:5])}); it was left untouched.")
    return int(version)


class Database:
    """One history file. Nothing is opened until the first query; SQLAlchemy is imported only to create
    or migrate the schema (and for `read()`/`write()`): the store's queries use `raw_read()`/`raw_write()`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._ready_lock = threading.Lock()
        self._ready_pid: int | None = None
        self._connections = ThreadConnections(self.path, lambda error: _explain_sqlite_error(self.path, error))
        self.migrated_from: int | None = None  # set when this process upgraded an older file

    def open(self) -> None:
        """Check the file and bring it to the current schema now (SQLAlchemy is imported only if that is needed)."""
        self._ensure_ready()

    def _ensure_ready(self) -> None:
        """The file checked and at the current schema (created or migrated through the engine if not)."""
        if self._ready_pid == os.getpid():
            return
        with self._ready_lock:
            if self._ready_pid != os.getpid():
                if self._engine is None or self._pid != os.getpid():
                    if preflight(self.path) != SCHEMA_VERSION:
                        _ = self.engine
                self._ready_pid = os.getpid()

    def readable_as_is(self) -> bool:
        if self._ready_pid == os.getpid():
            return True
        return self.path.is_file() and preflight(self.path) == SCHEMA_VERSION

    def thread_connection(self) -> sqlite3.Connection:
        """This thread's sqlite3 connection (what `raw_read`/`raw_write` use)."""
        self._ensure_ready()
        return self._connections.get()

    def fetch_one(self, sql: str, params: tuple = ()) -> tuple | None:
        """One row of one statement, which is atomic by itself (no BEGIN/COMMIT round trips)."""
        self._ensure_ready()
        try:
            return self._connections.get().execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise _explain_sqlite_error(self.path, error) from error

    def fetch_all(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Every row of one statement (one statement reads one consistent snapshot by itself)."""
        self._ensure_ready()
        try:
            return self._connections.get().execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise _explain_sqlite_error(self.path, error) from error

    def raw_write(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE) on this thread's sqlite3 connection."""
        self._ensure_ready()
        return self._connections.transaction(write=True)

    def raw_read(self) -> AbstractContextManager[sqlite3.Connection]:
        """A read transaction (one consistent snapshot, never blocks writers) on this thread's connection."""
        self._ensure_ready()
        return self._connections.transaction(write=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None or self._pid != os.getpid():
            with self._lock:
                if self._engine is None or self._pid != os.getpid():
                    self._open()
        assert self._engine is not None
        return self._engine

    def _open(self) -> None:
        if self._engine is not None:  # forked: never share the parent's connections
            self._engine.dispose(close=False)
            self._engine = None
        preflight(self.path)  # refuses a newer, foreign or damaged file before anything writes to it
        from sqlalchemy import create_engine, event

        engine = create_engine(f"sqlite:///{self.path}", connect_args={"timeout": BUSY_TIMEOUT_S,
                                                                       "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("promptlab_write")
                                 else "BEGIN")

        try:
            self._ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        self._engine, self._pid = engine, os.getpid()  # published only once the schema is current

    def _ensure_schema(self, engine: Engine) -> None:
        with self._transaction(write=True, engine=engine) as conn:
            version = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
            if version > SCHEMA_VERSION:  # another process upgraded it meanwhile
                raise DatabaseTooNew(f"the history database {self.path} has schema version {version}, "
                                     f"newer than this promptlab reads ({SCHEMA_VERSION}); it was left untouched.")
            if version == SCHEMA_VERSION:
                return
            if version == 0:
                create_current_schema(conn)
                conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            if migrate(conn, version, SCHEMA_VERSION):
                from promptlab_tui.store.rollup import rebuild_rollup

                rebuild_rollup(conn, None)
            self.migrated_from = version

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE): serialised with every other writer, in any process."""
        with self._transaction(write=True) as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot, never blocks writers (WAL)."""
        with self._transaction(write=False) as conn:
            yield conn

    @contextmanager
    def _transaction(self, write: bool, engine: Engine | None = None) -> Iterator[Connection]:
        from sqlalchemy.exc import DBAPIError

        engine = engine or self.engine
        try:
            with engine.connect() as conn:
                if write:
                    conn.execution_options(promptlab_write=True)
                with conn.begin():
                    yield conn
        except (DBAPIError, OverflowError) as error:
            raise _explain_sqlite_error(self.path, error) from error

    def dispose(self) -> None:
        self._connections.close_all()
        self._ready_pid = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
