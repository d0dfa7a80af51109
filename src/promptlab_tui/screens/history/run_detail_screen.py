"""One past run: messages, answer, costs, price version, estimate vs actual; reopen it in the Lab, or delete it."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from promptlab_tui.widgets.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


class RunDetailLoaded(Message):
    def __init__(self, detail: object | None, error: str | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.error = error


class RunDeleted(Message):
    def __init__(self, run_id: str, error: str | None = None) -> None:
        super().__init__()
        self.run_id = run_id
        self.error = error


def detail_markup(detail) -> str:
    width = max(len(label) for label, _ in detail.facts)
    lines = [f"[dim]{escape(label.ljust(width))}[/dim]  {escape(value)}" for label, value in detail.facts]
    if detail.error:
        lines += ["", f"[$error]{escape(detail.error)}[/]"]
    lines += ["", "[b]Messages[/b]"]
    lines += [f"[$accent]{escape(role)}:[/] {escape(text)}" for role, text in detail.messages] or \
        ["[dim](not kept: the retention policy dropped the texts)[/dim]"]
    lines += ["", "[b]Answer[/b]", escape(detail.answer) if detail.answer else "[dim](none kept)[/dim]"]
    return "\n".join(lines)


def reopen_in_lab(screen: Any, value: Any) -> None:
    """Close `screen` and load the run into the Lab, found by what it can do, not by its class (no import cycle)."""
    screen.dismiss(None)
    lab = next((s for s in screen.app.screen_stack if callable(getattr(s, "reopen_run", None))), None)
    if lab is not None:
        values, name = value
        lab.reopen_run(values, name)


class RunDetailScreen(ModalScreen[tuple[str, object] | None]):
    """Dismisses with ("reopen", (EditorValues, prompt name)), ("deleted", run_id) or None."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("o", "reopen", "Reopen in Lab"),
        Binding("d", "delete", "Delete run"),
    ]

    def __init__(self, run_id: str) -> None:
        super().__init__(classes="dialog")
        self.run_id = run_id
        self.detail = None
        self.delete_armed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="run-detail-box"):
            yield Static("Run", id="run-detail-title", classes="title")
            with VerticalScroll(id="run-detail-scroll"):
                yield Static("[dim]Loading…[/dim]", id="run-detail-body")
            yield Static("", id="run-detail-hint", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Reopen in Lab (o)", id="reopen", variant="primary", compact=True)
                yield Button("Delete (d)", id="delete", compact=True)
                yield Button("Close (esc)", id="close", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one("#run-detail-scroll").focus()
        self.load_detail()

    @work(thread=True, group="run-detail", exclusive=True)
    def load_detail(self) -> None:
        from promptlab_tui.services.run_detail import load_detail

        try:
            detail = load_detail(self.app.services, self.run_id)
        except Exception as error:  # an unreadable database: say so
            self.post_message(RunDetailLoaded(None, f"History not available: {error}"))
            return
        gone = None if detail is not None else "This run is no longer in the history."
        self.post_message(RunDetailLoaded(detail, gone))

    def on_run_detail_loaded(self, message: RunDetailLoaded) -> None:
        self.detail = message.detail
        body = self.query_one("#run-detail-body", Static)
        if message.detail is None:
            body.update(f"[$error]{escape(message.error or '')}[/]")
        else:
            self.query_one("#run-detail-title", Static).update(escape(message.detail.title))
            body.update(detail_markup(message.detail))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return True if self.detail is not None and self.detail.values is not None else None
        if action == "delete":
            return True if self.detail is not None and not self.detail.title.endswith("pending") else None
        return True

    def action_reopen(self) -> None:
        if self.detail is not None and self.detail.values is not None:
            self.dismiss(("reopen", (self.detail.values, self.detail.prompt_name)))

    def action_delete(self) -> None:
        if self.detail is None:
            return
        if not self.delete_armed:  # one more press: the prompt and the answer go for good
            self.delete_armed = True
            self.query_one("#run-detail-hint", Static).update(
                "[$warning]Press d again to delete this run, its prompt and its answer for good.[/]")
            return
        self.delete_run()

    @work(thread=True, group="run-detail-delete", exclusive=True)
    def delete_run(self) -> None:
        try:
            self.app.services.repository.delete_run(self.run_id)
        except Exception as error:  # still running, or the database cannot be written
            self.post_message(RunDeleted(self.run_id, str(error)))
            return
        self.post_message(RunDeleted(self.run_id))

    def on_run_deleted(self, message: RunDeleted) -> None:
        if message.error:
            self.query_one("#run-detail-hint", Static).update(f"[$error]Not deleted: {escape(message.error)}[/]")
            self.delete_armed = False
            return
        self.app.notify("Run deleted; the totals no longer count it.", timeout=4)
        self.dismiss(("deleted", message.run_id))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"reopen": self.action_reopen, "delete": self.action_delete}.get(event.button.id or "", self.action_close)()

    def action_close(self) -> None:
        self.dismiss(None)
