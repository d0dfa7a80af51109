"""The opt-in response cache: an identical request is served from the history as a $0 run, with what it saved."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import run_json, write_prompt
from tests.fakeprovider.behaviours import Behaviour


def test_the_second_identical_request_costs_nothing_and_says_what_it_saved(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini", cache=True)
    code, (first,) = run_json(capsys, path)
    assert code == 0 and first["cache_hit"] is None and int(first["cost"]["total_nanos"]) > 0
    code, (second,) = run_json(capsys, path)
    assert code == 0 and second["text"] == "2, 3, 5" and second["cost_usd"] == "0"
    assert second["cache_hit"] == {"cache_of": first["run_id"], "saved_nanos": first["cost"]["total_nanos"],
                                   "saved_usd": first["cost_usd"]}
    assert len(fake_provider_env.requests) == 1  # the provider was asked once
    history = HistoryRepository()
    hit = history.get_run(second["run_id"])
    assert hit.status == "completed" and hit.cost_nanos == 0 and hit.response_text == "2, 3, 5"
    assert hit.source == "cache" and history.get_run(first["run_id"]).source == "run"
    link = run_links.get(history.db, second["run_id"])
    assert link.source == "cache" and link.cache_of == first["run_id"] and link.saved_nanos == first["cost"]["total_nanos"]
    assert history.total_spend().cost_nanos == first["cost"]["total_nanos"]  # the hit added $0

    assert main(["run", path]) == 0
    assert f"cache hit: the answer of run {first['run_id'][:8]}, $0 (saved {'$'}" in capsys.readouterr().err


def test_no_cache_and_a_different_request_ask_the_provider(fake_provider_env, tmp_path, capsys, isolated_home):
    (isolated_home / "config.toml").write_text("cache = true\n", encoding="utf-8")  # from the config this time
    fake_provider_env.default = Behaviour.reply("ok")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini")
    assert run_json(capsys, path)[0] == 0
    assert run_json(capsys, "--no-cache", path)[1][0]["cache_hit"] is None
    assert run_json(capsys, "--max-tokens", "65", path)[1][0]["cache_hit"] is None  # another request
    assert run_json(capsys, path)[1][0]["cache_hit"] is not None
    assert len(fake_provider_env.requests) == 3


def test_without_cache_nothing_is_served_from_history(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini")
    run_json(capsys, path)
    run_json(capsys, path)
    assert len(fake_provider_env.requests) == 2


def test_cache_hits_are_a_source_in_history_and_the_report(fake_provider_env, tmp_path, capsys):
    import json as _json

    fake_provider_env.default = Behaviour.reply("ok")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini", cache=True)
    run_json(capsys, path)
    run_json(capsys, path)
    assert main(["history", "--source", "cache", "--json"]) == 0
    data = _json.loads(capsys.readouterr().out)
    runs = data["runs"] if isinstance(data, dict) else data
    assert len(runs) == 1 and runs[0]["cost_nanos" if "cost_nanos" in runs[0] else "cost_usd"] in (0, "0")
