"""The live preview's engine (worker side): incremental token counts, the estimate, cheaper/stronger tips.

The editor writes every edit to an EditJournal; the engine drains it into incremental counters, one per
message and tokenizer, so recounting costs about the size of the edit: the whole text is never read on
the way from a keystroke to the preview. One engine per Lab screen; its lock serialises the counters,
so an exclusive worker that was superseded but is still running cannot interleave with the next one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.tokens import count_messages, encoding_name_for_model, get_encoding
from promptlab_tui.core.types import ChatMessage, PromptSpec, TokenCount
from promptlab_tui.services.message_counters import CounterKey, LostTrack, MessageCounters, counter_key  # noqa: F401
from promptlab_tui.services.views import PreviewView

if TYPE_CHECKING:
    from promptlab_tui.services.edit_journal import EditJournal
    from promptlab_tui.services.editor_values import EditorValues, PreviewInputs

ROLES = ("system", "user")
# A model standing for each tokenizer compare_models() asks about (tips for the other models).
MODEL_FOR_KEY = {"o200k_base": "gpt-4o", "cl100k_base": "gpt-4", "approx": "approx"}


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
    spec = PromptSpec(messages=messages, model=values.model, max_tokens=values.max_tokens,
                      temperature=values.temperature)
    if values.cost_cap_usd is not None:  # the Cap field is the prompt's per-run cap (front matter max_cost)
        from promptlab_tui.core.money import usd_to_nanos

        spec.max_cost_nanos = usd_to_nanos(values.cost_cap_usd)
    spec.quality = getattr(values, "quality", None)
    choices = getattr(values, "choices", None)
    if choices is not None:
        choices.apply(spec)
    extras = getattr(values, "extras", None)
    return extras.apply(spec) if extras is not None else spec


class PreviewEngine:
    def __init__(self, services: Any, journal: EditJournal) -> None:
        self.services = services
        self.journal = journal
        self._lock = threading.Lock()
        self._messages = {role: MessageCounters() for role in ROLES}
        self._overhead: dict[tuple[str, tuple[str, ...], float | None], int] = {}
        self._stats: dict[str, Any] = {}
        self._calibration: dict[str, float | None] = {}
        self._durations: dict[tuple[str, str | None], Any] = {}
        self._extras: dict[tuple[Any, ...], Any] = {}
        self._online: Any = None  # services.online_count.OnlineCounter, made on first use
        self._history_stale = False
        self._context: tuple[ChatMessage, ...] = ()  # a conversation's earlier turns, counted into every preview
        self._context_tokens: dict[CounterKey, int] = {}

    def set_context(self, messages: tuple[ChatMessage, ...]) -> None:
        """The conversation's earlier turns (counted in the worker, once per tokenizer, on the next preview)."""
        with self._lock:
            self._context, self._context_tokens = tuple(messages), {}

    def request_values(self, inputs: PreviewInputs) -> tuple[EditorValues, tuple[ChatMessage, ...]]:
        """The editor's values as the last count saw them, and the conversation's earlier turns: the request the
        run would send (call after `compute`, which brings the texts up to date)."""
        from promptlab_tui.services.editor_values import EditorValues

        with self._lock:
            texts = {}
            for role, messages in self._messages.items():
                source = next(iter(messages.counters.values()), None)
                texts[role] = source.text if source is not None else messages.text_before_counters
            context = self._context
        return EditorValues(texts["system"], texts["user"], inputs.provider, inputs.model, inputs.max_tokens,
                            inputs.temperature, inputs.cost_cap_usd, inputs.problems, inputs.extras, inputs.quality,
                            inputs.choices), context

    def invalidate_history(self) -> None:
        """After a run: the next preview re-reads output stats and calibration (never blocks the UI)."""
        self._history_stale = True

    # ---- counting (callers hold the lock) -------------------------------------------------------

    def _catch_up(self, model: str, calibration: float | None) -> None:
        """Apply the edits made since the last count; the model's counters exist before, so they follow."""
        key = counter_key(model, calibration)
        for role, ops in self.journal.take().items():
            messages = self._messages[role]
            if not messages.lost:
                messages.counter(key, model)  # made before the edits, so it can follow them
            messages.apply(ops)

    def _count(self, model: str, roles: tuple[str, ...], calibration: float | None) -> TokenCount:
        """Input tokens of the chat request for `model`: the messages' counters plus the chat format."""
        key = counter_key(model, calibration)
        tokens, upper, exact, method, note = 0, 0, True, "", None
        for role in roles:
            result = self._messages[role].counter(key, model).result()
            tokens += result.tokens
            upper += result.upper_tokens if result.upper_tokens is not None else result.tokens
            exact, method, note = exact and result.exact, result.method, note or result.note
        overhead = self._overhead.get((model, roles, key[2]))
        if overhead is None:
            overhead = count_messages([ChatMessage(role, "") for role in roles], model, key[2]).tokens
            self._overhead[(model, roles, key[2])] = overhead
        if self._context:  # each earlier message as the chat format counts it (no second reply priming)
            if key not in self._context_tokens:
                self._context_tokens[key] = count_messages(list(self._context), model, key[2]).tokens - \
                    count_messages([], model, key[2]).tokens
            tokens += self._context_tokens[key]
            upper += self._context_tokens[key]
        return TokenCount(tokens + overhead, exact=exact, method=method, note=note,
                          upper_tokens=None if exact else upper + overhead)

    def _with_extras(self, count: TokenCount, inputs: PreviewInputs, calibration: float | None
                     ) -> tuple[TokenCount, tuple[str, ...]]:
        """The texts' count plus a loaded file's tools and images (counted once per model and file)."""
        extras = getattr(inputs, "extras", None)
        if extras is None:
            return count, ()
        from promptlab_tui.core.request_tokens import extras_cost
        from promptlab_tui.core.tokens import apply_calibration

        key = (inputs.model, roles_of(inputs), id(extras))  # extras hold dicts: keyed by identity, kept alive
        found = self._extras.get(key)
        if found is None or found[0] is not extras:
            found = self._extras[key] = (extras, extras_cost(extras, inputs.model, roles_of(inputs)))
        cost = found[1]
        added = cost.tokens if count.exact else apply_calibration(cost.tokens, calibration)
        exact = count.exact and cost.exact
        upper = None if exact else (count.upper_tokens or count.tokens) + added
        note = count.note if not count.exact or exact else "Approximate: tools or images follow no published rule."
        return TokenCount(count.tokens + added, exact=exact, method=count.method, note=note,
                          upper_tokens=upper), cost.lines

    def count_for(self, inputs: PreviewInputs, model: str) -> TokenCount:
        """The editor's input tokens for another model than the picker's (model "auto" prices every candidate),
        uncalibrated like the run's own count; tools and images included."""
        roles = roles_of(inputs)
        with self._lock:
            self._catch_up(model, None)
            return self._with_extras(self._count(model, roles, None), inputs._replace(model=model), None)[0]

    def count(self, inputs: PreviewInputs) -> TokenCount:
        """The editor's input tokens now (drains the journal first)."""
        calibration = self._calibration.get(inputs.model)
        with self._lock:
            self._catch_up(inputs.model, calibration)
            return self._count(inputs.model, roles_of(inputs), calibration)

    def _history(self, model: str, prompt_name: str | None) -> Any:
        """Output stats for the model from the history (cached until the next run)."""
        if model not in self._stats:
            try:
                from promptlab_tui.services.app_backend import repository
                from promptlab_tui.services.context import read_history_hints

                repo = repository(self.services)
                self._stats[model], self._calibration[model] = read_history_hints(repo, model, prompt_name)
                from promptlab_tui.core.duration import choose_samples

                self._durations[(model, prompt_name)] = choose_samples(
                    repo.duration_samples(model, prompt_name) if prompt_name else [],
                    repo.duration_samples(model), model)
            except Exception:  # no history yet, or an unreadable database: predict without it
                self._stats[model] = None
                self._calibration[model] = None
        return self._stats[model]

    def _duration(self, model: str, prompt_name: str | None, expected: int, p90: int) -> Any:
        from promptlab_tui.core.duration import expected_duration

        samples = self._durations.get((model, prompt_name))
        return expected_duration(samples[0], expected, p90, samples[1]) if samples else None

    # ---- the preview ----------------------------------------------------------------------------

    def online_count(self, values: Any) -> Any:
        """The provider's count of the editor's request (blocking: call from a worker); cached by content."""
        from promptlab_tui.services.online_count import OnlineCounter, provider_counter

        if self._online is None:
            self._online = OnlineCounter(provider_counter(getattr(self.services, "config", None)), debounce_s=0.0)
        spec = prompt_from(values)
        try:  # the API's own model id ("claude-haiku-4-5"), not the picker's name ("claude-haiku-4.5")
            price = self.services.pricing.resolve(spec.model, values.provider)
        except Exception:
            price = None
        if price is not None:
            spec.model = price.request_model
        return self._online.submit(spec, values.provider, now=0.0) or self._online.flush(now=0.0)

    def compute(self, inputs: PreviewInputs, pricing: Any, prompt_name: str | None = None, *,
                online_enabled: bool = False, online: Any = None) -> tuple[PreviewView | None, Any]:
        """The preview, and the estimate the tips are compared against. `online`: a count endpoint's
        answer for these inputs (exact: it replaces the local count; a failure is shown beside it)."""
        from promptlab_tui.core.estimate import estimate_run_cost

        with self._lock:
            if self._history_stale:
                self._history_stale = False
                self._stats.clear()
                self._calibration.clear()
                self._durations.clear()
            stats = self._history(inputs.model, prompt_name)
            calibration = self._calibration.get(inputs.model)
            self._catch_up(inputs.model, calibration)
            count = self._count(inputs.model, roles_of(inputs), calibration)
            count, parts = self._with_extras(count, inputs, calibration)
        online_label = None
        if not count.exact:
            online_label = "off · f8 asks the provider (sends the prompt)" if not online_enabled and online is None \
                else "on · counting when typing pauses"
        if online is not None:
            online_label = online.label
            if online.exact:
                count = TokenCount(online.tokens, exact=True, method="online", note=None)
        estimate = None
        if pricing is not None:
            estimate = estimate_run_cost(counted_prompt(inputs), pricing, output_stats=stats,
                                         provider=inputs.provider, input_count=count)
        expected = estimate.expected_output_tokens if estimate else min(inputs.max_tokens, 400)
        history_based = stats is not None and getattr(stats, "count", 0) > 0
        return PreviewView(
            model=inputs.model,
            provider=inputs.provider,
            input_tokens=count.tokens,
            exact=count.exact,
            note=count.note,
            expected_output=expected,
            p90_output=estimate.p90_output_tokens if estimate and history_based else None,
            max_output=estimate.max_output_tokens if estimate else inputs.max_tokens,
            expected_nanos=estimate.expected_cost_nanos if estimate else None,
            worst_nanos=estimate.worst_cost_nanos if estimate else None,
            price_version=estimate.price_version if estimate else None,
            history_based=history_based,
            parts=parts,
            online=online_label,
            duration=self._duration(inputs.model, prompt_name, expected,
                                    estimate.p90_output_tokens if estimate else expected),
        ), estimate

    def tips(self, inputs: PreviewInputs, pricing: Any, estimate: Any) -> tuple[str, ...]:
        """'gpt-4o would cost $0.0042, 4.6x more' for the cheapest and the strongest alternative.

        Each other tokenizer (at most three) has its own incremental counters: the first tips cost one
        full count per tokenizer, later ones the size of the edits.
        """
        from promptlab_tui.core.estimate import alternatives_tips, compare_models

        if pricing is None or estimate is None or not estimate.priced:
            return ()
        roles = roles_of(inputs)
        with self._lock:
            self._catch_up(inputs.model, self._calibration.get(inputs.model))
            def count_for(key: str) -> TokenCount:  # the texts' counters, plus the file's tools and images
                model = MODEL_FOR_KEY.get(key, key)
                return self._with_extras(self._count(model, roles, None), inputs._replace(model=model), None)[0]

            # the same expected answer as the main line (this prompt's history), on every other model
            alternatives = compare_models(counted_prompt(inputs), pricing, output_stats=self._stats.get(inputs.model),
                                          count_for=count_for)
        return tuple(alternatives_tips(estimate, alternatives))


def roles_of(inputs: PreviewInputs) -> tuple[str, ...]:
    return ("system", "user") if inputs.has_system else ("user",)


def counted_prompt(inputs: PreviewInputs) -> PromptSpec:
    """The request without its texts: every count the estimate needs is handed to it already made."""
    return PromptSpec(messages=[ChatMessage(role, "") for role in roles_of(inputs)], model=inputs.model,
                      max_tokens=inputs.max_tokens, temperature=inputs.temperature)
