"""The live preview's engine (worker side): incremental token counts, the estimate, cheaper/stronger tips.

One engine per Lab screen; its lock serialises the counters, so an exclusive worker that was
superseded but is still running cannot interleave with the next one.
"""

from __future__ import annotations

import threading
from typing import Any

from promptlab_tui.core.incremental import IncrementalTokenCounter
from promptlab_tui.core.money import format_ratio, format_usd
from promptlab_tui.core.tokens import count_messages, encoding_name_for_model, get_encoding
from promptlab_tui.core.types import ChatMessage, PromptSpec, TokenCount
from promptlab_tui.widgets.editor.editor_pane import EditorValues
from promptlab_tui.widgets.views import PreviewView

TIP_CANDIDATES = 2  # compare against the cheapest and the strongest model only: counting costs time


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
                ) -> tuple[PreviewView | None, str | None]:
        with self._lock:
            if self._history_stale:
                self._history_stale = False
                self._stats.clear()
                self._calibration.clear()
            stats = self._history(values.model, prompt_name)
            count = self.count(values)
            prompt = prompt_from(values)
            estimate = estimate_for(prompt, pricing, count, stats, values.provider)
            tips = tuple(self._tips(prompt, pricing, count, estimate, values.provider)) if pricing else ()
        return PreviewView(
            model=values.model,
            provider=values.provider,
            input_tokens=count.tokens,
            exact=count.exact,
            note=count.note,
            expected_output=estimate["expected_output"],
            p90_output=estimate["p90_output"],
            max_output=values.max_tokens,
            expected_nanos=estimate["expected_nanos"],
            worst_nanos=estimate["worst_nanos"],
            price_version=estimate["price_version"],
            history_based=stats is not None,
            tips=tips,
        ), None

    def _tips(self, prompt: PromptSpec, pricing: Any, count: TokenCount, current: dict, provider: str):
        """'gpt-4.1-nano would cost $0.0001, 12.0x less' for the cheapest and the strongest priced model."""
        if current["expected_nanos"] is None:
            return
        priced = [p for p in pricing.models(include_legacy=False) if not p.is_free and p.model != prompt.model]
        if not priced:
            return
        cheapest = min(priced, key=lambda p: (p.input + p.output, p.model))
        strongest = max(priced, key=lambda p: (p.input + p.output, p.model))
        for price in (cheapest, strongest)[:TIP_CANDIDATES]:
            other = PromptSpec(messages=prompt.messages, model=price.model, max_tokens=prompt.max_tokens)
            # the same encoding family gives the same count; other tokenizers get a fresh full count
            same = encoding_name_for_model(price.model) == encoding_name_for_model(prompt.model) and count.exact
            other_count = count if same else count_messages(other.messages, price.model)
            estimate = estimate_for(other, pricing, other_count, None, price.provider)
            cost = estimate["expected_nanos"]
            if cost is None:
                continue
            mine = current["expected_nanos"]
            if cost < mine:
                yield f"{price.model} would cost {format_usd(cost)}, {format_ratio(mine, max(cost, 1))} less"
            elif cost > mine:
                yield f"{price.model} would cost {format_usd(cost)}, {format_ratio(cost, max(mine, 1))} more"


DEFAULT_EXPECTED_OUTPUT_SHARE = 4  # with no history, expect a quarter of max tokens (capped below)
DEFAULT_EXPECTED_OUTPUT_CAP = 512


def estimate_for(prompt: PromptSpec, pricing: Any, count: TokenCount, stats: Any, provider: str | None) -> dict:
    """Expected / p90 / worst case for one model, from a count already made (never recounts)."""
    from promptlab_tui.core.pricing_cost import cost_of_usage, worst_case_cost
    from promptlab_tui.core.types import Usage

    max_out = prompt.max_tokens
    if stats is not None and getattr(stats, "count", 0):
        expected, p90 = min(stats.mean, max_out), min(stats.p90, max_out)
    else:
        expected, p90 = min(max_out, max(1, max_out // DEFAULT_EXPECTED_OUTPUT_SHARE), DEFAULT_EXPECTED_OUTPUT_CAP), None
    price = pricing.resolve(prompt.model, provider) if pricing is not None else None
    if price is None:
        return {"expected_output": expected, "p90_output": p90, "expected_nanos": None, "worst_nanos": None,
                "price_version": None}
    return {
        "expected_output": expected,
        "p90_output": p90,
        "expected_nanos": cost_of_usage(price, Usage(input_tokens=count.tokens, output_tokens=expected)).total_nanos,
        "worst_nanos": worst_case_cost(price, count.tokens, max_out),
        "price_version": price.version,
    }
