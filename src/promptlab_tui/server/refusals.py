"""The text of the server's budget refusals and warnings: money always through core.money's one rule."""

from __future__ import annotations

from promptlab_tui.core.money import format_usd
from promptlab_tui.server.models import BudgetStatus


def describe(status: BudgetStatus) -> str:
    return (f"{status.scope} {status.period} budget {format_usd(status.limit_nanos)}: spent "
            f"{format_usd(status.spent_nanos)}, reserved by runs in flight {format_usd(status.reserved_nanos)}")


def budget_refusal(status: BudgetStatus, worst_case_nanos: int) -> str:
    return f"refused by the {describe(status)}; this run's worst case is {format_usd(worst_case_nanos)}"


def budget_warning(status: BudgetStatus) -> str:
    return f"over the {describe(status)} (warn mode)"
