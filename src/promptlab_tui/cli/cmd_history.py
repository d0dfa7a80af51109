"""`promptlab history`: recent runs, newest first, with totals that count the runs without a price."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from promptlab_tui.cli.cmd_budget import history_context, tidy_history, usd
from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError

if TYPE_CHECKING:
    from promptlab_tui.core.history import RunRecord, SpendSummary


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="recent runs with their tokens, cost and estimate",
                                   description="Recent runs, newest first, and totals.")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs (default 20)")
    parser.add_argument("--before", metavar="RUN_ID", help="the page of runs older than this run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--delete", metavar="RUN_ID",
                        help="delete this run (its prompt and answer too); the totals are kept right")
    from promptlab_tui.cli.cmd_report import add_filters

    add_filters(parser)
    parser.set_defaults(func=show_history)


def run_json(run: RunRecord, origin: Any = None) -> dict[str, Any]:
    """`origin`: services.run_links_view.RunOrigin (a cache hit and what it saved, why auto picked the model)."""
    from promptlab_tui.services.run_links_view import origin_json

    return {
        "id": run.id, "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None, "status": run.status,
        "user": run.user, "provider": run.provider, "model": run.model, "prompt_name": run.prompt_name,
        "prompt_id": run.prompt_id, "tags": list(run.tags), "source": run.source, "max_tokens": run.max_tokens,
        "usage": {"input_tokens": run.input_tokens, "output_tokens": run.output_tokens,
                  "cached_input_tokens": run.cached_input_tokens, "cache_write_tokens": run.cache_write_tokens,
                  "cache_write_1h_tokens": run.cache_write_1h_tokens, "reasoning_tokens": run.reasoning_tokens,
                  "estimated": run.usage_estimated},
        "cost_usd": usd(run.cost_nanos), "reserved_usd": usd(run.reserved_nanos) if run.pending else None,
        "estimate": {"input_tokens": run.estimate_input_tokens, "output_tokens": run.estimate_output_tokens,
                     "expected_usd": usd(run.expected_cost_nanos), "worst_case_usd": usd(run.worst_cost_nanos)},
        "provider_cost_usd": usd(run.provider_cost_nanos), "price_version": run.price_version,
        "duration_ms": run.duration_ms, "error": run.error, **origin_json(origin),
    }


def summary_json(summary: SpendSummary) -> dict[str, Any]:
    return {"runs": summary.runs, "cost_usd": usd(summary.cost_nanos), "unpriced_runs": summary.unpriced_runs,
            "input_tokens": summary.input_tokens, "output_tokens": summary.output_tokens,
            "cached_input_tokens": summary.cached_input_tokens, "reasoning_tokens": summary.reasoning_tokens}


def show_history(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError(f"--limit {args.limit}: expected 1 or more", EXIT_BAD_INPUT)
    args.limit = min(args.limit, 2**31)  # more than any history holds; SQLite takes 64-bit integers only
    with history_context() as context:
        tidy_history(context)
        if args.delete:
            return _delete_run(args, context.repository)
        return _show_history(args, context.repository)


def _delete_run(args: argparse.Namespace, repository: Any) -> int:
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.store.deletion import RunNotDeletable

    try:
        run = repository.delete_run(args.delete)
    except RunNotDeletable as error:
        raise CliError(f"--delete: {error}", EXIT_BAD_INPUT) from error
    if args.json:
        print(json.dumps({"deleted": run_json(run)}, indent=2))
        return 0
    print(f"Deleted run {run.id} ({run.model}, {format_usd(run.cost_nanos)}, {run.created_at:%Y-%m-%d %H:%M} UTC); "
          "its prompt and answer are gone and the totals no longer count it.")
    return 0


def _show_history(args: argparse.Namespace, repository: Any) -> int:
    from promptlab_tui.core.history import SpendSummary
    from promptlab_tui.core.pricing import format_total

    before = None
    if args.before:
        anchor = repository.get_run(args.before)
        if anchor is None:
            raise CliError(f"--before: no run {args.before!r} in the history", EXIT_BAD_INPUT)
        before = (anchor.created_at, anchor.id)
    runs = _page(args, repository, before)
    settled = [run for run in runs if not run.pending]
    shown = SpendSummary(runs=len(settled), cost_nanos=sum(r.cost_nanos or 0 for r in settled),
                         unpriced_runs=sum(r.cost_nanos is None for r in settled),
                         input_tokens=sum(r.total_input_tokens for r in settled),
                         output_tokens=sum(r.output_tokens for r in settled))
    everything = repository.total_spend()
    from promptlab_tui.services.run_links_view import origins

    linked = origins(repository, [run.id for run in runs])
    if args.json:
        print(json.dumps({"runs": [run_json(run, linked.get(run.id)) for run in runs], "shown": summary_json(shown),
                          "all_time": summary_json(everything)}, indent=2))
        return 0
    if not runs:
        filtered = any(getattr(args, name, None) is not None for name in ("model", "prompt", "tag", "status", "source"))
        print("No runs match these filters." if filtered else "No runs yet. Run a prompt with: promptlab run PROMPT_FILE")
        return 0
    budget = repository.get_budget()
    print_table(runs, budget.tz if budget else None, linked)
    pending = len(runs) - len(settled)
    print(f"Shown: {len(settled)} run(s), {format_total(shown.cost_nanos, shown.unpriced_runs)}"
          + (f" ({pending} still running)" if pending else ""))
    print(f"All time: {everything.runs:,} run(s), {format_total(everything.cost_nanos, everything.unpriced_runs)}")
    if len(runs) == args.limit:
        print(f"Older runs: promptlab history --before {runs[-1].id}" + (" (with the same filters)" if any(
            getattr(args, name, None) is not None for name in ("model", "prompt", "tag", "status", "source")) else ""))
    return 0


def _page(args: argparse.Namespace, repository: Any, before: Any) -> list[RunRecord]:
    """Newest first; with filters, only the runs they match (keyset pages all the same)."""
    filters = {name: getattr(args, name, None) for name in ("model", "prompt", "tag", "status", "source")}
    if all(value is None for value in filters.values()):
        return repository.recent_runs(args.limit, before=before)
    from promptlab_tui.store.activity import ActivityQuery
    from promptlab_tui.store.codec import to_db

    cursor = None if before is None else (None, to_db(before[0]), before[1])
    runs, _ = repository.activity(ActivityQuery(limit=args.limit, **filters), cursor)
    return runs


def print_table(runs: list[RunRecord], tz: Any, linked: dict[str, Any] | None = None) -> None:
    from promptlab_tui.core.money import format_usd

    rows = [("when", "model", "prompt", "in", "out", "cost", "estimate", "status")]
    for run in runs:
        when = run.created_at.astimezone(tz) if tz else run.created_at.astimezone()
        approx = "~" if run.usage_estimated else ""
        if run.pending:
            cost = f"held {format_usd(run.reserved_nanos)}"
        else:
            cost = format_usd(run.cost_nanos)
        rows.append((f"{when:%Y-%m-%d %H:%M}", run.model, run.prompt_name or "-",
                     f"{approx}{run.total_input_tokens:,}", f"{approx}{run.output_tokens:,}", cost,
                     format_usd(run.expected_cost_nanos), _status(run, (linked or {}).get(run.id))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {3, 4, 5, 6}
    for row in rows:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        print("  ".join(cells).rstrip())


def _status(run: RunRecord, origin: Any) -> str:
    """A completed cache hit says so, with what it saved (it is a $0 run with 0 tokens otherwise)."""
    return origin.status_text if origin is not None and origin.cache_hit and run.status == "completed" else run.status
