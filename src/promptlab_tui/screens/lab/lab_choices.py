"""The Lab's ways of choosing (issue 11): compare models (alt+c), shorten the prompt (alt+s), and the
confirm_above question before an expensive run."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.worker import get_current_worker
from textual.message import Message


SHORTEN_MIN_TOKENS = 60  # below this a rewrite saves less than it costs on any model


class PlannedToConfirm(Message):
    """The run planned in a worker before the confirm_above dialog: `plan` None when it would be refused."""

    def __init__(self, values: Any, threshold: int, plan: Any, chain: Any) -> None:
        super().__init__()
        self.values, self.threshold, self.plan, self.chain = values, threshold, plan, chain


class ChoicesMixin:
    def picked_values(self):
        """The editor's values, with model "auto" replaced by the preview's pick (compare and shorten need a model)."""
        values = self.editor.values()
        preview = self.last_preview
        if values.model == "auto" and preview is not None:
            values = values._replace(model=preview.model, provider=preview.provider, quality=None)
        return values

    def action_compare(self) -> None:
        values = self.picked_values()
        if values.problems or not values.user.strip():
            self.notify("Write a user prompt (and fix the fields) before comparing.", severity="warning")
            return
        from promptlab_tui.screens.compare.compare_screen import CompareScreen

        others = [m.model for m in self.app.models if m.provider == values.provider and m.model != values.model]
        self.app.push_screen(CompareScreen(values, self.prompt_name, [values.model, *others[:2]],
                                           self.turn_history()))

    def action_shorten(self) -> None:
        values = self.picked_values()
        if values.problems or not values.user.strip():
            return
        from promptlab_tui.screens.optimise.optimise_screen import OptimiseScreen

        self.app.push_screen(OptimiseScreen(values, self.prompt_name, self.turn_history()), self._shortened)

    def _shortened(self, text: str | None) -> None:
        if text:
            self.query_one("#user-text").text = text  # the preview recounts it; ctrl+z in the editor undoes
            self.notify("Shortened prompt accepted.", timeout=3)

    @property
    def shorten_offered(self) -> bool:
        """Offered once the prompt is long enough for a rewrite to pay for itself."""
        preview = self.last_preview
        return not self.running and preview is not None and preview.input_tokens >= SHORTEN_MIN_TOKENS

    def default_quality(self) -> str:
        """The tier of model "auto" when a prompt does not say: config.toml's `quality`, else medium."""
        from promptlab_tui.services.choice_config import auto_quality

        try:
            return auto_quality(self.app.config) or "medium"
        except ValueError:  # a bad value: the run says so with the file and line
            return "medium"

    def ask_before_run(self, values) -> bool:
        """True when the preview's expected cost is above `confirm_above`: the dialog decides (then runs)."""
        from promptlab_tui.services.choice_config import confirm_above_nanos

        config, preview = self.app.config, self.last_preview
        try:
            threshold = confirm_above_nanos(config) if config is not None else None
        except ValueError as error:  # a bad value: say so, and ask rather than run unchecked
            self.notify(str(error), severity="error", timeout=10)
            return True
        if threshold is None or preview is None or preview.expected_nanos is None or preview.expected_nanos <= threshold:
            return False
        # planned as `run` plans it before asking: a cache hit costs $0, a chain is priced as every model tried
        self.plan_to_confirm(values, threshold, self.prompt_name, self.turn_history())
        return True

    @work(thread=True, group="confirm-plan", exclusive=True)
    def plan_to_confirm(self, values: Any, threshold: int, prompt_name: str | None, history: tuple) -> None:
        from promptlab_tui.services.run_driver import plan_to_confirm

        try:
            plan, chain = plan_to_confirm(values, self.app.run_context(), prompt_name, history)
        except Exception:  # noqa: BLE001 - a refusal: the run says why, with its own dialog
            plan, chain = None, None
        if not get_current_worker().is_cancelled:  # ctrl+r pressed again meanwhile: that one asks
            self.post_message(PlannedToConfirm(values, threshold, plan, chain))

    def on_planned_to_confirm(self, message: PlannedToConfirm) -> None:
        from promptlab_tui.services.response_cache import confirmation_needed

        plan = message.plan
        if plan is None or not confirmation_needed(plan, message.threshold):
            self.begin_run(message.values)  # refused (the run says why), served from the cache, or cheap enough
            return
        self.confirm_run(message.values, message.threshold, plan, message.chain)

    def confirm_run(self, values: Any, threshold: int, plan: Any, chain: Any) -> None:
        from promptlab_tui.core.money import format_usd
        from promptlab_tui.screens.dialogs.confirm_run import ConfirmRunDialog

        chain_text = None
        if chain is not None and len(chain.chain) > 1:
            words = chain.worst_case_words()
            chain_text = f"{words[:1].upper()}{words[1:]}."
        dialog = ConfirmRunDialog(plan.model, format_usd(plan.estimate.expected_nanos),
                                  format_usd(plan.worst_case_nanos), format_usd(threshold), chain_text)
        self.app.push_screen(dialog, lambda run: self.begin_run(values) if run else None)
