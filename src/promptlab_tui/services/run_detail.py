"""One past run as the history's detail screen shows it, and its prompt as the Lab's editor takes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from promptlab_tui.core.history import RunRecord, RunSummary
from promptlab_tui.core.money import format_usd
from promptlab_tui.services.editor_values import EditorValues

if TYPE_CHECKING:
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.dashboard_activity import RunDetail
    from promptlab_tui.services.run_links_view import RunOrigin


class RunDetailView(NamedTuple):
    run_id: str
    title: str  # "gpt-4o-mini · openai · completed"
    facts: list[tuple[str, str]]  # (label, value) lines: when, prompt, costs, estimate, price version…
    messages: list[tuple[str, str]]  # (role, content) as sent
    answer: str
    error: str | None
    values: EditorValues | None  # what "reopen in the Lab" loads (None: the prompt's text was not kept)
    prompt_name: str | None = None
    origin: RunOrigin | None = None  # a cache hit and what it saved, why auto picked the model, its group


def error_percent_text(percent: float | None) -> str:
    return "—" if percent is None else f"{percent:+.0f}%"


def duration_text(duration_ms: int | None) -> str:
    return "—" if duration_ms is None else f"{duration_ms / 1000:.1f} s"


def summary_row(run: RunSummary) -> tuple[str, ...]:
    """The history table's cells: money first, so that cost, estimate and error fit at 80 columns."""
    cost = f"held {format_usd(run.reserved_nanos)}" if run.pending else \
        format_usd(run.cost_nanos) + ("*" if run.usage_estimated else "")
    return (f"{run.created_at:%m-%d %H:%M}", cost, format_usd(run.expected_cost_nanos),
            error_percent_text(run.estimate_error_percent), run.model, run.status, f"{run.input_tokens:,}",
            f"{run.output_tokens:,}", duration_text(run.duration_ms), run.prompt_name or "—")


def load_detail(context: ServiceContext, run_id: str) -> RunDetailView | None:
    """The run as the dashboard's `run_detail` reads it (one query for both screens), shaped for the history."""
    from promptlab_tui.services.dashboard import DashboardService
    from promptlab_tui.services.run_links_view import origins

    detail = DashboardService(context).run_detail(run_id)
    if detail is None:
        return None
    return detail_of(detail, origins(context.repository, [run_id]).get(run_id))


def detail_of(detail: RunDetail, origin: RunOrigin | None = None) -> RunDetailView:
    from promptlab_tui.services.run_links_view import origin_facts

    record = detail.run
    facts = [("When", f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC"), ("Prompt", record.prompt_name or "—"),
             ("Status", detail.status), ("Duration", duration_text(detail.duration_ms)),
             ("Tokens", f"{detail.actual_input_tokens:,} in ({record.cached_input_tokens:,} cached), "
                        f"{detail.actual_output_tokens:,} out"
                        + (" — estimated locally" if record.usage_estimated else ""))]
    extra = [(kind, count) for kind, count in detail.tokens if kind not in ("input", "output", "cached input")]
    if extra:  # cache writes and reasoning tokens, each kind as billed
        facts.append(("Tokens by kind", ", ".join(f"{count:,} {kind}" for kind, count in detail.tokens)))
    # one line per billed kind: tokens and what they cost
    facts += [(f"Cost: {line.label}", f"{line.tokens:,} tokens · {format_usd(line.cost_nanos)}")
              for line in detail.cost_lines]
    facts += [("Actual", format_usd(detail.total_cost_nanos)),
              ("Estimate", f"{format_usd(detail.expected_cost_nanos)} expected, "
                           f"{format_usd(record.worst_cost_nanos)} worst case "
                           f"({detail.estimate_input_tokens or 0:,} in, {detail.estimate_output_tokens or 0:,} out)"),
              ("Error", "— (a cache hit: nothing was billed)" if origin is not None and origin.cache_hit
               else error_percent_text(_error_percent(detail))),
              ("Price version", detail.price_version or "no price")]
    if record.source:
        facts.append(("Source", record.source))
    if record.provider_cost_nanos is not None:
        facts.append(("Provider says", format_usd(record.provider_cost_nanos)))
    facts += origin_facts(origin)
    messages = [(m.role, m.content) for m in detail.messages]
    return RunDetailView(record.id, f"{record.model} · {record.provider} · {detail.status}", facts, messages,
                         detail.answer or "", detail.error, _values(record, messages), record.prompt_name, origin)


def _error_percent(detail: RunDetail) -> float | None:
    if detail.run.pending or detail.cost_error_nanos is None or not detail.expected_cost_nanos:
        return None
    return detail.cost_error_nanos * 100 / detail.expected_cost_nanos


def _values(record: RunRecord, messages: list[tuple[str, str]]) -> EditorValues | None:
    if not record.prompt_text:
        return None  # dropped by the retention policy
    system = "\n\n".join(text for role, text in messages if role in ("system", "developer"))
    user = "\n\n".join(text for role, text in messages if role not in ("system", "developer"))
    return EditorValues(system, user, record.provider, record.model, record.max_tokens or 1024, None, None)
