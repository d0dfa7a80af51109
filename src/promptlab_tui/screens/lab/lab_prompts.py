"""Saved prompts in the Lab: Markdown files with +++ TOML front matter, read and written in workers."""

from __future__ import annotations

from pathlib import Path

from textual import work

from promptlab_tui.core.money import nanos_to_usd
from promptlab_tui.screens.dialogs.form import shown
from promptlab_tui.services.model_choice import auto_choice
from promptlab_tui.screens.lab.messages import PromptFileDone
from promptlab_tui.services.editor_values import EditorValues, PreviewInputs


def _fingerprint(inputs: PreviewInputs, text_revision: int) -> tuple[object, ...]:
    """What "unsaved changes" compares: the texts by their revision (no look at the whole text), the fields."""
    return (text_revision, inputs.provider, inputs.model, inputs.max_tokens, inputs.temperature)


class PromptFilesMixin:
    """Open / save / save as / rename / duplicate for LabScreen."""

    def init_prompt_state(self) -> None:
        self.prompt_path: Path | None = None
        self.prompt_name: str | None = None
        self.dirty = False
        self._saved_fingerprint: tuple[object, ...] | None = None

    def update_dirty(self, inputs: PreviewInputs) -> None:
        """Called when typing pauses (never per keystroke): any edit since the prompt was last saved or opened."""
        if self._saved_fingerprint is None:
            dirty = inputs.has_system or inputs.has_user
        else:
            dirty = _fingerprint(inputs, self.journal.revision) != self._saved_fingerprint
        if dirty != self.dirty:
            self.dirty = dirty
            self.editor.set_prompt_name(self.prompt_name, dirty)
            self.dirty_changed()
        elif dirty:
            self.dirty_changed()  # (a timer: at most one draft write a second)

    def _mark_clean(self) -> None:
        self._saved_fingerprint = _fingerprint(self.editor.preview_inputs(), self.journal.revision)
        self.dirty = False
        self.editor.set_prompt_name(self.prompt_name, False)
        self.refresh_bindings()  # "Prompt's runs" follows the prompt's name

    # ---- actions --------------------------------------------------------------------------------

    def action_save_prompt(self) -> None:
        if self.prompt_path is None:
            self._open_prompt_list(save=True)
        else:
            self.prompt_file_job("save", self.values_to_send(), self.prompt_path, self.prompt_name)

    def action_open_prompts(self) -> None:
        self.guard_unsaved("open another prompt", lambda: self._open_prompt_list(save=False))

    def _open_prompt_list(self, save: bool) -> None:
        from promptlab_tui.screens.dialogs.saved_prompts import SavedPromptsScreen

        self.app.push_screen(SavedPromptsScreen(self.prompt_path, save_mode=save,
                                                suggested_name=self.prompt_name or ""), self._prompt_list_choice)

    request_extras = None  # a loaded file's tools, formats and images (core.request_tokens.RequestExtras)
    file_choices = None  # a loaded file's fallback chain, session budget, cache (services.editor_values.FileChoices)

    def values_to_send(self) -> EditorValues:
        """The editor's values with the loaded file's tools, images and fallback chain (saved and sent with the texts)."""
        return self.editor.values()._replace(extras=self.request_extras, choices=self.file_choices)

    def action_new_prompt(self) -> None:
        self.guard_unsaved("start a new prompt", self._new_prompt)

    def _new_prompt(self) -> None:
        self.end_conversation()
        self.results.clear()
        self.refresh_bindings()  # no answer to copy or save any more
        self.request_extras = None
        self.file_choices = None
        self.editor.load("", "", 1024, None, None)
        self.prompt_path = None
        self.prompt_name = None
        self._saved_fingerprint = None
        self.dirty = False
        self.editor.set_prompt_name(None, False)
        self.query_one("#user-text").focus()

    def _prompt_list_choice(self, choice: tuple[str, ...] | None) -> None:
        if not choice:
            return
        verb = choice[0]
        if verb == "open":
            self.prompt_file_job("open", None, Path(choice[1]), None)
        elif verb == "save_as":
            self.prompt_file_job("save_as", self.values_to_send(), None, choice[1])
        elif verb in ("rename", "duplicate"):
            self.prompt_file_job(verb, None, Path(choice[1]), choice[2])

    @work(thread=True, group="prompt-files")
    def prompt_file_job(self, verb: str, values: EditorValues | None, path: Path | None, name: str | None) -> None:
        from promptlab_tui.services import prompt_store

        try:
            if verb == "open":
                spec = prompt_store.load_prompt(path)
                self.post_message(PromptFileDone(verb, str(path), spec))
            elif verb in ("save", "save_as"):
                saved = prompt_store.save_prompt(self.app.services, values, path, name, self.turn_history())
                self.post_message(PromptFileDone(verb, str(saved), name))  # the name, spaces and all
            elif verb == "rename":
                self.post_message(PromptFileDone(verb, str(prompt_store.rename_prompt(self.app.services, path, name)), str(path)))
            elif verb == "duplicate":
                self.post_message(PromptFileDone(verb, str(prompt_store.duplicate_prompt(self.app.services, path, name))))
        except Exception as error:  # a bad file or a full disk: say so, keep the editor as it is
            self.post_message(PromptFileDone(verb, str(path) if path else None, error=str(error)))

    def on_prompt_file_done(self, message: PromptFileDone) -> None:
        if message.error:
            title = {"open": "Prompt not opened", "rename": "Prompt not renamed",
                     "duplicate": "Prompt not duplicated"}.get(message.verb, "Prompt not saved")
            self.notify(message.error, title=title, severity="error", timeout=15)
            self._after_save = None  # what waited for the save does not happen
            return
        path = Path(message.path) if message.path else None
        if message.verb == "open" and message.spec is not None:
            self._fill_from(message.spec, path)
        elif message.verb in ("save", "save_as"):
            self.prompt_path = path
            self.prompt_name = message.spec or (path.stem if path else None)
            self._mark_clean()
            self.notify(f"Saved {shown(path)}", timeout=4)
            self.saved_then_continue()
        elif message.verb == "rename":
            if self.prompt_path is not None and str(self.prompt_path) == str(message.spec):
                self.prompt_path = path
                self.prompt_name = path.stem if path else None
                self.editor.set_prompt_name(self.prompt_name, self.dirty)
            self.notify(f"Renamed to {path.name if path else ''}", timeout=4)
        elif message.verb == "duplicate":
            self.notify(f"Duplicated as {path.name if path else ''}", timeout=4)

    def _fill_from(self, spec, path: Path | None) -> None:
        from promptlab_tui.core.selection import is_auto

        key = None
        provider = getattr(spec, "provider", None)
        for choice in self.app.models:
            if choice.model == spec.model and (provider is None or choice.provider == provider):
                key = choice.key
                break
        if is_auto(spec.model):  # `model = "auto"`: the picker's auto entry of the file's (or config's) tier
            key = auto_choice(spec.quality or self.default_quality()).key
        from promptlab_tui.core.request_tokens import RequestExtras
        from promptlab_tui.services.editor_values import FileChoices

        user = "\n\n".join(m.content for m in spec.user_messages)
        self.results.clear()
        if self.open_conversation(spec):  # user/assistant turns: a conversation, the last message in the editor
            user = spec.messages[-1].content
        self.request_extras = RequestExtras.of(spec)  # tools and images ride along with the texts
        self.file_choices = FileChoices.of(spec)  # its fallback chain is run as `promptlab run` runs it
        cap = "" if spec.max_cost_nanos is None else format(nanos_to_usd(spec.max_cost_nanos).normalize(), "f")
        self.editor.load(spec.system, user, spec.max_tokens, spec.temperature, key, cap)
        self.prompt_path = path
        self.prompt_name = spec.name or (path.stem if path else None)
        self._mark_clean()
        self.schedule_preview(0)
