"""`promptlab reprice [--dry-run]`: recompute past runs' costs with the current price files, explicitly.

Reports never re-price; this command does, month by month, and records an audit row when it applies.
Each run is costed at the price in effect on its own date, at the tier it ran at.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from promptlab_tui.cli.cmd_budget import history_context, usd
from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError

if TYPE_CHECKING:
    from promptlab_tui.core.history import RepriceReport, RunRecord
    from promptlab_tui.core.types import CostBreakdown


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reprice", help="recompute past costs with the current prices (audited)",
                                   description="Recompute the cost of every past run with the price in effect on "
                                               "its date in the current price files.")
    parser.add_argument("--dry-run", action="store_true", help="show the differences, change nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=reprice_history)


def reprice_history(args: argparse.Namespace) -> int:
    from promptlab_tui.core.pricing import PricingError, cost_of_usage, load_pricing, split_version

    try:
        pricing = load_pricing()
    except PricingError as error:
        raise CliError(f"cannot re-price: {error}", EXIT_BAD_INPUT) from error

    def cost_for(run: RunRecord) -> CostBreakdown | None:
        price = pricing.resolve(run.model, run.provider, at=run.created_at)
        if price is None:
            return None
        tier = split_version(run.price_version)[1] if run.price_version else "standard"
        return cost_of_usage(price, run.usage, tier)

    with history_context() as context:
        assert context.repository is not None
        report = context.repository.reprice(cost_for, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report_json(report), indent=2))
    else:
        print_report(report)
    return 0


def report_json(report: RepriceReport) -> dict:
    return {"dry_run": report.dry_run, "audit_id": report.audit_id, "runs_changed": report.runs_changed,
            "old_total_usd": usd(report.old_cost_nanos), "new_total_usd": usd(report.new_cost_nanos),
            "periods": [{"period": p.period, "runs": p.runs, "runs_changed": p.runs_changed,
                         "old_usd": usd(p.old_cost_nanos), "new_usd": usd(p.new_cost_nanos),
                         "difference_usd": usd(p.difference_nanos), "old_unpriced_runs": p.old_unpriced_runs,
                         "new_unpriced_runs": p.new_unpriced_runs} for p in report.periods]}


def print_report(report: RepriceReport) -> None:
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.core.pricing import format_total

    if not report.periods:
        print("No settled runs to re-price.")
        return
    rows = [("month", "runs", "changed", "recorded", "re-priced", "difference")]
    for p in report.periods:
        difference = p.difference_nanos
        rows.append((p.period, f"{p.runs:,}", f"{p.runs_changed:,}", format_total(p.old_cost_nanos, p.old_unpriced_runs),
                     format_total(p.new_cost_nanos, p.new_unpriced_runs),
                     ("+" if difference > 0 else "") + format_usd(difference)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    total = report.new_cost_nanos - report.old_cost_nanos
    print(f"Total: {format_usd(report.old_cost_nanos)} -> {format_usd(report.new_cost_nanos)} "
          f"({'+' if total > 0 else ''}{format_usd(total)}), {report.runs_changed:,} run(s) changed")
    if report.dry_run:
        print("Dry run: nothing was changed. Run without --dry-run to apply (an audit row is kept).")
    elif report.runs_changed:
        print(f"Applied; audit #{report.audit_id} records the change.")
    else:
        print("Nothing to change: every run already has its current price.")
