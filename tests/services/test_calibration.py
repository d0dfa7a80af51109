"""Approximate counts (Claude) learn from the provider's reported input tokens, and do not drift back."""

from __future__ import annotations

from promptlab_tui.services.runner import RunService
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt

TEXT = "Summarise the following incident report in three bullet points, plainly. " * 20


def test_claude_estimates_converge_on_the_reported_input_tokens(fake_provider_env):
    actual_input = 777  # what the provider reports, far from the heuristic
    fake_provider_env.default = Behaviour.reply("ok", usage={"input_tokens": actual_input, "output_tokens": 5})
    spec = prompt(TEXT, model="claude-haiku-4-5")

    first = RunService().prepare_run(spec)
    assert not first.input_tokens.exact
    errors = []
    for _ in range(4):
        service = RunService()  # a new session each time: hints are read from history, not memory
        plan = service.prepare_run(spec)
        errors.append(abs(plan.input_tokens.tokens - actual_input))
        assert service.execute(plan).status == "completed"

    assert errors[0] > 50, "the heuristic should start visibly off for this test to mean anything"
    # After one recorded run the estimate lands on the reported count, and stays there run after run.
    assert all(error <= 2 for error in errors[1:]), errors
    assert RunService().prepare_run(spec).input_tokens.method == "approx:calibrated"


def test_the_pending_run_stores_the_uncalibrated_count_without_counting_the_prompt_again(fake_provider_env,
                                                                                          monkeypatch):
    from promptlab_tui.core import tokens
    from promptlab_tui.store.repository import HistoryRepository

    fake_provider_env.default = Behaviour.reply("ok", usage={"input_tokens": 777, "output_tokens": 5})
    spec = prompt(TEXT, model="claude-haiku-4-5")
    RunService().run(spec)  # one recorded run: the next count is calibrated
    uncalibrated = tokens.count_messages(spec.messages, spec.model).tokens

    plan = RunService().prepare_run(spec)
    assert plan.input_tokens.method == "approx:calibrated" and plan.input_tokens.tokens != uncalibrated
    assert plan.input_tokens.uncalibrated_tokens == uncalibrated

    def recount(*_args, **_kwargs):
        raise AssertionError("the prompt was counted again on the way to the provider")

    monkeypatch.setattr(tokens, "count_messages", recount)
    outcome = RunService().execute(plan)
    assert outcome.ok
    assert HistoryRepository().get_run(outcome.run_id).estimate_input_tokens == uncalibrated
