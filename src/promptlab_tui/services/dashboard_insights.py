"""Recommendations, what-if, estimate accuracy and prompt efficiency for the dashboard (`DashboardService`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from promptlab_tui.core.analytics import recommend
from promptlab_tui.core.analytics.periods import Period
from promptlab_tui.core.analytics.quality import Accuracy, Efficiency, EstimateRow, estimate_accuracy, prompt_efficiency
from promptlab_tui.core.analytics.recommend import OutputSample, Recommendation
from promptlab_tui.core.analytics.repricing import UsageGroup, WhatIf, what_if as reprice_all
from promptlab_tui.store.analytics import Filters, estimate_rows, grouped_sums, input_names, output_samples

if TYPE_CHECKING:
    from promptlab_tui.core.pricing import ModelPrice, PricingTable
    from promptlab_tui.services.dashboard_source import DashboardSource

MAX_SHOWN = 50  # recommendations kept (largest saving first); the potential savings count them all
SAMPLED_GROUPS = 12  # the most expensive (model, prompt) groups whose outputs are sampled for max tokens
# Size words from larger to smaller: a model's smaller sibling swaps one for a later one (sonnet -> haiku).
_SIZES = (("opus", "sonnet", "haiku"), ("pro", "flash"), ("mini", "nano"))


@dataclass(frozen=True)
class RecommendationsView:
    period: Period
    items: tuple[Recommendation, ...]  # largest saving first, at most MAX_SHOWN
    potential_monthly_savings_nanos: int  # per prompt the largest, summed (recommendations overlap)
    days: int  # days of runs the savings were computed from
    more: int = 0  # recommendations beyond MAX_SHOWN, not listed


def _is_smaller_sibling(model: str, candidate: str) -> bool:
    if candidate.startswith(model + "-"):  # gpt-4o -> gpt-4o-mini, gemini-2.5-flash -> gemini-2.5-flash-lite
        return True
    ours, theirs = model.split("-"), candidate.split("-")
    if len(ours) != len(theirs):
        return False
    differ = [(a, b) for a, b in zip(ours, theirs) if a != b]
    return len(differ) == 1 and any(a in sizes and b in sizes and sizes.index(b) > sizes.index(a)
                                    for sizes in _SIZES for a, b in differ)


def alternatives_for(pricing: PricingTable, acceptable: Sequence[str] = ()):
    """(provider, model) -> candidate prices: the model's smaller siblings of the same provider (current,
    not legacy, same reasoning kind) and any priced model the user marked acceptable."""
    current = [p for p in pricing.models() if not p.legacy and not p.is_free]
    marked = [p for name in acceptable if (p := pricing.resolve(name)) is not None]
    cache: dict[tuple[str, str], list[ModelPrice]] = {}

    def alternatives(provider: str, model: str) -> list[ModelPrice]:
        if (provider, model) not in cache:
            own = pricing.resolve(model, provider)
            base = own.model if own is not None else model
            siblings = [p for p in current if p.provider == provider and p.model != base
                        and _is_smaller_sibling(base, p.model) and p.reasoning == getattr(own, "reasoning", p.reasoning)]
            cache[(provider, model)] = siblings + [p for p in marked if p.model != base and p not in siblings]
        return cache[(provider, model)]

    return alternatives


def recommendations(service: DashboardSource, period: Period, acceptable: Sequence[str] = (),
                    min_savings_nanos: int = 10_000_000) -> RecommendationsView:
    tz_name = service.timezone()
    today = service.today()
    days = max(1, period.elapsed_days(today) if period.first <= today else period.days)
    comparison = period.comparison(today)
    pricing = service.context.pricing
    prices: dict[tuple[str, str], ModelPrice | None] = {}

    def price_of(provider: str, model: str) -> ModelPrice | None:
        if (provider, model) not in prices:
            prices[(provider, model)] = pricing.resolve(model, provider)
        return prices[(provider, model)]

    start, end = period.bounds(tz_name)
    with service._read() as conn:
        now = grouped_sums(conn, period.first, period.end, "model_prompt", tz_name)
        before = {key[0]: t for key, t in grouped_sums(conn, comparison.first, comparison.end, "prompt",
                                                        tz_name).items()}
        inputs = grouped_sums(conn, period.first, period.end, "input", tz_name)
        repeated = [(p, m, f, t) for (p, m, f), t in inputs.items() if t.runs > 1 and t.input_tokens > 0]
        caching = recommend.use_caching(repeated, lambda keys: input_names(conn, period.first, period.end, keys),
                                        price_of, days, min_savings_nanos, MAX_SHOWN)
        groups = [UsageGroup(p, m, n, t) for (p, m, n), t in now.items()]
        sampled = sorted((g for g in groups if g.prompt), key=lambda g: -g.totals.cost_nanos)[:SAMPLED_GROUPS]
        samples = output_samples(conn, start, end, [(g.provider, g.model, g.prompt) for g in sampled])
    saved = {prompt.name for prompt in _saved_prompts(service)}
    from promptlab_tui.services.compare import comparison_notes

    compared = comparison_notes(service.context.repository)  # the user's marks in compare mode (issue 11)
    acceptable = (*acceptable, *sorted({model for _prompt, model in compared}))
    items = (recommend.switch_model(groups, price_of, alternatives_for(pricing, acceptable), days,
                                    period_words(period), saved, min_savings_nanos)
             + recommend.input_grew(groups, before, price_of, days, min_savings_nanos)
             + recommend.lower_max_tokens(sampled, {k: OutputSample(*v) for k, v in samples.items()}, price_of, saved)
             + caching
             + recommend.trim_context(groups, price_of, days, min_savings_nanos))
    items = [_with_comparison(r, compared) for r in items]
    items.sort(key=lambda r: (-r.savings_nanos, -r.reserve_freed_nanos, r.kind, r.title))
    return RecommendationsView(period, tuple(items[:MAX_SHOWN]), recommend.potential_monthly_savings(items), days,
                               max(0, len(items) - MAX_SHOWN))


def period_words(period: Period) -> str:
    """How a recommendation's title names its period: '$4.12 this month', '$4.12 in 2026-11-02 .. 2026-11-08'."""
    named = {"today": "today", "week": "this week", "month": "this month", "last-month": "last month",
             "7d": "in the last 7 days", "30d": "in the last 30 days"}
    if period.kind in named:
        return named[period.kind]
    if period.kind == "all":
        return f"since {period.first.isoformat()}"
    return f"on {period.label}" if period.days == 1 else f"in {period.label}"


def _with_comparison(item: Recommendation, compared: dict[tuple[str | None, str], str]) -> Recommendation:
    """A model switch the user's compare marks back up says so: "gpt-4o-mini won 7 of 9 comparisons"."""
    if item.kind != "switch_model":
        return item
    for (prompt, model), note in compared.items():
        if prompt == item.prompt and f" on {model} " in item.title:
            from dataclasses import replace

            return replace(item, how=f"{item.how}; {note}")
    return item


def _saved_prompts(service: DashboardSource) -> list:
    repository = service.context.repository
    return repository.saved_prompts() if repository is not None else []


def what_if(service: DashboardSource, period: Period, model: str, provider: str | None = None,
            filters: Filters | None = None) -> WhatIf:
    target = service.context.pricing.resolve(model, provider)
    if target is None:
        raise ValueError(f"model {model!r} has no price: pick a model from `promptlab prices`")
    with service._read() as conn:
        groups = grouped_sums(conn, period.first, period.end, "model", service.timezone(), filters)
    return reprice_all(target, [(p, m, t) for (p, m), t in groups.items()])


def accuracy(service: DashboardSource, period: Period) -> list[Accuracy]:
    start, end = period.bounds(service.timezone())
    with service._read() as conn:
        rows = estimate_rows(conn, start, end)
    return estimate_accuracy(EstimateRow(*row) for row in rows)


def efficiency(service: DashboardSource, period: Period) -> list[Efficiency]:
    tz_name = service.timezone()
    comparison = period.comparison(service.today())
    start, end = period.bounds(tz_name)
    with service._read() as conn:
        now = grouped_sums(conn, period.first, period.end, "prompt", tz_name)
        before = grouped_sums(conn, comparison.first, comparison.end, "prompt", tz_name)
        pairs = grouped_sums(conn, period.first, period.end, "model_prompt", tz_name)
        top = sorted(((k, t) for k, t in pairs.items() if k[2]), key=lambda kt: -kt[1].cost_nanos)[:SAMPLED_GROUPS]
        samples = output_samples(conn, start, end, [key for key, _ in top], limit=200)
    per_prompt: dict[str, OutputSample] = {}
    for (_, _, prompt), (outputs, max_tokens) in samples.items():
        old = per_prompt.get(prompt, OutputSample((), ()))
        per_prompt[prompt] = OutputSample((*old.outputs, *outputs), (*old.max_tokens, *max_tokens))
    return prompt_efficiency({k[0]: t for k, t in now.items()}, {k[0]: t for k, t in before.items()}, per_prompt)


__all__ = ["RecommendationsView", "accuracy", "alternatives_for", "efficiency", "period_words", "recommendations",
           "what_if"]
