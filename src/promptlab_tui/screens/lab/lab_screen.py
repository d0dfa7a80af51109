"""The Lab: edit a prompt, watch its cost update, run it, compare the actual cost with the estimate.

The screen composes the panes and shows the app's state; each concern lives in its mixin: the live preview
(lab_preview), runs (lab_run), answers (lab_answer), prompt files (lab_prompts), drafts, conversations,
the ways of choosing a model (lab_choices) and the online count.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer

from promptlab_tui.screens.lab.lab_answer import AnswerMixin
from promptlab_tui.screens.lab.lab_drafts import DraftsMixin
from promptlab_tui.screens.lab.lab_choices import ChoicesMixin
from promptlab_tui.screens.lab.lab_conversation import ConversationMixin
from promptlab_tui.screens.lab.lab_online import OnlineCountMixin
from promptlab_tui.screens.lab.lab_preview import PREVIEW_DEBOUNCE_S, PreviewMixin  # noqa: F401  (bench imports it here)
from promptlab_tui.screens.lab.lab_prompts import PromptFilesMixin
from promptlab_tui.screens.lab.lab_run import RunMixin
from promptlab_tui.screens.messages import PricingLoaded
from promptlab_tui.services.model_choice import ModelChoice, auto_choice, auto_choices
from promptlab_tui.widgets.budget.budget_bar import BudgetBar
from promptlab_tui.widgets.conversation.conversation_strip import ConversationStrip
from promptlab_tui.widgets.editor.editor_pane import EditorPane
from promptlab_tui.widgets.editor.tracked_text_area import EditJournal
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter
from promptlab_tui.widgets.picker.model_picker import ModelPicker
from promptlab_tui.widgets.preview.preview_pane import PreviewPane
from promptlab_tui.widgets.results.results_pane import ResultsPane
from promptlab_tui.widgets.results.run_bar import RunBar

if TYPE_CHECKING:
    from promptlab_tui.services.views import AlertView

WIDE_COLUMNS = 140
DEFAULT_MODEL = ModelChoice("openai", "gpt-4o-mini", "GPT-4o mini")


class LabScreen(PreviewMixin, ChoicesMixin, ConversationMixin, RunMixin, AnswerMixin, DraftsMixin, PromptFilesMixin,
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
        if config is not None and (config.default_model or "").strip().lower() == "auto":  # the config's tier
            return auto_choice(self.default_quality())
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
        pickers.first().set_models([*auto_choices(), *message.models])  # "auto": the cheapest that fits
        self.schedule_preview(0)
        self.restore_draft_once()

    def budget_changed_by_user(self) -> None:
        self.results.clear_notice()  # a refusal shown for the old budget no longer holds

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
