"""`promptlab export`: every settled run as CSV, JSON Lines or FinOps FOCUS rows, streamed with flat memory."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, EXIT_ERROR, EXIT_INTERRUPTED, CliError
from promptlab_tui.core.history import RUN_SOURCES

FORMATS = ("csv", "jsonl", "focus")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="every run as CSV, JSON Lines or FinOps FOCUS cost rows",
        description="Stream every settled run (oldest first) to a file or stdout. FOCUS rows follow the FinOps "
                    "FOCUS 1.2 cost-and-usage columns, one row per run and kind of token; runs without a "
                    "price are left out of them and counted on stderr.")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default), jsonl or focus")
    parser.add_argument("--since", metavar="DATE", help="runs from this day (YYYY-MM-DD, your budget's time zone) "
                                                        "or instant (ISO 8601 with offset)")
    parser.add_argument("--until", metavar="DATE", help="runs up to the end of this day, or before this instant")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (created 0600) instead of stdout")
    parser.add_argument("--model", help="only runs of this model")
    parser.add_argument("--prompt", help="only runs of this saved prompt name")
    parser.add_argument("--tag", help="only runs with this tag")
    parser.add_argument("--status", choices=("completed", "error", "cancelled", "interrupted"),
                        help="only runs that ended this way")
    parser.add_argument("--source", choices=RUN_SOURCES, help="only runs from the Lab, `run`, compare, batch, "
                                                              "fallback, the response cache or optimise")
    parser.set_defaults(func=export)


def parse_when(option: str, text: str, tz: Any, end_of_day: bool) -> datetime:
    """A day (local midnight in `tz`; the next one for --until) or an ISO instant with its offset."""
    cleaned = text.strip()
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        day = None
    if day is not None:
        if end_of_day:
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, tzinfo=tz)
    try:
        instant = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"{option} {text!r}: expected a date YYYY-MM-DD or an ISO 8601 instant "
                       "such as 2026-11-30T09:00:00+01:00", EXIT_BAD_INPUT) from None
    return instant if instant.utcoffset() is not None else instant.replace(tzinfo=tz)


def export(args: argparse.Namespace) -> int:
    from promptlab_tui.cli.cmd_budget import history_context, tidy_history
    from promptlab_tui.services.export import ExportCancelled, export_runs, export_to_file
    from promptlab_tui.store.database import StoreError
    from promptlab_tui.store.export_queries import ExportFilter

    target = Path(args.output) if args.output else None
    if target is not None and (target.is_dir() or not (target.parent if str(target.parent) else Path(".")).is_dir()):
        raise CliError(f"-o {args.output}: expected a file in an existing folder", EXIT_BAD_INPUT)
    with history_context() as context:
        tidy_history(context)
        repository = context.repository
        assert repository is not None
        budget = repository.get_budget()
        tz = budget.tz if budget is not None else _local_zone()
        since = parse_when("--since", args.since, tz, False) if args.since else None
        until = parse_when("--until", args.until, tz, True) if args.until else None
        if since is not None and until is not None and until <= since:
            raise CliError(f"--until {args.until} is not after --since {args.since}", EXIT_BAD_INPUT)
        filters = ExportFilter(since, until, args.model, args.prompt, args.status, args.tag, args.source)
        try:
            if target is None:
                result = export_runs(repository, args.format, filters, sys.stdout)
            else:
                result = export_to_file(repository, args.format, filters, target)
        except BrokenPipeError:
            raise  # `promptlab export | head`: main() exits quietly
        except OSError as error:
            raise CliError(f"cannot write {args.output or 'stdout'}: {error.strerror or error}", EXIT_ERROR) from error
        except StoreError as error:
            raise CliError(str(error), EXIT_ERROR) from error
        except ExportCancelled:
            return EXIT_INTERRUPTED
    noun = "charge rows" if args.format == "focus" else "runs"
    where = f" to {target}" if target is not None else ""
    print(f"promptlab export: {result.rows:,} {noun}{where}", file=sys.stderr)
    if result.unpriced_left_out:
        print(f"promptlab export: {result.unpriced_left_out:,} run(s) without a price left out of the FOCUS rows "
              "(FOCUS costs cannot be empty; add their prices to pricing.toml and run promptlab reprice)",
              file=sys.stderr)
    return 0


def _local_zone() -> Any:
    from promptlab_tui.core.periods import local_timezone_name, zone

    return zone(local_timezone_name())
