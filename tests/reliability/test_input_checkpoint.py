"""A run killed mid-stream is billed the input the provider reported at the stream's start, not the estimate."""

from __future__ import annotations

import signal

import pytest

from promptlab_tui.core.pricing import cost_of_usage, load_pricing
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess
from tests.reliability.processes import process_env, run_promptlab, start_promptlab, wait_until, write_prompt

SLOW_ANSWER = " ".join(f"number{i}" for i in range(600))
QUESTION = "Count to a thousand, one number a line. " * 8 + "Thanks!"


def _checkpointed(repository: HistoryRepository):
    if not repository.path.exists():
        return None
    runs = repository.recent_runs()
    return runs[0] if runs and runs[0].checkpoint_output_tokens and runs[0].input_tokens else None


@pytest.mark.slow
def test_a_killed_anthropic_run_is_settled_with_the_input_from_message_start(tmp_path):
    prompt = write_prompt(tmp_path, "count.md", text=QUESTION, model="claude-haiku-4-5")
    repository = HistoryRepository()
    # 30 of the prompt's tokens are cache reads: billed at the cache price, which no local count can know.
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.05, text=SLOW_ANSWER, cached_tokens=30)) as fake:
        env = process_env(fake.env())
        process = start_promptlab("run", prompt, env=env)
        try:
            pending = wait_until(lambda: _checkpointed(repository), what="a run with its input checkpointed")
        finally:
            process.kill()
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        billed_input = fake.requests()[0]["usage"]["input_tokens"]
        assert pending.status == "pending" and pending.input_tokens == billed_input
        fake.set_default(Behaviour.reply("quick"))
        again = run_promptlab("run", prompt, env=env)
    assert again.returncode == 0, again.stderr
    killed = repository.get_run(pending.id)
    assert killed.status == "interrupted"
    assert killed.estimate_input_tokens != billed_input
    assert killed.input_tokens == billed_input and killed.cached_input_tokens == 30  # the provider's figures
    price = load_pricing().by_version(killed.price_version)
    assert killed.cost_nanos == cost_of_usage(price, killed.usage).total_nanos
    assert killed.output_tokens == killed.checkpoint_output_tokens > 0
