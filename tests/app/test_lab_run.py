"""Journeys against the fake provider: run and see actual vs estimate, cancel, missing key, refusals."""

from __future__ import annotations

from datetime import UTC

from tests.app.conftest import lab_screen, seed_budget, seed_spend, settle
from tests.fakeprovider.behaviours import DEFAULT_TEXT, Behaviour

PROMPT = "Say hello to the team"


def history(home):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        return repo.recent_runs(10)
    finally:
        repo.close()


async def type_and_run(pilot, text: str = PROMPT) -> None:
    await settle(pilot)
    await pilot.press(*text)
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def test_run_streams_and_shows_actual_beside_estimate(make_app, fake_provider_env, isolated_home):
    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        lab = lab_screen(app)
        assert lab.results.answer_text == DEFAULT_TEXT
        summary = lab.results.summary_text
        assert "Done" in summary
        assert "Actual $" in summary and "vs est. $" in summary and "%" in summary
        assert not lab.running and lab.check_action("run", ()) is True
    [run] = history(isolated_home)
    assert run.status == "completed" and run.cost_nanos and run.cost_nanos > 0
    assert fake_provider_env.last_request.body["max_tokens"] == 1024 or \
        fake_provider_env.last_request.body.get("max_completion_tokens") == 1024


async def test_run_without_a_key_says_which_key_is_missing(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*PROMPT)
        await settle(pilot)
        await pilot.click("#run-bar", offset=(2, 0))  # the Run button, by mouse
        await settle(pilot)
        summary = lab_screen(app).results.summary_text
        assert "OPENAI_API_KEY" in summary
        assert "export OPENAI_API_KEY" in summary
    assert history(isolated_home) == []  # nothing reserved, nothing recorded


async def test_escape_cancels_a_streaming_run_and_records_it(make_app, fake_provider_env, isolated_home):
    fake_provider_env.script(Behaviour.slow(chunk_delay=0.3, text=" ".join(["word"] * 60)))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*PROMPT)
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.check_action("cancel_run", ()) is None  # greyed while idle
        await pilot.press("ctrl+r")
        for _ in range(500):  # poll until the first words arrive
            await pilot.pause(0.02)
            if lab.results.answer_text:
                break
        assert lab.running and lab.check_action("run", ()) is None
        await pilot.press("escape")
        await settle(pilot)
        assert "Cancelled" in lab.results.summary_text
        assert not lab.running
    [run] = history(isolated_home)
    assert run.status == "cancelled"


async def test_crossing_a_threshold_shows_the_alert_banner(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.widgets.alerts.alert_banner import AlertBanner
    from promptlab_tui.widgets.budget.budget_bar import BudgetBar

    seed_budget(isolated_home, monthly_usd="1")
    seed_spend(isolated_home, "0.7499999", when=_now())
    fake_provider_env.script(Behaviour.reply())
    app = make_app(now=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        assert not lab.query(AlertBanner)  # no alert yet: no banner
        await pilot.press(*PROMPT)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        banner = lab.query_one(AlertBanner)
        assert banner.display is True
        assert "75% reached" in str(banner.query_one("#alert-text").render())
        bar = lab.query_one(BudgetBar)
        assert bar.alert_count == 1 and "⚠ 1 alert" in bar.text
        await pilot.click("#alert-dismiss")
        await settle(pilot)
        assert banner.display is False
        assert bar.alert_count == 1 and "⚠ 1 alert" in bar.text  # dismissed, not acknowledged


async def test_hard_limit_opens_the_dialog_and_a_capped_run_fits(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog

    seed_budget(isolated_home, monthly_usd="1")
    seed_spend(isolated_home, "0.9999", when=_now())  # $0.0001 left: 1,024 output tokens do not fit
    fake_provider_env.script(Behaviour.reply())
    app = make_app(now=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        dialog = app.screen
        assert isinstance(dialog, BudgetExceededDialog)
        text = str(dialog.query_one("#refusal-numbers").render())
        assert "$1.00" in text and "$0.9999" in text and "Left" in text
        capped = dialog.refusal.capped_max_tokens
        assert capped and capped < 1024
        await pilot.press("l")  # run capped at what fits
        await settle(pilot)
        assert lab_screen(app).results.answer_text == DEFAULT_TEXT
        # issue 8, item 13: the cap was for that run; the editor and what ctrl+s saves keep 1,024
        assert lab_screen(app).editor.values().max_tokens == 1024
    body = fake_provider_env.last_request.body
    assert body.get("max_tokens", body.get("max_completion_tokens")) == capped
    runs = history(isolated_home)
    assert [r.status for r in runs].count("completed") == 2  # the seeded run and the capped one


async def test_prompt_over_the_token_limit_opens_its_dialog(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.dialogs.prompt_too_long import PromptTooLongDialog

    seed_budget(isolated_home, monthly_usd="10", max_tokens_per_prompt=5)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot, "This prompt is clearly longer than five tokens")
        assert isinstance(app.screen, PromptTooLongDialog)
        assert app.screen.too_long.limit == 5 and app.screen.too_long.tokens > 5
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is lab_screen(app)
    assert fake_provider_env.requests == []


def _now():
    from datetime import datetime, timezone

    return datetime.now(UTC)



async def test_per_run_cap_refuses_and_points_at_the_cap_field(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        lab.query_one("#cost-cap").value = "0.00001"
        await pilot.press(*PROMPT)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, BudgetExceededDialog)
        assert "per-run cap" in str(app.screen.query_one("#refusal-numbers").render())
        await pilot.press("i")
        await settle(pilot)
        assert app.focused.id == "cost-cap"
    assert fake_provider_env.requests == []


async def test_history_shows_past_runs_without_a_key(make_app, isolated_home):
    from textual.widgets import DataTable

    seed_spend(isolated_home, "0.25")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert "$0.25" in table.get_row_at(0)  # the Cost column, by core.money's one rule


async def test_bad_field_values_are_explained_before_anything_is_sent(make_app, fake_provider_env):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        lab.query_one("#max-tokens").value = "0"
        await pilot.press(*PROMPT)
        await settle(pilot)
        assert "max tokens: must be at least 1" in str(lab.query_one("PreviewPane").render())
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Fix before running: max tokens" in lab.results.summary_text
    assert fake_provider_env.requests == []


async def test_hard_mode_refuses_an_unpriced_model_and_says_how_to_price_it(make_app, fake_provider_env,
                                                                             isolated_home):
    # issue 8, item 14
    (isolated_home / "config.toml").write_text('default_model = "my-finetune-v1"\ndefault_provider = "openai"\n',
                                               encoding="utf-8")
    seed_budget(isolated_home, monthly_usd="10", mode="hard")
    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_run(pilot)
        shown = lab_screen(app).results.summary_text
        assert "my-finetune-v1 at openai has no price" in shown and "allow_unpriced_models = true" in shown
    assert fake_provider_env.requests == [] and history(isolated_home) == []


async def test_a_prompt_over_the_context_window_opens_the_too_long_dialog(make_app, fake_provider_env,
                                                                           isolated_home, needs_vocab):
    # issue 8, item 15: refused before the call, with the dialog; no "raise the limit" for a context window
    from promptlab_tui.screens.dialogs.prompt_too_long import PromptTooLongDialog

    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        lab.editor.load("", "word " * 130_000, 1024, None, None)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PromptTooLongDialog) and dialog.too_long.kind == "context"
        assert "context window" in str(dialog.query_one(".title").render())
        assert not dialog.query("#adjust")
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is dialog  # nothing to raise
    assert fake_provider_env.requests == [] and history(isolated_home) == []


async def test_a_temperature_the_provider_refuses_is_not_sent(make_app, fake_provider_env, isolated_home):
    # issue 8, item 16: 7 went out as 7.0
    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lab_screen(app).editor.load("", PROMPT, 256, 7.0, None)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "temperature 7 is out of range for OpenAI: use 0 to 2" in lab_screen(app).results.summary_text
    assert fake_provider_env.requests == [] and history(isolated_home) == []
