"""The Lab's live preview: typing never waits for counting.

The editor writes each edit to a journal and Changed events only restart a short timer; when typing pauses,
an exclusive thread worker applies the journal's edits to incremental counters (work in proportion to the
edits, never a look at the whole text) and posts a preview. Model "auto" previews the pick and why.
"""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.widgets import Input, TextArea
from textual.worker import get_current_worker

from promptlab_tui.screens.lab.messages import EditorResync, PreviewReady, VocabularyReady
from promptlab_tui.services.editor_values import PreviewInputs
from promptlab_tui.services.model_choice import AUTO
from promptlab_tui.widgets.editor.tracked_text_area import TrackedTextArea
from promptlab_tui.widgets.picker.model_picker import ModelPicker
from promptlab_tui.widgets.preview.preview_pane import PreviewPane

PREVIEW_DEBOUNCE_S = 0.05  # recount once typing pauses this long (a recount costs ~1 ms: the size of the edits)


class PreviewMixin:
    """The preview's timer, worker and answers for LabScreen (state lives on the screen)."""

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id in ("system-text", "user-text"):
            self.schedule_preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("max-tokens", "temperature", "cost-cap"):
            self.schedule_preview()

    def on_model_picker_open_requested(self, event: ModelPicker.OpenRequested) -> None:
        from promptlab_tui.screens.dialogs.model_dialog import ModelDialog

        event.stop()
        self.app.push_screen(ModelDialog(event.choices, event.value), event.picker.picked)

    def on_model_picker_changed(self, _event: ModelPicker.Changed) -> None:
        selected = self.editor.picker.selected
        if selected is not None:
            if selected.model != AUTO:  # "auto" warms nothing: the pick's tokenizer loads with the preview
                self.warm_tokenizer(selected.model, selected.provider)
            self.schedule_preview()

    @property
    def preview_pending(self) -> bool:
        """A preview is waiting for typing to pause, or the app is still starting (tests poll this)."""
        return self._debounce is not None or not self.app.started

    def schedule_preview(self, delay: float = PREVIEW_DEBOUNCE_S) -> None:
        """Restart the debounce timer; only the last edit of a burst starts a count."""
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(max(delay, 0.01), self._start_preview)

    def _start_preview(self) -> None:
        self._debounce = None
        inputs = self.editor.preview_inputs()  # not the texts: the worker has their edits
        if self.request_extras is not None:
            inputs = inputs._replace(extras=self.request_extras)
        self.update_dirty(inputs)
        self._problems = inputs.problems
        if not inputs.has_user and not inputs.has_system:
            self.generation += 1
            self.preview_shown = self.generation  # any count still running is for older text
            pane = self.query_one(PreviewPane)
            pane.preview, pane.status = None, "Type a prompt to see its cost."
            self.last_preview = None
            return
        if not self.app.pricing_ready:  # pricing_loaded() schedules the first preview
            self.query_one(PreviewPane).status = "Loading prices and tokenizer…"
            return
        if self.file_choices is not None:
            inputs = inputs._replace(choices=self.file_choices)
        session = self.app.run_context()[1] if inputs.model == AUTO else None  # the pick fits the session's room
        self.generation += 1
        self.compute_preview(inputs, self.generation, session)

    def get_engine(self):
        """The worker-side counting engine (one per screen; its lock serialises the counters)."""
        from promptlab_tui.services.preview_engine import PreviewEngine

        with self._engine_lock:
            if self._engine is None:
                self._engine = PreviewEngine(self.app.services, self.journal)
            return self._engine

    @work(thread=True, group="tokenizer")
    def warm_tokenizer(self, model: str, provider: str | None = None) -> None:
        """The model's vocabulary (the preview needs it), then its provider's SDK (the first run needs it)."""
        from promptlab_tui.services.preview_engine import warm_tokenizer

        warm_tokenizer(model)
        self.post_message(VocabularyReady())
        if provider is not None:
            from promptlab_tui.providers.registry import import_sdk

            try:
                import_sdk(provider, self.app.services.config)
            except Exception:  # a broken install or config: the run itself will say why
                pass

    def on_vocabulary_ready(self, _message: VocabularyReady) -> None:
        if self.generation:
            self.schedule_preview(0)

    @work(thread=True, exclusive=True, group="preview")
    def compute_preview(self, inputs: PreviewInputs, generation: int, session: object = None) -> None:
        from promptlab_tui.core.selection import NoModelFits
        from promptlab_tui.services.preview_engine import LostTrack

        engine = self.get_engine()
        worker = get_current_worker()
        try:
            if inputs.model == AUTO:  # the pick the run will make, and why (services.auto_select)
                from promptlab_tui.services.auto_preview import auto_preview

                preview, estimate = auto_preview(engine, self.app.services, inputs, self.app.pricing, self.prompt_name,
                                                 session, online_enabled=self.online_enabled())
                inputs = inputs._replace(model=preview.model, provider=preview.provider)  # the tips compare the pick
            else:
                preview, estimate = engine.compute(inputs, self.app.pricing, self.prompt_name,
                                                   online_enabled=self.online_enabled())
        except LostTrack:  # an edit the counters could not follow: recount from the editor's texts
            self.post_message(EditorResync())
            return
        except NoModelFits as refusal:  # shown before the run, which would refuse the same way
            self.post_message(PreviewReady(None, generation, f"{refusal}; " + "; ".join(refusal.suggestions)))
            return
        except Exception as error:  # a bad price entry must not take the editor down
            self.post_message(PreviewReady(None, generation, f"Preview failed: {error}"))
            return
        if worker.is_cancelled:
            return
        if inputs.choices is not None and inputs.choices.fallback:
            preview = replace(preview, fallback=inputs.choices.fallback)
        preview = self._with_cache_hit(engine, inputs, preview)
        self.post_message(PreviewReady(preview, generation))
        try:
            tips = engine.tips(inputs, self.app.pricing, estimate)
        except LostTrack:
            self.post_message(EditorResync())
            return
        if tips and not worker.is_cancelled:
            self.post_message(PreviewReady(replace(preview, tips=tips), generation))

    def _with_cache_hit(self, engine, inputs: PreviewInputs, preview):
        """The preview saying the run will be served from the response cache ($0), when it will."""
        from promptlab_tui.services.response_cache import answer_in_cache

        try:
            values, history = engine.request_values(inputs)
            found = answer_in_cache(self.app.services, values, history)
        except Exception:  # noqa: BLE001 - an unreadable history: the run decides, the preview stays as it is
            return preview
        return preview if found is None else replace(preview, cached_from=found.run_id,
                                                     cache_saves_nanos=found.cost_nanos)

    def on_editor_resync(self, _message: EditorResync) -> None:
        for area in self.query(TrackedTextArea):
            self.journal.reset(area.role, area.text)
        self.schedule_preview(0)

    def on_preview_ready(self, message: PreviewReady) -> None:
        if message.generation < self.preview_shown:
            return  # a slower, older count finished after a newer one
        self.preview_shown = message.generation
        pane = self.query_one(PreviewPane)
        preview, old = message.preview, pane.preview
        if preview is not None and not preview.tips and old is not None and old.tips \
                and (old.model, old.provider) == (preview.model, preview.provider):
            preview = replace(preview, tips=old.tips)  # keep the last tips until the new ones are counted
        pane.preview = preview
        pane.status = message.error or "; ".join(self._problems)
        offered = self.online_offered()
        self.last_preview = preview
        if offered != self.online_offered():
            self.refresh_bindings()  # f8 shows only while an online count would change something
        self.online_after_preview(preview, message.generation)
        if self.conversation is not None:
            answered = self._answered[2].total_nanos if self._answered is not None else None  # run, not continued
            self.show_conversation(preview.expected_nanos if preview is not None else None, answered_nanos=answered)
        if self.shorten_offered != getattr(self, "_shorten_shown", False):
            self._shorten_shown = self.shorten_offered
            self.refresh_bindings()  # ctrl+f shows once the prompt is long enough to shorten
