"""Fallback chains against the fake provider: failing models are each a recorded, costed, linked run."""

from __future__ import annotations

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.money import usd_string
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import prompt_tokens, run_json, tokens_of, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

CHAIN = ["claude-sonnet-4.5", "gpt-4o-mini"]


@pytest.fixture(autouse=True)
def one_try_each(isolated_home):
    # The provider's own retries are tested elsewhere; here each model gets one request.
    (isolated_home / "config.toml").write_text("request_timeout_seconds = 2.0\n\n[retry]\nmax_attempts = 1\n"
                                               "base_delay_seconds = 0.01\n", encoding="utf-8")


@requires_vocab
def test_the_next_model_answers_after_a_429_and_a_500_each_attempt_recorded_and_linked(fake_provider_env, tmp_path,
                                                                                        capsys):
    fake_provider_env.script(Behaviour.rate_limited(retry_after="0.01"), Behaviour.server_error(500),
                             Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "chain.md", "Name three primes.", model="gpt-4o", fallback=CHAIN)
    code, (result,) = run_json(capsys, path)
    assert code == 0 and result["status"] == "completed" and result["model"] == "gpt-4o-mini"
    chain = result["fallback"]
    assert chain["answered_by"] == "gpt-4o-mini" and chain["chain"] == ["gpt-4o", *CHAIN]
    assert [(a["model"], a["status"]) for a in chain["attempts"]] == [
        ("gpt-4o", "error"), ("claude-sonnet-4.5", "error"), ("gpt-4o-mini", "completed")]
    assert [r.path for r in fake_provider_env.requests] == ["/v1/chat/completions", "/v1/messages",
                                                            "/v1/chat/completions"]
    history = HistoryRepository()
    runs = {a["run_id"]: history.get_run(a["run_id"]) for a in chain["attempts"]}
    assert all(run is not None for run in runs.values())  # each attempt is a run of its own
    answered = runs[chain["attempts"][2]["run_id"]]
    by_hand = prompt_tokens("Name three primes.") * 150 + tokens_of("2, 3, 5") * 600
    assert answered.cost_nanos == by_hand and [runs[a["run_id"]].cost_nanos for a in chain["attempts"][:2]] == [0, 0]
    assert chain["total_cost_usd"] == usd_string(by_hand) == usd_string(history.total_spend().cost_nanos)
    links = run_links.group(history.db, chain["group_id"])
    assert [(link.source, link.position) for link in links] == [("fallback", 0), ("fallback", 1), ("fallback", 2)]
    assert [link.run_id for link in links] == [a["run_id"] for a in chain["attempts"]]


def test_text_mode_says_what_failed_and_which_model_answered(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.server_error(503), Behaviour.reply("ok"))
    path = write_prompt(tmp_path, "chain.md", model="gpt-4o", fallback=["gpt-4o-mini"])
    assert main(["run", path]) == 0
    captured = capsys.readouterr()
    assert captured.out == "ok\n"
    assert "promptlab run: gpt-4o: error, cost $0.00 (" in captured.err and "; trying gpt-4o-mini" in captured.err
    assert "fallback: answered by gpt-4o-mini after 1 failed attempt(s): gpt-4o: error" in captured.err


def test_an_error_that_is_the_prompts_fault_stops_the_chain(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.error(400, "max_tokens is too large"))
    path = write_prompt(tmp_path, "chain.md", model="gpt-4o", fallback=CHAIN)
    code, (result,) = run_json(capsys, path)
    assert code == 4 and len(result["fallback"]["attempts"]) == 1 and len(fake_provider_env.requests) == 1


def test_a_model_the_budget_refuses_is_skipped_before_its_call(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.reply("ok"))
    path = write_prompt(tmp_path, "chain.md", model="gpt-4o", max_tokens=1000, fallback=["gpt-4o-mini"])
    # gpt-4o's worst case (1,000 x $10/M = $0.01 of output) is over the per-run cap; gpt-4o-mini's is not.
    code, (result,) = run_json(capsys, "--max-cost", "0.005", path)
    assert code == 0 and result["fallback"]["answered_by"] == "gpt-4o-mini"
    assert [(a["model"], a["status"], a["run_id"]) for a in result["fallback"]["attempts"]][0] == \
        ("gpt-4o", "refused", None)
    assert len(fake_provider_env.requests) == 1 and HistoryRepository().count_runs() == 1


def test_every_model_refused_exits_3(fake_provider_env, tmp_path, capsys):
    HistoryRepository().save_budget(BudgetSettings(timezone="UTC", daily_limit_nanos=1_000))
    path = write_prompt(tmp_path, "chain.md", model="gpt-4o", fallback=["gpt-4o-mini"])
    code = main(["run", path])
    assert code == 3 and "no model of the fallback chain answered" in capsys.readouterr().err
    assert fake_provider_env.requests == []
