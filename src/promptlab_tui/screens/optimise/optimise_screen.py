"""Shorten this prompt: a cheap model rewrites the user message; both versions side by side (two columns
fit 80) with their tokens and costs on the Lab's model; f8 accepts the shorter one into the editor."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from promptlab_tui.widgets.compare.compare_column import CompareColumn
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

class OptimiseDone(Message):
    def __init__(self, original: str, shortened: str | None, summary: str) -> None:
        super().__init__()
        self.original, self.shortened, self.summary = original, shortened, summary


def version_stats(version: Any) -> str:
    from promptlab_tui.core.money import format_usd

    tokens = f"{version.input_tokens:,}" + ("" if version.exact else " ≈")
    return f"{tokens} tokens · expected {format_usd(version.expected_nanos)} · worst {format_usd(version.worst_nanos)}"


class OptimiseScreen(Screen):
    BINDINGS = [
        Binding("ctrl+r", "shorten", "Shorten", priority=True),
        Binding("f8", "accept", "Accept"),
        Binding("escape", "back", "Back", priority=True),
    ]

    def __init__(self, values: Any, prompt_name: str | None, history: tuple = ()) -> None:
        super().__init__(id="optimise")
        self.values, self.prompt_name, self.history = values, prompt_name, history
        self.running = False
        self.shortened: str | None = None

    def compose(self) -> ComposeResult:
        from promptlab_tui.services.optimise import DEFAULT_REWRITER

        with Horizontal(id="compare-params"):
            yield Label("Rewrite with ")
            yield Input(DEFAULT_REWRITER, id="optimise-model")
            yield Label(f" for {self.values.model}")
        with Container(id="compare-columns"):
            yield CompareColumn(0, "original")
            yield CompareColumn(1, "shortened")
        yield Static("ctrl+r asks the model above for a shorter prompt (a budgeted, recorded run).",
                     id="compare-summary")
        yield WrappingFooter()

    def on_mount(self) -> None:
        original = self.query_one("#compare-column-0", CompareColumn)
        original.show("completed", self.values.user, "counted after the rewrite", None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "shorten":
            return None if self.running else True
        if action == "accept":
            return True if self.shortened and not self.running else None
        return True

    def action_shorten(self) -> None:
        rewriter = self.query_one("#optimise-model", Input).value.strip()
        if not rewriter:
            self.query_one("#compare-summary", Static).update("Name the model that rewrites.")
            return
        self.running, self.shortened = True, None
        self.query_one("#compare-summary", Static).update(f"Asking {rewriter} for a shorter prompt…")
        self.refresh_bindings()
        self.app.run_context()  # made on the UI thread
        self.rewrite(rewriter)

    @work(thread=True, group="optimise")
    def rewrite(self, rewriter: str) -> None:
        from promptlab_tui.core.money import format_usd
        from promptlab_tui.services.optimise import optimise_prompt
        from promptlab_tui.services.preview_engine import prompt_from
        from promptlab_tui.services.run_types import RunOptions
        from promptlab_tui.services.runner import RunService

        services, session, session_id = self.app.run_context()
        prompt = prompt_from(self.values)
        prompt.name = self.prompt_name
        if self.history:
            prompt.messages = [*prompt.messages[:-1], *self.history, prompt.messages[-1]]
        try:
            result = optimise_prompt(RunService(services, session=session, session_id=session_id), prompt, rewriter,
                                     RunOptions())
        except Exception as error:  # a refusal, no key, an unknown model: said in the summary, nothing kept
            self.post_message(OptimiseDone(version_stats_none(), None, f"Not shortened: {error}"))
            return
        rewrite = result.rewrite
        cost = f"rewrite by {rewrite.plan.model}: {format_usd(rewrite.cost_nanos)}"
        if result.shortened is None:
            self.post_message(OptimiseDone(version_stats(result.original), None,
                                           f"Not shortened ({rewrite.status}: {rewrite.error_message}); {cost}"))
            return
        share = result.saved_tokens * 100 / result.original.input_tokens if result.original.input_tokens else 0
        summary = (f"saves {result.saved_tokens:,} input tokens ({share:.0f} %) a run · {cost} · f8 accepts"
                   if result.worth_it else f"not shorter than the original · {cost}")
        self.post_message(OptimiseDone(version_stats(result.original),
                                       result.shortened.text if result.worth_it else None,
                                       summary + "\n" + version_stats(result.shortened)))

    def on_optimise_done(self, message: OptimiseDone) -> None:
        self.running = False
        self.shortened = message.shortened
        summary, _, shortened_stats = message.summary.partition("\n")
        self.query_one("#compare-column-0", CompareColumn).show("completed", self.values.user, message.original, None)
        column = self.query_one("#compare-column-1", CompareColumn)
        column.show("completed" if message.shortened else "failed", message.shortened or "",
                    shortened_stats or "-", None)
        self.query_one("#compare-summary", Static).update(summary)
        self.refresh_bindings()

    def action_accept(self) -> None:
        if self.shortened and not self.running:
            self.dismiss(self.shortened)

    def action_back(self) -> None:
        if not self.running:
            self.dismiss(None)


def version_stats_none() -> str:
    return "-"
