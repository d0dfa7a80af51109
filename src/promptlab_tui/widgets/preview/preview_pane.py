"""Live cost preview: tokens in, predicted tokens out, expected and worst-case cost, budget after, tips."""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.widgets.markup import escape
from textual.reactive import reactive
from textual.widgets import Static

from promptlab_tui.core.money import format_usd

if TYPE_CHECKING:
    from promptlab_tui.services.views import BudgetView, PreviewView


def preview_markup(preview: PreviewView | None, budget: BudgetView | None, status: str,
                   team: BudgetView | None = None) -> str:
    if preview is None:
        return f"[dim]{escape(status or 'Type a prompt to see its cost.')}[/dim]"
    kind = "exact" if preview.exact else "approximate"
    guess = "" if preview.history_based else " [dim](guess)[/dim]"
    p90 = f" · p90 {preview.p90_output:,}" if preview.p90_output is not None else ""
    lines = [
        f"[b]{escape(preview.model)}[/b] [dim]· {escape(preview.provider)}[/dim]",
        *([f"[$accent]{escape(preview.choice)}[/]"] if preview.choice else []),  # model "auto": the pick and why
        *([f"Fallback  [dim]then {escape(' → '.join(preview.fallback))} on a provider error[/dim]"]
          if preview.fallback else []),
        f"Input     [b]{escape(preview.input_label)}[/b] tokens [dim]{kind}[/dim]",
        *([f"[$warning]≈[/] [dim]{escape(preview.note)}[/dim]"] if preview.note and not preview.exact else []),
        *(f"  [dim]{escape(part)}[/dim]" for part in preview.parts),
        f"Output    {preview.expected_output:,}{guess}{p90} · max {preview.max_output:,}",
        f"Expected  [b]{escape(format_usd(preview.expected_nanos))}[/b]",
        f"Worst     {escape(format_usd(preview.worst_nanos))}",
    ]
    if preview.cached_from is not None:  # the response cache will serve it: nothing is sent or spent
        saves = "" if preview.cache_saves_nanos is None else f" [dim](saves {escape(format_usd(preview.cache_saves_nanos))})[/dim]"
        lines.append(f"Cache     [$success]hit: run {escape(preview.cached_from[:8])}'s answer, served for $0[/]{saves}")
    if preview.duration is not None:
        lines.append(f"Time      {escape(preview.duration.label())}")
    if preview.online:
        lines.append(f"Online    [dim]{escape(preview.online)}[/dim]")
    if budget is not None:
        if preview.worst_nanos is None:
            lines.append("After run [$warning]unknown (no price)[/]")
        else:
            spend, worst = (0, 0) if preview.cached_from is not None else (preview.expected_nanos or 0, preview.worst_nanos)
            after = budget.remaining_nanos - spend
            style = "$error" if budget.remaining_nanos - worst < 0 else "$success"
            lines.append(
                f"After run [{style}]{escape(format_usd(after, beside=budget.limit_nanos))}[/] [dim]left of {escape(format_usd(budget.limit_nanos))}[/dim]"
            )
    else:
        lines.append("After run [dim]no budget set[/dim]")
    if team is not None and preview.worst_nanos is not None:  # the team server's tightest budget (issue 12)
        after = team.remaining_nanos - (preview.expected_nanos or 0)
        style = "$error" if team.remaining_nanos - preview.worst_nanos < 0 else "$success"
        lines.append(f"Team      [{style}]{escape(format_usd(after, beside=team.limit_nanos))}[/] [dim]left of "
                     f"{escape(format_usd(team.limit_nanos))} ({escape(team.period)})[/dim]")
    for tip in preview.tips:
        lines.append(f"[$accent]Tip:[/] {escape(tip)}")
    if status:
        lines.append(f"[dim]{escape(status)}[/dim]")
    return "\n".join(lines)


class PreviewPane(Static):
    """Re-rendered only when a worker posts a new preview; typing never waits for it."""

    preview: reactive[PreviewView | None] = reactive(None, always_update=True)
    budget: reactive[BudgetView | None] = reactive(None, always_update=True)
    team_budget: reactive[BudgetView | None] = reactive(None, always_update=True)  # from the team server
    status: reactive[str] = reactive("")

    def on_mount(self) -> None:
        self.border_title = "Cost preview"
        self._render_preview()

    def watch_preview(self) -> None:
        self._render_preview()

    def watch_budget(self) -> None:
        self._render_preview()

    def watch_status(self) -> None:
        self._render_preview()

    def watch_team_budget(self) -> None:
        self._render_preview()

    def _render_preview(self) -> None:
        if self.is_mounted:
            self.update(preview_markup(self.preview, self.budget, self.status, self.team_budget))
