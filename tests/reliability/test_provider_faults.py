"""The provider misbehaves: every run still ends with a clear error (or a retry) and its spend recorded."""

from __future__ import annotations

import threading

import pytest

from promptlab_tui.core.pricing import cost_of_usage
from promptlab_tui.core.tokens import count_text
from promptlab_tui.services.run_types import RunTextDelta
from promptlab_tui.services.runner import RunService
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt

LONG_TEXT = " ".join(f"word{i}" for i in range(120))


@pytest.fixture
def fast_retries(isolated_home):
    """Retries without long waits, and a short request timeout (the config file, as a user would set it)."""
    (isolated_home / "config.toml").write_text(
        "request_timeout_seconds = 1.0\n\n[retry]\nmax_attempts = 3\nbase_delay_seconds = 0.01\n"
        "max_total_wait_seconds = 2.0\n", encoding="utf-8")


@pytest.fixture
def service(fake_provider_env, fast_retries) -> RunService:
    return RunService()


def _record(outcome):
    return HistoryRepository().get_run(outcome.run_id)


def _assert_billed_from_partial(outcome, partial_text: str) -> None:
    """Input billed in full (counted locally), output from the partial text, marked estimated."""
    record = _record(outcome)
    assert record.usage_estimated and outcome.usage.estimated
    assert record.input_tokens == outcome.plan.input_tokens.tokens > 0
    assert record.output_tokens == count_text(partial_text, outcome.plan.model).tokens > 0
    assert record.cost_nanos == cost_of_usage(outcome.plan.price, record.usage).total_nanos > 0


def test_429_with_retry_after_is_retried_and_recorded_once(service, fake_provider_env):
    fake_provider_env.script(Behaviour.rate_limited(retry_after="0.01"), Behaviour.reply("after the wait"))
    outcome = service.run(prompt())
    assert outcome.ok and outcome.text == "after the wait"
    assert [r.status for r in fake_provider_env.requests] == [429, 200]
    assert HistoryRepository().count_runs() == 1 and _record(outcome).status == "completed"


def test_429_that_persists_fails_clearly_and_costs_nothing(service, fake_provider_env):
    fake_provider_env.script(Behaviour.rate_limited(retry_after="0.01", times=5))
    outcome = service.run(prompt())
    assert outcome.status == "error" and "rate limit" in outcome.error_message
    assert "attempts" in outcome.error_message
    assert len(fake_provider_env.requests) == 3  # max_attempts from the config
    record = _record(outcome)
    assert record.status == "error" and record.cost_nanos == 0 and "rate limit" in record.error


def test_500_is_retried_then_reported(service, fake_provider_env):
    fake_provider_env.script(Behaviour.server_error(500, times=5))
    outcome = service.run(prompt())
    assert outcome.status == "error" and "server error" in outcome.error_message
    assert _record(outcome).status == "error" and _record(outcome).cost_nanos == 0


def test_500_then_success_completes(service, fake_provider_env):
    fake_provider_env.script(Behaviour.server_error(502), Behaviour.reply("recovered"))
    outcome = service.run(prompt())
    assert outcome.ok and outcome.text == "recovered"


def test_timeout_is_a_clear_error_and_recorded(fake_provider_env, isolated_home):
    (isolated_home / "config.toml").write_text("request_timeout_seconds = 0.3\n\n[retry]\nmax_attempts = 1\n",
                                               encoding="utf-8")
    fake_provider_env.script(Behaviour.reply("late", first_byte_delay=5.0))
    outcome = RunService().run(prompt())
    assert outcome.status == "error" and "timed out" in outcome.error_message
    assert _record(outcome).status == "error"


def test_malformed_json_mid_stream_keeps_the_partial_run(service, fake_provider_env):
    fake_provider_env.script(Behaviour.malformed(after_chunks=2, text=LONG_TEXT))
    outcome = service.run(prompt())
    assert outcome.status == "error" and "malformed" in outcome.error_message
    assert outcome.text and LONG_TEXT.startswith(outcome.text)
    _assert_billed_from_partial(outcome, outcome.text)


def test_stream_that_stops_midway_is_billed_from_what_arrived(service, fake_provider_env):
    fake_provider_env.script(Behaviour.broken(after_chunks=3, text=LONG_TEXT))
    outcome = service.run(prompt())
    assert outcome.status == "error" and "broke" in outcome.error_message
    assert outcome.text and LONG_TEXT.startswith(outcome.text) and outcome.text != LONG_TEXT
    _assert_billed_from_partial(outcome, outcome.text)


def test_anthropic_stream_that_breaks_keeps_the_reported_input(service, fake_provider_env):
    fake_provider_env.script(Behaviour.broken(after_chunks=3, text=LONG_TEXT, cached_tokens=4))
    outcome = service.run(prompt("Count, slowly and for a while please.", model="claude-haiku-4-5"))
    assert outcome.status == "error"
    record = _record(outcome)
    assert record.usage_estimated and record.output_tokens > 0
    # message_start came before the break: its input figures (cache reads apart) are kept, not re-counted
    assert record.cached_input_tokens == 4 and record.input_tokens > 0
    assert record.cost_nanos == cost_of_usage(outcome.plan.price, record.usage).total_nanos > 0


def test_missing_usage_is_counted_locally_and_marked_estimated(service, fake_provider_env):
    fake_provider_env.script(Behaviour.no_usage("An answer with no usage at all."))
    outcome = service.run(prompt())
    assert outcome.ok and outcome.usage.estimated
    record = _record(outcome)
    assert record.status == "completed" and record.usage_estimated
    assert record.input_tokens == outcome.plan.input_tokens.tokens
    assert record.output_tokens == count_text("An answer with no usage at all.", "gpt-4o-mini").tokens
    assert record.cost_nanos == cost_of_usage(outcome.plan.price, record.usage).total_nanos


def test_cancel_mid_stream_records_what_was_spent(service, fake_provider_env):
    fake_provider_env.script(Behaviour.slow(chunk_delay=0.02, text=LONG_TEXT))
    cancel = threading.Event()
    deltas: list[str] = []

    def on_event(event):
        if isinstance(event, RunTextDelta):
            deltas.append(event.text)
            if len(deltas) == 3:
                cancel.set()

    outcome = service.run(prompt(), on_event=on_event, cancel=cancel)
    assert outcome.status == "cancelled" and not outcome.interrupted
    assert outcome.text and outcome.text != LONG_TEXT
    record = _record(outcome)
    assert record.status == "cancelled" and record.cost_nanos > 0
    assert record.input_tokens == outcome.plan.input_tokens.tokens


def test_ctrl_c_mid_stream_records_what_was_spent(service, fake_provider_env):
    fake_provider_env.script(Behaviour.slow(chunk_delay=0.02, text=LONG_TEXT))
    deltas: list[str] = []

    def on_event(event):
        if isinstance(event, RunTextDelta):
            deltas.append(event.text)
            if len(deltas) == 2:
                raise KeyboardInterrupt

    outcome = service.run(prompt(), on_event=on_event)
    assert outcome.interrupted and outcome.status == "cancelled"
    _assert_billed_from_partial(outcome, outcome.text)


def test_a_bug_in_the_caller_still_settles_the_run(service, fake_provider_env):
    def on_event(event):
        if isinstance(event, RunTextDelta):
            raise RuntimeError("the UI fell over")

    with pytest.raises(RuntimeError):
        service.run(prompt(), on_event=on_event)
    (record,) = HistoryRepository().recent_runs()
    assert record.status == "error" and record.cost_nanos > 0 and "the UI fell over" in record.error
