"""Every place that shows a budget amount shows it by core.money's one rule (issue 8, item 9)."""

from __future__ import annotations

from tests.app.conftest import FIXED_NOW, lab_screen, seed_budget, seed_spend, settle

SMALL = {"limit": 9_500_000, "spent": 9_189_000}  # a $0.0095 daily limit, $0.009189 spent


def small_budget_view(**changes):
    from promptlab_tui.services.views import BudgetView

    return BudgetView(period="daily", spent_nanos=SMALL["spent"], limit_nanos=SMALL["limit"], **changes)


def test_budget_bar_shows_a_tiny_limit_with_its_digits() -> None:
    from promptlab_tui.services.views import BudgetView
    from promptlab_tui.widgets.budget.budget_bar import budget_line

    assert budget_line(small_budget_view(), True).startswith("Daily $0.009189 / $0.009500  96%")
    over = BudgetView(period="daily", spent_nanos=25_780_000, limit_nanos=1_000_000)
    assert budget_line(over, True).startswith("Daily $0.025780 / $0.001000  2578%")
    usual = BudgetView(period="monthly", spent_nanos=4_204_000_000, limit_nanos=10_000_000_000)
    assert budget_line(usual, True).startswith("Monthly $4.20 / $10.00  42%")


def test_dialogs_banner_and_preview_use_the_same_digits_as_the_bar() -> None:
    from promptlab_tui.screens.dialogs.budget_adjust import status_markup
    from promptlab_tui.screens.dialogs.budget_exceeded import refusal_markup
    from promptlab_tui.services.views import PreviewView, RefusalView
    from promptlab_tui.widgets.preview.preview_pane import preview_markup

    assert "spent [b]$0.009189[/b] of $0.009500 (96%)" in status_markup(small_budget_view())
    refusal = RefusalView(message="", scope="daily", spent_nanos=SMALL["spent"], reserved_nanos=0,
                          limit_nanos=SMALL["limit"], worst_case_nanos=400_000)
    text = refusal_markup(refusal)
    assert "Limit      $0.009500" in text and "Spent      $0.009189" in text and "Left       [b]$0.000311" in text
    preview = PreviewView(model="m", provider="p", input_tokens=10, exact=True, note=None, expected_output=10,
                          p90_output=None, max_output=100, expected_nanos=100_000, worst_nanos=200_000)
    assert "$0.000211[/] [dim]left of $0.009500" in preview_markup(preview, small_budget_view(), "")


def test_alert_banner_and_message_show_a_small_limit_with_its_digits() -> None:
    from datetime import UTC, datetime

    from promptlab_tui.core.history import AlertRecord
    from promptlab_tui.services.app_backend import alert_view
    from promptlab_tui.store.budgets import _message

    record = AlertRecord(id=1, period_kind="daily", period_start=FIXED_NOW, threshold=90, level="critical",
                         message="", created_at=FIXED_NOW, spent_nanos=SMALL["spent"], limit_nanos=SMALL["limit"])
    assert alert_view(record).short == "Daily budget 90% reached: $0.009189 of $0.009500"
    message = _message("daily", 90, SMALL["spent"], SMALL["limit"], datetime(2026, 3, 15, tzinfo=UTC), "UTC")
    assert message.startswith("Daily budget 90% reached: $0.009189 of $0.009500 spent")


async def test_the_lab_shows_a_tiny_daily_limit_with_its_digits(make_app, isolated_home):
    from promptlab_tui.widgets.budget.budget_bar import BudgetBar

    seed_budget(isolated_home, monthly_usd=None, daily_usd="0.0095")
    seed_spend(isolated_home, "0.009189")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Daily $0.009189 / $0.009500  96%" in lab_screen(app).query_one(BudgetBar).text
