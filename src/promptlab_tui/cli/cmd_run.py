"""`promptlab run FILE...`: stream the answer to stdout, then the usage line (tokens, cost, estimate vs actual,
budget) on stderr; `--json` prints one JSON object per file instead. One invocation is one session.

Exit codes: 0 ok, 2 bad input, 3 refused by a budget or cap, 4 provider error, 130 interrupted.
Several files run in order and stop at the first that does not complete.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from promptlab_tui.cli.errors import (
    EXIT_BAD_INPUT, EXIT_BUDGET_REFUSED, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROVIDER_ERROR, CliError)
from promptlab_tui.core.money import format_usd, usd_to_nanos


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="run prompt files against their model, with the budget checked and the spend recorded",
        description="Run prompt files: stream each answer to stdout, then print its usage and cost on stderr.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="prompt file(s); several files are one session")
    parser.add_argument("--model", "-m", help="model to run (default: the file's, else the config's)")
    parser.add_argument("--provider", help="provider to call (default: the model's, from the price table)")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="most output tokens (sent, and reserved for)")
    parser.add_argument("--max-cost", type=_usd, metavar="USD", help="per-run cap: refuse a run that may cost more")
    parser.add_argument("--max-session-cost", type=_usd, metavar="USD",
                        help="cap on everything this invocation spends (all FILEs together)")
    parser.add_argument("--capped", action="store_true",
                        help="when the budget cannot cover max tokens, run capped to what fits instead of refusing")
    parser.add_argument("--tier", default="standard", choices=["standard", "batch", "flex", "priority"],
                        help="service tier to price the run at")
    parser.add_argument("--tag", action="append", default=[], metavar="T",
                        help="tag the run (repeatable), beside the prompt file's own tags; reports group by tag")
    parser.add_argument("--wait-budget", type=_seconds, metavar="SECONDS", dest="wait_budget",
                        help="when a hard budget refuses only because other runs are in flight, wait up to SECONDS "
                             "for them to settle, then decide again (default: wait_budget_seconds in config.toml, "
                             "30; 0 refuses at once)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file (no streaming)")
    from promptlab_tui.cli import run_extras

    run_extras.add_options(parser, _usd)  # batches, --quality, --yes, --no-cache (issue 11)
    parser.set_defaults(func=run_command)


_MAX_CAP_USD = Decimal(1_000_000)
_MAX_TOKENS = 100_000_000  # far above any model's output limit; past it the number is a typo


def _usd(text: str) -> int:
    try:
        value = Decimal(text.strip().lstrip("$"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected an amount in USD such as 0.50, got {text!r}") from None
    if not value.is_finite() or value > _MAX_CAP_USD:
        raise argparse.ArgumentTypeError(f"expected an amount in USD such as 0.50 (at most {_MAX_CAP_USD}), got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an amount of 0 or more, got {text!r}")
    return usd_to_nanos(value)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds such as 30, got {text!r}") from None
    if not 0 <= value <= 3600:  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 0 to 3600, got {text!r}")
    return value


def run_command(args: argparse.Namespace) -> int:
    from promptlab_tui.services.run_types import RunOptions
    from promptlab_tui.services.runner import RunService
    from promptlab_tui.services.session import SessionSpend
    from promptlab_tui.services.signals import RunSignals

    if args.max_tokens is not None and not 1 <= args.max_tokens <= _MAX_TOKENS:
        raise CliError(f"--max-tokens must be between 1 and {_MAX_TOKENS:,}, got {args.max_tokens}", EXIT_BAD_INPUT)
    from promptlab_tui.cli import run_extras

    files = run_extras.expand_files(args.files)  # a folder stands for its prompt files
    prompts = [(path, _load(path)) for path in files]  # every file checked before anything is spent
    service = RunService(session=SessionSpend(run_extras.session_cap(args, prompts)), session_id=_session_id())
    options = RunOptions(model=args.model, provider=args.provider, max_tokens=args.max_tokens,
                         max_cost_nanos=args.max_cost, accept_capped=args.capped, tier=args.tier,
                         tags=_tags(args.tag), source="run", wait_budget_s=args.wait_budget, quality=args.quality,
                         cache=False if args.no_cache else None)
    with RunSignals() as signals:  # SIGTERM and SIGHUP stop a run like Ctrl-C; nothing interrupts settling
        with _explained_errors():
            startup = service.startup_maintenance()  # record the journal, settle orphans, apply retention
        if startup.journaled:
            print(f"promptlab: recorded {len(startup.journaled)} run(s) from the journal written when the history "
                  "database could not be", file=sys.stderr)
        if startup.settled:
            print(f"promptlab: settled {len(startup.settled)} run(s) left pending by a process that ended "
                  "(recorded as interrupted)", file=sys.stderr)
        if startup.retention_problem:
            print(f"promptlab: retention not applied: {startup.retention_problem}", file=sys.stderr)
        batch = run_extras.BatchReport(files, service.session) if len(prompts) > 1 else None
        code = EXIT_OK
        for position, (path, prompt) in enumerate(prompts):
            signals.resume()
            args.declined = False  # set by the confirm_above question when it stops this file
            batch and batch.starting()
            code = _run_one(service, path, prompt, batch.options(options, position) if batch else options, args,
                            several=len(prompts) > 1, signals=signals)
            if signals.exit_code is not None:
                code = signals.exit_code
            batch and batch.finished(path, code, refused=code == EXIT_BUDGET_REFUSED, declined=args.declined)
            if code != EXIT_OK:
                break
        if batch is not None:
            batch.print(args, code)
    if len(prompts) > 1 and not args.json:
        print(_session_total(service.session.status()), file=sys.stderr)
    return code


def _session_total(status: Any) -> str:
    from promptlab_tui.core.pricing import format_total

    return f"session: {status.runs} run(s), {format_total(status.spent_nanos, status.unpriced_runs)} in total"


def _tags(values: list[str]) -> tuple[str, ...]:
    tags = tuple(dict.fromkeys(value.strip() for value in values))
    for tag in tags:
        if not tag or len(tag) > 64 or any(ch.isspace() or not ch.isprintable() for ch in tag):
            raise CliError(f"--tag {tag!r}: expected a word of 1 to 64 printable characters without spaces",
                           EXIT_BAD_INPUT)
    return tags


def _session_id() -> str:
    from promptlab_tui.core.history import new_run_id

    return f"cli-{new_run_id()}"


def _load(path: str) -> Any:
    from promptlab_tui.config import prompt_file_limit_bytes
    from promptlab_tui.core.promptfile import PromptFileError, load_prompt_file

    try:
        return load_prompt_file(path, prompt_file_limit_bytes())
    except PromptFileError as error:
        raise CliError(str(error), EXIT_BAD_INPUT) from None
    except OSError as error:
        raise CliError(f"{path}: cannot read the file ({error.strerror or error})", EXIT_BAD_INPUT) from None


class _explained_errors:
    """Config, price table and database problems become a clear CliError (they are not the provider's)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, _tb: Any) -> bool:
        if error is None:
            return False
        from promptlab_tui.config import ConfigError
        from promptlab_tui.core.budget import BudgetSettingsError
        from promptlab_tui.core.pricing import PricingError
        from promptlab_tui.services.run_types import RunInputError
        from promptlab_tui.store.database import StoreError

        if isinstance(error, (ConfigError, PricingError, RunInputError, BudgetSettingsError)):
            raise CliError(str(error), EXIT_BAD_INPUT) from None
        if isinstance(error, StoreError):
            raise CliError(str(error), EXIT_ERROR) from None
        return False


def _run_one(service: Any, path: str, prompt: Any, options: Any, args: argparse.Namespace, several: bool,
             signals: Any = None) -> int:
    from promptlab_tui.core.budget import BudgetViolation
    from promptlab_tui.providers.base import ProviderError

    if prompt.fallback:  # `fallback = [...]`: each model in turn on a provider failure (issue 11)
        from promptlab_tui.cli.run_fallback import run_chain

        with _explained_errors():
            return run_chain(service, path, prompt, options, args, several)
    try:
        with _explained_errors():
            plan = service.prepare_run(prompt, options)
            return _execute(service, path, plan, args, several, signals)
    except BudgetViolation as refusal:
        capped = getattr(refusal, "capped_plan", None)
        if capped is not None and _ask_capped(refusal, args):
            try:
                with _explained_errors():
                    return _execute(service, path, capped, args, several, signals)
            except ProviderError as error:
                return _report_not_started(path, error, args)
        _report_refusal(path, refusal, args)
        return EXIT_BUDGET_REFUSED
    except ProviderError as error:  # raised only before the run was reserved: no key, unknown provider
        return _report_not_started(path, error, args)


def _ask_capped(refusal: Any, args: argparse.Namespace) -> bool:
    """Offer the capped run at a terminal; scripts say --capped instead."""
    if args.json or not sys.stdin.isatty() or not sys.stderr.isatty():
        return False
    plan = refusal.capped_plan
    print(f"promptlab run: {refusal.explain()}", file=sys.stderr)
    question = (f"Run capped to {plan.max_tokens:,} max tokens (worst case {format_usd(plan.worst_case_nanos)})"
                " instead? [y/N] ")
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _execute(service: Any, path: str, plan: Any, args: argparse.Namespace, several: bool, signals: Any = None) -> int:
    from promptlab_tui.cli.run_extras import confirm_expensive
    from promptlab_tui.services.run_report import outcome_json, usage_lines

    declined = confirm_expensive(plan, args, service.context.config)  # confirm_above (config)
    if declined is not None:
        if args.json:
            print(json.dumps({"file": path, "status": "not_confirmed", "error": declined}), flush=True)
        print(f"promptlab run: {path}: {declined}", file=sys.stderr)
        return EXIT_BUDGET_REFUSED

    if not args.json:
        for note in plan.notes:
            print(f"note: {note}", file=sys.stderr)
        if several:
            print(f"==> {path} <==", flush=True)
    outcome = service.execute(plan, on_event=_waiting_to_stderr if args.json else _StreamPrinter(), signals=signals)
    if args.json:
        print(json.dumps(outcome_json(path, outcome), ensure_ascii=False), flush=True)
    else:
        if outcome.text and not outcome.text.endswith("\n"):
            print(flush=True)
        for line in usage_lines(outcome):
            print(line, file=sys.stderr)
    if outcome.signal_number is not None:
        return 128 + outcome.signal_number  # 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP: the spend is recorded
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if not outcome.ok:
        if not args.json:
            print(f"promptlab run: {path}: {outcome.error_message}", file=sys.stderr)
        return EXIT_INTERRUPTED if outcome.status == "cancelled" else EXIT_PROVIDER_ERROR
    return EXIT_OK


class _StreamPrinter:
    """The answer to stdout as it streams; at a terminal, the running cost on stderr's last line."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.shown = False

    def __call__(self, event: Any) -> None:
        from promptlab_tui.services.run_types import RunCompleted, RunFailed, RunTextDelta, RunTokens

        if isinstance(event, RunTextDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, RunTokens) and self.live:
            approx = "" if event.exact else "~"
            sys.stderr.write(f"\r\x1b[K[{approx}{event.output_tokens:,} tokens · {format_usd(event.cost_nanos)} so far"
                             f" · {event.elapsed_s:.1f} s]")
            sys.stderr.flush()
            self.shown = True
        elif isinstance(event, (RunCompleted, RunFailed)) and self.shown:
            sys.stderr.write("\r\x1b[K")  # the usage line replaces it
            sys.stderr.flush()
        else:
            _waiting_to_stderr(event)


def _waiting_to_stderr(event: Any) -> None:
    from promptlab_tui.services.run_types import RunWaiting

    if isinstance(event, RunWaiting):
        print(f"promptlab run: {event.message}", file=sys.stderr, flush=True)


def _report_not_started(path: str, error: Exception, args: argparse.Namespace) -> int:
    """The provider could not be made (no key, unknown provider): nothing was sent, spent or recorded."""
    from promptlab_tui.services.run_report import not_started_json

    if args.json:
        print(json.dumps(not_started_json(path, error), ensure_ascii=False), flush=True)
    print(f"promptlab run: {path}: {error}", file=sys.stderr)
    return EXIT_PROVIDER_ERROR


def _report_refusal(path: str, refusal: Any, args: argparse.Namespace) -> None:
    from promptlab_tui.services.run_report import refusal_json

    if args.json:
        print(json.dumps(refusal_json(path, refusal), ensure_ascii=False), flush=True)
    print(f"promptlab run: {path}: refused: {refusal}", file=sys.stderr)
    for suggestion in getattr(refusal, "suggestions", []):
        print(f"  - {suggestion}", file=sys.stderr)
