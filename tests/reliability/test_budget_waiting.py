"""30 racing `promptlab run`s under a hard budget that fits exactly N runs at their actual cost: with waiting
on, exactly N complete (none is refused for the others' worst cases) and the limit is never passed."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.pricing import cost_of_usage, load_pricing, worst_case_cost
from promptlab_tui.core.tokens import count_messages, count_text
from promptlab_tui.core.types import ChatMessage, Usage
from promptlab_tui.store.repository import HistoryRepository
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess
from tests.reliability.processes import process_env, start_promptlab, write_prompt

RUNS = 30
FITS = 10  # N
MAX_TOKENS = 300  # the reserved worst case: far above the answer's few tokens
QUESTION = "Say something short."
ANSWER = "Short and sweet."


@requires_vocab
@pytest.mark.slow
def test_thirty_racing_runs_complete_exactly_the_n_that_fit_at_actual_cost(tmp_path):
    price = load_pricing().resolve("gpt-4o-mini")
    input_tokens = count_messages([ChatMessage("user", QUESTION)], "gpt-4o-mini").tokens
    actual = cost_of_usage(price, Usage(input_tokens=input_tokens,
                                        output_tokens=count_text(ANSWER, "gpt-4o-mini").tokens)).total_nanos
    worst = worst_case_cost(price, input_tokens, MAX_TOKENS)
    assert worst > 5 * actual  # reservations alone would block most runs
    limit = (FITS - 1) * actual + worst  # the N-th run's worst case fits exactly; an (N+1)-th never does
    settings = BudgetSettings(daily_limit_nanos=limit, timezone="UTC")
    repository = HistoryRepository()
    repository.save_budget(settings)

    files = [write_prompt(tmp_path, f"p{i}.md", text=QUESTION, max_tokens=MAX_TOKENS) for i in range(RUNS)]
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.05, text=ANSWER)) as fake:
        env = process_env(fake.env())
        processes = [start_promptlab("run", "--json", "--wait-budget", "240", path, env=env) for path in files]
        outputs = [process.communicate(timeout=600) for process in processes]
        requests = fake.requests()

    results = [json.loads(line) for out, _ in outputs for line in out.splitlines() if line.strip()]
    codes = Counter(process.returncode for process in processes)
    assert set(codes) <= {0, 3}, [err for _, err in outputs]
    completed = [r for r in results if r["status"] == "completed"]
    assert len(completed) == FITS, (codes, [err for _, err in outputs if err][:3])
    assert codes == Counter({0: FITS, 3: RUNS - FITS})
    assert all(int(r["cost"]["total_nanos"]) == actual for r in completed)
    assert len(requests) == FITS  # nothing was sent for a refused run
    runs = list(repository.iter_runs())
    assert len(runs) == FITS and all(run.status == "completed" for run in runs)
    status = repository.budget_status(settings)[0]
    assert status.reserved_nanos == 0 and status.spent_nanos == FITS * actual <= limit
    assert any("waiting for" in err for _, err in outputs)  # some runs did wait for others to settle
