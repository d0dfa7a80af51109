"""A cache hit costs $0: it is served even when the hard budget is used up, and confirm_above does not stop it."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from tests.choice.helpers import run_json, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour


def test_a_cache_hit_is_served_when_the_hard_budget_is_used_up(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok then")
    path = write_prompt(tmp_path, "cb.md", model="gpt-4o-mini", cache=True)
    code, (first,) = run_json(capsys, path)
    assert code == 0
    assert main(["budget", "set", "--daily", "0.000001", "--mode", "hard"]) == 0
    capsys.readouterr()
    assert main(["run", path]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ok then") and "refused" not in err
    assert f"cache hit: the answer of run {first['run_id'][:8]}, $0" in err
    assert "-100%" not in err  # nothing was billed: no estimate error
    assert len(fake_provider_env.requests) == 1
    assert main(["run", "--no-cache", path]) == 3  # a real call is still refused by the spent budget
    assert "refused: daily budget" in capsys.readouterr().err and len(fake_provider_env.requests) == 1


def test_confirm_above_does_not_ask_about_a_cache_hit(fake_provider_env, tmp_path, capsys, isolated_home):
    fake_provider_env.default = Behaviour.reply("ok then")
    path = write_prompt(tmp_path, "cc.md", model="gpt-4o-mini", cache=True)
    assert run_json(capsys, "--yes", path)[0] == 0
    (isolated_home / "config.toml").write_text("confirm_above = 0.0000001\n", encoding="utf-8")
    assert main(["run", path]) == 0  # no terminal here: an expensive run would be refused with exit 3
    out, err = capsys.readouterr()
    assert out.startswith("ok then") and "cache hit" in err and "--yes" not in err
    assert main(["run", "--no-cache", path]) == 3
    assert "add --yes" in capsys.readouterr().err


@requires_vocab
def test_an_auto_prompts_cache_hit_is_served_when_the_budget_leaves_auto_no_room(only_fake_keys, tmp_path, capsys):
    only_fake_keys.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "auto.md", "Name three primes.", model="auto", quality="medium", max_tokens=100,
                        cache=True)
    code, (first,) = run_json(capsys, path)
    assert code == 0 and first["model"] == "gpt-4o-mini"
    assert main(["budget", "set", "--daily", "0.000001", "--mode", "hard"]) == 0
    capsys.readouterr()
    code, (hit,) = run_json(capsys, path)
    assert code == 0 and hit["text"] == "2, 3, 5" and hit["cache_hit"]["cache_of"] == first["run_id"]
    assert len(only_fake_keys.requests) == 1
    assert main(["run", "--no-cache", path]) == 3  # without the cache, auto has no room: refused as before
    assert "the budget has left" in capsys.readouterr().err
