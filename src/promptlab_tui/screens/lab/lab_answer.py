"""What the Lab does with an answer: copy it (the terminal's clipboard), save it, save it with its prompt;
and the last runs of the prompt being edited."""

from __future__ import annotations

from datetime import datetime

from textual import work

from promptlab_tui.screens.dialogs.form import shown

ANSWER_ACTIONS = ("copy_answer", "save_answer", "save_conversation")


class AnswerMixin:
    """For LabScreen: actions on the last answer (offered once there is one), and the prompt's runs."""

    def answer_check(self, action: str) -> bool | None:
        """None when `action` is not one of these; False hides it (nothing to act on yet)."""
        if action in ANSWER_ACTIONS:
            return bool(self.results.answer_text) and not self.running
        if action == "prompt_runs":
            return self.prompt_name is not None
        return None

    def action_copy_answer(self) -> None:
        text = self.results.answer_text
        if text:
            self.app.copy_to_clipboard(text)  # OSC 52: the terminal puts it on the clipboard
            self.notify(f"Answer copied ({len(text):,} characters).", timeout=3)

    def action_save_answer(self) -> None:
        if self.results.answer_text:
            self.answer_job("answer", self.results.answer_text, None)

    def action_save_conversation(self) -> None:
        if self.results.answer_text:
            self.answer_job("conversation", self.results.answer_text, self.editor.values())

    @work(thread=True, group="answer-files")
    def answer_job(self, kind: str, answer: str, values) -> None:
        from promptlab_tui.services import answer_files

        now = datetime.now()
        try:
            if kind == "answer":
                path = answer_files.save_answer(answer, self.prompt_name, now)
                said = f"Answer saved to {shown(path)}"
            else:
                path = answer_files.save_conversation(values, answer, self.prompt_name, now)
                said = f"Prompt and answer saved as {shown(path)} (ctrl+o opens it)"
        except (OSError, ValueError) as error:
            self.app.call_from_thread(self.notify, str(error), title="Not saved", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, said, timeout=6)

    def action_prompt_runs(self) -> None:
        from promptlab_tui.screens.history.history_screen import HistoryScreen

        if self.prompt_name is not None:
            self.app.push_screen(HistoryScreen(prompt_name=self.prompt_name))
