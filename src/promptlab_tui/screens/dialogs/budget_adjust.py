"""Quick budget adjustment (ctrl+b from anywhere): limits, thresholds, hard/warn, saved at once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from promptlab_tui.screens.dialogs.form import (
    FieldError,
    money,
    parse_positive_int,
    parse_thresholds,
    parse_usd,
    usd_field,
)
from promptlab_tui.services.views import BudgetSettingsView, BudgetView
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

PERIODS = ("daily", "weekly", "monthly")


def status_markup(budget: BudgetView | None) -> str:
    if budget is None:
        return "[dim]No budget yet: set a limit for any period (empty = no limit).[/dim]"
    lines = [
        f"{budget.period.capitalize()}: spent [b]{escape(money(budget.spent_nanos, budget.limit_nanos))}[/b] of "
        f"{escape(money(budget.limit_nanos))} ({budget.percent}%)"
        + (f" · {escape(budget.resets)}" if budget.resets else ""),
        f"Projected by period end: {escape(money(budget.projected_nanos, budget.limit_nanos))}"
        f" · suggested budget: [b]{escape(money(budget.suggested_nanos))}[/b]",
    ]
    return "\n".join(lines)


class BudgetAdjustDialog(ModalScreen[BudgetSettingsView | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, settings: BudgetSettingsView | None, budget: BudgetView | None,
                 focus: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.settings = settings or BudgetSettingsView()
        self.budget = budget
        self.focus_field = focus  # the field the caller asked about (e.g. "max-prompt-tokens")

    def compose(self) -> ComposeResult:
        s = self.settings
        with Vertical():
            yield Static("Adjust budget", classes="title")
            yield Static(status_markup(self.budget), classes="numbers", id="budget-status")
            for period in PERIODS:
                with Horizontal(classes="row"):
                    yield Label(f"{period.capitalize()} limit $")
                    yield Input(usd_field(getattr(s, f"{period}_nanos")), id=f"{period}-limit", placeholder="no limit",
                                compact=True)
            with Horizontal(classes="row"):
                yield Label("Alert thresholds %")
                yield Input(",".join(str(t) for t in s.thresholds), id="thresholds", compact=True)
            with Horizontal(classes="row"):
                yield Label("Max tokens per prompt")
                yield Input("" if s.max_tokens_per_prompt is None else str(s.max_tokens_per_prompt),
                            id="max-prompt-tokens", placeholder="no limit", compact=True)
            with Horizontal(classes="row"):
                yield Label("When over the limit")
                yield Select([("hard: refuse the run", "hard"), ("warn: run and warn", "warn")], value=s.mode,
                             allow_blank=False, id="mode", compact=True)
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                if self.budget is not None and self.budget.suggested_nanos:
                    yield Button("Use suggested", id="suggested", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static("[dim]enter or ctrl+s saves · esc cancels[/dim]", classes="hint")
        yield WrappingFooter()

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for widget in self.query(Input):
                widget.cursor_blink = False
        target = self.budget.period if self.budget is not None else "monthly"
        self.query_one(f"#{self.focus_field}" if self.focus_field else f"#{target}-limit", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "suggested" and self.budget is not None:
            self.query_one(f"#{self.budget.period}-limit", Input).value = usd_field(self.budget.suggested_nanos)
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def read_form(self) -> BudgetSettingsView:
        limits = {p: parse_usd(self.query_one(f"#{p}-limit", Input).value, f"{p} limit") for p in PERIODS}
        mode = self.query_one("#mode", Select).value
        return BudgetSettingsView(
            daily_nanos=limits["daily"],
            weekly_nanos=limits["weekly"],
            monthly_nanos=limits["monthly"],
            thresholds=parse_thresholds(self.query_one("#thresholds", Input).value),
            mode=mode if mode in ("hard", "warn") else "hard",
            max_tokens_per_prompt=parse_positive_int(self.query_one("#max-prompt-tokens", Input).value,
                                                     "max tokens per prompt"),
        )

    def action_save(self) -> None:
        try:
            settings = self.read_form()
        except FieldError as error:
            self.query_one("#form-error", Static).update(escape(str(error)))
            return
        self.dismiss(settings)

    def action_cancel(self) -> None:
        self.dismiss(None)
