"""Many `promptlab run` processes at once under one hard budget: the limit holds, every run is recorded once."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.pricing import load_pricing, worst_case_cost
from promptlab_tui.core.tokens import count_messages
from promptlab_tui.core.types import ChatMessage
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess
from tests.reliability.processes import process_env, start_promptlab, write_prompt

PROCESSES = 8
RUNS_PER_PROCESS = 5
MAX_TOKENS = 60
QUESTION = "Write a long story about budgets."
LONG_ANSWER = " ".join(f"story{i}" for i in range(400))  # cut by the fake at max tokens: every run costs ~its worst


@pytest.mark.slow
def test_concurrent_processes_never_pass_a_hard_limit_and_lose_nothing(tmp_path):
    price = load_pricing().resolve("gpt-4o-mini")
    input_tokens = count_messages([ChatMessage("user", QUESTION)], "gpt-4o-mini").tokens
    worst = worst_case_cost(price, input_tokens, MAX_TOKENS)
    limit = worst * 12 + worst // 3  # room for about a third of the 40 runs
    repository = HistoryRepository()
    repository.save_budget(BudgetSettings(daily_limit_nanos=limit, timezone="UTC"))

    files = [[write_prompt(tmp_path, f"p{p}-{r}.md", text=QUESTION, max_tokens=MAX_TOKENS)
              for r in range(RUNS_PER_PROCESS)] for p in range(PROCESSES)]
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.002, text=LONG_ANSWER)) as fake:
        env = process_env(fake.env())
        # half the processes take a capped run when the full one no longer fits
        processes = [start_promptlab("run", "--json", *(["--capped"] if p % 2 else []), *files[p], env=env)
                     for p in range(PROCESSES)]
        outputs = [process.communicate(timeout=300) for process in processes]
        requests = fake.requests()

    results = [json.loads(line) for out, _ in outputs for line in out.splitlines() if line.strip()]
    codes = Counter(process.returncode for process in processes)
    assert set(codes) <= {0, 3}, [err for _, err in outputs]
    completed = [r for r in results if r["status"] == "completed"]
    refused = [r for r in results if r["status"] == "refused"]
    assert len(completed) + len(refused) == len(results)
    assert refused, "the budget should have refused some runs"
    assert len(completed) >= 12  # the limit was used, not blocked early

    runs = list(repository.iter_runs())
    assert Counter(run.id for run in runs) == Counter(r["run_id"] for r in completed)  # each exactly once
    assert all(run.status == "completed" for run in runs)  # nothing left pending, nothing lost
    assert sum(run.cost_nanos for run in runs) <= limit
    assert sum(int(r["cost"]["total_nanos"]) for r in completed) == sum(run.cost_nanos for run in runs)
    assert len(requests) == len(completed)  # no request was sent for a refused run
    assert all(r["body"]["max_tokens"] <= MAX_TOKENS for r in requests)
    status = repository.budget_status(BudgetSettings(daily_limit_nanos=limit, timezone="UTC"))[0]
    assert status.reserved_nanos == 0 and status.spent_nanos <= limit
