"""Hard-mode refusal: why, with the numbers, and what to do instead (raise, cheaper model, capped run)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from promptlab_tui.screens.dialogs.form import money
from promptlab_tui.services.views import RefusalView
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

Choice = tuple[str, object]


def scope_name(refusal: RefusalView) -> str:
    return "per-run cap" if refusal.scope == "run" else "session cap" if refusal.scope == "session" else \
        f"{refusal.scope} budget"


def refusal_markup(refusal: RefusalView) -> str:
    scope = scope_name(refusal)
    scale = (refusal.limit_nanos, refusal.worst_case_nanos)  # what is left is read against the run's worst case
    lines = [
        f"This run may cost up to [b]{escape(money(refusal.worst_case_nanos))}[/b], "
        f"more than is left of the {escape(scope)}.",
        "",
        f"  Limit      {escape(money(refusal.limit_nanos))}",
        f"  Spent      {escape(money(refusal.spent_nanos, scale))}",
    ]
    if refusal.reserved_nanos:
        lines.append(f"  Running    {escape(money(refusal.reserved_nanos, scale))}")
    lines.append(f"  Left       [b]{escape(money(refusal.remaining_nanos, scale))}[/b]")
    if refusal.resets:
        lines.append(f"  Resets     {escape(refusal.resets)}")
    return "\n".join(lines)


def refusal_title(scope: str | None) -> str:
    """What was hit: the per-run cap, the session cap, or a budget period."""
    return {"run": "Per-run cap would be exceeded: run refused",
            "session": "Session cap would be exceeded: run refused"}.get(scope or "", "Budget would be exceeded: run refused")


class BudgetExceededDialog(ModalScreen[Choice | None]):
    BINDINGS = [
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("i", "choose('increase')", "Raise budget"),
        Binding("m", "choose('cheaper')", "Cheaper model"),
        Binding("l", "choose('capped')", "Capped run"),
        Binding("d", "usage", "Usage"),
    ]

    def __init__(self, refusal: RefusalView) -> None:
        super().__init__(classes="dialog -danger")
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        r = self.refusal
        with Vertical():
            yield Static(refusal_title(r.scope), classes="title", id="refusal-title")
            yield Static(refusal_markup(r), classes="numbers", id="refusal-numbers")
            with Horizontal(classes="buttons"):
                raise_label = "Raise the cap (i)" if r.scope in ("run", "session") else "Increase budget (i)"
                yield Button(raise_label, id="increase", variant="primary", compact=True)
                if r.cheaper_model:
                    tail = f", up to {money(r.cheaper_worst_case_nanos)}" if r.cheaper_worst_case_nanos else ""
                    yield Button(f"Use {r.cheaper_label or r.cheaper_model}{tail} (m)", id="cheaper", compact=True)
            with Horizontal(classes="buttons"):
                if r.capped_max_tokens:
                    yield Button(f"Run capped at {r.capped_max_tokens:,} tokens (l)", id="capped", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
            if r.suggestions:
                yield Static("\n".join(f"· {escape(s)}" for s in r.suggestions), classes="hint")
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one("#increase", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "cancel")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters:
            if parameters[0] == "cheaper" and not self.refusal.cheaper_model:
                return False  # not on offer: no footer key that does nothing
            if parameters[0] == "capped" and not self.refusal.capped_max_tokens:
                return False
        return True

    def action_usage(self) -> None:
        """Cancel the run and open the dashboard on the refused period (where the money went, what to change)."""
        scope = self.refusal.scope
        self.dismiss(("cancel", scope))
        if scope in ("daily", "weekly", "monthly"):
            self.app.call_later(self.app.action_show_dashboard_for, scope, "")
        else:
            self.app.call_later(self.app.action_show_dashboard)

    def action_choose(self, kind: str) -> None:
        value: object = self.refusal.scope
        if kind == "cheaper":
            value = self.refusal.cheaper_key
        elif kind == "capped":
            value = self.refusal.capped_max_tokens
        self.dismiss((kind, value))


def refusal_dialog(refusal: RefusalView) -> ModalScreen[Choice | None]:
    """The dialog for a refusal: a budget's (raise, cheaper, capped), or the team's offline policy's (retry sync)."""
    if refusal.offline_reason:
        from promptlab_tui.screens.dialogs.team_offline_refused import TeamOfflineRefusedDialog

        return TeamOfflineRefusedDialog(refusal)
    return BudgetExceededDialog(refusal)
