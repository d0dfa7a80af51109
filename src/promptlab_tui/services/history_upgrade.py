"""An older history file is upgraded before the app takes the terminal: a big history takes seconds, once,
and inside the app that would be a frozen screen with nothing said."""

from __future__ import annotations

from pathlib import Path


def older_history(path: Path) -> int | None:
    """The schema version of the history file at `path` when this promptlab must upgrade it; None when there is
    nothing to do, or a problem the app's own open explains (an unreadable, newer or damaged file)."""
    from promptlab_tui.store.dbfile import preflight
    from promptlab_tui.store.migrations import SCHEMA_VERSION

    try:
        version = preflight(path) if path.is_file() else 0
    except Exception:  # noqa: BLE001 - said by the app's own open, with what to do
        return None
    return version if 0 < version < SCHEMA_VERSION else None


def upgrade_notice(path: Path, version: int) -> str:
    from promptlab_tui.store.migrations import SCHEMA_VERSION

    return (f"promptlab: upgrading the history database {path} from schema {version} to {SCHEMA_VERSION} "
            "(once; a large history takes a few seconds)…")


def upgrade(path: Path) -> None:
    """Bring the file to this code's schema now (the app's own open reports any failure)."""
    from promptlab_tui.store.database import Database

    database = Database(path)
    try:
        database.open()
    except Exception:  # noqa: BLE001 - the app opens it again and says what is wrong
        pass
    finally:
        database.dispose()
