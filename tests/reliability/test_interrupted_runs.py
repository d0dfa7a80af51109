"""A `promptlab run` killed with SIGKILL, or stopped with Ctrl-C, mid-stream: nothing already spent is lost."""

from __future__ import annotations

import os
import signal

import pytest

from promptlab_tui.core.pricing import cost_of_usage, load_pricing
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess
from tests.reliability.processes import process_env, run_promptlab, start_promptlab, wait_until, write_prompt

SLOW_ANSWER = " ".join(f"number{i}" for i in range(600))  # 600 chunks at 50 ms: half a minute if not stopped


def _checkpointed_run(repository: HistoryRepository):
    if not repository.path.exists():
        return None
    runs = repository.recent_runs()
    return runs[0] if runs and runs[0].checkpoint_output_tokens else None


@pytest.mark.slow
def test_sigkill_mid_stream_leaves_a_run_the_next_start_settles(tmp_path):
    prompt = write_prompt(tmp_path, "count.md")
    repository = HistoryRepository()
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.05, text=SLOW_ANSWER)) as fake:
        env = process_env(fake.env())
        process = start_promptlab("run", prompt, env=env)
        try:
            pending = wait_until(lambda: _checkpointed_run(repository), what="a checkpointed run")
        finally:
            process.kill()  # SIGKILL: no handler, no settling, no goodbye
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        assert repository.get_run(pending.id).status == "pending"

        fake.set_default(Behaviour.reply("quick"))
        again = run_promptlab("run", prompt, env=env)
    assert again.returncode == 0, again.stderr
    assert "settled 1 run" in again.stderr

    killed = repository.get_run(pending.id)
    assert killed.status == "interrupted" and killed.usage_estimated
    assert killed.input_tokens == killed.estimate_input_tokens > 0  # the input was billed in full
    assert killed.output_tokens == killed.checkpoint_output_tokens >= pending.checkpoint_output_tokens > 0
    price = load_pricing().by_version(killed.price_version)
    assert killed.cost_nanos == cost_of_usage(price, killed.usage).total_nanos > 0
    assert [r.status for r in repository.recent_runs()].count("completed") == 1


@pytest.mark.slow
def test_ctrl_c_mid_stream_exits_130_and_records_the_spend(tmp_path):
    prompt = write_prompt(tmp_path, "count.md")
    repository = HistoryRepository()
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.05, text=SLOW_ANSWER)) as fake:
        process = start_promptlab("run", prompt, env=process_env(fake.env()))
        try:
            wait_until(lambda: _checkpointed_run(repository), what="a checkpointed run")
            os.kill(process.pid, signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 130, err
    assert out.strip() and SLOW_ANSWER.startswith(out.strip())  # the part that arrived was shown
    assert "run cancelled" in err and "cost $" in err
    (record,) = repository.recent_runs(include_text=True)
    assert record.status == "cancelled" and record.usage_estimated and record.cost_nanos > 0
    assert record.input_tokens == record.estimate_input_tokens
    assert record.output_tokens >= record.checkpoint_output_tokens > 0
    assert record.response_text and SLOW_ANSWER.startswith(record.response_text.rstrip())
