"""The Lab shows "Waiting for 1 run to settle…" while another run holds its worst case, then runs."""

from __future__ import annotations

import threading

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.pricing import load_pricing, worst_case_cost
from promptlab_tui.core.tokens import count_messages
from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.services.run_types import RunOptions, RunStarted
from promptlab_tui.services.runner import RunService
from promptlab_tui.store.repository import HistoryRepository
from tests.app.conftest import lab_screen, settle
from tests.app.test_lab_run import PROMPT, history
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour
from tests.reliability.processes import wait_until

MAX_TOKENS = 1024  # the Lab's default


@requires_vocab
async def test_the_lab_waits_for_a_run_in_flight_and_says_so(make_app, fake_provider_env, isolated_home):
    fake_provider_env.default = Behaviour.reply("Hello, team.")
    spec = PromptSpec(messages=[ChatMessage("user", PROMPT)], model="gpt-4o-mini", max_tokens=MAX_TOKENS)
    worst = worst_case_cost(load_pricing().resolve("gpt-4o-mini"),
                            count_messages(spec.messages, "gpt-4o-mini").tokens, MAX_TOKENS)
    repository = HistoryRepository(isolated_home / "promptlab.db")
    repository.save_budget(BudgetSettings(daily_limit_nanos=worst + worst // 2, timezone="UTC"))
    release, done = threading.Event(), []

    def hold(event):
        if isinstance(event, RunStarted):
            release.wait(30)  # another window's run: reserved, held before it is sent

    other = threading.Thread(target=lambda: done.append(
        RunService().run(spec, RunOptions(wait_budget_s=0), on_event=hold)))
    other.start()
    try:
        wait_until(lambda: repository.in_flight_runs() == 1, timeout=30, what="the other run's reservation")
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            lab = lab_screen(app)
            await settle(pilot)
            await pilot.press(*PROMPT)
            await settle(pilot)
            await pilot.press("ctrl+r")
            for _ in range(500):
                await pilot.pause(0.02)
                if lab.results.run_bar.status.startswith("Waiting"):
                    break
            assert lab.results.run_bar.status == "Waiting for 1 run to settle…"
            release.set()
            await settle(pilot)
            assert "Done" in lab.results.summary_text
    finally:
        release.set()
        other.join(30)
    runs = history(isolated_home)
    assert [r.status for r in runs] == ["completed", "completed"]
    assert sum(r.cost_nanos for r in runs) <= worst + worst // 2
    repository.close()
