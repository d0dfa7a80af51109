"""`promptlab` entry point: no command opens the app; commands run headless for scripts and CI."""

from __future__ import annotations

import argparse
import importlib
import sys

from promptlab_tui import __version__
from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError

# Each module defines register(subparsers) and sets `func` on its parser(s).
COMMAND_MODULES = [
    "promptlab_tui.cli.cmd_estimate",
    "promptlab_tui.cli.cmd_prices",
    "promptlab_tui.cli.cmd_run",
    "promptlab_tui.cli.cmd_budget",
    "promptlab_tui.cli.cmd_history",
    "promptlab_tui.cli.cmd_alerts",
    "promptlab_tui.cli.cmd_reprice",
    "promptlab_tui.cli.cmd_compare",
    "promptlab_tui.cli.cmd_optimise",
    "promptlab_tui.cli.cmd_report",
    "promptlab_tui.cli.cmd_export",
    "promptlab_tui.cli.cmd_dashboard",
    # team server and sync (issue 12)
    "promptlab_tui.cli.cmd_server",
    "promptlab_tui.cli.cmd_team",
    "promptlab_tui.cli.cmd_login",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promptlab",
        description="Compose prompts, see their cost before and after each run, keep spend inside budgets.",
    )
    parser.add_argument("--version", action="version", version=f"promptlab {__version__}")
    parser.add_argument("--home", metavar="DIR", help="keep the database and config in DIR (also PROMPTLAB_HOME)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 1:  # `promptlab` alone opens the app: no command parsers to build
        import gc

        gc.disable()  # no collections while the app's modules load; run_app() turns it back on after the first frame
        from promptlab_tui.app import run_app

        return run_app()
    parser = build_parser()
    args = parser.parse_args(argv)
    from promptlab_tui import paths

    if args.home:
        paths.set_home(args.home)
    if args.command is None:
        from promptlab_tui.app import run_app

        return run_app()
    try:
        return int(args.func(args) or 0)
    except CliError as error:
        from promptlab_tui.core.redact import redact_secrets

        print(f"promptlab {args.command}: {redact_secrets(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as interrupt:  # RunInterrupted carries SIGTERM/SIGHUP: 143/129
        return 128 + int(getattr(interrupt, "signum", 2))
    except BrokenPipeError:
        # `promptlab history --json | head`: the reader left; exit quietly like other Unix tools.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
