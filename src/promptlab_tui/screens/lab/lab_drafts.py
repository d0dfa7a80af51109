"""Unsaved edits in the Lab: asked about before they would be dropped, kept as a draft the next start restores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.message import Message

from promptlab_tui.services.model_choice import ModelChoice

DRAFT_EVERY_S = 1.0  # at most one draft write a second while typing


class DraftFound(Message):
    def __init__(self, draft: object) -> None:
        super().__init__()
        self.draft = draft


class DraftsMixin:
    """For LabScreen (with PromptFilesMixin): `guard_unsaved`, the draft's writes and its restore."""

    _after_save: Callable[[], None] | None = None
    _draft_checked = False
    _draft_timer: object | None = None

    def guard_unsaved(self, then: str, proceed: Callable[[], None]) -> None:
        """Run `proceed` now if nothing is unsaved, else after the user saved or discarded the edits."""
        self.update_dirty(self.editor.preview_inputs())  # typing may not have paused yet
        if not self.dirty:
            proceed()
            return
        from promptlab_tui.screens.dialogs.unsaved_changes import UnsavedChangesDialog

        def answered(choice: str | None) -> None:
            if choice == "discard":
                self.forget_draft()
                proceed()
            elif choice == "save":
                self._after_save = proceed
                self.action_save_prompt()

        self.app.push_screen(UnsavedChangesDialog(self.prompt_name, then), answered)

    def saved_then_continue(self) -> None:
        """Called once a save succeeded: the draft is obsolete, and what waited for the save goes on."""
        self.forget_draft()
        waiting, self._after_save = self._after_save, None
        if waiting is not None:
            waiting()

    # ---- the draft file (workers) ---------------------------------------------------------------

    def dirty_changed(self) -> None:
        if self.dirty:
            if self._draft_timer is None:
                self._draft_timer = self.set_timer(DRAFT_EVERY_S, self._write_draft)
        else:
            self.forget_draft()

    def _write_draft(self) -> None:
        self._draft_timer = None
        if self.dirty:
            from promptlab_tui.services.drafts import Draft

            path = str(self.prompt_path) if self.prompt_path else None
            self.draft_job("save", Draft(self.editor.values(), path, self.prompt_name))

    def forget_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.draft_job("discard", None)

    @work(thread=True, group="draft", exclusive=True)
    def draft_job(self, verb: str, draft: object) -> None:
        from promptlab_tui.services import drafts

        try:
            if verb == "save":
                drafts.save_draft(draft)
            elif verb == "discard":
                drafts.discard_draft()
            else:
                found = drafts.load_draft()
                if found is not None:
                    self.post_message(DraftFound(found))
        except OSError as error:  # a full or read-only disk: the editor keeps the text all the same
            self.app.call_from_thread(self.notify, f"Draft not kept: {error}", severity="warning")

    def restore_draft_once(self) -> None:
        """After the model list arrived (the draft names its model): bring back an earlier session's edits."""
        if not self._draft_checked:
            self._draft_checked = True
            self.draft_job("load", None)

    def on_draft_found(self, message: DraftFound) -> None:
        draft = message.draft
        self.load_unsaved(draft.values, Path(draft.prompt_path) if draft.prompt_path else None, draft.prompt_name)
        self.notify(f"Restored the unsaved draft of {self.prompt_name or 'a new prompt'} (ctrl+s saves it).",
                    timeout=8)

    def reopen_run(self, values, prompt_name: str | None) -> None:
        """A past run's prompt from the history, as a new unsaved prompt (its answer is not carried over)."""
        def load() -> None:
            self.results.clear()
            self.load_unsaved(values, None, prompt_name)
            self.notify("Reopened the run's prompt; ctrl+r runs it again, ctrl+s saves it.", timeout=6)

        self.guard_unsaved("reopen a past run's prompt", load)

    def load_unsaved(self, values, path: Path | None, name: str | None) -> None:
        """Fill the editor with edits that are not in any file yet (a draft, a past run's prompt)."""
        key = ModelChoice(values.provider, values.model, values.model, quality=values.quality).key  # "auto:high" too
        cap = "" if values.cost_cap_usd is None else f"{values.cost_cap_usd:f}"
        self.editor.load(values.system, values.user, values.max_tokens, values.temperature, key, cap)
        self.prompt_path = path
        self.prompt_name = name
        self._saved_fingerprint = ("unsaved",)  # differs from any file until saved
        self.dirty = True
        self.editor.set_prompt_name(self.prompt_name, True)
        self.dirty_changed()
        self.schedule_preview(0)
