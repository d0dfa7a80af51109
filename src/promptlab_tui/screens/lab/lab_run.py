"""Running a prompt from the Lab: a thread worker drives services/run_driver, whose sink posts messages."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual import work

from promptlab_tui.screens.lab.messages import (
    RunAttemptFailed,
    RunFinished,
    RunNotStarted,
    RunReserved,
    RunStreamed,
    RunTokensCounted,
    RunWaitingForBudget,
)
from promptlab_tui.services.editor_values import EditorValues

if TYPE_CHECKING:
    from collections.abc import Callable

    from promptlab_tui.services.views import AlertView, PreviewView, RefusalView, RunOutcomeView, TooLongView


class MessageSink:
    """The run driver's RunSink for the Lab: every call becomes a message to the screen (thread-safe)."""

    def __init__(self, post: Callable[[object], object]) -> None:
        self.post = post

    def reserved(self) -> None:
        self.post(RunReserved())

    def waiting(self, message: str) -> None:
        self.post(RunWaitingForBudget(message))

    def streamed(self, text: str) -> None:
        self.post(RunStreamed(text))

    def attempt_failed(self, message: str) -> None:
        self.post(RunAttemptFailed(message))

    def tokens(self, output_tokens: int, exact: bool, cost_nanos: int | None = None) -> None:
        self.post(RunTokensCounted(output_tokens, exact, cost_nanos))

    def finished(self, outcome: RunOutcomeView, alerts: list[AlertView]) -> None:
        self.post(RunFinished(outcome, None, alerts))

    def not_started(self, message: str, refusal: RefusalView | None = None,
                    too_long: TooLongView | None = None) -> None:
        self.post(RunNotStarted(message, refusal, too_long))


class RunMixin:
    """Run / cancel / outcome handling for LabScreen (state lives on the screen, set only by handlers)."""

    last_preview: PreviewView | None = None

    def action_run(self) -> None:
        values = self.values_to_send()
        if values.problems:
            self.results.show_message("Fix before running: " + "; ".join(values.problems))
            return
        if not values.user.strip():
            self.notify("Write a user prompt first.", severity="warning")
            self.query_one("#user-text").focus()
            return
        if self.ask_before_run(values):  # confirm_above (config): a dialog first (issue 11)
            return
        self.begin_run(values)

    def run_first_prompt(self, text: str) -> None:
        """The setup wizard's "run a first prompt": a sample in an empty editor, run at once."""
        user = self.query_one("#user-text")
        if not user.text.strip():
            user.text = text
        self.call_after_refresh(self.action_run)

    def begin_run(self, values: EditorValues, accept_capped: bool = False) -> None:
        if self.running:
            return
        self.running = True
        self.cancel_event = threading.Event()
        self.results.start(values.model, getattr(self.last_preview, "duration", None))
        self.refresh_bindings()
        self.app.run_context()  # made here, on the UI thread, the first time a run starts
        self.turn_started(values.user)
        self.execute_run(values, accept_capped, self.cancel_event, self.prompt_name, self.turn_history(),
                         self.turn_link())

    @work(thread=True, group="run")
    def execute_run(self, values: EditorValues, accept_capped: bool, cancel: threading.Event,
                    prompt_name: str | None, history: tuple = (), link: object = None) -> None:
        from promptlab_tui.services.run_driver import execute_run

        execute_run(values, self.app.run_context(), cancel, MessageSink(self.post_message),
                    accept_capped=accept_capped, prompt_name=prompt_name, elapsed=self.results.elapsed,
                    history=history, link=link)

    def action_cancel_run(self) -> None:
        if self.running and self.cancel_event is not None:
            self.cancel_event.set()
            self.results.cancelling = True  # what was already spent is still recorded

    def _end_run(self) -> None:
        self.running = False
        self.cancel_event = None
        self.refresh_bindings()

    # ---- what the worker posts ------------------------------------------------------------------

    def on_run_reserved(self, _message: RunReserved) -> None:
        self.results.set_waiting(None)  # reserved: whatever it waited for has settled
        if self.app.budget is not None:
            self.app.load_budget()  # the bar shows the reservation while the run streams

    def on_unmount(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()  # quitting mid-run: stop the stream so the runner settles what was spent

    def on_run_waiting_for_budget(self, message: RunWaitingForBudget) -> None:
        self.results.set_waiting(message.text[:1].upper() + message.text[1:] + "…")  # "Waiting for 3 runs to settle…"

    def on_run_attempt_failed(self, message: RunAttemptFailed) -> None:
        self.results.attempt_failed(message.text)  # the next model of the fallback chain is tried

    def on_run_streamed(self, message: RunStreamed) -> None:
        self.results.append(message.text, tokens=0)

    def on_run_tokens_counted(self, message: RunTokensCounted) -> None:
        self.results.set_tokens(message.output_tokens, message.exact, message.cost_nanos)

    def on_run_finished(self, message: RunFinished) -> None:
        self._end_run()
        self.results.finish(message.outcome, session=self.app.run_context()[1].status())
        self.turn_finished(message.outcome)  # "Continue" may turn it into a conversation
        self.app.kick_team_sync()  # push the run to the team server now (issue 12; no-op when logged out)
        if message.budget is not None or self.app.budget is not None:
            self.app.load_budget()
        if message.alerts:
            known = {a.alert_id for a in self.app.alerts}
            self.app.alerts = self.app.alerts + tuple(a for a in message.alerts if a.alert_id not in known)
        if self._engine is not None:
            self._engine.invalidate_history()  # the expected output now learns from this run
        self.schedule_preview(0)

    def on_run_not_started(self, message: RunNotStarted) -> None:
        self._end_run()
        self.turn_finished(None)
        self.results.finish(None, message.message)
        if message.refusal is not None:
            from promptlab_tui.screens.dialogs.budget_exceeded import refusal_dialog

            self.app.push_screen(refusal_dialog(message.refusal), self._refusal_choice)
        elif message.too_long is not None:
            from promptlab_tui.screens.dialogs.prompt_too_long import PromptTooLongDialog

            self.app.push_screen(PromptTooLongDialog(message.too_long), self._too_long_choice)

    # ---- dialog answers -------------------------------------------------------------------------

    def _refusal_choice(self, choice: tuple[str, object] | None) -> None:
        kind, value = choice or ("cancel", None)
        if kind == "increase" and value == "run":
            self.query_one("#cost-cap").focus()  # the per-run cap is the Lab's own field
            self.notify("Raise the per-run cap ($) and press ctrl+r.")
        elif kind == "increase":
            self.app.action_adjust_budget()
        elif kind == "cheaper" and isinstance(value, str):
            match = next((m for m in self.app.models if m.model == value or m.key == value), None)
            if match is not None and self.editor.picker.select_key(match.key):
                self.notify(f"Switched to {match.label}; ctrl+r runs it.")
            else:
                self.notify(f"{value} is not in the model list.", severity="warning")
        elif kind == "capped" and isinstance(value, int):
            # this run only: the editor (and what ctrl+s saves) keeps the max tokens the user chose
            self.begin_run(self.values_to_send()._replace(max_tokens=value), accept_capped=True)

    def _too_long_choice(self, choice: str | None) -> None:
        if choice == "adjust":
            self.app.action_adjust_budget(focus="max-prompt-tokens")  # the limit this dialog is about
        elif choice == "edit":
            self.query_one("#user-text").focus()
