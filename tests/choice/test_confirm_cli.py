"""`confirm_above` (config): asked at a real terminal (a pty), refused with exit 3 without one, `--yes` skips."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.fixtures import FAKE_API_KEY


def _config(home, amount: str = "0.000001") -> None:
    (home / "config.toml").write_text(f"confirm_above = {amount}\n", encoding="utf-8")


def test_without_a_terminal_it_refuses_with_exit_3_and_says_to_add_yes(fake_provider_env, tmp_path, capsys,
                                                                       isolated_home):
    _config(isolated_home)
    code = main(["run", write_prompt(tmp_path, "p.md", model="gpt-4o-mini")])
    err = capsys.readouterr().err
    assert code == 3 and "above confirm_above $0.000001" in err and "add --yes to run it" in err
    assert fake_provider_env.requests == [] and HistoryRepository().count_runs() == 0


def test_yes_runs_without_asking(fake_provider_env, tmp_path, capsys, isolated_home):
    _config(isolated_home)
    fake_provider_env.script(Behaviour.reply("2, 3, 5"))
    assert main(["run", "--yes", write_prompt(tmp_path, "p.md", model="gpt-4o-mini")]) == 0
    assert capsys.readouterr().out == "2, 3, 5\n"


def test_below_the_threshold_nothing_is_asked(fake_provider_env, tmp_path, capsys, isolated_home):
    _config(isolated_home, "5")
    fake_provider_env.script(Behaviour.reply("ok"))
    assert main(["run", write_prompt(tmp_path, "p.md", model="gpt-4o-mini")]) == 0


def test_a_bad_confirm_above_is_bad_input_with_the_line(fake_provider_env, tmp_path, capsys, isolated_home):
    (isolated_home / "config.toml").write_text('theme = "x"\nconfirm_above = "lots"\n', encoding="utf-8")
    assert main(["run", write_prompt(tmp_path, "p.md", model="gpt-4o-mini")]) == 2
    assert "config.toml, line 2: confirm_above: expected an amount in USD such as 0.50, got 'lots'" in \
        capsys.readouterr().err


def _read_until(fd: int, wanted: bytes, seen: bytearray, deadline: float) -> bool:
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                return wanted in seen
            if not chunk:
                return wanted in seen
            seen += chunk
    return True


@pytest.mark.parametrize("answer, code, runs", [(b"y\n", 0, 1), (b"n\n", 3, 0)])
def test_at_a_terminal_it_shows_the_estimate_and_asks(fake_provider_env, tmp_path, isolated_home, answer, code, runs):
    _config(isolated_home)
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini")
    env = {**os.environ, **fake_provider_env.env(FAKE_API_KEY), "PROMPTLAB_HOME": str(isolated_home)}
    main_fd, child_fd = os.openpty()
    child = subprocess.Popen([sys.executable, "-m", "promptlab_tui", "run", path], stdin=child_fd, stdout=child_fd,
                             stderr=child_fd, env=env, close_fds=True)
    os.close(child_fd)
    seen = bytearray()
    try:
        assert _read_until(main_fd, b"Run it? [y/N] ", seen, time.monotonic() + 60), seen.decode(errors="replace")
        text = seen.decode()
        assert "gpt-4o-mini: expected $" in text and "worst case $" in text and "above confirm_above $0.000001" in text
        os.write(main_fd, answer)
        _read_until(main_fd, b"\x00never", seen, time.monotonic() + 60)  # until the child closes the terminal
        assert child.wait(timeout=60) == code
    finally:
        if child.poll() is None:
            child.kill()
        os.close(main_fd)
    assert len(fake_provider_env.requests) == runs
    if runs:  # the answer, with the live status line that `run` redraws at a terminal taken out
        import re

        assert b"2, 3, 5" in re.sub(rb"\r\x1b\[K(\[[^\]]*\])?", b"", bytes(seen))
    else:
        assert b"not confirmed" in seen


def _chain_config(home) -> None:
    # one request per model: the provider's own retries are tested elsewhere
    (home / "config.toml").write_text("confirm_above = 0.000001\nrequest_timeout_seconds = 2.0\n\n[retry]\n"
                                      "max_attempts = 1\nbase_delay_seconds = 0.01\n", encoding="utf-8")


def _chain_worst(text: str, max_tokens: int = 64) -> int:
    """By hand: gpt-4o ($2.50 in / $10 out per 1M) then gpt-4o-mini ($0.15 / $0.60), each at its worst case."""
    from tests.choice.helpers import prompt_tokens

    n = prompt_tokens(text)
    return (n * 2_500 + max_tokens * 10_000) + (n * 150 + max_tokens * 600)


@requires_vocab
def test_a_fallback_file_without_a_terminal_is_refused_and_names_the_chains_worst_case(fake_provider_env, tmp_path,
                                                                                      capsys, isolated_home):
    from promptlab_tui.core.money import format_usd

    _chain_config(isolated_home)
    path = write_prompt(tmp_path, "chain.md", "Name three primes.", model="gpt-4o", fallback=["gpt-4o-mini"])
    assert main(["run", path]) == 3
    err = capsys.readouterr().err
    assert "gpt-4o: expected $" in err and "above confirm_above $0.000001" in err and "add --yes to run it" in err
    worst = format_usd(_chain_worst("Name three primes."))
    assert f"fallback chain gpt-4o → gpt-4o-mini: worst case {worst} if every model is tried" in err
    assert fake_provider_env.requests == [] and HistoryRepository().count_runs() == 0


@requires_vocab
@pytest.mark.parametrize("answer, code, requests", [(b"y\n", 0, 2), (b"n\n", 3, 0)])
def test_a_fallback_file_at_a_terminal_asks_with_the_first_models_cost_and_the_chains_worst_case(
        fake_provider_env, tmp_path, isolated_home, answer, code, requests):
    from promptlab_tui.core.money import format_usd

    _chain_config(isolated_home)
    fake_provider_env.script(Behaviour.server_error(503), Behaviour.reply("2, 3, 5"))  # gpt-4o fails, the next answers
    path = write_prompt(tmp_path, "chain.md", "Name three primes.", model="gpt-4o", fallback=["gpt-4o-mini"])
    env = {**os.environ, **fake_provider_env.env(FAKE_API_KEY), "PROMPTLAB_HOME": str(isolated_home)}
    main_fd, child_fd = os.openpty()
    child = subprocess.Popen([sys.executable, "-m", "promptlab_tui", "run", path], stdin=child_fd, stdout=child_fd,
                             stderr=child_fd, env=env, close_fds=True)
    os.close(child_fd)
    seen = bytearray()
    try:
        assert _read_until(main_fd, b"Run it? [y/N] ", seen, time.monotonic() + 60), seen.decode(errors="replace")
        text = seen.decode()
        assert "gpt-4o: expected $" in text and "above confirm_above $0.000001" in text  # the first model's
        worst = format_usd(_chain_worst("Name three primes."))
        assert f"fallback chain gpt-4o → gpt-4o-mini: worst case {worst} if every model is tried" in text
        os.write(main_fd, answer)
        _read_until(main_fd, b"\x00never", seen, time.monotonic() + 60)  # until the child closes the terminal
        assert child.wait(timeout=60) == code
    finally:
        if child.poll() is None:
            child.kill()
        os.close(main_fd)
    assert [r.body["model"] for r in fake_provider_env.requests] == ["gpt-4o", "gpt-4o-mini"][:requests]
    if requests:
        assert b"fallback: answered by gpt-4o-mini after 1 failed attempt(s)" in bytes(seen)
    else:
        assert b"not confirmed" in seen and HistoryRepository().count_runs() == 0
