"""Prompt files that are not files, or far too big: refused at once with a clear message, never a hang or a
MemoryError; a big file that is allowed is counted in pieces, in memory bounded by a few times its size."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.processes import REPO_ROOT, process_env, run_promptlab


def _check_refused(result, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["run", "estimate"])
def test_a_device_is_refused_not_read_forever(command):
    result = run_promptlab(command, "/dev/zero", env=process_env({}), timeout=60)
    _check_refused(result, "/dev/zero", "regular file", "character device")


@pytest.mark.parametrize("command", ["run", "estimate"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(command, tmp_path):
    fifo = tmp_path / "prompt.fifo"
    os.mkfifo(fifo)
    result = run_promptlab(command, str(fifo), env=process_env({}), timeout=60)  # a hang fails here
    _check_refused(result, str(fifo), "regular file", "FIFO")


def test_a_file_over_the_configured_size_is_refused_with_the_setting_to_raise(tmp_path, isolated_home):
    (isolated_home / "config.toml").write_text("max_prompt_file_mb = 0.01\n")
    prompt = tmp_path / "big.txt"
    prompt.write_text("Summarise this. " * 2000)  # 32 KB
    for command in ("run", "estimate"):
        result = run_promptlab(command, str(prompt), env=process_env({}), timeout=60)
        _check_refused(result, str(prompt), "at most 10 KB", "max_prompt_file_mb", "got \"31 KB\"")


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "\"big\""])
def test_the_size_setting_is_checked(value, tmp_path, isolated_home):
    (isolated_home / "config.toml").write_text(f"max_prompt_file_mb = {value}\n")
    prompt = tmp_path / "p.txt"
    prompt.write_text("Hello.")
    result = run_promptlab("run", str(prompt), env=process_env({}), timeout=60)
    _check_refused(result, "config.toml", "max_prompt_file_mb", "expected a size in MB")


@pytest.mark.slow
def test_estimating_a_50_mb_prompt_peaks_under_four_times_its_size(tmp_path):
    line = "The quick brown fox jumps over the lazy dog, 42 times; then it rests.\n"
    prompt = tmp_path / "big.txt"
    prompt.write_text(line * (50 * 1024 * 1024 // len(line)))
    size = prompt.stat().st_size
    # A fresh parent whose only child is promptlab: RUSAGE_CHILDREN is then that child's peak.
    measure = ("import json, resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(json.dumps([done.returncode, done.stdout, done.stderr,"
               " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024]))\n")
    completed = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "promptlab_tui", "estimate",
                                "--json", str(prompt)], env=process_env({}), cwd=REPO_ROOT, capture_output=True,
                               text=True, timeout=300, check=True)
    code, out, err, peak = json.loads(completed.stdout)
    assert code == 0, err
    assert json.loads(out)["input_tokens"] > 10_000_000
    assert peak < 4 * size, f"peak {peak / 2**20:.0f} MB for a {size / 2**20:.0f} MB file"
