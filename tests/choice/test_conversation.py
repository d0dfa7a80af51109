"""Conversations: three turns whose estimated input equals the provider's prompt_tokens, each a linked run."""

from __future__ import annotations

from promptlab_tui.core.promptfile import load_prompt_file, save_prompt_file
from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.services.conversation import Conversation, run_turn
from promptlab_tui.services.run_types import RunOptions
from promptlab_tui.services.runner import RunService
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

BASE = PromptSpec(messages=[], model="gpt-4o-mini", max_tokens=64, name="chat")
TURNS = [("Name three primes.", "2, 3 and 5."), ("And the next two?", "7 and 11."),
         ("Which of them is even?", "Only 2 is even.")]


@requires_vocab
def test_three_turns_each_estimate_counts_the_whole_conversation_as_the_provider_does(fake_provider_env):
    from promptlab_tui.core.pricing import load_pricing

    fake_provider_env.script(*(Behaviour.reply(answer) for _, answer in TURNS))
    service, pricing = RunService(), load_pricing()
    conversation = Conversation(system="You are terse.")
    estimates = []
    for index, (question, answer) in enumerate(TURNS):
        estimate = conversation.next_turn_estimate(question, BASE, pricing)
        outcome = run_turn(service, conversation, question, BASE, RunOptions())
        request = fake_provider_env.requests[index]
        assert outcome.ok and outcome.text == answer
        assert estimate.input.exact and estimate.input.tokens == request.usage["prompt_tokens"]  # the whole context
        assert outcome.plan.input_tokens.tokens == request.usage["prompt_tokens"]
        assert [m["role"] for m in request.body["messages"]] == ["system"] + ["user", "assistant"] * index + ["user"]
        estimates.append(estimate.input.tokens)
    assert estimates[0] < estimates[1] < estimates[2]  # each turn carries the ones before it
    assert [turn.input_tokens for turn in conversation.turns] == estimates
    history = HistoryRepository()
    assert conversation.turn_costs == [history.get_run(t.run_id).cost_nanos for t in conversation.turns]
    assert conversation.total_cost_nanos == history.total_spend().cost_nanos
    links = run_links.group(history.db, conversation.group_id)
    assert [(link.source, link.position) for link in links] == [("conversation", i) for i in range(3)]


def test_a_conversation_saves_and_opens_as_markdown_and_json(tmp_path):
    conversation = Conversation(system="You are terse.", history=[
        ChatMessage("user", "Name three primes."), ChatMessage("assistant", "2, 3 and 5.")])
    prompt = conversation.to_prompt("And the next two?", BASE)
    for name in ("chat.md", "chat.json"):
        loaded = load_prompt_file(save_prompt_file(prompt, tmp_path / name))
        assert loaded.messages == prompt.messages
        again, next_message = Conversation.from_prompt(loaded)
        assert again.history == conversation.history and next_message == "And the next two?"
        assert again.system == "You are terse."
    text = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert "[[messages]]" in text and text.endswith("+++\n\nAnd the next two?\n")
