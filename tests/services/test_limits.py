"""Budgets, caps and the capped run: refused with numbers and suggestions, or capped to what fits."""

from __future__ import annotations

import pytest

from promptlab_tui.core.budget import PromptTooLarge
from promptlab_tui.services.run_types import BudgetRefused, RunOptions
from promptlab_tui.services.runner import RunService
from promptlab_tui.services.session import SessionSpend
from tests.conftest import requires_vocab
from tests.services.conftest import prompt, set_budget


def _room_for(plan, output_tokens: int) -> int:
    """A limit with room for this plan's input and `output_tokens` of output, not for max tokens."""
    from promptlab_tui.core.pricing import worst_case_cost

    return worst_case_cost(plan.price, plan.input_tokens.tokens, output_tokens)


def test_hard_budget_refuses_with_the_numbers_and_what_to_do(service, fake_provider_env, history, monkeypatch):
    from promptlab_tui.providers.registry import BUILTIN_PROVIDERS

    for builtin in BUILTIN_PROVIDERS.values():  # a cheaper model is offered only where the user has a key
        if builtin.settings.api_key_env and builtin.settings.api_key_env not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            monkeypatch.setenv(builtin.settings.api_key_env, "sk-test-key")
    first = service.run(prompt())
    plan = service.prepare_run(prompt(max_tokens=4000))
    limit = first.cost_nanos + _room_for(plan, 1000)
    set_budget(daily_limit_nanos=limit)

    with pytest.raises(BudgetRefused) as caught:
        service.prepare_run(prompt(max_tokens=4000))
    refusal = caught.value
    assert refusal.scope == "daily"
    assert refusal.spent_nanos == first.cost_nanos and refusal.limit_nanos == limit
    assert refusal.worst_case_nanos == plan.worst_case_nanos and refusal.resets_at is not None
    assert refusal.capped_max_tokens == 1000  # exactly what fits
    text = "\n".join([str(refusal), *refusal.suggestions])
    assert "spent" in text and "raise the limit" in text and "wait for the reset" in text
    assert "lower max tokens to 1,000" in text and refusal.cheaper_model and refusal.cheaper_model in text
    assert f"--provider {refusal.cheaper_provider}" in text
    assert len(fake_provider_env.requests) == 1 and history.count_runs() == 1  # nothing sent, nothing written


def test_capped_run_is_offered_and_sends_the_capped_max_tokens(service, fake_provider_env, history):
    first = service.run(prompt())
    plan = service.prepare_run(prompt(max_tokens=4000))
    limit = first.cost_nanos + _room_for(plan, 500)
    set_budget(daily_limit_nanos=limit)

    with pytest.raises(BudgetRefused) as caught:
        service.prepare_run(prompt(max_tokens=4000))
    capped = caught.value.capped_plan
    assert capped.capped and capped.max_tokens == 500 and capped.requested_max_tokens == 4000
    outcome = service.execute(capped)
    assert outcome.ok and fake_provider_env.last_request.body["max_tokens"] == 500
    assert history.total_spend().cost_nanos <= limit

    accepted = service.prepare_run(prompt(max_tokens=4000), RunOptions(accept_capped=True))
    assert accepted.capped and accepted.max_tokens < 500  # the first two runs used some of the room


@requires_vocab  # exact counts: offline without the vocabularies they are approximate
def test_per_run_cap_refuses_a_run_whose_worst_case_may_pass_it(service, fake_provider_env):
    plan = service.prepare_run(prompt(max_tokens=2000))
    cap = _room_for(plan, 300)
    with pytest.raises(BudgetRefused) as caught:
        service.prepare_run(prompt(max_tokens=2000), RunOptions(max_cost_nanos=cap))
    assert caught.value.scope == "run" and caught.value.limit_nanos == cap
    assert caught.value.capped_max_tokens == 300
    assert "per-run cap" in str(caught.value)
    assert fake_provider_env.requests == []


def test_per_session_cap_spans_the_runs_of_one_session(fake_provider_env):
    probe = RunService().prepare_run(prompt(max_tokens=200))
    cap = probe.worst_case_nanos  # room for one run's worst case, not for two
    service = RunService(session=SessionSpend(cap))
    first = service.run(prompt(max_tokens=200))
    assert first.ok and first.session.spent_nanos == first.cost_nanos

    with pytest.raises(BudgetRefused) as caught:
        service.run(prompt(max_tokens=200))
    refusal = caught.value
    assert refusal.scope == "session" and refusal.spent_nanos == first.cost_nanos and refusal.limit_nanos == cap
    assert refusal.capped_max_tokens is not None and refusal.capped_max_tokens < 200
    assert RunService().prepare_run(prompt(max_tokens=200))  # another session starts from nothing


def test_budget_session_cap_applies_in_hard_mode(fake_provider_env):
    probe = RunService().prepare_run(prompt(max_tokens=200))
    set_budget(max_cost_per_session_nanos=probe.worst_case_nanos - 1)
    with pytest.raises(BudgetRefused) as caught:
        RunService().prepare_run(prompt(max_tokens=200))
    assert caught.value.scope == "session"


def test_a_concurrent_run_that_took_the_room_is_caught_at_reservation(service, fake_provider_env, history):
    spent = service.run(prompt(max_tokens=400)).cost_nanos  # every run of this prompt costs the same
    worst = service.prepare_run(prompt(max_tokens=400)).worst_case_nanos
    set_budget(daily_limit_nanos=worst + 2 * spent - 1)
    planned = service.prepare_run(prompt(max_tokens=400))  # fits now...
    other = RunService().run(prompt(max_tokens=400))  # ...until another session spends
    assert other.ok and other.cost_nanos == spent

    with pytest.raises(BudgetRefused) as caught:
        service.execute(planned)
    assert caught.value.scope == "daily" and caught.value.spent_nanos == 2 * spent
    assert caught.value.capped_plan is not None and caught.value.capped_plan.max_tokens < 400
    assert history.count_runs() == 2  # the refused run left no row


def test_warn_mode_runs_and_says_so(service, fake_provider_env):
    first = service.run(prompt())
    set_budget(daily_limit_nanos=first.cost_nanos, mode="warn")
    outcome = service.run(prompt())
    assert outcome.ok
    assert any("warn mode" in note for note in outcome.plan.notes + outcome.warnings)


def test_threshold_alerts_are_raised_once_per_period(service, fake_provider_env, history):
    probe = service.prepare_run(prompt(max_tokens=50))
    set_budget(daily_limit_nanos=probe.worst_case_nanos * 3, thresholds=(1, 100))
    first = service.run(prompt(max_tokens=50))
    assert [alert.threshold for alert in first.alerts] == [1]
    second = service.run(prompt(max_tokens=50))
    assert second.alerts == []  # already raised in this period
    assert [alert.threshold for alert in history.alerts()] == [1]
    assert second.budget_after and second.budget_after[0].spent_nanos == first.cost_nanos + second.cost_nanos


def test_prompt_over_max_tokens_per_prompt_is_refused_with_count_and_limit(service, fake_provider_env):
    set_budget(max_tokens_per_prompt=10)
    with pytest.raises(PromptTooLarge) as caught:
        service.prepare_run(prompt("a long prompt " * 20))
    refusal = caught.value
    assert refusal.limit == 10 and refusal.input_tokens > 10
    assert "tokens per prompt" in str(refusal) and refusal.suggestions
    assert fake_provider_env.requests == []

