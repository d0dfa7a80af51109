"""The live preview's engine (worker side): incremental token counts, the estimate, cheaper/stronger tips.

One engine per Lab screen; its lock serialises the counters, so an exclusive worker that was
superseded but is still running cannot interleave with the next one.
"""

from __future__ import annotations

import threading
from typing import Any

from promptlab_tui.core.incremental import IncrementalTokenCounter
from promptlab_tui.core.tokens import (
    count_messages,
    encoding_name_for_model,
    get_encoding,
)
from promptlab_tui.core.types import ChatMessage, PromptSpec, TokenCount
from promptlab_tui.widgets.editor.editor_pane import EditorValues
from promptlab_tui.widgets.views import PreviewView


def warm_tokenizer(model: str) -> None:
    """Load the model's vocabulary (about 0.35 s) off the UI thread; a missing one is not an error."""
    name = encoding_name_for_model(model)
    if name:
        get_encoding(name)


def prompt_from(values: EditorValues) -> PromptSpec:
    messages = []
    if values.system.strip():
        messages.append(ChatMessage("system", values.system))
    messages.append(ChatMessage("user", values.user))
    return PromptSpec(messages=messages, model=values.model, max_tokens=values.max_tokens,
                      temperature=values.temperature)


class PreviewEngine:
    def __init__(self, services: Any) -> None:
        self.services = services
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, str], IncrementalTokenCounter] = {}
        self._overhead: dict[tuple[str, tuple[str, ...]], int] = {}
        self._stats: dict[str, Any] = {}
        self._calibration: dict[str, float | None] = {}
        self._history_stale = False

    def invalidate_history(self) -> None:
        """After a run: the next preview re-reads output stats and calibration (never blocks the UI)."""
        self._history_stale = True

    # ---- counting -------------------------------------------------------------------------------

    def count(self, values: EditorValues) -> TokenCount:
        """Input tokens of the chat request, re-encoding only the edited chunks of each message."""
        model = values.model
        parts = [("system", values.system)] if values.system.strip() else []
        parts.append(("user", values.user))
        calibration = self._calibration.get(model)
        tokens, exact, method, note = 0, True, "", None
        for role, text in parts:
            counter = self._counters.get((role, model))
            if counter is None or counter.calibration != calibration:
                counter = self._counters[(role, model)] = IncrementalTokenCounter(model, calibration)
            result = counter.update(text)
            tokens += result.tokens
            exact, method, note = exact and result.exact, result.method, note or result.note
        roles = tuple(role for role, _ in parts)
        overhead = self._overhead.get((model, roles))
        if overhead is None:
            overhead = count_messages([ChatMessage(role, "") for role in roles], model, calibration).tokens
            self._overhead[(model, roles)] = overhead
        return TokenCount(tokens + overhead, exact=exact, method=method, note=note)

    def _history(self, model: str, prompt_name: str | None) -> Any:
        """Output stats for the model from the history (cached until the next run)."""
        if model not in self._stats:
            try:
                from promptlab_tui.screens.backend import repository

                repo = repository(self.services)
                self._stats[model] = repo.output_stats(model, prompt_name)
                self._calibration[model] = repo.calibration_ratio(model)
            except Exception:  # no history yet, or an unreadable database: predict without it
                self._stats[model] = None
                self._calibration[model] = None
        return self._stats[model]

    # ---- the preview ----------------------------------------------------------------------------

    def compute(self, values: EditorValues, pricing: Any, prompt_name: str | None = None
                ) -> tuple[PreviewView | None, Any]:
        """The preview, and the estimate the tips are compared against."""
        from promptlab_tui.core.estimate import estimate_run_cost

        with self._lock:
            if self._history_stale:
                self._history_stale = False
                self._stats.clear()
                self._calibration.clear()
            stats = self._history(values.model, prompt_name)
            count = self.count(values)
        prompt = prompt_from(values)
        estimate = None
        if pricing is not None:
            estimate = estimate_run_cost(prompt, pricing, output_stats=stats, provider=values.provider,
                                         input_count=count)
        expected = estimate.expected_output_tokens if estimate else min(values.max_tokens, 400)
        history_based = stats is not None and getattr(stats, "count", 0) > 0
        return PreviewView(
            model=values.model,
            provider=values.provider,
            input_tokens=count.tokens,
            exact=count.exact,
            note=count.note,
            expected_output=expected,
            p90_output=estimate.p90_output_tokens if estimate and history_based else None,
            max_output=estimate.max_output_tokens if estimate else values.max_tokens,
            expected_nanos=estimate.expected_cost_nanos if estimate else None,
            worst_nanos=estimate.worst_cost_nanos if estimate else None,
            price_version=estimate.price_version if estimate else None,
            history_based=history_based,
        ), estimate

    @staticmethod
    def tips(values: EditorValues, pricing: Any, estimate: Any) -> tuple[str, ...]:
        """'gpt-4o would cost $0.0042, 4.6x more' for the cheapest and the strongest alternative.

        Counts the prompt once per other tokenizer (at most three), after the preview is shown.
        """
        from promptlab_tui.core.estimate import alternatives_tips, compare_models

        if pricing is None or estimate is None or not estimate.priced:
            return ()
        return tuple(alternatives_tips(estimate, compare_models(prompt_from(values), pricing)))
