"""An older history file is upgraded before the app takes the terminal, with a line on stderr saying so (a big
history takes seconds, once: inside the app that would be a frozen screen with nothing said)."""

from __future__ import annotations

import sqlite3

from promptlab_tui.store.migrations import SCHEMA_VERSION


def _schema_8_home(home):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    repo.open()
    repo.close()
    connection = sqlite3.connect(home / "promptlab.db")
    connection.executescript("DROP TABLE daily_tag_model; DROP TABLE daily_source_model; PRAGMA user_version = 8;")
    connection.close()
    return home / "promptlab.db"


def _version(path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()


def test_an_older_history_is_upgraded_before_the_app_starts_and_says_so(isolated_home, capsys):
    from promptlab_tui.app import _upgrade_history_first

    path = _schema_8_home(isolated_home)
    _upgrade_history_first()
    err = capsys.readouterr().err
    assert err == (f"promptlab: upgrading the history database {path} from schema 8 to {SCHEMA_VERSION} "
                   "(once; a large history takes a few seconds)…\n")
    assert _version(path) == SCHEMA_VERSION
    _upgrade_history_first()  # current now: nothing said, nothing done
    assert capsys.readouterr().err == ""


def test_a_new_or_damaged_history_is_left_to_the_apps_own_open(isolated_home, capsys):
    from promptlab_tui.app import _upgrade_history_first

    _upgrade_history_first()  # no file yet: the app creates it
    assert not (isolated_home / "promptlab.db").exists()
    (isolated_home / "promptlab.db").write_bytes(b"not a database at all, not even close to one")
    _upgrade_history_first()  # the app's own open explains what is wrong with it
    assert capsys.readouterr().err == ""
    assert (isolated_home / "promptlab.db").read_bytes().startswith(b"not a database")
