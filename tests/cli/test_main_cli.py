"""The entry point: --home, --version, and behaving like a Unix tool in a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _promptlab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "promptlab_tui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_home_option_puts_the_database_and_config_in_that_folder(tmp_path: Path) -> None:
    home = tmp_path / "project-history"
    done = _promptlab("--home", str(home), "budget", "set", "--daily", "2")
    assert done.returncode == 0, done.stderr
    assert (home / "promptlab.db").exists()
    shown = _promptlab("--home", str(home), "budget", "show")
    assert "$2.00" in shown.stdout


def test_history_piped_into_head_ends_without_a_traceback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seeded = subprocess.run([sys.executable, "-m", "bench.synthetic", "400", "--home", str(home)],
                            capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert seeded.returncode == 0, seeded.stderr
    pipeline = subprocess.run(f"{sys.executable} -m promptlab_tui --home {home} history --limit 400 --json | head -c 100",
                              shell=True, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr
    assert pipeline.stdout.startswith("{")
