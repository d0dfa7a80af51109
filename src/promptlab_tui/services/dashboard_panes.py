"""The dashboard's deeper panes in one read (Textual-free): estimate accuracy by model, prompt efficiency,
savings (potential, achieved by applied recommendations, excessive context) and the response cache's hits.

    panes = load_panes(service, period)          # DashboardService and a Period; call from a worker thread
    choices = what_if_choices(service)           # every priced model, for the what-if model selector
    what, by = what_if_grouped(service, period, "gpt-4o-mini", "openai", "tag")  # re-priced per tag (or source...)
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from promptlab_tui.core.analytics import recommend
from promptlab_tui.core.analytics.periods import Period
from promptlab_tui.core.analytics.repricing import WhatIf, WhatIfRow
from promptlab_tui.store.analytics import Filters, grouped_sums

if TYPE_CHECKING:
    from promptlab_tui.core.analytics.quality import Accuracy, Efficiency
    from promptlab_tui.services.dashboard import DashboardService
    from promptlab_tui.services.dashboard_apply import Achieved
    from promptlab_tui.services.model_choice import ModelChoice


@dataclass(frozen=True)
class ExcessiveContext:
    """A prompt sending over recommend.CONTEXT_LIMIT input tokens a run for short answers."""

    prompt: str
    model: str
    runs: int
    input_per_run: int
    output_per_run: int


@dataclass(frozen=True)
class CacheHits:
    """Runs answered from the response cache in the period, and what the provider would have charged."""

    hits: int
    saved_nanos: int


@dataclass(frozen=True)
class DashboardPanes:
    period: Period
    accuracy: tuple[Accuracy, ...]
    efficiency: tuple[Efficiency, ...]
    achieved: tuple[Achieved, ...]
    excessive: tuple[ExcessiveContext, ...]
    cache: CacheHits


def cache_hits(service: DashboardService, period: Period) -> CacheHits:
    """Cache hits are $0 runs linked (store.run_links, source 'cache') with the cost they saved."""
    from promptlab_tui.store.codec import to_db

    start, end = period.bounds(service.timezone())
    with service._read() as conn:
        try:
            row = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(l.saved_nanos), 0) FROM run_link AS l JOIN run AS r ON r.id = l.run_id "
                "WHERE l.source = 'cache' AND r.created_at >= ? AND r.created_at < ?",
                (to_db(start), to_db(end))).fetchone()
        except sqlite3.OperationalError:  # no cache hit ever: run_link is created on first use
            return CacheHits(0, 0)
    return CacheHits(int(row[0]), int(row[1]))


def excessive_context(service: DashboardService, period: Period) -> list[ExcessiveContext]:
    """Every prompt over the context limit with short answers, whatever the saving (recommend.trim_context's rule)."""
    with service._read() as conn:
        groups = grouped_sums(conn, period.first, period.end, "model_prompt", service.timezone())
    found = []
    for (provider, model, prompt), totals in groups.items():
        if not totals.runs:
            continue
        per_run_in, per_run_out = totals.total_input_tokens // totals.runs, totals.output_tokens // totals.runs
        if per_run_in > recommend.CONTEXT_LIMIT and per_run_out < recommend.SHORT_ANSWER:
            found.append(ExcessiveContext(prompt or "(no name)", model, totals.runs, per_run_in, per_run_out))
    found.sort(key=lambda e: (-e.input_per_run * e.runs, e.prompt))
    return found


def load_panes(service: DashboardService, period: Period) -> DashboardPanes:
    return DashboardPanes(period, tuple(service.accuracy(period)), tuple(service.efficiency(period)),
                          tuple(service.achieved()), tuple(excessive_context(service, period)),
                          cache_hits(service, period))


WHAT_IF_GROUPS = ("model", "provider", "prompt", "tag", "source")
# group -> (grouped_sums grouping: each row a (provider, model, ...) with its own tokens, index of the group's name)
_WHAT_IF_SUMS = {"provider": ("model", 0), "prompt": ("model_prompt", 2), "tag": ("tag_model", 2),
                 "source": ("source_model", 2)}
_UNNAMED = {"prompt": "(no name)", "tag": "(untagged)", "source": "(not recorded)"}
TAGS_OVERLAP = "a run with several tags counts in each of them, so the rows add up to more than the total"


def what_if_grouped(service: DashboardService, period: Period, model: str, provider: str | None,
                    group_by: str, filters: Filters | None = None) -> tuple[WhatIf, str]:
    """The period re-priced on `model` per `group_by`: (what-if, grouping used). Each group's runs are re-priced
    per model they ran on (at that (group, model)'s mean input), from the per-day rollups. By tag a run counts in
    each of its tags: the total is then the period's own (re-priced per model), not the sum of the rows."""
    from promptlab_tui.core.analytics.repricing import reprice

    if group_by not in WHAT_IF_GROUPS:
        raise ValueError(f"what if by {group_by!r}: expected one of {', '.join(WHAT_IF_GROUPS)}")
    if group_by == "model":
        return service.what_if(period, model, provider, filters), "model"
    target = service.context.pricing.resolve(model, provider)
    if target is None:
        raise ValueError(f"model {model!r} has no price: pick a model from `promptlab prices`")
    grouping, index = _WHAT_IF_SUMS[group_by]
    with service._read() as conn:
        sums = grouped_sums(conn, period.first, period.end, grouping, service.timezone(), filters)
    merged: dict[str, list[int]] = {}  # group -> runs, unpriced runs, actual, re-priced
    for key, totals in sums.items():
        if not totals.runs:
            continue
        acc = merged.setdefault(key[index] or _UNNAMED.get(group_by, ""), [0, 0, 0, 0])
        for n, value in enumerate((totals.runs, totals.unpriced_runs, totals.cost_nanos, reprice(target, totals))):
            acc[n] += value
    rows = [WhatIfRow("", key, *values) for key, values in merged.items()]
    rows.sort(key=lambda row: (-row.actual_nanos, -row.runs, row.model))
    overall, note = (), None
    if group_by == "tag":
        overall, note = service.what_if(period, model, provider, filters).rows, TAGS_OVERLAP
    return WhatIf(target.provider, target.model, target.version, tuple(rows), by=group_by, overall=overall,
                  note=note), group_by


def what_if_choices(service: DashboardService) -> list[ModelChoice]:
    """Every current priced model (any provider: re-pricing needs no key), in the price file's order."""
    from promptlab_tui.services.app_backend import price_text
    from promptlab_tui.services.model_choice import ModelChoice

    return [ModelChoice(p.provider, p.model, p.display_name or p.model, price_text(p))
            for p in service.context.pricing.models(include_legacy=False) if not p.is_free]


__all__ = ["WHAT_IF_GROUPS", "CacheHits", "DashboardPanes", "ExcessiveContext", "cache_hits", "excessive_context",
           "load_panes", "what_if_choices", "what_if_grouped"]
