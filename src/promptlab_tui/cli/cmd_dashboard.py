"""`promptlab dashboard`: the app, opened on the usage dashboard."""

from __future__ import annotations

import argparse

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dashboard", help="open the app on the usage dashboard",
                                   description="Open the app on the usage dashboard (f6 from anywhere in the app).")
    parser.add_argument("--period", default="month",
                        help="today, 7d, 30d, week, month (default), last-month, all or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)")
    parser.set_defaults(func=dashboard)


def dashboard(args: argparse.Namespace) -> int:
    from datetime import date

    from promptlab_tui.core.analytics.periods import PeriodError, parse_period

    try:
        parse_period(args.period, date.today())  # a typo is reported here, not inside the app
    except PeriodError as error:
        raise CliError(f"--period {args.period!r}: {error}", EXIT_BAD_INPUT) from None
    from promptlab_tui.app import run_app

    return run_app(start_dashboard=args.period)
