"""The same prompt on several models at once (`promptlab compare`, the Lab's compare mode); UI-free.

Each model is a run of its own through the pipeline, planned and reserved one after the other (so a
cap for the whole set, `max_total_nanos`, refuses the model that no longer fits before its call, the
same way every time) and streamed concurrently. The runs are linked as one comparison (source
"compare"); the user may mark the better answer, and `recommendations()` turns the marks into advice.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from promptlab_tui.services.linking import LinkInfo, linked_options, new_group_id

if TYPE_CHECKING:
    from promptlab_tui.core.types import PromptSpec
    from promptlab_tui.services.run_types import RunOptions, RunOutcome
    from promptlab_tui.services.runner import RunService


@dataclass
class CompareEntry:
    model: str
    position: int
    outcome: RunOutcome | None = None
    refusal: Exception | None = None  # refused before its call (budget, cap, prompt too long)
    error: Exception | None = None  # could not start (no key, unknown provider)

    @property
    def status(self) -> str:
        if self.outcome is not None:
            return self.outcome.status
        return "refused" if self.refusal is not None else "error"

    @property
    def cost_nanos(self) -> int | None:
        return self.outcome.cost_nanos if self.outcome is not None else 0

    @property
    def why(self) -> str | None:
        problem = self.refusal or self.error or (self.outcome.error if self.outcome is not None else None)
        return None if problem is None else str(problem)


@dataclass
class CompareResult:
    group_id: str
    entries: list[CompareEntry] = field(default_factory=list)

    @property
    def total_cost_nanos(self) -> int:
        return sum(entry.cost_nanos or 0 for entry in self.entries)

    @property
    def unpriced(self) -> int:
        return sum(1 for entry in self.entries if entry.outcome is not None and entry.cost_nanos is None)


EntrySink = Callable[[CompareEntry], None]


def compare_service(service: RunService, max_total_nanos: int | None) -> RunService:
    """A run service on the same history and config whose session is the comparison (its cap: the set's)."""
    from promptlab_tui.services.runner import RunService
    from promptlab_tui.services.session import SessionSpend

    if max_total_nanos is None:  # no cap of its own: the comparison spends the caller's session
        return service
    remaining = service.session.remaining_nanos()  # never more than the caller's session has left
    own = remaining is None or max_total_nanos <= remaining  # refusals name the cap that binds
    cap = max_total_nanos if own else remaining
    return RunService(context=service.context, session=SessionSpend(cap, "compare" if own else "session"),
                      session_id=service.session_id,
                      provider_factory=service.provider_factory)


def run_compare(service: RunService, prompt: PromptSpec, models: list[str], options: RunOptions,
                max_total_nanos: int | None = None, on_entry: EntrySink | None = None,
                cancel: threading.Event | None = None,
                on_event: Callable[[int, Any], None] | None = None) -> CompareResult:
    """Run `prompt` on each model; returns when all are done. `on_entry` is called as each one ends (any
    thread); `on_event(position, event)` forwards the runs' events (deltas, tokens) for live columns."""
    from promptlab_tui.core.budget import BudgetViolation
    from promptlab_tui.providers.base import ProviderError
    from promptlab_tui.services.run_types import RunStarted

    runner = compare_service(service, max_total_nanos)
    result = CompareResult(group_id=new_group_id("compare"))
    threads: list[threading.Thread] = []
    single = dataclasses.replace(prompt, fallback=[])
    for position, model in enumerate(models):
        entry = CompareEntry(model, position)
        result.entries.append(entry)
        link = LinkInfo("compare", result.group_id, position, {"models": list(models)})
        entry_options = linked_options(options, link, model=model, provider=None)
        try:
            plan = runner.prepare_run(single, entry_options)
        except BudgetViolation as refusal:
            entry.refusal = refusal
        except ProviderError as error:
            entry.error = error
        if entry.refusal is not None or entry.error is not None:
            if on_entry:
                on_entry(entry)
            continue
        reserved = threading.Event()  # the next model is planned once this one holds its reservation

        def forward(event: Any, position: int = position, reserved: threading.Event = reserved) -> None:
            if isinstance(event, RunStarted):
                reserved.set()
            if on_event is not None:
                on_event(position, event)

        def execute(entry: CompareEntry = entry, plan: Any = plan, forward: Any = forward,
                    reserved: threading.Event = reserved) -> None:
            try:
                entry.outcome = runner.execute(plan, forward, cancel)
            except BudgetViolation as refusal:  # a concurrent run took the room since the plan
                entry.refusal = refusal
            except Exception as error:  # noqa: BLE001  (no key, unknown provider: shown in its column)
                entry.error = error
            finally:
                reserved.set()
                if on_entry:
                    on_entry(entry)

        thread = threading.Thread(target=execute, name=f"compare-{model}", daemon=True)
        thread.start()
        threads.append(thread)
        reserved.wait()
    for thread in threads:
        thread.join()
    return result


def mark_better(service: RunService, group_id: str, run_id: str) -> bool:
    """Store the user's choice of the better answer of a comparison."""
    from promptlab_tui.store import run_links

    repository = service.context.repository
    return repository is not None and run_links.mark_preferred(repository.db, group_id, run_id)


def recommendations(service: RunService, min_comparisons: int = 1) -> list[str]:
    """"on prompt summarise, gpt-4o-mini won 7 of 9 comparisons at 6 % of the cost" from the marks."""
    from promptlab_tui.store import run_links

    repository = service.context.repository
    if repository is None:
        return []
    lines = []
    for prompt, model, won, total, share in run_links.comparison_wins(repository.db):
        if won == 0 or total < min_comparisons:
            continue
        cost = f" at {share:.0f} % of the cost" if share is not None else ""
        lines.append(f"on prompt {prompt or '(unnamed)'}, {model} won {won} of {total} comparisons{cost}")
    return lines


@dataclass(frozen=True)
class CompareColumnView:
    """One model's column in the Lab's compare mode (Textual-free: built in the worker)."""

    position: int
    model: str
    status: str
    text: str
    stats: str
    run_id: str | None = None


def column_view(entry: CompareEntry, latency_s: float | None = None) -> CompareColumnView:
    """`latency_s`: as the caller's clock measured it (the Lab's, frozen in tests); default the run's duration."""
    from promptlab_tui.core.money import format_usd

    outcome = entry.outcome
    if outcome is None:
        return CompareColumnView(entry.position, entry.model, entry.status, "", f"not run: {entry.why}")
    usage = outcome.usage
    error = outcome.estimate_error_pct
    stats = (f"{usage.total_input_tokens:,} in · {usage.output_tokens:,} out · {format_usd(outcome.cost_nanos)} · "
             f"est. {format_usd(outcome.expected_nanos)}" + ("" if error is None else f" ({error:+.0f}%)")
             + f" · {outcome.duration_s if latency_s is None else latency_s:.1f} s")
    if not outcome.ok:
        stats += f" · {outcome.status}: {entry.why}"
    return CompareColumnView(entry.position, entry.model, outcome.status, outcome.text, stats, outcome.run_id)


def summary_text(result: CompareResult, max_total_nanos: int | None) -> str:
    from promptlab_tui.core.money import format_usd

    ran = sum(1 for e in result.entries if e.outcome is not None)
    cap = f" of {format_usd(max_total_nanos)} for the set" if max_total_nanos is not None else ""
    return f"{ran} of {len(result.entries)} models ran · total {format_usd(result.total_cost_nanos)}{cap}"


def comparison_notes(repository: Any, min_share_won: float = 0.5) -> dict[tuple[str | None, str], str]:
    """(prompt, model) -> "on prompt summarise, gpt-4o-mini won 7 of 9 comparisons at 6 % of the cost", for the
    models that won at least `min_share_won` of their marked comparisons (the dashboard's evidence)."""
    from promptlab_tui.store import run_links

    if repository is None:
        return {}
    notes = {}
    for prompt, model, won, total, share in run_links.comparison_wins(repository.db):
        if total and won / total >= min_share_won:
            cost = f" at {share:.0f} % of the cost" if share is not None else ""
            notes[(prompt, model)] = f"on prompt {prompt or '(unnamed)'}, {model} won {won} of {total} comparisons{cost}"
    return notes
