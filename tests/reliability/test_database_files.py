"""The history file in odd states: empty (truncated to zero), a negative schema version, read-only then fixed."""

from __future__ import annotations

import os
import sqlite3

from promptlab_tui.paths import app_paths
from tests.reliability.test_data_dir_faults import cli, digest, prompt_file, promptlab_process, seed_history


def test_an_empty_database_file_is_refused_not_silently_recreated(capsys, tmp_path, fake_provider_env):
    database = app_paths().ensure().database
    assert cli(capsys, "budget", "set", "--daily", "0.01")[0] == 0
    database.write_bytes(b"")  # `: > promptlab.db`: the budget and every run are gone from the file
    for argv in (["run", prompt_file(tmp_path)], ["budget", "show"], ["budget", "set", "--daily", "5"],
                 ["history"]):
        code, out, err = cli(capsys, *argv)
        assert code == 1, (argv, out, err)
        assert str(database) in err and "empty" in err and "left untouched" in err
        assert "start a new history" in err  # says how to start over
    assert database.stat().st_size == 0
    assert fake_provider_env.requests == []


def test_a_negative_schema_version_is_a_clear_error_not_a_traceback(capsys, tmp_path, fake_provider_env):
    database = app_paths().ensure().database
    seed_history(database, runs=2)
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA user_version = -1")
    connection.commit()
    connection.close()
    before = digest(database)
    for argv in (["history"], ["run", prompt_file(tmp_path)]):
        code, out, err = cli(capsys, *argv)  # cli() asserts there is no traceback
        assert code == 1 and str(database) in err and "schema version -1" in err and "left untouched" in err
    assert digest(database) == before and fake_provider_env.requests == []


def test_a_read_only_database_leaves_no_read_only_sidecars_behind(tmp_path, fake_provider_env):
    database = app_paths().ensure().database
    seed_history(database, runs=2)
    sidecars = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
    database.chmod(0o444)
    try:
        refused = promptlab_process("history", env=dict(os.environ), unprivileged=True)
        assert refused.returncode == 1 and "read-only" in refused.stderr
        for sidecar in sidecars:
            assert not sidecar.exists() or os.access(sidecar, os.W_OK), oct(sidecar.stat().st_mode)
    finally:
        database.chmod(0o600)
    # The user made the file writable: everything works again.
    listed = promptlab_process("history", env=dict(os.environ), unprivileged=True)
    assert listed.returncode == 0 and "2 run(s)" in listed.stdout, listed.stderr
    ran = promptlab_process("run", prompt_file(tmp_path), env=dict(os.environ), unprivileged=True)
    assert ran.returncode == 0, ran.stderr
