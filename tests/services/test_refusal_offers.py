"""The budget refusal offers only what the user can take (issue 8, item 12)."""

from __future__ import annotations

import pytest

from promptlab_tui.providers.registry import BUILTIN_PROVIDERS
from promptlab_tui.services.model_choice import ModelChoice
from promptlab_tui.services.planning import cheaper_model
from promptlab_tui.services.runner import RunService
from tests.services.conftest import prompt


@pytest.fixture
def only_anthropic_key(fake_provider_env, monkeypatch):
    for builtin in BUILTIN_PROVIDERS.values():
        if builtin.settings.api_key_env:
            monkeypatch.delenv(builtin.settings.api_key_env, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-key")


def test_the_cheaper_model_is_one_whose_provider_has_a_key(only_anthropic_key):
    service = RunService()
    plan = service.prepare_run(prompt(model="gpt-4o", max_tokens=4000))
    roomy = cheaper_model(service.context, plan, plan.worst_case_nanos - 1)
    # before: gpt-4o's own provider came first although OPENAI_API_KEY is not set
    assert roomy["cheaper_provider"] == "anthropic"
    assert roomy["cheaper_label"].endswith("(anthropic)") and roomy["cheaper_worst_case_nanos"] < plan.worst_case_nanos
    tight = cheaper_model(service.context, plan, plan.worst_case_nanos // 40)  # only the llama-8b class fits
    assert tight.get("cheaper_provider") in (None, "anthropic")  # never Together/Groq/Cerebras without a key


def test_a_name_that_says_its_provider_is_not_repeated():
    assert ModelChoice("together", "llama-3.1-8b", "Llama 3.1 8B Turbo (Together)").label == \
        "Llama 3.1 8B Turbo (Together)"
    assert ModelChoice("openai", "gpt-4o-mini", "GPT-4o mini").label == "GPT-4o mini (openai)"


@pytest.mark.parametrize(("model", "temperature", "refused"), [
    ("gpt-4o-mini", 7.0, "temperature 7 is out of range for OpenAI: use 0 to 2"),
    ("gpt-4o-mini", -0.1, "use 0 to 2"),
    ("claude-haiku-4.5", 1.2, "out of range for Anthropic: use 0 to 1"),
    ("gpt-4o-mini", 1.2, None),
])
def test_temperature_outside_the_providers_range_is_bad_input(fake_provider_env, model, temperature, refused):
    # issue 8, item 16: 7 went out as 7.0 from the Lab
    from promptlab_tui.services.run_types import RunInputError

    spec = prompt(model=model)
    spec.temperature = temperature
    if refused is None:
        assert RunService().prepare_run(spec).prompt.temperature == temperature
        return
    with pytest.raises(RunInputError, match=refused.replace(".", r"\.")):
        RunService().prepare_run(spec)
    assert fake_provider_env.requests == []


def test_runs_are_stored_under_the_price_tables_name_and_the_preview_learns_from_them(fake_provider_env, history):
    # issue 8, item 17: the API id (claude-haiku-4-5) differs from the picker's name (claude-haiku-4.5)
    from tests.fakeprovider.behaviours import Behaviour

    fake_provider_env.default = Behaviour.reply("one two three four five six seven")
    service = RunService()
    outcome = service.run(prompt(model="claude-haiku-4.5"))
    assert fake_provider_env.last_request.body["model"] == "claude-haiku-4-5"  # sent as the API id
    (stored,) = history.recent_runs(5)
    assert stored.model == "claude-haiku-4.5" and stored.id == outcome.run_id
    stats = history.output_stats("claude-haiku-4.5")
    assert stats is not None and stats.count == 1
    again = RunService().prepare_run(prompt(model="claude-haiku-4-5", max_tokens=4000))  # asked by its API id
    assert again.estimate.expected_output_tokens == stored.output_tokens  # learnt from the stored run


def test_max_tokens_are_lowered_so_that_prompt_and_answer_fit_the_context_window(fake_provider_env):
    # issue 8, item 15: the window (128,000 for gpt-4o-mini) holds the input and the output
    plan = RunService().prepare_run(prompt(text="word " * 120_000, max_tokens=16_000))
    assert plan.input_tokens.tokens + plan.max_tokens == 128_000
    assert any("context window of 128,000 tokens holds the prompt and the answer" in n for n in plan.notes)
    assert plan.worst_case_nanos == plan.estimate.worst_cost_nanos
