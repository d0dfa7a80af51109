"""Issue 8, item 30: the small things a user trips over (alerts, dialogs, fields, README keys, saved prompts)."""

from __future__ import annotations

from tests.app.conftest import FIXED_NOW, lab_screen, seed_budget, seed_spend, settle


def record_alerts(home) -> None:
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        repo.record_threshold_alerts(repo.get_budget(), now=FIXED_NOW)
    finally:
        repo.close()


async def test_alert_lines_keep_reset_and_raised_times_apart_and_80_percent_is_a_warning(make_app, isolated_home):
    from textual.content import Content
    from textual.widgets import OptionList

    seed_budget(isolated_home, monthly_usd="10", thresholds=(80, 100))
    seed_spend(isolated_home, "8.50")
    record_alerts(isolated_home)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        [line] = [Content.from_markup(str(option.prompt)).plain for option in app.screen.query_one(OptionList).options]
    assert line.startswith("⚠ Monthly budget 80% reached")  # a warning, not ℹ
    assert "UTC 2026-03-14" not in line  # the two times no longer run together
    assert "resets Wed 2026-04-01 00:00 UTC · raised 2026-03-14 12:00 UTC" in line
