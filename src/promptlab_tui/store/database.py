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
from promptlab_tui.store.dbfile import (  # noqa: F401  (the errors are imported from here everywhere)
    DatabaseCorrupt, DatabaseTooNew, DatabaseUnavailable, StoreError, create_private, explain_sqlite_error,
    make_private, preflight)
from promptlab_tui.store.migrations import SCHEMA_VERSION, create_current_schema, migrate

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

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
        self._connections = ThreadConnections(self.path, lambda error: explain_sqlite_error(self.path, error))
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
                make_private(self.path)
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
            raise explain_sqlite_error(self.path, error) from error

    def fetch_all(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Every row of one statement (one statement reads one consistent snapshot by itself)."""
        self._ensure_ready()
        try:
            return self._connections.get().execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise explain_sqlite_error(self.path, error) from error

    def raw_write(self, busy_timeout_s: float | None = None) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE) on this thread's sqlite3 connection, waiting for another
        writer up to `busy_timeout_s` (default BUSY_TIMEOUT_S)."""
        self._ensure_ready()
        return self._connections.transaction(write=True, busy_timeout_s=busy_timeout_s)

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
        if preflight(self.path) == 0 and not self.path.exists():  # refuses a newer, foreign or damaged file
            try:
                create_private(self.path)
            except (OSError, sqlite3.Error) as error:
                raise explain_sqlite_error(self.path, error) from error
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
            if version < 0:  # changed by hand since the check: never "migrate" from it
                raise DatabaseCorrupt(f"the history database {self.path} has an invalid schema version {version}; "
                                      "it was left untouched.")
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
            raise explain_sqlite_error(self.path, error) from error

    def dispose(self) -> None:
        self._connections.close_all()
        self._ready_pid = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
