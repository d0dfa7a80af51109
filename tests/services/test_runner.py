"""The run pipeline end to end: real SDKs against the fake provider, a real history database."""

from __future__ import annotations

import pytest

from promptlab_tui.core.types import Usage
from promptlab_tui.services.run_types import (
    RunCompleted, RunOptions, RunStarted, RunTextDelta, RunTokens)
from promptlab_tui.services.runner import RunService
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt


def _per_million(tokens: int, usd_per_million: str) -> int:
    """Independent arithmetic for the checks: nano-dollars = tokens x price x 1000 (prices with <= 3 decimals)."""
    from decimal import Decimal

    value = Decimal(tokens) * Decimal(usd_per_million) * 1000
    assert value == value.to_integral_value()
    return int(value)


@requires_vocab
def test_openai_run_records_exact_usage_and_cost_with_cached_tokens(service, fake_provider_env, history):
    fake_provider_env.script(Behaviour.reply("Two, three and five.", cached_tokens=8))
    outcome = service.run(prompt("Name three primes. " * 4))

    wire = fake_provider_env.last_request.usage
    cached = wire["prompt_tokens_details"]["cached_tokens"]
    assert cached == 8
    assert outcome.ok and outcome.text == "Two, three and five."
    assert outcome.usage == Usage(input_tokens=wire["prompt_tokens"] - cached, cached_input_tokens=cached,
                                  output_tokens=wire["completion_tokens"])
    # gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million tokens
    expected = (_per_million(wire["prompt_tokens"] - cached, "0.15") + _per_million(cached, "0.075")
                + _per_million(wire["completion_tokens"], "0.60"))
    assert outcome.cost_nanos == expected
    record = history.get_run(outcome.run_id)
    assert record.status == "completed" and record.cost_nanos == expected and not record.usage_estimated
    assert record.cached_input_tokens == cached and record.price_version == outcome.cost.price_version
    assert record.response_text == "Two, three and five."
    assert history.total_spend().cost_nanos == expected


@requires_vocab
def test_the_local_input_count_is_what_the_provider_bills(service, fake_provider_env):
    outcome = service.run(prompt())
    assert outcome.plan.input_tokens.exact
    assert outcome.plan.input_tokens.tokens == fake_provider_env.last_request.usage["prompt_tokens"]


def test_reasoning_tokens_are_billed_as_output_once(service, fake_provider_env):
    fake_provider_env.script(Behaviour.reply("42", reasoning_tokens=30))
    outcome = service.run(prompt(model="o4-mini", max_tokens=200))
    wire = fake_provider_env.last_request.usage
    assert outcome.usage.reasoning_tokens == 30
    assert outcome.usage.output_tokens == wire["completion_tokens"]  # includes the 30 reasoning tokens
    assert outcome.cost.output_nanos == _per_million(wire["completion_tokens"], "4.40")


def test_anthropic_run_records_cache_reads_and_writes_at_their_own_prices(service, fake_provider_env, history):
    fake_provider_env.script(Behaviour.reply("Primes: 2, 3, 5.", cached_tokens=20, cache_write_tokens=10,
                                             cache_write_1h_tokens=6))
    outcome = service.run(prompt("Name three primes, please, and be brief about it. " * 3,
                                 model="claude-haiku-4-5"))

    wire = fake_provider_env.last_request.usage
    assert fake_provider_env.last_request.api == "anthropic"
    assert outcome.usage == Usage(input_tokens=wire["input_tokens"], output_tokens=wire["output_tokens"],
                                  cached_input_tokens=20, cache_write_tokens=10, cache_write_1h_tokens=6)
    # Claude Haiku 4.5: $1 input, $0.10 cache read, $1.25 5-minute write, $2 1-hour write, $5 output
    expected = (_per_million(wire["input_tokens"], "1") + _per_million(20, "0.10") + _per_million(10, "1.25")
                + _per_million(6, "2") + _per_million(wire["output_tokens"], "5"))
    assert outcome.cost_nanos == expected
    assert history.get_run(outcome.run_id).cost_nanos == expected


def test_provider_reported_cost_is_kept_beside_the_computed_one(fake_provider_env, history, tmp_path):
    from promptlab_tui.config import AppConfig, ProviderSettings
    from promptlab_tui.services.context import ServiceContext

    config = AppConfig(providers={"openrouter": ProviderSettings(base_url=fake_provider_env.openai_base_url,
                                                                 api_key="sk-test-or")})
    service = RunService(ServiceContext(config=config))
    fake_provider_env.script(Behaviour.reply("ok", cost_usd="0.0000123"))
    outcome = service.run(prompt(model="openai/gpt-4o-mini"), RunOptions(provider="openrouter"))
    assert outcome.provider_cost_nanos == 12_300
    assert history.get_run(outcome.run_id).provider_cost_nanos == 12_300
    assert outcome.cost_nanos is not None


@requires_vocab  # exact counts: offline without the vocabularies they are approximate
def test_events_stream_in_order_and_the_request_carries_the_reserved_max_tokens(service, fake_provider_env):
    fake_provider_env.script(Behaviour.reply("one two three four five six"))
    events: list = []
    plan = service.prepare_run(prompt(max_tokens=77))
    outcome = service.execute(plan, events.append)

    assert isinstance(events[0], RunStarted) and events[0].plan is plan
    assert isinstance(events[-1], RunCompleted) and events[-1].outcome is outcome
    assert "".join(e.text for e in events if isinstance(e, RunTextDelta)) == outcome.text
    counts = [e for e in events if isinstance(e, RunTokens)]
    assert counts and counts[-1].output_tokens == outcome.usage.output_tokens
    assert fake_provider_env.last_request.body["max_tokens"] == 77 == plan.max_tokens


def test_estimate_is_reported_beside_the_actual(service, fake_provider_env):
    outcome = service.run(prompt())
    assert outcome.expected_nanos is not None and outcome.expected_nanos > 0
    assert outcome.estimate_error_pct == pytest.approx(
        (outcome.cost_nanos - outcome.expected_nanos) * 100 / outcome.expected_nanos)
    assert outcome.plan.worst_case_nanos >= outcome.cost_nanos


def test_history_improves_the_next_estimate(service, fake_provider_env, history):
    fake_provider_env.default = Behaviour.reply("short answer")
    first = service.run(prompt(max_tokens=1000))
    second = service.prepare_run(prompt(max_tokens=1000))
    assert first.usage.output_tokens < 100
    assert second.estimate.expected_output_tokens < 1000  # learnt from the first run, not max tokens
    assert history.output_stats(first.plan.model) is not None


def test_unpriced_model_runs_with_no_price_never_zero(service, fake_provider_env, history):
    outcome = service.run(prompt(model="my-private-finetune"), RunOptions(provider="openai"))
    assert outcome.ok and outcome.cost is None and outcome.cost_nanos is None
    assert any("no price" in note for note in outcome.plan.notes)
    record = history.get_run(outcome.run_id)
    assert record.status == "completed" and record.cost_nanos is None


def test_tracking_off_records_nothing(fake_provider_env, isolated_home):
    service = RunService(tracking=False)
    outcome = service.run(prompt())
    assert outcome.ok and outcome.cost_nanos > 0
    assert outcome.record is None and not outcome.recorded
    assert not (isolated_home / "promptlab.db").exists()


def test_a_missing_key_stops_the_run_before_it_is_reserved(fake_provider, history, monkeypatch):
    from promptlab_tui.providers.base import MissingApiKey

    monkeypatch.setenv("OPENAI_BASE_URL", fake_provider.openai_base_url)
    service = RunService()
    events: list = []
    with pytest.raises(MissingApiKey, match="OPENAI_API_KEY"):
        service.execute(service.prepare_run(prompt()), events.append)
    assert events == [] and fake_provider.requests == []
    assert history.count_runs() == 0  # no 'error' run of $0 left behind
    assert service.session.status().reserved_nanos == 0


def test_an_unknown_provider_stops_the_run_before_it_is_reserved(service, fake_provider_env, history):
    from promptlab_tui.providers.base import ProviderError

    with pytest.raises(ProviderError, match="Unknown provider 'nosuch'"):
        service.run(prompt(), RunOptions(provider="nosuch"))
    assert history.count_runs() == 0 and fake_provider_env.requests == []


def test_an_unpriced_run_that_failed_before_any_token_cost_nothing(service, fake_provider_env, history):
    fake_provider_env.script(Behaviour.server_error(status=400))
    outcome = service.run(prompt(model="my-private-finetune"), RunOptions(provider="openai"))
    assert outcome.status == "error" and outcome.usage.total_input_tokens == outcome.usage.output_tokens == 0
    assert outcome.cost_nanos == 0
    assert history.get_run(outcome.run_id).cost_nanos == 0
    assert history.total_spend().unpriced_runs == 0  # not "+ 1 run without a price"


def test_an_unpriced_run_that_spent_tokens_stays_without_a_price(service, fake_provider_env, history):
    fake_provider_env.script(Behaviour.broken(after_chunks=2))
    outcome = service.run(prompt(model="my-private-finetune"), RunOptions(provider="openai"))
    assert outcome.status == "error" and outcome.usage.output_tokens > 0
    assert outcome.cost is None and history.get_run(outcome.run_id).cost_nanos is None
    assert history.total_spend().unpriced_runs == 1
