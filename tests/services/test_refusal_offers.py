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
