"""Recommendations, each with its savings computed from the user's own runs and a line saying how.

- switch_model: a (model, prompt)'s actual tokens re-priced at a cheaper acceptable model;
- input_grew: a prompt whose mean input per run grew against the comparison period (the extra tokens' cost);
- lower_max_tokens: output-heavy prompts whose max tokens is far above the p99 of what they use (no bill
  changes: each run's reserved worst case drops, so budgets refuse fewer runs);
- use_caching: repeated identical inputs billed at the full input rate, priced at the cached-input rate;
- trim_context: prompts with more than 4,000 input tokens per run for short answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.analytics.repricing import (
    REPRICE_METHOD, UsageGroup, cost_nanos, output_cost, rates_for, reprice)
from promptlab_tui.core.money import format_usd

if TYPE_CHECKING:
    from promptlab_tui.core.pricing import ModelPrice

PriceOf = Callable[[str, str], "ModelPrice | None"]  # (provider, model) -> its current price
CONTEXT_LIMIT = 4_000
SHORT_ANSWER = 400


@dataclass(frozen=True)
class Change:
    """An edit a recommendation makes to a saved prompt (applied by the screen, with undo)."""

    prompt: str
    field: str  # 'model' | 'max_tokens'
    old: str | int | None
    new: str | int


@dataclass(frozen=True)
class Recommendation:
    kind: str  # switch_model | input_grew | lower_max_tokens | use_caching | trim_context
    title: str
    how: str  # how the saving was computed, in words and numbers
    savings_nanos: int  # over the period looked at
    monthly_savings_nanos: int  # the same pace over 30 days
    provider: str | None = None
    model: str | None = None
    prompt: str | None = None
    change: Change | None = None  # set when it names a saved prompt that can be edited
    reserve_freed_nanos: int = 0  # lower_max_tokens: worst case no longer reserved per run


@dataclass(frozen=True)
class OutputSample:
    """Recent completed runs of one (provider, model, prompt): output tokens and the max tokens sent."""

    outputs: Sequence[int]
    max_tokens: Sequence[int]


def _pct(new: int, old: int) -> str:
    return "" if old == 0 else f" ({(new - old) * 100 / old:+.0f} %)"


def _monthly(savings: int, days: int) -> int:
    return savings * 30 // max(days, 1)


def nearest_rank(values: Sequence[int], percent: int) -> int:
    ordered = sorted(values)
    return ordered[max(0, -(-percent * len(ordered) // 100) - 1)]


def switch_model(groups: Iterable[UsageGroup], price_of: PriceOf,
                 alternatives: Callable[[str, str], Sequence[ModelPrice]], days: int, label: str,
                 saved: set[str], min_savings_nanos: int) -> list[Recommendation]:
    out = []
    for group in groups:
        totals = group.totals
        if totals.cost_nanos <= max(min_savings_nanos, 0) or totals.unpriced_runs:  # a saving is below the cost
            continue
        best: tuple[int, ModelPrice] | None = None
        for candidate in alternatives(group.provider, group.model):
            cost = reprice(candidate, totals)
            if best is None or cost < best[0]:
                best = (cost, candidate)
        if best is None:
            continue
        cost, candidate = best
        saving = totals.cost_nanos - cost
        if saving < max(min_savings_nanos, 1) or saving * 10 < totals.cost_nanos:  # under 10 %: not worth a switch
            continue
        name = group.prompt or "(no name)"
        title = (f"{group.model} runs of prompt {name}: {format_usd(totals.cost_nanos)} {label}; on "
                 f"{candidate.model} {format_usd(cost)}{_pct(cost, totals.cost_nanos)}")
        how = (f"runs: {totals.runs:,}; {totals.total_input_tokens:,} input tokens ({totals.cached_input_tokens:,} "
               f"cached), {totals.output_tokens:,} output tokens; {REPRICE_METHOD} ({candidate.version})")
        change = Change(group.prompt, "model", group.model, candidate.model) if group.prompt in saved else None
        out.append(Recommendation("switch_model", title, how, saving, _monthly(saving, days), group.provider,
                                  group.model, group.prompt or None, change))
    return out


def input_grew(current: Iterable[UsageGroup], previous: Mapping[str, Totals], price_of: PriceOf, days: int,
               min_savings_nanos: int, min_runs: int = 3) -> list[Recommendation]:
    """Per prompt: the mean input per run against the comparison period's; the extra tokens priced at the input
    rates of the models the prompt ran on (shared by their input tokens)."""
    by_prompt: dict[str, list[UsageGroup]] = {}
    for group in current:
        if group.prompt:
            by_prompt.setdefault(group.prompt, []).append(group)
    out = []
    for prompt, groups in by_prompt.items():
        now = Totals()
        for group in groups:
            now = now + group.totals
        before = previous.get(prompt)
        if before is None or now.runs < min_runs or before.runs < min_runs:
            continue
        avg_now, avg_before = now.total_input_tokens // now.runs, before.total_input_tokens // before.runs
        if avg_before == 0 or avg_now * 4 < avg_before * 5 or avg_now - avg_before < 100:  # under +25 % or +100
            continue
        extra = now.total_input_tokens - avg_before * now.runs
        saving, priced = 0, []
        for group in groups:
            price = price_of(group.provider, group.model)
            if price is None or not group.totals.total_input_tokens:
                continue
            share = extra * group.totals.total_input_tokens // now.total_input_tokens
            saving += cost_nanos(share, rates_for(price, avg_now).input)
            priced.append((group.totals.total_input_tokens, group))
        if saving < max(min_savings_nanos, 1) or not priced:
            continue
        main = max(priced, key=lambda item: item[0])[1]
        ranked = [g.model for _, g in sorted(priced, key=lambda item: (-item[0], item[1].model))]
        models = ", ".join(ranked[:3]) + (f" and {len(ranked) - 3} more" if len(ranked) > 3 else "")
        title = (f"prompt {prompt}: input grew from {avg_before:,} to {avg_now:,} tokens per run"
                 f"{_pct(avg_now, avg_before)}")
        how = (f"{extra:,} more input tokens over {now.runs:,} runs than at the previous period's mean, at the input "
               f"price of the models it ran on ({models}): {format_usd(saving)}")
        out.append(Recommendation("input_grew", title, how, saving, _monthly(saving, days), main.provider,
                                  main.model, prompt))
    return out


def lower_max_tokens(groups: Iterable[UsageGroup], samples: Mapping[tuple[str, str, str], OutputSample],
                     price_of: PriceOf, saved: set[str], min_runs: int = 20) -> list[Recommendation]:
    out = []
    for group in groups:
        sample = samples.get((group.provider, group.model, group.prompt))
        price = price_of(group.provider, group.model)
        if not group.prompt or sample is None or price is None or len(sample.outputs) < min_runs:
            continue
        full = reprice(price, group.totals)
        if full == 0 or output_cost(price, group.totals) * 10 < full * 3:  # output under 30 % of cost: not output-heavy
            continue
        p99 = nearest_rank(sample.outputs, 99)
        sent = nearest_rank(sample.max_tokens, 50)
        suggested = max(64, -(-(p99 * 5 // 4) // 64) * 64)  # p99 + 25 %, rounded up to 64
        if sent < 2 * p99 or sent - suggested < 256:
            continue
        freed = cost_nanos(sent - suggested, rates_for(price, 0).output)
        title = (f"prompt {group.prompt} on {group.model}: max tokens {sent:,}, but 99 % of answers use at most "
                 f"{p99:,} tokens; {suggested:,} would do")
        how = (f"p99 of output tokens over the last {len(sample.outputs):,} completed runs; you pay for tokens used, "
               f"so the bill does not change, but each run reserves {format_usd(freed)} less of the budget")
        change = Change(group.prompt, "max_tokens", sent, suggested) if group.prompt in saved else None
        out.append(Recommendation("lower_max_tokens", title, how, 0, 0, group.provider, group.model, group.prompt,
                                  change, reserve_freed_nanos=freed))
    return out


def use_caching(inputs: Iterable[tuple[str, str, str, Totals]], names: Callable[[list[tuple[str, str, str]]],
                Mapping[str, str]] | Mapping[str, str], price_of: PriceOf, days: int, min_savings_nanos: int,
                limit: int = 50) -> list[Recommendation]:
    """`inputs`: (provider, model, input fingerprint, totals) of identical inputs; `names`: fingerprint -> prompt
    name, or a function giving them for the (provider, model, fingerprint) of the `limit` largest savings."""
    found = []
    for provider, model, fingerprint, totals in inputs:
        if totals.runs < 2 or totals.cost_nanos < min_savings_nanos:  # the saving is below the input's cost
            continue
        price = price_of(provider, model)
        if price is None or price.cached_input is None or price.cached_input >= price.input:
            continue
        rates = rates_for(price, totals.total_input_tokens // totals.runs)
        first = totals.input_tokens // totals.runs  # the first run of each input still pays the full rate
        repeated = totals.input_tokens - first
        saving = cost_nanos(repeated, rates.input) - cost_nanos(repeated, rates.cached_input)
        if price.cache_write is not None and price.cache_write > rates.input:  # explicit caches: writes cost more
            saving -= cost_nanos(first, price.cache_write) - cost_nanos(first, rates.input)
        if saving >= max(min_savings_nanos, 1):
            found.append((saving, provider, model, fingerprint, totals, price, rates, repeated))
    found.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
    found = found[:limit]
    named = names([(p, m, f) for _, p, m, f, *_ in found]) if callable(names) else names
    out = []
    for saving, provider, model, fingerprint, totals, price, rates, repeated in found:
        name = named.get(fingerprint) or fingerprint
        title = (f"{totals.runs:,} runs of the same input to {model} ({name}) paid the full input rate: "
                 f"caching would save {format_usd(saving)}")
        how = (f"{repeated:,} repeated uncached input tokens at the cached-input price {price.cached_input}/M instead "
               f"of {rates.input}/M ({price.version})"
               + ("; less the cache write premium on the first run" if price.cache_write else ""))
        out.append(Recommendation("use_caching", title, how, saving, _monthly(saving, days), provider, model,
                                  named.get(fingerprint)))
    return out


def trim_context(groups: Iterable[UsageGroup], price_of: PriceOf, days: int, min_savings_nanos: int,
                 min_runs: int = 3) -> list[Recommendation]:
    out = []
    for group in groups:
        totals = group.totals
        price = price_of(group.provider, group.model)
        if totals.runs < min_runs or price is None:
            continue
        avg_in, avg_out = totals.total_input_tokens // totals.runs, totals.output_tokens // totals.runs
        if avg_in <= CONTEXT_LIMIT or avg_out >= SHORT_ANSWER:
            continue
        cut = (avg_in - CONTEXT_LIMIT) * totals.runs
        saving = cost_nanos(cut, rates_for(price, avg_in).input)
        if saving < max(min_savings_nanos, 1):
            continue
        name = group.prompt or "(no name)"
        title = f"prompt {name} on {group.model}: {avg_in:,} input tokens per run for {avg_out:,}-token answers"
        how = (f"if the context were trimmed to {CONTEXT_LIMIT:,} tokens: {cut:,} fewer input tokens over "
               f"{totals.runs:,} runs at {group.model}'s input price ({price.version})")
        out.append(Recommendation("trim_context", title, how, saving, _monthly(saving, days), group.provider,
                                  group.model, group.prompt or None))
    return out


def potential_monthly_savings(recommendations: Iterable[Recommendation]) -> int:
    """Per (model, prompt) the largest monthly saving (recommendations on one prompt overlap), summed."""
    best: dict[tuple, int] = {}
    for rec in recommendations:
        key = (rec.provider, rec.model, rec.prompt, rec.kind == "use_caching")
        best[key] = max(best.get(key, 0), rec.monthly_savings_nanos)
    return sum(best.values())
