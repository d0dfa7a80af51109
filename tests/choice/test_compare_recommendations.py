"""The dashboard's recommendations use the better answers marked in compare mode."""

from __future__ import annotations

from promptlab_tui.services.compare import mark_better, run_compare
from promptlab_tui.services.context import ServiceContext
from promptlab_tui.services.dashboard import DashboardService
from promptlab_tui.services.run_types import RunOptions
from promptlab_tui.services.runner import RunService
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.services.test_dashboard import NOW, RUNS, record


def test_a_switch_backed_by_compare_marks_says_how_often_the_cheaper_model_won(fake_provider_env):
    from promptlab_tui.core.types import ChatMessage, PromptSpec

    fake_provider_env.default = Behaviour.reply("ok")
    repo = HistoryRepository()
    for run in RUNS:
        record(repo, *run)
    service = RunService(ServiceContext(repository=repo))
    prompt = PromptSpec(messages=[ChatMessage("user", "Summarise this.")], model="gpt-4o", max_tokens=64,
                        name="summarise")
    for winner in ("gpt-4o-mini", "gpt-4o-mini", "gpt-4o"):
        result = run_compare(service, prompt, ["gpt-4o", "gpt-4o-mini"], RunOptions())
        run_id = next(e.outcome.run_id for e in result.entries if e.model == winner)
        assert mark_better(service, result.group_id, run_id)
    dashboard = DashboardService(ServiceContext(repository=repo), clock=lambda: NOW)
    items = dashboard.recommendations(dashboard.period("month"), min_savings_nanos=0).items
    switch = next(r for r in items if r.kind == "switch_model" and r.prompt == "summarise")
    assert " on gpt-4o-mini " in switch.title
    assert switch.how.endswith("; on prompt summarise, gpt-4o-mini won 2 of 3 comparisons at 6 % of the cost")
