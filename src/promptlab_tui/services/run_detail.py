"""One past run as the history's detail screen shows it, and its prompt as the Lab's editor takes it."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from promptlab_tui.core.history import RunRecord, RunSummary
from promptlab_tui.core.money import format_usd
from promptlab_tui.services.editor_values import EditorValues


class RunDetailView(NamedTuple):
    run_id: str
    title: str  # "gpt-4o-mini · openai · completed"
    facts: list[tuple[str, str]]  # (label, value) lines: when, prompt, costs, estimate, price version…
    messages: list[tuple[str, str]]  # (role, content) as sent
    answer: str
    error: str | None
    values: EditorValues | None  # what "reopen in the Lab" loads (None: the prompt's text was not kept)
    prompt_name: str | None = None


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


def messages_of(record: RunRecord) -> list[tuple[str, str]]:
    try:
        sent = json.loads(record.prompt_text or "[]")
    except ValueError:
        return [("prompt", record.prompt_text or "")]
    return [(str(m.get("role", "?")), _content(m.get("content"))) for m in sent if isinstance(m, dict)]


def _content(content: Any) -> str:
    if isinstance(content, list):  # OpenAI's parts form
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def detail_of(record: RunRecord) -> RunDetailView:
    cost = record.cost
    facts = [("When", f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC"), ("Prompt", record.prompt_name or "—"),
             ("Duration", duration_text(record.duration_ms)),
             ("Tokens", f"{record.total_input_tokens:,} in ({record.cached_input_tokens:,} cached), "
                        f"{record.output_tokens:,} out" + (" — estimated locally" if record.usage_estimated else ""))]
    if cost is not None:
        facts.append(("Costs", f"input {format_usd(cost.input_nanos)} · output {format_usd(cost.output_nanos)} · "
                               f"cached {format_usd(cost.cached_input_nanos)} · cache writes "
                               f"{format_usd(cost.cache_write_nanos)}"))
    facts += [("Actual", format_usd(record.cost_nanos)),
              ("Estimate", f"{format_usd(record.expected_cost_nanos)} expected, "
                           f"{format_usd(record.worst_cost_nanos)} worst case "
                           f"({record.estimate_input_tokens or 0:,} in, {record.estimate_output_tokens or 0:,} out)"),
              ("Error", error_percent_text(_error_percent(record))),
              ("Price version", record.price_version or "no price")]
    if record.provider_cost_nanos is not None:
        facts.append(("Provider says", format_usd(record.provider_cost_nanos)))
    messages = messages_of(record)
    return RunDetailView(record.id, f"{record.model} · {record.provider} · {record.status}", facts, messages,
                         record.response_text or "", record.error, _values(record, messages), record.prompt_name)


def _error_percent(record: RunRecord) -> float | None:
    if record.pending or record.cost_nanos is None or not record.expected_cost_nanos:
        return None
    return (record.cost_nanos - record.expected_cost_nanos) * 100 / record.expected_cost_nanos


def _values(record: RunRecord, messages: list[tuple[str, str]]) -> EditorValues | None:
    if not record.prompt_text:
        return None  # dropped by the retention policy
    system = "\n\n".join(text for role, text in messages if role in ("system", "developer"))
    user = "\n\n".join(text for role, text in messages if role not in ("system", "developer"))
    return EditorValues(system, user, record.provider, record.model, record.max_tokens or 1024, None, None)
