"""A finished run (or a refusal) as the user reads it: the usage line, and a JSON object for scripts."""

from __future__ import annotations

from typing import Any

from promptlab_tui.core.money import format_usd, usd_string
from promptlab_tui.core.pricing import format_total
from promptlab_tui.core.types import CostBreakdown, Usage


def usd(nanos: int | None) -> str | None:
    """Exact USD as a JSON string (never a float); None when there is no price."""
    return usd_string(nanos)


def usage_json(usage: Usage) -> dict[str, Any]:
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "cached_input_tokens": usage.cached_input_tokens, "cache_write_tokens": usage.cache_write_tokens,
            "cache_write_1h_tokens": usage.cache_write_1h_tokens, "reasoning_tokens": usage.reasoning_tokens,
            "estimated": usage.estimated}


def cost_json(cost: CostBreakdown | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {"total_usd": usd(cost.total_nanos), "total_nanos": cost.total_nanos,
            "input_nanos": cost.input_nanos, "output_nanos": cost.output_nanos,
            "cached_input_nanos": cost.cached_input_nanos, "cache_write_nanos": cost.cache_write_nanos,
            "price_version": cost.price_version}


def periods_json(periods: list[Any] | None) -> list[dict[str, Any]]:
    """Each limited period; `spent_usd` leaves out the runs without a price, counted in `unpriced_runs`."""
    return [{"period": p.kind, "spent_usd": usd(p.spent_nanos), "unpriced_runs": p.unpriced_runs,
             "spent": format_total(p.spent_nanos, p.unpriced_runs), "reserved_usd": usd(p.reserved_nanos),
             "limit_usd": usd(p.limit_nanos), "percent": round(p.percent, 1), "resets_at": p.end.isoformat()}
            for p in periods or [] if p.limit_nanos is not None]


def estimate_json(plan: Any) -> dict[str, Any]:
    estimate = plan.estimate
    return {"input_tokens": plan.input_tokens.tokens, "input_exact": plan.input_tokens.exact,
            "expected_output_tokens": getattr(estimate, "expected_output_tokens", None),
            "expected_usd": usd(getattr(estimate, "expected_nanos", None)),
            "worst_case_usd": usd(plan.worst_case_nanos)}


def outcome_json(path: str | None, outcome: Any) -> dict[str, Any]:
    plan = outcome.plan
    error_pct = None if cache_hit_json(plan) is not None else outcome.estimate_error_pct  # a hit bills nothing
    return {
        "file": path, "run_id": plan.run_id, "status": outcome.status, "provider": plan.provider,
        "model": plan.model, "max_tokens": plan.max_tokens, "requested_max_tokens": plan.requested_max_tokens,
        "capped": plan.capped, "text": outcome.text, "finish_reason": outcome.finish_reason,
        "usage": usage_json(outcome.usage), "cost": cost_json(outcome.cost),
        "cost_usd": usd(outcome.cost_nanos), "provider_cost_usd": usd(outcome.provider_cost_nanos),
        "estimate": estimate_json(plan),
        "estimate_error_pct": None if error_pct is None else round(error_pct, 1),
        "duration_s": round(outcome.duration_s, 3), "budget": periods_json(outcome.budget_after),
        "session_spent_usd": usd(outcome.session.spent_nanos) if outcome.session else None,
        "session_unpriced_runs": outcome.session.unpriced_runs if outcome.session else None,
        "alerts": [{"period": a.period_kind, "threshold": a.threshold, "level": a.level, "message": a.message}
                   for a in outcome.alerts],
        "notes": list(plan.notes) + list(outcome.warnings), "recorded": outcome.recorded,
        "selection": getattr(plan.selection, "reason", None), "cache_hit": cache_hit_json(plan),
        "record_note": getattr(outcome, "record_note", None),
        "error": outcome.error_message if outcome.error is not None else None,
    }


def cache_hit_json(plan: Any) -> dict[str, Any] | None:
    """A run served from the response cache: the run it came from and what it saved; None otherwise."""
    link = getattr(plan, "link", None)
    if link is None or link.source != "cache":
        return None
    return {"cache_of": link.cache_of, "saved_nanos": link.saved_nanos, "saved_usd": usd(link.saved_nanos)}


def not_started_json(path: str | None, error: Exception) -> dict[str, Any]:
    """A run stopped before it was reserved (no API key, unknown provider): nothing sent, spent or recorded."""
    return {"file": path, "status": "error", "reason": type(error).__name__, "error": str(error),
            "cost_usd": usd(0), "recorded": False}


def refusal_json(path: str | None, refusal: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"file": path, "status": "refused", "reason": type(refusal).__name__,
                            "error": str(refusal), "suggestions": list(getattr(refusal, "suggestions", []))}
    if hasattr(refusal, "limit_nanos"):
        data.update(scope=refusal.scope, spent_usd=usd(refusal.spent_nanos), reserved_usd=usd(refusal.reserved_nanos),
                    limit_usd=usd(refusal.limit_nanos), worst_case_usd=usd(refusal.worst_case_nanos),
                    resets_at=refusal.resets_at.isoformat() if refusal.resets_at else None,
                    capped_max_tokens=getattr(refusal, "capped_max_tokens", None),
                    cheaper_model=getattr(refusal, "cheaper_model", None))
    if hasattr(refusal, "input_tokens") and hasattr(refusal, "limit"):
        data.update(input_tokens=refusal.input_tokens, max_tokens_per_prompt=refusal.limit)
    return data


def usage_lines(outcome: Any) -> list[str]:
    """The lines printed after the answer: tokens, cost, estimate vs actual, budget, alerts."""
    plan, usage = outcome.plan, outcome.usage
    tokens = f"{usage.input_tokens:,} in"
    if usage.cached_input_tokens:
        tokens += f" + {usage.cached_input_tokens:,} cached"
    if usage.cache_write_tokens or usage.cache_write_1h_tokens:
        tokens += f" + {usage.cache_write_tokens + usage.cache_write_1h_tokens:,} cache write"
    tokens += f", {usage.output_tokens:,} out"
    if usage.reasoning_tokens:
        tokens += f" ({usage.reasoning_tokens:,} reasoning)"
    if usage.estimated:
        tokens += " (estimated: the provider reported no usage)"
    parts = [f"{plan.model} @ {plan.provider}", tokens, f"cost {format_usd(outcome.cost_nanos)}"]
    expected = outcome.expected_nanos
    if expected is not None:
        error_pct = None if cache_hit_json(plan) is not None else outcome.estimate_error_pct  # not -100 %
        shown = f"estimate {format_usd(expected)}"
        if error_pct is not None:
            shown += f" ({error_pct:+.0f}%)"
        parts.append(shown)
    if outcome.provider_cost_nanos is not None:
        parts.append(f"provider says {format_usd(outcome.provider_cost_nanos)}")
    parts.append(f"{outcome.duration_s:.1f} s")
    lines = [" · ".join(parts)]
    if (hit := cache_hit_json(plan)) is not None:
        lines.append(f"cache hit: the answer of run {hit['cache_of'][:8]}, $0 (saved {format_usd(hit['saved_nanos'])})")
    if plan.capped:
        lines.append(f"capped run: max tokens {plan.max_tokens:,} (asked {plan.requested_max_tokens:,})")
    for period in outcome.budget_after or []:
        if period.limit_nanos is not None:
            lines.append(f"{period.kind} budget: {format_total(period.spent_nanos, period.unpriced_runs, beside=period.limit_nanos)} of "
                         f"{format_usd(period.limit_nanos)} ({period.percent:.0f}%)")
    session = outcome.session
    if session is not None and session.limit_nanos is not None:
        lines.append(f"session: {format_total(session.spent_nanos, session.unpriced_runs, beside=session.limit_nanos)} of "
                     f"{format_usd(session.limit_nanos)}")
    lines += [f"alert: {alert.message}" for alert in outcome.alerts]
    lines += [f"warning: {warning}" for warning in outcome.warnings]
    note = getattr(outcome, "record_note", None)
    if note:
        lines.append(f"warning: {note}")
    elif outcome.status != "completed":
        lines.append(f"run {outcome.status}: spent {format_usd(outcome.cost_nanos)} recorded")
    return lines
