"""The always-visible status line: the tightest budget period, coloured by threshold, and the alert badge.

One widget drawing three parts (title, budget, badge), not three widgets: less to style before the
first frame. Clicking the badge opens the alerts, anywhere else the budget dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.events import Click
from textual.reactive import reactive
from textual.widget import Widget

from promptlab_tui.core.money import format_usd

if TYPE_CHECKING:
    from promptlab_tui.services.views import BudgetView

BAR_CELLS = 10
TITLE = " promptlab "


def budget_parts(budget: BudgetView | None, loaded: bool) -> list[tuple[str, str] | str]:
    """'Monthly $4.20 / $10.00  42% ▰▰▰▰▱▱▱▱▱▱ hard' as (text, component style) parts."""
    if not loaded:
        return [("Budget: loading…", ".budget-bar--none")]
    if budget is None:
        return [("No budget set · ", ".budget-bar--none"), ("ctrl+b", ".budget-bar--key"),
                (" to set one", ".budget-bar--none")]
    filled = min(BAR_CELLS, budget.percent * BAR_CELLS // 100)
    bar = "▰" * filled + "▱" * (BAR_CELLS - filled)
    spent = format_usd(budget.spent_nanos + budget.reserved_nanos, beside=budget.limit_nanos)
    limit = format_usd(budget.limit_nanos)
    reserved = " (incl. running)" if budget.reserved_nanos else ""
    text = f"{budget.period.capitalize()} {spent} / {limit}{reserved}  {budget.percent}% {bar} {budget.mode}"
    return [(text, f".budget-bar--{budget.level}")]


def budget_line(budget: BudgetView | None, loaded: bool) -> str:
    """The budget part as plain text (for tests and the terminal test)."""
    return "".join(part if isinstance(part, str) else part[0] for part in budget_parts(budget, loaded))


def badge_text(count: int) -> str:
    return f" ⚠ {count} alert{'s' if count != 1 else ''} " if count > 0 else ""


def sync_text(state: str) -> str:
    """The team server's sync state (synced, pending N, offline, error); empty when not logged in."""
    return f" team: {state} " if state else ""


class BudgetBar(Widget):
    """Shows a placeholder until the budget worker answers (nothing heavy before the first frame)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "budget-bar--title", "budget-bar--key", "budget-bar--ok", "budget-bar--warning",
        "budget-bar--critical", "budget-bar--over", "budget-bar--none", "budget-bar--badge", "budget-bar--sync",
    }

    budget: reactive[BudgetView | None] = reactive(None, always_update=True)
    loaded: reactive[bool] = reactive(False)
    alert_count: reactive[int] = reactive(0)
    sync: reactive[str] = reactive("")  # team sync state (issue 12)

    @property
    def text(self) -> str:
        """What the bar says, as plain text."""
        return f"{TITLE}{budget_line(self.budget, self.loaded)}{sync_text(self.sync)}{badge_text(self.alert_count)}"

    def render(self) -> Content:
        left = Content.assemble((TITLE, ".budget-bar--title"), *budget_parts(self.budget, self.loaded))
        badge = badge_text(self.alert_count)
        sync = sync_text(self.sync)
        if not badge and not sync:
            return left
        room = self.size.width - len(badge) - len(sync)
        if left.cell_length > room - 1:
            left = left.truncate(max(0, room - 1), ellipsis=True)
        # the full component style: a partial one drops the badge's opaque background
        badge_style = self.get_visual_style("budget-bar--badge")
        return Content.assemble(left, " " * max(1, room - left.cell_length), (sync, ".budget-bar--sync"),
                                (badge, badge_style))

    async def on_click(self, event: Click) -> None:
        event.stop()
        badge = badge_text(self.alert_count)
        if badge and event.x >= self.size.width - len(badge):
            await self.run_action("app.show_alerts")
        else:
            await self.run_action("app.adjust_budget")
