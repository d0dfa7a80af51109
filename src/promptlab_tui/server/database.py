"""Engines and migrations for the team server: SQLite (embedded default) or PostgreSQL via psycopg 3.

SQLite writers take `BEGIN IMMEDIATE` so that reservations serialise across server processes; on
PostgreSQL the reservation transaction locks the budget rows it checks (see reservations.py).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

MIGRATIONS = Path(__file__).parent / "migrations"
POOL_SIZE = 16  # per server process: 4 processes hold at most 80 of PostgreSQL's default 100 connections


class ServerDatabaseError(Exception):
    """The database cannot be used as it is (unreachable, not migrated, newer than this server)."""


def default_url() -> str:
    from promptlab_tui.paths import app_paths

    folder = app_paths().data_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{folder / 'team-server.db'}"


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would pick psycopg2, which is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ServerDatabaseError(f"--db: not a database URL ({error})") from None
    if parsed.get_backend_name() == "sqlite":
        _private_file(parsed.database)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=8,
                               max_overflow=16)
        _sqlite_immediate(engine)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ServerDatabaseError(f"--db: expected sqlite:///FILE or postgresql+psycopg://…, got {redacted(url)}")
    # As many pooled connections as worker threads (app.py's WORKER_THREADS): a connection made per request
    # beyond the pool costs PostgreSQL a backend process. (A pre-ping would add a round trip per request.)
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=4, pool_recycle=1800)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        from promptlab_tui.server.ingest import stage_table

        stage_table(dbapi_connection)

    return engine


def single_statements(engine: Engine) -> Engine:
    """For one-statement reads and writes on PostgreSQL: autocommit, so no BEGIN and COMMIT round trips.

    (SQLite keeps its engine: its writers need the BEGIN IMMEDIATE that the begin event issues.)
    """
    if engine.dialect.name != "postgresql":
        return engine
    cached = engine.__dict__.get("_promptlab_autocommit")  # one derived engine per engine, sharing its pool
    if cached is None:
        cached = engine.__dict__["_promptlab_autocommit"] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return cached


def _private_file(database: str | None) -> None:
    """The server's SQLite file may hold prompts and answers: 0600 (SQLite gives -wal/-shm the same mode)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    import os

    path = Path(database)
    if path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)


def _sqlite_immediate(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config(connection: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> tuple[set[str], str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return {rev.revision for rev in script.walk_revisions()}, script.get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to the newest schema this server knows; refuses a database newer than that."""
    from alembic import command

    before = check_revision(engine, allow_behind=True)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    return before, known_revisions()[1]


def check_revision(engine: Engine, allow_behind: bool = False) -> str | None:
    try:
        revision = current_revision(engine)
    except Exception as error:  # noqa: BLE001 - driver errors differ; the message is what matters
        raise ServerDatabaseError(f"cannot open the database: {type(error).__name__}: {_first_line(error)}") from None
    known, head = known_revisions()
    if revision is not None and revision not in known:
        raise ServerDatabaseError(
            f"the database is at schema revision {revision}, newer than this server knows (up to {head}): "
            "upgrade promptlab before serving it")
    if revision != head and not allow_behind:
        state = "empty" if revision is None else f"at revision {revision}"
        raise ServerDatabaseError(f"the database is {state}, this server needs {head}: run `promptlab server migrate`")
    return revision


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0]
