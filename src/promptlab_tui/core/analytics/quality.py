"""How far to trust the preview (estimate accuracy by model) and how efficient each prompt is (an explained score).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.analytics.recommend import OutputSample, nearest_rank
from promptlab_tui.core.money import format_usd


@dataclass(frozen=True)
class EstimateRow:
    """One completed run: what the preview said and what was billed."""

    model: str
    estimate_input: int
    actual_input: int  # every input token (full-rate + cached + cache writes)
    estimate_output: int
    actual_output: int
    expected_cost_nanos: int | None
    cost_nanos: int | None


@dataclass(frozen=True)
class Accuracy:
    model: str
    runs: int
    input_exact: int  # runs whose input estimate was exactly the billed input
    output_error_p50: int  # |estimate - actual| output tokens
    output_error_p90: int
    cost_error_p50_nanos: int  # |expected - actual| over runs with both
    cost_error_p90_nanos: int
    cost_error_p50_percent: float | None  # of the actual cost
    cost_error_p90_percent: float | None
    cost_bias_nanos: int  # sum of expected - actual: above 0, previews ran high

    @property
    def input_exact_share(self) -> float:
        return self.input_exact / self.runs if self.runs else 0.0


def estimate_accuracy(rows: Iterable[EstimateRow]) -> list[Accuracy]:
    """Per model, most runs first; percentiles by nearest rank."""
    by_model: dict[str, list[EstimateRow]] = {}
    for row in rows:
        by_model.setdefault(row.model, []).append(row)
    out = []
    for model, items in by_model.items():
        output_errors = [abs(r.estimate_output - r.actual_output) for r in items]
        priced = [r for r in items if r.expected_cost_nanos is not None and r.cost_nanos is not None]
        cost_errors = [abs(r.expected_cost_nanos - r.cost_nanos) for r in priced]  # type: ignore[operator]
        percents = [abs(r.expected_cost_nanos - r.cost_nanos) * 100 / r.cost_nanos  # type: ignore[operator]
                    for r in priced if r.cost_nanos]
        out.append(Accuracy(
            model, len(items), sum(r.estimate_input == r.actual_input for r in items),
            nearest_rank(output_errors, 50), nearest_rank(output_errors, 90),
            nearest_rank(cost_errors, 50) if cost_errors else 0, nearest_rank(cost_errors, 90) if cost_errors else 0,
            _rank_float(percents, 50), _rank_float(percents, 90),
            sum(r.expected_cost_nanos - r.cost_nanos for r in priced)))  # type: ignore[operator]
    out.sort(key=lambda a: (-a.runs, a.model))
    return out


def _rank_float(values: Sequence[float], percent: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, -(-percent * len(ordered) // 100) - 1)]


@dataclass(frozen=True)
class ScorePart:
    name: str  # 'own history' | 'peers' | 'output vs max tokens' | 'cache hits'
    points: float  # out of 25
    explanation: str


@dataclass(frozen=True)
class Efficiency:
    """0-100: the parts that apply, each out of 25, scaled to 100. No black box: `parts` says why."""

    prompt: str
    score: int
    parts: tuple[ScorePart, ...]
    cost_per_run_nanos: int | None

    @property
    def explanation(self) -> str:
        return "; ".join(f"{part.name} {part.points:.0f}/25: {part.explanation}" for part in self.parts)


def prompt_efficiency(current: Mapping[str, Totals], previous: Mapping[str, Totals],
                      samples: Mapping[str, OutputSample] | None = None) -> list[Efficiency]:
    """Per named prompt with priced runs; lowest score first (what to look at)."""
    samples = samples or {}
    per_run = {name: t.avg_cost_nanos for name, t in current.items() if name and t.avg_cost_nanos is not None}
    peers = sorted(per_run.values())
    median = peers[(len(peers) - 1) // 2] if peers else None
    out = []
    for name, cost in per_run.items():
        totals = current[name]
        parts = []
        before = previous.get(name)
        if before is not None and before.avg_cost_nanos:
            ratio = min(1.0, before.avg_cost_nanos / cost) if cost else 1.0
            parts.append(ScorePart("own history", 25 * ratio, f"{format_usd(cost)} per run, was "
                                   f"{format_usd(before.avg_cost_nanos)}{_change(cost, before.avg_cost_nanos)}"))
        if median is not None and len(peers) > 1:
            ratio = min(1.0, median / cost) if cost else 1.0
            parts.append(ScorePart("peers", 25 * ratio, f"{format_usd(cost)} per run against the median prompt's "
                                   f"{format_usd(median)}"))
        sample = samples.get(name)
        if sample is not None and sample.outputs and sum(sample.max_tokens):
            used = sum(sample.outputs) / sum(sample.max_tokens)
            parts.append(ScorePart("output vs max tokens", 25 * min(1.0, 2 * used),
                                   f"answers use {used * 100:.0f} % of max tokens (half or more scores full)"))
        if totals.runs and totals.total_input_tokens // totals.runs >= 1024:
            hit = totals.cache_hit_ratio
            parts.append(ScorePart("cache hits", 25 * min(1.0, 2 * hit),
                                   f"{hit * 100:.0f} % of input tokens were cache reads (half or more scores full)"))
        score = round(sum(p.points for p in parts) * 100 / (25 * len(parts))) if parts else 100
        out.append(Efficiency(name, score, tuple(parts), cost))
    out.sort(key=lambda e: (e.score, e.prompt))
    return out


def _change(now: int, before: int) -> str:
    return f" ({(now - before) * 100 / before:+.0f} %)" if before else ""
