"""`promptlab budget show|set`: calendar budgets, thresholds, mode and caps, and where spend stands."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Iterator

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, EXIT_ERROR, CliError

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings, PeriodStatus
    from promptlab_tui.services.context import ServiceContext

CLEAR_WORDS = ("none", "off", "0")
MAX_USD = Decimal(1_000_000_000)  # keeps nano-dollar amounts inside SQLite's 64-bit integers
MAX_COUNT = 1_000_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("budget", help="show or set the daily, weekly and monthly budgets",
                                   description="Show or set budgets. Amounts are in USD; 0 or 'none' clears one.")
    actions = parser.add_subparsers(dest="budget_action", metavar="ACTION")
    show = actions.add_parser("show", help="spent, reserved, limit, projection and a suggested budget per period")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=show_budget)
    change = actions.add_parser("set", help="change limits, thresholds, mode or caps (others are kept)")
    for kind in ("daily", "weekly", "monthly"):
        change.add_argument(f"--{kind}", metavar="USD", help=f"{kind} limit in USD (0 or none: no {kind} limit)")
    change.add_argument("--thresholds", metavar="PCTS", help="alert thresholds in %% (default 75,90,100)")
    change.add_argument("--mode", choices=("hard", "warn"), help="hard: refuse runs over a limit; warn: alert only")
    change.add_argument("--max-tokens-per-prompt", metavar="N", help="refuse prompts with more input tokens (0: off)")
    change.add_argument("--max-cost-per-run", metavar="USD", help="per-run cap in USD (0 or none: off)")
    change.add_argument("--max-cost-per-session", metavar="USD", help="per-session cap in USD (0 or none: off)")
    change.add_argument("--timezone", metavar="TZ", help="IANA time zone of the calendar periods, e.g. Europe/London")
    change.add_argument("--json", action="store_true", help="print the saved budget as JSON")
    change.set_defaults(func=set_budget)
    parser.set_defaults(func=show_budget, json=False)


# --- shared with the history, alerts and reprice commands ---------------------------------------------
def usd(nanos: int | None) -> str | None:
    """Exact USD for JSON (a string, never a float)."""
    from promptlab_tui.core.money import usd_string

    return usd_string(nanos)


def money(nanos: int | None) -> str:
    from promptlab_tui.core.budget import format_amount

    return "none" if nanos is None else format_amount(nanos)


@contextmanager
def history_context() -> Iterator[ServiceContext]:
    """The history, opened now so a bad database file is reported before anything else; closed after."""
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.store.database import StoreError

    context = ServiceContext()
    try:
        assert context.repository is not None
        context.repository.open()
        yield context
    except StoreError as error:
        raise CliError(str(error), EXIT_ERROR) from error
    finally:
        context.close()


def tidy_history(context: ServiceContext) -> None:
    """Before showing the history: settle runs left pending by a dead process, apply the retention policy."""
    try:
        settled = context.settle_orphans()
    except Exception as error:  # a broken price file must not hide the history; `run` settles them later
        print(f"promptlab: could not settle runs left pending by a process that ended: {error}", file=sys.stderr)
    else:
        if settled:
            print(f"promptlab: settled {len(settled)} run(s) left pending by a process that ended", file=sys.stderr)
    try:
        days = context.config.retention_days
    except Exception as error:  # the config's own error is reported by the commands that need it
        print(f"promptlab: retention not applied: {error}", file=sys.stderr)
        return
    if days is not None and context.repository is not None:
        context.repository.apply_retention(days)


def parse_usd(option: str, text: str) -> int | None:
    from promptlab_tui.core.money import usd_to_nanos

    cleaned = text.strip().lstrip("$").replace(",", "")
    if cleaned.lower() in CLEAR_WORDS:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise CliError(f"{option}: {text!r} is not an amount in USD (e.g. 5 or 12.50; 0 or none to clear)",
                       EXIT_BAD_INPUT) from None
    if not amount.is_finite() or amount < 0:
        raise CliError(f"{option}: {text!r} must be a positive amount in USD (0 or none to clear)", EXIT_BAD_INPUT)
    if amount > MAX_USD:
        raise CliError(f"{option}: {text!r} is more than the largest amount, {MAX_USD:,} USD", EXIT_BAD_INPUT)
    nanos = usd_to_nanos(amount)
    if amount and not nanos:  # would silently clear the limit
        raise CliError(f"{option}: {text!r} is less than the smallest amount, 0.000000001 USD", EXIT_BAD_INPUT)
    return nanos or None


def parse_thresholds(text: str) -> tuple[int, ...]:
    values = []
    for part in text.replace("%", "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 0 < int(part) <= 1000:
            raise CliError(f"--thresholds: {part!r} is not a percentage from 1 to 1000 (e.g. 75,90,100)",
                           EXIT_BAD_INPUT)
        values.append(int(part))
    return tuple(sorted(set(values)))


def parse_count(option: str, text: str) -> int | None:
    if text.strip().lower() in CLEAR_WORDS:
        return None
    if not text.strip().isdigit() or int(text) > MAX_COUNT:
        raise CliError(f"{option}: {text!r} is not a whole number of tokens up to {MAX_COUNT:,} (0 or none: no limit)",
                       EXIT_BAD_INPUT)
    return int(text)


# --- budget set -----------------------------------------------------------------------------------------
def set_budget(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from promptlab_tui.core.budget import BudgetSettings, BudgetSettingsError

    changes: dict[str, Any] = {}
    for kind in ("daily", "weekly", "monthly"):
        if getattr(args, kind) is not None:
            changes[f"{kind}_limit_nanos"] = parse_usd(f"--{kind}", getattr(args, kind))
    if args.thresholds is not None:
        changes["thresholds"] = parse_thresholds(args.thresholds)
    if args.mode is not None:
        changes["mode"] = args.mode
    if args.max_tokens_per_prompt is not None:
        changes["max_tokens_per_prompt"] = parse_count("--max-tokens-per-prompt", args.max_tokens_per_prompt)
    if args.max_cost_per_run is not None:
        changes["max_cost_per_run_nanos"] = parse_usd("--max-cost-per-run", args.max_cost_per_run)
    if args.max_cost_per_session is not None:
        changes["max_cost_per_session_nanos"] = parse_usd("--max-cost-per-session", args.max_cost_per_session)
    if args.timezone is not None:
        changes["timezone"] = args.timezone
    if not changes:
        raise CliError("nothing to set: give --daily, --weekly, --monthly, --thresholds, --mode, "
                       "--max-tokens-per-prompt, --max-cost-per-run, --max-cost-per-session or --timezone",
                       EXIT_BAD_INPUT)
    with history_context() as context:
        repository = context.repository
        assert repository is not None
        try:
            settings = replace(repository.get_budget() or BudgetSettings(), **changes)
        except BudgetSettingsError as error:
            raise CliError(str(error), EXIT_BAD_INPUT) from error
        repository.save_budget(settings)
        return _print_status(repository, settings, args.json, saved=True)


# --- budget show ----------------------------------------------------------------------------------------
def show_budget(args: argparse.Namespace) -> int:
    from promptlab_tui.core.budget import BudgetSettings

    with history_context() as context:
        tidy_history(context)
        repository = context.repository
        assert repository is not None
        settings = repository.get_budget()
        return _print_status(repository, settings or BudgetSettings(), args.json, saved=settings is not None,
                             unset=settings is None)


def budget_json(settings: BudgetSettings, statuses: list[PeriodStatus], is_set: bool) -> dict[str, Any]:
    return {
        "budget_set": is_set, "mode": settings.mode, "timezone": settings.timezone,
        "thresholds": list(settings.thresholds), "max_tokens_per_prompt": settings.max_tokens_per_prompt,
        "max_cost_per_run_usd": usd(settings.max_cost_per_run_nanos),
        "max_cost_per_session_usd": usd(settings.max_cost_per_session_nanos),
        "periods": [{
            "period": s.kind, "start": s.start.isoformat(), "resets_at": s.end.isoformat(),
            "spent_usd": usd(s.spent_nanos), "reserved_usd": usd(s.reserved_nanos), "limit_usd": usd(s.limit_nanos),
            "percent": None if s.limit_nanos is None else round(s.percent, 1), "unpriced_runs": s.unpriced_runs,
            "projected_usd": usd(s.projected_nanos), "suggested_limit_usd": usd(s.suggested_limit_nanos),
        } for s in statuses],
    }


def _print_status(repository: Any, settings: BudgetSettings, as_json: bool, saved: bool, unset: bool = False) -> int:
    from promptlab_tui.core.budget import format_reset
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.core.pricing import format_total

    statuses = repository.budget_status(settings)
    if as_json:
        print(json.dumps(budget_json(settings, statuses, not unset), indent=2))
        return 0
    from promptlab_tui.core.periods import timezone_phrase

    if unset:
        print("No budget set yet. Set one with: promptlab budget set --daily 5 --monthly 50")
        print(f"Periods in {timezone_phrase(None)}")  # the same words as `report`
    else:
        thresholds = "/".join(str(t) for t in settings.thresholds) or "none"
        print(f"Budget: {settings.mode} mode, thresholds {thresholds}%, periods in {timezone_phrase(settings.timezone)}"
              + (" (saved)" if saved and not unset else ""))
    rows = [("period", "spent", "reserved", "limit", "used", "projected", "suggested", "resets")]
    for s in statuses:
        rows.append((s.kind, format_total(s.spent_nanos, s.unpriced_runs, beside=s.limit_nanos),
                     format_usd(s.reserved_nanos, beside=s.limit_nanos),
                     money(s.limit_nanos), "-" if s.limit_nanos is None else f"{s.percent:.1f}%",
                     format_usd(s.projected_nanos, beside=s.limit_nanos),
                     "-" if s.suggested_limit_nanos is None else money(s.suggested_limit_nanos),
                     format_reset(s.end, settings.timezone)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    tokens = f"{settings.max_tokens_per_prompt:,}" if settings.max_tokens_per_prompt else "none"
    print(f"max tokens per prompt: {tokens}; per-run cap: {money(settings.max_cost_per_run_nanos)}; "
          f"per-session cap: {money(settings.max_cost_per_session_nanos)}")
    return 0
