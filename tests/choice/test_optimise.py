"""Optimise with a model: the rewrite is a budgeted, recorded run; both versions come with tokens and costs."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from promptlab_tui.core.promptfile import load_prompt_file
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import prompt_tokens, tokens_of, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

LONG = ("Could you please be so kind as to write for me a short summary, in three bullet points, "
        "of the meeting notes that I am attaching below, thank you very much in advance.")
SHORT = "Summarise the attached meeting notes in three bullet points."


@requires_vocab
def test_the_rewrite_is_recorded_and_both_versions_are_priced_on_the_prompts_model(fake_provider_env, tmp_path,
                                                                                   capsys):
    fake_provider_env.script(Behaviour.reply(SHORT))
    path = write_prompt(tmp_path, "notes.md", LONG, model="gpt-4o", max_tokens=100)
    out_path = tmp_path / "notes-short.md"
    assert main(["optimise", "--json", "--write", str(out_path), path]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["original"]["input_tokens"] == prompt_tokens(LONG)
    assert data["shortened"]["input_tokens"] == prompt_tokens(SHORT) and data["shortened"]["text"] == SHORT
    assert data["saved_tokens"] == tokens_of(LONG) - tokens_of(SHORT) > 0
    # gpt-4o ($2.50/M in): the shortened prompt's worst case is cheaper by exactly the saved input tokens
    from decimal import Decimal

    saved_nanos = data["saved_tokens"] * 2_500
    assert Decimal(data["original"]["worst_case_usd"]) - Decimal(data["shortened"]["worst_case_usd"]) == \
        Decimal(saved_nanos) / 10**9
    request = fake_provider_env.last_request.body
    assert request["model"] == "gpt-4o-mini" and request["messages"][1]["content"] == LONG
    history = HistoryRepository()
    rewrite = history.get_run(data["rewrite"]["run_id"])
    assert rewrite.status == "completed" and rewrite.cost_nanos > 0 and rewrite.model == "gpt-4o-mini"
    assert run_links.get(history.db, rewrite.id).source == "optimise" and rewrite.source == "optimise"
    kept = load_prompt_file(out_path)
    assert kept.messages[-1].content == SHORT and kept.model == "gpt-4o" and kept.max_tokens == 100


def test_the_rewrite_is_refused_by_a_cap_before_its_call(fake_provider_env, tmp_path, capsys):
    path = write_prompt(tmp_path, "notes.md", LONG, model="gpt-4o")
    assert main(["optimise", "--max-cost", "0.000001", path]) == 3
    assert "per-run cap" in capsys.readouterr().err and fake_provider_env.requests == []
