"""A batch stopped by confirm_above (no terminal to ask) says the file was not confirmed, not refused by a limit."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from tests.choice.helpers import write_prompt
from tests.fakeprovider.behaviours import Behaviour


def test_the_summary_says_not_confirmed_and_that_yes_runs_it(fake_provider_env, tmp_path, capsys, isolated_home):
    fake_provider_env.default = Behaviour.reply("ok")
    folder = tmp_path / "batch"
    folder.mkdir()
    write_prompt(folder, "a.md", "Name one ocean.", model="gpt-4o-mini")
    big = write_prompt(folder, "b.md", "Name two colours.", model="gpt-4o", max_tokens=2000)
    last = write_prompt(folder, "c.md", "Name three primes.", model="gpt-4o-mini")
    (isolated_home / "config.toml").write_text("confirm_above = 0.001\n", encoding="utf-8")  # b.md is above it
    assert main(["run", str(folder)]) == 3  # no terminal here
    err = capsys.readouterr().err
    assert f"not run  {big}  (not confirmed: its expected cost is above confirm_above; --yes runs it)" in err
    assert "could pass the limit" not in err
    assert f"not run  {last}  (not reached)" in err
    assert len(fake_provider_env.requests) == 1


def test_a_limit_still_reads_as_a_refusal(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    folder = tmp_path / "batch"
    folder.mkdir()
    first = write_prompt(folder, "a.md", "Name one ocean.", model="gpt-4o", max_tokens=2000)
    write_prompt(folder, "b.md", "Name two colours.", model="gpt-4o-mini")
    assert main(["run", "--max-total-cost", "0.0001", str(folder)]) == 3
    assert f"not run  {first}  (refused: it could pass the limit)" in capsys.readouterr().err
