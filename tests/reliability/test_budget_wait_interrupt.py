"""Ctrl-C while `promptlab run` waits for runs in flight stops it at once: exit 130, nothing reserved or sent."""

from __future__ import annotations

import signal

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess
from tests.reliability.processes import process_env, start_promptlab, write_prompt


@pytest.mark.slow
def test_ctrl_c_while_waiting_for_the_budget_exits_at_once(tmp_path):
    repository = HistoryRepository()
    # A run in flight in this (live) process holds almost the whole daily budget.
    repository.save_budget(BudgetSettings(daily_limit_nanos=2_000_000, timezone="UTC"))
    held = repository.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 1_999_000),
                                  repository.get_budget())
    prompt = write_prompt(tmp_path, "p.md", text="Say hi.", max_tokens=100)
    with FakeProviderProcess(default=Behaviour.reply("hi")) as fake:
        process = start_promptlab("run", "--wait-budget", "600", prompt, env=process_env(fake.env()))
        try:
            line = process.stderr.readline()  # the child says it is waiting: the readiness signal
            assert "waiting for 1 run to settle" in line, line
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)  # not the 600 s of the wait
        finally:
            if process.poll() is None:
                process.kill()
        requests = fake.requests()
    assert process.returncode == 130, err
    assert "Traceback" not in err and requests == []
    assert [run.id for run in repository.recent_runs()] == [held.run_id]  # nothing else was reserved
