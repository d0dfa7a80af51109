"""Driver-level (sqlite3) connections, one per thread, for the store's own queries.

SQLAlchemy costs about 50 µs a transaction and 10 µs a statement here, more than the SQLite work
of tracking a run; the store's queries therefore run on plain sqlite3 connections (each keeps its
prepared statements cached by SQL text). SQLAlchemy still creates and migrates the schema.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

BUSY_TIMEOUT_S = 30.0


def open_connection(path: Path) -> sqlite3.Connection:
    # isolation_level=None: autocommit; transactions are the explicit BEGIN ... COMMIT below.
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False,
                                 cached_statements=256)
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def driver_connection(conn: Any) -> sqlite3.Connection:
    """The sqlite3 connection behind a SQLAlchemy Connection (same transaction), or `conn` itself."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    return conn.connection.driver_connection


class ThreadConnections:
    """One sqlite3 connection per thread (never shared across threads, nor across a fork)."""

    def __init__(self, path: Path, explain: Callable[[BaseException], Exception]) -> None:
        self.path = path
        self._explain = explain
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: dict[int, tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = {}
        self._pid = os.getpid()
        self._forked_away: list[sqlite3.Connection] = []  # a child never closes its parent's connections

    def get(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or self._pid != os.getpid():
            connection = self._new()
        return connection

    def _new(self) -> sqlite3.Connection:
        with self._lock:
            if self._pid != os.getpid():
                self._forked_away += [conn for _, conn in self._open.values()]
                self._open.clear()
                self._pid = os.getpid()
            for ident, (thread, conn) in list(self._open.items()):  # threads that ended (app workers)
                alive = thread()
                if alive is None or not alive.is_alive():
                    del self._open[ident]
                    conn.close()
            try:
                connection = open_connection(self.path)
            except sqlite3.Error as error:
                raise self._explain(error) from error
            self._open[threading.get_ident()] = (weakref.ref(threading.current_thread()), connection)
        self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self, write: bool, busy_timeout_s: float | None = None) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE (write: serialised with every writer, in any process) or BEGIN (one snapshot).

        `busy_timeout_s`: how long to wait for another writer this time (a checkpoint waits little)."""
        connection = self.get()
        own = connection.in_transaction  # re-entered on this thread: a connection of its own
        if own:
            connection = open_connection(self.path)
        if busy_timeout_s is not None:
            connection.execute(f"PRAGMA busy_timeout = {max(0, int(busy_timeout_s * 1000))}")
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OverflowError) as error:  # OverflowError: an int past 64 bits, nothing written
            raise self._explain(error) from error
        finally:
            if own:
                connection.close()
            elif busy_timeout_s is not None:
                connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def close_all(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                for _, connection in self._open.values():
                    connection.close()
            self._open.clear()
        self._local = threading.local()
