"""Prompts and answers are the user's only: the data folder 0700, the database and its sidecars 0600."""

from __future__ import annotations

import stat

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.store.repository import HistoryRepository


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_history_is_private(tmp_path, monkeypatch, capsys):
    home = tmp_path / "fresh" / "promptlab"
    monkeypatch.setenv("PROMPTLAB_HOME", str(home))
    assert main(["budget", "set", "--daily", "5"]) == 0
    capsys.readouterr()
    repository = HistoryRepository()
    repository.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000, prompt_text="secret"),
                           None)  # connections open: -wal and -shm exist now
    database = home / "promptlab.db"
    sidecars = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
    assert all(s.exists() for s in sidecars)
    assert _mode(home) == 0o700
    assert _mode(database) == 0o600 and [_mode(s) for s in sidecars] == [0o600, 0o600]
    repository.close()


def test_an_existing_world_readable_history_is_made_private(tmp_path):
    database = tmp_path / "promptlab.db"
    HistoryRepository(database).open().close()
    database.chmod(0o644)  # as an older promptlab left it
    repository = HistoryRepository(database)
    repository.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000), None)
    assert _mode(database) == 0o600
    assert _mode(database.with_name("promptlab.db-wal")) == 0o600
    repository.close()
