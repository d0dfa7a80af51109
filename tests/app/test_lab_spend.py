"""While a run streams the Lab shows what it has cost so far; after each run, what this session has spent."""

from __future__ import annotations

from tests.app.conftest import lab_screen, settle
from tests.app.test_lab_cancel import _start_held_run
from tests.app.test_lab_run import history, type_and_run
from tests.fakeprovider.behaviours import Behaviour


async def test_a_streaming_run_shows_its_cost_so_far(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.core.pricing import cost_of_usage, load_pricing
    from promptlab_tui.core.types import Usage

    fake_provider_env.script(Behaviour.slow(0.1, " ".join(["word"] * 300)))  # chunks keep coming: counts follow
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lab = lab_screen(app)
        await _start_held_run(pilot, lab)
        bar = lab.results.run_bar
        for _ in range(1500):  # the runner counts the output about every 0.2 s
            await pilot.pause(0.02)
            if " tok · $" in bar.status:
                break
        status = bar.status
        await pilot.press("escape")
        await settle(pilot)
    [run] = history(isolated_home)
    tokens = int(status.split(" tok", 1)[0].lstrip("≈").replace(",", ""))
    price = load_pricing().resolve("gpt-4o-mini", "openai")
    expected = cost_of_usage(price, Usage(input_tokens=run.estimate_input_tokens, output_tokens=tokens)).total_nanos
    assert f"tok · {format_usd(expected)} · " in status


async def test_the_session_spend_adds_up_the_runs_of_this_session(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.core.money import format_usd

    fake_provider_env.default = Behaviour.reply()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        summary = lab_screen(app).results.summary_text
    total = sum(run.cost_nanos for run in history(isolated_home))
    assert f"This session: {format_usd(total)} over 2 runs" in summary
