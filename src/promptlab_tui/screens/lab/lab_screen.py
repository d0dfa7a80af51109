"""The Lab: edit a prompt, watch its cost update, run it, compare the actual cost with the estimate.

Typing never waits for counting: the editor writes each edit to a journal and Changed events only
restart a short timer; when typing pauses, an exclusive thread worker applies the journal's edits to
incremental counters (work in proportion to the edits, never a look at the whole text) and posts a preview.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, TextArea
from textual.worker import get_current_worker

from promptlab_tui.screens.lab.lab_answer import AnswerMixin
from promptlab_tui.screens.lab.lab_drafts import DraftsMixin
from promptlab_tui.screens.lab.lab_choices import ChoicesMixin
from promptlab_tui.screens.lab.lab_conversation import ConversationMixin
from promptlab_tui.screens.lab.lab_online import OnlineCountMixin
from promptlab_tui.screens.lab.lab_prompts import PromptFilesMixin
from promptlab_tui.screens.lab.lab_run import RunMixin
from promptlab_tui.screens.lab.messages import EditorResync, PreviewReady, VocabularyReady
from promptlab_tui.screens.messages import PricingLoaded
from promptlab_tui.services.editor_values import PreviewInputs
from promptlab_tui.services.model_choice import ModelChoice
from promptlab_tui.widgets.budget.budget_bar import BudgetBar
from promptlab_tui.widgets.conversation.conversation_strip import ConversationStrip
from promptlab_tui.widgets.editor.editor_pane import EditorPane
from promptlab_tui.widgets.editor.tracked_text_area import EditJournal, TrackedTextArea
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter
from promptlab_tui.widgets.picker.model_picker import ModelPicker
from promptlab_tui.widgets.preview.preview_pane import PreviewPane
from promptlab_tui.widgets.results.results_pane import ResultsPane
from promptlab_tui.widgets.results.run_bar import RunBar

if TYPE_CHECKING:
    from promptlab_tui.services.views import AlertView

PREVIEW_DEBOUNCE_S = 0.05  # recount once typing pauses this long (a recount costs ~1 ms: the size of the edits)
WIDE_COLUMNS = 140
DEFAULT_MODEL = ModelChoice("openai", "gpt-4o-mini", "GPT-4o mini")


class LabScreen(ChoicesMixin, ConversationMixin, RunMixin, AnswerMixin, DraftsMixin, PromptFilesMixin,
                OnlineCountMixin, Screen):
    AUTO_FOCUS = "#user-text"  # focused as the screen starts, so the first frame already shows it
    BINDINGS = [
        Binding("ctrl+r", "run", "Run", priority=True),
        Binding("escape", "cancel_run", "Cancel", priority=True),
        Binding("ctrl+s", "save_prompt", "Save", priority=True),
        Binding("ctrl+o", "open_prompts", "Open", priority=True),
        Binding("ctrl+n", "new_prompt", "New", priority=True),
        Binding("f3", "choose_model", "Model"),
        Binding("ctrl+g", "copy_answer", "Copy answer", priority=True),  # shown once there is an answer
        Binding("f9", "save_answer", "Save answer"),
        Binding("f10", "save_conversation", "Save prompt+answer"),
        Binding("ctrl+f", "prompt_runs", "Prompt's runs", priority=True),  # shown for a saved prompt
        Binding("f8", "toggle_count_online", "Online count"),  # shown only while the count is approximate
        Binding("alt+c", "compare", "Compare"),
        Binding("alt+n", "continue_conversation", "Continue"),  # shown once there is an answer to continue
        Binding("alt+s", "shorten", "Shorten"),  # shown once the prompt is long enough (60+ tokens)
    ]

    def __init__(self) -> None:
        super().__init__(id="lab")
        self.generation = 0
        self.preview_shown = 0
        self.running = False
        self.cancel_event: threading.Event | None = None
        self.dismissed_alerts: set[object] = set()
        self._debounce: Timer | None = None
        self._problems: tuple[str, ...] = ()
        self._engine_lock = threading.Lock()
        self._engine: object | None = None
        self.journal = EditJournal()  # edits of both messages, from the editor to the counting worker
        self.init_prompt_state()

    def compose(self) -> ComposeResult:
        self.set_class(self.app.size.width >= WIDE_COLUMNS, "-wide")  # now, not on resize: one style pass
        blink = self.app.cursor_blink
        yield BudgetBar()  # the alert banner is mounted below it when the first alert arrives
        yield ConversationStrip(id="conversation-strip")  # hidden until a conversation has a turn
        with Horizontal(id="lab-body"):
            yield EditorPane(self._initial_model(), self.journal, blink=blink)
            with Vertical(id="side"):
                yield PreviewPane()
                yield ResultsPane(clock=self.app.clock, blink=blink)
        yield WrappingFooter()

    def _initial_model(self) -> ModelChoice:
        config = self.app.config
        if config is not None and config.default_model:
            return ModelChoice(config.default_provider or "openai", config.default_model, config.default_model)
        return DEFAULT_MODEL

    def on_mount(self) -> None:
        self.watch(self.app, "budget", self._budget_changed)
        self.watch(self.app, "budget_loaded", self._budget_changed)
        self.watch(self.app, "alerts", self._alerts_changed)
        self.watch(self.app, "sync_state", self._sync_changed)  # team server (issue 12)
        self.watch(self.app, "team_budget", self._team_budget_changed)
        values = self.editor.values()
        self.app.after_first_frame(self.editor.params.mount_fields)
        self.app.after_first_frame(lambda: self.warm_tokenizer(values.model, values.provider))

    # ---- widgets --------------------------------------------------------------------------------

    @property
    def editor(self) -> EditorPane:
        return self.query_one(EditorPane)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE_COLUMNS, "-wide")

    # ---- app state the lab shows ----------------------------------------------------------------

    def _budget_changed(self, _value: object = None) -> None:
        bar = self.query_one(BudgetBar)
        bar.budget = self.app.budget
        bar.loaded = self.app.budget_loaded
        self.query_one(PreviewPane).budget = self.app.budget

    def _sync_changed(self, state: str) -> None:
        self.query_one(BudgetBar).sync = state

    def _team_budget_changed(self, view: object | None) -> None:
        self.query_one(PreviewPane).team_budget = view

    def _alerts_changed(self, alerts: tuple[AlertView, ...]) -> None:
        bar = self.query_one(BudgetBar)
        bar.alert_count = len(alerts)
        shown = [a for a in alerts if a.alert_id not in self.dismissed_alerts]
        alert = shown[-1] if shown else None
        banners = self.query("#alert-banner")
        if banners:
            banners.first().alert = alert
        elif alert is not None:
            from promptlab_tui.widgets.alerts.alert_banner import AlertBanner  # not needed for the first frame

            self.mount(AlertBanner(alert, id="alert-banner"), after=bar)

    def on_alert_banner_dismissed(self, message) -> None:
        self.dismissed_alerts.add(message.alert.alert_id)
        self._alerts_changed(self.app.alerts)

    def pricing_loaded(self, message: PricingLoaded) -> None:
        """Called by the app when the pricing worker answers."""
        pickers = self.query(ModelPicker)
        if not pickers:  # answered before the editor finished mounting: try again after this refresh
            self.call_after_refresh(self.pricing_loaded, message)
            return
        pickers.first().set_models(message.models)
        self.schedule_preview(0)
        self.restore_draft_once()

    def budget_changed_by_user(self) -> None:
        self.results.clear_notice()  # a refusal shown for the old budget no longer holds

    # ---- live preview ---------------------------------------------------------------------------

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
        if self.editor.picker.selected is not None:
            self.warm_tokenizer(self.editor.picker.selected.model, self.editor.picker.selected.provider)
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
        self.generation += 1
        self.compute_preview(inputs, self.generation)

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
    def compute_preview(self, inputs: PreviewInputs, generation: int) -> None:
        from promptlab_tui.services.preview_engine import LostTrack

        engine = self.get_engine()
        worker = get_current_worker()
        try:
            preview, estimate = engine.compute(inputs, self.app.pricing, self.prompt_name,
                                               online_enabled=self.online_enabled())
        except LostTrack:  # an edit the counters could not follow: recount from the editor's texts
            self.post_message(EditorResync())
            return
        except Exception as error:  # a bad price entry must not take the editor down
            self.post_message(PreviewReady(None, generation, f"Preview failed: {error}"))
            return
        if worker.is_cancelled:
            return
        self.post_message(PreviewReady(preview, generation))
        try:
            tips = engine.tips(inputs, self.app.pricing, estimate)
        except LostTrack:
            self.post_message(EditorResync())
            return
        if tips and not worker.is_cancelled:
            self.post_message(PreviewReady(replace(preview, tips=tips), generation))

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
            self.show_conversation(preview.expected_nanos if preview is not None else None)
        if self.shorten_offered != getattr(self, "_shorten_shown", False):
            self._shorten_shown = self.shorten_offered
            self.refresh_bindings()  # ctrl+f shows once the prompt is long enough to shorten

    # ---- actions --------------------------------------------------------------------------------

    def action_choose_model(self) -> None:
        picker = self.editor.picker
        picker.focus()
        picker.action_show_overlay()

    async def on_run_bar_pressed(self, _event: RunBar.Pressed) -> None:
        await self.run_action("cancel_run" if self.running else "run")  # Run while idle, Cancel while running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        answer = self.answer_check(action)
        if answer is not None:
            return answer
        if action == "run":
            return None if self.running else True
        if action == "cancel_run":
            return True if self.running else None
        if action in ("open_prompts", "new_prompt", "compare"):
            return None if self.running else True
        if action == "continue_conversation":  # in the footer only once there is an answer to continue
            return True if self.can_continue else False
        if action == "shorten":
            return True if self.shorten_offered else False
        if action == "toggle_count_online":
            return True if self.online_offered() else False
        return True
