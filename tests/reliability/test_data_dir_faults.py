"""A damaged, newer, foreign, read-only or full history through the real `promptlab` CLI: a clear error naming
the file, a non-zero exit, no traceback, nothing sent to the provider, and the file left byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.paths import app_paths
from promptlab_tui.store.migrations import SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository

REPO_ROOT = Path(__file__).resolve().parents[2]
DROP_DAC = "-dac_override,-dac_read_search"  # root without these obeys permission bits like anyone else


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def prompt_file(folder: Path, words: int = 5) -> str:
    path = folder / "primes.md"
    path.write_text('+++\nmodel = "gpt-4o-mini"\nmax_tokens = 64\n+++\n' + "Name three primes. " * words + "\n")
    return str(path)


def seed_history(path: Path, runs: int = 40) -> None:
    repo = HistoryRepository(path)
    for i in range(runs):
        reservation = repo.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000,
                                                  prompt_name="seed", prompt_text=f"question {i} " * 20), None)
        repo.settle_run(reservation.run_id, Usage(input_tokens=11, output_tokens=6),
                        CostBreakdown(input_nanos=1_000, output_nanos=2_000), "completed", response_text="answer")
    repo.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_runs(path: Path) -> int:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM run").fetchone()[0]
    finally:
        connection.close()


# --- a database file promptlab cannot use --------------------------------------------------------------

def newer_schema(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE run (id TEXT PRIMARY KEY, shiny_new_column TEXT)")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(8).randbytes(16_384))


def header_then_garbage(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + random.Random(9).randbytes(8_000))


def truncated_history(path: Path) -> None:
    seed_history(path)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def someone_elses_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.execute("INSERT INTO invoices VALUES (1, 99.5)")
    connection.commit()
    connection.close()


DAMAGE = {"newer schema": (newer_schema, "made by a newer promptlab"),
          "random bytes": (random_bytes, "is not a SQLite database"),
          "header then garbage": (header_then_garbage, "is damaged"),
          "truncated": (truncated_history, "is damaged"),
          "someone else's": (someone_elses_database, "not a promptlab history")}
COMMANDS = (["history"], ["history", "--json"], ["budget", "show"], ["budget", "set", "--daily", "5"],
            ["alerts", "--ack", "all"], ["reprice", "--dry-run"], ["reprice"])


@pytest.mark.parametrize("damage", DAMAGE)
def test_an_unusable_database_is_refused_by_every_command_and_left_untouched(damage, capsys, tmp_path,
                                                                           fake_provider_env):
    make, reason = DAMAGE[damage]
    database = app_paths().database
    make(database)
    before = digest(database)
    for argv in (*COMMANDS, ["run", prompt_file(tmp_path)]):
        code, out, err = cli(capsys, *argv)
        assert code == 1 and str(database) in err and reason in err, (argv, err)
        assert "left untouched" in err or "nothing was changed" in err
    code, out, err = cli(capsys, "estimate", prompt_file(tmp_path))
    assert code == 0 and "history not used" in err and "worst case $" in out  # the estimate still works
    assert digest(database) == before
    assert fake_provider_env.requests == []
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_garbage_beside_a_good_history_loses_no_run(capsys, tmp_path, fake_provider_env):
    """A torn -wal or -shm file (a crash, a bad copy) is ignored by SQLite: every committed run is still there."""
    database = app_paths().ensure().database
    seed_history(database, runs=5)
    database.with_name(database.name + "-wal").write_bytes(random.Random(5).randbytes(10_000))
    database.with_name(database.name + "-shm").write_bytes(b"garbage")
    code, out, _ = cli(capsys, "history")
    assert code == 0 and "All time: 5 run(s)" in out
    assert cli(capsys, "run", prompt_file(tmp_path))[0] == 0 and count_runs(database) == 6


def test_a_folder_where_the_database_should_be_is_named(capsys, tmp_path, fake_provider_env):
    app_paths().database.mkdir()
    for argv in (["history"], ["run", prompt_file(tmp_path)]):
        code, _, err = cli(capsys, *argv)
        assert code == 1 and f"the history database path {app_paths().database} is not a file" in err
    assert fake_provider_env.requests == []


def test_a_data_folder_that_cannot_be_created_is_named(capsys, tmp_path, fake_provider_env):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for home in (blocker / "promptlab", blocker):
        for argv in (["history"], ["budget", "set", "--daily", "5"], ["run", prompt_file(tmp_path)]):
            code, _, err = cli(capsys, "--home", str(home), *argv)
            assert code == 1 and f"cannot create the folder {home}" in err and "--home" in err, err
    assert blocker.read_text() == "not a folder" and fake_provider_env.requests == []


# --- a read-only data folder or file (real permissions, also when the tests run as root) ------------------

def promptlab_process(*argv: str, env: dict[str, str], rlimit_fsize: int | None = None,
                      unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        prefix = [setpriv or "setpriv", f"--inh-caps={DROP_DAC}", f"--bounding-set={DROP_DAC}", "--"]
        probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
        if setpriv is None or probe.returncode != 0:
            pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE with setpriv")

    def limit_file_size() -> None:  # what a full disk does to a write: it fails, the process goes on
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (rlimit_fsize, rlimit_fsize))

    result = subprocess.run([*prefix, sys.executable, "-m", "promptlab_tui", *argv], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120, check=False,
                            preexec_fn=limit_file_size if rlimit_fsize else None)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def seeded_home(fake_provider_env) -> Path:
    database = app_paths().ensure().database
    seed_history(database)
    return database


def test_a_read_only_data_folder_gives_a_clear_error_and_keeps_the_history(seeded_home, tmp_path,
                                                                          fake_provider_env):
    before, folder = digest(seeded_home), seeded_home.parent
    files = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        for argv in (["history"], ["run", prompt_file(tmp_path)]):
            result = promptlab_process(*argv, env=dict(os.environ), unprivileged=True)
            assert result.returncode == 1 and str(folder) in result.stderr, result.stderr
            assert "read-only" in result.stderr and "--home" in result.stderr
        estimate = promptlab_process("estimate", prompt_file(tmp_path), env=dict(os.environ), unprivileged=True)
        assert estimate.returncode == 0 and "history not used" in estimate.stderr
    finally:
        folder.chmod(0o755)
    assert digest(seeded_home) == before and sorted(p.name for p in folder.iterdir()) == files
    assert fake_provider_env.requests == []


def test_a_read_only_database_file_gives_a_clear_error(seeded_home, tmp_path, fake_provider_env):
    before = digest(seeded_home)
    seeded_home.chmod(0o444)
    try:
        result = promptlab_process("budget", "set", "--daily", "5", env=dict(os.environ), unprivileged=True)
    finally:
        seeded_home.chmod(0o644)
    assert result.returncode == 1 and f"the history database {seeded_home} is read-only" in result.stderr
    assert digest(seeded_home) == before


# --- a full disk ------------------------------------------------------------------------------------------

def test_a_full_disk_refuses_the_run_before_the_call_and_loses_nothing(seeded_home, tmp_path, fake_provider_env):
    """The reservation of a long prompt cannot be written: the run is refused, the history stays readable."""
    before, runs = digest(seeded_home), count_runs(seeded_home)
    long_prompt = prompt_file(tmp_path, words=20_000)  # its text is stored with the run: far more than fits
    limit = max(65_536, seeded_home.stat().st_size // 2)
    result = promptlab_process("run", long_prompt, env=dict(os.environ), rlimit_fsize=limit)
    assert result.returncode == 1 and str(seeded_home) in result.stderr, result.stderr
    assert "full" in result.stderr and "nothing was written" in result.stderr and result.stdout == ""
    assert fake_provider_env.requests == []
    history = promptlab_process("history", "--limit", "1", env=dict(os.environ), rlimit_fsize=limit)
    assert history.returncode == 0 and f"All time: {runs} run(s)" in history.stdout
    assert digest(seeded_home) == before and count_runs(seeded_home) == runs
    # Space again: the same run goes through and is recorded once.
    again = promptlab_process("run", long_prompt, env=dict(os.environ))
    assert again.returncode == 0, again.stderr
    assert count_runs(seeded_home) == runs + 1 and len(fake_provider_env.requests) == 1


FILL_TMPFS_AND_RUN = """
set -e
mount -t tmpfs -o size=1m tmpfs "$1"
cp "$2" "$1/promptlab.db"
dd if=/dev/zero of="$1/filler" bs=1k count=$(( $(df -k --output=avail "$1" | tail -1) - 80 )) 2>/dev/null
set +e
PROMPTLAB_HOME="$1" "$3" -m promptlab_tui run "$4"
echo "exit=$?"
PROMPTLAB_HOME="$1" "$3" -m promptlab_tui history --limit 1
sha256sum "$1/promptlab.db"
"""


def test_a_really_full_disk_says_so(seeded_home, tmp_path, fake_provider_env):
    """ENOSPC from a tiny tmpfs mounted in a private mount namespace (needs root; it vanishes with the process)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("needs root and unshare to mount a tiny file system")
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    result = subprocess.run(["unshare", "-m", "sh", "-c", FILL_TMPFS_AND_RUN, "sh", str(mount_point), str(seeded_home),
                             sys.executable, prompt_file(tmp_path, words=20_000)],
                            env=dict(os.environ), cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert "Traceback" not in result.stderr and "exit=1" in result.stdout, result.stderr
    assert "the disk is full" in result.stderr and "nothing was written" in result.stderr
    assert f"All time: {count_runs(seeded_home)} run(s)" in result.stdout
    assert digest(seeded_home) in result.stdout  # the copy on the full disk is byte for byte the same
    assert fake_provider_env.requests == []
