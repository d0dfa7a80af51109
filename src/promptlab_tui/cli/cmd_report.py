"""`promptlab report`: the dashboard's figures, forecast and recommendations as a table, JSON, Markdown, HTML or PDF.

Also the filters shared with `history` (`--model --prompt --tag --status --source`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError

FORMATS = ("table", "json", "md", "html", "pdf")
GROUPS = ("model", "provider", "prompt", "tag", "source")
STATUSES = ("completed", "error", "cancelled", "interrupted")
from promptlab_tui.core.history import RUN_SOURCES as SOURCES  # noqa: E402  (lab, run, compare, batch, fallback, cache, optimise)


def add_filters(parser: argparse.ArgumentParser) -> None:
    """--model --prompt --tag --status --source, as `report`, `history` and `export` take them."""
    parser.add_argument("--model", help="only runs of this model")
    parser.add_argument("--prompt", help="only runs of this prompt name")
    parser.add_argument("--tag", help="only runs with this tag")
    parser.add_argument("--status", choices=STATUSES, help="only runs that ended so")
    parser.add_argument("--source", choices=SOURCES, help="only runs from the Lab, `run`, compare, batch, fallback, the response cache or optimise")


def filters_from(args: argparse.Namespace) -> Any:
    from promptlab_tui.store.analytics import Filters

    return Filters(model=args.model, prompt=args.prompt, tag=args.tag, status=args.status, source=args.source)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="usage report: spend by model/provider/prompt/tag/source, forecast, recommendations",
        description="The dashboard's figures for a period: summary with changes, breakdown, forecast and "
                    "recommendations, as a table (fits the terminal), JSON, Markdown, HTML or PDF.")
    parser.add_argument("--period", default="month", metavar="PERIOD",
                        help="today, week, month, last-month, 7d, 30d, all or FROM..TO as YYYY-MM-DD (default month)")
    parser.add_argument("--by", default="model", choices=GROUPS, help="group the breakdown by (default model)")
    parser.add_argument("--format", default="table", choices=FORMATS, help="output format (default table)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout (pdf needs it)")
    parser.add_argument("--series", choices=("day", "week", "month"), help="also print the period as a time series")
    parser.add_argument("--what-if", metavar="MODEL", help="also re-price the period's runs on MODEL")
    parser.add_argument("--accept", action="append", default=[], metavar="MODEL",
                        help="a model you accept as a replacement in recommendations (repeatable), beside each "
                             "model's smaller siblings and config.toml's acceptable_models")
    add_filters(parser)
    parser.set_defaults(func=report_command)


def _width() -> int:
    return shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else \
        int(os.environ.get("COLUMNS", "80") or 80)


def report_command(args: argparse.Namespace) -> int:
    from promptlab_tui.cli.cmd_budget import history_context
    from promptlab_tui.core.analytics.periods import PeriodError
    from promptlab_tui.reports import render
    from promptlab_tui.services.dashboard import DashboardService
    from promptlab_tui.services.dashboard_report import EMPTY_HINT, build_report

    if args.format == "pdf" and not args.output:
        raise CliError("--format pdf writes a binary file: add -o FILE (e.g. -o report.pdf)", EXIT_BAD_INPUT)
    with history_context() as context:
        service = DashboardService(context)
        _check_models(context, [args.what_if] if args.what_if else [], "--what-if")
        _check_models(context, args.accept, "--accept")
        try:
            data = build_report(service, args.period, args.by, filters_from(args), args.series,
                                what_if=args.what_if, acceptable_models=_acceptable(context, args.accept))
        except PeriodError as error:
            raise CliError(f"--period: {error}", EXIT_BAD_INPUT) from None
        output = render(data, args.format, _width())
    if not data.has_history and (args.format == "table" or args.output):
        print(EMPTY_HINT, file=sys.stderr if args.output else sys.stdout)
        if not args.output:
            return 0
    if args.output:
        _write_private(args.output, output)
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    sys.stdout.write(output if isinstance(output, str) else output.decode("latin-1"))
    return 0


def _check_models(context: Any, names: list[str], option: str) -> None:
    for name in names:
        if context.pricing.resolve(name) is None:
            raise CliError(f"{option} {name}: no price for this model (see `promptlab prices`)", EXIT_BAD_INPUT)


def _acceptable(context: Any, given: list[str]) -> tuple[str, ...]:
    """config.toml's acceptable_models, then --accept (a bad config list: exit 2 naming file, line and key)."""
    from promptlab_tui.config import ConfigError
    from promptlab_tui.services.acceptable_models import acceptable_union, configured_acceptable

    try:
        return acceptable_union(configured_acceptable(context.config, context.pricing), given)
    except ConfigError as error:
        raise CliError(str(error), EXIT_BAD_INPUT) from None


def _write_private(path: str, content: str | bytes) -> None:
    """0600: a report names prompts and models."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(path, 0o600)
    except OSError as error:
        raise CliError(f"-o {path}: cannot write the file ({error.strerror or error})", EXIT_BAD_INPUT) from None
